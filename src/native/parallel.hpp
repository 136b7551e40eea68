#pragma once
// Parallel sorting on core's run_threads. Callers split work so that results never depend on timing; only the
// wall time depends on the thread count.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "actopo/core/parallel.hpp"

namespace actopo::native {

/// Sorts v by `less` (a strict total order) in place, without a merge buffer: the vector is cut into
/// `threads` ranges by nth_element (each range holds the elements of its ranks), then the ranges are
/// sorted in parallel. The result is the unique sorted order, whatever the thread count.
template <class T, class Less>
void parallel_sort(std::vector<T>& v, int threads, Less less) {
    std::size_t parts = std::size_t(std::max(1, threads));
    if (parts == 1 || v.size() < 100000) {
        std::sort(v.begin(), v.end(), less);
        return;
    }
    std::vector<std::size_t> cut(parts + 1);
    for (std::size_t i = 0; i <= parts; ++i) cut[i] = v.size() * i / parts;
    for (std::size_t i = 1; i < parts; ++i) std::nth_element(v.begin() + long(cut[i - 1]), v.begin() + long(cut[i]), v.end(), less);
    run_threads(int(parts), [&](int t) { std::sort(v.begin() + long(cut[t]), v.begin() + long(cut[t + 1]), less); });
}

}  // namespace actopo::native
