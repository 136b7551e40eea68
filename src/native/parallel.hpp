#pragma once
// Parallel sorting on core's run_threads. Callers split work so that results never depend on timing; only the
// wall time depends on the thread count.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "actopo/core/parallel.hpp"

namespace actopo::native {

/// Sorts [first, last) by `less` (a strict weak order) in place, without a merge buffer: the range is cut into
/// `threads` parts by nth_element (each part holds the elements of its ranks), then the parts are sorted in
/// parallel. Elements that compare equal may end in any order; all else is the sorted order, whatever the thread count.
template <class It, class Less>
void parallel_sort(It first, It last, int threads, Less less) {
    const std::size_t size = std::size_t(last - first), parts = std::size_t(std::max(1, threads));
    if (parts == 1 || size < 100000) {
        std::sort(first, last, less);
        return;
    }
    std::vector<std::size_t> cut(parts + 1);
    for (std::size_t i = 0; i <= parts; ++i) cut[i] = size * i / parts;
    for (std::size_t i = 1; i < parts; ++i) std::nth_element(first + long(cut[i - 1]), first + long(cut[i]), last, less);
    run_threads(int(parts), [&](int t) { std::sort(first + long(cut[t]), first + long(cut[t + 1]), less); });
}

template <class T, class Less>
void parallel_sort(std::vector<T>& v, int threads, Less less) {
    parallel_sort(v.begin(), v.end(), threads, less);
}

}  // namespace actopo::native
