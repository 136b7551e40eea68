#include "native/representatives.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

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

std::vector<std::uint32_t> edge_loop(const Complex& cx, const Simplex& edge) {
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
    dist[source] = 0;
    for (;;) {
        std::uint32_t x = n;
        for (std::uint32_t y = 0; y < n; ++y)  // the nearest open vertex (ties: the smallest index)
            if (!done[y] && dist[y] < std::numeric_limits<double>::infinity() && (x == n || dist[y] < dist[x])) x = y;
        if (x == n || x == target) break;
        done[x] = 1;
        for (std::uint32_t y = 0; y < n; ++y) {
            if (done[y] || y == x) continue;
            const float d = cx.distance(x, y);
            if (d <= edge.diam && before(x, y, d) && dist[x] + d < dist[y]) {
                dist[y] = dist[x] + d;
                prev[y] = x;
            }
        }
    }
    if (prev[target] == n) return {};  // no path: the edge closes no cycle (not an H1 birth)
    std::vector<std::uint32_t> loop;
    for (std::uint32_t x = target; x != n; x = prev[x]) loop.push_back(x);
    std::reverse(loop.begin(), loop.end());  // source ... target; the edge closes it
    return loop;
}

}  // namespace actopo::native
