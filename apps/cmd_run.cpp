// `actopo run`: an experiment file -> every artefact and one report in results/<name>/ (docs/experiments.md).
#include <filesystem>
#include <iostream>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string config, results = "results";
    RunOptions options;
};

void run(Args& a) {
    const ExperimentConfig config = load_experiment(a.config);
    const std::vector<Job> jobs = plan_jobs(config);
    a.options.results_dir = (std::filesystem::path(a.results) / config.name).string();
    // every job is this program's own command line, run in a forked worker
    const RunReport report = run_jobs(config, jobs, a.options, [](const std::vector<std::string>& command) {
        set_quiet(true);
        return run_command_line(command);
    });
    if (report.coordinator && config.report && !a.options.dry_run && !quiet())
        std::cerr << "report: " << ResultsLayout(a.options.results_dir).in(ResultsLayout().report_page()) << "\n";
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("experiment", a->config, "Experiment file (.yaml); schema in docs/experiments.md")
        ->required()->check(CLI::ExistingFile);
    app.add_option("--results", a->results, "Folder that receives <name>/")->capture_default_str();
    app.add_option("-j,--jobs", a->options.jobs, "Jobs run at once (0: one per core)")->capture_default_str();
    app.add_flag("--resume", a->options.resume, "Continue a run that was interrupted (finished jobs are kept)");
    app.add_flag("--rerun", a->options.force_all, "Recompute every job, cached or not");
    app.add_flag("--dry-run", a->options.dry_run, "Print the jobs and their commands, run nothing");
    app.footer(
        "Each stage (train, extract, persistence, distances, similarity, mapper, coactivation, explain, compare, report)\n"
        "is a job whose output is cached under a key of its command line and its inputs' hashes: a rerun redoes\n"
        "only what changed. Job logs: results/<name>/logs/. Examples:\n"
        "  actopo run datasets/experiments/fashion-demo.yaml\n"
        "  actopo run study.yaml --jobs 2 --results /data/results\n"
        "  actopo run study.yaml --resume          # after Ctrl-C or a crash\n"
        "  mpirun -np 4 actopo run study.yaml      # jobs spread over MPI ranks (docs/cluster.md)\n"
        "See docs/experiments.md.");
    app.callback([a] { run(*a); });
}

Registration reg{"run", "Run an experiment file: every stage, cached and resumable, and its HTML report", setup};

}  // namespace
}  // namespace actopo::cli
