// Sliced Wasserstein distance (Carriere et al.), in persim's convention (papers.md): directions
// theta_i = pi (1/2 + i/M), i = 0..M-1; each diagram is completed with the diagonal projections
// ((b+d)/2, (b+d)/2) of the other's points; per direction the L1 distance between the sorted
// projections; the result is the mean over the M directions. Finite pairs only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <future>

#include "actopo/distances.hpp"
#include "distances/finite.hpp"

namespace actopo {
namespace {

/// Order-preserving map of a double to an unsigned key (negative numbers reversed).
std::uint64_t sort_key(double x) {
    std::uint64_t u;
    std::memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : (u | (std::uint64_t(1) << 63));
}

/// Sorts `v`: an LSD radix sort on 11-bit digits for large arrays (faster than std::sort on 10^4 values).
void radix_sort(std::vector<double>& v, std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp) {
    const std::size_t n = v.size();
    if (n < 4096) {  // below this the histograms cost more than a comparison sort
        std::sort(v.begin(), v.end());
        return;
    }
    keys.resize(n);
    tmp.resize(n);
    for (std::size_t i = 0; i < n; ++i) keys[i] = sort_key(v[i]);
    std::size_t count[2048];
    for (int shift = 0; shift < 64; shift += 11) {
        std::fill(count, count + 2048, 0);
        for (auto k : keys) ++count[(k >> shift) & 2047];
        if (n > 0 && count[(keys[0] >> shift) & 2047] == n) continue;  // every key has this digit
        std::size_t sum = 0;
        for (auto& c : count) {
            std::size_t t = c;
            c = sum;
            sum += t;
        }
        for (auto k : keys) tmp[count[(k >> shift) & 2047]++] = k;
        keys.swap(tmp);
    }
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t u = keys[i];
        u = (u >> 63) ? (u & ~(std::uint64_t(1) << 63)) : ~u;
        std::memcpy(&v[i], &u, sizeof u);
    }
}

/// The sorted projections of `points` together with the diagonal projections ((b+d)/2, (b+d)/2) of
/// `others`, on direction (c, s). The diagonal ones are t (c + s) for t = (b+d)/2 given sorted in `mid`,
/// so they need no sort per direction: only a merge.
void sorted_projections(const std::vector<detail::Point2>& points, const std::vector<double>& mid, double c, double s,
                        std::vector<double>& real, std::vector<double>& diag, std::vector<double>& out,
                        std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp) {
    real.resize(points.size());
    for (std::size_t k = 0; k < points.size(); ++k) real[k] = c * points[k].b + s * points[k].d;
    radix_sort(real, keys, tmp);
    const double scale = c + s;
    diag.resize(mid.size());
    for (std::size_t k = 0; k < mid.size(); ++k) diag[k] = mid[k] * scale;
    if (scale < 0) std::reverse(diag.begin(), diag.end());
    out.resize(real.size() + diag.size());
    std::merge(real.begin(), real.end(), diag.begin(), diag.end(), out.begin());
}

std::vector<double> sorted_midpoints(const std::vector<detail::Point2>& points) {
    std::vector<double> mid;
    for (const auto& p : points) mid.push_back((p.b + p.d) / 2);
    std::sort(mid.begin(), mid.end());
    return mid;
}

}  // namespace

double sliced_wasserstein_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options) {
    if (options.directions < 1)
        throw UserError("sliced Wasserstein needs at least 1 direction, got " + std::to_string(options.directions));
    const auto pa = detail::split_diagram(a).finite, pb = detail::split_diagram(b).finite;
    const auto mid_a = sorted_midpoints(pa), mid_b = sorted_midpoints(pb);
    const int M = options.directions;
    // per-direction L1 distances, summed in order afterwards (the same result on any number of threads)
    std::vector<double> l1(std::size_t(M), 0.0);
    auto run = [&](int first, int last) {
        std::vector<double> va, vb, real, diag;
        std::vector<std::uint64_t> keys, tmp;
        for (int i = first; i < last; ++i) {
            const double theta = M_PI * (0.5 + double(i) / M), c = std::cos(theta), s = std::sin(theta);
            sorted_projections(pa, mid_b, c, s, real, diag, va, keys, tmp);  // A and B's diagonal projections
            sorted_projections(pb, mid_a, c, s, real, diag, vb, keys, tmp);  // B and A's diagonal projections
            double d = 0;
            for (std::size_t t = 0; t < va.size(); ++t) d += std::fabs(va[t] - vb[t]);
            l1[std::size_t(i)] = d;
        }
    };
    // large diagrams: the directions on two threads (matrices already run pairs in parallel, with small ones)
    if ((pa.size() + pb.size()) * std::size_t(M) >= 100000 && M >= 2) {
        auto half = std::async(std::launch::async, run, M / 2, M);
        run(0, M / 2);
        half.get();
    } else {
        run(0, M);
    }
    double sum = 0;
    for (double d : l1) sum += d;
    return sum / M;
}

}  // namespace actopo
