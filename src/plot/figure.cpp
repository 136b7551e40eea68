#include "plot/figure.hpp"

#include <cairo-svg.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/plot.hpp"

namespace actopo {

std::vector<std::string> figure_paths(const std::string& path) {
    std::string stem = path;
    for (const char* ext : {".svg", ".png", ".SVG", ".PNG"}) {
        std::string e = ext;
        if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
            stem.resize(stem.size() - e.size());
            break;
        }
    }
    return {stem + ".svg", stem + ".png"};
}

namespace plot {

void render_figure(const std::string& path, double width, double height, const DrawFn& draw, bool force,
                   const std::string& svg_extra) {
    const auto paths = figure_paths(path);
    // open both outputs first: a refusal to overwrite leaves neither file touched
    AtomicOutput svg(paths[0], force), png(paths[1], force);
    auto paint = [&](cairo_surface_t* surface, double scale) {
        cairo_t* cr = cairo_create(surface);
        cairo_scale(cr, scale, scale);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        draw(cr);
        cairo_status_t st = cairo_status(cr);
        cairo_destroy(cr);
        if (st != CAIRO_STATUS_SUCCESS)
            throw std::runtime_error(std::string("cairo drawing failed: ") + cairo_status_to_string(st));
    };
    cairo_surface_t* s = cairo_svg_surface_create(svg.temp_path().c_str(), width, height);
    paint(s, 1);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) throw UserError("cannot write " + paths[0] + ": " + cairo_status_to_string(st));
    if (!svg_extra.empty()) {
        std::string text = read_text_file(svg.temp_path());
        const auto end = text.rfind("</svg>");
        if (end == std::string::npos) throw std::runtime_error("cairo wrote no </svg> to " + svg.temp_path());
        text.insert(end, svg_extra);
        write_text_file(svg.temp_path(), text, true);
    }
    s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, int(std::ceil(width * 2)), int(std::ceil(height * 2)));
    paint(s, 2);
    st = cairo_surface_write_to_png(s, png.temp_path().c_str());
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) throw UserError("cannot write " + paths[1] + ": " + cairo_status_to_string(st));
    svg.commit();
    png.commit();
}

void paint_image(cairo_t* cr, cairo_surface_t* image, double x, double y, double w, double h) {
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / double(cairo_image_surface_get_width(image)), h / double(cairo_image_surface_get_height(image)));
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(image);
}

Measure::Measure() {
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cr = cairo_create(surface);
}
Measure::~Measure() {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
}

static void set_font(cairo_t* cr, double size, bool bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& s, double size, bool bold) {
    set_font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance;
}

void draw_text(cairo_t* cr, const std::string& s, double x, double y, double size, double ax, double ay,
               double angle, bool bold) {
    set_font(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    double h = fe.ascent * 0.8;
    cairo_move_to(cr, -ax * e.x_advance, -ay * h + h);
    cairo_show_text(cr, s.c_str());
    cairo_restore(cr);
}

Rgb diverging(double t) {  // t in [-1, 1]: blue - white - red
    t = std::clamp(t, -1.0, 1.0);
    if (t < 0) return {1 + t * (1 - 0.13), 1 + t * (1 - 0.40), 1 + t * (1 - 0.80)};
    return {1 - t * (1 - 0.80), 1 - t * (1 - 0.10), 1 - t * (1 - 0.12)};
}

Rgb sequential(double t) {
    static const Rgb stops[] = {{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
                                {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
                                {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
                                {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
    if (!std::isfinite(t)) return {0.8, 0.8, 0.8};
    t = std::clamp(t, 0.0, 1.0) * 10;
    int i = std::min(9, int(t));
    double f = t - i;
    return {stops[i].r + f * (stops[i + 1].r - stops[i].r), stops[i].g + f * (stops[i + 1].g - stops[i].g),
            stops[i].b + f * (stops[i + 1].b - stops[i].b)};
}

Rgb categorical(std::size_t k) {
    static const Rgb palette[] = {{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                                  {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                                  {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                                  {0.090, 0.745, 0.812}};
    return palette[k % 10];
}

void set_colour(cairo_t* cr, Rgb c, double alpha) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

std::vector<double> nice_ticks(double lo, double hi, int count) {
    if (!(hi > lo)) return {lo};
    double raw = (hi - lo) / std::max(1, count), mag = std::pow(10, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

std::string label_number(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (std::isnan(v)) return "nan";
    char buf[32];
    double a = std::fabs(v);
    if (a < 1e5 && v == std::round(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a != 0 && (a < 1e-3 || a >= 1e5))
        std::snprintf(buf, sizeof buf, "%.2e", v);
    else
        std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

}  // namespace plot
}  // namespace actopo
