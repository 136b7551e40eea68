// Exact neighbour search by blocked Gram products; see neighbors.hpp.
#include "mapper/neighbors.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

namespace actopo::mapper::detail {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr std::size_t kBlock = 256;

/// The rows of `set`, centred (distances are unchanged; the Gram trick loses less precision).
RowMatrix gather_centred(const Matrix& rows, const std::vector<std::size_t>& set) {
    RowMatrix s(Eigen::Index(set.size()), Eigen::Index(rows.cols));
    for (std::size_t i = 0; i < set.size(); ++i)
        std::copy(rows.row(set[i]), rows.row(set[i]) + rows.cols, s.row(Eigen::Index(i)).data());
    if (!set.empty()) {
        Eigen::RowVectorXf mean = s.colwise().mean();
        s.rowwise() -= mean;
    }
    return s;
}

}  // namespace

double from_squared(double squared, Metric metric) {
    squared = std::max(0.0, squared);
    return metric == Metric::euclidean ? std::sqrt(squared) : squared / 2.0;
}

double to_squared(double distance, Metric metric) {
    return metric == Metric::euclidean ? distance * distance : 2.0 * distance;
}

double squared_distance(const Matrix& rows, std::size_t a, std::size_t b) {
    const float* x = rows.row(a);
    const float* y = rows.row(b);
    double s = 0;
    for (std::size_t k = 0; k < rows.cols; ++k) {
        double d = double(x[k]) - double(y[k]);
        s += d * d;
    }
    return s;
}

std::vector<Pair> pairs_within(const Matrix& rows, const std::vector<std::size_t>& set, double squared_radius) {
    std::vector<Pair> out;
    const std::size_t m = set.size();
    if (m < 2 || !(squared_radius >= 0)) return out;
    const RowMatrix s = gather_centred(rows, set);
    const Eigen::VectorXf norms = s.rowwise().squaredNorm();
    // 1. balls: a few Lloyd rounds from a seeded sample of centres
    const std::size_t groups = std::clamp<std::size_t>(m / 128, 1, 512);
    std::vector<std::size_t> pick(m);
    std::iota(pick.begin(), pick.end(), 0);
    std::shuffle(pick.begin(), pick.end(), std::mt19937_64(m));
    RowMatrix centres(Eigen::Index(groups), s.cols());
    for (std::size_t g = 0; g < groups; ++g) centres.row(Eigen::Index(g)) = s.row(Eigen::Index(pick[g]));
    std::vector<std::size_t> group(m, 0);
    std::vector<float> to_centre(m, 0.0f);
    for (int round = 0; round < 3; ++round) {
        const Eigen::VectorXf cn = centres.rowwise().squaredNorm();
        for (std::size_t a = 0; a < m; a += 4096) {  // assignment, in blocks of rows
            const std::size_t a_end = std::min(m, a + 4096);
            RowMatrix gram = s.middleRows(Eigen::Index(a), Eigen::Index(a_end - a)) * centres.transpose();
            for (std::size_t i = a; i < a_end; ++i) {
                float best = std::numeric_limits<float>::infinity();
                for (std::size_t g = 0; g < groups; ++g) {
                    float sq = norms[Eigen::Index(i)] + cn[Eigen::Index(g)] - 2.0f * gram(Eigen::Index(i - a), Eigen::Index(g));
                    if (sq < best) best = sq, group[i] = g;
                }
            }
        }
        if (round == 2) break;
        RowMatrix sum = RowMatrix::Zero(centres.rows(), centres.cols());
        std::vector<std::size_t> count(groups, 0);
        for (std::size_t i = 0; i < m; ++i) sum.row(Eigen::Index(group[i])) += s.row(Eigen::Index(i)), ++count[group[i]];
        for (std::size_t g = 0; g < groups; ++g)
            if (count[g] > 0) centres.row(Eigen::Index(g)) = sum.row(Eigen::Index(g)) / float(count[g]);
    }
    // 2. points ordered by ball; each ball's exact radius
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return group[a] < group[b]; });
    std::vector<std::size_t> start(groups + 1, 0);
    for (std::size_t i = 0; i < m; ++i) ++start[group[i] + 1];
    for (std::size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
    RowMatrix sorted(s.rows(), s.cols());
    for (std::size_t i = 0; i < m; ++i) sorted.row(Eigen::Index(i)) = s.row(Eigen::Index(order[i]));
    const Eigen::VectorXf sn = sorted.rowwise().squaredNorm();
    std::vector<double> radius(groups, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t g = group[order[i]];
        radius[g] = std::max(radius[g], double((sorted.row(Eigen::Index(i)) - centres.row(Eigen::Index(g))).norm()));
    }
    // 3. Gram blocks only between balls that can hold a pair within the radius
    const double r = std::sqrt(squared_radius);
    for (std::size_t a = 0; a < groups; ++a) {
        throw_if_cancelled();
        const std::size_t a0 = start[a], a1 = start[a + 1];
        if (a0 == a1) continue;
        for (std::size_t b = a; b < groups; ++b) {
            const std::size_t b0 = start[b], b1 = start[b + 1];
            if (b0 == b1) continue;
            const double gap = double((centres.row(Eigen::Index(a)) - centres.row(Eigen::Index(b))).norm());
            if (gap > radius[a] + radius[b] + r + 1e-4 * (gap + r) + 1e-6) continue;
            RowMatrix gram = sorted.middleRows(Eigen::Index(a0), Eigen::Index(a1 - a0)) *
                             sorted.middleRows(Eigen::Index(b0), Eigen::Index(b1 - b0)).transpose();
            for (std::size_t i = a0; i < a1; ++i) {
                const float ni = sn[Eigen::Index(i)];
                for (std::size_t j = (a == b ? i + 1 : b0); j < b1; ++j) {
                    const float nj = sn[Eigen::Index(j)];
                    float sq = ni + nj - 2.0f * gram(Eigen::Index(i - a0), Eigen::Index(j - b0));
                    const double tol = 1e-4 * (double(ni) + double(nj)) + 1e-12;
                    if (double(sq) > squared_radius + tol) continue;
                    if (std::abs(double(sq) - squared_radius) <= tol) {  // borderline: decide in double
                        const double exact = squared_distance(rows, set[order[i]], set[order[j]]);
                        if (exact > squared_radius) continue;
                        sq = float(exact);
                    }
                    const auto x = std::uint32_t(order[i]), y = std::uint32_t(order[j]);
                    out.push_back({std::min(x, y), std::max(x, y), std::max(0.0f, sq)});
                }
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const Pair& a, const Pair& b) { return a.i < b.i || (a.i == b.i && a.j < b.j); });
    return out;
}

namespace {
/// Calls fn(query, squared distances to every point of the set) for blocks of queries, in parallel.
void for_each_query_row(const Matrix& rows, const std::vector<std::size_t>& set,
                        const std::vector<std::size_t>& queries, unsigned threads,
                        const std::function<void(std::size_t, const float*, std::size_t)>& fn) {
    RowMatrix s = gather_centred(rows, set);
    Eigen::VectorXf norms = s.rowwise().squaredNorm();
    const std::size_t m = set.size();
    const std::size_t blocks = (queries.size() + kBlock - 1) / kBlock;
    parallel_for(blocks, threads, [&](std::size_t b) {
        throw_if_cancelled();
        const std::size_t q0 = b * kBlock, q1 = std::min(queries.size(), q0 + kBlock);
        RowMatrix q(Eigen::Index(q1 - q0), s.cols());
        for (std::size_t i = q0; i < q1; ++i) q.row(Eigen::Index(i - q0)) = s.row(Eigen::Index(queries[i]));
        RowMatrix gram = q * s.transpose();
        std::vector<float> sq(m);
        for (std::size_t i = q0; i < q1; ++i) {
            const float nq = norms[Eigen::Index(queries[i])];
            for (std::size_t j = 0; j < m; ++j)
                sq[j] = std::max(0.0f, nq + norms[Eigen::Index(j)] - 2.0f * gram(Eigen::Index(i - q0), Eigen::Index(j)));
            sq[queries[i]] = 0.0f;
            fn(i, sq.data(), m);
        }
    });
}
}  // namespace

std::vector<double> kth_neighbour(const Matrix& rows, const std::vector<std::size_t>& set,
                                  const std::vector<std::size_t>& queries, std::size_t k, unsigned threads) {
    std::vector<double> out(queries.size(), std::numeric_limits<double>::infinity());
    if (set.size() <= k) return out;
    for_each_query_row(rows, set, queries, threads, [&](std::size_t i, const float* sq, std::size_t m) {
        std::vector<float> d(sq, sq + m);
        d[queries[i]] = std::numeric_limits<float>::infinity();  // not its own neighbour
        std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(k - 1), d.end());
        out[i] = d[k - 1];
    });
    return out;
}

std::vector<double> mean_distance(const Matrix& rows, const std::vector<std::size_t>& set, Metric metric,
                                  unsigned threads) {
    std::vector<double> out(set.size(), 0.0);
    if (set.size() < 2) return out;
    std::vector<std::size_t> all(set.size());
    std::iota(all.begin(), all.end(), 0);
    for_each_query_row(rows, set, all, threads, [&](std::size_t i, const float* sq, std::size_t m) {
        double sum = 0;
        for (std::size_t j = 0; j < m; ++j) sum += from_squared(sq[j], metric);
        out[i] = sum / double(m - 1);
    });
    return out;
}

}  // namespace actopo::mapper::detail
