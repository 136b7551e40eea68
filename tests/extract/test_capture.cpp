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
#include "user_error_of.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

using actopo_test::user_error_of;

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


// One extraction for the oracle: the job line it reads ("model store dataset calls output").
struct Job {
    std::string model, kind, dataset;
    std::vector<std::string> layers{"all"};
    bool all_calls = false;
    std::string output = "";

    std::string store() const {
        return temp_dir() + "/" + model + "-" + kind + (all_calls ? "-calls" : "") + (layers[0] == "all" ? "" : "-some") + ".h5";
    }
    Job& with_layers(std::vector<std::string> l) {
        layers = std::move(l);
        return *this;
    }
    Job& with_logits(std::string l) {
        output = std::move(l);
        return *this;
    }
    Job& every_call() {
        all_calls = true;
        return *this;
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
        o.logits = output;
        return extract_activations(o);
    }
    std::string line() const {
        return model + " " + store() + " " + kData + dataset + " " + (all_calls ? "all" : "last") + " " +
               (output.empty() ? "-" : output) + " " + (layers[0] == "all" ? "all" : "some") + "\n";
    }
};

}  // namespace

TEST_CASE("every captured layer equals PyTorch's forward hooks, scripted and traced, and all misses no leaf", "[extract][capture]") {
    std::vector<Job> jobs;
    for (std::string kind : {"scripted", "traced"}) {
        jobs.push_back({"mobile", kind, "images.h5"});
        jobs.push_back({"lstm", kind, "sequences.h5"});
        jobs.push_back(Job{"gru", kind, "sequences.h5"}.with_logits("[0]"));
        jobs.push_back(Job{"dict", kind, "sequences.h5"}.with_logits("logits"));
    }
    jobs.push_back(Job{"mobile", "scripted", "images.h5"}.every_call());  // refine runs twice in a loop: [N, 2, ...]
    jobs.push_back(Job{"mobile", "traced", "images.h5"}.every_call());
    // elements of tuple and dict outputs by address; the hidden states of nn.LSTM and nn.GRU batch first
    jobs.push_back(Job{"lstm", "scripted", "sequences.h5"}.with_layers({"lstm[0]", "lstm[1][0]", "lstm[1][1]", "lstm"}));
    jobs.push_back(Job{"gru", "scripted", "sequences.h5"}.with_logits("[0]").with_layers({"gru[1]", "gru[-2]", "fc"}));
    jobs.push_back(Job{"dict", "scripted", "sequences.h5"}.with_logits("[\"logits\"]").with_layers({"branch[\"aux\"]", "branch['main']"}));
    jobs.push_back(Job{"dict", "traced", "sequences.h5"}.with_logits("logits").with_layers({"branch[1]", "branch"}));
    // token ids (int64 /x) into nn.Embedding, a TransformerEncoder, and forward(x, mask) fed /x and /mask
    for (std::string kind : {"scripted", "traced"}) {
        jobs.push_back({"token_mlp", kind, "tokens.h5"});
        jobs.push_back({"transformer", kind, "tokens.h5"});
        jobs.push_back({"masked_transformer", kind, "tokens.h5"});
    }
    // selection: the blocks (children of the Sequential `features`), every Conv2d, a glob
    const std::vector<std::string> selected{"blocks", "type:Conv2d", "features.*.conv.2"};
    jobs.push_back(Job{"mobile", "scripted", "images.h5"}.with_layers(selected));
    jobs.push_back(Job{"mobile", "traced", "images.h5"}.with_layers(selected));
    // the encoder layers' outputs (the fast path calls none of their sublayers), selected as blocks
    jobs.push_back(Job{"masked_transformer", "scripted", "tokens.h5"}.with_layers({"blocks", "type:Embedding"}));
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
    StoreReader calls(jobs[8].store());
    CHECK(calls.has_layer("features.0.conv.0"));
    CHECK(calls.has_layer("features.1.conv.7"));
    CHECK(calls.layer_shape("refine") == std::vector<std::int64_t>{2, 6, 4, 4});
    CHECK(StoreReader(jobs[0].store()).layer_shape("refine") == std::vector<std::int64_t>{6, 4, 4});
    // the addressed elements, under the names asked for; h_n of the LSTM [layers, N, H] stored [N, layers, H]
    StoreReader lstm(jobs[10].store());
    CHECK(lstm.layer_names() == std::vector<std::string>{"lstm[0]", "lstm[1][0]", "lstm[1][1]", "lstm"});
    CHECK(lstm.layer_shape("lstm[1][0]") == std::vector<std::int64_t>{1, 6});
    CHECK(lstm.layer_shape("lstm") == std::vector<std::int64_t>{5, 6});
    CHECK(StoreReader(jobs[11].store()).layer_shape("gru[1]") == std::vector<std::int64_t>{2, 5});
    CHECK(StoreReader(jobs[12].store()).layer_names() == std::vector<std::string>{"branch[\"aux\"]", "branch[\"main\"]"});
    for (std::size_t j : {20, 21}) {  // (the module tree of capture_models.MobileBlocks)
        const std::vector<std::string> expected{"features.0", "features.1", "stem", "features.0.conv.0", "features.0.conv.3",
                                                "features.0.conv.6", "features.1.conv.0", "features.1.conv.3",
                                                "features.1.conv.6", "refine", "features.0.conv.2", "features.1.conv.2"};
        CHECK(StoreReader(jobs[j].store()).layer_names() == expected);
    }
    CHECK(StoreReader(jobs[22].store()).layer_names() ==
          std::vector<std::string>{"encoder.layers.0", "encoder.layers.1", "emb"});
    CHECK(StoreReader(jobs[22].store()).layer_shape("encoder.layers.1") == std::vector<std::int64_t>{5, 8});
    // nn.TransformerEncoderLayer: scripted, its sublayers run (the standard path, not the fused fast path) and equal
    // the hooks of PyTorch run with gradients on, with and without a padding mask (then with the encoder's nested
    // tensors off too); traced on the fast path, none of them was recorded and all leaves them out (the oracle checked
    // that the hooks of the fast path saw none run either)
    for (std::size_t j : {15, 16}) {
        StoreReader store(jobs[j].store());
        for (const char* sub : {"norm1", "linear1", "dropout", "linear2", "norm2"})
            CHECK(store.has_layer("encoder.layers.1." + std::string(sub)));
        CHECK(store.layer_shape("encoder.layers.0.linear1") == std::vector<std::int64_t>{5, 16});
        CHECK_FALSE(store.has_layer("encoder.layers.0.self_attn.out_proj"));  // MultiheadAttention never calls it
        CHECK(store.layer_shape("encoder.layers.1.self_attn") == std::vector<std::int64_t>{5, 8});  // so all takes it
    }
    for (std::size_t j : {18, 19}) CHECK(StoreReader(jobs[j].store()).layer_names() == std::vector<std::string>{"emb", "fc"});

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
    CHECK(info(scripted, "features.0.conv.0").calls == 2);
    CHECK(info(scripted, "features.0.conv.0").nested_calls == 2);
    CHECK(info(scripted, "refine").nested_calls == 1);
    CHECK(info(scripted, "stem").nested_calls == 0);
    // the nn.LSTM's call is forward__0 in the scripted file
    LayerCapture lstm(model_file("lstm", "scripted"), {"all"});
    CHECK(info(lstm, "lstm").calls == 1);
    CHECK(lstm.layers() == std::vector<std::string>{"lstm", "fc"});  // lstm as its first element

    // --list-layers runs the first input: how many times each leaf ran on it
    auto layers = list_layers(model_file("mobile", "scripted"), kData + "images.h5");
    std::map<std::string, LayerInfo> by_name;
    for (const auto& l : layers) by_name[l.name] = l;
    CHECK(by_name.at("features.0.conv.0").last_calls == 1);
    CHECK(by_name.at("refine").last_calls == 2);
    CHECK(by_name.at("stem").last_calls == 1);
    CHECK(by_name.at("refine").shape == std::vector<std::int64_t>{6, 4, 4});
}

TEST_CASE("list-layers tells the truth about every layer", "[extract][capture][cli]") {
    const std::string out = temp_dir() + "/list.out";
    auto run = [&](const std::string& model, const std::string& dataset) {
        ProcessResult r = run_shell("ACTOPO_QUIET=0 " + std::string(ACTOPO_BINARY) + " extract --model " + model +  // notes too
                                    " --dataset " + dataset + " --list-layers 2>&1");
        INFO(r.output);
        REQUIRE(r.status == 0);
        std::map<std::string, std::string> lines{{"", r.output}};  // "": the whole output, notes and all
        std::istringstream in(r.output);
        for (std::string line; std::getline(in, line);) lines[line.substr(0, line.find(' '))] = line;
        return lines;
    };
    auto mobile = run(model_file("mobile", "scripted"), kData + "images.h5");
    CHECK_THAT(mobile.at("refine"), Catch::Contains("ran 2 times on the first input") && Catch::Contains("in a loop or an if"));
    CHECK_THAT(mobile.at("features.1.conv.0"), Catch::Contains("[8, 8, 8]") && Catch::Contains("ran once"));
    CHECK(mobile.at("stem").find("(") == std::string::npos);  // one plain call: nothing to say
    for (const auto& [name, line] : mobile) {
        INFO(line);
        if (!name.empty()) CHECK_FALSE((line.find("never") != std::string::npos && line.find("ran") != std::string::npos));
    }
    // nn.TransformerEncoderLayer: one note says which path its layers take, and the sublayers say whether they run
    auto scripted = run(model_file("masked_transformer", "scripted"), kData + "tokens.h5");
    CHECK_THAT(scripted.at(""), Catch::Contains("2 nn.TransformerEncoderLayer(s) run PyTorch's standard path") &&
                                    Catch::Contains("encoder.layers.0, encoder.layers.1"));
    CHECK_THAT(scripted.at("encoder.layers.0.linear1"), Catch::Contains("[5, 16]") && Catch::Contains("ran once"));
    CHECK_THAT(scripted.at("encoder.layers.1.self_attn"), Catch::Contains("MultiheadAttention") && Catch::Contains("[5, 8]"));
    for (const auto& l : list_layers(model_file("masked_transformer", "traced"), kData + "tokens.h5"))  // on the fast path
        if (l.name.rfind("encoder.layers.", 0) == 0) CHECK(l.calls == 0);
}

TEST_CASE("bad addresses and outputs: one line, exit 1, nothing written", "[extract][capture][cli]") {
    const std::string out = temp_dir() + "/bad.h5";
    auto error = [&](const std::string& model, const std::vector<std::string>& layers, const std::string& logits = "") {
        ExtractOptions o;
        o.model = model;
        o.dataset = kData + "sequences.h5";
        o.layers = layers;
        o.logits = logits;
        o.output = out;
        std::string e = user_error_of([&] { extract_activations(o); });
        INFO(e);
        CHECK(e.find('\n') == std::string::npos);
        CHECK_FALSE(fs::exists(out));
        return e;
    };
    const std::string lstm = model_file("lstm", "scripted"), gru = model_file("gru", "scripted");
    const std::string dict = model_file("dict", "scripted"), traced_dict = model_file("dict", "traced");
    CHECK_THAT(error(lstm, {"fc[0]"}), Catch::Contains("layer 'fc[0]'") && Catch::Contains("returns Tensor") &&
                                           Catch::Contains("not a tuple, list or dict"));
    CHECK_THAT(error(lstm, {"lstm[2]"}), Catch::Contains("index 2 is out of range (2 elements)"));
    CHECK_THAT(error(lstm, {"lstm[x]"}), Catch::Contains("'[x]' is not an address"));
    CHECK_THAT(error(model_file("lstm", "traced"), {"lstm[1][0]"}),
               Catch::Contains("returns Tensor") && Catch::Contains("traced module returns only the outputs its caller used"));
    CHECK_THAT(error(gru, {"fc"}), Catch::Contains("returns Tuple[Tensor, Tensor] from forward") && Catch::Contains("--logits"));
    CHECK_THAT(error(gru, {"fc"}, "[2]"), Catch::Contains("the output of model") && Catch::Contains("index 2"));
    CHECK_THAT(error(dict, {"branch"}, "logits"), Catch::Contains("returns Dict[str, Tensor]") && Catch::Contains("[\"key\"]"));
    CHECK_THAT(error(dict, {"branch[\"nope\"]"}, "logits"),
               Catch::Contains("the dict it returns has no key \"nope\"") && Catch::Contains("batch 1"));
    CHECK_THAT(error(traced_dict, {"branch[\"aux\"]"}, "logits"), Catch::Contains("a tuple without names"));
    // selections that match nothing
    const std::string mobile = model_file("mobile", "scripted");
    CHECK_THAT(error(mobile, {"layer*.relu"}), Catch::Contains("--layers layer*.relu: matches no module"));
    CHECK_THAT(error(mobile, {"type:Conv3d"}), Catch::Contains("no module of class 'Conv3d'") && Catch::Contains("Conv2d, ReLU6"));
    CHECK_THAT(error(lstm, {"blocks"}), Catch::Contains("--layers blocks:") && Catch::Contains("has no block"));
    CHECK_THAT(error(mobile, {"all", "stem"}), Catch::Contains("'all' cannot be combined"));
    // inputs: float inputs into an Embedding, int64 ids into a Linear, a forward argument the dataset lacks
    ExtractOptions o;
    o.model = model_file("token_mlp", "scripted");
    o.dataset = kData + "sequences.h5";
    o.output = out;
    CHECK_THAT(user_error_of([&] { extract_activations(o); }),
               Catch::Contains("/x is float32") && Catch::Contains("'emb' (Embedding) takes integer token ids"));
    o.model = lstm;
    o.dataset = kData + "tokens.h5";
    CHECK_THAT(user_error_of([&] { extract_activations(o); }), Catch::Contains("/x is int64 (integer ids)") &&
                                                                 Catch::Contains("'lstm' (LSTM) takes float32 inputs"));
    for (std::string kind : {"scripted", "traced"}) {
        o.model = model_file("masked_transformer", kind);
        o.dataset = kData + "tokens_nomask.h5";
        CHECK_THAT(user_error_of([&] { extract_activations(o); }),
                   Catch::Contains("has forward(x, mask)") && Catch::Contains("tokens_nomask.h5' has no /mask for its argument 2, 'mask'"));
    }
    CHECK_FALSE(fs::exists(out));
    // and the command: exit 1, the one line on stderr
    ProcessResult r = run_shell(std::string(ACTOPO_BINARY) + " extract --model " + lstm + " --dataset " + kData +
                                "sequences.h5 --layers 'lstm[2]' -o " + out + " 2>&1");
    CHECK(r.status == 1);
    CHECK_THAT(r.output, Catch::StartsWith("actopo: layer 'lstm[2]'"));
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
}
