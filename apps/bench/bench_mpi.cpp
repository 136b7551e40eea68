// `actopo bench --suite mpi`: one distance-matrix job of 200 diagrams, split into blocks, run by `actopo run`'s
// scheduler under `mpirun -np 1` and `-np 2`; wall times, their ratio, and the two matrices compared byte for byte.
// Under mpirun the suite is re-entered with ACTOPO_BENCH_MPI_DIR set: every rank then runs the job graph.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <random>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "actopo/persistence.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kDiagrams = 200, kPoints = 300, kBlocks = 8;

/// 200 seeded random H1 diagrams of 300 points, one group each, in diagrams.h5.
void write_inputs(const fs::path& dir) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    std::map<std::string, Diagrams> groups;
    for (std::size_t k = 0; k < kDiagrams; ++k) {
        Diagrams d;
        d.dims.resize(2);
        d.dims[1].dim = 1;
        for (std::size_t i = 0; i < kPoints; ++i) {
            const double b = u(rng);
            d.dims[1].pairs.push_back({b, b + 0.5 * u(rng) * u(rng)});
        }
        char name[16];
        std::snprintf(name, sizeof name, "d%03zu", k);
        groups[name] = std::move(d);
    }
    write_diagram_groups(groups, (dir / "diagrams.h5").string(), true);
}

/// The job graph: kBlocks bottleneck blocks on one thread each, then the merge.
std::vector<Job> plan(const std::string& out) {
    std::vector<Job> jobs;
    Job merge{"merge", "distances", {"actopo", "distances"}, {}, {out}, {}};
    for (std::size_t k = 1; k <= kBlocks; ++k) {
        const std::string part = "block-" + std::to_string(k) + ".csv";
        jobs.push_back({"block/" + std::to_string(k), "distances",
                        {"actopo", "distances", "diagrams.h5", "--metric", "bottleneck", "--dim", "1", "--threads", "1",
                         "--block", std::to_string(k) + "/" + std::to_string(kBlocks), "--force", "-o", part},
                        {"diagrams.h5"}, {part}, {}});
        merge.command.push_back(part);
        merge.inputs.push_back(part);
        merge.after.push_back(jobs.back().id);
    }
    merge.command.insert(merge.command.end(), {"--merge", "--metric", "bottleneck", "--dim", "1", "--force", "-o", out});
    jobs.push_back(merge);
    return jobs;
}

/// Inside mpirun: every rank runs the graph (rank 0 schedules, the others serve).
void run_ranks(const fs::path& dir) {
    ExperimentConfig config;
    config.name = "bench-mpi";
    config.text = "distance matrix of 200 diagrams in 8 blocks";
    RunOptions o;
    o.results_dir = dir.string();
    o.jobs = 1;  // one worker per rank
    o.force_all = true;
    run_jobs(config, plan("matrix.csv"), o, [](const std::vector<std::string>& command) -> int {
        // each job is the `actopo` program's command line (command[0] == "actopo"), run in the forked worker
        std::vector<std::string> argv = command;
        argv.push_back("-q");
        exec_program(actopo_executable(), argv);
    });
}

void run(const Context& ctx) {
    if (const char* inner = std::getenv("ACTOPO_BENCH_MPI_DIR")) {
        run_ranks(inner);
        return;
    }
    if (std::system("command -v mpirun > /dev/null") != 0) throw UserError("bench mpi: mpirun not found (apt-get install openmpi-bin)");
    const fs::path work = fs::temp_directory_path() / ("actopo-bench-mpi-" + std::to_string(getpid()));
    fs::create_directories(work);
    write_inputs(work);
    const std::string before = load_average();
    std::map<int, Timing> seconds;
    const int reps = std::max(1, std::min(ctx.repetitions, 3));
    for (int r = 0; r < reps; ++r)
        for (int ranks : {1, 2}) {  // alternating, so that load changes hit both alike
            const fs::path dir = work / ("np" + std::to_string(ranks));
            fs::create_directories(dir);
            fs::copy_file(work / "diagrams.h5", dir / "diagrams.h5", fs::copy_options::overwrite_existing);
            const auto result = run_external("ACTOPO_BENCH_MPI_DIR=" + dir.string() +
                                             " mpirun --allow-run-as-root --oversubscribe -np " + std::to_string(ranks) +
                                             " " + self_executable() + " --suite mpi -q -o " + (dir / "bench").string());
            if (result.status != 0) throw UserError("bench mpi: mpirun -np " + std::to_string(ranks) + " failed: " + result.output);
            seconds[ranks].seconds.push_back(result.seconds);
            std::fprintf(stderr, "bench mpi: %s: %.2f s\n", count_noun(ranks, "rank").c_str(), result.seconds);
        }
    const bool same = read_text_file((work / "np1" / "matrix.csv").string()) == read_text_file((work / "np2" / "matrix.csv").string());
    const double one = seconds[1].median(), ratio = seconds[2].median() / one;
    std::ostringstream md, csv;
    md << "# MPI scale-out: one distance matrix over 1 and 2 ranks\n\n"
       << "Machine: " << machine_description() << "  \n"
       << "Load average before / after: " << before << " / " << load_average() << "  \n"
       << "Command: `actopo bench --suite mpi` (" << reps << " repetitions per rank count, alternating; median)\n\n"
       << "The job: bottleneck distances between " << kDiagrams << " seeded random H1 diagrams of " << kPoints
       << " points (" << kDiagrams * (kDiagrams - 1) / 2 << " pairs), split into " << kBlocks
       << " block jobs of one thread each and a merge job, scheduled by `actopo run`'s runner under `mpirun "
          "--oversubscribe -np R` (rank 0 hands the blocks out as ranks free up and runs one itself). Wall time of the "
          "whole mpirun, start-up included.\n\n"
       << "| ranks | wall s (median) | runs | ratio to 1 rank | target |\n|---|---|---|---|---|\n";
    csv << "ranks,median_seconds,runs,ratio\n";
    for (int ranks : {1, 2}) {
        std::ostringstream runs;
        const auto& runs_of = seconds[ranks].seconds;
        for (std::size_t i = 0; i < runs_of.size(); ++i) runs << (i ? " " : "") << std::fixed << std::setprecision(2) << runs_of[i];
        const double m = seconds[ranks].median();
        md << "| " << ranks << " | " << std::fixed << std::setprecision(2) << m << " | " << runs.str() << " | "
           << std::setprecision(2) << m / one << " | "
           << (ranks == 2 ? (ratio <= 0.6 ? "met (<= 0.6)" : "NOT met (<= 0.6)") : "") << " |\n";
        csv << ranks << "," << m << "," << runs_of.size() << "," << m / one << "\n";
    }
    md << "\nThe matrices of 1 and 2 ranks are " << (same ? "byte-identical" : "DIFFERENT") << ".\n";
    write_text_file((fs::path(ctx.out_dir) / "mpi.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "mpi.csv").string(), csv.str(), true);
    fs::remove_all(work);
}

Registration reg{"mpi", "a 200-diagram distance matrix as block jobs under mpirun -np 1 and -np 2", run};

}  // namespace
}  // namespace actopo::bench
