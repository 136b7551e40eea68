#pragma once
// Small algorithms several modules share:
//   UnionFind      disjoint sets with path halving; the root of a set is its smallest element
//   average_ranks  1-based ranks with ties sharing their mean rank (Spearman, rank agreement, balanced covers)
//   average_linkage  agglomerative clustering by average linkage (UPGMA): Mapper's class hierarchy, the
//                  report's groups of layers
//   splitmix64     a 64-bit hash (Steele, Lea, Flood 2014): seeded choices that do not depend on the order of work
#include <cstdint>
#include <numeric>
#include <vector>

namespace actopo {

/// splitmix64's step (Steele, Lea, Flood 2014): add the golden-ratio increment, then the finaliser.
inline std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

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

struct LinkageMerge {
    std::size_t left = 0, right = 0;   // < n: an item; else n + the index of an earlier merge
    double height = 0;                 // average dissimilarity between the two groups
    std::vector<std::size_t> members;  // items of the merged group, ascending
};
/// The n - 1 merges of average-linkage clustering of n items, in order, for a symmetric n x n row-major
/// `dissimilarity`. Of equal heights (within 1e-12) the first pair in the order of the current groups merges.
std::vector<LinkageMerge> average_linkage(const std::vector<double>& dissimilarity, std::size_t n);

}  // namespace actopo
