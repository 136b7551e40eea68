#pragma once
// Mapper graphs of a point cloud (Singh-Memoli-Carlsson; the TopoAct recipe of Purvine et al.):
//   lens     - a 1-D or 2-D value per point (norms, density, eccentricity, PCA, a neuron, the model's
//              prediction probability/margin, values from a file)
//   cover    - overlapping intervals (boxes in 2-D) of the lens range: uniform or balanced (quantile),
//              optionally over fixed bounds shared across layers
//   cluster  - DBSCAN (one eps for the layer from its k-NN distances) or single linkage (cut at the first
//              empty bin of the MST edge-length histogram, or at a given height) inside each cover set
//   nerve    - one node per cluster, an edge where two clusters share >= min_intersection points
//              (Jaccard weight); node and graph statistics; the class hierarchy the graph implies.
// Schema of the JSON output: docs/mapper.md.
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/metric.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"

namespace actopo::mapper {

// ------------------------------------------------------------------------------------------ lens
/// Lens values: n x dims (dims 1 or 2), row-major.
struct Lens {
    std::string name;             // "l2norm", "pca2", "neuron:3", ...
    std::size_t dims = 1;
    std::vector<double> values;   // n * dims
    std::size_t size() const { return dims ? values.size() / dims : 0; }
    double at(std::size_t i, std::size_t d) const { return values[i * dims + d]; }
};

struct LensInputs {
    const Matrix* logits = nullptr;   // n x C model outputs per point (needed by prediction/margin)
    Metric metric = Metric::euclidean;
    std::size_t knn_k = 5;            // k of the knn density lens ("knn:K" overrides)
};

/// spec: l2norm | l1norm | mean | max | knn[:K] | eccentricity | pca | pca2 | neuron:I | prediction |
///       margin | file:PATH (one line per point, 1 or 2 comma-separated values).
/// UserError on an unknown spec, a missing input, a wrong length or non-finite values.
Lens compute_lens(const std::string& spec, const PointCloud& cloud, const LensInputs& inputs);
/// Checks a lens given by the caller: n rows, finite, not constant. UserError naming `what` otherwise.
void validate_lens(const Lens& lens, std::size_t n, const std::string& what);

// ----------------------------------------------------------------------------------------- cover
enum class CoverKind { uniform, balanced };
CoverKind parse_cover(const std::string& name);  // "uniform" | "balanced"

struct CoverOptions {
    CoverKind kind = CoverKind::uniform;
    std::size_t intervals = 10;       // per lens dimension
    double overlap = 0.5;             // fraction of an interval shared with its neighbour, in (0, 1)
    bool fixed_bounds = false;        // use [lo, hi] (every lens dimension) instead of the data's range
    double lo = 0, hi = 0;
};

struct CoverSet {
    std::vector<std::size_t> cell;                   // interval index per lens dimension
    std::vector<std::pair<double, double>> box;      // lens interval per dimension
    std::vector<std::size_t> points;                 // rows of the cloud inside the box
};

struct Cover {
    std::vector<std::vector<std::pair<double, double>>> intervals;  // per lens dimension
    std::vector<CoverSet> sets;                                     // non-empty sets only
    std::size_t clamped = 0;  // points outside fixed bounds, assigned to the end intervals
};

/// Uniform: interval i of K over [lo, hi] has centre lo + (i + 1/2) (hi - lo) / K and length
/// (hi - lo) / (K (1 - overlap)) (the convention of KeplerMapper and GUDHI). Balanced: the same on the
/// ranks of the lens values, so each interval holds about the same number of points.
/// UserError on zero intervals, an overlap outside (0, 1), lo >= hi.
Cover build_cover(const Lens& lens, const CoverOptions& options);

// --------------------------------------------------------------------------------------- cluster
enum class ClustererKind { dbscan, single_linkage };
ClustererKind parse_clusterer(const std::string& name);  // "dbscan" | "single-linkage"

struct ClusterOptions {
    ClustererKind kind = ClustererKind::dbscan;
    Metric metric = Metric::euclidean;  // euclidean or cosine
    std::size_t min_samples = 5;        // DBSCAN: points (itself included) in an eps-ball of a core point
    double eps = 0;                     // > 0: fixed DBSCAN eps / single-linkage cut height (d <= eps joins)
    bool eps_per_set = false;           // eps = 0, DBSCAN: false (default) one eps for the whole cloud (layer_eps),
                                        // used in every cover set; true: the knee per cover set (TopoAct's recipe,
                                        // fragile: a thin noisy loop breaks into pieces, see docs/mapper.md)
    std::size_t knee_sample = 512;      // k-NN distances of at most this many points locate the knee
    std::size_t gap_bins = 10;          // single linkage: histogram bins of the MST edge lengths
    std::uint64_t seed = 0;
};

struct Clustering {
    std::vector<int> labels;  // per point of the set: cluster 0..count-1, or -1 (DBSCAN noise)
    int count = 0;
    double eps = 0;           // the eps / cut height used (in the metric's units)
};

/// Clusters rows `points` of `prepared` (rows made by actopo::prepare_rows for the metric).
Clustering cluster_points(const Matrix& prepared, const std::vector<std::size_t>& points,
                          const ClusterOptions& options);
/// The knee eps of a set of rows: the knee_or_median of the sorted (min_samples - 1)-th neighbour distances
/// of at most knee_sample seeded points of the set.
double knee_eps(const Matrix& prepared, const std::vector<std::size_t>& points, const ClusterOptions& options);
/// DBSCAN's default eps, one for the whole cloud and used in every cover set: the larger of
///   kLayerEpsFactor x the median (min_samples - 1)-th neighbour distance (the local scale), and
///   the median (kLayerEpsReach x (min_samples - 1))-th neighbour distance (when the cloud has more points),
/// both over a seeded sample of at most knee_sample points. The second makes an eps-ball at median density hold
/// about kLayerEpsReach times the points a core point needs whatever the data's intrinsic dimension, so a stretch
/// of a curve at half the median density stays connected; on clouds of higher dimension the first is the larger.
/// Chosen on noisy circles, figure-eights, Y-shapes and blobs in R^16 (docs/mapper.md); checked on held-out ones
/// by tests/mapper/test_default_eps.cpp.
constexpr double kLayerEpsFactor = 3.0;
constexpr std::size_t kLayerEpsReach = 10;
double layer_eps(const Matrix& prepared, const ClusterOptions& options);
/// Knee of an ascending curve (max distance below the chord, normalised); the median when the curve
/// has no knee (that distance < 0.05, or a constant curve).
double knee_or_median(const std::vector<double>& ascending);

// ----------------------------------------------------------------------------------------- graph
struct Node {
    std::size_t id = 0;
    std::size_t cover_set = 0;                 // index into Cover::sets
    std::vector<std::size_t> points;           // rows of the cloud (none in a graph read from a file)
    std::size_t size = 0;                      // how many rows: points.size() where built, "size" where read
    std::vector<std::int64_t> members;         // input ids of those rows
    std::vector<double> lens_mean;             // per lens dimension
    std::map<std::int64_t, std::size_t> classes;
    std::int64_t majority = -1;
    double purity = 0;                         // share of the majority class
    double misclassified = 0;                  // share of members whose prediction != label
    // back to the inputs (empty unless add_exemplars / add_attribution_means / colour_nodes filled them)
    std::vector<std::int64_t> exemplars;       // members nearest the node's centroid in the layer space
    std::vector<float> attribution_mean;       // mean attribution map of the members (Graph::attribution_shape)
    double color_value = std::nan("");         // the node's value of Graph::color_by
};

struct Link {
    std::size_t source = 0, target = 0, intersection = 0;
    double weight = 0;                         // Jaccard |A n B| / |A u B|
};

struct ClassSpread {
    std::int64_t label = 0;
    std::size_t points = 0, nodes = 0;         // points of the class in nodes; nodes holding it
    double entropy = 0;                        // normalised entropy of its distribution over nodes (0..1)
};

struct MapperOptions {
    std::string lens = "l2norm";
    CoverOptions cover;
    ClusterOptions cluster;
    std::size_t min_intersection = 1;
    unsigned threads = 0;                      // 0: hardware concurrency
};

struct Graph {
    std::vector<Node> nodes;
    std::vector<Link> links;
    Cover cover;
    std::vector<double> eps;                   // per cover set: the eps / cut height its clusterer used
    std::size_t components = 0, cycles = 0;    // cycles = E - V + C
    std::size_t noise = 0;                     // points in no node
    double mean_purity = 0;                    // size-weighted mean node purity
    std::vector<ClassSpread> spread;
    nlohmann::json meta;                       // input, layer, options, version
    std::vector<std::int64_t> attribution_shape;  // per-input shape of the attribution maps (add_attribution_means)
    std::string attribution_method;
    std::string color_by;                      // name of the per-input value the nodes are coloured by (colour_nodes)
    bool color_categorical = false;            // a class per input (label, prediction): the node's most common one
};

/// The whole pipeline on a cloud and a lens computed for it. UserError on bad options, a lens of the
/// wrong length, NaN, a constant lens, fewer points than min_samples.
Graph build_graph(const PointCloud& cloud, const Lens& lens, const MapperOptions& options);

// ------------------------------------------------------------------------------------- hierarchy
/// Classes a graph groups together: class a's distribution over nodes, smoothed one step along the
/// Jaccard-weighted edges, overlaps class b's by similarity = sum_v min(p_a(v), p_b(v)) in [0, 1].
/// The dendrogram merges classes by average linkage on 1 - similarity.
struct Dendrogram {
    std::vector<std::int64_t> classes;
    NamedMatrix similarity;
    struct Merge {
        int left = 0, right = 0;               // < classes.size(): a class index; else merge index + size
        double height = 0;                     // 1 - average similarity between the two groups
        std::vector<std::int64_t> members;     // classes of the merged group, ascending
    };
    std::vector<Merge> merges;
};
Dendrogram class_hierarchy(const Graph& graph);

/// Across the layers of a model (in order): for each merge of the last layer's dendrogram, the average
/// similarity of its two groups per layer, and the first layer from which it stays below `threshold`
/// (the layer where the groups split apart; null when they never do).
nlohmann::json hierarchy_across_layers(const std::vector<std::string>& layers,
                                       const std::vector<Dendrogram>& dendrograms, double threshold,
                                       const std::vector<std::string>& class_names);

// ---------------------------------------------------------------------------------------- output
/// "design.md" JSON: {meta, graph stats, nodes, links}.
nlohmann::json to_json(const Graph& graph, const std::vector<std::string>& class_names);
nlohmann::json to_json(const Dendrogram& dendrogram, const std::vector<std::string>& class_names);
std::string to_graphml(const Graph& graph);
/// Nodes as pie charts of classes (style=wedged), area proportional to size.
std::string to_dot(const Graph& graph, const std::vector<std::string>& class_names, const std::string& title);
/// A dendrogram drawn as a Graphviz tree (leaves = classes).
std::string dendrogram_dot(const Dendrogram& dendrogram, const std::vector<std::string>& class_names,
                           const std::string& title);
/// Node positions from Graphviz (neato): id -> (x, y) in points.
std::map<std::size_t, std::pair<double, double>> layout(const Graph& graph);
/// One self-contained HTML page: inline SVG + JS; hover a node for its statistics and examples;
/// colour by class, lens or misclassification. `thumbnails` maps input id -> 28x28 grey bytes (may be empty).
std::string to_html(const Graph& graph, const std::vector<std::string>& class_names, const std::string& title,
                    const std::map<std::int64_t, std::vector<std::uint8_t>>& thumbnails);

// ----------------------------------------------------------------------------- back to the inputs
/// A node of a Mapper graph file (to_json's format) and where the graph came from.
struct NodeRecord {
    std::size_t id = 0;
    std::vector<std::int64_t> members;  // input ids
    std::string store, layer;           // meta.input, meta.layer
};
/// UserError naming the file when it is not a Mapper graph or has no node `id` (saying the ids it has).
NodeRecord read_node(const std::string& graph_path, std::size_t id);
/// Whether parsed JSON is a Mapper graph file's (to_json's format: an object with "nodes" and "cover").
bool is_graph_json(const nlohmann::json& file);
/// A Mapper graph file (read by read_json_file) back as a graph for drawing: nodes (members, size, classes,
/// statistics), links, the graph statistics and meta; `class_names` from the file. The cloud's rows are not in
/// the file: the nodes' `points` stay empty. UserError naming `path` when a field is missing.
Graph read_graph(const nlohmann::json& file, const std::string& path, std::vector<std::string>* class_names);

/// A node's distinguishing units: with `units` one row per input (a layer's neurons, conv channels averaged over
/// space: sample_layer's avgpool over every input), z_u = (mean of unit u over the members - its mean over all
/// rows) / its standard deviation over all rows; the `k` units of largest z (most above their usual level),
/// descending, as (unit, z). Constant units are skipped. UserError when a member id is not among the rows.
std::vector<std::pair<std::int64_t, double>> distinguishing_units(const PointCloud& units,
                                                                  const std::vector<std::int64_t>& members, std::size_t k);

/// Each node's `k` exemplars: its distinct member inputs whose points lie nearest (Euclidean) to the centroid of
/// the node's points in `cloud` (the cloud the graph was built from), nearest first, ties by input id.
void add_exemplars(Graph& graph, const PointCloud& cloud, std::size_t k);
/// One method's maps of an attribution file (`actopo explain`), read once for any number of graphs.
struct AttributionMaps {
    std::string path, method;
    AttributionFile file;                         // the file's inputs, dataset and split
    std::vector<std::int64_t> shape;              // [N, per-input shape...]
    std::vector<float> maps;                      // N maps of the per-input shape, in file.index's order
};
/// `spec` is "file.h5" (its first method) or "file.h5:method" (as --attributions takes it); UserError naming the
/// file when it holds no attributions or not that method (saying the ones it has).
AttributionMaps read_attribution_maps(const std::string& spec);
/// Each node's mean attribution map over its members. UserError when a member has no map in the file (the graph
/// and the file were made from different inputs), naming the file and the input id.
void add_attribution_means(Graph& graph, const AttributionMaps& attributions);
/// Per-input values from a file: CSV with one value per line (line i: input id i) or lines "id,value" (an
/// optional header line is skipped), or NPY holding a 1-D array (float32/64, int32/64, bool; element i: input
/// id i). UserError naming the file and the line or type otherwise.
std::map<std::int64_t, double> read_input_values(const std::string& path);
/// Colours the nodes by a per-input value: each node gets the mean of its members' values, or with `categorical`
/// the most common value (ties: the smallest). UserError naming `name` and the first member without a value.
void colour_nodes(Graph& graph, const std::string& name, const std::map<std::int64_t, double>& values, bool categorical);

/// The name of a class: class_names[label] when there is a non-empty one, else the number.
std::string class_name(std::int64_t label, const std::vector<std::string>& class_names);
/// Class colours shared by the pictures and the page ("#1f77b4", ...).
std::string class_colour(std::int64_t label);

}  // namespace actopo::mapper
