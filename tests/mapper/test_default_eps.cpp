// `actopo mapper` with its defaults on held-out shapes (tests/mapper/held_out_shapes.py: noisy circles with the
// noise in their plane and off it, figure-eights, Y-shapes, separated blobs of 2 and of 8 dimensions, in R^16,
// seeds never used to choose the default eps): the graph must have the shape's components and independent
// cycles. The DBSCAN step of every graph is checked against sklearn.cluster.DBSCAN (same eps, same min_samples,
// same points), also at a small eps that leaves noise and border points.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

/// Runs a command line; its stdout, and whether it exited with 0.
std::pair<std::string, bool> capture(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[4096];
    std::size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, k);
    const int status = pclose(pipe);
    return {out, WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

/// Components and independent cycles (E - V + C) of the graph in a mapper JSON, counted here from its
/// nodes and links.
std::pair<std::size_t, std::size_t> shape_of(const nlohmann::json& g) {
    const std::size_t v = g["nodes"].size(), e = g["links"].size();
    std::vector<std::size_t> parent(v);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x];
        return x;
    };
    std::size_t c = v;
    for (const auto& l : g["links"]) {
        const std::size_t a = root(l["source"].get<std::size_t>()), b = root(l["target"].get<std::size_t>());
        if (a != b) parent[a] = b, --c;
    }
    return {c, e + c - v};
}

}  // namespace

TEST_CASE("actopo mapper's defaults recover held-out shapes, and its DBSCAN agrees with sklearn's",
          "[mapper][cli][default-eps]") {
    const fs::path dir = actopo_test::temp_dir("default-eps");
    const std::string script = std::string(ACTOPO_SOURCE_DIR) + "/tests/mapper/held_out_shapes.py";
    const auto [list, made] = capture("/usr/bin/python3 " + script + " make " + dir.string() + " 101 102 103");
    REQUIRE(made);  // a missing /usr/bin/python3, numpy or h5py fails the test
    std::istringstream lines(list);
    std::string store, oracle_args;
    std::size_t components = 0, cycles = 0, shapes = 0;
    while (lines >> store >> components >> cycles) {
        ++shapes;
        const std::string graph = fs::path(store).replace_extension(".json").string();
        const auto [out, ok] = capture(std::string(ACTOPO_BINARY) + " mapper " + store + " --layer cloud --no-pictures -o " +
                                       graph + " 2>&1");
        INFO(store << ": " << out);
        REQUIRE(ok);
        std::ifstream in(graph);
        const auto g = nlohmann::json::parse(in);
        CHECK(g["meta"]["eps_scope"] == "layer");
        CHECK(shape_of(g) == std::make_pair(components, cycles));
        CHECK(g["stats"]["components"] == components);
        CHECK(g["stats"]["cycles"] == cycles);
        oracle_args += " " + store + " " + graph;
        if (store.find("-101.h5") != std::string::npos) {  // a third of the eps: noise and border points
            const std::string small = fs::path(store).replace_extension(".small.json").string();
            char eps[32];
            std::snprintf(eps, sizeof eps, "%.17g", g["meta"]["eps"].get<double>() / 3);
            REQUIRE(capture(std::string(ACTOPO_BINARY) + " mapper " + store + " --layer cloud --no-pictures --eps " +
                            eps + " -o " + small + " 2>&1").second);
            oracle_args += " " + store + " " + small;
        }
    }
    REQUIRE(shapes == 18);
    const auto [problems, checked] = capture("/usr/bin/python3 " + script + " dbscan" + oracle_args);
    CHECK(problems == "");
    REQUIRE(checked);  // a missing python3-sklearn fails the test
    fs::remove_all(dir);
}
