#pragma once
// Parallel loops and cancellation, and how long work is shown:
//   install_cancel_handler / throw_if_cancelled   Ctrl-C sets a flag; long loops poll it
//   run_threads, parallel_for                     fork-join on std::thread; items claimed one at a time
//   set_quiet / quiet, Progress                   a progress bar on stderr, silent when not a terminal or quiet
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace actopo {

/// Install SIGINT/SIGTERM handlers that request cancellation (a second signal exits at once).
void install_cancel_handler();
bool cancel_requested();
void request_cancel();  // for tests
void throw_if_cancelled();

/// Runs body(t) for t = 0..threads-1, each on its own thread (t = 0 on the caller's), and rethrows the first
/// error once all have finished. EnvironmentError when the system cannot start the threads asked for.
void run_threads(int threads, const std::function<void(int)>& body);

/// Runs fn(i) for i = 0..count-1 on `threads` threads (0: all cores; never more than count), each taking
/// the next item when it is free; after an exception no new item starts, and the first one is rethrown.
/// EnvironmentError when the system cannot start the threads asked for.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& fn);

/// Global quiet switch (also on when the environment has ACTOPO_QUIET=1).
void set_quiet(bool quiet);
bool quiet();

/// A progress bar on stderr: "label [=====>    ] 40% 400/1000 12.3/s".
class Progress {
public:
    Progress(std::string label, std::uint64_t total);
    ~Progress();
    void advance(std::uint64_t n = 1);
    void finish();

private:
    void draw(bool final);
    std::string label_;
    std::uint64_t total_, done_ = 0;
    bool enabled_, finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace actopo
