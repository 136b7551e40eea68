#include "native/binomial.hpp"

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
    for (int k = dim + 1; k >= 1; --k) {
        index_t lo = k - 1;  // C(k - 1, k) = 0 <= idx
        while (lo < hi) {    // largest v in [lo, hi] with C(v, k) <= idx
            index_t mid = lo + (hi - lo + 1) / 2;
            if ((*this)(mid, k) <= idx) lo = mid; else hi = mid - 1;
        }
        *out++ = std::uint32_t(lo);
        idx -= (*this)(lo, k);
        hi = lo - 1;
    }
}

}  // namespace actopo::native
