#include "distances/kdtree.hpp"

#include <algorithm>
#include <numeric>

namespace actopo::detail {

PricedKdTree::PricedKdTree(const std::vector<Point2>& points, const GroundCost& g, const std::vector<double>& price)
    : points_(points), g_(g), price_(price), order_(points.size()), leaf_of_(points.size(), -1) {
    std::iota(order_.begin(), order_.end(), 0u);
    if (!points.empty()) build(0, std::uint32_t(points.size()), -1, 0);
}

std::int32_t PricedKdTree::build(std::uint32_t first, std::uint32_t last, std::int32_t parent, int depth) {
    const auto k = std::int32_t(nodes_.size());
    nodes_.push_back({});
    Node n;
    n.first = first;
    n.last = last;
    n.parent = parent;
    n.b0 = n.d0 = INFINITY;
    n.b1 = n.d1 = -INFINITY;
    for (std::uint32_t t = first; t < last; ++t) {
        const Point2& p = points_[order_[t]];
        n.b0 = std::min(n.b0, p.b), n.b1 = std::max(n.b1, p.b), n.d0 = std::min(n.d0, p.d), n.d1 = std::max(n.d1, p.d);
    }
    constexpr std::uint32_t leaf_size = 8;
    if (last - first > leaf_size) {
        const bool by_birth = (n.b1 - n.b0) >= (n.d1 - n.d0);
        (void)depth;
        const std::uint32_t mid = first + (last - first) / 2;
        std::nth_element(order_.begin() + first, order_.begin() + mid, order_.begin() + last,
                         [&](std::uint32_t x, std::uint32_t y) {
                             return by_birth ? points_[x].b < points_[y].b : points_[x].d < points_[y].d;
                         });
        nodes_[std::size_t(k)] = n;
        std::int32_t l = build(first, mid, k, depth + 1);
        std::int32_t r = build(mid, last, k, depth + 1);
        nodes_[std::size_t(k)].left = l;
        nodes_[std::size_t(k)].right = r;
    } else {
        nodes_[std::size_t(k)] = n;
        for (std::uint32_t t = first; t < last; ++t) leaf_of_[order_[t]] = k;
    }
    refresh(k);
    return k;
}

void PricedKdTree::refresh(std::int32_t k) {
    Node& n = nodes_[std::size_t(k)];
    if (n.left < 0) {
        n.min_price = INFINITY;
        for (std::uint32_t t = n.first; t < n.last; ++t) n.min_price = std::min(n.min_price, price_[order_[t]]);
    } else {
        n.min_price = std::min(nodes_[std::size_t(n.left)].min_price, nodes_[std::size_t(n.right)].min_price);
    }
}

void PricedKdTree::update(std::size_t j) {
    for (std::int32_t k = leaf_of_[j]; k >= 0; k = nodes_[std::size_t(k)].parent) {
        double before = nodes_[std::size_t(k)].min_price;
        refresh(k);
        if (nodes_[std::size_t(k)].min_price == before) break;
    }
}

}  // namespace actopo::detail
