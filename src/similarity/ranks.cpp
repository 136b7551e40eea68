// Ranks with ties averaged, Spearman and Pearson correlation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "actopo/similarity.hpp"

namespace actopo {

Eigen::VectorXd average_ranks(const Eigen::VectorXd& v) {
    const Eigen::Index n = v.size();
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return v[a] < v[b]; });
    Eigen::VectorXd ranks(n);
    Eigen::Index i = 0;
    while (i < n) {
        Eigen::Index j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // mean of the 1-based ranks i+1..j+1
        for (Eigen::Index k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

double pearson(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    if (a.size() != b.size() || a.size() < 2) return std::numeric_limits<double>::quiet_NaN();
    const Eigen::VectorXd ca = a.array() - a.mean();
    const Eigen::VectorXd cb = b.array() - b.mean();
    const double den = ca.norm() * cb.norm();
    if (den == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return ca.dot(cb) / den;
}

double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return pearson(average_ranks(a), average_ranks(b));
}

}  // namespace actopo
