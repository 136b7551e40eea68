#pragma once
// Internal: a uniform grid over plane points for L-infinity neighbour queries (bottleneck).
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "distances/finite.hpp"

namespace actopo::detail {

inline double linf(const Point2& a, const Point2& b) { return std::max(std::fabs(a.b - b.b), std::fabs(a.d - b.d)); }

class PlaneGrid {
public:
    /// Buckets `points` into square cells of side `cell` (> 0).
    PlaneGrid(const std::vector<Point2>& points, double cell);
    /// Calls f(index, distance) for every point within L-infinity distance r of q.
    template <class F>
    void near(const Point2& q, double r, F&& f) const {
        const std::int64_t x0 = coord(q.b - r), x1 = coord(q.b + r), y0 = coord(q.d - r), y1 = coord(q.d + r);
        for (std::int64_t x = x0; x <= x1; ++x)
            for (std::int64_t y = y0; y <= y1; ++y) {
                auto it = cells_.find(key(x, y));
                if (it == cells_.end()) continue;
                for (std::uint32_t k = it->second.first; k < it->second.second; ++k) {
                    std::uint32_t i = order_[k];
                    double dist = linf(q, points_[i]);
                    if (dist <= r) f(i, dist);
                }
            }
    }

private:
    std::int64_t coord(double v) const { return std::int64_t(std::floor(v / cell_)); }
    static std::uint64_t key(std::int64_t x, std::int64_t y) {
        return (std::uint64_t(x) * 0x9E3779B97F4A7C15ULL) ^ std::uint64_t(y);
    }
    const std::vector<Point2>& points_;
    double cell_;
    std::vector<std::uint32_t> order_;
    std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>> cells_;
};

}  // namespace actopo::detail
