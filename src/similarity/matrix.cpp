// The layer x layer similarity matrix, with checks that name the layer at fault.
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "actopo/similarity.hpp"

namespace actopo {

namespace {
void check_layer(const LayerData& layer) {
    if (!layer.values.allFinite()) throw UserError("layer '" + layer.name + "' has NaN or infinite activations");
    if (layer.values.rows() < 4)
        throw UserError("layer '" + layer.name + "' has " + std::to_string(layer.values.rows()) +
                        " inputs; similarity needs at least 4");
    const Eigen::RowVectorXd mean = layer.values.colwise().mean();
    if ((layer.values.rowwise() - mean).squaredNorm() == 0.0)
        throw UserError("layer '" + layer.name + "' is constant over the inputs (zero variance); no similarity is defined");
}

/// b's rows in the order of a's input ids (other than b's); UserError when the two do not hold the same ids.
LayerMatrix aligned_to(const LayerData& a, const LayerData& b) {
    auto mismatch = [&](const std::string& why) {
        return UserError("layers '" + a.name + "' (" + std::to_string(a.values.rows()) + " inputs) and '" + b.name +
                         "' (" + std::to_string(b.values.rows()) + " inputs) were not seen on the same inputs: " + why +
                         "; extract both on the same dataset split (rows are matched by /inputs/index)");
    };
    if (a.input_ids.size() != b.input_ids.size() || std::size_t(b.values.rows()) != b.input_ids.size())
        throw mismatch("different numbers of inputs");
    std::unordered_map<std::int64_t, Eigen::Index> row_of;
    for (std::size_t i = 0; i < b.input_ids.size(); ++i)
        if (!row_of.emplace(b.input_ids[i], Eigen::Index(i)).second)
            throw mismatch("input id " + std::to_string(b.input_ids[i]) + " occurs twice in '" + b.name + "'");
    LayerMatrix out(b.values.rows(), b.values.cols());
    std::unordered_set<std::int64_t> seen;
    for (std::size_t i = 0; i < a.input_ids.size(); ++i) {
        auto it = row_of.find(a.input_ids[i]);
        if (it == row_of.end()) throw mismatch("input id " + std::to_string(a.input_ids[i]) + " is missing from '" + b.name + "'");
        if (!seen.insert(a.input_ids[i]).second)
            throw mismatch("input id " + std::to_string(a.input_ids[i]) + " occurs twice in '" + a.name + "'");
        out.row(Eigen::Index(i)) = b.values.row(it->second);
    }
    return out;
}
}  // namespace

NamedMatrix similarity_matrix(const std::vector<LayerData>& rows, const std::vector<LayerData>& cols,
                              SimilarityMetric metric, std::vector<std::string>* warnings) {
    for (const auto& l : rows) check_layer(l);
    for (const auto& l : cols) check_layer(l);
    if (rows.empty() || cols.empty()) throw UserError("similarity: no layers to compare");
    if (metric == SimilarityMetric::svcca) {  // CCA over k ~ N dimensions correlates anything
        std::vector<const LayerData*> all;
        for (const auto& l : rows) all.push_back(&l);
        for (const auto& l : cols) all.push_back(&l);
        std::unordered_set<std::string> warned;
        for (const auto* l : all) {
            const std::size_t k = svcca_kept_dimensions(l->values), n = std::size_t(l->values.rows());
            if (double(k) > kSvccaShareWarning * double(n) && warned.insert(l->name).second && warnings) {
                char share[16];
                std::snprintf(share, sizeof share, "%.0f", 100.0 * double(k) / double(n));
                warnings->push_back("svcca: layer '" + l->name + "' keeps " + std::to_string(k) + " dimensions over " +
                                    std::to_string(n) + " inputs (" + share +
                                    " %); canonical correlations are biased towards 1 when the dimensions are a large "
                                    "share of the inputs (use more --points)");
            }
        }
    }
    NamedMatrix m;
    for (const auto& l : rows) m.row_names.push_back(l.name);
    for (const auto& l : cols) m.col_names.push_back(l.name);
    m.values.assign(rows.size() * cols.size(), 0.0);
    Progress progress("similarity " + similarity_metric_name(metric), rows.size() * cols.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t j = 0; j < cols.size(); ++j) {
            throw_if_cancelled();
            const LayerData &a = rows[i], &b = cols[j];
            const double v = a.input_ids == b.input_ids ? similarity(metric, a.values, b.values)
                                                        : similarity(metric, a.values, aligned_to(a, b));
            if (std::isnan(v))
                throw UserError(similarity_metric_name(metric) + " is undefined for layers '" + a.name + "' and '" +
                                b.name + "' (a degenerate layer)");
            m.at(i, j) = v;
            progress.advance();
        }
    }
    progress.finish();
    return m;
}

}  // namespace actopo
