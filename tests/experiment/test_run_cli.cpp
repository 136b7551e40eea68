// `actopo run` end to end with the real program: byte-identical reruns, resume after the process is killed,
// config errors before any work.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "actopo/core.hpp"
#include "cli_helpers.hpp"

namespace fs = std::filesystem;

using namespace cli_test;

TEST_CASE("actopo run: the same experiment twice gives byte-identical artefacts, and a rerun runs nothing",
          "[experiment][slow]") {
    const auto dir = temp_dir("run-twice");
    const std::string run = kBinary + " run " + kConfig + " --jobs 2 --results ";
    REQUIRE(shell(run + (dir / "a").string() + " -q") == 0);
    REQUIRE(shell(run + (dir / "b").string() + " -q") == 0);
    const auto a = artefacts(dir / "a" / "tiny"), b = artefacts(dir / "b" / "tiny");
    REQUIRE(a.size() > 60);
    for (const char* must : {"manifest.json", "report/index.html", "stores/mlp.h5", "diagrams/cnn.h5",
                             "distances/sliced-wasserstein-h1.csv", "similarity/cka.csv", "mapper/cnn/hierarchy.json",
                             "coactivation/mlp-checkpoints.csv", "compare/agreement.csv", "models/mlp/epoch-2.pt"})
        REQUIRE(a.count(must));
    for (const auto& [path, hash] : a) {
        INFO(path);
        CHECK(b.at(path) == hash);
    }
    // its summary line (not quiet, even under ctest, which sets ACTOPO_QUIET)
    REQUIRE(shell("env -u ACTOPO_QUIET " + run + (dir / "a").string() + " 2> " + (dir / "rerun.txt").string()) == 0);
    REQUIRE(actopo::read_text_file((dir / "rerun.txt").string()).find("0 jobs ran, 18 cached") != std::string::npos);
    REQUIRE(artefacts(dir / "a" / "tiny") == a);
}

TEST_CASE("actopo run: killed mid-way, refused without --resume, finished with --resume, same artefacts",
          "[experiment][slow]") {
    const auto dir = temp_dir("run-kill");
    const std::string results = (dir / "r").string();
    // start a run in its own process group, kill the group (runner and workers) once the first model is extracted
    REQUIRE(shell("setsid " + kBinary + " run " + kConfig + " --jobs 1 -q --results " + results + " & pid=$!; "
                  "for i in $(seq 600); do [ -f " + results + "/tiny/.cache/extract.mlp.json ] && break; sleep 0.1; done; "
                  "kill -9 -- -$pid; wait $pid 2>/dev/null; exit 0") == 0);
    REQUIRE(fs::exists(results + "/tiny/.cache/extract.mlp.json"));
    REQUIRE_FALSE(fs::exists(results + "/tiny/manifest.json"));
    const std::string again = kBinary + " run " + kConfig + " --results " + results;
    REQUIRE(shell(again + " -q 2> " + (dir / "refused.txt").string()) == 1);
    const std::string refused = actopo::read_text_file((dir / "refused.txt").string());
    REQUIRE(refused.find("the last run stopped before finishing") != std::string::npos);
    REQUIRE(refused.find("--resume") != std::string::npos);
    REQUIRE(shell(again + " --resume -q") == 0);
    REQUIRE(shell(kBinary + " run " + kConfig + " -q --results " + (dir / "clean").string()) == 0);
    REQUIRE(artefacts(dir / "r" / "tiny") == artefacts(dir / "clean" / "tiny"));
}

TEST_CASE("actopo run: a wrong key stops before any work with one line and exit 1", "[experiment]") {
    const auto dir = temp_dir("run-bad");
    const std::string bad = (dir / "bad.yaml").string();
    REQUIRE(shell("sed s/intervals:/intervls:/ " + kConfig + " > " + bad) == 0);
    REQUIRE(shell(kBinary + " run " + bad + " --results " + (dir / "r").string() + " 2> " + (dir / "err.txt").string()) == 1);
    const std::string err = actopo::read_text_file((dir / "err.txt").string());
    REQUIRE(err == "actopo: " + bad + ":11: mapper.intervls: unknown key (did you mean 'intervals'?); expected one of: lens, "
                   "intervals, overlap, clusterer, cover, relu, points, layers\n");
    REQUIRE_FALSE(fs::exists(dir / "r"));
}
