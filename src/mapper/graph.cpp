// The Mapper pipeline: cover -> clusters per cover set (in parallel) -> nerve -> statistics.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>

#include "actopo/mapper.hpp"
#include "mapper/neighbors.hpp"

namespace actopo::mapper {

namespace {

void fill_node_stats(Node& node, const PointCloud& cloud, const Lens& lens) {
    node.size = node.points.size();
    node.lens_mean.assign(lens.dims, 0.0);
    std::size_t wrong = 0;
    for (auto p : node.points) {
        node.members.push_back(p < cloud.input_ids.size() ? cloud.input_ids[p] : std::int64_t(p));
        for (std::size_t d = 0; d < lens.dims; ++d) node.lens_mean[d] += lens.at(p, d);
        const std::int64_t label = p < cloud.labels.size() ? cloud.labels[p] : -1;
        ++node.classes[label];
        if (p < cloud.predictions.size() && p < cloud.labels.size() && cloud.predictions[p] != label) ++wrong;
    }
    for (auto& v : node.lens_mean) v /= double(node.size);
    std::size_t top = 0;
    for (const auto& [label, count] : node.classes)
        if (count > top) top = count, node.majority = label;
    node.purity = double(top) / double(node.size);
    node.misclassified = double(wrong) / double(node.size);
}

void nerve(Graph& g, std::size_t n, std::size_t min_intersection) {
    std::vector<std::vector<std::size_t>> holders(n);
    for (const auto& node : g.nodes)
        for (auto p : node.points) holders[p].push_back(node.id);
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> shared;
    for (const auto& h : holders)
        for (std::size_t a = 0; a < h.size(); ++a)
            for (std::size_t b = a + 1; b < h.size(); ++b) ++shared[{std::min(h[a], h[b]), std::max(h[a], h[b])}];
    for (const auto& [ends, count] : shared) {
        if (count < std::max<std::size_t>(1, min_intersection)) continue;
        const double uni = double(g.nodes[ends.first].size + g.nodes[ends.second].size - count);
        g.links.push_back({ends.first, ends.second, count, double(count) / uni});
    }
}

std::size_t count_components(const Graph& g) {
    std::vector<std::size_t> parent(g.nodes.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    std::size_t components = g.nodes.size();
    for (const auto& l : g.links) {
        auto a = find(l.source), b = find(l.target);
        if (a != b) parent[a] = b, --components;
    }
    return components;
}

std::vector<ClassSpread> class_spread(const Graph& g) {
    std::map<std::int64_t, std::vector<std::size_t>> per_class;  // label -> count per node
    for (const auto& node : g.nodes)
        for (const auto& [label, count] : node.classes) {
            auto& v = per_class[label];
            v.resize(g.nodes.size(), 0);
            v[node.id] = count;
        }
    std::vector<ClassSpread> out;
    for (auto& [label, counts] : per_class) {
        ClassSpread s;
        s.label = label;
        for (auto c : counts) s.points += c, s.nodes += c > 0;
        double h = 0;
        for (auto c : counts)
            if (c > 0) {
                double p = double(c) / double(s.points);
                h -= p * std::log(p);
            }
        s.entropy = s.nodes > 1 ? h / std::log(double(g.nodes.size())) : 0.0;
        out.push_back(s);
    }
    return out;
}

}  // namespace

Graph build_graph(const PointCloud& cloud, const Lens& lens, const MapperOptions& o) {
    const std::size_t n = cloud.points.rows;
    if (n == 0) throw UserError("Mapper: the point cloud " + cloud.description + " is empty");
    for (float v : cloud.points.data)
        if (!std::isfinite(v)) throw UserError("Mapper: the point cloud " + cloud.description + " holds NaN or inf values");
    validate_lens(lens, n, "lens '" + lens.name + "'");
    if (o.cluster.kind == ClustererKind::dbscan && n < o.cluster.min_samples)
        throw UserError("Mapper: " + (cloud.description.empty() ? std::string("the points") : cloud.description) +
                        " has " + std::to_string(n) + " points, fewer than --min-samples " +
                        std::to_string(o.cluster.min_samples));
    if (!cloud.labels.empty() && cloud.labels.size() != n)
        throw UserError("Mapper: " + std::to_string(cloud.labels.size()) + " labels for " + std::to_string(n) + " points");

    if (!(o.cluster.eps >= 0) || !std::isfinite(o.cluster.eps))
        throw UserError("--eps must be a finite number >= 0 (0: chosen from the data), got " + std::to_string(o.cluster.eps));

    Graph g;
    g.cover = build_cover(lens, o.cover);
    const Matrix prepared = prepare_rows(cloud.points, o.cluster.metric);
    // DBSCAN's default eps: one for the whole cloud, so every cover set clusters at the same scale
    ClusterOptions base = o.cluster;
    double chosen_eps = 0;
    if (base.kind == ClustererKind::dbscan && base.eps == 0 && !base.eps_per_set) {
        chosen_eps = mapper::layer_eps(prepared, base);
        if (chosen_eps > 0) base.eps = chosen_eps;
    }
    std::vector<Clustering> clusterings(g.cover.sets.size());
    Progress progress("mapper " + cloud.description, g.cover.sets.size());
    std::mutex progress_mutex;
    // largest sets first so the threads finish together
    std::vector<std::size_t> order(g.cover.sets.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return g.cover.sets[a].points.size() > g.cover.sets[b].points.size();
    });
    parallel_for(order.size(), o.threads, [&](std::size_t k) {
        const std::size_t s = order[k];
        ClusterOptions co = base;
        co.seed = o.cluster.seed + s;
        clusterings[s] = cluster_points(prepared, g.cover.sets[s].points, co);
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress.advance();
    });
    progress.finish();

    std::vector<bool> covered(n, false);
    for (std::size_t s = 0; s < g.cover.sets.size(); ++s) {
        g.eps.push_back(clusterings[s].eps);
        const auto& set = g.cover.sets[s];
        std::vector<Node> nodes(std::size_t(clusterings[s].count));
        for (std::size_t i = 0; i < set.points.size(); ++i) {
            int label = clusterings[s].labels[i];
            if (label >= 0) nodes[std::size_t(label)].points.push_back(set.points[i]);
        }
        for (auto& node : nodes) {
            node.id = g.nodes.size();
            node.cover_set = s;
            for (auto p : node.points) covered[p] = true;
            fill_node_stats(node, cloud, lens);
            g.nodes.push_back(std::move(node));
        }
    }
    g.noise = std::size_t(std::count(covered.begin(), covered.end(), false));
    nerve(g, n, o.min_intersection);
    g.components = count_components(g);
    g.cycles = g.links.size() + g.components - g.nodes.size();
    double weighted = 0, total = 0;
    for (const auto& node : g.nodes) weighted += node.purity * double(node.size), total += double(node.size);
    g.mean_purity = total > 0 ? weighted / total : 0.0;
    g.spread = class_spread(g);

    g.meta = {{"points", n},
              {"point_cloud", cloud.description},
              {"lens", lens.name},
              {"lens_dims", lens.dims},
              {"cover", o.cover.kind == CoverKind::uniform ? "uniform" : "balanced"},
              {"intervals", o.cover.intervals},
              {"overlap", o.cover.overlap},
              {"clusterer", o.cluster.kind == ClustererKind::dbscan ? "dbscan" : "single-linkage"},
              {"metric", metric_name(o.cluster.metric)},
              {"min_samples", o.cluster.min_samples},
              {"min_intersection", o.min_intersection},
              {"seed", o.cluster.seed},
              {"clamped_points", g.cover.clamped},
              {"actopo_version", version()}};
    if (o.cover.fixed_bounds) g.meta["bounds"] = {o.cover.lo, o.cover.hi};
    if (o.cluster.eps > 0) g.meta["eps"] = o.cluster.eps;
    if (o.cluster.kind == ClustererKind::dbscan && o.cluster.eps == 0) {
        g.meta["eps_scope"] = o.cluster.eps_per_set ? "cover-set" : "layer";
        if (chosen_eps > 0) g.meta["eps"] = chosen_eps;
    }
    return g;
}

}  // namespace actopo::mapper
