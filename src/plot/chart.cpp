// Line and bar charts of named series, with a legend: benchmark results, Betti curves, depth profiles.
#include <algorithm>
#include <cmath>

#include "actopo/plot.hpp"
#include "plot/axes.hpp"
#include "plot/figure.hpp"

namespace actopo {

void write_chart(const std::vector<Series>& series, const ChartOptions& o, const std::string& path, bool force) {
    using namespace plot;
    if (series.empty()) throw UserError("no series to draw for " + path);
    const std::size_t n = series.front().y.size();
    for (const auto& s : series) {
        if (!s.x.empty() && o.bars) throw UserError("series '" + s.name + "': a bar chart has one x for every series");
        if (!s.x.empty() ? s.x.size() != s.y.size() : s.y.size() != n)
            throw UserError("series '" + s.name + "' has " + std::to_string(s.y.size()) + " values, expected " +
                            std::to_string(s.x.empty() ? n : s.x.size()));
    }
    if (o.bars && o.categories.size() != n)
        throw UserError("a bar chart needs one category label per value (" + std::to_string(n) + ")");
    if (!o.bars && !o.x.empty() && o.x.size() != n)
        throw UserError("a line chart needs one x per value (" + std::to_string(n) + ")");
    auto xs = o.x;
    if (xs.empty())
        for (std::size_t i = 0; i < n; ++i) xs.push_back(double(i));
    const auto series_x = [&](std::size_t k) -> const std::vector<double>& { return series[k].x.empty() ? xs : series[k].x; };
    // line charts label their x values with the categories when there is one per shared x
    const bool x_categories = !o.bars && o.categories.size() == xs.size() && !o.categories.empty();
    double ylo = o.bars && !o.log_y ? 0 : INFINITY, yhi = -INFINITY;
    for (const auto& s : series)
        for (double v : s.y)
            if (std::isfinite(v) && (!o.log_y || v > 0)) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
    if (!(yhi >= ylo)) ylo = o.log_y ? 1 : 0, yhi = ylo + 1;
    if (o.log_y) {
        ylo = std::pow(10, std::floor(std::log10(ylo)));
        yhi = std::pow(10, std::ceil(std::log10(yhi)));
        if (yhi <= ylo) yhi = ylo * 10;
    } else {
        double lo0 = ylo;
        pad_range(ylo, yhi);
        if (lo0 >= 0 && ylo < 0) ylo = 0;
    }
    double xlo = o.bars ? -0.5 : INFINITY, xhi = o.bars ? double(n) - 0.5 : -INFINITY;
    if (!o.bars)
        for (std::size_t k = 0; k < series.size(); ++k)
            for (double x : series_x(k)) xlo = std::min(xlo, x), xhi = std::max(xhi, x);
    if (!(xhi >= xlo)) xlo = 0, xhi = 1;
    if (!o.bars) pad_range(xlo, xhi, 0.02);
    Measure ms;
    double legend_w = 0, cat_h = 0;
    for (const auto& s : series) legend_w = std::max(legend_w, text_width(ms.cr, s.name, 10) + 30);
    for (const auto& c : o.categories) cat_h = std::max(cat_h, text_width(ms.cr, c, 10));
    const double width = std::max(560.0, 40.0 * double(n) * (o.bars ? double(series.size()) : 0.0) + 200) + legend_w;
    const double plot_w = width - 80 - legend_w - 20;
    const double height = 60 + 320 + (o.bars || x_categories ? cat_h + 20 : 40);
    Axes ax{80, o.title.empty() ? 20.0 : 44.0, plot_w, 320, xlo, xhi, ylo, yhi, o.log_y};
    render_figure(
        path, width, height + (o.title.empty() ? 0 : 24),
        [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 0, 0, 0);
            if (!o.title.empty()) draw_text(cr, o.title, 12, 12, 13, 0, 0, 0, true);
            ax.draw(cr, o.bars || x_categories ? "" : o.x_label, o.y_label, !o.bars && !x_categories);
            const double group = 0.8, bw = group / double(series.size());
            // the palette has 10 colours: the lines of the 11th series on are dashed, so that none shares a look
            const double dash[] = {5, 3};
            for (std::size_t k = 0; k < series.size(); ++k) {
                set_colour(cr, categorical(k));
                cairo_set_line_width(cr, 1.8);
                cairo_set_dash(cr, dash, k >= 10 && !o.bars ? 2 : 0, 0);
                bool pen = false;
                const auto& sx = series_x(k);
                for (std::size_t i = 0; i < series[k].y.size(); ++i) {
                    double v = series[k].y[i];
                    bool ok = std::isfinite(v) && (!o.log_y || v > 0);
                    if (o.bars) {
                        if (!ok) continue;
                        double x0 = double(i) - group / 2 + bw * double(k);
                        double base = o.log_y ? ylo : 0;
                        cairo_rectangle(cr, ax.px(x0), ax.py(v), ax.px(x0 + bw) - ax.px(x0), ax.py(base) - ax.py(v));
                        cairo_fill(cr);
                    } else if (ok) {
                        if (pen)
                            cairo_line_to(cr, ax.px(sx[i]), ax.py(v));
                        else
                            cairo_move_to(cr, ax.px(sx[i]), ax.py(v));
                        pen = true;
                    } else {
                        pen = false;
                    }
                }
                if (!o.bars) cairo_stroke(cr);
                if (!o.bars && o.markers)
                    for (std::size_t i = 0; i < series[k].y.size(); ++i) {
                        const double v = series[k].y[i];
                        if (!std::isfinite(v) || (o.log_y && v <= 0)) continue;
                        cairo_arc(cr, ax.px(sx[i]), ax.py(v), 3, 0, 2 * M_PI);
                        cairo_fill(cr);
                    }
                // legend: a swatch for bars, a stretch of the line for lines
                double ly = ax.y + 8 + 18 * double(k);
                if (o.bars) {
                    cairo_rectangle(cr, ax.x + ax.w + 16, ly, 14, 10);
                    cairo_fill(cr);
                } else {
                    cairo_set_line_width(cr, 3);
                    cairo_move_to(cr, ax.x + ax.w + 14, ly + 5);
                    cairo_line_to(cr, ax.x + ax.w + 32, ly + 5);
                    cairo_stroke(cr);
                }
                cairo_set_dash(cr, nullptr, 0, 0);
                cairo_set_source_rgb(cr, 0, 0, 0);
                draw_text(cr, series[k].name, ax.x + ax.w + 36, ly + 5, 10, 0, 0.5);
            }
            cairo_set_source_rgb(cr, 0, 0, 0);
            if (o.bars || x_categories) {
                for (std::size_t i = 0; i < n; ++i)
                    draw_text(cr, o.categories[i], ax.px(o.bars ? double(i) : xs[i]), ax.y + ax.h + 6, 10, 1, 0.5, -M_PI / 2);
                if (!o.x_label.empty()) draw_text(cr, o.x_label, ax.x + ax.w / 2, ax.y + ax.h + cat_h + 14, 11, 0.5, 0);
            }
        },
        force);
}

}  // namespace actopo
