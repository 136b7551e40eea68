#include "plot/axes.hpp"

#include <cmath>

#include "plot/figure.hpp"

namespace actopo::plot {

double Axes::py(double v) const {
    if (log_y) {
        double l = std::log10(std::max(v, y_lo));
        return y + h - h * (l - std::log10(y_lo)) / (std::log10(y_hi) - std::log10(y_lo));
    }
    return y + h - h * (v - y_lo) / (y_hi - y_lo);
}

void pad_range(double& lo, double& hi, double margin) {
    if (!(hi > lo)) {
        double c = std::isfinite(lo) ? lo : 0;
        lo = c - 0.5;
        hi = c + 0.5;
        return;
    }
    double d = (hi - lo) * margin;
    lo -= d;
    hi += d;
}

void Axes::draw(cairo_t* cr, const std::string& x_label, const std::string& y_label, bool x_ticks) const {
    constexpr double font = 10;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
    if (x_ticks)
        for (double t : nice_ticks(x_lo, x_hi, 6)) {
            if (t < x_lo || t > x_hi || t > tick_hi) continue;
            cairo_move_to(cr, px(t), y + h);
            cairo_line_to(cr, px(t), y + h + 4);
            cairo_stroke(cr);
            draw_text(cr, label_number(t), px(t), y + h + 6, font, 0.5, 0);
        }
    auto ytick = [&](double t) {
        cairo_set_source_rgba(cr, 0, 0, 0, 0.12);
        cairo_move_to(cr, x, py(t));
        cairo_line_to(cr, x + w, py(t));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, label_number(t), x - 6, py(t), font, 1, 0.5);
    };
    if (y_ticks && log_y) {
        for (double e = std::floor(std::log10(y_lo)); e <= std::ceil(std::log10(y_hi)); e += 1)
            if (std::pow(10, e) >= y_lo && std::pow(10, e) <= y_hi) ytick(std::pow(10, e));
    } else if (y_ticks) {
        for (double t : nice_ticks(y_lo, y_hi, 5))
            if (t >= y_lo && t <= y_hi && t <= tick_hi) ytick(t);
    }
    if (!x_label.empty()) draw_text(cr, x_label, x + w / 2, y + h + 24, font + 1, 0.5, 0);
    if (!y_label.empty()) draw_text(cr, y_label, x - 52, y + h / 2, font + 1, 0.5, 1, -M_PI / 2);
}

}  // namespace actopo::plot
