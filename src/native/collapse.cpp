#include "native/collapse.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "actopo/core.hpp"

namespace actopo::native {
namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

struct Edge {
    std::uint32_t a, b;  // a > b
    float value;
};

/// A common neighbour c of the edge's ends, entering G(<= t) at t = max(value(a, c), value(b, c)).
struct Common {
    std::uint32_t c;
    float t;
};

}  // namespace

std::size_t collapse_edges(DenseDistances& d, float threshold) {
    const std::uint32_t n = d.n;
    auto at = [&](std::uint32_t i, std::uint32_t j) -> float& {  // i != j
        if (i < j) std::swap(i, j);
        return d.lower[std::size_t(i) * (i - 1) / 2 + j];
    };
    std::vector<Edge> edges;
    std::vector<std::vector<std::uint32_t>> adj(n);  // neighbours within the threshold, increasing
    for (std::uint32_t i = 1; i < n; ++i) {
        const float* row = d.lower.data() + std::size_t(i) * (i - 1) / 2;
        for (std::uint32_t j = 0; j < i; ++j)
            if (row[j] <= threshold) {
                edges.push_back(Edge{i, j, row[j]});
                adj[i].push_back(j);
                adj[j].push_back(i);
            }
    }
    for (auto& list : adj) std::sort(list.begin(), list.end());
    // Latest edge first (filtration order: value ascending, then index C(a, 2) + b descending): when an
    // edge is handled, the later ones have their final values and the earlier ones their input values.
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
        if (x.value != y.value) return x.value > y.value;
        return x.a != y.a ? x.a < y.a : x.b < y.b;
    });

    std::vector<Common> common;
    std::size_t kept = 0;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        if ((k & 4095) == 0) throw_if_cancelled();
        const Edge& e = edges[k];
        common.clear();
        const auto& na = adj[e.a];
        const auto& nb = adj[e.b];
        for (std::size_t i = 0, j = 0; i < na.size() && j < nb.size();) {
            if (na[i] < nb[j]) ++i;
            else if (nb[j] < na[i]) ++j;
            else {
                const std::uint32_t c = na[i];
                const float t = std::max(at(e.a, c), at(e.b, c));
                if (t <= threshold) common.push_back(Common{c, t});
                ++i, ++j;
            }
        }
        std::sort(common.begin(), common.end(), [](const Common& x, const Common& y) { return x.t < y.t; });

        float t = e.value;
        for (;;) {
            // The common neighbours present at t are a prefix; find one that is adjacent to all others at t.
            std::size_t present = 0;
            while (present < common.size() && common[present].t <= t) ++present;
            std::size_t w = present;
            for (std::size_t x = 0; x < present && w == present; ++x) {
                bool dominates = true;
                for (std::size_t y = 0; y < present && dominates; ++y)
                    if (y != x && at(common[x].c, common[y].c) > t) dominates = false;
                if (dominates) w = x;
            }
            if (w == present) break;  // not dominated at t: the edge enters at t
            // w keeps dominating until a common neighbour appears that is not yet w's neighbour then.
            float until = inf;
            for (std::size_t y = present; y < common.size(); ++y)
                if (at(common[w].c, common[y].c) > common[y].t) {
                    until = common[y].t;
                    break;  // sorted by t: the first one is the earliest
                }
            t = until;
            if (t == inf) break;  // dominated up to the threshold: removed
        }
        at(e.a, e.b) = t;
        if (t != inf) ++kept;
    }
    return kept;
}

}  // namespace actopo::native
