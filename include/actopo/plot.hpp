#pragma once
// Figures drawn with Cairo, each written as SVG and PNG side by side, atomically (temporary name, then
// rename), refusing to overwrite unless `force`. `path` may end in .svg or .png or have no extension:
// "out/matrix" or "out/matrix.svg" both write out/matrix.svg and out/matrix.png.
//   write_heatmap          - a NamedMatrix with row/column names and a labelled colour bar
//   write_heatmap_grid     - several heatmaps side by side (one colour scale each)
//   write_chart            - line or bar chart of named series (benchmarks, Betti curves)
//   write_diagram_plot     - persistence diagram (birth vs death, one colour per dimension) and barcode
//   write_image_grid       - small images (activation maximisation, filters, activation maps) in a titled grid
// and graphs drawn by Graphviz's programs (dot, neato, sfdp; the DOT text on their stdin):
//   render_graphviz        - lays out and draws DOT to a .svg, .png or .pdf file, atomically
//   graphviz_text          - the engine's text output (format "plain": node positions)
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/diagrams.hpp"

namespace actopo {

/// The two files a figure at `path` is written to: {stem.svg, stem.png}.
std::vector<std::string> figure_paths(const std::string& path);

/// What a heatmap's values mean. Every matrix shows "alike" the same way: bright (yellow) for a high similarity
/// and for a small distance, dark for the opposite.
enum class MatrixMeaning { other, similarity, distance };
/// By the diagonal: about 1 with no value above 1 is a similarity (CKA, SVCCA, RSA), about 0 a distance.
MatrixMeaning guess_meaning(const NamedMatrix& m);
struct HeatmapStyle {
    MatrixMeaning meaning = MatrixMeaning::other;
    std::string value_label;  // beside the colour bar, e.g. "linear CKA (1 = same representation)"
};

/// Rows and columns named "model:layer" get a white line between models.
void write_heatmap(const NamedMatrix& m, const std::string& path, const std::string& title, bool force,
                   const HeatmapStyle& style = {});

struct TitledMatrix {
    std::string title;
    NamedMatrix matrix;
    HeatmapStyle style = {};
};
void write_heatmap_grid(const std::vector<TitledMatrix>& panels, const std::string& path, const std::string& title,
                        bool force);

struct Series {
    std::string name;
    std::vector<double> y;  // one value per category / x; non-finite values are left out
    std::vector<double> x = {};  // line chart: this series' own x (empty: the chart's)
};
struct ChartOptions {
    std::string title, x_label, y_label;
    std::vector<std::string> categories;  // one label per value: under each bar, or under each x of a line chart
    std::vector<double> x;                // line chart: x of each value (empty: 0, 1, 2, ...)
    bool bars = false;
    bool log_y = false;
    bool markers = false;  // line chart: a dot at every value
};
void write_chart(const std::vector<Series>& series, const ChartOptions& options, const std::string& path, bool force);

/// Left: the persistence diagram (essential classes on a dashed "inf" line above the rest);
/// right: the barcode, one bar per interval grouped by dimension.
void write_diagram_plot(const Diagrams& diagrams, const std::string& path, const std::string& title, bool force);

/// How a tile's values become colours: grey (1 channel) or RGB (3 channels) from [lo, hi]; heat: a sequential
/// colour map from [lo, hi]; diverging: blue - white - red from [-hi, hi].
enum class TilePaint { grey, heat, diverging };
/// One tile of an image grid: an image [C, H, W] (C = 1, or 3 for RGB), drawn with nearest-neighbour scaling.
struct ImageTile {
    std::vector<float> values;  // C * H * W
    std::size_t channels = 1, height = 0, width = 0;
    TilePaint paint = TilePaint::grey;
    double lo = 0, hi = 0;      // the value range shown; lo >= hi: the tile's own range (diverging: its own max |v|)
    std::string caption, caption2;  // up to two lines under the tile
};
struct ImageGridStyle {
    std::string title;          // bold, at the top
    std::string note;           // one line at the bottom (what the colours mean)
    std::size_t columns = 8;    // tiles per row
    double cell = 72;           // tile size in points
};
void write_image_grid(const std::vector<ImageTile>& tiles, const ImageGridStyle& style, const std::string& path,
                      bool force);
/// The H1 loops (Representative::cycle, longest first; up to 6 drawn) on 2-D coordinates of the points `xy`
/// (n x 2, e.g. PCA), the points coloured by `labels`; beside each loop its interval, summary and thumbnails
/// of inputs on it (`thumbnails`: input id -> 28x28 grey bytes, may be empty).
void write_loops_plot(const Matrix& xy, const std::vector<std::int64_t>& labels, const std::vector<Representative>& loops,
                      const std::map<std::int64_t, std::vector<std::uint8_t>>& thumbnails, const std::string& path,
                      const std::string& title, bool force);

/// Draws the pictures of an attribution file (actopo explain; read_attribution_file in actopo/store.hpp) into
/// `folder`: per method a grid of the first `count` inputs (read from the file's dataset when it opens) with their
/// maps overlaid, and per-class mean maps. Returns the files written.
std::vector<std::string> draw_attribution_pictures(const std::string& attributions, const std::string& folder,
                                                   std::size_t count, bool force);

/// Graphviz `engine` (dot, neato or sfdp) draws `dot` into `path` (.svg, .png or .pdf by its extension).
/// UserError for an unknown engine or extension or when Graphviz refuses the graph; EnvironmentError when
/// the engine is not installed (Debian's graphviz).
void render_graphviz(const std::string& dot, const std::string& engine, const std::string& path, bool force);
/// The same as a figure pair, figure_paths(path): SVG and PNG, each under a temporary name, both renamed only once
/// both are drawn (a refusal or a failure leaves neither file touched). Returns the two paths.
std::vector<std::string> render_graphviz_figure(const std::string& dot, const std::string& engine, const std::string& path,
                                                bool force);
/// What `engine` prints for `dot` in `format` (e.g. "plain").
std::string graphviz_text(const std::string& dot, const std::string& engine, const std::string& format);

}  // namespace actopo
