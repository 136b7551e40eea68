// The whole analysis of one store, and the per-layer summaries (entropy, modularity of the layer's graph).
#include <map>

#include "actopo/coactivation.hpp"

namespace actopo {

std::vector<LayerSummary> summarise_layers(const NodeTable& table, const CoactivationGraph& graph,
                                           const CoactivationOptions& options) {
    std::vector<LayerSummary> out;
    std::map<std::string, std::size_t> slot;
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < table.nodes.size(); ++i) {
        const auto& node = table.nodes[i];
        if (node.is_class()) continue;
        auto [it, fresh] = slot.emplace(node.layer, out.size());
        if (fresh) {
            out.push_back({});
            out.back().layer = node.layer;
            members.emplace_back();
        }
        members[it->second].push_back(i);
    }
    for (const auto& name : table.dropped) {
        const std::string layer = name.substr(0, name.rfind(':'));
        if (slot.count(layer)) ++out[slot[layer]].dropped;
    }
    for (std::size_t s = 0; s < out.size(); ++s) {
        auto& summary = out[s];
        summary.neurons = members[s].size();
        std::map<std::size_t, std::size_t> local;
        for (std::size_t k = 0; k < members[s].size(); ++k) {
            local[members[s][k]] = k;
            summary.mean_entropy_binary += graph.measures[members[s][k]].entropy_binary / static_cast<double>(summary.neurons);
            summary.mean_entropy_binned += graph.measures[members[s][k]].entropy_binned / static_cast<double>(summary.neurons);
        }
        std::vector<Edge> edges;
        for (const auto& e : graph.edges)
            if (local.count(e.source) && local.count(e.target)) edges.push_back({local[e.source], local[e.target], e.weight});
        summary.edges = edges.size();
        if (!edges.empty()) {
            if (options.restarts < 1) throw UserError("the community detection needs at least 1 restart");
            summary.restarts = options.restarts;
            for (std::size_t r = 0; r < options.restarts; ++r) {
                double q = 0;
                detect_communities(summary.neurons, edges, options.community, options.seed + r, &q);
                if (r == 0 || q > summary.modularity) summary.modularity = q, summary.best_seed = options.seed + r;
            }
        }
    }
    return out;
}

CoactivationResult analyse_store(const std::string& store_path, const CoactivationOptions& options) {
    StoreReader store(store_path);
    NodeTable table = load_nodes(store, options);
    const Eigen::MatrixXd corr = correlation_matrix(table.values, options.correlation);
    CoactivationResult result;
    result.graph = build_graph(table, corr, options);
    analyse_graph(result.graph, options);
    for (std::size_t i = 0; i < table.nodes.size(); ++i) {
        const Eigen::VectorXd column = table.values.col(static_cast<Eigen::Index>(i));
        result.graph.measures[i].entropy_binary = entropy_binary(column);
        result.graph.measures[i].entropy_binned = entropy_binned(column, options.entropy_bins);
    }
    result.layers = summarise_layers(table, result.graph, options);
    result.classes = class_similarity(table, corr, result.graph);
    result.dropped = table.dropped;
    return result;
}

}  // namespace actopo
