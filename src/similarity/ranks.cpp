// Ranks with ties averaged, Spearman and Pearson correlation.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "actopo/similarity.hpp"

namespace actopo {

Eigen::VectorXd average_ranks(const Eigen::VectorXd& v) {
    const std::vector<double> ranks = actopo::average_ranks(std::vector<double>(v.data(), v.data() + v.size()));
    return Eigen::Map<const Eigen::VectorXd>(ranks.data(), Eigen::Index(ranks.size()));
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
