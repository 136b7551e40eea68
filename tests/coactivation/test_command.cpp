// End to end: a store written by h5py -> `actopo coactivation`, `similarity`, `compare`; bad input exits 1.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

#include "actopo/core.hpp"

namespace {

// One folder per process: ctest runs each TEST_CASE as its own process, two at a time, and a
// shared folder let one case delete the stores another was reading (a CI failure).
const std::string dir = std::string(ACTOPO_BINARY) + "-coactivation-test-" + std::to_string(::getpid());

// Runs a shell command; returns its exit status and fills `output` with stdout+stderr.
int run(const std::string& command, std::string* output = nullptr) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) text += buf;
    const int status = pclose(p);
    if (output) *output = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void make_stores() {
    static bool made = false;
    if (made) return;
    REQUIRE(run("rm -rf '" + dir + "' && mkdir -p '" + dir + "'") == 0);
    const std::string script = std::string(ACTOPO_SOURCE_DIR) + "/tests/coactivation/make_store.py";
    REQUIRE(run("/usr/bin/python3 '" + script + "' '" + dir + "/s.h5'") == 0);
    REQUIRE(run("/usr/bin/python3 '" + script + "' '" + dir + "/nan.h5' nan") == 0);
    REQUIRE(run("/usr/bin/python3 '" + script + "' '" + dir + "/small.h5' small") == 0);
    made = true;
}

std::string command_line(const std::string& args) { return std::string(ACTOPO_BINARY) + " " + args; }

}  // namespace

TEST_CASE("actopo coactivation on a two-factor store finds the factors' communities", "[coactivation][command]") {
    make_stores();
    std::string out;
    REQUIRE(run(command_line("coactivation '" + dir + "/s.h5' --layers conv,fc --threshold 0.3 --seed 1 -q --force -o '" + dir +
                       "/g.json' --graphml '" + dir + "/g.graphml' --picture '" + dir + "/g.svg'"),
                &out) == 0);
    CHECK(out.find("dropped 1 constant neurons") != std::string::npos);
    CHECK(out.find("conv:3") != std::string::npos);
    const auto j = nlohmann::json::parse(actopo::read_text_file(dir + "/g.json"));
    std::map<std::string, std::int64_t> community;
    for (const auto& n : j["nodes"]) community[n["name"].get<std::string>()] = n["community"].get<std::int64_t>();
    for (const char* a : {"conv:1", "fc:0", "fc:1", "fc:2", "zero", "two"}) CHECK(community.at(a) == community.at("conv:0"));
    for (const char* b : {"fc:3", "fc:4", "fc:5", "one"}) CHECK(community.at(b) == community.at("conv:2"));
    CHECK(community.at("conv:0") != community.at("conv:2"));
    CHECK(j["dropped"] == nlohmann::json::array({"conv:3"}));
    for (const auto& layer : j["layers"]) {  // the per-layer modularity says which of its 10 seeded runs won
        CHECK(layer["modularity_restarts"] == 10);
        CHECK(layer["modularity_best_seed"].get<std::uint64_t>() >= 1);
        CHECK(layer["modularity_best_seed"].get<std::uint64_t>() <= 10);
    }
    CHECK(j["layers"].size() == 2);
    CHECK(j["links"].size() > 10);
    CHECK(actopo::read_text_file(dir + "/g.graphml").find("<graphml") != std::string::npos);
    CHECK(actopo::read_text_file(dir + "/g.svg").find("<svg") != std::string::npos);
    // The output exists: refused without --force.
    CHECK(run(command_line("coactivation '" + dir + "/s.h5' -q -o '" + dir + "/g.json'")) == 1);
}

TEST_CASE("actopo coactivation refuses bad input with one line", "[coactivation][command]") {
    make_stores();
    std::string out;
    CHECK(run(command_line("coactivation '" + dir + "/nan.h5' -q --force -o '" + dir + "/n.json'"), &out) == 1);
    CHECK(out.find("fc") != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK(run(command_line("coactivation '" + dir + "/s.h5' --threshold 0.999 -q --force -o '" + dir + "/t.json'"), &out) == 1);
    CHECK(out.find("leaves no edges") != std::string::npos);
    CHECK(run(command_line("coactivation '" + dir + "/s.h5' --layers nope -q --force -o '" + dir + "/t.json'"), &out) == 1);
    CHECK(out.find("nope") != std::string::npos);
}

TEST_CASE("actopo similarity and compare on a store", "[coactivation][command]") {
    make_stores();
    for (const char* m : {"cka", "svcca", "rsa", "procrustes"})
        REQUIRE(run(command_line(std::string("similarity '") + dir + "/s.h5' -q --force --metric " + m + " -o '" + dir + "/" + m +
                           ".csv'")) == 0);
    const auto cka = actopo::read_named_matrix_csv(dir + "/cka.csv");
    REQUIRE(cka.row_names == std::vector<std::string>{"conv", "fc", "fc2"});
    CHECK(cka.at(0, 0) == Approx(1.0));
    CHECK(cka.at(0, 1) == Approx(cka.at(1, 0)));
    std::string out;
    REQUIRE(run(command_line("compare '" + dir + "/cka.csv' '" + dir + "/svcca.csv' '" + dir + "/rsa.csv' '" + dir +
                       "/procrustes.csv' --permutations 99 --force -q -o '" + dir + "/cmp'"),
                &out) == 0);
    // Two stores over different inputs: refused, naming the layers.
    CHECK(run(command_line("similarity '" + dir + "/s.h5' '" + dir + "/small.h5' -q --force -o '" + dir + "/x.csv'"), &out) == 1);
    CHECK(out.find("not seen on the same inputs") != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    const std::string agreement = actopo::read_text_file(dir + "/cmp/agreement.csv");
    CHECK(agreement.find("cka,procrustes,") != std::string::npos);
    CHECK(actopo::read_text_file(dir + "/cmp/table.csv").rfind("row,col,cka,svcca,rsa,procrustes\n", 0) == 0);
}
