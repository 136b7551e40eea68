// Approximate Wasserstein cost by a forward auction (Bertsekas) with epsilon scaling. Bidders are A's
// points and m interchangeable diagonal bidders (one per point of B); objects are B's points and n
// interchangeable diagonal objects. A diagonal bidder taking b_j costs b_j's diagonal cost; a point of A
// taking a diagonal object costs its own diagonal cost; diagonal to diagonal is free. Interchangeable
// objects are served from lazy min-heaps of their prices, B's points from a k-d tree that keeps the
// smallest price of each subtree (branch and bound on cost + price). An epsilon-optimal assignment costs at most
// N * eps above the optimum; phases stop once (1 + delta) N eps <= delta * cost, i.e. cost <= (1 + delta) opt.
#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <vector>

#include "actopo/core.hpp"
#include "distances/kdtree.hpp"
#include "distances/ground.hpp"

namespace actopo::detail {
namespace {

/// Min-heap of (key, object) where an entry is current only while key equals the object's key.
class LazyHeap {
public:
    void push(double key, std::size_t obj) { heap_.push({key, obj}); }
    /// The two smallest current entries (obj = npos when missing).
    template <class Key>
    void top2(const Key& key_of, std::pair<double, std::size_t>& first, std::pair<double, std::size_t>& second) {
        first = second = {inf(), npos};
        clean(key_of);
        if (heap_.empty()) return;
        auto t = heap_.top();
        heap_.pop();
        clean(key_of);
        first = {t.key, t.obj};
        if (!heap_.empty()) second = {heap_.top().key, heap_.top().obj};
        heap_.push(t);
    }
    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    static double inf() { return std::numeric_limits<double>::infinity(); }

private:
    struct Entry {
        double key;
        std::size_t obj;
        bool operator<(const Entry& o) const { return key > o.key; }
    };
    template <class Key>
    void clean(const Key& key_of) {
        while (!heap_.empty() && heap_.top().key != key_of(heap_.top().obj)) heap_.pop();
    }
    std::priority_queue<Entry> heap_;
};

struct Choice {
    double value = -std::numeric_limits<double>::infinity();
    std::size_t obj = LazyHeap::npos;
};
void offer(Choice& best, Choice& second, double value, std::size_t obj) {
    if (value > best.value) {
        second = best;
        best = {value, obj};
    } else if (value > second.value) {
        second = {value, obj};
    }
}

}  // namespace

double wasserstein_cost_auction(const std::vector<Point2>& a, const std::vector<Point2>& b, const GroundCost& g,
                                double relative_error) {
    const std::size_t n = a.size(), m = b.size(), N = n + m;
    if (N == 0) return 0;
    std::vector<double> da(n), db(m);
    double max_cost = 0;
    for (std::size_t i = 0; i < n; ++i) max_cost = std::max(max_cost, da[i] = g.diagonal_cost(a[i]));
    for (std::size_t j = 0; j < m; ++j) max_cost = std::max(max_cost, db[j] = g.diagonal_cost(b[j]));
    // objects 0..m-1: B's points; m..N-1: diagonal objects. bidders 0..n-1: A's points; n..N-1: diagonal.
    std::vector<double> price(N, 0.0);
    PricedKdTree tree(b, g, price);  // B's points, searched by cost + price
    std::vector<std::size_t> owner(N), assigned(N);
    const std::size_t npos = LazyHeap::npos;
    auto bid_cost = [&](std::size_t bidder, std::size_t obj) -> double {
        if (bidder < n) return obj < m ? g.cost(a[bidder], b[obj]) : da[bidder];
        return obj < m ? db[obj] : 0.0;
    };
    double eps = std::max(max_cost / 4, 1e-300);
    const double eps_floor = max_cost * 1e-12 / double(N);
    for (;;) {
        std::fill(owner.begin(), owner.end(), npos);
        std::fill(assigned.begin(), assigned.end(), npos);
        LazyHeap diag_price, point_diag;  // diagonal objects by price; B's points by db + price
        for (std::size_t o = m; o < N; ++o) diag_price.push(price[o], o);
        for (std::size_t j = 0; j < m; ++j) point_diag.push(db[j] + price[j], j);
        auto diag_key = [&](std::size_t o) { return price[o]; };
        auto point_key = [&](std::size_t j) { return db[j] + price[j]; };
        std::vector<std::size_t> unassigned(N);
        for (std::size_t k = 0; k < N; ++k) unassigned[k] = N - 1 - k;
        std::size_t bids = 0;
        while (!unassigned.empty()) {
            const std::size_t bidder = unassigned.back();
            unassigned.pop_back();
            Choice best, second;
            std::pair<double, std::size_t> d1, d2;
            diag_price.top2(diag_key, d1, d2);
            if (bidder < n) {
                if (d1.second != npos) offer(best, second, -da[bidder] - d1.first, d1.second);
                if (d2.second != npos) offer(best, second, -da[bidder] - d2.first, d2.second);
                tree.search(a[bidder], [&](double value, std::size_t j) { offer(best, second, value, j); },
                            [&] { return second.value; });
            } else {
                std::pair<double, std::size_t> p1, p2;
                point_diag.top2(point_key, p1, p2);
                for (auto c : {p1, p2, d1, d2})
                    if (c.second != npos) offer(best, second, -c.first, c.second);
            }
            const std::size_t obj = best.obj;
            price[obj] += (second.obj == npos ? 0.0 : best.value - second.value) + eps;
            if (obj >= m) {
                diag_price.push(price[obj], obj);
            } else {
                point_diag.push(db[obj] + price[obj], obj);
                tree.update(obj);
            }
            if (owner[obj] != npos) {
                assigned[owner[obj]] = npos;
                unassigned.push_back(owner[obj]);
            }
            owner[obj] = bidder;
            assigned[bidder] = obj;
            if (++bids % 4096 == 0) throw_if_cancelled();
        }
        double cost = 0;
        for (std::size_t k = 0; k < N; ++k) cost += bid_cost(k, assigned[k]);
        const double slack = double(N) * eps;
        if ((1 + relative_error) * slack <= relative_error * cost || eps <= eps_floor || cost == 0) return cost;
        eps /= 5;
    }
}

}  // namespace actopo::detail
