// Store -> node table: neurons (conv channels averaged over space) and class logits, constant nodes dropped.
#include <cmath>
#include <map>

#include "actopo/coactivation.hpp"
#include "actopo/sample.hpp"

namespace actopo {

Correlation parse_correlation(const std::string& name) {
    if (name == "spearman") return Correlation::spearman;
    if (name == "pearson") return Correlation::pearson;
    throw UserError("unknown correlation '" + name + "'; expected spearman or pearson");
}

CommunityMethod parse_community_method(const std::string& name) {
    if (name == "louvain") return CommunityMethod::louvain;
    if (name == "leiden") return CommunityMethod::leiden;
    throw UserError("unknown community method '" + name + "'; expected louvain or leiden");
}

NodeTable load_nodes(const StoreReader& store, const CoactivationOptions& options) {
    const std::vector<std::string> layers = options.layers.empty() ? store.layer_names() : options.layers;
    if (layers.empty()) throw UserError(store.path() + ": the store has no layers");
    if (store.size() < 3)
        throw UserError(store.path() + ": " + std::to_string(store.size()) + " inputs; correlations need at least 3");
    SampleOptions sampling;
    sampling.method = options.sampling;
    sampling.points = options.points < store.size() ? options.points : 0;
    sampling.seed = options.seed;

    NodeTable table;
    std::vector<Matrix> blocks;
    std::vector<std::int64_t> ids;
    std::size_t total = 0;
    for (const auto& layer : layers) {
        PointCloud cloud = sample_layer(store, layer, sampling);
        if (!blocks.empty() && cloud.input_ids != ids)
            throw UserError(store.path() + ": layer '" + layer + "' was sampled on different inputs than '" +
                            layers.front() + "'");
        ids = cloud.input_ids;
        table.labels = cloud.labels;
        table.predictions = cloud.predictions;
        for (std::size_t u = 0; u < cloud.points.cols; ++u)
            table.nodes.push_back({layer, static_cast<std::int64_t>(u), -1, layer + ":" + std::to_string(u)});
        total += cloud.points.cols;
        blocks.push_back(std::move(cloud.points));
    }
    table.class_names = store.info().class_names;
    Matrix logits;
    if (options.class_nodes) {
        logits = store.logits();
        if (logits.cols < 2)
            throw UserError(store.path() + ": /inputs/logits has " + std::to_string(logits.cols) +
                            " classes; class nodes need at least 2 (or use --no-classes)");
        for (std::size_t c = 0; c < logits.cols; ++c) {
            const std::string name = c < table.class_names.size() ? table.class_names[c] : "class " + std::to_string(c);
            table.nodes.push_back({"classes", -1, static_cast<std::int64_t>(c), name});
        }
        total += logits.cols;
    }
    const std::size_t n = ids.size();
    table.values.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(total));
    Eigen::Index col = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t u = 0; u < blocks[b].cols; ++u) table.values(i, col + u) = blocks[b](i, u);
        col += static_cast<Eigen::Index>(blocks[b].cols);
    }
    if (options.class_nodes) {
        // The subset's rows are inputs by position in the store: map input ids back to rows.
        const std::vector<std::int64_t> all_ids = store.index();
        std::map<std::int64_t, std::size_t> row_of;
        for (std::size_t r = 0; r < all_ids.size(); ++r) row_of.emplace(all_ids[r], r);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t r = row_of.at(ids[i]);
            for (std::size_t c = 0; c < logits.cols; ++c) table.values(i, col + c) = logits(r, c);
        }
    }
    for (Eigen::Index j = 0; j < table.values.cols(); ++j)
        for (Eigen::Index i = 0; i < table.values.rows(); ++i)
            if (!std::isfinite(table.values(i, j)))
                throw UserError(store.path() + ": node '" + table.nodes[j].name + "' has a non-finite value (input " +
                                std::to_string(ids[i]) + "); re-extract or choose other layers");
    drop_constant_nodes(table);
    return table;
}

void drop_constant_nodes(NodeTable& table) {
    std::vector<Eigen::Index> keep;
    std::map<std::string, std::size_t> kept_per_layer;
    for (Eigen::Index j = 0; j < table.values.cols(); ++j) {
        const auto& node = table.nodes[static_cast<std::size_t>(j)];
        kept_per_layer.emplace(node.layer, 0);
        const auto column = table.values.col(j);
        if ((column.array() == column[0]).all()) {
            if (node.is_class())
                throw UserError("class node '" + node.name + "' has the same logit for every input; the class has no signal");
            table.dropped.push_back(node.name);
        } else {
            keep.push_back(j);
            ++kept_per_layer[node.layer];
        }
    }
    for (const auto& [layer, kept] : kept_per_layer)
        if (kept == 0)
            throw UserError("every neuron of layer '" + layer + "' is constant over the inputs; nothing to correlate");
    if (keep.size() == static_cast<std::size_t>(table.values.cols())) return;
    Eigen::MatrixXd values(table.values.rows(), static_cast<Eigen::Index>(keep.size()));
    std::vector<NodeInfo> nodes;
    for (std::size_t k = 0; k < keep.size(); ++k) {
        values.col(static_cast<Eigen::Index>(k)) = table.values.col(keep[k]);
        nodes.push_back(table.nodes[static_cast<std::size_t>(keep[k])]);
    }
    table.values = std::move(values);
    table.nodes = std::move(nodes);
}

}  // namespace actopo
