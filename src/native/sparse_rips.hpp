#pragma once
// Filtrations the native engine takes as a graph of edges instead of all pairs: a sparse edge list input, and the
// sparse Rips filtration (docs/native.md, "Sparse Rips"): a flag filtration on O(n) edges for points of bounded
// doubling dimension whose diagram is within a factor 1/(1 - eps) of the Rips diagram (bottleneck distance at most
// log(1/(1 - eps)) between the log-scaled diagrams).
#include <optional>

#include "actopo/diagrams.hpp"
#include "native/distances.hpp"
#include "native/neighbors.hpp"

namespace actopo::native {

/// The sparse Rips value of an edge of length d whose ends have insertion radii lo <= hi (greedy permutation):
/// d when d <= 2 lo / eps, else 2 d - 2 lo / eps when d <= min((2 - eps) lo / (eps (1 - eps)), (lo + hi) / eps),
/// else +inf (no edge). Never below d, at most d / (1 - eps).
float sparse_rips_value(float d, double lo, double hi, double eps);

/// A filtration given by its edges: neighbour lists where under a quarter of the pairs are edges (memory linear in
/// the edges), else the triangle with +inf where there is no edge; `threshold`: its largest value that counts.
struct EdgeFiltration {
    std::optional<NeighborLists> lists;
    DenseDistances dense;
    float threshold = 0;
};

/// The sparse Rips filtration of points or a distance matrix, 0 < eps < 1, cut at `threshold` when given, else where
/// it becomes a cone (nothing is lost): just above 1/(1 - eps) times the enclosing radius of the input, or earlier
/// where a vertex is joined to all others. UserError for a sparse edge list (the greedy permutation needs every
/// distance) or NaN distances.
EdgeFiltration sparse_rips(const RipsInput& input, double eps, std::optional<double> threshold, int threads);

/// A sparse edge list input (RipsInput::Kind::sparse_edges), cut at `threshold` when given, else at its enclosing
/// radius (+inf unless a vertex is joined to all others). UserError on a NaN or negative length.
EdgeFiltration edge_list_filtration(const RipsInput& input, std::optional<double> threshold);

}  // namespace actopo::native
