#include "native/sparse_rips.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace actopo::native {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

/// Neighbour lists of the finite entries of a triangle.
NeighborLists lists_of(const DenseDistances& d) {
    std::vector<RipsInput::Edge> edges;
    std::size_t k = 0;
    for (std::uint32_t i = 1; i < d.n; ++i)
        for (std::uint32_t j = 0; j < i; ++j, ++k)
            if (d.lower[k] != kInf) edges.push_back({i, j, d.lower[k]});
    return lists_from_edges(d.n, std::move(edges));
}

/// The triangle as lists when under a quarter of its pairs are edges (4 bytes a pair against 16 bytes an edge).
void prefer_lists(EdgeFiltration& f) {
    std::size_t edges = 0;
    for (float x : f.dense.lower) edges += x != kInf;
    if (4 * edges >= f.dense.lower.size()) return;
    f.lists = lists_of(f.dense);
    std::vector<float>().swap(f.dense.lower);
}

}  // namespace

float sparse_rips_value(float d, double lo, double hi, double eps) {
    const double start = 2 * lo / eps;  // where the weight of the end with the smaller radius starts growing
    if (d <= start) return d;
    if (d > std::min((2 - eps) * lo / (eps * (1 - eps)), (lo + hi) / eps)) return kInf;
    return float(2.0 * d - start);
}

EdgeFiltration sparse_rips(const RipsInput& input, double eps, std::optional<double> threshold, int threads) {
    if (!(eps > 0 && eps < 1))
        throw UserError("native backend: sparse Rips epsilon " + format_number(eps) + " is out of range; expected a number in (0, 1)");
    if (input.kind == RipsInput::Kind::sparse_edges)
        throw UserError("sparse Rips (--sparse) needs points or a full distance matrix, not a sparse edge list");
    const std::size_t n = input.n;
    const GreedyPermutation g = greedy_permutation(input, n, 0, threads);
    std::vector<double> lambda(n);
    for (std::size_t k = 0; k < g.order.size(); ++k) lambda[g.order[k]] = g.radius[k];
    EdgeFiltration out;
    if (threshold) {
        out.threshold = float(std::min(*threshold, double(std::numeric_limits<float>::max())));
    } else {  // every value is at most 1/(1 - eps) times the distance: above that times the enclosing radius, a cone
        const double enclosing = g.eccentricity.empty() ? 0.0 : *std::min_element(g.eccentricity.begin(), g.eccentricity.end());
        out.threshold = float(std::min(enclosing / (1 - eps) * (1 + 1e-6), double(std::numeric_limits<float>::max())));
    }
    auto value = [&](float d, std::size_t i, std::size_t j) {
        const float f = sparse_rips_value(d, std::min(lambda[i], lambda[j]), std::max(lambda[i], lambda[j]), eps);
        return f <= out.threshold ? f : kInf;
    };
    if (input.kind == RipsInput::Kind::points) {
        // No edge is longer than (2 - eps) / (eps (1 - eps)) times the smaller insertion radius of its ends.
        std::vector<float> radius(n);
        for (std::size_t v = 0; v < n; ++v)
            radius[v] = std::nextafter(float(std::min((2 - eps) * lambda[v] / (eps * (1 - eps)), double(std::numeric_limits<float>::max()))), kInf);
        out.lists = neighbors_within(input, out.threshold, threads, radius);
        if (out.lists) {  // the values in place; both lists of an edge drop it alike
            NeighborLists& l = *out.lists;
            std::size_t kept = 0, begin = 0;
            for (std::uint32_t i = 0; i < l.n; ++i) {
                const std::size_t end = l.start[std::size_t(i) + 1];
                for (std::size_t k = begin; k < end; ++k) {
                    const float f = value(l.list[k].d, i, l.list[k].v);
                    if (f != kInf) l.list[kept++] = Neighbor{l.list[k].v, f};
                }
                begin = end;
                l.start[std::size_t(i) + 1] = kept;
            }
            l.list.resize(kept);
            l.list.shrink_to_fit();
        }
    }
    if (!out.lists) {
        out.dense = dense_distances(input, threads);
        std::size_t k = 0;
        for (std::uint32_t i = 1; i < n; ++i)
            for (std::uint32_t j = 0; j < i; ++j, ++k) out.dense.lower[k] = value(out.dense.lower[k], i, j);
        prefer_lists(out);
    }
    // Once a vertex is joined to all others the complex is a cone too, often earlier.
    if (!threshold) out.threshold = std::min(out.threshold, out.lists ? enclosing_radius(*out.lists) : enclosing_radius(out.dense));
    return out;
}

EdgeFiltration edge_list_filtration(const RipsInput& input, std::optional<double> threshold) {
    for (const auto& e : input.edges)
        if (std::isnan(e.d) || e.d < 0)
            throw UserError("native backend: the edge (" + std::to_string(e.i) + ", " + std::to_string(e.j) + ") has length " +
                            std::to_string(e.d) + "; expected a number >= 0");
    EdgeFiltration out;
    const std::size_t pairs = input.n * (input.n ? input.n - 1 : 0) / 2;
    if (4 * input.edges.size() < pairs) {
        out.lists = lists_from_edges(std::uint32_t(input.n), input.edges);
    } else {
        out.dense.n = std::uint32_t(input.n);
        out.dense.lower = input.lower_triangle();
    }
    out.threshold = std::min(threshold ? float(std::min(*threshold, double(std::numeric_limits<float>::max())))
                                       : out.lists ? enclosing_radius(*out.lists) : enclosing_radius(out.dense),
                             std::numeric_limits<float>::max());
    return out;
}

}  // namespace actopo::native
