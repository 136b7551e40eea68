#include "native/complex.hpp"

namespace actopo::native {

Complex::Complex(const DenseDistances& d, float threshold, int max_dim, std::uint32_t p, bool sparse)
    : binom(d.n, max_dim + 2), threshold(threshold), p(p), n(d.n), dense_(&d),
      prefetch_(d.lower.size() * sizeof(float) > (std::size_t(1) << 20)), sparse_(sparse) {
    if (!sparse_) return;
    neighbors_.n = n;
    neighbors_.start.assign(std::size_t(n) + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) {  // decreasing neighbours: j from n - 1 down
        for (std::uint32_t j = n; j-- > 0;)
            if (j != i && d(i, j) <= threshold) neighbors_.list.push_back(Neighbor{j, d(i, j)});
        neighbors_.start[std::size_t(i) + 1] = neighbors_.list.size();
    }
}

Complex::Complex(NeighborLists lists, float threshold, int max_dim, std::uint32_t p)
    : binom(lists.n, max_dim + 2), threshold(threshold), p(p), n(lists.n), dense_(nullptr), prefetch_(false),
      sparse_(true), neighbors_(std::move(lists)) {}

}  // namespace actopo::native
