// Heatmaps of named matrices: row names on the left, column names rotated above, a labelled colour bar at
// the right, white lines between models; non-finite cells grey and labelled; "alike" bright in every matrix
// (distances use the colour map reversed). Several heatmaps in a grid share the drawing code.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "actopo/plot.hpp"
#include "plot/figure.hpp"

namespace actopo {
namespace {

using namespace plot;

constexpr double kFont = 10, kTitle = 13, kPad = 12, kBar = 14;

/// The layout of one heatmap panel, measured before drawing.
struct Panel {
    const NamedMatrix* m;
    std::string title;
    HeatmapStyle style;
    double cell, left, top, width, height;
    double lo, hi;
    /// The colour of position t in [0, 1] of the value range.
    Rgb colour(double t) const { return sequential(style.meaning == MatrixMeaning::distance && std::isfinite(t) ? 1 - t : t); }
};

std::string model_of(const std::string& name) {
    const auto colon = name.find(':');
    return colon == std::string::npos ? std::string() : name.substr(0, colon);
}

Panel measure(cairo_t* cr, const NamedMatrix& m, const std::string& title, const HeatmapStyle& style) {
    Panel p{&m, title, style, 0, 0, 0, 0, 0, 0, 0};
    const std::size_t rows = m.row_names.size(), cols = m.col_names.size();
    p.cell = std::clamp(520.0 / double(std::max<std::size_t>({rows, cols, 1})), 6.0, 44.0);
    double name_w = 0, col_w = 0;
    for (const auto& s : m.row_names) name_w = std::max(name_w, text_width(cr, s, kFont));
    for (const auto& s : m.col_names) col_w = std::max(col_w, text_width(cr, s, kFont));
    p.left = kPad + name_w + 6;
    p.top = kPad + (title.empty() ? 0 : kTitle + 10) + col_w + 6;
    double bar_w = kBar + 8 + text_width(cr, "-0.00e+00", kFont) + kPad + (style.value_label.empty() ? 0 : kFont + 8);
    p.width = p.left + p.cell * double(cols) + 16 + bar_w;
    if (!title.empty()) p.width = std::max(p.width, 2 * kPad + text_width(cr, title, kTitle, true));  // the whole title
    p.height = std::max(p.top + p.cell * double(rows) + kPad, p.top + 120);
    p.lo = INFINITY;
    p.hi = -INFINITY;
    for (double v : m.values)
        if (std::isfinite(v)) p.lo = std::min(p.lo, v), p.hi = std::max(p.hi, v);
    if (p.lo > p.hi) p.lo = 0, p.hi = 1;
    return p;
}

void draw_panel(cairo_t* cr, const Panel& p, double x0, double y0) {
    const NamedMatrix& m = *p.m;
    const std::size_t rows = m.row_names.size(), cols = m.col_names.size();
    const double range = p.hi > p.lo ? p.hi - p.lo : 1;
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (!p.title.empty()) draw_text(cr, p.title, x0 + kPad, y0 + kPad, kTitle, 0, 0, 0, true);
    const double gx = x0 + p.left, gy = y0 + p.top;
    const bool labels = p.cell >= 30;
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            double v = m.at(i, j), t = (v - p.lo) / range;
            Rgb c = p.colour(std::isfinite(v) ? t : NAN);
            set_colour(cr, c);
            cairo_rectangle(cr, gx + p.cell * double(j), gy + p.cell * double(i), p.cell, p.cell);
            cairo_fill(cr);
            if (labels || !std::isfinite(v)) {
                bool dark = std::isfinite(v) && (p.style.meaning == MatrixMeaning::distance ? 1 - t : t) < 0.6;
                cairo_set_source_rgb(cr, dark ? 1 : 0, dark ? 1 : 0, dark ? 1 : 0);
                if (p.cell >= 14)
                    draw_text(cr, label_number(v), gx + p.cell * (double(j) + 0.5), gy + p.cell * (double(i) + 0.5),
                              std::min(kFont, p.cell / 3.2), 0.5, 0.5);
            }
        }
    // white lines between the blocks of models
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, std::max(1.5, p.cell / 10));
    for (std::size_t i = 1; i < rows; ++i)
        if (model_of(m.row_names[i]) != model_of(m.row_names[i - 1])) {
            cairo_move_to(cr, gx, gy + p.cell * double(i));
            cairo_line_to(cr, gx + p.cell * double(cols), gy + p.cell * double(i));
            cairo_stroke(cr);
        }
    for (std::size_t j = 1; j < cols; ++j)
        if (model_of(m.col_names[j]) != model_of(m.col_names[j - 1])) {
            cairo_move_to(cr, gx + p.cell * double(j), gy);
            cairo_line_to(cr, gx + p.cell * double(j), gy + p.cell * double(rows));
            cairo_stroke(cr);
        }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (std::size_t i = 0; i < rows; ++i)
        draw_text(cr, m.row_names[i], gx - 6, gy + p.cell * (double(i) + 0.5), kFont, 1, 0.5);
    for (std::size_t j = 0; j < cols; ++j)  // rotated, reading upwards, ending just above the grid
        draw_text(cr, m.col_names[j], gx + p.cell * (double(j) + 0.5), gy - 6, kFont, 0, 0.5, -M_PI / 2);
    // colour bar
    const double bx = gx + p.cell * double(cols) + 16, bh = std::max(p.cell * double(rows), 100.0);
    for (int k = 0; k < 100; ++k) {
        set_colour(cr, p.colour(1 - k / 99.0));
        cairo_rectangle(cr, bx, gy + bh * k / 100.0, kBar, bh / 100.0 + 0.5);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, bx, gy, kBar, bh);
    cairo_stroke(cr);
    for (double t : nice_ticks(p.lo, p.hi, 4)) {
        double y = gy + bh * (1 - (t - p.lo) / range);
        cairo_move_to(cr, bx + kBar, y);
        cairo_line_to(cr, bx + kBar + 4, y);
        cairo_stroke(cr);
        draw_text(cr, label_number(t), bx + kBar + 7, y, kFont, 0, 0.5);
    }
    if (!p.style.value_label.empty())  // reading upwards, right of the tick labels
        draw_text(cr, p.style.value_label, bx + kBar + 12 + text_width(cr, "-0.00e+00", kFont), gy + bh / 2, kFont, 0.5, 0,
                  -M_PI / 2);
}

/// Transparent cells on top of the SVG drawing whose tooltip is "row / column: value" (hover in a browser).
std::string cell_tooltips(const Panel& p, double x0, double y0) {
    const NamedMatrix& m = *p.m;
    const double gx = x0 + p.left, gy = y0 + p.top;
    std::ostringstream out;
    out << "<g fill=\"#000\" fill-opacity=\"0\">";
    for (std::size_t i = 0; i < m.row_names.size(); ++i)
        for (std::size_t j = 0; j < m.col_names.size(); ++j)
            out << "<rect x=\"" << gx + p.cell * double(j) << "\" y=\"" << gy + p.cell * double(i) << "\" width=\"" << p.cell
                << "\" height=\"" << p.cell << "\"><title>" << xml_escape(m.row_names[i] + " / " + m.col_names[j]) << ": "
                << label_number(m.at(i, j)) << "</title></rect>";
    out << "</g>\n";
    return out.str();
}

void check_shape(const NamedMatrix& m) {
    if (m.values.size() != m.row_names.size() * m.col_names.size())
        throw UserError("matrix has " + std::to_string(m.values.size()) + " values for " +
                        std::to_string(m.row_names.size()) + " x " + std::to_string(m.col_names.size()) + " names");
}

}  // namespace

MatrixMeaning guess_meaning(const NamedMatrix& m) {
    const std::size_t n = std::min(m.row_names.size(), m.col_names.size());
    if (n == 0 || m.values.size() != m.row_names.size() * m.col_names.size()) return MatrixMeaning::other;
    double diagonal = 0, top = -INFINITY, largest = 0;
    for (std::size_t i = 0; i < n; ++i) diagonal += m.at(i, i) / double(n);
    for (double v : m.values)
        if (std::isfinite(v)) top = std::max(top, v), largest = std::max(largest, std::abs(v));
    if (std::abs(diagonal - 1) < 0.05 && top <= 1 + 1e-9) return MatrixMeaning::similarity;
    return std::abs(diagonal) <= 1e-6 * largest ? MatrixMeaning::distance : MatrixMeaning::other;
}

void write_heatmap(const NamedMatrix& m, const std::string& path, const std::string& title, bool force, const HeatmapStyle& style) {
    check_shape(m);
    Measure ms;
    Panel p = measure(ms.cr, m, title, style);
    plot::render_figure(path, p.width, p.height, [&](cairo_t* cr) { draw_panel(cr, p, 0, 0); }, force,
                        cell_tooltips(p, 0, 0));
}

void write_heatmap_grid(const std::vector<TitledMatrix>& panels, const std::string& path, const std::string& title,
                        bool force) {
    if (panels.empty()) throw UserError("no matrices to draw for " + path);
    Measure ms;
    std::vector<Panel> ps;
    double pw = 0, ph = 0;
    for (const auto& t : panels) {
        check_shape(t.matrix);
        ps.push_back(measure(ms.cr, t.matrix, t.title, t.style));
        pw = std::max(pw, ps.back().width);
        ph = std::max(ph, ps.back().height);
    }
    const std::size_t cols = std::size_t(std::ceil(std::sqrt(double(ps.size()))));
    const std::size_t rows = (ps.size() + cols - 1) / cols;
    const double head = title.empty() ? 0 : kTitle + 2 * kPad;
    std::string tooltips;
    for (std::size_t k = 0; k < ps.size(); ++k) tooltips += cell_tooltips(ps[k], pw * double(k % cols), head + ph * double(k / cols));
    plot::render_figure(
        path, pw * double(cols), head + ph * double(rows),
        [&](cairo_t* cr) {
            if (!title.empty()) {
                cairo_set_source_rgb(cr, 0, 0, 0);
                draw_text(cr, title, kPad, kPad, kTitle + 2, 0, 0, 0, true);
            }
            for (std::size_t k = 0; k < ps.size(); ++k)
                draw_panel(cr, ps[k], pw * double(k % cols), head + ph * double(k / cols));
        },
        force, tooltips);
}

}  // namespace actopo
