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

/// The edges of the complex with diameter <= bound, as neighbour lists (both directions, by increasing
/// vertex): the graph in which edge_loop looks for paths. Made on `threads` threads, one pass over the
/// distances (or the neighbour lists) for all loops.
NeighborLists edge_graph(const Complex& cx, float bound, int threads);

/// A cycle of the H1 class born at `edge` (an edge that closes a cycle): the edge plus the shortest path
/// (by length) between its endpoints in the graph of the edges before it in the filtration (`graph`:
/// edge_graph with a bound >= edge.diam). Vertices in loop order, starting with the edge's larger vertex
/// and ending with its smaller one. Any cycle through the edge made of earlier edges represents the class:
/// the class's cocycle takes the value +-1 on it. Dijkstra with a binary heap, O(E log n) for the E edges
/// of the graph; vertices are settled by (distance, index), so the loop is unique.
std::vector<std::uint32_t> edge_loop(const Complex& cx, const NeighborLists& graph, const Simplex& edge);

}  // namespace actopo::native
