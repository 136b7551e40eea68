// Ablation checked against PyTorch forward hooks (tests/extract/make_ablate_fixture.py wrote the expected numbers)
// and against accuracies worked out by hand; the permutation baseline's properties; the bad inputs of the command.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "actopo/ablate.hpp"
#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "temp_dir.hpp"
#include "user_error_of.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(ACTOPO_SOURCE_DIR) + "/tests/extract/data/";

AblateOptions options(const std::string& model, const std::string& data, const LayerUnits& units, AblationFill fill) {
    AblateOptions o;
    o.model = kData + model;
    o.dataset = kData + data;
    o.units = units;
    o.fill = fill;
    o.draws = 0;
    o.batch = 7;  // batches of different sizes, the last one short
    return o;
}

const AblationRow& row(const AblationReport& r, const std::string& name) {
    for (const auto& x : r.rows)
        if (x.name == name) return x;
    FAIL("no row " << name);
    return r.rows.front();
}

/// A command's exit status and what it wrote on stdout and stderr.
ProcessResult run(const std::string& command) { return run_shell(command + " 2>&1"); }

}  // namespace

TEST_CASE("ablate agrees with PyTorch forward hooks that zero or mean the same units", "[ablate]") {
    const auto expected = nlohmann::json::parse(read_text_file(kData + "ablate_expected.json"));
    REQUIRE(expected.size() == 4);
    for (const auto& c : expected) {
        INFO(c["name"].get<std::string>());
        const auto r = ablate(options("ablate_cnn.pt", "ablate_data.h5", c["units"].get<LayerUnits>(),
                                      parse_ablation_fill(c["fill"].get<std::string>())));
        REQUIRE(r.rows.size() == c["rows"].size());
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
            const auto& want = c["rows"][i];
            const auto& got = r.rows[i];
            INFO("group " << want["group"].get<std::string>());
            CHECK(got.name == (want["group"] == "all" ? std::string("all") : want["group"].get<std::string>()));
            CHECK(got.inputs == want["inputs"].get<std::size_t>());
            CHECK(got.intact_accuracy == Approx(want["intact_accuracy"].get<double>()).margin(1e-12));
            CHECK(got.ablated_accuracy == Approx(want["ablated_accuracy"].get<double>()).margin(1e-12));
            CHECK(got.logit_change == Approx(want["logit_change"].get<double>()).margin(1e-5));
        }
    }
}

TEST_CASE("ablate: per-class accuracy and logit change worked out by hand", "[ablate]") {
    // logits = relu(x); class 0: (2,1) (3,.5) (1,2); class 1: (.5,1) (1,3) (2,1). Intact: 2 of 3 right in each class.
    auto zero = ablate(options("ablate_hand.pt", "ablate_hand.h5", {{"hidden", {0}}}, AblationFill::zero));
    // hidden unit 0 zeroed: logits (0, x1), every input predicted 1
    CHECK(row(zero, "0").intact_accuracy == Approx(2.0 / 3));
    CHECK(row(zero, "0").ablated_accuracy == 0.0);
    CHECK(row(zero, "0").drop == Approx(2.0 / 3));
    CHECK(row(zero, "0").logit_change == Approx(-(2.0 + 3.0 + 1.0) / 3));
    CHECK(row(zero, "1").ablated_accuracy == 1.0);
    CHECK(row(zero, "1").drop == Approx(-1.0 / 3));
    CHECK(row(zero, "1").logit_change == 0.0);
    CHECK(row(zero, "all").drop == Approx(1.0 / 6));
    // unit 0 set to its mean 9.5 / 6 = 1.583: class 0 keeps (2,1) (3,.5); class 1 keeps only (1,3)
    auto mean = ablate(options("ablate_hand.pt", "ablate_hand.h5", {{"hidden", {0}}}, AblationFill::mean));
    CHECK(row(mean, "0").ablated_accuracy == Approx(2.0 / 3));
    CHECK(row(mean, "1").ablated_accuracy == Approx(1.0 / 3));
    CHECK(row(mean, "0").logit_change == Approx((3 * 9.5 / 6 - 6.0) / 3));
    // the focus row: inputs 0 (2,1) right and 2 (1,2) wrong; with unit 0 of `act` zeroed both are predicted 1
    auto o = options("ablate_hand.pt", "ablate_hand.h5", {{"act", {0}}}, AblationFill::zero);
    o.focus = {0, 2};
    o.focus_name = "node";
    auto focus = ablate(o);
    CHECK(row(focus, "node").inputs == 2);
    CHECK(row(focus, "node").intact_accuracy == 0.5);
    CHECK(row(focus, "node").ablated_accuracy == 0.0);
}

TEST_CASE("ablate: the permutation baseline is seeded and equals the ablation when every unit is drawn", "[ablate]") {
    auto o = options("ablate_cnn.pt", "ablate_data.h5", {{"conv2", {0, 1, 2, 3, 4, 5}}}, AblationFill::zero);
    o.draws = 3;
    const auto all = ablate(o);
    for (const auto& r : all.rows) {
        if (r.inputs == 0) continue;
        CHECK(r.baseline_mean == Approx(r.drop).margin(1e-12));
        CHECK(r.baseline_sd == Approx(0).margin(1e-12));
        CHECK(r.p_value == 1.0);
    }
    o.units = {{"conv2", {1, 4}}};
    o.draws = 8;
    o.seed = 4;
    const auto a = ablate(o), b = ablate(o);
    o.seed = 5;
    const auto c = ablate(o);
    bool differs = false;
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        CHECK(a.rows[i].baseline_mean == b.rows[i].baseline_mean);
        CHECK(a.rows[i].p_value == b.rows[i].p_value);
        CHECK(a.rows[i].p_value >= 1.0 / 9);
        CHECK(a.rows[i].p_value <= 1.0);
        differs |= a.rows[i].baseline_mean != c.rows[i].baseline_mean;
    }
    CHECK(differs);
}

TEST_CASE("ablate: bad units, graphs and ids are one-line errors naming the file, layer or id", "[ablate]") {
    const auto message = actopo_test::user_error_of;
    CHECK_THAT(message([] { parse_layer_units("fc1:x"); }), Catch::StartsWith("--neurons 'fc1:x': unit 'x' is not a whole number >= 0"));
    CHECK_THAT(message([] { parse_layer_units("fc1"); }), Catch::StartsWith("--neurons 'fc1': expected layer:units"));
    CHECK(parse_layer_units("layer1.0.conv2:5,3,5") == LayerUnits{{"layer1.0.conv2", {3, 5}}});
    CHECK_THAT(message([] { ablate(options("ablate_cnn.pt", "ablate_data.h5", {{"fc9", {1}}}, AblationFill::zero)); }),
               Catch::Contains("has no layer 'fc9' (closest: fc1"));
    CHECK_THAT(message([] { ablate(options("ablate_cnn.pt", "ablate_data.h5", {{"fc1", {}}}, AblationFill::zero)); }),
               Catch::Contains("no unit to ablate"));
    auto o = options("ablate_cnn.pt", "ablate_data.h5", {{"fc1", {1}}}, AblationFill::zero);
    o.focus = {3, 60};
    CHECK(message([&] { ablate(o); }) == "input id 60 of the members is outside dataset '" + kData +
                                             "ablate_data.h5' (60 inputs): the graph was made from other inputs");
}

TEST_CASE("ablate command: unit out of range, missing community, a graph of another model: exit 1, nothing written", "[ablate]") {
    const auto dir = actopo_test::temp_dir("ablate");
    const std::string bin = ACTOPO_BINARY, out = (dir / "r.json").string();
    const std::string graph = (dir / "coact.json").string(), mapper_graph = (dir / "mapper.json").string(),
                      store = (dir / "store.h5").string();
    ExtractOptions e;  // a store of the CNN; the mapper graph below was "made" from it
    e.model = kData + "ablate_cnn.pt";
    e.dataset = kData + "ablate_data.h5";
    e.layers = {"fc1"};
    e.output = store;
    extract_activations(e);
    write_text_file(graph, R"({"meta": {"input": ""}, "communities": 2, "nodes": [
        {"id": 0, "kind": "neuron", "layer": "fc1", "unit": 2, "community": 0},
        {"id": 1, "kind": "neuron", "layer": "fc1", "unit": 5, "community": 1},
        {"id": 2, "kind": "class", "layer": "classes", "class": 0, "name": "0", "community": 1}], "links": []})", true);
    write_text_file(mapper_graph, R"({"meta": {"input": ")" + store + R"(", "layer": "fc1"}, "cover": {}, "nodes": [
        {"id": 0, "members": [1, 2, 3]}], "links": []})", true);
    const std::string cnn = " --model " + kData + "ablate_cnn.pt --dataset " + kData + "ablate_data.h5";
    struct Case {
        std::string args, expected;
    };
    const std::vector<Case> cases{
        {cnn + " --neurons fc1:3,8", "layer 'fc1' of model '" + kData + "ablate_cnn.pt' has 8 units (0-7, output shape [8]); unit 8 does not exist"},
        {cnn + " --community " + graph + ":4", graph + ": no community 4 with neurons (communities with neurons: 0, 1)"},
        {" --model " + kData + "ablate_hand.pt --dataset " + kData + "ablate_hand.h5 --mapper-node " + mapper_graph + ":0",
         mapper_graph + " was made from store '" + store + "' of model '" + kData + "ablate_cnn.pt', whose sha256 differs from --model"},
    };
    for (const auto& c : cases) {
        const ProcessResult o = run(bin + " ablate --baseline-draws 2" + c.args + " -o " + out);
        INFO(c.args << "\n" << o.output);
        CHECK(o.status == 1);
        CHECK_THAT(o.output, Catch::StartsWith("actopo: ") && Catch::Contains(c.expected));
        CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
        std::size_t files = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
        CHECK(files == 3);  // the store and the two graphs: no output, no temporary file
    }
    fs::remove_all(dir);
}
