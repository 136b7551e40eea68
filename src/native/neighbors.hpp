#pragma once
// Neighbour lists under a threshold: the sparse path of the native engine, which never holds the
// n(n-1)/2 distance triangle (at n = 50 000 it would take 5 GB). Each vertex keeps its neighbours within
// the threshold (vertex, float32 distance) by decreasing vertex, all lists in one array (CSR).
#include <cstdint>
#include <optional>
#include <vector>

#include "actopo/diagrams.hpp"

namespace actopo::native {

/// A neighbour within the threshold.
struct Neighbor {
    std::uint32_t v;
    float d;
};

struct NeighborLists {
    std::uint32_t n = 0;
    std::vector<std::size_t> start;  // n + 1 offsets into `list`
    std::vector<Neighbor> list;
    const Neighbor* begin(std::uint32_t i) const { return list.data() + start[i]; }
    const Neighbor* end(std::uint32_t i) const { return list.data() + start[i + 1]; }
    std::size_t size(std::uint32_t i) const { return start[i + 1] - start[i]; }
    /// d(i, j); +inf when j is not a neighbour of i (binary search in the shorter list).
    float operator()(std::uint32_t i, std::uint32_t j) const;
};

/// The neighbour lists of a point cloud within `threshold`, computed in blocks of rows on `threads`
/// threads: an Eigen product of the blocks screens the pairs (with a margin for its rounding), and each
/// candidate's distance is then computed exactly as the dense path does, so both paths see the same
/// floats. With `radius` (one per vertex), a pair {i, j} is kept only when d(i, j) <= min(radius[i], radius[j])
/// too. nullopt when a sample of rows shows a quarter of the pairs or more kept (the triangle is then smaller
/// than the lists). UserError on NaN distances.
std::optional<NeighborLists> neighbors_within(const RipsInput& points, float threshold, int threads,
                                              const std::vector<float>& radius = {});

/// The lists of n vertices joined by `edges` (in any order; a self-loop is ignored, and of an edge given twice the
/// last length counts, as in RipsInput::lower_triangle): memory linear in the number of edges.
NeighborLists lists_from_edges(std::uint32_t n, std::vector<RipsInput::Edge> edges);

/// min over vertices of the largest distance to the others: +inf unless some vertex is a neighbour of all others.
float enclosing_radius(const NeighborLists& lists);

}  // namespace actopo::native
