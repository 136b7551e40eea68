// Agreement between metrics: Spearman of upper triangles and the Mantel permutation test.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

#include "actopo/compare.hpp"
#include "actopo/similarity.hpp"

namespace actopo {
namespace {

// Symmetrised matrix whose entries are replaced by the average ranks of the upper-triangle values.
Eigen::MatrixXd upper_rank_matrix(const NamedMatrix& m) {
    const std::size_t n = m.row_names.size();
    Eigen::VectorXd upper(static_cast<Eigen::Index>(n * (n - 1) / 2));
    Eigen::Index k = 0;
    for (std::size_t j = 1; j < n; ++j)
        for (std::size_t i = 0; i < j; ++i) upper[k++] = 0.5 * (m.at(i, j) + m.at(j, i));
    const Eigen::VectorXd ranks = average_ranks(upper);
    Eigen::MatrixXd r = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    k = 0;
    for (std::size_t j = 1; j < n; ++j)
        for (std::size_t i = 0; i < j; ++i, ++k) r(i, j) = r(j, i) = ranks[k];
    return r;
}

double triangle_pearson(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const std::vector<std::size_t>& perm) {
    const std::size_t n = perm.size();
    Eigen::VectorXd x(static_cast<Eigen::Index>(n * (n - 1) / 2)), y(x.size());
    Eigen::Index k = 0;
    for (std::size_t j = 1; j < n; ++j)
        for (std::size_t i = 0; i < j; ++i, ++k) {
            x[k] = a(i, j);
            y[k] = b(perm[i], perm[j]);
        }
    return pearson(x, y);
}

}  // namespace

Agreement mantel_test(const NamedMatrix& a, const NamedMatrix& b, std::size_t permutations, std::uint64_t seed) {
    const std::size_t n = a.row_names.size();
    if (n < 3 || b.row_names.size() != n)
        throw UserError("agreement needs two matrices over the same >= 3 names");
    if (permutations == 0 || permutations > (std::size_t(1) << 32))
        throw UserError("--permutations must be between 1 and 2^32, got " + std::to_string(permutations) +
                        " (the Mantel p-value is at least 1 / (1 + permutations))");
    const Eigen::MatrixXd ra = upper_rank_matrix(a), rb = upper_rank_matrix(b);
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    Agreement out;
    out.pairs = n * (n - 1) / 2;
    out.permutations = permutations;
    out.spearman = triangle_pearson(ra, rb, perm);
    if (std::isnan(out.spearman)) {  // a constant matrix: no ranking to agree with
        out.p_value = std::nan("");
        return out;
    }
    std::mt19937_64 rng(seed);
    std::size_t as_extreme = 0;
    for (std::size_t t = 0; t < permutations; ++t) {
        std::shuffle(perm.begin(), perm.end(), rng);
        if (std::abs(triangle_pearson(ra, rb, perm)) >= std::abs(out.spearman) - 1e-12) ++as_extreme;
    }
    out.p_value = static_cast<double>(1 + as_extreme) / static_cast<double>(1 + permutations);
    return out;
}

std::vector<Agreement> pairwise_agreement(const std::vector<MetricMatrix>& matrices, std::size_t permutations,
                                          std::uint64_t seed) {
    std::vector<Agreement> out;
    for (std::size_t i = 0; i < matrices.size(); ++i)
        for (std::size_t j = i + 1; j < matrices.size(); ++j) {
            throw_if_cancelled();
            Agreement a = mantel_test(matrices[i].matrix, matrices[j].matrix, permutations, seed);
            a.a = matrices[i].metric;
            a.b = matrices[j].metric;
            out.push_back(a);
        }
    return out;
}

std::string comparison_table_csv(const std::vector<MetricMatrix>& matrices) {
    std::ostringstream out;
    out.precision(10);
    out << "row,col";
    for (const auto& m : matrices) out << "," << m.metric;
    out << "\n";
    const auto& names = matrices.front().matrix.row_names;
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = i + 1; j < names.size(); ++j) {
            out << names[i] << "," << names[j];
            for (const auto& m : matrices) out << "," << m.matrix.at(i, j);
            out << "\n";
        }
    return out.str();
}

std::string agreement_csv(const std::vector<Agreement>& agreements) {
    std::ostringstream out;
    out.precision(6);
    out << "metric_a,metric_b,spearman,p_value,pairs,permutations\n";
    for (const auto& a : agreements)
        out << a.a << "," << a.b << "," << a.spearman << "," << a.p_value << "," << a.pairs << "," << a.permutations << "\n";
    return out.str();
}

NamedMatrix agreement_matrix(const std::vector<MetricMatrix>& matrices, const std::vector<Agreement>& agreements) {
    NamedMatrix m;
    for (const auto& mm : matrices) m.row_names.push_back(mm.metric);
    m.col_names = m.row_names;
    const std::size_t k = m.row_names.size();
    m.values.assign(k * k, 0.0);
    for (std::size_t i = 0; i < k; ++i) m.at(i, i) = 1.0;
    for (const auto& a : agreements) {
        const auto i = static_cast<std::size_t>(std::find(m.row_names.begin(), m.row_names.end(), a.a) - m.row_names.begin());
        const auto j = static_cast<std::size_t>(std::find(m.row_names.begin(), m.row_names.end(), a.b) - m.row_names.begin());
        m.at(i, j) = m.at(j, i) = a.spearman;
    }
    return m;
}

}  // namespace actopo
