// Reading metric matrices and putting them over the same names in the same order.
#include <cmath>
#include <map>

#include "actopo/compare.hpp"

namespace actopo {

MetricMatrix read_metric_matrix(const std::string& spec) {
    MetricMatrix m;
    std::string path = spec;
    const auto eq = spec.find('=');
    if (eq != std::string::npos) {
        m.metric = spec.substr(0, eq);
        path = spec.substr(eq + 1);
    } else {
        const auto slash = path.find_last_of('/');
        std::string stem = slash == std::string::npos ? path : path.substr(slash + 1);
        const auto dot = stem.rfind('.');
        m.metric = dot == std::string::npos ? stem : stem.substr(0, dot);
    }
    m.matrix = read_named_matrix_csv(path);
    return m;
}

std::vector<MetricMatrix> align_matrices(std::vector<MetricMatrix> matrices) {
    if (matrices.size() < 2) throw UserError("compare needs at least 2 matrices, got " + std::to_string(matrices.size()));
    const std::vector<std::string> names = matrices.front().matrix.row_names;
    if (names.size() < 3)
        throw UserError("matrix '" + matrices.front().metric + "' has " + std::to_string(names.size()) +
                        " names; agreement needs at least 3");
    std::map<std::string, std::size_t> seen_metric;
    for (auto& mm : matrices) {
        if (seen_metric[mm.metric]++)
            throw UserError("metric name '" + mm.metric + "' is given twice; name them with NAME=PATH");
        NamedMatrix& m = mm.matrix;
        std::map<std::string, std::size_t> row_of, col_of;
        for (std::size_t i = 0; i < m.row_names.size(); ++i) row_of[m.row_names[i]] = i;
        for (std::size_t j = 0; j < m.col_names.size(); ++j) col_of[m.col_names[j]] = j;
        if (row_of.size() != names.size() || col_of.size() != names.size())
            throw UserError("matrix '" + mm.metric + "' has " + std::to_string(m.row_names.size()) + " x " +
                            std::to_string(m.col_names.size()) + " names; expected the " + std::to_string(names.size()) +
                            " names of '" + matrices.front().metric + "'");
        NamedMatrix aligned;
        aligned.row_names = aligned.col_names = names;
        aligned.values.resize(names.size() * names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (!row_of.count(names[i]) || !col_of.count(names[i]))
                throw UserError("matrix '" + mm.metric + "' has no row/column '" + names[i] + "' (present in '" +
                                matrices.front().metric + "')");
            for (std::size_t j = 0; j < names.size(); ++j) {
                if (!col_of.count(names[j]))
                    throw UserError("matrix '" + mm.metric + "' has no column '" + names[j] + "'");
                const double v = m.at(row_of[names[i]], col_of[names[j]]);
                if (!std::isfinite(v))
                    throw UserError("matrix '" + mm.metric + "' has a non-finite value at (" + names[i] + ", " +
                                    names[j] + ")");
                aligned.at(i, j) = v;
            }
        }
        bool constant = true;
        for (std::size_t j = 1; j < names.size() && constant; ++j)
            for (std::size_t i = 0; i < j && constant; ++i)
                constant = aligned.at(i, j) + aligned.at(j, i) == aligned.at(0, 1) + aligned.at(1, 0);
        if (constant)
            throw UserError("matrix '" + mm.metric + "' is constant off the diagonal (every value " +
                            std::to_string(aligned.at(0, 1)) + "): it ranks no pair of layers, so no agreement is defined");
        m = std::move(aligned);
    }
    return matrices;
}

}  // namespace actopo
