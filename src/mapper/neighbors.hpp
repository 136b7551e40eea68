#pragma once
// Exact neighbour search on prepared rows (actopo::prepare_rows), fast in 64-1000 dimensions:
// blocked Gram products (Eigen GEMM) on centred rows; range queries skip pairs of balls (a few Lloyd
// rounds) whose centres are farther apart than their radii plus the query radius. Distances are handled as squared euclidean
// distances of prepared rows; from_squared/to_squared convert to the metric's own units.
#include <cstdint>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/metric.hpp"

namespace actopo::mapper::detail {

double from_squared(double squared, Metric metric);  // euclidean: sqrt; cosine: squared / 2
double to_squared(double distance, Metric metric);

struct Pair {
    std::uint32_t i, j;  // local indices into the set, i < j
    float squared;
};

/// All pairs of `set` (rows of `rows`) with squared distance <= squared_radius (borderline pairs
/// recomputed in double so the decision is exact).
std::vector<Pair> pairs_within(const Matrix& rows, const std::vector<std::size_t>& set, double squared_radius);

/// Squared distance from each of `queries` (local indices into `set`) to its k-th nearest other point
/// of `set` (k >= 1; +inf when the set has fewer than k other points).
std::vector<double> kth_neighbour(const Matrix& rows, const std::vector<std::size_t>& set,
                                  const std::vector<std::size_t>& queries, std::size_t k, unsigned threads = 1);

/// Mean metric distance from each point of `set` to the others (eccentricity).
std::vector<double> mean_distance(const Matrix& rows, const std::vector<std::size_t>& set, Metric metric,
                                  unsigned threads = 1);

/// Exact squared distance of two rows, in double.
double squared_distance(const Matrix& rows, std::size_t a, std::size_t b);

}  // namespace actopo::mapper::detail
