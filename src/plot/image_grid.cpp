// write_image_grid: small images in a titled grid, each tile scaled up with nearest-neighbour sampling (a pixel
// stays a crisp square) and captioned under it.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "actopo/core.hpp"
#include "actopo/plot.hpp"
#include "plot/figure.hpp"

namespace actopo {

namespace {

using namespace plot;

constexpr double kGap = 10, kTop = 30, kFont = 9, kTitle = 13, kNote = 22;

// The tile's pixels as a Cairo RGB24 surface.
cairo_surface_t* tile_surface(const ImageTile& t) {
    const std::size_t plane = t.height * t.width;
    if (t.values.size() != t.channels * plane || (t.channels != 1 && t.channels != 3))
        throw std::logic_error("write_image_grid: a tile holds " + std::to_string(t.values.size()) + " values for [" +
                               std::to_string(t.channels) + ", " + std::to_string(t.height) + ", " +
                               std::to_string(t.width) + "]");
    double lo = t.lo, hi = t.hi;
    if (!(lo < hi)) {  // the tile's own range
        lo = hi = 0;
        bool first = true;
        for (float v : t.values) {
            if (!std::isfinite(v)) continue;
            lo = first ? v : std::min(lo, double(v));
            hi = first ? v : std::max(hi, double(v));
            first = false;
        }
        if (t.paint == TilePaint::diverging) hi = std::max(std::fabs(lo), std::fabs(hi)), lo = -hi;
    }
    const double span = hi > lo ? hi - lo : 1;
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, int(t.width), int(t.height));
    unsigned char* data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    auto byte = [](double v) { return std::uint32_t(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
    for (std::size_t r = 0; r < t.height; ++r)
        for (std::size_t c = 0; c < t.width; ++c) {
            const std::size_t i = r * t.width + c;
            Rgb col{0, 0, 0};
            if (t.paint == TilePaint::heat) {
                col = sequential((t.values[i] - lo) / span);
            } else if (t.paint == TilePaint::diverging) {
                col = diverging(hi > 0 ? t.values[i] / hi : 0);
            } else {
                const auto at = [&](std::size_t k) { return (t.values[std::min(k, t.channels - 1) * plane + i] - lo) / span; };
                col = {at(0), at(1), at(2)};
            }
            auto* px = reinterpret_cast<std::uint32_t*>(data + r * std::size_t(stride)) + c;
            *px = byte(col.r) << 16 | byte(col.g) << 8 | byte(col.b);
        }
    cairo_surface_mark_dirty(img);
    return img;
}

}  // namespace

void write_image_grid(const std::vector<ImageTile>& tiles, const ImageGridStyle& style, const std::string& path,
                      bool force) {
    const std::size_t cols = std::max<std::size_t>(1, std::min(style.columns, std::max<std::size_t>(1, tiles.size())));
    const std::size_t rows = (tiles.size() + cols - 1) / cols;
    bool two_lines = false;
    for (const auto& t : tiles) two_lines |= !t.caption2.empty();
    const double cell = style.cell, label = two_lines ? 26 : 14;
    double width = kGap + double(cols) * (cell + kGap);
    {
        Measure m;
        width = std::max({width, 2 * kGap + text_width(m.cr, style.title, kTitle, true),
                          2 * kGap + text_width(m.cr, style.note, kFont)});
        for (const auto& t : tiles)  // captions wider than the tile widen every column
            width = std::max(width, kGap + double(cols) * (std::max({text_width(m.cr, t.caption, kFont),
                                                                     text_width(m.cr, t.caption2, kFont)}) + 4 + kGap));
    }
    const double pitch = (width - kGap) / double(cols);
    const double height = kTop + double(rows) * (cell + label + kGap) + (style.note.empty() ? 0 : kNote);
    render_figure(path, width, height, [&](cairo_t* cr) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, style.title, kGap, 8, kTitle, 0, 0, 0, true);
        for (std::size_t k = 0; k < tiles.size(); ++k) {
            const ImageTile& t = tiles[k];
            const double x0 = kGap + double(k % cols) * pitch + (pitch - kGap - cell) / 2;
            const double y0 = kTop + double(k / cols) * (cell + label + kGap);
            if (t.height && t.width) paint_image(cr, tile_surface(t), x0, y0, cell, cell);
            cairo_set_source_rgb(cr, 0, 0, 0);
            draw_text(cr, t.caption, x0 + cell / 2, y0 + cell + 2, kFont, 0.5, 0);
            if (!t.caption2.empty()) draw_text(cr, t.caption2, x0 + cell / 2, y0 + cell + 14, kFont, 0.5, 0);
        }
        if (!style.note.empty()) draw_text(cr, style.note, kGap, height - kNote / 2 - 2, kFont, 0, 0.5);
    }, force);
}

}  // namespace actopo
