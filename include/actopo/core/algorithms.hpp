#pragma once
// Small algorithms several modules share:
//   UnionFind      disjoint sets with path halving; the root of a set is its smallest element
//   average_ranks  1-based ranks with ties sharing their mean rank (Spearman, rank agreement, balanced covers)
#include <cstdint>
#include <numeric>
#include <vector>

namespace actopo {

class UnionFind {
public:
    explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
    std::uint32_t find(std::uint32_t x) {
        while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
        return x;
    }
    /// Merges the sets of a and b; false when they were one set already.
    bool unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a == b) return false;
        parent_[std::max(a, b)] = std::min(a, b);
        return true;
    }
    /// Puts the single element x into the set of y (x must be alone in its set), keeping y's root.
    void attach(std::uint32_t x, std::uint32_t y) { parent_[x] = find(y); }

private:
    std::vector<std::uint32_t> parent_;
};

/// Ranks 1..n of v's values; tied values share the mean of their ranks.
std::vector<double> average_ranks(const std::vector<double>& v);

}  // namespace actopo
