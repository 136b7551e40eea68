// Exact bottleneck distance. At a radius r the points with half-persistence > r cannot go to the
// diagonal and must be matched to a point of the other diagram within L-infinity distance r. By the
// Mendelsohn-Dulmage theorem a matching covering both required sets exists iff one covers the required
// points of A (into B) and one covers those of B (into A): two Hopcroft-Karp runs on grid-found edges.
// The answer is the smallest feasible candidate: a half-persistence or a point-to-point distance.
#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <queue>

#include "actopo/distances.hpp"
#include "distances/finite.hpp"
#include "distances/grid.hpp"

namespace actopo {
namespace {

using detail::linf;
using detail::PlaneGrid;
using detail::Point2;

double half_persistence(const Point2& p) { return (p.d - p.b) / 2; }

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

/// Hopcroft-Karp on a CSR bipartite graph: true when every left vertex is matched. `match_left` holds a
/// valid partial matching to start from (none = unmatched) and receives the final one.
bool perfect_on_left(std::size_t nright, const std::vector<std::uint32_t>& start, const std::vector<std::uint32_t>& adj,
                     std::vector<std::uint32_t>& match_left) {
    const std::size_t nleft = match_left.size();
    std::vector<std::uint32_t> match_right(nright, none), dist(nleft);
    std::size_t matched = 0;
    for (std::uint32_t u = 0; u < nleft; ++u)
        if (match_left[u] != none) match_right[match_left[u]] = u, ++matched;
    for (std::uint32_t u = 0; u < nleft; ++u)  // greedy start for the rest
        for (std::uint32_t k = start[u]; k < start[u + 1] && match_left[u] == none; ++k)
            if (match_right[adj[k]] == none) {
                match_left[u] = adj[k];
                match_right[adj[k]] = u;
                ++matched;
                break;
            }
    std::vector<std::uint32_t> queue, iter(nleft);
    while (matched < nleft) {
        queue.clear();
        constexpr std::uint32_t inf = none;
        for (std::uint32_t u = 0; u < nleft; ++u) {
            dist[u] = match_left[u] == none ? 0 : inf;
            if (dist[u] == 0) queue.push_back(u);
        }
        bool found = false;
        for (std::size_t h = 0; h < queue.size(); ++h) {
            std::uint32_t u = queue[h];
            for (std::uint32_t k = start[u]; k < start[u + 1]; ++k) {
                std::uint32_t w = match_right[adj[k]];
                if (w == none)
                    found = true;
                else if (dist[w] == inf) {
                    dist[w] = dist[u] + 1;
                    queue.push_back(w);
                }
            }
        }
        if (!found) return false;
        for (std::uint32_t u = 0; u < nleft; ++u) iter[u] = start[u];
        // iterative DFS along layered alternating paths
        std::vector<std::uint32_t> stack;
        std::size_t augmented = 0;
        for (std::uint32_t root = 0; root < nleft; ++root) {
            if (match_left[root] != none) continue;
            stack.assign(1, root);
            while (!stack.empty()) {
                std::uint32_t u = stack.back();
                if (iter[u] == start[u + 1]) {  // dead end: never visit again this phase
                    dist[u] = inf;
                    stack.pop_back();
                    if (!stack.empty()) ++iter[stack.back()];
                    continue;
                }
                std::uint32_t w = match_right[adj[iter[u]]];
                if (w == none) {  // augment along the stack
                    for (std::uint32_t x : stack) {
                        std::uint32_t y = adj[iter[x]];
                        match_right[y] = x;
                        match_left[x] = y;
                    }
                    ++augmented;
                    break;
                }
                if (dist[w] != inf && dist[w] == dist[u] + 1)
                    stack.push_back(w);
                else
                    ++iter[u];
            }
        }
        if (augmented == 0) return false;
        matched += augmented;
    }
    return true;
}

/// Can every point of `from` with half-persistence > r be matched into `to` within distance r?
/// `partner` (one entry per point of `from`) remembers the last matching found, as a warm start.
bool covers(const std::vector<Point2>& from, const std::vector<Point2>& to, double r,
            std::vector<std::uint32_t>& partner) {
    std::vector<std::uint32_t> required;
    for (std::uint32_t i = 0; i < from.size(); ++i)
        if (half_persistence(from[i]) > r) required.push_back(i);
    if (required.empty()) return true;
    if (required.size() > to.size()) return false;
    PlaneGrid grid(to, r);
    std::vector<std::uint32_t> start{0}, adj, match_left(required.size(), none);
    std::vector<char> taken(to.size(), 0);
    for (std::size_t u = 0; u < required.size(); ++u) {
        const std::uint32_t i = required[u], j = partner[i];
        grid.near(from[i], r, [&](std::uint32_t k, double) { adj.push_back(k); });
        if (adj.size() == start.back()) return false;  // an isolated required point
        start.push_back(std::uint32_t(adj.size()));
        if (j != none && !taken[j] && linf(from[i], to[j]) <= r) match_left[u] = j, taken[j] = 1;
    }
    const bool ok = perfect_on_left(to.size(), start, adj, match_left);
    for (std::size_t u = 0; u < required.size(); ++u) partner[required[u]] = match_left[u];
    return ok;
}

/// The two directions of the feasibility test, with their warm-start memories.
struct Feasibility {
    const std::vector<Point2>&a, &b;
    std::vector<std::uint32_t> partner_a, partner_b;
    Feasibility(const std::vector<Point2>& a_, const std::vector<Point2>& b_)
        : a(a_), b(b_), partner_a(a_.size(), none), partner_b(b_.size(), none) {}
    /// Both directions; for large diagrams the two matchings run on two threads.
    bool operator()(double r) {
        if (a.size() + b.size() < 4000) return covers(a, b, r, partner_a) && covers(b, a, r, partner_b);
        auto other = std::async(std::launch::async, [&] { return covers(b, a, r, partner_b); });
        const bool one = covers(a, b, r, partner_a);
        return other.get() && one;
    }
};

/// Point-to-point candidates c with lo < c <= hi that can matter (c <= the larger half-persistence);
/// false when there are more than `cap`.
bool pair_candidates(const std::vector<Point2>& a, const std::vector<Point2>& b, double lo, double hi,
                     std::size_t cap, std::vector<double>& out) {
    PlaneGrid grid(b, hi);
    out.clear();
    for (const auto& p : a) {
        double hp = half_persistence(p);
        bool over = false;
        grid.near(p, hi, [&](std::uint32_t j, double dist) {
            if (dist > lo && dist <= std::max(hp, half_persistence(b[j]))) {
                out.push_back(dist);
                over = over || out.size() > cap;
            }
        });
        if (over) return false;
    }
    return true;
}

double finite_bottleneck(const std::vector<Point2>& a, const std::vector<Point2>& b) {
    if (a.empty() && b.empty()) return 0;
    Feasibility feasible(a, b);
    std::vector<double> diag;
    for (const auto& p : a) diag.push_back(half_persistence(p));
    for (const auto& p : b) diag.push_back(half_persistence(p));
    std::sort(diag.begin(), diag.end());
    diag.erase(std::unique(diag.begin(), diag.end()), diag.end());
    // smallest feasible diagonal candidate (the largest is always feasible)
    std::size_t lo_i = 0, hi_i = diag.size() - 1;
    while (lo_i < hi_i) {
        std::size_t mid = (lo_i + hi_i) / 2;
        if (feasible(diag[mid]))
            hi_i = mid;
        else
            lo_i = mid + 1;
    }
    const double best = diag[hi_i];
    double lo = hi_i > 0 ? diag[hi_i - 1] : -1.0, hi = best;  // answer in (lo, hi]
    const std::size_t cap = 16 * (a.size() + b.size()) + 1024;
    std::vector<double> cand;
    while (!pair_candidates(a, b, lo, hi, cap, cand)) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi) break;  // cannot split further in floating point
        if (feasible(mid))
            hi = mid;
        else
            lo = mid;
        throw_if_cancelled();
    }
    if (best > lo && best <= hi) cand.push_back(best);
    std::sort(cand.begin(), cand.end());
    cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
    // the answer is the smallest feasible candidate; the largest one in (lo, hi] is feasible
    std::size_t l = 0, h = cand.size() - 1;
    while (l < h) {
        std::size_t mid = (l + h) / 2;
        if (feasible(cand[mid]))
            h = mid;
        else
            l = mid + 1;
    }
    return cand[h];
}

}  // namespace

double bottleneck_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options) {
    auto sa = detail::split_diagram(a), sb = detail::split_diagram(b);
    double essential = options.ignore_essential ? 0.0 : detail::essential_cost(sa, sb, std::numeric_limits<double>::infinity());
    if (std::isinf(essential)) return essential;
    return std::max(essential, finite_bottleneck(sa.finite, sb.finite));
}

}  // namespace actopo
