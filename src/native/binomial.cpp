#include "native/binomial.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "actopo/core.hpp"

namespace actopo::native {

Binomial::Binomial(std::size_t n, int max_k) : stride_(std::size_t(max_k) + 1), table_((n + 1) * stride_, 0) {
    const index_t cap = index_t(1) << 62;
    for (std::size_t v = 0; v <= n; ++v) {
        table_[v * stride_] = 1;
        for (std::size_t k = 1; k <= std::size_t(max_k) && k <= v; ++k) {
            index_t s = table_[(v - 1) * stride_ + k - 1] + (k < v ? table_[(v - 1) * stride_ + k] : 0);
            table_[v * stride_ + k] = s > cap ? cap : s;
        }
    }
    if (n >= std::size_t(max_k) && table_[n * stride_ + std::size_t(max_k)] >= cap)
        throw UserError("native backend: " + std::to_string(n) + " points are too many for dimension " +
                        std::to_string(max_k - 2) + " (simplex indices overflow 62 bits); lower --max-dim or subsample");
}

void Binomial::vertices(index_t idx, int dim, std::uint32_t n, std::uint32_t* out) const {
    index_t hi = index_t(n) - 1;
    for (int k = dim + 1; k >= 2; --k) {
        // Largest v <= hi with C(v, k) <= idx. For k = 2 a square root gives it up to rounding; otherwise a
        // binary search in [k - 1, hi] (C(k - 1, k) = 0 <= idx always).
        index_t v;
        if (k == 2) {
            v = index_t((1.0 + std::sqrt(1.0 + 8.0 * double(idx))) * 0.5);
            v = std::max(index_t(1), std::min(v, hi));
            while (v < hi && (*this)(v + 1, 2) <= idx) ++v;
            while ((*this)(v, 2) > idx) --v;
        } else {
            index_t lo = k - 1, top = hi;  // invariant: C(lo, k) <= idx, answer in [lo, top]
            while (lo < top) {
                index_t mid = lo + (top - lo + 1) / 2;
                if ((*this)(mid, k) <= idx) lo = mid; else top = mid - 1;
            }
            v = lo;
        }
        *out++ = std::uint32_t(v);
        idx -= (*this)(v, k);
        hi = v - 1;
    }
    if (dim >= 0) *out = std::uint32_t(idx);  // C(v, 1) = v
}

}  // namespace actopo::native
