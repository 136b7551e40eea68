// Class similarity: classes sharing communities, class co-activation, and its agreement with the confusion matrix.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "actopo/coactivation.hpp"
#include "actopo/similarity.hpp"

namespace actopo {

ClassSimilarity class_similarity(const NodeTable& table, const Eigen::MatrixXd& corr, const CoactivationGraph& graph) {
    ClassSimilarity out;
    std::vector<std::size_t> class_nodes;
    for (std::size_t i = 0; i < table.nodes.size(); ++i)
        if (table.nodes[i].is_class()) class_nodes.push_back(i);
    const std::set<std::int64_t> seen(table.labels.begin(), table.labels.end());
    if (seen.size() < 2)
        throw UserError("the inputs hold a single class (" + (seen.empty() ? std::string("none") : std::to_string(*seen.begin())) +
                        "); class similarity needs inputs of at least 2 classes");
    std::size_t correct = 0;
    for (std::size_t i = 0; i < table.labels.size(); ++i) correct += table.labels[i] == table.predictions[i];
    out.accuracy = static_cast<double>(correct) / static_cast<double>(table.labels.size());
    if (class_nodes.empty()) return out;

    std::map<std::int64_t, std::vector<std::string>> by_community;
    for (std::size_t i : class_nodes) by_community[graph.measures[i].community].push_back(table.nodes[i].name);
    for (auto& [community, names] : by_community) out.groups.push_back(names);

    const std::size_t c = class_nodes.size();
    for (std::size_t i : class_nodes) out.coactivation.row_names.push_back(table.nodes[i].name);
    out.coactivation.col_names = out.coactivation.row_names;
    out.coactivation.values.resize(c * c);
    out.confusion.row_names = out.confusion.col_names = out.coactivation.row_names;
    out.confusion.values.assign(c * c, 0.0);
    for (std::size_t a = 0; a < c; ++a)
        for (std::size_t b = 0; b < c; ++b)
            out.coactivation.at(a, b) = corr(static_cast<Eigen::Index>(class_nodes[a]), static_cast<Eigen::Index>(class_nodes[b]));
    for (std::size_t i = 0; i < table.labels.size(); ++i) {
        const auto t = table.labels[i], p = table.predictions[i];
        if (t < 0 || p < 0 || static_cast<std::size_t>(t) >= c || static_cast<std::size_t>(p) >= c)
            throw UserError("label " + std::to_string(t) + " or prediction " + std::to_string(p) + " is outside the " +
                            std::to_string(c) + " classes of /inputs/logits");
        out.confusion.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p)) += 1.0;
    }
    std::vector<double> co, conf;
    for (std::size_t b = 1; b < c; ++b)
        for (std::size_t a = 0; a < b; ++a) {
            co.push_back(out.coactivation.at(a, b));
            conf.push_back(out.confusion.at(a, b) + out.confusion.at(b, a));
        }
    out.spearman_with_confusion =
        co.size() < 2 ? std::numeric_limits<double>::quiet_NaN()
                      : spearman(Eigen::Map<Eigen::VectorXd>(co.data(), static_cast<Eigen::Index>(co.size())),
                                 Eigen::Map<Eigen::VectorXd>(conf.data(), static_cast<Eigen::Index>(conf.size())));
    return out;
}

}  // namespace actopo
