// The Python package (docs/python.md): actopo.rips beside GUDHI's RipsComplex + persistence in the same python3
// process (apps/bench/bench_python.py), and the cost of the Python call over the C++ call (compute_persistence
// in this process) on the same input. Targets: actopo.rips at least 20x faster than GUDHI where GUDHI finishes;
// the Python call at most 5 % slower than the C++ call.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/persistence.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

namespace fs = std::filesystem;

struct Case {
    std::string name, file;
    int maxdim;
    std::optional<double> thresh;
    bool gudhi;
};

std::string fmt(double v, const char* f = "%.3f") {
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void run(const Context& ctx) {
    const fs::path build = fs::path(self_executable()).parent_path();
    const fs::path package = build / "python";
    if (!fs::exists(package / "actopo" / "__init__.py")) {  // built without pybind11-dev / python3-dev
        std::fprintf(stderr, "bench python: skipped, %s holds no Python package\n", package.string().c_str());
        return;
    }
    const std::string dir = ctx.data_dir + "/ph-benchmarks/";
    const std::vector<Case> cases{
        {"random_50_16 dim 2", "random_50_16.txt", 2, std::nullopt, true},
        {"o3_1024 dim 3 t 1.8", "o3_1024.txt", 3, 1.8, true},
        {"o3_2048 dim 2 t 1.4", "o3_2048.txt", 2, 1.4, true},
        {"dragon_2000 dim 1", "dragon_2000.txt", 1, std::nullopt, false},
    };
    const int reps = std::max(ctx.repetitions, 3);
    nlohmann::json spec = nlohmann::json::array();
    std::vector<RipsInput> inputs;
    std::vector<RipsOptions> options;
    for (const auto& c : cases) {
        inputs.push_back(read_rips_input(dir + c.file, "point-cloud", Metric::euclidean));
        RipsOptions o;
        o.max_dim = c.maxdim;
        o.threshold = c.thresh;
        options.push_back(o);
        spec.push_back({{"name", c.name}, {"path", dir + c.file}, {"maxdim", c.maxdim},
                        {"thresh", c.thresh ? nlohmann::json(*c.thresh) : nlohmann::json()}, {"reps", reps},
                        {"gudhi", c.gudhi}});
    }
    // The C++ call as a library user makes it: the cloud's rows in memory, borrowed as the Python call borrows the
    // numpy array (RipsInput::from_borrowed_points), -> diagrams. Timed before and after the python3 process, so
    // that a change of the machine's load between the two does not pass for the Python call's cost.
    std::vector<std::vector<double>> cpp_runs(cases.size()), cpp_cpu(cases.size());
    std::vector<std::vector<std::size_t>> cpp_pairs(cases.size());
    auto time_cpp = [&] {
        for (std::size_t k = 0; k < cases.size(); ++k) {
            Diagrams d;
            std::vector<double> cpu;  // CPU seconds of every thread: what a loaded machine's scheduler does not inflate
            const Timing t = time_runs(reps, [&] {
                const double c0 = cpu_seconds();
                d = compute_persistence(RipsInput::from_borrowed_points(inputs[k].points, Metric::euclidean), options[k], "native");
                cpu.push_back(cpu_seconds() - c0);
            });
            cpp_runs[k].insert(cpp_runs[k].end(), t.seconds.begin(), t.seconds.end());
            cpp_cpu[k].insert(cpp_cpu[k].end(), cpu.end() - std::ptrdiff_t(t.seconds.size()), cpu.end());  // not the warm-up
            cpp_pairs[k].clear();
            for (const auto& dim : d.dims) {
                std::size_t n = 0;
                for (const auto& p : dim.pairs) n += p.death > p.birth;
                cpp_pairs[k].push_back(n);
            }
        }
    };
    time_cpp();
    const fs::path spec_file = fs::temp_directory_path() / ("actopo-bench-python-" + std::to_string(::getpid()) + ".json");
    write_text_file(spec_file.string(), spec.dump(), true);
    const std::string script = std::string(ACTOPO_SOURCE_DIR) + "/apps/bench/bench_python.py";
    const auto py = run_external("PYTHONPATH='" + package.string() + "' /usr/bin/python3 '" + script + "' \"$(cat '" +
                                 spec_file.string() + "')\" 2>&1");
    fs::remove(spec_file);
    if (py.status != 0) throw UserError("bench python: " + script + " failed: " + py.output);
    time_cpp();
    std::vector<double> cpp_s, cpp_min, cpp_cpu_s;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        cpp_s.push_back(Timing{cpp_runs[k]}.median());
        cpp_min.push_back(*std::min_element(cpp_runs[k].begin(), cpp_runs[k].end()));
        cpp_cpu_s.push_back(Timing{cpp_cpu[k]}.median());
    }

    std::ostringstream md, csv;
    md << "# Python package: actopo.rips vs GUDHI, and the cost of the Python call\n\n"
       << "Made by `actopo bench --suite python`. Machine: " << machine_description()
       << "; load average at the start: " << load_average() << ".  \n"
       << "`actopo.rips` (native backend, every core) and `gudhi.RipsComplex(points, max_edge_length).create_simplex_tree"
          "(max_dimension=k+1).compute_persistence()` in one python3 process (apps/bench/bench_python.py), the cloud "
          "already a numpy array; the C++ call is `compute_persistence` on the same cloud in memory (borrowed, as the Python call borrows the "
          "numpy array), in actopo-bench, timed before and after the python3 process. "
          "Medians of " << reps << " runs after a warm-up (the C++ call: twice " << reps << "; GUDHI: one run; skipped "
          "where it needs billions of simplices); the overhead compares the fastest runs too, and the CPU "
          "seconds (user + system, every thread) of the call, medians: the estimate a loaded machine disturbs least, "
          "on which the target is judged.\n\n"
       << "| input | actopo.rips (s) | C++ call (s) | overhead (medians) | overhead (fastest) | CPU s: actopo.rips / C++ call | overhead (CPU) | gudhi (s) | gudhi / actopo.rips | pairs per dim agree |\n"
       << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    csv << "input,actopo_rips_s,cpp_s,overhead,overhead_fastest,actopo_rips_cpu_s,cpp_cpu_s,overhead_cpu,gudhi_s,gudhi_over_actopo\n";
    std::istringstream lines(py.output);
    std::string line;
    std::size_t k = 0;
    bool speed_met = true, overhead_met = true;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '{') continue;
        const auto row = nlohmann::json::parse(line);
        const double a = row["actopo_s"], c = cpp_s.at(k);
        const double overhead = (a - c) / c;
        const double overhead_min = (row["actopo_min_s"].get<double>() - cpp_min.at(k)) / cpp_min.at(k);
        const double a_cpu = row["actopo_cpu_s"], c_cpu = cpp_cpu_s.at(k), overhead_cpu = (a_cpu - c_cpu) / c_cpu;
        overhead_met = overhead_met && overhead_cpu <= 0.05;
        std::string gudhi = "skipped", ratio = "", agree = "";
        bool same = row["actopo_pairs"].get<std::vector<std::size_t>>() == cpp_pairs[k];
        if (!row["gudhi_s"].is_null()) {
            const double g = row["gudhi_s"];
            gudhi = fmt(g);
            ratio = fmt(g / a, "%.1fx");
            speed_met = speed_met && g / a >= 20;
            same = same && row["gudhi_pairs"] == row["actopo_pairs"];
        }
        std::string counts;
        for (auto n : cpp_pairs[k]) counts += (counts.empty() ? "" : " ") + std::to_string(n);
        md << "| " << row["name"].get<std::string>() << " | " << fmt(a, "%.4f") << " | " << fmt(c, "%.4f") << " | "
           << fmt(100 * overhead, "%+.1f %%") << " | " << fmt(100 * overhead_min, "%+.1f %%") << " | " << fmt(a_cpu, "%.4f")
           << " / " << fmt(c_cpu, "%.4f") << " | " << fmt(100 * overhead_cpu, "%+.1f %%") << " | " << gudhi << " | " << ratio << " | " << (same ? "yes" : "NO")
           << " (" << counts << ") |\n";
        csv << '"' << row["name"].get<std::string>() << "\"," << a << "," << c << "," << overhead << "," << overhead_min << ","
            << a_cpu << "," << c_cpu << "," << overhead_cpu << ","
            << (row["gudhi_s"].is_null() ? std::string() : fmt(row["gudhi_s"].get<double>(), "%.6f")) << ","
            << (ratio.empty() ? std::string() : fmt(row["gudhi_s"].get<double>() / a, "%.3f")) << "\n";
        ++k;
    }
    if (k != cases.size()) throw UserError("bench python: the script reported " + std::to_string(k) + " of " +
                                           std::to_string(cases.size()) + " inputs: " + py.output);
    md << "\n## Targets\n\n- actopo.rips at least 20x faster than GUDHI where GUDHI runs: "
       << (speed_met ? "met" : "NOT met") << "\n- the Python call at most 5 % over the C++ call: "
       << (overhead_met ? "met" : "NOT met")
       << " (CPU seconds, medians)\n";
    write_text_file((fs::path(ctx.out_dir) / "python.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "python.csv").string(), csv.str(), true);
    std::printf("%s", md.str().c_str());
}

Registration reg{"python", "actopo.rips vs GUDHI in one python3 process, and the Python call's cost over the C++ call", run};

}  // namespace
}  // namespace actopo::bench
