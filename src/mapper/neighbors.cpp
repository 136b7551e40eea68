// Exact neighbour search by blocked Gram products; see neighbors.hpp.
#include "mapper/neighbors.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <thread>

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

/// Unit vector along the top principal direction (a few power iterations; deterministic start).
Eigen::VectorXf top_direction(const RowMatrix& s) {
    Eigen::VectorXf v = Eigen::VectorXf::LinSpaced(s.cols(), 1.0f, 2.0f);
    for (int it = 0; it < 8; ++it) {
        Eigen::VectorXf w = s.transpose() * (s * v);
        float norm = w.norm();
        if (!(norm > 0)) break;
        v = w / norm;
    }
    float norm = v.norm();
    return norm > 0 ? Eigen::VectorXf(v / norm) : v;
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
    RowMatrix s = gather_centred(rows, set);
    Eigen::VectorXf v = top_direction(s);
    Eigen::VectorXf proj = s * v;
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return proj[Eigen::Index(a)] < proj[Eigen::Index(b)] || (proj[Eigen::Index(a)] == proj[Eigen::Index(b)] && a < b);
    });
    RowMatrix sorted(s.rows(), s.cols());
    std::vector<float> p(m);
    for (std::size_t i = 0; i < m; ++i) {
        sorted.row(Eigen::Index(i)) = s.row(Eigen::Index(order[i]));
        p[i] = proj[Eigen::Index(order[i])];
    }
    Eigen::VectorXf norms = sorted.rowwise().squaredNorm();
    const double radius = std::sqrt(squared_radius);
    const float slack = float(radius * 1e-4 + 1e-6);
    for (std::size_t a = 0; a < m; a += kBlock) {
        throw_if_cancelled();
        const std::size_t a_end = std::min(m, a + kBlock);
        const float reach = p[a_end - 1] + float(radius) + slack;
        const std::size_t c_end = std::size_t(std::upper_bound(p.begin(), p.end(), reach) - p.begin());
        const std::size_t c_begin = a;
        if (c_end <= c_begin + 1) continue;
        Eigen::MatrixXf gram = sorted.middleRows(Eigen::Index(a), Eigen::Index(a_end - a)) *
                               sorted.middleRows(Eigen::Index(c_begin), Eigen::Index(c_end - c_begin)).transpose();
        for (std::size_t i = a; i < a_end; ++i) {
            const float ni = norms[Eigen::Index(i)];
            for (std::size_t j = std::max(i + 1, c_begin); j < c_end; ++j) {
                if (p[j] - p[i] > float(radius) + slack) break;
                float sq = ni + norms[Eigen::Index(j)] - 2.0f * gram(Eigen::Index(i - a), Eigen::Index(j - c_begin));
                const double tol = 1e-4 * (double(ni) + double(norms[Eigen::Index(j)])) + 1e-12;
                if (double(sq) > squared_radius + tol) continue;
                if (std::abs(double(sq) - squared_radius) <= tol) {  // borderline: decide in double
                    double exact = squared_distance(rows, set[order[i]], set[order[j]]);
                    if (exact > squared_radius) continue;
                    sq = float(exact);
                }
                std::uint32_t x = std::uint32_t(order[i]), y = std::uint32_t(order[j]);
                out.push_back({std::min(x, y), std::max(x, y), std::max(0.0f, sq)});
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

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& fn) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, count));
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i) fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < count;) {
                try {
                    fn(i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                    next = count;
                }
            }
        });
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace actopo::mapper::detail
