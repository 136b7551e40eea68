// Start-up: what a user pays before any work, for `actopo --version`, `actopo distance` on two tiny diagrams
// and a model command (`actopo inspect model.pt`, which runs actopo-nn), beside `ripser` on a 3-point input.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

namespace fs = std::filesystem;

/// User + system seconds of every child process waited for so far.
double children_cpu_seconds() {
    struct rusage ru {};
    getrusage(RUSAGE_CHILDREN, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

void run(const Context& ctx) {
    const fs::path dir = fs::temp_directory_path() / ("actopo-bench-startup-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_text_file((dir / "a.csv").string(), "dim,birth,death\n0,0,1\n1,0.5,2\n", true);
    write_text_file((dir / "b.csv").string(), "dim,birth,death\n0,0,1.5\n1,0.25,1\n", true);
    write_text_file((dir / "points.txt").string(), "0 0\n1 0\n0 1\n", true);
    const std::string actopo = actopo_executable();
    const std::string model = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/tiny_scripted.pt";
    struct Row { std::string what, command; };
    std::vector<Row> rows{
        {"actopo --version", actopo + " --version"},
        {"actopo distance (two 2-point diagrams)",
         actopo + " distance " + (dir / "a.csv").string() + " " + (dir / "b.csv").string() + " --metric bottleneck --dim 1"},
        {"actopo inspect model.pt (runs actopo-nn: LibTorch)", actopo + " inspect " + model},
        {"ripser (3 points)", "ripser --format point-cloud " + (dir / "points.txt").string()},
    };
    const int reps = std::max(ctx.repetitions, 5);
    std::ostringstream md, csv;
    md << "# Start-up: what every call pays\n\n"
       << "Wall time of whole processes, median of " << reps << " runs after one warm-up (load average before: "
       << load_average() << "). The light `actopo` program loads no LibTorch; the model commands run in "
       << "`actopo-nn`, which does. CPU s: user + system time of the process, median.\n\n"
       << "| command | median wall s | median CPU s |\n|---|---:|---:|\n";
    csv << "command,median_wall_s,median_cpu_s\n";
    double ripser = 0, light = 0, ripser_cpu = 0, light_cpu = 0, model_cpu = 0;
    for (const auto& row : rows) {
        Timing cpu;
        const Timing t = time_runs(reps, [&] {
            const double before = children_cpu_seconds();
            const auto run = run_external(row.command + " > /dev/null");
            if (run.status != 0) throw UserError("bench startup: " + row.command + " failed: " + run.output);
            cpu.seconds.push_back(children_cpu_seconds() - before);
        });
        md << "| `" << row.what << "` | " << t.median() << " | " << cpu.median() << " |\n";
        csv << '"' << row.what << "\"," << t.median() << "," << cpu.median() << "\n";
        if (row.what.rfind("ripser", 0) == 0) ripser = t.median(), ripser_cpu = cpu.median();
        if (row.what.rfind("actopo distance", 0) == 0) light = t.median(), light_cpu = cpu.median();
        if (row.what.rfind("actopo inspect", 0) == 0) model_cpu = cpu.median();
        std::fprintf(stderr, "startup: %s: %.4f s\n", row.what.c_str(), t.median());
    }
    md << "\n`actopo distance` / `ripser` start-up: " << (ripser > 0 ? light / ripser : 0) << "x wall, "
       << (ripser_cpu > 0 ? light_cpu / ripser_cpu : 0) << "x CPU; a model command costs "
       << (light_cpu > 0 ? model_cpu / light_cpu : 0) << "x the CPU of a light one (LibTorch's libraries).\n";
    write_text_file((fs::path(ctx.out_dir) / "startup.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "startup.csv").string(), csv.str(), true);
    fs::remove_all(dir);
}

Registration reg{"startup", "start-up of actopo (light), a model command (actopo-nn) and ripser", run};

}  // namespace
}  // namespace actopo::bench
