// `actopo distance` and `actopo distances` end to end: a store written by h5py, diagrams and distances
// checked against python3-gudhi; names, files, refusals and one-line errors.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "actopo/distances.hpp"
#include "distances/helpers.hpp"
#include "temp_dir.hpp"

using namespace actopo;
using namespace distances_test;
namespace fs = std::filesystem;

namespace {

const std::string actopo_bin = ACTOPO_BINARY;

/// Writes the h5py store and returns gudhi's bottleneck matrix for it.
NamedMatrix make_store(const actopo_test::TempDir& dir, const std::string& name, int dim, int seed) {
    auto r = run("/usr/bin/python3 " ACTOPO_SOURCE_DIR "/tests/distances/store_oracle.py " + dir / name + " " +
                 std::to_string(dim) + " " + std::to_string(seed) + " > " + dir / (name + ".oracle.csv"));
    INFO(r.output);
    REQUIRE(r.status == 0);
    return read_named_matrix_csv(dir / (name + ".oracle.csv"));
}

double lookup(const NamedMatrix& m, const std::string& a, const std::string& b) {
    auto i = std::find(m.row_names.begin(), m.row_names.end(), a) - m.row_names.begin();
    auto j = std::find(m.col_names.begin(), m.col_names.end(), b) - m.col_names.begin();
    REQUIRE(std::size_t(i) < m.row_names.size());
    REQUIRE(std::size_t(j) < m.col_names.size());
    return m.at(std::size_t(i), std::size_t(j));
}

}  // namespace

TEST_CASE("actopo distances: layer x layer of a store matches gudhi Rips + bottleneck") {
    actopo_test::TempDir dir("distances-cmd");
    for (int dim : {0, 1}) {
        auto oracle = make_store(dir, "toy" + std::to_string(dim) + ".h5", dim, 3 + dim);
        auto out = dir / ("layers" + std::to_string(dim) + ".csv");
        auto r = run(actopo_bin + " distances " + dir / ("toy" + std::to_string(dim) + ".h5") +
                     " --metric bottleneck --points 0 --quiet --dim " + std::to_string(dim) + " -o " + out);
        INFO(r.output);
        REQUIRE(r.status == 0);
        auto ours = read_named_matrix_csv(out);
        REQUIRE(ours.row_names.size() == 3);
        for (const auto& a : ours.row_names)
            for (const auto& b : ours.col_names) {
                double theirs = lookup(oracle, a, b);
                CHECK(lookup(ours, a, b) == Approx(theirs).epsilon(1e-5).margin(1e-7));
            }
        CHECK(fs::file_size(fs::path(out).replace_extension(".svg")) > 0);
        CHECK(fs::file_size(fs::path(out).replace_extension(".png")) > 0);
    }
}

TEST_CASE("actopo distances: several stores give model:layer names, and outputs are not overwritten") {
    actopo_test::TempDir dir("distances-cmd");
    make_store(dir, "mlp.h5", 1, 1);
    make_store(dir, "cnn.h5", 1, 2);
    auto out = dir / "models.csv";
    auto r = run(actopo_bin + " distances " + dir / "mlp.h5" + " " + dir / "cnn.h5" +
                 " --metric sliced-wasserstein --points 30 --seed 5 --quiet -o " + out);
    INFO(r.output);
    REQUIRE(r.status == 0);
    auto m = read_named_matrix_csv(out);
    REQUIRE(m.row_names.size() == 6);
    CHECK(std::count(m.row_names.begin(), m.row_names.end(), "mlp:circle") == 1);
    CHECK(std::count(m.row_names.begin(), m.row_names.end(), "cnn:fc.2") == 1);
    auto before = fs::last_write_time(out);
    r = run(actopo_bin + " distances " + dir / "mlp.h5" + " --quiet -o " + out);
    CHECK(r.status == 1);
    CHECK(r.output.find("--force") != std::string::npos);
    CHECK(fs::last_write_time(out) == before);
}

TEST_CASE("actopo distance prints the library's value, and bad input is one line and exit 1") {
    actopo_test::TempDir dir("distances-cmd");
    {
        std::ofstream a(dir / "a.csv"), b(dir / "b.csv");
        a << "dim,birth,death\n0,0,inf\n0,0,0.5\n1,0.2,0.9\n1,0.3,0.4\n";
        b << "dim,birth,death\n0,0,inf\n1,0.25,1.0\n";
    }
    Diagram x{1, {{0.2, 0.9}, {0.3, 0.4}}}, y{1, {{0.25, 1.0}}};
    for (std::string metric : {"bottleneck", "wasserstein", "sliced-wasserstein"}) {
        auto r = run(actopo_bin + " distance " + dir / "a.csv" + " " + dir / "b.csv" + " --dim 1 --p 2 --metric " + metric);
        INFO(metric << ": " << r.output);
        REQUIRE(r.status == 0);
        DistanceOptions o;
        o.p = 2;
        CHECK(std::stod(r.output) == Approx(diagram_distance(x, y, parse_diagram_metric(metric), o)).epsilon(1e-9));
    }
    auto h0 = run(actopo_bin + " distance " + dir / "a.csv" + " " + dir / "b.csv" + " --dim 0 --metric bottleneck");
    CHECK(std::stod(h0.output) == Approx(0.25));
    for (std::string bad : {" --metric euclid", " --dim 3", " --metric wasserstein --p 0.5",
                            " --metric wasserstein --internal-p zero"}) {
        auto r = run(actopo_bin + " distance " + dir / "a.csv" + " " + dir / "b.csv" + bad);
        INFO(bad << ": " << r.output);
        CHECK(r.status == 1);
        CHECK(r.output.rfind("actopo: ", 0) == 0);
        CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    }
    auto missing = run(actopo_bin + " distance " + dir / "nope.csv" + " " + dir / "b.csv");
    CHECK(missing.status == 1);
    CHECK(missing.output.find("nope.csv") != std::string::npos);
}
