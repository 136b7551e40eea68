#include "native/complex.hpp"

namespace actopo::native {

Complex::Complex(const DenseDistances& d, float threshold, int max_dim, std::uint32_t p, bool sparse)
    : dist(d), binom(d.n, max_dim + 2), threshold(threshold), p(p), n(d.n),
      prefetch_(d.lower.size() * sizeof(float) > (std::size_t(1) << 20)), sparse_(sparse) {
    if (!sparse_) return;
    neighbors_.resize(n);
    for (std::uint32_t i = n; i-- > 0;)  // decreasing neighbours: j from n - 1 down
        for (std::uint32_t j = n; j-- > 0;)
            if (j != i && d(i, j) <= threshold) neighbors_[i].push_back(Neighbor{j, d(i, j)});
}

}  // namespace actopo::native
