#pragma once
// Co-activation graphs (Horta et al. 2021) and neuron communities and entropy (Mostafa and Mondal 2021).
//   Nodes: the neurons of chosen layers (a conv channel is one neuron, its map averaged over space) and one
//   node per output class (the class's logit). Edge weight: Spearman (average ranks for ties) or Pearson
//   correlation of two nodes' values over the inputs, kept when |r| >= threshold (absolute) or r >= threshold
//   (signed); within-layer and/or between-layer edges (class nodes form the layer "classes").
//   Constant neurons (zero variance over the inputs, e.g. dead ReLUs) have no correlation: they are dropped
//   and named in `NodeTable::dropped` (the command prints them as a warning); a layer left empty is an error.
//   Communities: Louvain or Leiden (modularity objective), seeded; Newman's weighted modularity on |r|.
//   Centralities on |r|: strength, PageRank, eigenvector; betweenness treats 1 - |r| as the edge length.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "actopo/core.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"

namespace actopo {

enum class Correlation { spearman, pearson };
Correlation parse_correlation(const std::string& name);  // "spearman" | "pearson"
enum class CommunityMethod { louvain, leiden };
CommunityMethod parse_community_method(const std::string& name);  // "louvain" | "leiden"

struct CoactivationOptions {
    std::vector<std::string> layers;  // empty: every layer of the store
    Correlation correlation = Correlation::spearman;
    double threshold = 0.5;
    bool absolute = true;             // keep |r| >= threshold; false: keep r >= threshold
    bool within = true, between = true;
    bool class_nodes = true;
    CommunityMethod community = CommunityMethod::louvain;
    std::uint64_t seed = 0;
    std::size_t points = 0;           // 0: every input; else a seeded subset (of the points, with tokens)
    Sampling sampling = Sampling::avgpool;  // a layer's values per input (tokens: per token; docs/sampling.md)
    std::size_t entropy_bins = 10;
    std::size_t restarts = 10;        // per-layer modularity: the best of this many seeded runs (seed, seed+1, ...)
};

struct NodeInfo {
    std::string layer;                // module path, or "classes" for a class node
    std::int64_t unit = -1;           // neuron index in its layer (-1 for a class node)
    std::int64_t cls = -1;            // class index (-1 for a neuron)
    std::string name;                 // "layer:unit" or the class name
    bool is_class() const { return cls >= 0; }
};

/// The nodes and their values over the inputs (column j = node j).
struct NodeTable {
    std::vector<NodeInfo> nodes;
    Eigen::MatrixXd values;           // inputs x nodes
    std::vector<std::string> dropped; // constant neurons removed, "layer:unit"
    std::vector<std::int64_t> labels, predictions;
    std::vector<std::string> class_names;
};

/// Reads the nodes of a store. UserError for a missing layer, NaN (naming layer and neuron), a layer whose
/// neurons are all constant, fewer than 3 inputs, or (with class nodes) fewer than 2 classes.
NodeTable load_nodes(const StoreReader& store, const CoactivationOptions& options);
/// Drops constant columns of `table` (recording them in `dropped`); UserError when a layer is left empty.
void drop_constant_nodes(NodeTable& table);

/// Node x node correlation matrix of the columns, as matrix products. Columns must not be constant.
Eigen::MatrixXd correlation_matrix(const Eigen::MatrixXd& values, Correlation kind);

struct Edge {
    std::size_t source, target;       // source < target
    double weight;                    // the correlation (signed)
};

struct NodeMeasures {
    std::int64_t community = -1;
    double strength = 0, pagerank = 0, betweenness = 0, eigenvector = 0;
    double entropy_binary = 0, entropy_binned = 0;  // bits (class nodes: of the logit)
};

struct CoactivationGraph {
    std::vector<NodeInfo> nodes;
    std::vector<Edge> edges;
    std::vector<NodeMeasures> measures;
    double modularity = 0;
    std::size_t communities = 0;
};

/// Keeps the edges the options ask for. UserError when no edge passes the threshold (naming the largest |r|).
CoactivationGraph build_graph(const NodeTable& table, const Eigen::MatrixXd& corr, const CoactivationOptions& options);
/// Communities (membership, modularity) and centralities, written into graph.measures.
void analyse_graph(CoactivationGraph& graph, const CoactivationOptions& options);
/// Community detection on an edge list with non-negative weights; returns the membership of each node.
std::vector<std::int64_t> detect_communities(std::size_t nodes, const std::vector<Edge>& edges, CommunityMethod method,
                                             std::uint64_t seed, double* modularity);
/// PageRank with weights |w| (power iteration; a node without edges spreads its rank over all nodes), deterministic:
/// the same values to the last bit on every run, which igraph's PRPACK (OpenMP) is not.
std::vector<double> pagerank(std::size_t nodes, const std::vector<Edge>& edges, double damping = 0.85);
/// Newman's weighted modularity of a partition (weights |w|).
double modularity(std::size_t nodes, const std::vector<Edge>& edges, const std::vector<std::int64_t>& membership);

/// Shannon entropy (bits) of a neuron's on/off pattern (on: value > 0).
double entropy_binary(const Eigen::VectorXd& values);
/// Shannon entropy (bits) of the values in `bins` equal-width bins between their min and max.
double entropy_binned(const Eigen::VectorXd& values, std::size_t bins);

struct LayerSummary {
    std::string layer;
    std::size_t neurons = 0, dropped = 0, edges = 0;
    double mean_entropy_binary = 0, mean_entropy_binned = 0;
    double modularity = 0;            // best partition of the layer's own graph (0 without edges)
    std::size_t restarts = 0;         // seeded community runs the best was taken from
    std::uint64_t best_seed = 0;      // the seed of the best run
};

struct ClassSimilarity {
    std::vector<std::vector<std::string>> groups;  // class names per community holding classes
    NamedMatrix coactivation;         // class x class correlation of the logits
    NamedMatrix confusion;            // true (rows) x predicted (cols) counts
    NamedMatrix profile;              // class x class Pearson correlation of the classes' correlations with the neurons
    double spearman_with_confusion = 0;  // class co-activation vs (C_ij + C_ji), over pairs i < j
    double profile_spearman_with_confusion = 0;  // the same for the neuron profiles
    double accuracy = 0;
};

struct CoactivationResult {
    CoactivationGraph graph;
    std::vector<LayerSummary> layers;
    ClassSimilarity classes;
    std::vector<std::string> dropped;
};

/// The whole analysis of one store.
CoactivationResult analyse_store(const std::string& store_path, const CoactivationOptions& options);
/// Per layer: neurons kept and dropped, within-layer edges, mean entropies (from graph.measures), and the
/// modularity of the best partition of the layer's own graph: the highest over options.restarts seeded runs
/// (seeds options.seed, options.seed + 1, ...; the first of equal values wins).
std::vector<LayerSummary> summarise_layers(const NodeTable& table, const CoactivationGraph& graph,
                                           const CoactivationOptions& options);
ClassSimilarity class_similarity(const NodeTable& table, const Eigen::MatrixXd& corr, const CoactivationGraph& graph);

/// Outputs: JSON (design.md graph format), GraphML, DOT (communities coloured), and a picture rendered by
/// Graphviz sfdp (.svg or .png, drawing at most `max_edges` strongest edges).
std::string graph_json(const CoactivationResult& result, const std::string& meta_json);
std::string graph_graphml(const CoactivationGraph& graph);
std::string graph_dot(const CoactivationGraph& graph, std::size_t max_edges);
void render_graph(const CoactivationGraph& graph, const std::string& path, std::size_t max_edges, bool force);
/// One community of a co-activation graph file (graph_json's format): its neurons by layer and its classes.
struct CommunityRecord {
    std::map<std::string, std::vector<std::int64_t>> units;  // layer -> units (ascending)
    std::vector<std::int64_t> classes;                       // the class nodes in it
    std::vector<std::string> class_names;                    // their names
    std::string store;                                       // meta.input: the store the graph was made from
};
/// UserError naming the file when it is not a co-activation graph, or when it has no community `id` or no neuron
/// in it (naming the communities it has).
CommunityRecord read_community(const std::string& graph_path, std::int64_t id);

/// The `top` nodes by each centrality, as "measure,rank,node,layer,value" CSV.
std::string top_nodes_csv(const CoactivationGraph& graph, std::size_t top);

}  // namespace actopo
