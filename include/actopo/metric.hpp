#pragma once
// Distances between points (rows of a Matrix): euclidean, cosine (1 - cos), correlation (1 - Pearson).
// "precomputed" means the input already is a distance matrix.
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo {

enum class Metric { euclidean, cosine, correlation, precomputed };

/// Parses "euclidean" | "cosine" | "correlation" | "precomputed"; UserError otherwise.
Metric parse_metric(const std::string& name);
std::string metric_name(Metric m);

/// Rewrites rows so that euclidean-style arithmetic gives the metric: cosine rows are normalised,
/// correlation rows are centred and normalised (then d = 1 - <x, y> = |x - y|^2 / 2). Euclidean: unchanged.
/// UserError naming the row when a row has zero norm/variance under cosine/correlation.
Matrix prepare_rows(MatrixView points, Metric metric);
/// The distance between rows i and j of rows made by prepare_rows.
double prepared_distance(MatrixView prepared, std::size_t i, std::size_t j, Metric metric);
/// Packed lower triangle of the distance matrix: d(1,0), d(2,0), d(2,1), d(3,0), ... (n(n-1)/2 floats).
std::vector<float> pairwise_lower(const Matrix& points, Metric metric);

}  // namespace actopo
