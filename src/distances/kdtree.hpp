#pragma once
// Internal: a k-d tree over plane points carrying a price per point, for the auction's bids: finds the
// points of smallest cost(q, point) + price by branch and bound (box distance + smallest price below).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "distances/ground.hpp"

namespace actopo::detail {

class PricedKdTree {
public:
    PricedKdTree(const std::vector<Point2>& points, const GroundCost& g, const std::vector<double>& price);
    /// Call after price[j] changed (prices only grow).
    void update(std::size_t j);
    /// Calls offer(value, j) with value = -(cost + price) for every point that may rank above
    /// `bound()` (a callable returning the current second-best value); others are pruned.
    template <class Offer, class Bound>
    void search(const Point2& q, Offer&& offer, Bound&& bound) const {
        if (!nodes_.empty()) visit(0, q, offer, bound);
    }

private:
    struct Node {
        double b0, b1, d0, d1;  // bounding box
        double min_price;
        std::uint32_t first, last;  // range in order_
        std::int32_t left = -1, right = -1, parent = -1;
    };
    double box_cost(const Node& n, const Point2& q) const {
        const double dx = std::max(0.0, std::max(n.b0 - q.b, q.b - n.b1));
        const double dy = std::max(0.0, std::max(n.d0 - q.d, q.d - n.d1));
        return g_.cost(Point2{0, 0}, Point2{dx, dy});
    }
    template <class Offer, class Bound>
    void visit(std::int32_t k, const Point2& q, Offer& offer, Bound& bound) const {
        const Node& n = nodes_[std::size_t(k)];
        if (-(box_cost(n, q) + n.min_price) <= bound()) return;
        if (n.left < 0) {
            for (std::uint32_t t = n.first; t < n.last; ++t) {
                std::uint32_t j = order_[t];
                offer(-(g_.cost(q, points_[j]) + price_[j]), j);
            }
            return;
        }
        const Node &l = nodes_[std::size_t(n.left)], &r = nodes_[std::size_t(n.right)];
        bool left_first = box_cost(l, q) + l.min_price <= box_cost(r, q) + r.min_price;
        visit(left_first ? n.left : n.right, q, offer, bound);
        visit(left_first ? n.right : n.left, q, offer, bound);
    }
    std::int32_t build(std::uint32_t first, std::uint32_t last, std::int32_t parent, int depth);
    void refresh(std::int32_t k);

    const std::vector<Point2>& points_;
    GroundCost g_;
    const std::vector<double>& price_;
    std::vector<std::uint32_t> order_;
    std::vector<std::int32_t> leaf_of_;
    std::vector<Node> nodes_;
};

}  // namespace actopo::detail
