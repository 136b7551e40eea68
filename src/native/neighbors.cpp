#include "native/neighbors.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "actopo/metric.hpp"
#include "native/parallel.hpp"

namespace actopo::native {

float NeighborLists::operator()(std::uint32_t i, std::uint32_t j) const {
    if (i == j) return 0.0f;
    if (size(j) < size(i)) std::swap(i, j);
    // decreasing vertex order: the first entry whose v is <= j
    const Neighbor* it = std::lower_bound(begin(i), end(i), j, [](const Neighbor& a, std::uint32_t v) { return a.v > v; });
    return it != end(i) && it->v == j ? it->d : std::numeric_limits<float>::infinity();
}

namespace {

float exact(const RipsInput& in, std::size_t i, std::size_t j) {
    const float d = float(prepared_distance(in.points, i, j, in.metric));
    if (std::isnan(d))
        throw UserError("native backend: the distance between points " + std::to_string(i) + " and " + std::to_string(j) +
                        " is NaN; expected finite coordinates");
    return d;
}

}  // namespace

std::optional<NeighborLists> neighbors_within(const RipsInput& in, float threshold, int threads, const std::vector<float>& radius) {
    const std::size_t n = in.n, dim = in.points.cols;
    auto bound = [&](std::size_t i, std::size_t j) { return radius.empty() ? threshold : std::min({threshold, radius[i], radius[j]}); };
    // A quarter of the pairs or more within the threshold: the triangle is smaller (4 bytes a pair against
    // 16 bytes a pair in the two lists).
    const std::size_t probes = std::min<std::size_t>(n, 64);
    std::size_t within = 0;
    for (std::size_t k = 0; k < probes; ++k) {
        const std::size_t i = k * n / probes;
        for (std::size_t j = 0; j < n; ++j) within += j != i && exact(in, i, j) <= bound(i, j);
    }
    if (4 * within >= probes * (n - 1)) return std::nullopt;

    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor> p(in.points.data, Eigen::Index(n), Eigen::Index(dim));
    const Eigen::VectorXf sq = p.rowwise().squaredNorm();
    const bool euclidean = in.metric == Metric::euclidean;
    // The product's rounding is below cols * 2^-24 of |a| |b|; the margin is several times that.
    const float rel = 4e-7f * float(dim) + 1e-5f;
    constexpr std::size_t block_rows = 256, block_cols = 4096;
    std::vector<std::vector<Neighbor>> rows(n);
    const std::size_t blocks = (n + block_rows - 1) / block_rows;
    run_threads(threads, [&](int t) {  // row blocks interleaved: every row's list is made by one thread
        Eigen::MatrixXf g;
        for (std::size_t b = std::size_t(t); b < blocks; b += std::size_t(std::max(1, threads))) {
            if (cancel_requested()) return;
            const std::size_t i0 = b * block_rows, ni = std::min(block_rows, n - i0);
            for (std::size_t j0 = 0; j0 < n; j0 += block_cols) {
                const std::size_t nj = std::min(block_cols, n - j0);
                g.noalias() = p.middleRows(Eigen::Index(i0), Eigen::Index(ni)) *
                              p.middleRows(Eigen::Index(j0), Eigen::Index(nj)).transpose();
                for (std::size_t a = 0; a < ni; ++a) {
                    const std::size_t i = i0 + a;
                    for (std::size_t c = 0; c < nj; ++c) {
                        const std::size_t j = j0 + c;
                        if (j == i) continue;
                        const float dot = g(Eigen::Index(a), Eigen::Index(c)), b = bound(i, j);
                        const bool candidate =
                            euclidean ? sq[Eigen::Index(i)] + sq[Eigen::Index(j)] - 2 * dot <=
                                            b * b * 1.001f + rel * (sq[Eigen::Index(i)] + sq[Eigen::Index(j)])
                                      : 1 - dot <= b + rel;
                        if (!candidate) continue;
                        const float d = exact(in, i, j);
                        if (d <= b) rows[i].push_back(Neighbor{std::uint32_t(j), d + 0.0f});
                    }
                }
            }
        }
    });
    throw_if_cancelled();
    NeighborLists out;
    out.n = std::uint32_t(n);
    out.start.assign(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) out.start[i + 1] = out.start[i] + rows[i].size();
    out.list.reserve(out.start[n]);
    for (auto& row : rows) {  // decreasing vertex order; each row freed once copied
        out.list.insert(out.list.end(), row.rbegin(), row.rend());
        std::vector<Neighbor>().swap(row);
    }
    return out;
}

NeighborLists lists_from_edges(std::uint32_t n, std::vector<RipsInput::Edge> edges) {
    // Each edge once as (larger, smaller) vertex; a stable sort keeps the given order among copies of one edge.
    for (auto& e : edges)
        if (e.i < e.j) std::swap(e.i, e.j);
    std::stable_sort(edges.begin(), edges.end(), [](const RipsInput::Edge& a, const RipsInput::Edge& b) {
        return a.i != b.i ? a.i < b.i : a.j < b.j;
    });
    std::size_t kept = 0;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        if (edges[k].i == edges[k].j) continue;
        if (kept > 0 && edges[kept - 1].i == edges[k].i && edges[kept - 1].j == edges[k].j) --kept;  // the last copy counts
        edges[kept++] = edges[k];
    }
    edges.resize(kept);
    NeighborLists out;
    out.n = n;
    out.start.assign(std::size_t(n) + 1, 0);
    for (const auto& e : edges) ++out.start[std::size_t(e.i) + 1], ++out.start[std::size_t(e.j) + 1];
    for (std::uint32_t v = 0; v < n; ++v) out.start[std::size_t(v) + 1] += out.start[v];
    out.list.resize(out.start[n]);
    // Decreasing neighbours: row v holds its larger neighbours (edges (u, v)) before its smaller ones (edges (v, w)).
    // Each row is filled from its end, the edges in ascending order: first its smaller neighbours, smallest last,
    // then its larger ones, smallest next to them.
    std::vector<std::size_t> fill(out.start.begin() + 1, out.start.end());
    for (const auto& e : edges) out.list[--fill[e.i]] = Neighbor{e.j, e.d + 0.0f};
    for (const auto& e : edges) out.list[--fill[e.j]] = Neighbor{e.i, e.d + 0.0f};
    return out;
}

float enclosing_radius(const NeighborLists& lists) {
    float best = lists.n <= 1 ? 0.0f : std::numeric_limits<float>::infinity();
    for (std::uint32_t v = 0; v < lists.n; ++v) {
        if (lists.size(v) + 1 != lists.n) continue;
        float far = 0;
        for (const Neighbor* nb = lists.begin(v); nb != lists.end(v); ++nb) far = std::max(far, nb->d);
        best = std::min(best, far);
    }
    return best;
}

}  // namespace actopo::native
