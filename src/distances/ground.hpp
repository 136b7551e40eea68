#pragma once
// Internal: the ground costs of the Wasserstein problem, ||u - v||_q^p and the distance to the diagonal.
#include <cmath>

#include "distances/finite.hpp"

namespace actopo::detail {

struct GroundCost {
    double p = 1, q = INFINITY;
    double power(double x) const { return p == 1 ? x : p == 2 ? x * x : std::pow(x, p); }
    double distance(const Point2& u, const Point2& v) const {
        double x = std::fabs(u.b - v.b), y = std::fabs(u.d - v.d);
        if (std::isinf(q)) return std::max(x, y);
        if (q == 1) return x + y;
        if (q == 2) return std::sqrt(x * x + y * y);
        return std::pow(std::pow(x, q) + std::pow(y, q), 1 / q);
    }
    /// L_q distance to the nearest diagonal point ((b+d)/2, (b+d)/2).
    double to_diagonal(const Point2& u) const {
        double h = (u.d - u.b) / 2;
        return std::isinf(q) ? h : h * std::pow(2.0, 1 / q);
    }
    double cost(const Point2& u, const Point2& v) const { return power(distance(u, v)); }
    double diagonal_cost(const Point2& u) const { return power(to_diagonal(u)); }
};

/// Optimal sum of costs, by the Hungarian method on the (n + m)-square diagonal-augmented problem.
double wasserstein_cost_exact(const std::vector<Point2>& a, const std::vector<Point2>& b, const GroundCost& g);
/// Sum of costs within a factor (1 + relative_error) of the optimum, by an auction with epsilon scaling.
double wasserstein_cost_auction(const std::vector<Point2>& a, const std::vector<Point2>& b, const GroundCost& g,
                                double relative_error);

}  // namespace actopo::detail
