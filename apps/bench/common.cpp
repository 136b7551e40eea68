// What the benchmark suites share: timing, peak memory, external runs, the machine's description.
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "bench.hpp"

namespace actopo::bench {

double Timing::median() const {
    if (seconds.empty()) return 0;
    auto s = seconds;
    std::sort(s.begin(), s.end());
    return s.size() % 2 ? s[s.size() / 2] : 0.5 * (s[s.size() / 2 - 1] + s[s.size() / 2]);
}

Timing time_runs(int reps, const std::function<void()>& fn) {
    Timing t;
    if (reps > 1) fn();
    for (int r = 0; r < std::max(1, reps); ++r) {
        throw_if_cancelled();
        auto start = std::chrono::steady_clock::now();
        fn();
        t.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return t;
}

double peak_rss_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    if (!(f >> a >> b >> c)) return "unknown";
    return a + " " + b + " " + c;
}

double cpu_seconds() {  // the clock of python's time.process_time(): the bench_python suite compares the two
    timespec t {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::string self_executable() { return running_program(); }

std::string actopo_executable() { return sibling_program("actopo"); }

std::string machine_description() {
    struct utsname u {};
    uname(&u);
    std::string cpu = "unknown CPU";
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0) {
            cpu = trim(line.substr(line.find(':') + 1));
            break;
        }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    std::ostringstream ss;
    ss << u.sysname << ' ' << u.machine << ", " << sysconf(_SC_NPROCESSORS_ONLN) << " cores, " << cpu << ", "
       << (double(pages) * double(page) / (1024.0 * 1024 * 1024)) << " GiB";
    return ss.str();
}

}  // namespace actopo::bench
