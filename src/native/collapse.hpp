#pragma once
// Edge collapse of a flag filtration (Boissonnat and Pritam), keeping its persistence diagram exactly.
//
// An edge {a, b} of a graph G is dominated by a vertex w (not a or b) when every common neighbour c of
// a and b (w included) is w or a neighbour of w. Then the flag complex of G minus the edge is a
// deformation retract of that of G (a sequence of elementary collapses), so the inclusion is an
// isomorphism in homology. On a filtration t -> G(<= t), if edge e with value v is dominated in G(<= v),
// moving e to the next value v' of the filtration (or removing it, if v is the last value) changes the
// persistence module only at v, by an isomorphism compatible with the inclusions: the diagram is kept.
// Repeating that move, edge after edge, gives a filtration with far fewer simplices.
#include <cstddef>

#include "native/distances.hpp"

namespace actopo::native {

/// Rewrites the values of the edges within `threshold` in place: each edge gets the first value at
/// which it is not dominated, or +inf (removed) when it stays dominated up to the threshold. Values only
/// grow, and every new value is the value of some edge, so births and deaths stay input distances.
/// Returns the number of edges left within the threshold.
std::size_t collapse_edges(DenseDistances& d, float threshold);

}  // namespace actopo::native
