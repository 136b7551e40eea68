// Persistence diagram (birth vs death) and barcode of the diagrams of several dimensions: the barcode has a
// band per dimension with its longest bars, so that H1 is not lost under hundreds of H0 bars.
#include <algorithm>
#include <cmath>

#include "actopo/plot.hpp"
#include "plot/axes.hpp"
#include "plot/figure.hpp"

namespace actopo {

namespace {
constexpr std::size_t kMaxBars = 60;  // bars per dimension in the barcode: the longest ones
}

void write_diagram_plot(const Diagrams& diagrams, const std::string& path, const std::string& title, bool force) {
    using namespace plot;
    double lo = INFINITY, hi = -INFINITY;
    bool essential = false;
    for (const auto& d : diagrams.dims)
        for (const auto& p : d.pairs) {
            lo = std::min(lo, p.birth);
            hi = std::max(hi, p.essential() ? p.birth : p.death);
            essential = essential || p.essential();
        }
    if (lo > hi) lo = 0, hi = 1;
    pad_range(lo, hi, 0.02);
    const double inf_line = hi + (hi - lo) * 0.08, top = essential ? inf_line + (hi - lo) * 0.04 : hi;
    const double head = title.empty() ? 16 : 40, size = 340;
    Axes dia{70, head, size, size, lo, top, lo, top};
    dia.tick_hi = hi;
    // the barcode: one band per dimension, its longest bars (longest on top), the bands one above the other
    const std::size_t bands = std::max<std::size_t>(diagrams.dims.size(), 1);
    const double gap = 26, band_h = (size - gap * double(bands - 1)) / double(bands), code_x = 70 + size + 60, code_w = size + 60;
    render_figure(
        path, code_x + code_w + 20, head + size + 56,
        [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 0, 0, 0);
            if (!title.empty()) draw_text(cr, title, 12, 12, 13, 0, 0, 0, true);
            dia.draw(cr, "birth (filtration value)", "death (filtration value)");
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
            for (std::size_t k = 0; k < diagrams.dims.size(); ++k) {
                const auto& d = diagrams.dims[k];
                // the diagram: every point, in the dimension's colour
                set_colour(cr, categorical(k), 0.75);
                for (const auto& p : d.pairs) {
                    cairo_arc(cr, dia.px(p.birth), dia.py(p.essential() ? inf_line : p.death), 3, 0, 2 * M_PI);
                    cairo_fill(cr);
                }
                auto pairs = d.pairs;
                const auto length = [&](const PersistencePair& p) { return (p.essential() ? inf_line : p.death) - p.birth; };
                std::stable_sort(pairs.begin(), pairs.end(), [&](const auto& a, const auto& b) { return length(a) > length(b); });
                if (pairs.size() > kMaxBars) pairs.resize(kMaxBars);
                const bool last = k + 1 == diagrams.dims.size();
                Axes code{code_x, head + double(k) * (band_h + gap), code_w, band_h, lo, top, 0, double(std::max<std::size_t>(pairs.size(), 1))};
                code.tick_hi = hi;
                code.y_ticks = false;
                code.draw(cr, last ? "filtration value" : "", "", last);
                set_colour(cr, categorical(k), 0.85);
                const double bar = std::max(1.0, 0.7 * band_h / double(std::max<std::size_t>(pairs.size(), 1)));
                for (std::size_t r = 0; r < pairs.size(); ++r) {
                    const auto& p = pairs[r];
                    const double y = code.py(double(pairs.size() - r) - 0.5);
                    cairo_rectangle(cr, code.px(p.birth), y - bar / 2, code.px(p.essential() ? inf_line : p.death) - code.px(p.birth), bar);
                    cairo_fill(cr);
                }
                set_colour(cr, categorical(k));  // the dimension's colour: the diagram's legend too
                const std::string what = "H" + std::to_string(d.dim) + ": " +
                                         (d.pairs.size() > pairs.size() ? "the " + std::to_string(pairs.size()) + " longest of " +
                                                                              std::to_string(d.pairs.size()) + " bars"
                                                                        : std::to_string(d.pairs.size()) + (d.pairs.size() == 1 ? " bar" : " bars"));
                draw_text(cr, what, code.x + 4, code.y - 3, 10, 0, 1);
            }
        },
        force);
}

}  // namespace actopo
