#pragma once
// Representatives of persistence classes (docs/persistence.md): which classes get one, and the edge loop
// (cycle) of an H1 class. The cocycles themselves come out of the reduction (cohomology.hpp).
#include <cstdint>
#include <vector>

#include "native/cohomology.hpp"

namespace actopo::native {

/// Indices of the intervals that `select` asks for, longest first; ties by earlier birth, then by the
/// birth simplex (`births[i]` of interval i) earlier in the filtration, so that the choice is unique.
std::vector<std::size_t> select_classes(const std::vector<Interval>& intervals, const std::vector<Simplex>& births,
                                        const CocycleSelection& select);

/// A cycle of the H1 class born at `edge` (an edge that closes a cycle): the edge plus the shortest path
/// (by length) between its endpoints in the graph of the edges before it in the filtration. Vertices in
/// loop order, starting with the edge's larger vertex and ending with its smaller one. Any cycle through
/// the edge made of earlier edges represents the class: the class's cocycle takes the value +-1 on it.
/// O(n^2) time (dense Dijkstra).
std::vector<std::uint32_t> edge_loop(const Complex& cx, const Simplex& edge);

}  // namespace actopo::native
