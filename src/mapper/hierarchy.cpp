// The class hierarchy a Mapper graph implies: class similarity from shared nodes and edges, an
// average-linkage dendrogram per layer, and the layer where each group of classes splits apart.
#include <algorithm>
#include <set>

#include "actopo/core/algorithms.hpp"
#include "actopo/mapper.hpp"

namespace actopo::mapper {

namespace {


/// Average similarity between two groups of classes in a dendrogram's similarity matrix; -1 when a class
/// of a group does not occur in that layer's graph.
double group_similarity(const Dendrogram& d, const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
    auto index = [&](std::int64_t c) -> long {
        auto it = std::find(d.classes.begin(), d.classes.end(), c);
        return it == d.classes.end() ? -1 : long(it - d.classes.begin());
    };
    double sum = 0;
    for (auto x : a)
        for (auto y : b) {
            long i = index(x), j = index(y);
            if (i < 0 || j < 0) return -1;
            sum += d.similarity.at(std::size_t(i), std::size_t(j));
        }
    return sum / double(a.size() * b.size());
}

}  // namespace

Dendrogram class_hierarchy(const Graph& g) {
    Dendrogram d;
    for (const auto& s : g.spread) d.classes.push_back(s.label);
    const std::size_t c = d.classes.size(), v = g.nodes.size();
    // p[k][node]: class k's distribution over nodes, smoothed one step along the weighted edges
    std::vector<std::vector<double>> p(c, std::vector<double>(v, 0.0));
    for (std::size_t k = 0; k < c; ++k) {
        std::vector<double> raw(v, 0.0);
        for (const auto& node : g.nodes) {
            auto it = node.classes.find(d.classes[k]);
            if (it != node.classes.end()) raw[node.id] = double(it->second);
        }
        p[k] = raw;
        for (const auto& l : g.links) {
            p[k][l.source] += l.weight * raw[l.target];
            p[k][l.target] += l.weight * raw[l.source];
        }
        double total = 0;
        for (double x : p[k]) total += x;
        for (double& x : p[k]) x = total > 0 ? x / total : 0.0;
    }
    d.similarity.row_names.resize(c);
    for (std::size_t k = 0; k < c; ++k) d.similarity.row_names[k] = std::to_string(d.classes[k]);
    d.similarity.col_names = d.similarity.row_names;
    d.similarity.values.assign(c * c, 0.0);
    for (std::size_t a = 0; a < c; ++a)
        for (std::size_t b = 0; b < c; ++b) {
            double s = 0;
            for (std::size_t x = 0; x < v; ++x) s += std::min(p[a][x], p[b][x]);
            d.similarity.at(a, b) = s;
        }

    // average linkage (UPGMA) on 1 - similarity
    std::vector<double> dissimilarity(c * c);
    for (std::size_t k = 0; k < c * c; ++k) dissimilarity[k] = 1.0 - d.similarity.values[k];
    for (const auto& m : average_linkage(dissimilarity, c)) {
        Dendrogram::Merge merge;
        merge.left = int(m.left);
        merge.right = int(m.right);
        merge.height = m.height;
        for (auto k : m.members) merge.members.push_back(d.classes[k]);
        std::sort(merge.members.begin(), merge.members.end());
        d.merges.push_back(merge);
    }
    return d;
}

nlohmann::json hierarchy_across_layers(const std::vector<std::string>& layers,
                                       const std::vector<Dendrogram>& dendrograms, double threshold,
                                       const std::vector<std::string>& class_names) {
    nlohmann::json out;
    out["meta"] = {{"layers", layers}, {"split_threshold", threshold}, {"actopo_version", version()},
                   {"similarity", "sum over nodes of min(p_a, p_b), class distributions over nodes smoothed "
                                  "one step along Jaccard-weighted edges"}};
    out["layers"] = nlohmann::json::array();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        auto j = to_json(dendrograms[l], class_names);
        j["layer"] = layers[l];
        out["layers"].push_back(j);
    }
    out["splits"] = nlohmann::json::array();
    if (dendrograms.empty()) return out;
    const Dendrogram& last = dendrograms.back();
    auto members = [&](int id) {
        if (id < int(last.classes.size())) return std::vector<std::int64_t>{last.classes[std::size_t(id)]};
        return last.merges[std::size_t(id) - last.classes.size()].members;
    };
    for (auto it = last.merges.rbegin(); it != last.merges.rend(); ++it) {  // the coarsest split first
        auto a = members(it->left), b = members(it->right);
        nlohmann::json split;
        auto names = [&](const std::vector<std::int64_t>& g) {
            std::vector<std::string> s;
            for (auto c : g) s.push_back(class_name(c, class_names));
            return s;
        };
        split["groups"] = nlohmann::json::array({a, b});
        split["group_names"] = nlohmann::json::array({names(a), names(b)});  // not {..}: two pairs of strings would make an object
        split["similarity"] = nlohmann::json::object();
        nlohmann::json split_layer = nullptr;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            double s = group_similarity(dendrograms[l], a, b);
            split["similarity"][layers[l]] = s < 0 ? nlohmann::json(nullptr) : nlohmann::json(s);
            if (s >= 0 && s < threshold) {
                if (split_layer.is_null()) split_layer = layers[l];
            } else {
                split_layer = nullptr;  // together again (or absent) in a later layer
            }
        }
        split["split_layer"] = split_layer;
        out["splits"].push_back(split);
    }
    return out;
}

}  // namespace actopo::mapper
