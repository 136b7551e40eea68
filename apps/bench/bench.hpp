#pragma once
// Benchmark suites of `actopo bench` (the program actopo-bench): each apps/bench/bench_<suite>.cpp registers itself with
//   static actopo::bench::Registration reg{"suite", "what it compares", run};
// run(ctx) times our code and the tool a user would pick instead on the same inputs, in one run,
// and writes <suite>.md (medians, ratios, targets met or not) and <suite>.csv into ctx.out_dir.
#include <functional>
#include <string>
#include <vector>

#include "actopo/core/process.hpp"

namespace actopo::bench {

struct Context {
    std::string out_dir = "results/bench";
    int repetitions = 5;
    bool long_inputs = false;   // --long: the inputs that take minutes
    std::string only;           // --only: the inputs whose name starts with this (persistence), or the methods
                                // (explain) or parts (extract) whose name starts with one of comma-separated prefixes
    std::string data_dir;       // datasets/ (datasets/ph-benchmarks holds the benchmark inputs)
};

struct Suite {
    std::string name, summary;
    std::function<void(const Context&)> run;
};

std::vector<Suite>& registry();

struct Registration {
    Registration(std::string name, std::string summary, std::function<void(const Context&)> run) {
        registry().push_back({std::move(name), std::move(summary), std::move(run)});
    }
};

/// Wall-clock seconds of fn() over `reps` runs (after one warm-up when reps > 1), and their median.
struct Timing {
    std::vector<double> seconds;
    double median() const;
};
Timing time_runs(int reps, const std::function<void()>& fn);
/// Peak resident memory (MiB) of this process so far (VmHWM).
double peak_rss_mib();
/// Runs a shell command: its wall seconds, peak RSS in MiB, exit status and output (core's run_shell).
using ExternalRun = ProcessResult;
inline ExternalRun run_external(const std::string& command) { return run_shell(command); }
/// The load average over 1, 5 and 15 minutes ("0.52 1.10 2.30"), "unknown" when unreadable.
std::string load_average();
/// CPU seconds (user + system, every thread) this process has used so far (CLOCK_PROCESS_CPUTIME_ID).
double cpu_seconds();
/// The path of the running program (actopo-bench), and of the `actopo` program beside it.
std::string self_executable();
std::string actopo_executable();
/// "Linux x86_64, 2 cores, Intel ..., 23 GiB" for the results header.
std::string machine_description();

}  // namespace actopo::bench
