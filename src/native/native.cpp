// actopo::native::compute: H0 by union-find over the edges in filtration order, then persistent
// cohomology dimension by dimension with clearing (pivots of one dimension are not columns of the next).
#include "actopo/native.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>

#include "native/cohomology.hpp"
#include "native/collapse.hpp"
#include "native/neighbors.hpp"
#include "native/parallel.hpp"
#include "native/representatives.hpp"
#include "native/sparse_rips.hpp"

namespace actopo::native {
namespace {

thread_local std::vector<std::vector<double>> heaviest_columns;  // of the last compute() on this thread

bool is_prime(int p) {
    if (p < 2) return false;
    for (int d = 2; d * d <= p; ++d)
        if (p % d == 0) return false;
    return true;
}

void add_intervals(Diagram& diagram, const std::vector<Interval>& intervals) {
    for (const auto& iv : intervals)
        if (iv.birth < iv.death) diagram.pairs.push_back({double(iv.birth), double(iv.death)});
}

/// The cocycles as Representatives, with an edge loop for each H1 class (the loops on `threads` threads).
void add_representatives(Diagram& diagram, const Complex& cx, int dim, const std::vector<Cocycle>& cocycles, int threads) {
    auto& reps = diagram.representatives;
    reps.resize(cocycles.size());
    std::vector<std::uint32_t> vs(std::size_t(dim) + 1);
    for (std::size_t i = 0; i < cocycles.size(); ++i) {
        const Cocycle& c = cocycles[i];
        reps[i].birth = c.interval.birth;
        reps[i].death = c.interval.death;
        cx.binom.vertices(c.birth.idx, dim, cx.n, vs.data());
        reps[i].birth_simplex = vs;
        for (const Entry& e : c.entries) {
            cx.binom.vertices(e.idx, dim, cx.n, vs.data());
            reps[i].cocycle.insert(reps[i].cocycle.end(), vs.begin(), vs.end());
            reps[i].cocycle.push_back(e.coeff);
        }
    }
    if (dim != 1 || cocycles.empty()) return;
    float latest = 0;  // the loops use the edges up to the latest birth
    for (const Cocycle& c : cocycles) latest = std::max(latest, c.birth.diam);
    const NeighborLists graph = edge_graph(cx, latest, threads);
    std::atomic<std::size_t> next{0};
    run_threads(std::max(1, std::min<int>(threads, int(cocycles.size()))), [&](int) {
        for (std::size_t i; (i = next.fetch_add(1)) < cocycles.size();) {
            if (cancel_requested()) return;
            reps[i].cycle = edge_loop(cx, graph, cocycles[i].birth);
        }
    });
    throw_if_cancelled();
}

}  // namespace

std::vector<std::vector<double>> last_heaviest_columns() { return heaviest_columns; }

// The threads of `threads = 0`: every core, except for computations so small that starting threads (the
// engine starts them per phase) costs more than it saves: C(n, max_dim + 2), which bounds the cofacets the
// top dimension's columns can visit, at most 2^20 (random_50_16 H2: 2.4 ms on 1 thread, 5.8 ms wall on 2).
constexpr double kSmallWork = double(1 << 20);
int thread_count(std::size_t n, const RipsOptions& options) {
    if (options.threads > 0) return options.threads;
    const int max_dim = options.max_dim;
    double subsets = 1;  // C(n, i + 1) after step i
    for (int i = 0; i < max_dim + 2 && subsets <= kSmallWork; ++i) subsets *= double(n > std::size_t(i) ? n - std::size_t(i) : 0) / (i + 1);
    return subsets <= kSmallWork ? 1 : int(std::max(1u, std::thread::hardware_concurrency()));
}

bool may_skip_triangle(const RipsInput& input, const RipsOptions& options) {
    return input.kind == RipsInput::Kind::sparse_edges ||
           (options.threshold && input.kind == RipsInput::Kind::points && (input.n > 8192 || !options.collapse));
}

Diagrams compute(const RipsInput& input, const RipsOptions& options) {
    if (options.max_dim < 0) throw UserError("native backend: max_dim " + std::to_string(options.max_dim) + " must be >= 0");
    if (!is_prime(options.coeff) || options.coeff > 65521)
        throw UserError("native backend: coefficient " + std::to_string(options.coeff) +
                        " is not a prime <= 65521; expected a prime p for Z/p");
    if (options.threshold && (std::isnan(*options.threshold) || *options.threshold < 0))
        throw UserError("native backend: threshold " + format_number(*options.threshold) + " must be a number >= 0");
    const int threads = thread_count(input.n, options);
    const int max_dim = options.max_dim;

    const std::uint32_t n = std::uint32_t(input.n);
    if (std::uint64_t(n) * (n ? n - 1 : 0) / 2 > 0xFFFFFFFFull)  // edge indices are 32-bit (see the keys below)
        throw UserError("native backend: " + std::to_string(input.n) + " points are too many (at most 92681)");
    // Above 8192 points the triangle takes 128 MB or more: where few pairs are within the threshold the
    // neighbour lists are all the engine keeps. Sparse Rips and sparse edge lists come as a graph (sparse_rips.hpp).
    std::optional<NeighborLists> lists;
    DenseDistances dist;
    std::optional<float> graph_threshold;
    if (options.sparse_epsilon != 0 || input.kind == RipsInput::Kind::sparse_edges) {
        EdgeFiltration g = options.sparse_epsilon != 0 ? sparse_rips(input, options.sparse_epsilon, options.threshold, threads)
                                                       : edge_list_filtration(input, options.threshold);
        lists = std::move(g.lists);
        dist = std::move(g.dense);
        graph_threshold = g.threshold;
    } else {
        if (may_skip_triangle(input, options))
            lists = neighbors_within(input, std::min(float(*options.threshold), std::numeric_limits<float>::max()), threads);
        if (!lists) dist = dense_distances(input, threads);
    }
    // +inf (missing sparse edges, no threshold) never enters: the threshold is at most the largest float.
    const float threshold = graph_threshold ? *graph_threshold
                                            : std::min(options.threshold ? float(*options.threshold) : enclosing_radius(dist),
                                                       std::numeric_limits<float>::max());
    Diagrams out;
    out.dims.resize(std::size_t(max_dim) + 1);
    for (int k = 0; k <= max_dim; ++k) out.dims[std::size_t(k)].dim = k;

    // Edge collapse (keeps the diagram) where few pairs are within the threshold; on dense inputs the
    // domination tests would cost more than they save.
    std::size_t filtration_edges = 0;  // pairs within the threshold, before any collapse (lists: counted below)
    for (float x : dist.lower) filtration_edges += x <= threshold;
    if (options.collapse && !lists && !options.wants_representatives()) {  // cycles must live in the uncollapsed complex
        if (4 * filtration_edges < dist.lower.size()) collapse_edges(dist, threshold);
    }

    // Edges within the threshold as 64-bit keys: the float bits of the length (non-negative floats order
    // like their bit patterns) above the complement of the edge index C(i, 2) + j, the edge's place in the
    // lower triangle. Ascending keys are the filtration order (length ascending, index descending).
    std::vector<std::uint64_t> edges;
    auto push_edge = [&](std::size_t k, float x) {
        x += 0.0f;  // -0 -> +0
        std::uint32_t bits;
        std::memcpy(&bits, &x, sizeof bits);
        edges.push_back((std::uint64_t(bits) << 32) | (0xFFFFFFFFu - std::uint32_t(k)));
    };
    if (lists) {
        edges.reserve(lists->list.size() / 2);
        for (std::uint32_t i = 0; i < n; ++i)
            for (const Neighbor* nb = lists->begin(i); nb != lists->end(i); ++nb)
                if (nb->v < i && nb->d <= threshold) push_edge(std::size_t(i) * (i - 1) / 2 + nb->v, nb->d);
    } else {
        std::size_t within = 0;
        for (float x : dist.lower) within += x <= threshold;
        edges.reserve(within);
        for (std::size_t k = 0; k < dist.lower.size(); ++k)
            if (dist.lower[k] <= threshold) push_edge(k, dist.lower[k]);
    }
    if (lists) filtration_edges = edges.size();
    parallel_sort(edges, threads, std::less<std::uint64_t>());
    auto edge_index = [](std::uint64_t key) { return index_t(0xFFFFFFFFu - std::uint32_t(key)); };
    auto edge_length = [](std::uint64_t key) {
        const std::uint32_t bits = std::uint32_t(key >> 32);
        float x;
        std::memcpy(&x, &bits, sizeof x);
        return x;
    };
    // Neighbour lists pay off when under a quarter of the pairs are within the threshold.
    const Complex cx = lists ? Complex(std::move(*lists), threshold, max_dim, std::uint32_t(options.coeff))
                             : Complex(dist, threshold, max_dim, std::uint32_t(options.coeff), 4 * edges.size() < dist.lower.size());

    // H0: an edge joining two components kills the younger one (all vertices are born at 0). The edges
    // that close a cycle are the columns of dimension 1; with max_dim 1 they are compacted in place.
    UnionFind components(n);
    std::size_t cycles = 0;
    std::uint32_t vs[2];
    for (std::size_t k = 0; k < edges.size(); ++k) {
        const index_t idx = edge_index(edges[k]);
        cx.binom.vertices(idx, 1, cx.n, vs);
        if (components.unite(vs[0], vs[1])) {
            if (edge_length(edges[k]) > 0) out.dims[0].pairs.push_back({0.0, double(edge_length(edges[k]))});
        } else if (max_dim >= 1) {
            if (max_dim == 1) edges[cycles] = edges[k];
            ++cycles;
        }
    }
    for (std::uint32_t v = 0; v < n; ++v)
        if (components.find(v) == v) out.dims[0].pairs.push_back({0.0, std::numeric_limits<double>::infinity()});
    // H1's columns: the cycle edges that need a reduction (in no apparent pair, see columns_to_reduce).
    std::vector<Simplex> columns;
    std::vector<Simplex> simplices;  // all edges, only to build the triangles (max_dim >= 2)
    if (max_dim == 1) {
        columns = columns_to_reduce(cx, 1, cycles, [&](std::size_t i, Simplex& s) {
            s = Simplex{edge_index(edges[i]), edge_length(edges[i])};
            return true;
        }, threads);
        std::vector<std::uint64_t>().swap(edges);
    } else if (max_dim >= 2) {
        components = UnionFind(n);
        simplices.reserve(edges.size());
        for (std::size_t k = edges.size(); k-- > 0;) {  // the same pass backwards: cycles are the non-merging
            const index_t idx = edge_index(edges[k]);
            simplices.push_back(Simplex{idx, edge_length(edges[k])});
        }
        std::vector<std::uint64_t>().swap(edges);
        std::vector<bool> cycle(simplices.size());
        for (std::size_t k = simplices.size(); k-- > 0;) {
            cx.binom.vertices(simplices[k].idx, 1, cx.n, vs);
            cycle[k] = !components.unite(vs[0], vs[1]);
        }
        columns = columns_to_reduce(cx, 1, simplices.size(), [&](std::size_t i, Simplex& s) {
            s = simplices[i];
            return bool(cycle[i]);
        }, threads);
    }

    const CocycleSelection select{options.representatives, options.min_persistence};
    heaviest_columns.assign(std::size_t(max_dim), {});
    for (int dim = 1; dim <= max_dim; ++dim) {
        DimensionResult result =
            reduce_dimension(cx, dim, std::move(columns), threads, options.wants_representatives() ? &select : nullptr);
        heaviest_columns[std::size_t(dim - 1)] = std::move(result.heaviest);
        add_intervals(out.dims[std::size_t(dim)], result.intervals);
        add_representatives(out.dims[std::size_t(dim)], cx, dim, result.cocycles, threads);
        if (dim == max_dim) break;
        if (dim + 1 < max_dim) {  // all (dim+1)-simplices are needed for the next dimension's
            std::vector<Simplex> next = next_simplices(cx, dim, simplices, threads);
            columns = next_columns(cx, dim, next, result, threads);
            simplices.swap(next);
        } else {  // last dimension: only the columns are built
            columns = next_simplices(cx, dim, simplices, threads, &result);
            std::vector<Simplex>().swap(simplices);
        }
    }

    for (auto& d : out.dims)
        std::sort(d.pairs.begin(), d.pairs.end(), [](const PersistencePair& a, const PersistencePair& b) {
            return a.birth < b.birth || (a.birth == b.birth && a.death < b.death);
        });
    out.meta["backend"] = "native";
    out.meta["threshold"] = format_number(threshold);
    out.meta["coeff"] = std::to_string(options.coeff);
    out.meta["edges"] = std::to_string(filtration_edges);
    if (options.sparse_epsilon != 0) out.meta["approximation_factor"] = format_number(1 / (1 - options.sparse_epsilon));
    return out;
}

}  // namespace actopo::native
