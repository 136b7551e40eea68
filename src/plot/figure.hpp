#pragma once
// Internal drawing helpers of the plot module: render one figure to SVG and PNG atomically, text,
// colour maps, axis ticks and number labels.
#include <cairo.h>

#include <functional>
#include <string>
#include <vector>

namespace actopo::plot {

using DrawFn = std::function<void(cairo_t*)>;

/// Draws `draw` on a width x height canvas (points) into figure_paths(path): SVG, and PNG at 2x.
/// `svg_extra` (SVG elements in the canvas' coordinates, e.g. transparent shapes with <title> tooltips) is
/// appended on top of the drawing in the SVG only.
void render_figure(const std::string& path, double width, double height, const DrawFn& draw, bool force,
                   const std::string& svg_extra = "");

/// A context on a scratch surface, for measuring text before the canvas size is known.
struct Measure {
    Measure();
    ~Measure();
    cairo_t* cr;
    cairo_surface_t* surface;
};

/// Width of `s` at font `size`.
double text_width(cairo_t* cr, const std::string& s, double size, bool bold = false);
/// Draws `s` with its anchor at (x, y): ax/ay = 0 left/top, 0.5 centre, 1 right/bottom; angle in radians.
void draw_text(cairo_t* cr, const std::string& s, double x, double y, double size, double ax = 0, double ay = 0,
               double angle = 0, bool bold = false);

/// Paints `image` scaled to w x h points with its top left at (x, y), pixels kept sharp (nearest neighbour),
/// then destroys it.
void paint_image(cairo_t* cr, cairo_surface_t* image, double x, double y, double w, double h);

struct Rgb {
    double r, g, b;
};
/// Viridis-like sequential colour map, t in [0, 1].
Rgb sequential(double t);
/// Diverging colour map centred at zero, t in [-1, 1]: blue (negative) - white - red (positive).
Rgb diverging(double t);
/// The k-th colour of a categorical palette.
Rgb categorical(std::size_t k);
void set_colour(cairo_t* cr, Rgb c, double alpha = 1);

/// About `count` round tick values covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int count = 5);
/// Short label: 3 significant digits, scientific when very small or large.
std::string label_number(double v);

}  // namespace actopo::plot
