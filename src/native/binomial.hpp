#pragma once
// The combinatorial number system: a k-simplex {v_k > ... > v_0} has index sum_i C(v_i, i + 1).
// Indices of one dimension are dense in [0, C(n, k + 1)); cofacets are enumerated from them on the fly.
#include <cstdint>
#include <vector>

namespace actopo::native {

using index_t = std::int64_t;

class Binomial {
public:
    /// C(v, k) for v <= n, k <= max_k; throws UserError when C(n, max_k) does not fit in 62 bits.
    Binomial(std::size_t n, int max_k);
    index_t operator()(index_t v, int k) const { return v < k ? 0 : table_[std::size_t(v) * stride_ + std::size_t(k)]; }
    /// Writes the dim + 1 vertices of simplex `idx`, largest first; all vertices are < n.
    void vertices(index_t idx, int dim, std::uint32_t n, std::uint32_t* out) const;

private:
    std::size_t stride_;
    std::vector<index_t> table_;
};

}  // namespace actopo::native
