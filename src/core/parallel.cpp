// Cancellation (Ctrl-C), parallel loops, the quiet switch and the progress bar.
#include "actopo/core/parallel.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "actopo/core/errors.hpp"

namespace actopo {

// ------------------------------------------------------------------ cancellation
namespace {
std::atomic<int> g_signals{0};
void on_signal(int) {
    if (g_signals.fetch_add(1) >= 1) std::_Exit(130);  // second Ctrl-C: leave at once
}
}  // namespace

void install_cancel_handler() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}
bool cancel_requested() { return g_signals.load(std::memory_order_relaxed) > 0; }
void request_cancel() { g_signals.store(1); }
void throw_if_cancelled() {
    if (cancel_requested()) throw Cancelled();
}

void run_threads(int threads, const std::function<void(int)>& body) {
    if (threads <= 1) {
        body(0);
        return;
    }
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    const auto guarded = [&](int t) {
        try {
            body(t);
        } catch (...) {
            errors[std::size_t(t)] = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    std::string start_failure;
    try {
        for (int t = 1; t < threads; ++t) pool.emplace_back(guarded, t);
    } catch (const std::system_error& e) {  // the system gives fewer threads than asked
        start_failure = e.what();
    }
    if (start_failure.empty()) guarded(0);
    for (auto& t : pool) t.join();
    if (!start_failure.empty())
        throw EnvironmentError("cannot start " + std::to_string(threads) + " threads (" + start_failure +
                               "); ask for fewer threads");
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& fn) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, count));
    std::atomic<std::size_t> next{0};
    run_threads(int(threads), [&](int) {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) {
            try {
                fn(i);
            } catch (...) {
                next = count;  // no new item starts; run_threads rethrows the first error
                throw;
            }
        }
    });
}

// ------------------------------------------------------------------ progress
namespace {
bool g_quiet = [] {
    const char* q = std::getenv("ACTOPO_QUIET");
    return q && std::string(q) == "1";
}();
}
void set_quiet(bool q) { g_quiet = q; }
bool quiet() { return g_quiet; }

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(!g_quiet && ::isatty(2)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
    if (!finished_ && enabled_ && done_ > 0) std::fputs("\n", stderr);
}

void Progress::advance(std::uint64_t n) {
    done_ += n;
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ > std::chrono::milliseconds(100) || done_ >= total_) {
        last_draw_ = now;
        draw(false);
    }
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    if (enabled_) {
        draw(true);
        std::fputs("\n", stderr);
    }
}

void Progress::draw(bool) {
    const int width = 30;
    double frac = total_ ? std::min(1.0, double(done_) / double(total_)) : 1.0;
    int filled = int(frac * width);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string bar(std::size_t(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r%s [%s] %3d%% %llu/%llu %.1f/s ", label_.c_str(), bar.c_str(), int(frac * 100),
                 (unsigned long long)done_, (unsigned long long)total_, secs > 0 ? done_ / secs : 0.0);
    std::fflush(stderr);
}

}  // namespace actopo
