// `actopo persistence` end to end: outputs, refusal to overwrite, one-line errors with exit 1.
#include <sys/wait.h>

#include "helpers.hpp"

namespace {

struct Result {
    int code;
    std::string err;
};

Result run(const std::string& args) {
    const std::string errfile = ptest::temp_path("stderr.txt");
    const std::string cmd = std::string(ACTOPO_BINARY) + " persistence " + args + " 2>" + errfile;
    const int status = std::system(cmd.c_str());
    std::ifstream in(errfile);
    std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(errfile.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, err};
}

}  // namespace

TEST_CASE("actopo persistence writes diagrams equal to the library's", "[persistence][cli]") {
    const std::string out = ptest::temp_path("cli.json");
    std::remove(out.c_str());
    const std::string in = ptest::bench_file("random16.lower_distance_matrix");
    REQUIRE(run(in + " --max-dim 2 --backend ripser -q -o " + out).code == 0);
    const auto d = actopo::read_diagrams(out);
    actopo::RipsOptions o;
    o.max_dim = 2;
    ptest::require_same(d, actopo::compute_persistence(
                               actopo::read_rips_input(in, "lower-distance", actopo::Metric::precomputed), o, "gudhi"));
    REQUIRE(d.meta.at("input") == in);
    REQUIRE(d.meta.at("backend") == "ripser");
    const auto again = run(in + " --max-dim 1 -q -o " + out);
    REQUIRE(again.code == 1);
    REQUIRE(again.err.find("--force") != std::string::npos);
    REQUIRE(run(in + " --max-dim 1 -q --force -o " + out).code == 0);
    REQUIRE(actopo::read_diagrams(out).dims.size() == 2);
    std::remove(out.c_str());
}

TEST_CASE("actopo persistence: bad input is one line and exit 1", "[persistence][cli][errors]") {
    const std::string bad = ptest::temp_path("ragged.txt"), out = ptest::temp_path("never.csv");
    std::ofstream(bad) << "1 2 3\n4 5\n";
    auto r = run(bad + " --max-dim 1 -o " + out);
    REQUIRE(r.code == 1);
    REQUIRE(r.err == "actopo: " + bad + ": row 2: has 2 coordinates, expected 3 like row 1\n");
    std::ifstream probe(out);
    REQUIRE(!probe.good());  // nothing written
    r = run(ptest::bench_file("random16.lower_distance_matrix") + " --max-dim 1 --coeff 6 -o " + out);
    REQUIRE(r.code == 1);
    REQUIRE(r.err.find("prime") != std::string::npos);
    r = run(ptest::bench_file("random16.lower_distance_matrix") + " --max-dim 1 -q -o " + out);
    REQUIRE(r.code == 0);
    REQUIRE(r.err.find("not a metric") != std::string::npos);  // random16 breaks the triangle inequality
    std::remove(bad.c_str());
    std::remove(out.c_str());
}
