// Experiment files, the job graph, the cache and resume (with a stand-in executor: no models are trained here;
// test_run_cli.cpp runs the real program).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "cli_helpers.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {


const std::string kBase = R"(name: study
seed: 3
dataset: {name: fashion-mnist, split: test, limit: 100}
models:
  - {name: a, train: {arch: mlp, widths: [8], epochs: 2, seed: 1, checkpoints: true}}
  - {name: b, train: {arch: cnn, epochs: 1, seed: 2}}
sampling: {method: avgpool, points: 50}
persistence: {max_dim: 1}
distances: [sliced-wasserstein, wasserstein-2]
mapper: {lens: l2norm, intervals: 5, overlap: 0.4}
coactivation: {threshold: 0.5}
similarity: [cka]
)";

fs::path write_config(const fs::path& dir, const std::string& text, const std::string& name = "study.yaml") {
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const fs::path& config) {
    try {
        load_experiment(config.string());
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

/// Stands in for `actopo`: writes every output of the job it is given (content = the command and the inputs'
/// contents, so changes propagate) and appends the job id to `ran.log`.
JobExecutor fake_executor(const std::vector<Job>& jobs, const fs::path& ran_log, const std::string& die_at = "") {
    return [jobs, ran_log, die_at](const std::vector<std::string>& command) {
        const Job* job = nullptr;
        for (const auto& j : jobs)
            if (j.command == command) job = &j;
        if (!job) return 3;
        if (job->id == die_at) kill(getppid(), SIGKILL);  // the runner dies while this job works
        std::string content = join(command, " ") + "\n";
        for (const auto& in : job->inputs)
            if (!fs::path(in).is_absolute() && fs::is_regular_file(in)) content += read_text_file(in);
        for (const auto& out : job->outputs) {
            fs::path p = out.back() == '/' ? fs::path(out) / "content.txt" : fs::path(out);
            fs::create_directories(p.parent_path().empty() ? "." : p.parent_path());
            std::ofstream(p) << content;
        }
        std::ofstream(ran_log, std::ios::app) << job->id << "\n";
        return 0;
    };
}

std::set<std::string> ran_ids(const RunReport& r) {
    std::set<std::string> out;
    for (const auto& j : r.jobs)
        if (!j.cached) out.insert(j.id);
    return out;
}


}  // namespace

TEST_CASE("experiment file: the design's example is read with every value", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-read");
    const auto c = load_experiment(write_config(dir, kBase).string());
    REQUIRE(c.name == "study");
    REQUIRE(c.seed == 3);
    REQUIRE(c.limit == 100);
    REQUIRE(c.models.size() == 2);
    REQUIRE(c.models[0].widths == std::vector<int>{8});
    REQUIRE(c.models[0].checkpoints);
    REQUIRE(c.models[1].arch == "cnn");
    REQUIRE(c.points == 50);
    REQUIRE(c.distances == std::vector<std::string>{"sliced-wasserstein", "wasserstein-2"});
    REQUIRE(c.distance_dims == std::vector<int>{1});
    REQUIRE(c.intervals == 5);
    REQUIRE(c.similarity == std::vector<std::string>{"cka"});
    // the mapping forms
    std::string maps = kBase;
    maps.replace(maps.find("[sliced-wasserstein, wasserstein-2]"), 35, "{metrics: [bottleneck], dims: [0, 1]}");
    maps.replace(maps.find("similarity: [cka]"), 17, "similarity: {metrics: [cka, svcca], points: 300}");
    const auto m = load_experiment(write_config(dir, maps, "maps.yaml").string());
    REQUIRE(m.distances == std::vector<std::string>{"bottleneck"});
    REQUIRE(m.distance_dims == std::vector<int>{0, 1});
    REQUIRE(m.similarity == std::vector<std::string>{"cka", "svcca"});
    REQUIRE(m.similarity_points == 300);
}

TEST_CASE("experiment file: every mistake is one line naming the file, the line and the key", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-errors");
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string text = kBase;
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return write_config(dir, text.replace(at, from.size(), to), "bad.yaml");
    };
    const std::string file = (dir / "bad.yaml").string();
    CHECK(error_of(replaced("sampling:", "samplng:")) ==
          file + ":7: samplng: unknown key (did you mean 'sampling'?); expected one of: name, seed, dataset, models, "
                 "sampling, persistence, distances, mapper, coactivation, similarity, compare, report");
    CHECK(error_of(replaced("epochs: 2", "epochs: two")) == file + ":5: models[0].train.epochs: expected a whole number, got 'two'");
    CHECK(error_of(replaced("overlap: 0.4", "overlap: 1.5")).find(":10: mapper.overlap: expected a number in") != std::string::npos);
    CHECK(error_of(replaced("arch: cnn", "arch: vgg")) == file + ":6: models[1].train.arch: expected one of mlp, cnn, resnet, got 'vgg'");
    CHECK(error_of(replaced("{name: b, train: {arch: cnn, epochs: 1, seed: 2}}", "{name: b, path: missing.pt}")) ==
          file + ":6: models[1].path: " + (dir / "missing.pt").string() + " does not exist");
    CHECK(error_of(replaced("wasserstein-2", "wasserstein-x")).find(":9: distances[1]: expected wasserstein-P") != std::string::npos);
    CHECK(error_of(replaced("[cka]", "[cca]")).find(":12: similarity[0]: ") != std::string::npos);
    CHECK(error_of(replaced("name: b", "name: a")) == file + ":6: models[1].name: another model is also named 'a'");
    CHECK(error_of(replaced("persistence: {max_dim: 1}\n", "")).find("distances: needs a persistence: section") != std::string::npos);
    CHECK(error_of(replaced("seed: 3", "seed: [3")).find(file + ":") == 0);  // not YAML at all
    CHECK(error_of(replaced("limit: 100", "limit: -4")) == file + ":3: dataset.limit: expected a number from 0 to 100000000, got '-4'");
}

TEST_CASE("job graph: stages over models x metrics, every job after the jobs it reads from", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-plan");
    const auto jobs = plan_jobs(load_experiment(write_config(dir, kBase).string()));
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < jobs.size(); ++i) position[jobs[i].id] = i;
    for (const auto& id : {"train/a", "train/b", "extract/a", "extract/a-epoch-1", "extract/a-epoch-2", "extract/b",
                           "persistence/a", "persistence/b", "distances/sliced-wasserstein-h1", "distances/wasserstein-2-h1",
                           "similarity/cka", "mapper/a", "mapper/b", "coactivation/a", "coactivation/a-checkpoints",
                           "coactivation/b", "compare", "report"})
        REQUIRE(position.count(id));
    REQUIRE(jobs.size() == 18);
    for (std::size_t i = 0; i < jobs.size(); ++i)
        for (const auto& a : jobs[i].after) REQUIRE(position.at(a) < i);
    const auto& w2 = jobs[position["distances/wasserstein-2-h1"]].command;
    REQUIRE(join(w2, " ") == "actopo distances diagrams/a.h5 diagrams/b.h5 --metric wasserstein --p 2 --dim 1 --force "
                             "-o distances/wasserstein-2-h1.csv");
    const auto& cka = jobs[position["similarity/cka"]].command;
    REQUIRE(std::find(cka.begin(), cka.end(), "--joint") != cka.end());
}

TEST_CASE("cache: a rerun runs nothing, a changed parameter reruns exactly the jobs that depend on it", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-cache");
    const fs::path log = dir / "ran.log";
    auto run = [&](const std::string& text) {
        const auto c = load_experiment(write_config(dir, text).string());
        const auto jobs = plan_jobs(c);
        RunOptions o;
        o.results_dir = (dir / "results").string();
        o.jobs = 2;
        return run_jobs(c, jobs, o, fake_executor(jobs, log));
    };
    set_quiet(true);
    const RunReport first = run(kBase);
    REQUIRE(first.ran == 18);
    REQUIRE(fs::exists(dir / "results" / "manifest.json"));
    const auto before = cli_test::artefacts(dir / "results");

    const RunReport again = run(kBase);
    REQUIRE(again.ran == 0);
    REQUIRE(again.cached == 18);
    REQUIRE(cli_test::artefacts(dir / "results") == before);

    std::string mapper_changed = kBase;
    mapper_changed.replace(mapper_changed.find("intervals: 5"), 12, "intervals: 6");
    REQUIRE(ran_ids(run(mapper_changed)) == std::set<std::string>{"mapper/a", "mapper/b", "report"});

    std::string points_changed = mapper_changed;
    points_changed.replace(points_changed.find("points: 50"), 10, "points: 60");
    REQUIRE(ran_ids(run(points_changed)) ==
            std::set<std::string>{"persistence/a", "persistence/b", "distances/sliced-wasserstein-h1",
                                  "distances/wasserstein-2-h1", "compare", "report"});

    // an output changed by hand is recomputed; it comes out as before, so what reads it stays cached
    std::ofstream(dir / "results" / "similarity" / "cka.csv") << "edited\n";
    REQUIRE(ran_ids(run(points_changed)) == std::set<std::string>{"similarity/cka"});
}

TEST_CASE("resume: a run killed mid-way is refused without --resume and finishes with --resume", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-resume");
    const auto c = load_experiment(write_config(dir, kBase).string());
    const auto jobs = plan_jobs(c);
    RunOptions o;
    o.results_dir = (dir / "results").string();
    o.jobs = 1;
    set_quiet(true);
    const pid_t runner = fork();
    if (runner == 0) {  // a runner process whose worker kills it during persistence/a
        try {
            run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log", "persistence/a"));
        } catch (...) {
        }
        _exit(0);
    }
    int status = 0;
    waitpid(runner, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    REQUIRE_FALSE(fs::exists(dir / "results" / "manifest.json"));

    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log")),
                        Catch::Contains("the last run stopped before finishing") && Catch::Contains("--resume"));
    o.resume = true;
    const RunReport resumed = run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    REQUIRE(resumed.cached >= 6);  // train, extract (and checkpoints) were done before the kill
    REQUIRE(resumed.cached + resumed.ran == 18);

    // the same outputs as a run that was never interrupted
    RunOptions clean = o;
    clean.resume = false;
    clean.results_dir = (dir / "clean").string();
    run_jobs(c, jobs, clean, fake_executor(jobs, dir / "clean.log"));
    REQUIRE(cli_test::artefacts(dir / "results") == cli_test::artefacts(dir / "clean"));
}

TEST_CASE("a failing job stops the run with one line naming it and its log", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-fail");
    const auto c = load_experiment(write_config(dir, kBase).string());
    const auto jobs = plan_jobs(c);
    RunOptions o;
    o.results_dir = (dir / "results").string();
    o.jobs = 1;  // train/a fails first
    set_quiet(true);
    auto failing = [](const std::vector<std::string>& command) {
        std::fprintf(stderr, "actopo: stores/a.h5: something is wrong\n");
        return command[1] == "train" ? 1 : 0;
    };
    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, failing),
                        Catch::StartsWith("job train/a failed (exit 1): actopo: stores/a.h5: something is wrong (log: "));
}
