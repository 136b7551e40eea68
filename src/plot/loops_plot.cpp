// The longest H1 loops of a layer on a 2-D projection of its points, with thumbnails of inputs on each loop.
#include <algorithm>
#include <cmath>

#include "actopo/plot.hpp"
#include "plot/axes.hpp"
#include "plot/figure.hpp"

namespace actopo {

void write_loops_plot(const Matrix& xy, const std::vector<std::int64_t>& labels, const std::vector<Representative>& loops,
                      const std::map<std::int64_t, std::vector<std::uint8_t>>& thumbnails, const std::string& path,
                      const std::string& title, bool force) {
    using namespace plot;
    if (xy.cols < 2) throw std::logic_error("write_loops_plot: expected 2-D points");
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    for (std::size_t i = 0; i < xy.rows; ++i) {
        x_lo = std::min(x_lo, double(xy(i, 0))), x_hi = std::max(x_hi, double(xy(i, 0)));
        y_lo = std::min(y_lo, double(xy(i, 1))), y_hi = std::max(y_hi, double(xy(i, 1)));
    }
    if (!(x_lo <= x_hi)) x_lo = y_lo = 0, x_hi = y_hi = 1;
    pad_range(x_lo, x_hi);
    pad_range(y_lo, y_hi);
    constexpr std::size_t kThumbs = 6;  // per loop, spread along it
    constexpr double kThumb = 28, size = 420, head = 40;
    const std::size_t shown = std::min<std::size_t>(loops.size(), 6);
    const double row_h = kThumb + 26, side_x = 70 + size + 30;
    Axes ax{70, head, size, size, x_lo, x_hi, y_lo, y_hi};
    render_figure(
        path, side_x + std::max(kThumbs * (kThumb + 4), 330.0) + 20, std::max(head + size + 56, head + double(shown) * row_h + 20),
        [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 0, 0, 0);
            if (!title.empty()) draw_text(cr, title, 12, 12, 13, 0, 0, 0, true);
            ax.draw(cr, "first principal component", "second principal component");
            for (std::size_t i = 0; i < xy.rows; ++i) {  // the points, light, coloured by class
                set_colour(cr, categorical(std::size_t(std::max<std::int64_t>(0, i < labels.size() ? labels[i] : 0))), 0.35);
                cairo_arc(cr, ax.px(xy(i, 0)), ax.py(xy(i, 1)), 1.6, 0, 2 * M_PI);
                cairo_fill(cr);
            }
            for (std::size_t k = shown; k-- > 0;) {  // the longest loop drawn last, on top
                const auto& z = loops[k].cycle;
                if (z.empty()) continue;
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_set_line_width(cr, k == 0 ? 2.4 : 1.6);
                for (std::size_t i = 0; i <= z.size(); ++i) {
                    const std::uint32_t v = z[i % z.size()];
                    (i ? cairo_line_to : cairo_move_to)(cr, ax.px(xy(v, 0)), ax.py(xy(v, 1)));
                }
                set_colour(cr, categorical(k + 1));
                cairo_stroke(cr);
                draw_text(cr, std::to_string(k + 1), ax.px(xy(z[0], 0)) + 3, ax.py(xy(z[0], 1)) - 3, 10, 0, 1, 0, true);
                // the legend row: interval and classes, then thumbnails of inputs spread along the loop
                const double y = head + double(k) * row_h;
                set_colour(cr, categorical(k + 1));
                const auto& r = loops[k];
                char interval[80];
                std::snprintf(interval, sizeof interval, "loop %zu [%s, %s): ", k + 1, label_number(r.birth).c_str(),
                              r.essential() ? "inf" : label_number(r.death).c_str());
                std::string words = interval + r.inputs.summary;
                if (words.size() > 70) words = words.substr(0, 67) + "...";
                draw_text(cr, words, side_x, y, 9, 0, 0);
                std::size_t drawn = 0;
                for (std::size_t t = 0; t < kThumbs && !r.inputs.ids.empty(); ++t) {
                    const auto it = thumbnails.find(r.inputs.ids[t * r.inputs.ids.size() / kThumbs]);
                    if (it == thumbnails.end() || it->second.size() != 28 * 28) continue;
                    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 28, 28);
                    cairo_surface_flush(img);
                    unsigned char* px = cairo_image_surface_get_data(img);
                    const int stride = cairo_image_surface_get_stride(img);
                    for (int row = 0; row < 28; ++row)
                        for (int col = 0; col < 28; ++col) {
                            const std::uint8_t g = std::uint8_t(255 - it->second[std::size_t(row * 28 + col)]);
                            auto* p = reinterpret_cast<std::uint32_t*>(px + row * stride) + col;
                            *p = (std::uint32_t(g) << 16) | (std::uint32_t(g) << 8) | g;
                        }
                    cairo_surface_mark_dirty(img);
                    cairo_set_source_surface(cr, img, side_x + double(drawn) * (kThumb + 4), y + 14);
                    cairo_paint(cr);
                    cairo_surface_destroy(img);
                    ++drawn;
                }
            }
        },
        force);
}

}  // namespace actopo
