// actopo::native::compute: H0 by union-find over the edges in filtration order, then persistent
// cohomology dimension by dimension with clearing (pivots of one dimension are not columns of the next).
#include "actopo/native.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <thread>

#include "native/cohomology.hpp"
#include "native/collapse.hpp"
#include "native/parallel.hpp"

namespace actopo::native {
namespace {

bool is_prime(int p) {
    if (p < 2) return false;
    for (int d = 2; d * d <= p; ++d)
        if (p % d == 0) return false;
    return true;
}

std::string text(double x) {
    std::ostringstream s;
    s.precision(9);
    s << x;
    return s.str();
}

class UnionFind {
public:
    explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
    std::uint32_t find(std::uint32_t x) {
        while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
        return x;
    }
    bool unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a == b) return false;
        parent_[std::max(a, b)] = std::min(a, b);
        return true;
    }

private:
    std::vector<std::uint32_t> parent_;
};

void add_intervals(Diagram& diagram, const std::vector<Interval>& intervals) {
    for (const auto& iv : intervals)
        if (iv.birth < iv.death) diagram.pairs.push_back({double(iv.birth), double(iv.death)});
}

}  // namespace

Diagrams compute(const RipsInput& input, const RipsOptions& options) {
    if (options.max_dim < 0) throw UserError("native backend: max_dim " + std::to_string(options.max_dim) + " must be >= 0");
    if (!is_prime(options.coeff) || options.coeff > 65521)
        throw UserError("native backend: coefficient " + std::to_string(options.coeff) +
                        " is not a prime <= 65521; expected a prime p for Z/p");
    if (options.threshold && (std::isnan(*options.threshold) || *options.threshold < 0))
        throw UserError("native backend: threshold " + text(*options.threshold) + " must be a number >= 0");
    const int threads = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    const int max_dim = options.max_dim;

    DenseDistances dist = dense_distances(input, threads);
    // +inf (missing sparse edges, no threshold) never enters: the threshold is at most the largest float.
    const float threshold = std::min(options.threshold ? float(*options.threshold) : enclosing_radius(dist),
                                     std::numeric_limits<float>::max());
    Diagrams out;
    out.dims.resize(std::size_t(max_dim) + 1);
    for (int k = 0; k <= max_dim; ++k) out.dims[std::size_t(k)].dim = k;

    // Edge collapse (keeps the diagram) where few pairs are within the threshold; on dense inputs the
    // domination tests would cost more than they save.
    if (options.collapse) {
        std::size_t within = 0;
        for (float x : dist.lower) within += x <= threshold;
        if (4 * within < dist.lower.size()) collapse_edges(dist, threshold);
    }

    // Edges within the threshold; the index of edge (i > j) is C(i, 2) + j, its place in the lower triangle.
    std::vector<Simplex> simplices;
    for (std::size_t k = 0; k < dist.lower.size(); ++k)
        if (dist.lower[k] <= threshold) simplices.push_back(Simplex{index_t(k), dist.lower[k]});
    parallel_sort(simplices, threads, [](const Simplex& a, const Simplex& b) { return column_order(b, a); });
    // Neighbour lists pay off when under a quarter of the pairs are within the threshold.
    Complex cx(dist, threshold, max_dim, std::uint32_t(options.coeff), 4 * simplices.size() < dist.lower.size());

    // H0: an edge joining two components kills the younger one (all vertices are born at 0).
    UnionFind components(dist.n);
    std::vector<Simplex> columns;  // edges that close a cycle: the columns of dimension 1
    std::uint32_t vs[2];
    for (const Simplex& e : simplices) {
        cx.binom.vertices(e.idx, 1, cx.n, vs);
        if (components.unite(vs[0], vs[1])) {
            if (e.diam > 0) out.dims[0].pairs.push_back({0.0, double(e.diam)});
        } else if (max_dim >= 1) {
            columns.push_back(e);
        }
    }
    for (std::uint32_t v = 0; v < dist.n; ++v)
        if (components.find(v) == v) out.dims[0].pairs.push_back({0.0, std::numeric_limits<double>::infinity()});
    std::reverse(columns.begin(), columns.end());
    if (max_dim < 2) std::vector<Simplex>().swap(simplices);  // edges are needed only to build triangles

    for (int dim = 1; dim <= max_dim; ++dim) {
        DimensionResult result = reduce_dimension(cx, dim, columns, threads);
        add_intervals(out.dims[std::size_t(dim)], result.intervals);
        if (dim == max_dim) break;
        std::vector<Simplex> next = next_simplices(cx, dim, simplices, threads);
        columns = next_columns(cx, dim, next, result, threads);
        if (dim + 1 < max_dim) simplices.swap(next); else std::vector<Simplex>().swap(simplices);
    }

    for (auto& d : out.dims)
        std::sort(d.pairs.begin(), d.pairs.end(), [](const PersistencePair& a, const PersistencePair& b) {
            return a.birth < b.birth || (a.birth == b.birth && a.death < b.death);
        });
    out.meta["backend"] = "native";
    out.meta["threshold"] = text(threshold);
    out.meta["coeff"] = std::to_string(options.coeff);
    return out;
}

}  // namespace actopo::native
