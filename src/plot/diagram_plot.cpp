// Persistence diagram (birth vs death) and barcode of the diagrams of several dimensions.
#include <algorithm>
#include <cmath>

#include "actopo/plot.hpp"
#include "plot/axes.hpp"
#include "plot/figure.hpp"

namespace actopo {

void write_diagram_plot(const Diagrams& diagrams, const std::string& path, const std::string& title, bool force) {
    using namespace plot;
    double lo = INFINITY, hi = -INFINITY;
    std::size_t bars = 0;
    bool essential = false;
    for (const auto& d : diagrams.dims)
        for (const auto& p : d.pairs) {
            lo = std::min(lo, p.birth);
            hi = std::max(hi, p.essential() ? p.birth : p.death);
            essential = essential || p.essential();
            ++bars;
        }
    if (lo > hi) lo = 0, hi = 1;
    pad_range(lo, hi, 0.02);
    const double inf_line = hi + (hi - lo) * 0.08, top = essential ? inf_line + (hi - lo) * 0.04 : hi;
    const double head = title.empty() ? 16 : 40, size = 340;
    Axes dia{70, head, size, size, lo, top, lo, top};
    Axes code{70 + size + 50, head, size + 60, size, lo, top, 0, double(std::max<std::size_t>(bars, 1))};
    dia.tick_hi = code.tick_hi = hi;
    code.y_ticks = false;
    render_figure(
        path, code.x + code.w + 110, head + size + 50,
        [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 0, 0, 0);
            if (!title.empty()) draw_text(cr, title, 12, 12, 13, 0, 0, 0, true);
            dia.draw(cr, "birth", "death");
            code.draw(cr, "filtration value", "", true);
            cairo_set_source_rgba(cr, 0, 0, 0, 0.5);
            cairo_move_to(cr, dia.px(lo), dia.py(lo));
            cairo_line_to(cr, dia.px(top), dia.py(top));
            cairo_stroke(cr);
            if (essential) {
                const double dash[] = {4, 3};
                cairo_set_dash(cr, dash, 2, 0);
                cairo_move_to(cr, dia.px(lo), dia.py(inf_line));
                cairo_line_to(cr, dia.px(top), dia.py(inf_line));
                cairo_stroke(cr);
                cairo_set_dash(cr, nullptr, 0, 0);
                cairo_set_source_rgb(cr, 0, 0, 0);
                draw_text(cr, "inf", dia.x + 4, dia.py(inf_line) - 2, 9, 0, 1);
            }
            std::size_t row = 0;
            for (std::size_t k = 0; k < diagrams.dims.size(); ++k) {
                const auto& d = diagrams.dims[k];
                auto pairs = d.pairs;
                std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
                    return a.birth != b.birth ? a.birth < b.birth : a.death > b.death;
                });
                set_colour(cr, categorical(k), 0.75);
                for (const auto& p : pairs) {
                    double death = p.essential() ? inf_line : p.death;
                    cairo_arc(cr, dia.px(p.birth), dia.py(death), 3, 0, 2 * M_PI);
                    cairo_fill(cr);
                    double y = code.py(double(bars - row) - 0.5), hgt = std::max(1.0, 0.7 * code.h / double(bars));
                    cairo_rectangle(cr, code.px(p.birth), y - hgt / 2, code.px(death) - code.px(p.birth), hgt);
                    cairo_fill(cr);
                    ++row;
                }
                double ly = dia.y + 8 + 18 * double(k);
                set_colour(cr, categorical(k));
                cairo_rectangle(cr, code.x + code.w + 14, ly, 14, 10);
                cairo_fill(cr);
                cairo_set_source_rgb(cr, 0, 0, 0);
                draw_text(cr, "H" + std::to_string(d.dim) + " (" + std::to_string(d.pairs.size()) + ")",
                          code.x + code.w + 34, ly + 5, 10, 0, 0.5);
            }
        },
        force);
}

}  // namespace actopo
