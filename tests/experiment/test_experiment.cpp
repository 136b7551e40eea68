// Experiment files, the job graph, the cache and resume (with a stand-in executor: no models are trained here;
// test_run_cli.cpp runs the real program).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

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
                 "sampling, persistence, distances, mapper, coactivation, similarity, explain, compare, report");
    CHECK(error_of(replaced("epochs: 2", "epochs: two")) == file + ":5: models[0].train.epochs: expected a whole number, got 'two'");
    CHECK(error_of(replaced("overlap: 0.4", "overlap: 1.5")).find(":10: mapper.overlap: expected a number in") != std::string::npos);
    CHECK(error_of(replaced("arch: cnn", "arch: vgg")) == file + ":6: models[1].train.arch: expected one of mlp, cnn, resnet, autoencoder, transformer, got 'vgg'");
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

TEST_CASE("experiment file: a duplicate key is an error naming both lines, not silently one of them", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-duplicate");
    std::string text = kBase;
    text.replace(text.find("seed: 3"), 7, "seed: 3\nseed: 4");
    const auto top = write_config(dir, text, "top.yaml");
    CHECK(error_of(top) == top.string() + ":3: seed: duplicate key (first given on line 2)");
    text = kBase;
    text.replace(text.find("{max_dim: 1}"), 12, "{max_dim: 1, max_dim: 2}");
    const auto nested = write_config(dir, text, "nested.yaml");
    CHECK(error_of(nested) == nested.string() + ":8: persistence.max_dim: duplicate key (first given on line 8)");
}

TEST_CASE("experiment file: a name too long to be a file name is a user error naming the key", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-long-name");
    std::string text = kBase;
    text.replace(text.find("name: study"), 11, "name: " + std::string(5000, 'x'));
    const auto file = write_config(dir, text);
    CHECK(error_of(file) ==
          file.string() + ":1: name: expected a name of at most 100 characters (it names files), got one of 5000");
    text = kBase;
    text.replace(text.find("name: b"), 7, "name: " + std::string(300, 'b'));
    CHECK(error_of(write_config(dir, text)).find(":6: models[1].name: expected a name of at most 100 characters") !=
          std::string::npos);
}

TEST_CASE("whole experiment checked before any job: a layer the model lacks fails with file:line:key and runs nothing",
          "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-layers");
    std::ofstream(dir / "mine.pt") << "a model";
    std::string text = kBase;
    text.replace(text.find("{name: b, train: {arch: cnn, epochs: 1, seed: 2}}"), 49,
                 "{name: b, path: mine.pt,\n     layers: [fc1, fc9]}");
    const auto c = load_experiment(write_config(dir, text).string());
    REQUIRE(c.lines.at("models[1].layers") == 7);
    const auto jobs = plan_jobs(c);
    std::vector<std::vector<std::string>> asked;
    const fs::path log = dir / "ran.log";
    const JobExecutor jobs_run = fake_executor(jobs, log);
    auto executor = [&](const std::vector<std::string>& command) {
        if (command.size() > 1 && command[1] == "inspect") {
            std::fprintf(stderr, "actopo: model '%s' has no layer 'fc9' (closest: fc1, fc2)\n", command[2].c_str());
            return command[4] == "fc1,fc9" ? 1 : 0;
        }
        return jobs_run(command);
    };
    RunOptions o;
    o.results_dir = (dir / "results").string();
    o.jobs = 1;
    set_quiet(true);
    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, executor),
                        (dir / "study.yaml").string() + ":7: models[1].layers: model '" + (dir / "mine.pt").string() +
                            "' has no layer 'fc9' (closest: fc1, fc2)");
    REQUIRE_FALSE(fs::exists(log));  // no job ran
    REQUIRE_FALSE(fs::exists(dir / "results"));
    o.dry_run = true;  // a dry run checks the same
    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, executor), Catch::Contains("models[1].layers: model"));
}

TEST_CASE("whole experiment checked before any job: a results folder that is a file is a user error naming it",
          "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-results-file");
    const auto c = load_experiment(write_config(dir, kBase).string());
    const auto jobs = plan_jobs(c);
    std::ofstream(dir / "taken") << "a file";
    RunOptions o;
    o.results_dir = (dir / "taken" / "study").string();
    set_quiet(true);
    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log")),
                        Catch::StartsWith((dir / "taken").string() + ": is a file, not a folder"));
    REQUIRE_FALSE(fs::exists(dir / "ran.log"));
}

TEST_CASE("resume: a run stopped by Ctrl-C is recorded as unfinished and refused without --resume", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-sigint");
    const auto c = load_experiment(write_config(dir, kBase).string());
    const auto jobs = plan_jobs(c);
    RunOptions o;
    o.results_dir = (dir / "results").string();
    o.jobs = 1;
    set_quiet(true);
    const pid_t runner = fork();
    if (runner == 0) {  // a runner process that gets SIGINT (Ctrl-C) while persistence/a works
        install_cancel_handler();
        const auto inner = fake_executor(jobs, dir / "ran.log");
        int code = 0;
        try {
            run_jobs(c, jobs, o, [&](const std::vector<std::string>& command) {
                if (command.size() > 1 && command[1] == "persistence") kill(getppid(), SIGINT);
                return inner(command);
            });
        } catch (const Cancelled&) {
            code = 130;
        } catch (...) {
            code = 1;
        }
        _exit(code);
    }
    int status = 0;
    waitpid(runner, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 130);
    REQUIRE_FALSE(fs::exists(dir / "results" / "manifest.json"));
    REQUIRE_THROWS_WITH(run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log")),
                        Catch::Contains("the last run stopped before finishing") && Catch::Contains("--resume"));
    o.resume = true;
    const RunReport resumed = run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    REQUIRE(resumed.cached + resumed.ran == 18);
    REQUIRE(resumed.cached >= 6);
}

TEST_CASE("resume and fresh runs remove the temporaries that killed jobs left, and only theirs", "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-stale");
    const auto c = load_experiment(write_config(dir, kBase).string());
    const auto jobs = plan_jobs(c);
    RunOptions o;
    o.results_dir = (dir / "results").string();
    o.jobs = 2;
    set_quiet(true);
    run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    // a killed job's temporaries (its process is gone), and one of a process still running (this one)
    const fs::path dead = dir / "results" / "stores" / ".a.h5.tmp-999999999", sub = dir / "results" / "mapper" / "a";
    const fs::path dead2 = sub / ".fc1.svg.tmp-999999998", alive = dir / "results" / "stores" / (".b.h5.tmp-" + std::to_string(getpid()));
    for (const auto& p : {dead, dead2, alive}) std::ofstream(p) << "half";
    run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    CHECK_FALSE(fs::exists(dead));
    CHECK_FALSE(fs::exists(dead2));
    CHECK(fs::exists(alive));
    std::ofstream(dead) << "half";
    o.resume = true;
    run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    CHECK_FALSE(fs::exists(dead));
}

TEST_CASE("options declared once: the file's checks, the jobs' arguments and the manifest's parameters come from the stage tables",
          "[experiment]") {
    const auto dir = cli_test::temp_dir("experiment-options");
    auto with = [&](const std::string& from, const std::string& to) {
        std::string text = kBase;
        text.replace(text.find(from), from.size(), to);
        return write_config(dir, text, "changed.yaml");
    };
    const std::string file = (dir / "changed.yaml").string();
    // semantic checks of the table: the words of option_problem, with file:line:key
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, coeff: 4}")) ==
          file + ":8: persistence.coeff: " + option_problem(stage_options("persistence").at("coeff"), "4"));
    CHECK(error_of(with("overlap: 0.4", "overlap: 1")) == file + ":10: mapper.overlap: expected a number in (0, 1), got '1'");
    CHECK(error_of(with("lens: l2norm", "relu: maybe")) == file + ":10: mapper.relu: expected true or false, got 'maybe'");
    CHECK(error_of(with("{threshold: 0.5}", "{layers: [fc1, [x]]}")) == file + ":11: coactivation.layers[1]: expected a text value, got a list");
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, backend: fast}")) ==
          file + ":8: persistence.backend: expected one of native, gudhi, ripser, got 'fast'");
    // representatives: the command's option, in the file; only the native backend has them; one thread each job
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, representatives: -2}")) ==
          file + ":8: persistence.representatives: " + option_problem(stage_options("persistence").at("representatives"), "-2"));
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, backend: ripser, min_persistence: 0.1}")) ==
          file + ":8: persistence.min_persistence: representatives are computed by the native backend only, not by backend "
                 "ripser; use backend: native");
    for (const auto& j : plan_jobs(load_experiment(with("{max_dim: 1}", "{max_dim: 1, representatives: 4}").string())))
        if (j.id == "persistence/a") CHECK(join(j.command, " ").find(" --representatives 4 ") != std::string::npos);
    for (const auto& j : plan_jobs(load_experiment(with("{max_dim: 1}", "{max_dim: 1, min_persistence: 0.5}").string())))
        if (j.id == "persistence/a") CHECK(join(j.command, " ").find(" --min-persistence 0.5 ") != std::string::npos);
    for (const auto& j : plan_jobs(load_experiment(with("{max_dim: 1}", "{max_dim: 1, representatives: 4}").string())))
        if (j.id == "persistence/a") CHECK(join(j.command, " ").find(" --threads 1 ") != std::string::npos);
    // sparse Rips: a job option in (0, 1), native or gudhi
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, sparse: 1}")) == file + ":8: persistence.sparse: expected a number in (0, 1), got '1'");
    CHECK(error_of(with("{max_dim: 1}", "{max_dim: 1, backend: ripser, sparse: 0.5}")) ==
          file + ":8: persistence.sparse: sparse Rips is computed by the native and gudhi backends, not by backend ripser");
    for (const auto& j : plan_jobs(load_experiment(with("{max_dim: 1}", "{max_dim: 1, sparse: 0.5}").string())))
        if (j.id == "persistence/a") CHECK(join(j.command, " ").find(" --sparse 0.5 ") != std::string::npos);

    // the jobs: what the file set, and the experiment defaults that differ from the command's
    const auto c = load_experiment(with("coactivation: {threshold: 0.5}", "coactivation: {threshold: 0.25, layers: [fc1, fc2]}").string());
    REQUIRE(c.options.at("mapper") == OptionValues{{"lens", "l2norm"}, {"intervals", "5"}, {"overlap", "0.4"}});
    std::map<std::string, std::string> command;
    for (const auto& j : plan_jobs(c)) command[j.id] = join(j.command, " ");
    CHECK(command["mapper/a"] == "actopo mapper stores/a.h5 --lens l2norm --intervals 5 --overlap 0.4 --relu --layer all "
                                 "--seed 3 --force -o mapper/a/");
    CHECK(command["coactivation/b"] == "actopo coactivation stores/b.h5 --threshold 0.25 --layers fc1,fc2 --seed 3 "
                                       "--picture coactivation/b.svg --top-csv coactivation/b-top.csv --force -o coactivation/b.json");
    CHECK(command["train/a"] == "actopo train --arch mlp --widths 8 --epochs 2 --seed 1 --checkpoints models/a --force -o models/a.pt");
    CHECK(command["extract/b"].find(" --limit 100 --layers all ") != std::string::npos);
    // normalize: the experiment default (mean-distance) differs from the command's (none), so it is written
    CHECK(command["persistence/a"].find(" --sampling avgpool --points 50 --normalize mean-distance --max-dim 1 --metric euclidean --seed 3 ") !=
          std::string::npos);
    const auto no_relu = load_experiment(with("lens: l2norm", "relu: false").string());
    for (const auto& j : plan_jobs(no_relu))
        if (j.stage == "mapper") CHECK(std::find(j.command.begin(), j.command.end(), "--relu") == j.command.end());
    // a sequence study: the transformer learns from and is read on Fashion-MNIST's rows, its layers sampled at the
    // class token for persistence, similarity and Mapper alike; avgpool (the commands' default) is not written out
    std::string rows_text = kBase;
    rows_text.replace(rows_text.find("name: fashion-mnist,"), 20, "name: fashion-mnist-rows,");
    rows_text.replace(rows_text.find("{arch: cnn, epochs: 1, seed: 2}"), 31, "{arch: transformer, widths: [8], epochs: 0}");
    rows_text.replace(rows_text.find("method: avgpool"), 15, "method: first-token");
    std::map<std::string, std::string> rows;
    for (const auto& j : plan_jobs(load_experiment(write_config(dir, rows_text, "rows.yaml").string())))
        rows[j.id] = join(j.command, " ");
    CHECK(rows["train/b"] == "actopo train --dataset fashion-mnist-rows --arch transformer --widths 8 --epochs 0 --force -o models/b.pt");
    CHECK(rows["extract/b"].find(" --dataset fashion-mnist-rows:test ") != std::string::npos);
    // a .h5 dataset: the models learn from it (not from Fashion-MNIST), and are trained again when it changes
    std::string h5_text = kBase;
    const std::string h5 = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/tiny_data.h5";
    h5_text.replace(h5_text.find("{name: fashion-mnist, split: test, limit: 100}"), 46, "{path: " + h5 + "}");
    for (const auto& j : plan_jobs(load_experiment(write_config(dir, h5_text, "h5.yaml").string())))
        if (j.stage == "train") {
            CHECK(join(j.command, " ").rfind("actopo train --dataset " + h5 + " --arch ", 0) == 0);
            CHECK(j.inputs == std::vector<std::string>{h5});
        }
    for (const char* id : {"similarity/cka", "mapper/b", "persistence/b"}) CHECK(rows[id].find(" --sampling first-token ") != std::string::npos);
    CHECK(command["similarity/cka"].find("--sampling") == std::string::npos);
    rows_text.replace(rows_text.find("method: first-token"), 19, "method: tokens");
    CHECK(error_of(write_config(dir, rows_text, "rows.yaml")) ==
          (dir / "rows.yaml").string() + ":7: sampling.method: similarity compares layers input by input: a sampling of one "
                                         "point per input (not tokens)");

    // the manifest: every stage's parameters, set or default
    RunOptions o;
    o.results_dir = (dir / "results").string();
    set_quiet(true);
    const auto jobs = plan_jobs(c);
    run_jobs(c, jobs, o, fake_executor(jobs, dir / "ran.log"));
    const auto manifest = nlohmann::json::parse(read_text_file((dir / "results" / "manifest.json").string()));
    const auto& p = manifest.at("parameters");
    CHECK(p.at("mapper").at("intervals") == "5");
    CHECK(p.at("mapper").at("clusterer") == "dbscan");
    CHECK(p.at("persistence").at("coeff") == "2");
    CHECK(p.at("coactivation").at("layers") == "fc1,fc2");
    CHECK(p.at("sampling").at("points") == "50");
    CHECK(p.at("train/a").at("epochs") == "2");
    CHECK(p.at("similarity").at("metric") == "cka");
}
