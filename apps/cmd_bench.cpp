// `actopo bench`: runs the registered benchmark suites and writes their figures to results/bench/.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "bench.hpp"
#include "command.hpp"

namespace actopo::bench {

std::vector<Suite>& registry() {
    static std::vector<Suite> suites;
    return suites;
}

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

ExternalRun run_external(const std::string& command) {
    ExternalRun r;
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/sh", "sh", "-c", command.c_str(), (char*)nullptr);
        _exit(127);
    }
    close(fds[1]);
    std::array<char, 65536> buf;
    ssize_t k;
    while ((k = read(fds[0], buf.data(), buf.size())) > 0) r.output.append(buf.data(), std::size_t(k));
    close(fds[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.peak_mib = double(ru.ru_maxrss) / 1024.0;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    if (!(f >> a >> b >> c)) return "unknown";
    return a + " " + b + " " + c;
}

double cpu_seconds() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

std::string self_executable() {
    char buf[4096];
    const ssize_t k = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return k > 0 ? std::string(buf, std::size_t(k)) : "actopo";
}

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

namespace {
/// results/bench/README.md: the machine, and every suite's page found in the folder, one after the other.
void write_index(const Context& ctx, const std::string& command, const std::string& load_before) {
    namespace fs = std::filesystem;
    std::ostringstream out;
    out << "# actopo benchmarks\n\n"
        << "Every benchmark of the project, each beside the tool a researcher would use instead, on the same input in "
           "one run. Ratios are actopo / other tool (below 1: actopo is faster); times are medians.\n\n"
        << "- Machine: " << machine_description() << "\n"
        << "- Written: " << iso_time_now() << " by `" << command << "`\n"
        << "- Load average (1, 5, 15 min) before / after: " << load_before << " / " << load_average() << "\n\n";
    std::vector<std::string> pages;
    for (const auto& s : registry())
        if (fs::exists(fs::path(ctx.out_dir) / (s.name + ".md"))) pages.push_back(s.name);
    out << "Suites: ";
    for (std::size_t i = 0; i < pages.size(); ++i) out << (i ? ", " : "") << "[" << pages[i] << "](" << pages[i] << ".md)";
    out << "\n";
    for (const auto& name : pages) {
        std::istringstream page(read_text_file((fs::path(ctx.out_dir) / (name + ".md")).string()));
        out << "\n";
        for (std::string line; std::getline(page, line);) out << (line.rfind("#", 0) == 0 ? "#" : "") << line << "\n";
    }
    write_text_file((fs::path(ctx.out_dir) / "README.md").string(), out.str(), true);
}

std::string find_shared_data() {
    namespace fs = std::filesystem;
    for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / "shared" / "data" / "ph-benchmarks")) return (p / "shared" / "data").string();
        if (fs::exists(p / ".." / "shared" / "data" / "ph-benchmarks"))
            return fs::canonical(p / ".." / "shared" / "data").string();
        if (p == p.root_path()) break;
    }
    return "";
}

cli::Registration reg{"bench", "Time actopo beside the tools a user would pick instead; figures to results/bench/",
                      [](CLI::App& app) {
    auto suite = std::make_shared<std::string>("all");
    auto ctx = std::make_shared<Context>();
    std::vector<std::string> names;
    for (const auto& s : registry()) names.push_back(s.name);
    app.add_option("--suite", *suite, "Suite to run: all, " + join(names));
    app.add_option("-o,--output", ctx->out_dir, "Folder for the figures")->capture_default_str();
    app.add_option("--reps", ctx->repetitions, "Repetitions per measurement (median reported)")
        ->capture_default_str();
    app.add_flag("--long", ctx->long_inputs, "Also run the inputs that take minutes");
    app.callback([suite, ctx] {
        ctx->shared_dir = find_shared_data();
        std::filesystem::create_directories(ctx->out_dir);
        const std::string load_before = load_average();
        bool ran = false;
        for (const auto& s : registry()) {
            if (*suite == "all") {
                // each suite in a fresh process: peak-memory figures measured from a process that earlier suites
                // had grown would be wrong (a forked child's RSS counts the parent's pages)
                const std::string command = self_executable() + " bench --suite " + s.name + " -o '" + ctx->out_dir + "' --reps " +
                                            std::to_string(ctx->repetitions) + (ctx->long_inputs ? " --long" : "");
                if (std::system(command.c_str()) != 0) throw UserError("bench: the suite " + s.name + " failed (" + command + ")");
                ran = true;
            } else if (*suite == s.name) {
                std::fprintf(stderr, "bench: %s (%s)\n", s.name.c_str(), s.summary.c_str());
                s.run(*ctx);
                ran = true;
            }
        }
        if (!ran) {
            std::vector<std::string> names;
            for (const auto& s : registry()) names.push_back(s.name);
            throw UserError("unknown benchmark suite '" + *suite + "' (expected all, " + join(names) + ")");
        }
        write_index(*ctx, "actopo bench --suite " + *suite + " --reps " + std::to_string(ctx->repetitions), load_before);
        std::fprintf(stderr, "bench: wrote %s/README.md\n", ctx->out_dir.c_str());
    });
}};
}  // namespace
}  // namespace actopo::bench
