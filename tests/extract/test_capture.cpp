// Capture of the models researchers study, checked against PyTorch: tests/extract/capture_oracle.py rebuilds each
// model of tests/extract/capture_models.py in eager PyTorch, loads the exported weights and compares every stored
// layer with what forward hooks record (fixtures: tests/extract/make_capture_fixture.py).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "actopo/store.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(ACTOPO_SOURCE_DIR) + "/tests/extract/";
const std::string kData = kDir + "data/";

std::string temp_dir() {
    static const std::string dir = [] {
        auto d = fs::temp_directory_path() / ("actopo-test-capture-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d.string();
    }();
    return dir;
}

std::string model_file(const std::string& model, const std::string& kind) {
    return kData + "capture_" + model + "_" + kind + ".pt";
}

std::string user_error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const UserError& e) {
        return e.what();
    }
    return "(no error)";
}

// One extraction for the oracle: the job line it reads ("model store dataset calls output").
struct Job {
    std::string model, kind, dataset;
    std::vector<std::string> layers{"all"};
    bool all_calls = false;
    std::string output;

    std::string store() const {
        return temp_dir() + "/" + model + "-" + kind + (all_calls ? "-calls" : "") + (layers[0] == "all" ? "" : "-some") + ".h5";
    }
    ExtractReport run() const {
        ExtractOptions o;
        o.model = model_file(model, kind);
        o.dataset = kData + dataset;
        o.layers = layers;
        o.batch = 4;  // 6 inputs: the last batch is partial
        o.output = store();
        o.force = true;
        o.all_calls = all_calls;
        return extract_activations(o);
    }
    std::string line() const {
        return model + " " + store() + " " + kData + dataset + " " + (all_calls ? "all" : "last") + " " +
               (output.empty() ? "-" : output) + "\n";
    }
};

}  // namespace

TEST_CASE("every captured layer equals PyTorch's forward hooks, scripted and traced, and all misses no leaf", "[extract][capture]") {
    std::vector<Job> jobs;
    for (std::string kind : {"scripted", "traced"}) {
        jobs.push_back({"mobile", kind, "images.h5"});
    }
    jobs.push_back({"mobile", "scripted", "images.h5", {"all"}, true});  // refine runs twice in a loop: [N, 2, ...]
    jobs.push_back({"mobile", "traced", "images.h5", {"all"}, true});
    std::ofstream list(temp_dir() + "/jobs.txt");
    for (const auto& job : jobs) {
        INFO(job.store());
        CHECK(job.run().inputs == 6);
        list << job.line();
    }
    list.close();
    ProcessResult o = run_shell("/usr/bin/python3 " + kDir + "capture_oracle.py " + temp_dir() + "/jobs.txt 2>&1");
    INFO(o.output);
    REQUIRE(o.status == 0);
    std::istringstream in(o.output);
    std::string store, layer, value;
    std::map<std::string, int> layers_per_store;
    while (in >> store >> layer >> value) {
        INFO(store << " " << layer << " " << value);
        CHECK(layer != "MISSING");  // a leaf the hooks saw run that the store lacks
        CHECK(layer != "UNSEEN");   // a stored layer the hooks never saw run
        if (layer == "MISSING" || layer == "UNSEEN") continue;
        CHECK(std::stod(value) <= 1e-5);
        ++layers_per_store[store];
    }
    for (const auto& job : jobs) {
        INFO(job.store());
        CHECK(layers_per_store[job.store()] == int(StoreReader(job.store()).layer_names().size()) + 1);
    }
    // the blocks' layers, under `if self.use_res_connect`, are there in both exports; refine's two calls stacked
    StoreReader calls(jobs[2].store());
    CHECK(calls.has_layer("blocks.0.conv.0"));
    CHECK(calls.has_layer("blocks.1.conv.7"));
    CHECK(calls.layer_shape("refine") == std::vector<std::int64_t>{2, 6, 4, 4});
    CHECK(StoreReader(jobs[0].store()).layer_shape("refine") == std::vector<std::int64_t>{6, 4, 4});
}

TEST_CASE("calls are counted where they sit: under an if, in a loop, and forward__N overloads", "[extract][capture]") {
    LayerCapture scripted(model_file("mobile", "scripted"), {"all"});
    auto info = [&](const LayerCapture& c, const std::string& name) {
        for (const auto& m : c.modules())
            if (m.name == name) return m;
        FAIL("no module " << name);
        return LayerInfo{};
    };
    // two call sites of blocks.0.conv (one per branch of the if), one of refine (in the loop)
    CHECK(info(scripted, "blocks.0.conv.0").calls == 2);
    CHECK(info(scripted, "blocks.0.conv.0").nested_calls == 2);
    CHECK(info(scripted, "refine").nested_calls == 1);
    CHECK(info(scripted, "stem").nested_calls == 0);
    // the nn.LSTM's call is forward__0 in the scripted file
    LayerCapture lstm(model_file("lstm", "scripted"), {"all"});
    CHECK(info(lstm, "lstm").calls == 1);

    // --list-layers runs the first input: how many times each leaf ran on it
    auto layers = list_layers(model_file("mobile", "scripted"), kData + "images.h5");
    std::map<std::string, LayerInfo> by_name;
    for (const auto& l : layers) by_name[l.name] = l;
    CHECK(by_name.at("blocks.0.conv.0").last_calls == 1);
    CHECK(by_name.at("refine").last_calls == 2);
    CHECK(by_name.at("stem").last_calls == 1);
    CHECK(by_name.at("refine").shape == std::vector<std::int64_t>{6, 4, 4});
}

TEST_CASE("list-layers tells the truth about every layer", "[extract][capture][cli]") {
    const std::string out = temp_dir() + "/list.out";
    auto run = [&](const std::string& model, const std::string& dataset) {
        ProcessResult r = run_shell(std::string(ACTOPO_BINARY) + " extract --model " + model + " --dataset " + dataset +
                                    " --list-layers 2>&1");
        INFO(r.output);
        REQUIRE(r.status == 0);
        std::map<std::string, std::string> lines;
        std::istringstream in(r.output);
        for (std::string line; std::getline(in, line);) lines[line.substr(0, line.find(' '))] = line;
        return lines;
    };
    auto mobile = run(model_file("mobile", "scripted"), kData + "images.h5");
    CHECK_THAT(mobile.at("refine"), Catch::Contains("ran 2 times on the first input") && Catch::Contains("in a loop or an if"));
    CHECK_THAT(mobile.at("blocks.1.conv.0"), Catch::Contains("[8, 8, 8]") && Catch::Contains("ran once"));
    CHECK(mobile.at("stem").find("(") == std::string::npos);  // one plain call: nothing to say
    for (const auto& [name, line] : mobile) {
        INFO(line);
        CHECK_FALSE((line.find("never") != std::string::npos && line.find("ran") != std::string::npos));
    }
}
