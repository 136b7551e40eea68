#pragma once
// Internal: a rectangular plot area mapping data coordinates to the canvas, with ticks and labels.
#include <cairo.h>

#include <cmath>
#include <string>

namespace actopo::plot {

struct Axes {
    double x, y, w, h;               // plot area on the canvas
    double x_lo, x_hi, y_lo, y_hi;   // data range
    bool log_y = false;
    double tick_hi = INFINITY;      // no ticks above this data value (e.g. an "inf" band); both axes
    bool y_ticks = true;
    double px(double v) const { return x + w * (v - x_lo) / (x_hi - x_lo); }
    double py(double v) const;
    /// Frame, ticks and tick labels; x ticks are skipped when `x_ticks` is false (bar charts label categories).
    void draw(cairo_t* cr, const std::string& x_label, const std::string& y_label, bool x_ticks = true) const;
};

/// Widens a degenerate range and adds a small margin.
void pad_range(double& lo, double& hi, double margin = 0.05);

}  // namespace actopo::plot
