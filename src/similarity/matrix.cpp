// The layer x layer similarity matrix, with checks that name the layer at fault.
#include <cmath>

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
}  // namespace

NamedMatrix similarity_matrix(const std::vector<LayerData>& rows, const std::vector<LayerData>& cols,
                              SimilarityMetric metric) {
    for (const auto& l : rows) check_layer(l);
    for (const auto& l : cols) check_layer(l);
    NamedMatrix m;
    for (const auto& l : rows) m.row_names.push_back(l.name);
    for (const auto& l : cols) m.col_names.push_back(l.name);
    m.values.assign(rows.size() * cols.size(), 0.0);
    Progress progress("similarity " + similarity_metric_name(metric), rows.size() * cols.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t j = 0; j < cols.size(); ++j) {
            throw_if_cancelled();
            const LayerData &a = rows[i], &b = cols[j];
            if (a.values.rows() != b.values.rows() || a.input_ids != b.input_ids)
                throw UserError("layers '" + a.name + "' (" + std::to_string(a.values.rows()) + " inputs) and '" +
                                b.name + "' (" + std::to_string(b.values.rows()) +
                                " inputs) were not seen on the same inputs; extract both on the same dataset split");
            const double v = similarity(metric, a.values, b.values);
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
