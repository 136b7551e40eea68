#include "distances/grid.hpp"

namespace actopo::detail {

PlaneGrid::PlaneGrid(const std::vector<Point2>& points, double cell) : points_(points) {
    if (points.empty()) return;
    double hi_b = -INFINITY, hi_d = -INFINITY;
    lo_b_ = lo_d_ = INFINITY;
    for (const auto& p : points) {
        lo_b_ = std::min(lo_b_, p.b), hi_b = std::max(hi_b, p.b);
        lo_d_ = std::min(lo_d_, p.d), hi_d = std::max(hi_d, p.d);
    }
    const double wb = hi_b - lo_b_, wd = hi_d - lo_d_;
    // at most about 12 cells per point: side >= sqrt(area / (4 n + 16)) and >= extent / (4 n + 16)
    const double n = double(points.size());
    cell_ = std::max({cell, std::sqrt(wb * wd / (4 * n + 16)), std::max(wb, wd) / (4 * n + 16), 1e-300});
    nx_ = std::int64_t(std::floor(wb / cell_)) + 1;
    ny_ = std::int64_t(std::floor(wd / cell_)) + 1;
    const std::size_t cells = std::size_t(nx_ * ny_);
    std::vector<std::uint32_t> cell_of(points.size());
    start_.assign(cells + 1, 0);
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::int64_t x = std::min(nx_ - 1, coord(points[i].b, lo_b_)), y = std::min(ny_ - 1, coord(points[i].d, lo_d_));
        cell_of[i] = std::uint32_t(x * ny_ + y);
        ++start_[cell_of[i] + 1];
    }
    for (std::size_t c = 0; c < cells; ++c) start_[c + 1] += start_[c];
    order_.resize(points.size());
    sorted_.resize(points.size());
    std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
    for (std::uint32_t i = 0; i < points.size(); ++i) {
        const std::uint32_t k = fill[cell_of[i]]++;
        order_[k] = i;
        sorted_[k] = points[i];
    }
}

}  // namespace actopo::detail
