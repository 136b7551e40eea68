#include "distances/grid.hpp"

#include <algorithm>
#include <numeric>

namespace actopo::detail {

PlaneGrid::PlaneGrid(const std::vector<Point2>& points, double cell) : points_(points), cell_(cell) {
    double span = 0;
    for (const auto& p : points) span = std::max({span, std::fabs(p.b), std::fabs(p.d)});
    cell_ = std::max(cell_, span * 1e-9 + 1e-300);  // keeps cell coordinates within int64
    std::vector<std::uint64_t> keys(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) keys[i] = key(coord(points[i].b), coord(points[i].d));
    order_.resize(points.size());
    std::iota(order_.begin(), order_.end(), 0u);
    std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
    cells_.reserve(points.size());
    for (std::uint32_t k = 0; k < order_.size();) {
        std::uint32_t e = k;
        while (e < order_.size() && keys[order_[e]] == keys[order_[k]]) ++e;
        cells_[keys[order_[k]]] = {k, e};
        k = e;
    }
}

}  // namespace actopo::detail
