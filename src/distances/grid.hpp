#pragma once
// Internal: a uniform grid over plane points for L-infinity neighbour queries (bottleneck). Dense: the
// cells cover the points' bounding box (at most about 12 cells per point; the side grows to keep that).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "distances/finite.hpp"

namespace actopo::detail {

inline double linf(const Point2& a, const Point2& b) { return std::max(std::fabs(a.b - b.b), std::fabs(a.d - b.d)); }

class PlaneGrid {
public:
    /// Buckets `points` into square cells of side at least `cell` (> 0).
    PlaneGrid(const std::vector<Point2>& points, double cell);
    /// Calls f(index, distance) for every point within L-infinity distance r of q.
    template <class F>
    void near(const Point2& q, double r, F&& f) const {
        if (points_.empty()) return;
        const std::int64_t x0 = std::max<std::int64_t>(0, coord(q.b - r, lo_b_)),
                           x1 = std::min<std::int64_t>(nx_ - 1, coord(q.b + r, lo_b_)),
                           y0 = std::max<std::int64_t>(0, coord(q.d - r, lo_d_)),
                           y1 = std::min<std::int64_t>(ny_ - 1, coord(q.d + r, lo_d_));
        if (y0 > y1) return;
        for (std::int64_t x = x0; x <= x1; ++x) {
            // the cells (x, y0..y1) are contiguous in the CSR order
            const std::uint32_t begin = start_[std::size_t(x * ny_ + y0)], end = start_[std::size_t(x * ny_ + y1 + 1)];
            for (std::uint32_t k = begin; k < end; ++k) {
                const Point2& p = sorted_[k];
                double dist = std::max(std::fabs(q.b - p.b), std::fabs(q.d - p.d));
                if (dist <= r) f(order_[k], dist);
            }
        }
    }

private:
    std::int64_t coord(double v, double lo) const {
        double c = std::floor((v - lo) / cell_);
        return c < -1 ? -1 : c > 4e9 ? std::int64_t(4e9) : std::int64_t(c);
    }
    const std::vector<Point2>& points_;
    double cell_ = 1, lo_b_ = 0, lo_d_ = 0;
    std::int64_t nx_ = 0, ny_ = 0;
    std::vector<std::uint32_t> order_, start_;  // order_: point indices by cell; start_: CSR offsets per cell
    std::vector<Point2> sorted_;                // the points in order_ (contiguous scans)
};

}  // namespace actopo::detail
