#pragma once
// Deterministic fork-join helpers on std::thread: work is split by a fixed rule (interleaved items or
// fixed chunks), so results never depend on timing; only the wall time depends on the thread count.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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

/// Persistent helper threads for many short parallel loops (a thread per loop costs a scheduler wake-up
/// each time, which on a loaded machine can exceed the loop). for_each(count, body) runs body(i) for
/// i < count on the caller and the helpers, items claimed one at a time; the caller returns once every
/// item is done and never waits for a helper that has not woken up (it takes the items itself).
/// Which thread runs an item never changes what the item computes.
class WorkerTeam {
public:
    explicit WorkerTeam(int threads) {
        for (int t = 1; t < threads; ++t) helpers_.emplace_back([this] { serve(); });
    }
    ~WorkerTeam() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        for (auto& h : helpers_) h.join();
    }
    template <class Body>
    void for_each(std::size_t count, Body&& body) {
        if (helpers_.empty() || count <= 1) {
            for (std::size_t i = 0; i < count; ++i) body(i);
            return;
        }
        std::function<void(std::size_t)> job = [&body](std::size_t i) { body(i); };
        std::uint64_t generation;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            count_ = count;
            generation = ++generation_;
            done_.store(0, std::memory_order_relaxed);
            cursor_.store(generation << 32, std::memory_order_release);
        }
        wake_.notify_all();
        work(generation, job, count);
        std::exception_ptr error;
        {
            std::unique_lock<std::mutex> lock(mutex_);  // sleeps (no spinning) while a helper finishes an item
            finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) >= count; });
            job_ = nullptr;
            std::swap(error, error_);
        }
        if (error) std::rethrow_exception(error);
    }

private:
    /// Claims items of `generation` until none is left; an item is claimed only while the cursor still
    /// belongs to that generation, so a late helper never takes an item of a later loop.
    void work(std::uint64_t generation, const std::function<void(std::size_t)>& job, std::size_t count) {
        for (;;) {
            std::uint64_t c = cursor_.load(std::memory_order_acquire);
            do {
                if ((c >> 32) != generation || (c & 0xFFFFFFFFu) >= count) return;
            } while (!cursor_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel));
            try {
                job(std::size_t(c & 0xFFFFFFFFu));
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
            if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) {
                std::lock_guard<std::mutex> lock(mutex_);
                finished_.notify_all();
            }
        }
    }
    void serve() {
        std::uint64_t seen = 0;
        for (;;) {
            const std::function<void(std::size_t)>* job;
            std::size_t count;
            std::uint64_t generation;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return stop_ || (generation_ != seen && job_ != nullptr); });
                if (stop_) return;
                seen = generation = generation_;
                job = job_;
                count = count_;
            }
            work(generation, *job, count);
        }
    }
    std::vector<std::thread> helpers_;
    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    bool stop_ = false;
    const std::function<void(std::size_t)>* job_ = nullptr;
    std::size_t count_ = 0;
    std::uint64_t generation_ = 0;
    std::atomic<std::uint64_t> cursor_{0};
    std::atomic<std::size_t> done_{0};
    std::exception_ptr error_;
};

}  // namespace actopo::native
