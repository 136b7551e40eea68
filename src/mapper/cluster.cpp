// Clusterers inside one cover set: DBSCAN and single linkage.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "actopo/mapper.hpp"
#include "mapper/neighbors.hpp"

namespace actopo::mapper {

ClustererKind parse_clusterer(const std::string& name) {
    if (name == "dbscan") return ClustererKind::dbscan;
    if (name == "single-linkage") return ClustererKind::single_linkage;
    throw UserError("unknown clusterer '" + name + "' (expected dbscan or single-linkage)");
}

namespace {
double median_of_sorted(const std::vector<double>& v) {
    const std::size_t n = v.size();
    if (n == 0) return 0;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

double knee_or_median(const std::vector<double>& v) {
    const std::size_t n = v.size();
    if (n == 0) return 0;
    const double median = median_of_sorted(v);
    const double range = v.back() - v.front();
    if (n < 3 || !(range > 0)) return median;
    double best = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double below = double(i) / double(n - 1) - (v[i] - v.front()) / range;
        if (below > best) best = below, at = i;
    }
    return best < 0.05 ? median : v[at];
}

namespace {

/// Labels 0..count-1 in order of the first point of each root; points with keep[i] false get -1.
Clustering label_roots(UnionFind& sets, const std::vector<bool>& keep, double eps) {
    Clustering c;
    c.eps = eps;
    c.labels.assign(keep.size(), -1);
    std::vector<int> id(keep.size(), -1);
    for (std::size_t i = 0; i < keep.size(); ++i) {
        if (!keep[i]) continue;
        auto r = sets.find(std::uint32_t(i));
        if (id[r] < 0) id[r] = c.count++;
        c.labels[i] = id[r];
    }
    return c;
}

}  // namespace

namespace {
/// Sorted k-th neighbour distances of at most knee_sample seeded points of the set.
std::vector<double> neighbour_distances(const Matrix& rows, const std::vector<std::size_t>& set, const ClusterOptions& o,
                                        std::size_t k) {
    std::vector<std::size_t> queries(set.size());
    std::iota(queries.begin(), queries.end(), 0);
    if (queries.size() > o.knee_sample) {  // a seeded sample of the points locates the knee
        std::mt19937_64 rng(o.seed ^ (0x9e3779b97f4a7c15ULL * (set.size() + set.front())));
        std::shuffle(queries.begin(), queries.end(), rng);
        queries.resize(o.knee_sample);
        std::sort(queries.begin(), queries.end());
    }
    auto sq = detail::kth_neighbour(rows, set, queries, k);
    std::vector<double> d;
    for (double s : sq)
        if (std::isfinite(s)) d.push_back(detail::from_squared(s, o.metric));
    std::sort(d.begin(), d.end());
    return d;
}
}  // namespace

double knee_eps(const Matrix& rows, const std::vector<std::size_t>& set, const ClusterOptions& o) {
    if (set.empty()) return 0;
    return knee_or_median(neighbour_distances(rows, set, o, std::max<std::size_t>(1, o.min_samples - 1)));
}

double layer_eps(const Matrix& rows, const ClusterOptions& o) {
    if (rows.rows < 2) return 0;
    std::vector<std::size_t> all(rows.rows);
    std::iota(all.begin(), all.end(), 0);
    const std::size_t k = std::max<std::size_t>(1, o.min_samples - 1);
    const double local = kLayerEpsFactor * median_of_sorted(neighbour_distances(rows, all, o, k));
    if (rows.rows <= kLayerEpsReach * k) return local;  // too few points for the reach
    return std::max(local, median_of_sorted(neighbour_distances(rows, all, o, kLayerEpsReach * k)));
}

namespace {

Clustering dbscan(const Matrix& rows, const std::vector<std::size_t>& set, const ClusterOptions& o) {
    const std::size_t m = set.size();
    const double eps = o.eps > 0 ? o.eps : knee_eps(rows, set, o);
    auto pairs = detail::pairs_within(rows, set, detail::to_squared(eps, o.metric));
    std::vector<std::size_t> degree(m, 1);  // the point itself counts
    for (const auto& p : pairs) ++degree[p.i], ++degree[p.j];
    std::vector<bool> core(m);
    for (std::size_t i = 0; i < m; ++i) core[i] = degree[i] >= o.min_samples;
    UnionFind sets(m);
    for (const auto& p : pairs)
        if (core[p.i] && core[p.j]) sets.unite(p.i, p.j);
    // a border point joins the cluster of its nearest core neighbour
    std::vector<float> nearest(m, std::numeric_limits<float>::infinity());
    std::vector<std::uint32_t> via(m, 0);
    for (const auto& p : pairs) {
        if (!core[p.i] && core[p.j] && p.squared < nearest[p.i]) nearest[p.i] = p.squared, via[p.i] = p.j;
        if (!core[p.j] && core[p.i] && p.squared < nearest[p.j]) nearest[p.j] = p.squared, via[p.j] = p.i;
    }
    std::vector<bool> keep(m);
    for (std::size_t i = 0; i < m; ++i) {
        keep[i] = core[i] || std::isfinite(nearest[i]);
        if (!core[i] && keep[i]) sets.attach(std::uint32_t(i), via[i]);
    }
    return label_roots(sets, keep, eps);
}

/// Minimum spanning tree by Prim's algorithm on exact distances: edges (a, b, length).
std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> spanning_tree(const Matrix& rows,
                                                                           const std::vector<std::size_t>& set,
                                                                           Metric metric) {
    const std::size_t m = set.size();
    std::vector<double> best(m, std::numeric_limits<double>::infinity());
    std::vector<std::uint32_t> from(m, 0);
    std::vector<bool> in_tree(m, false);
    std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> edges;
    std::size_t current = 0;
    in_tree[0] = true;
    for (std::size_t step = 1; step < m; ++step) {
        if (step % 256 == 0) throw_if_cancelled();
        std::size_t next = m;
        for (std::size_t j = 0; j < m; ++j) {
            if (in_tree[j]) continue;
            double d = detail::squared_distance(rows, set[current], set[j]);
            if (d < best[j]) best[j] = d, from[j] = std::uint32_t(current);
            if (next == m || best[j] < best[next]) next = j;
        }
        in_tree[next] = true;
        edges.emplace_back(from[next], std::uint32_t(next), detail::from_squared(best[next], metric));
        current = next;
    }
    return edges;
}

Clustering single_linkage(const Matrix& rows, const std::vector<std::size_t>& set, const ClusterOptions& o) {
    const std::size_t m = set.size();
    UnionFind sets(m);
    std::vector<bool> keep(m, true);
    if (o.eps > 0) {  // cut at a given height: components of the graph d <= eps
        for (const auto& p : detail::pairs_within(rows, set, detail::to_squared(o.eps, o.metric))) sets.unite(p.i, p.j);
        return label_roots(sets, keep, o.eps);
    }
    auto edges = spanning_tree(rows, set, o.metric);
    double cut = std::numeric_limits<double>::infinity();
    if (edges.size() >= 2 && o.gap_bins >= 2) {  // the first empty bin of the edge-length histogram
        double lo = std::numeric_limits<double>::infinity(), hi = 0;
        for (const auto& e : edges) lo = std::min(lo, std::get<2>(e)), hi = std::max(hi, std::get<2>(e));
        if (hi > lo) {
            const double width = (hi - lo) / double(o.gap_bins);
            std::vector<std::size_t> count(o.gap_bins, 0);
            for (const auto& e : edges)
                ++count[std::min(o.gap_bins - 1, std::size_t((std::get<2>(e) - lo) / width))];
            for (std::size_t b = 0; b < o.gap_bins; ++b)
                if (count[b] == 0) {
                    cut = lo + double(b) * width;
                    break;
                }
        }
    }
    for (const auto& [a, b, len] : edges)
        if (len < cut) sets.unite(a, b);
    return label_roots(sets, keep, std::isfinite(cut) ? cut : 0.0);
}

}  // namespace

Clustering cluster_points(const Matrix& prepared, const std::vector<std::size_t>& points, const ClusterOptions& o) {
    if (o.metric != Metric::euclidean && o.metric != Metric::cosine)
        throw UserError("the Mapper clusterers take --metric euclidean or cosine (got " + metric_name(o.metric) + ")");
    if (o.min_samples < 1) throw UserError("--min-samples must be at least 1");
    if (!(o.eps >= 0) || !std::isfinite(o.eps))
        throw UserError("--eps must be a finite number >= 0 (0: chosen from the data), got " + std::to_string(o.eps));
    if (points.empty()) return {};
    if (o.kind == ClustererKind::dbscan) {
        if (points.size() < o.min_samples) {  // no core point: everything is noise
            Clustering c;
            c.labels.assign(points.size(), -1);
            return c;
        }
        return dbscan(prepared, points, o);
    }
    if (points.size() == 1) return Clustering{{0}, 1, 0.0};
    return single_linkage(prepared, points, o);
}

}  // namespace actopo::mapper
