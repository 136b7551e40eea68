// Back to the inputs: graph files read back, distinguishing units, exemplars, mean attribution maps, per-input values and node colours
// (hand-computed cases; the fixtures of make_trace_fixture.py, written by h5py and numpy), and `actopo mapper`
// with --exemplars, --attributions and --color-by end to end.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/coactivation.hpp"
#include "actopo/core.hpp"
#include "actopo/mapper.hpp"
#include "actopo/store.hpp"
#include "temp_dir.hpp"
#include "user_error_of.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

using actopo_test::user_error_of;

const std::string kData = std::string(ACTOPO_SOURCE_DIR) + "/tests/mapper/data/";


PointCloud cloud_of(std::vector<std::vector<float>> rows, std::vector<std::int64_t> ids) {
    PointCloud c;
    c.points = Matrix(rows.size(), rows.front().size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) c.points(i, j) = rows[i][j];
    c.input_ids = std::move(ids);
    c.description = "toy";
    return c;
}

fs::path temp_dir() {
    static const fs::path d = actopo_test::temp_dir("trace");
    return d;
}

}  // namespace

TEST_CASE("distinguishing units: z of the members' mean against every input, largest first", "[mapper][trace]") {
    // unit 0: 0 0 0 4 (mean 1, sd sqrt(3)); unit 1: 1 1 1 1 (constant, skipped); unit 2: 2 0 0 2 (mean 1, sd 1)
    const auto cloud = cloud_of({{0, 1, 2}, {0, 1, 0}, {0, 1, 0}, {4, 1, 2}}, {10, 11, 12, 13});
    const auto top = mapper::distinguishing_units(cloud, {10, 13}, 5);
    REQUIRE(top.size() == 2);
    CHECK(top[0].first == 2);
    CHECK(top[0].second == Approx(1.0));             // members' mean 2
    CHECK(top[1].first == 0);
    CHECK(top[1].second == Approx(1.0 / std::sqrt(3.0)));  // members' mean 2
    CHECK(mapper::distinguishing_units(cloud, {10, 13}, 1).size() == 1);
    CHECK_THAT(user_error_of([&] { mapper::distinguishing_units(cloud, {10, 99}, 2); }),
               Catch::StartsWith("input id 99 of the node is not in the store (toy)"));
}

TEST_CASE("exemplars: distinct members nearest the node's centroid, ties by id", "[mapper][trace]") {
    // points on a line: 0, 1, 2, 3, 10 (centroid 3.2); input 7 has two points (spatial sampling): 3 and 10
    const auto cloud = cloud_of({{0}, {1}, {2}, {3}, {10}}, {4, 5, 6, 7, 7});
    mapper::Graph g;
    g.nodes.resize(1);
    g.nodes[0].points = {0, 1, 2, 3, 4};
    mapper::add_exemplars(g, cloud, 3);
    CHECK(g.nodes[0].exemplars == std::vector<std::int64_t>{7, 6, 5});
}

TEST_CASE("mean attribution maps, per-input value files and node colours", "[mapper][trace]") {
    mapper::Graph g;
    g.nodes.resize(2);
    g.nodes[0].members = {1, 2, 6};
    g.nodes[1].id = 1;
    g.nodes[1].members = {0, 299};
    mapper::add_attribution_means(g, mapper::read_attribution_maps(kData + "attributions.h5"));
    CHECK(g.attribution_method == "saliency");
    CHECK(g.attribution_shape == std::vector<std::int64_t>{1, 2, 2});
    CHECK(g.nodes[0].attribution_mean == std::vector<float>(4, 3.0f));
    CHECK(g.nodes[1].attribution_mean == std::vector<float>(4, 149.5f));
    CHECK_THAT(user_error_of([&] { mapper::read_attribution_maps(kData + "attributions.h5:lrp"); }),
               Catch::EndsWith("has no attributions of method 'lrp' (it has saliency)"));
    g.nodes[1].members = {0, 300};
    CHECK_THAT(user_error_of([&] { mapper::add_attribution_means(g, mapper::read_attribution_maps(kData + "attributions.h5:saliency")); }),
               Catch::Contains("has no attribution map of input id 300 (node 1"));
    g.nodes[1].members = {0, 299};

    const auto f8 = mapper::read_input_values(kData + "values.npy");
    CHECK(f8.size() == 300);
    CHECK(f8.at(299) == 149.5);
    const auto i4 = mapper::read_input_values(kData + "values_i4.npy");
    CHECK(i4.at(3) == 1.0);
    mapper::colour_nodes(g, "file", f8, false);
    CHECK(g.nodes[0].color_value == Approx(1.5));  // (0.5 + 1 + 3) / 3
    CHECK(g.nodes[1].color_value == Approx(74.75));
    mapper::colour_nodes(g, "parity", i4, true);
    CHECK(g.nodes[0].color_value == 0.0);  // ids 1, 2, 6: two even
    CHECK(g.nodes[1].color_value == 0.0);  // a tie (0 and 299): the smallest

    const auto dir = temp_dir();
    write_text_file((dir / "plain.csv").string(), "value\n1.5\n-2\n\n7e-1\n", true);
    write_text_file((dir / "pairs.csv").string(), "4, 2.5\n0,1\n", true);
    write_text_file((dir / "bad.csv").string(), "1\n2\nthree\n", true);
    CHECK(mapper::read_input_values((dir / "plain.csv").string()) == std::map<std::int64_t, double>{{0, 1.5}, {1, -2}, {2, 0.7}});
    CHECK(mapper::read_input_values((dir / "pairs.csv").string()) == std::map<std::int64_t, double>{{0, 1}, {4, 2.5}});
    CHECK(user_error_of([&] { mapper::read_input_values((dir / "bad.csv").string()); }) ==
          "'" + (dir / "bad.csv").string() + "' line 3: 'three' is not a value or id,value (expected one number per line, or id,value)");
    CHECK_THAT(user_error_of([&] { mapper::colour_nodes(g, "file:pairs.csv", mapper::read_input_values((dir / "pairs.csv").string()), false); }),
               Catch::StartsWith("--color-by file:pairs.csv: no value for input id 1 (node 0)"));
    fs::remove_all(dir);
}

TEST_CASE("graph files read back: a Mapper node, a co-activation community, and their one-line errors", "[mapper][trace]") {
    const auto dir = temp_dir();
    const std::string mapper_graph = (dir / "m.json").string(), coact = (dir / "c.json").string();
    write_text_file(mapper_graph, R"({"meta": {"input": "acts.h5", "layer": "fc1"}, "cover": {}, "nodes": [
        {"id": 0, "members": [4, 5]}, {"id": 1, "members": [5, 9, 11]}], "links": []})", true);
    write_text_file(coact, R"({"meta": {"input": "acts.h5"}, "communities": 2, "nodes": [
        {"id": 0, "kind": "neuron", "layer": "fc1", "unit": 7, "community": 1},
        {"id": 1, "kind": "neuron", "layer": "conv2", "unit": 3, "community": 1},
        {"id": 2, "kind": "neuron", "layer": "fc1", "unit": 2, "community": 1},
        {"id": 3, "kind": "neuron", "layer": "fc1", "unit": 0, "community": 0},
        {"id": 4, "kind": "class", "layer": "classes", "class": 2, "name": "Sneaker", "community": 1}], "links": []})", true);
    const auto node = mapper::read_node(mapper_graph, 1);
    CHECK(node.members == std::vector<std::int64_t>{5, 9, 11});
    CHECK(node.store == "acts.h5");
    CHECK(node.layer == "fc1");
    CHECK(user_error_of([&] { mapper::read_node(mapper_graph, 2); }) == mapper_graph + ": no node 2 (the graph has nodes 0-1)");
    CHECK_THAT(user_error_of([&] { mapper::read_node(coact, 0); }), Catch::StartsWith(coact + ": not a Mapper graph"));
    const auto c = read_community(coact, 1);
    CHECK(c.units == std::map<std::string, std::vector<std::int64_t>>{{"conv2", {3}}, {"fc1", {2, 7}}});
    CHECK(c.classes == std::vector<std::int64_t>{2});
    CHECK(c.class_names == std::vector<std::string>{"Sneaker"});
    CHECK(user_error_of([&] { read_community(coact, 5); }) == coact + ": no community 5 with neurons (communities with neurons: 0, 1)");
    CHECK_THAT(user_error_of([&] { read_community(mapper_graph, 0); }), Catch::StartsWith(mapper_graph + ": not a co-activation graph"));
    fs::remove_all(dir);
}
