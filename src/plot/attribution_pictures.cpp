// Pictures of an attribution file: per method a grid of inputs with their maps overlaid, and the per-class mean
// maps. Signed maps use a diverging colour map centred at zero (blue negative, red positive), maps that are never
// negative a sequential one; each cell is scaled to its own largest |value|, and the map's opacity follows |value|
// so that the input shows through where the map is near zero.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/plot.hpp"
#include "actopo/store.hpp"
#include "plot/figure.hpp"

namespace actopo {

namespace {

using namespace plot;

constexpr double kCell = 96, kGap = 14, kLabel = 30, kFont = 10, kTitle = 13;

// One picture cell: an H x W image of the input (grey, may be empty) with the map overlaid.
struct Cell {
    std::size_t h = 0, w = 0;
    std::vector<float> input;  // h*w in [0, 1] after normalisation, or empty
    std::vector<float> map;    // h*w
    std::string caption, caption2;  // under the cell: the input's row and label; the class explained when another
};

// A 2-D view of a per-input array of shape `shape` ([C, H, W], [H, W] or [D]): the sum over channels.
std::vector<float> flatten_channels(const float* v, const std::vector<std::int64_t>& shape, std::size_t& h, std::size_t& w) {
    std::size_t c = 1;
    if (shape.size() >= 3) {
        c = std::size_t(shape[shape.size() - 3]);
        h = std::size_t(shape[shape.size() - 2]);
        w = std::size_t(shape[shape.size() - 1]);
    } else if (shape.size() == 2) {
        h = std::size_t(shape[0]);
        w = std::size_t(shape[1]);
    } else {  // a vector: as square as possible
        std::size_t d = per_input_size(shape);
        w = std::size_t(std::ceil(std::sqrt(double(d))));
        h = (d + w - 1) / w;
    }
    std::vector<float> out(h * w, 0);
    const std::size_t plane = per_input_size(shape) / std::max<std::size_t>(1, c);
    for (std::size_t k = 0; k < c; ++k)
        for (std::size_t i = 0; i < plane && i < out.size(); ++i) out[i] += v[k * plane + i];
    return out;
}

void draw_cell(cairo_t* cr, const Cell& cell, double x0, double y0, bool is_signed) {
    double scale = 0;
    for (float v : cell.map) scale = std::max(scale, double(std::fabs(v)));
    float lo = 0, hi = 1;
    if (!cell.input.empty()) {
        lo = *std::min_element(cell.input.begin(), cell.input.end());
        hi = *std::max_element(cell.input.begin(), cell.input.end());
    }
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, int(cell.w), int(cell.h));
    unsigned char* data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    for (std::size_t r = 0; r < cell.h; ++r)
        for (std::size_t c = 0; c < cell.w; ++c) {
            const std::size_t i = r * cell.w + c;
            double grey = cell.input.empty() ? 1.0 : hi > lo ? (cell.input[i] - lo) / (hi - lo) : 0.5;
            grey = 0.15 + 0.7 * grey;  // never pure black or white under the colour
            double t = scale > 0 ? cell.map[i] / scale : 0;
            Rgb col = is_signed ? diverging(t) : sequential(t);
            double alpha = cell.input.empty() ? 1.0 : std::min(1.0, 0.15 + 0.85 * std::pow(std::fabs(t), 0.7));
            if (!is_signed && !cell.input.empty()) alpha *= std::fabs(t) > 0.02 ? 1 : 0;
            double rgb[3] = {col.r, col.g, col.b};
            auto* px = reinterpret_cast<std::uint32_t*>(data + r * std::size_t(stride)) + c;
            std::uint32_t out = 0;
            for (int k = 0; k < 3; ++k) {
                double v = (1 - alpha) * grey + alpha * rgb[k];
                out |= std::uint32_t(std::lround(std::clamp(v, 0.0, 1.0) * 255)) << (16 - 8 * k);
            }
            *px = out;
        }
    cairo_surface_mark_dirty(img);
    paint_image(cr, img, x0, y0, kCell, kCell);
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_text(cr, cell.caption, x0 + kCell / 2, y0 + kCell + 3, kFont - 1, 0.5, 0);
    if (!cell.caption2.empty()) draw_text(cr, cell.caption2, x0 + kCell / 2, y0 + kCell + 15, kFont - 1, 0.5, 0);
}

void draw_grid(const std::vector<Cell>& cells, const std::string& title, bool is_signed, const std::string& path,
               bool force) {
    const std::size_t cols = std::min<std::size_t>(cells.size(), 8), rows = (cells.size() + cols - 1) / cols;
    const std::string key = "+max|R| (each cell its own scale)";
    double width = kGap + double(cols) * (kCell + kGap);
    {  // wide enough for the title and the colour key, however few the cells
        Measure m;
        width = std::max({width, 2 * kGap + text_width(m.cr, title, kTitle, true),
                          kGap + 64 + 160 + text_width(m.cr, key, kFont) + kGap});
    }
    const double height = 30 + double(rows) * (kCell + kLabel + kGap) + 28;
    render_figure(path, width, height, [&](cairo_t* cr) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, title, kGap, 8, kTitle, 0, 0, 0, true);
        for (std::size_t k = 0; k < cells.size(); ++k)
            draw_cell(cr, cells[k], kGap + double(k % cols) * (kCell + kGap), 30 + double(k / cols) * (kCell + kLabel + kGap),
                      is_signed);
        // the colour key
        const double ky = height - 22;
        for (int k = 0; k < 100; ++k) {
            double t = is_signed ? -1 + 2 * k / 99.0 : k / 99.0;
            set_colour(cr, is_signed ? diverging(t) : sequential(t));
            cairo_rectangle(cr, kGap + 60 + k * 1.6, ky, 1.7, 10);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, is_signed ? "-max|R|" : "0", kGap + 56, ky + 5, kFont, 1, 0.5);
        draw_text(cr, key, kGap + 64 + 160, ky + 5, kFont, 0, 0.5);
    }, force);
}

std::string dataset_spec(const AttributionFile& f) {
    if (f.dataset == "fashion-mnist" && !f.split.empty()) return f.dataset + ":" + f.split;
    return f.dataset;
}

std::string class_name(const AttributionFile& f, std::int64_t c) {
    if (c >= 0 && std::size_t(c) < f.class_names.size()) return f.class_names[std::size_t(c)];
    return std::to_string(c);
}

}  // namespace

std::vector<std::string> draw_attribution_pictures(const std::string& attributions, const std::string& folder,
                                                   std::size_t count, bool force) {
    AttributionFile f = read_attribution_file(attributions);
    std::filesystem::create_directories(folder);
    const std::size_t n = f.index.size(), shown = std::min(count, n);
    // the inputs shown: read from the dataset the file names (when it can still be opened)
    std::vector<float> x;
    std::vector<std::int64_t> sample;
    try {
        auto data = open_dataset(dataset_spec(f));
        sample = data->sample_shape();
        const std::size_t per = per_input_size(sample);
        x.resize(shown * per);
        std::int64_t label;
        for (std::size_t i = 0; i < shown; ++i) data->read(std::size_t(f.index[i]), 1, x.data() + i * per, &label);
    } catch (const UserError&) {
        x.clear();  // maps without their inputs
    }
    std::vector<std::string> written;
    for (const auto& method : f.methods) {
        std::vector<std::int64_t> shape;
        std::vector<float> maps = read_attributions(attributions, method, &shape);
        std::vector<std::int64_t> per_shape(shape.begin() + 1, shape.end());
        const std::size_t per = per_input_size(per_shape);
        bool is_signed = false;
        for (float v : maps) is_signed |= v < 0;
        std::vector<Cell> cells;
        for (std::size_t i = 0; i < shown; ++i) {
            Cell c;
            c.map = flatten_channels(maps.data() + i * per, per_shape, c.h, c.w);
            if (!x.empty()) {
                std::size_t h, w;
                c.input = flatten_channels(x.data() + i * per_input_size(sample), sample, h, w);
                if (h != c.h || w != c.w) c.input.clear();
            }
            c.caption = "#" + std::to_string(f.index[i]) + " " + class_name(f, f.labels[i]);
            if (f.targets[i] != f.labels[i]) c.caption2 = "explained: " + class_name(f, f.targets[i]);
            cells.push_back(std::move(c));
        }
        const std::string stem = (std::filesystem::path(folder) / safe_file_name(method)).string();
        draw_grid(cells, method + ": inputs (grey) with their maps (under each: dataset row, label)", is_signed,
                  stem + ".svg", force);
        for (const auto& p : figure_paths(stem)) written.push_back(p);
        // per-class mean maps, by the explained class
        std::int64_t classes = 0;
        for (auto t : f.targets) classes = std::max(classes, t + 1);
        std::vector<Cell> means;
        for (std::int64_t c = 0; c < classes; ++c) {
            Cell cell;
            std::size_t members = 0;
            for (std::size_t i = 0; i < n; ++i) {
                if (f.targets[i] != c) continue;
                auto m = flatten_channels(maps.data() + i * per, per_shape, cell.h, cell.w);
                if (cell.map.empty()) cell.map.assign(m.size(), 0);
                for (std::size_t k = 0; k < m.size(); ++k) cell.map[k] += m[k];
                ++members;
            }
            if (!members) continue;
            for (auto& v : cell.map) v /= float(members);
            cell.caption = class_name(f, c) + " (" + std::to_string(members) + ")";
            means.push_back(std::move(cell));
        }
        draw_grid(means, method + ": mean map per explained class (inputs in that class)", is_signed,
                  stem + "-class-means.svg", force);
        for (const auto& p : figure_paths(stem + "-class-means")) written.push_back(p);
    }
    return written;
}

}  // namespace actopo
