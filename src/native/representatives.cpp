#include "native/representatives.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>

#include "actopo/core.hpp"
#include "native/parallel.hpp"

namespace actopo::native {

std::vector<std::size_t> select_classes(const std::vector<Interval>& intervals, const std::vector<Simplex>& births,
                                        const CocycleSelection& select) {
    std::vector<std::size_t> order;
    auto length = [&](std::size_t i) { return double(intervals[i].death) - double(intervals[i].birth); };  // inf: essential
    for (std::size_t i = 0; i < intervals.size(); ++i)
        if (select.min_persistence < 0 || length(i) >= select.min_persistence) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (length(a) != length(b)) return length(a) > length(b);
        return filtration_before(births[a].idx, births[a].diam, births[b].idx, births[b].diam);
    });
    if (select.longest > 0 && order.size() > select.longest) order.resize(select.longest);
    return order;
}

NeighborLists edge_graph(const Complex& cx, float bound, int threads) {
    NeighborLists g;
    g.n = cx.n;
    g.start.assign(std::size_t(cx.n) + 1, 0);
    threads = std::max(1, threads);
    // two passes over the rows, interleaved between the threads: the degrees, then the lists
    run_threads(threads, [&](int t) {
        for (std::uint32_t v = std::uint32_t(t); v < cx.n; v += std::uint32_t(threads)) {
            if ((v & 1023) == 0 && cancel_requested()) return;
            std::size_t degree = 0;
            cx.for_each_neighbor(v, bound, [&](std::uint32_t, float) { ++degree; });
            g.start[std::size_t(v) + 1] = degree;
        }
    });
    throw_if_cancelled();
    std::partial_sum(g.start.begin(), g.start.end(), g.start.begin());
    g.list.resize(g.start.back());
    run_threads(threads, [&](int t) {
        for (std::uint32_t v = std::uint32_t(t); v < cx.n; v += std::uint32_t(threads)) {
            if ((v & 1023) == 0 && cancel_requested()) return;
            Neighbor* out = g.list.data() + g.start[v];
            cx.for_each_neighbor(v, bound, [&](std::uint32_t u, float d) { *out++ = Neighbor{u, d}; });
            std::sort(g.list.data() + g.start[v], out, [](const Neighbor& a, const Neighbor& b) { return a.v < b.v; });
        }
    });
    throw_if_cancelled();
    return g;
}

std::vector<std::uint32_t> edge_loop(const Complex& cx, const NeighborLists& graph, const Simplex& edge) {
    std::uint32_t ends[2];
    cx.binom.vertices(edge.idx, 1, cx.n, ends);
    const std::uint32_t n = cx.n, source = ends[0], target = ends[1];
    // edge {x > y} is before `edge` in the filtration: shorter, or as long with a larger index C(x, 2) + y
    auto before = [&](std::uint32_t x, std::uint32_t y, float d) {
        if (d != edge.diam) return d < edge.diam;
        if (x < y) std::swap(x, y);
        return cx.binom(x, 2) + y > edge.idx;
    };
    std::vector<double> dist(n, std::numeric_limits<double>::infinity());
    std::vector<std::uint32_t> prev(n, n);
    std::vector<std::uint8_t> done(n, 0);
    // min-heap of (distance, vertex): the nearest open vertex, ties by the smallest index; stale entries skipped
    using Item = std::pair<double, std::uint32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
    dist[source] = 0;
    open.push({0.0, source});
    while (!open.empty()) {
        const auto [dx, x] = open.top();
        open.pop();
        if (done[x] || dx != dist[x]) continue;
        if (x == target) break;
        done[x] = 1;
        for (const Neighbor* nb = graph.begin(x); nb != graph.end(x); ++nb) {
            const std::uint32_t y = nb->v;
            if (done[y] || nb->d > edge.diam || !before(x, y, nb->d) || !(dist[x] + nb->d < dist[y])) continue;
            dist[y] = dist[x] + nb->d;
            prev[y] = x;
            open.push({dist[y], y});
        }
    }
    if (prev[target] == n) return {};  // no path: the edge closes no cycle (not an H1 birth)
    std::vector<std::uint32_t> loop;
    for (std::uint32_t x = target; x != n; x = prev[x]) loop.push_back(x);
    std::reverse(loop.begin(), loop.end());  // source ... target; the edge closes it
    return loop;
}

}  // namespace actopo::native
