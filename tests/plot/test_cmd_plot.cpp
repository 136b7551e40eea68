// `actopo plot`: a diagram file and a matrix drawn from the command line; wrong files refused in one line.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/persistence.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {
int shell(const std::string& command) {
    const int status = std::system(("bash -c '" + command + "'").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("actopo plot: diagrams of every layer and a matrix, refusing to overwrite and unknown files", "[plot]") {
    const fs::path dir = actopo_test::temp_dir("plot-cmd");
    const std::string bin = ACTOPO_BINARY;
    actopo::Diagrams d;
    d.dims.resize(2);
    d.dims[0].dim = 0;
    d.dims[0].pairs = {{0, 1}, {0, 2.5}, {0, std::numeric_limits<double>::infinity()}};
    d.dims[1].dim = 1;
    d.dims[1].pairs = {{1, 3}};
    actopo::write_diagram_groups({{"fc1", d}, {"fc2", d}}, (dir / "d.h5").string(), true, {"fc1", "fc2"});
    REQUIRE(shell(bin + " plot " + (dir / "d.h5").string() + " -o " + (dir / "out.svg").string() + " -q") == 0);
    for (const char* f : {"out-fc1.svg", "out-fc1.png", "out-fc2.svg", "out-fc2.png"}) CHECK(fs::file_size(dir / f) > 1000);
    REQUIRE(shell(bin + " plot " + (dir / "d.h5").string() + " --layer fc2 -o " + (dir / "out-fc2.svg").string() + " 2> " +
                  (dir / "err.txt").string()) == 1);
    std::string err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("out-fc2.svg") != std::string::npos);
    CHECK(err.find("--force") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);

    actopo::write_text_file((dir / "m.csv").string(), "name,a,b\na,0,2\nb,2,0\n", true);
    REQUIRE(shell(bin + " plot " + (dir / "m.csv").string() + " -q") == 0);
    CHECK(fs::exists(dir / "m.svg"));
    CHECK(fs::exists(dir / "m.png"));

    // an attribution file (actopo explain): per method its grid of maps and the per-class means, in a folder
    const std::string attributions = std::string(ACTOPO_SOURCE_DIR) + "/tests/mapper/data/attributions.h5";
    REQUIRE(shell(bin + " plot " + attributions + " --inputs 4 -o " + (dir / "pics").string() + " -q") == 0);
    std::size_t pictures = 0;
    for (const auto& e : fs::directory_iterator(dir / "pics")) pictures += e.path().extension() == ".png" && fs::file_size(e.path()) > 1000;
    CHECK(pictures == 2);  // the one method's grid and its class means
    // a Mapper graph file (actopo mapper's JSON, written here by hand): its nodes as class pie charts
    actopo::write_text_file((dir / "g.json").string(),
                            R"({"meta": {"layer": "fc1"}, "class_names": ["a", "b"], "cover": {"intervals": [2], "sets": []},
                                "stats": {"components": 1, "cycles": 0, "mean_purity": 0.8,
                                          "class_spread": [{"label": 0, "points": 5}, {"label": 1, "points": 3}]},
                                "nodes": [{"id": 0, "members": [1, 2, 3], "size": 3, "classes": {"0": 3}, "majority": 0, "purity": 1},
                                          {"id": 1, "members": [3, 4, 5, 6], "size": 4, "classes": {"0": 2, "1": 2}, "majority": 0, "purity": 0.5},
                                          {"id": 2, "members": [7], "size": 1, "classes": {"1": 1}, "majority": 1, "purity": 1}],
                                "links": [{"source": 0, "target": 1, "weight": 0.17, "intersection": 1}]})",
                            true);
    REQUIRE(shell(bin + " plot " + (dir / "g.json").string() + " -q") == 0);
    const std::string svg = actopo::read_text_file((dir / "g.svg").string());
    CHECK(svg.find("node 1: 4 points") != std::string::npos);  // the node's tooltip, from the file
    CHECK(fs::file_size(dir / "g.png") > 1000);
    // the picture pair is written together: with the PNG already there, the refusal leaves no lone SVG either
    fs::remove(dir / "g.svg");
    REQUIRE(shell(bin + " plot " + (dir / "g.json").string() + " 2> " + (dir / "err.txt").string()) == 1);
    err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("g.png: output exists") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "g.svg"));
    // a .json that is not JSON: one line naming the file and what it should hold
    actopo::write_text_file((dir / "broken.json").string(), "{\"nodes\": [", true);
    REQUIRE(shell(bin + " plot " + (dir / "broken.json").string() + " 2> " + (dir / "err.txt").string()) == 1);
    err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("broken.json: not valid JSON, expected persistence diagrams (actopo persistence) or a Mapper graph") !=
          std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    actopo::write_text_file((dir / "bad.json").string(), R"({"nodes": [{"id": 0}], "cover": {}})", true);
    REQUIRE(shell(bin + " plot " + (dir / "bad.json").string() + " 2> " + (dir / "err.txt").string()) == 1);
    err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("bad.json: a node or link lacks a field of the Mapper format") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);

    // an HDF5 file that holds neither diagrams nor attributions
    const std::string data = std::string(ACTOPO_SOURCE_DIR) + "/tests/explain/data/data.h5";
    REQUIRE(shell(bin + " plot " + data + " -o " + (dir / "x.svg").string() + " 2> " + (dir / "err.txt").string()) == 1);
    err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("data.h5: neither diagrams") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "x.svg"));

    actopo::write_text_file((dir / "notes.txt").string(), "hello\n", true);
    REQUIRE(shell(bin + " plot " + (dir / "notes.txt").string() + " 2> " + (dir / "err.txt").string()) == 1);
    err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("notes.txt: expected a diagram file") != std::string::npos);
    CHECK(err.find("a Mapper graph (.json)") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "notes.svg"));
}
