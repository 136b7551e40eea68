// Class similarity: classes sharing communities, class co-activation, and its agreement with the confusion matrix.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "actopo/coactivation.hpp"
#include "actopo/similarity.hpp"

namespace actopo {
namespace {
// Spearman over class pairs i < j of a class x class matrix against the symmetrised confusion C_ij + C_ji.
double agreement_with_confusion(const NamedMatrix& m, const NamedMatrix& confusion) {
    const std::size_t c = m.row_names.size();
    std::vector<double> x, y;
    for (std::size_t b = 1; b < c; ++b)
        for (std::size_t a = 0; a < b; ++a) {
            x.push_back(m.at(a, b));
            y.push_back(confusion.at(a, b) + confusion.at(b, a));
        }
    if (x.size() < 2) return std::numeric_limits<double>::quiet_NaN();
    return spearman(Eigen::Map<Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size())),
                    Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())));
}
}  // namespace

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
    // Neuron profiles: each class's correlations with every neuron, compared between classes.
    std::vector<Eigen::Index> neurons;
    for (std::size_t i = 0; i < table.nodes.size(); ++i)
        if (!table.nodes[i].is_class()) neurons.push_back(static_cast<Eigen::Index>(i));
    out.profile = out.coactivation;
    for (std::size_t a = 0; a < c; ++a)
        for (std::size_t b = 0; b < c; ++b) {
            Eigen::VectorXd pa(static_cast<Eigen::Index>(neurons.size())), pb(pa.size());
            for (std::size_t k = 0; k < neurons.size(); ++k) {
                pa[static_cast<Eigen::Index>(k)] = corr(static_cast<Eigen::Index>(class_nodes[a]), neurons[k]);
                pb[static_cast<Eigen::Index>(k)] = corr(static_cast<Eigen::Index>(class_nodes[b]), neurons[k]);
            }
            out.profile.at(a, b) = pearson(pa, pb);
        }
    out.spearman_with_confusion = agreement_with_confusion(out.coactivation, out.confusion);
    out.profile_spearman_with_confusion = agreement_with_confusion(out.profile, out.confusion);
    return out;
}

}  // namespace actopo
