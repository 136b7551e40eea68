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
#include <utility>

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

/// Hopcroft-Karp on a bipartite graph given as adjacency ranges adj[start[u] .. stop[u]): true when every
/// left vertex is matched. `match_left` holds a valid partial matching to start from (none = unmatched)
/// and receives the final one.
bool perfect_on_left(std::size_t nright, const std::vector<std::uint32_t>& start, const std::vector<std::uint32_t>& stop,
                     const std::vector<std::uint32_t>& adj, std::vector<std::uint32_t>& match_left) {
    const std::size_t nleft = match_left.size();
    std::vector<std::uint32_t> match_right(nright, none), dist(nleft);
    std::size_t matched = 0;
    for (std::uint32_t u = 0; u < nleft; ++u)
        if (match_left[u] != none) match_right[match_left[u]] = u, ++matched;
    for (std::uint32_t u = 0; u < nleft; ++u)  // greedy start for the rest
        for (std::uint32_t k = start[u]; k < stop[u] && match_left[u] == none; ++k)
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
            for (std::uint32_t k = start[u]; k < stop[u]; ++k) {
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
                if (iter[u] == stop[u]) {  // dead end: never visit again this phase
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

/// One direction of the feasibility test: can every point of `from` with half-persistence > r be matched
/// into `to` within distance r? `partner` (one entry per point of `from`) remembers the last matching, as
/// a warm start. Once the search has bracketed the answer in (lo, hi], `prepare` lists, for every point
/// with half-persistence > lo, its neighbours within hi sorted by distance; a test at r in [lo, hi] then
/// takes a prefix of each list instead of a new grid search.
struct Direction {
    const std::vector<Point2>&from, &to;
    std::vector<std::uint32_t> partner;
    double floor = INFINITY, radius = -INFINITY;  // the lists serve floor <= r <= radius
    std::vector<std::uint32_t> rows, start, adj;  // rows: from-indices by decreasing half-persistence
    std::vector<double> dist;                     // parallel to adj, increasing within a row

    Direction(const std::vector<Point2>& f, const std::vector<Point2>& t) : from(f), to(t), partner(f.size(), none) {}

    bool cached(double r) const { return floor <= r && r <= radius; }

    void prepare(double lo, double hi) {
        rows.clear();
        for (std::uint32_t i = 0; i < from.size(); ++i)
            if (half_persistence(from[i]) > lo) rows.push_back(i);
        std::sort(rows.begin(), rows.end(), [&](std::uint32_t x, std::uint32_t y) {
            return half_persistence(from[x]) > half_persistence(from[y]);
        });
        start.assign(1, 0);
        adj.clear();
        dist.clear();
        if (!to.empty()) {
            PlaneGrid grid(to, hi);
            std::vector<std::pair<double, std::uint32_t>> near;
            for (std::uint32_t i : rows) {
                near.clear();
                grid.near(from[i], hi, [&](std::uint32_t k, double d) { near.push_back({d, k}); });
                std::sort(near.begin(), near.end());
                for (const auto& [d, k] : near) dist.push_back(d), adj.push_back(k);
                start.push_back(std::uint32_t(adj.size()));
            }
        } else {
            start.resize(rows.size() + 1, 0);
        }
        floor = lo;
        radius = hi;
    }

    bool operator()(double r) {
        std::vector<std::uint32_t> required, begin, end;
        if (cached(r)) {
            std::size_t k = 0;
            while (k < rows.size() && half_persistence(from[rows[k]]) > r) ++k;
            if (k > to.size()) return false;
            required.assign(rows.begin(), rows.begin() + std::ptrdiff_t(k));
            for (std::size_t u = 0; u < k; ++u) {
                const std::uint32_t b = start[u];
                const std::uint32_t e = std::uint32_t(std::upper_bound(dist.begin() + b, dist.begin() + start[u + 1], r) - dist.begin());
                if (e == b) return false;  // an isolated required point
                begin.push_back(b);
                end.push_back(e);
            }
            return match(required, begin, end, adj, r);
        }
        for (std::uint32_t i = 0; i < from.size(); ++i)
            if (half_persistence(from[i]) > r) required.push_back(i);
        if (required.empty()) return true;
        if (required.size() > to.size()) return false;
        PlaneGrid grid(to, r);
        std::vector<std::uint32_t> local;
        for (std::uint32_t i : required) {
            begin.push_back(std::uint32_t(local.size()));
            grid.near(from[i], r, [&](std::uint32_t k, double) { local.push_back(k); });
            if (local.size() == begin.back()) return false;
            end.push_back(std::uint32_t(local.size()));
        }
        return match(required, begin, end, local, r);
    }

    bool match(const std::vector<std::uint32_t>& required, const std::vector<std::uint32_t>& begin,
               const std::vector<std::uint32_t>& end, const std::vector<std::uint32_t>& edges, double r) {
        if (required.empty()) return true;
        std::vector<std::uint32_t> match_left(required.size(), none);
        std::vector<char> taken(to.size(), 0);
        for (std::size_t u = 0; u < required.size(); ++u) {  // warm start: last matching's still-valid edges
            const std::uint32_t i = required[u], j = partner[i];
            if (j != none && !taken[j] && linf(from[i], to[j]) <= r) match_left[u] = j, taken[j] = 1;
        }
        const bool ok = perfect_on_left(to.size(), begin, end, edges, match_left);
        for (std::size_t u = 0; u < required.size(); ++u) partner[required[u]] = match_left[u];
        return ok;
    }
};

/// The two directions of the feasibility test (Mendelsohn-Dulmage).
struct Feasibility {
    Direction ab, ba;
    bool parallel;
    Feasibility(const std::vector<Point2>& a, const std::vector<Point2>& b)
        : ab(a, b), ba(b, a), parallel(a.size() + b.size() >= 4000) {}
    /// Both directions; for large diagrams the two run on two threads.
    bool operator()(double r) {
        if (!parallel) return ab(r) && ba(r);
        auto other = std::async(std::launch::async, [&] { return ba(r); });
        const bool one = ab(r);
        return other.get() && one;
    }
    /// The answer lies in (lo, hi]: once the bracket is narrow, list the neighbours for all later tests.
    void narrow(double lo, double hi) {
        if (!(lo > 0) || hi > 1.5 * lo || (ab.cached(lo) && ab.cached(hi))) return;
        if (!parallel) {
            ab.prepare(lo, hi);
            ba.prepare(lo, hi);
            return;
        }
        auto other = std::async(std::launch::async, [&] { ba.prepare(lo, hi); });
        ab.prepare(lo, hi);
        other.get();
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

/// A lower bound on the bottleneck distance, itself a candidate value: every point p goes to the diagonal
/// (cost its half-persistence) or to a point of the other diagram (cost at least its nearest-neighbour
/// distance), so the answer is at least max over p of min(half-persistence(p), nn(p)).
double nearest_lower_bound(const std::vector<Point2>& from, const std::vector<Point2>& to, double bound) {
    if (to.empty()) {
        for (const auto& p : from) bound = std::max(bound, half_persistence(p));
        return bound;
    }
    double bb = INFINITY, eb = -INFINITY, bd = INFINITY, ed = -INFINITY;
    for (const auto& p : to) bb = std::min(bb, p.b), eb = std::max(eb, p.b), bd = std::min(bd, p.d), ed = std::max(ed, p.d);
    const double cell = std::max({std::sqrt((eb - bb) * (ed - bd) / double(to.size())), (ed - bd) / double(to.size()), 1e-300});
    PlaneGrid grid(to, cell);
    for (const auto& p : from) {
        const double hp = half_persistence(p);
        if (hp <= bound) continue;
        double nn = INFINITY;  // min(hp, nn) > bound only when no point of `to` lies within bound
        if (bound > 0) {
            grid.near(p, bound, [&](std::uint32_t, double d) { nn = std::min(nn, d); });
            if (nn <= bound) continue;
        }
        for (double rad = std::max({bound, cell, hp / 1024});; rad *= 2) {  // widen until a neighbour or the diagonal is nearer
            grid.near(p, std::min(rad, hp), [&](std::uint32_t, double d) { nn = std::min(nn, d); });
            if (nn < INFINITY || rad >= hp) break;
        }
        bound = std::max(bound, std::min(hp, nn));
    }
    return bound;
}

double finite_bottleneck(const std::vector<Point2>& a, const std::vector<Point2>& b) {
    if (a.empty() && b.empty()) return 0;
    Feasibility feasible(a, b);
    std::vector<double> diag;
    for (const auto& p : a) diag.push_back(half_persistence(p));
    for (const auto& p : b) diag.push_back(half_persistence(p));
    std::sort(diag.begin(), diag.end());
    diag.erase(std::unique(diag.begin(), diag.end()), diag.end());
    // The answer is >= lower. Smallest feasible diagonal candidate (the largest is always feasible): step
    // up from lower by growing factors (1.05, 1.1, 1.2, 1.4, ...) to bracket it, then bisect the indices.
    const double lower = nearest_lower_bound(b, a, nearest_lower_bound(a, b, 0.0));
    std::size_t lo_i = std::size_t(std::lower_bound(diag.begin(), diag.end(), lower) - diag.begin()), hi_i = diag.size() - 1;
    auto bracket_lo = [&] { return std::max(lower, lo_i > 0 ? diag[lo_i - 1] : -1.0); };
    if (lower > 0)
        for (double f = 0.05; lo_i < hi_i; f *= 2) {
            std::size_t at = std::size_t(std::lower_bound(diag.begin(), diag.end(), lower * (1 + f)) - diag.begin());
            at = std::min(std::max(at, lo_i), hi_i);
            if (at == hi_i) break;
            if (feasible(diag[at])) {
                hi_i = at;
                break;
            }
            lo_i = at + 1;
        }
    while (lo_i < hi_i) {
        feasible.narrow(bracket_lo(), diag[hi_i]);
        std::size_t mid = (lo_i + hi_i) / 2;
        if (feasible(diag[mid]))
            hi_i = mid;
        else
            lo_i = mid + 1;
        throw_if_cancelled();
    }
    const double best = diag[hi_i];
    // answer in (lo, hi]; lower is a candidate value, so (just below lower, hi] keeps it
    double lo = std::max(hi_i > 0 ? diag[hi_i - 1] : -1.0, lower > 0 ? std::nextafter(lower, -INFINITY) : -1.0), hi = best;
    const std::size_t cap = 16 * (a.size() + b.size()) + 1024;
    std::vector<double> cand;
    while (!pair_candidates(a, b, lo, hi, cap, cand)) {
        feasible.narrow(lo, hi);
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
    feasible.narrow(lo, hi);
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
