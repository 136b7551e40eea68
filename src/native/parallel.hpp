#pragma once
// Fork-join helpers on std::thread. Callers split work so that results never depend on timing; only the
// wall time depends on the thread count.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace actopo::native {

/// Runs body(t) for t = 0..threads-1, on threads-1 extra threads plus the caller; rethrows the first error.
template <class Body>
void run_threads(int threads, Body body) {
    if (threads <= 1) {
        body(0);
        return;
    }
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back([&, t] {
            try {
                body(t);
            } catch (...) {
                errors[std::size_t(t)] = std::current_exception();
            }
        });
    try {
        body(0);
    } catch (...) {
        errors[0] = std::current_exception();
    }
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

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
