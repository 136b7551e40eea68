// `actopo mapper` end to end on a small store: outputs, shared bounds, refusals and one-line errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/store.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string err;
};

Run run_actopo(const std::string& args, const fs::path& dir) {
    const auto err = dir / "stderr.txt";
    int rc = std::system((std::string(ACTOPO_BINARY) + " " + args + " 2>" + err.string() + " >/dev/null").c_str());
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, ss.str()};
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

/// 300 inputs of 3 classes: layer "mixed" ignores the class, layer "split" puts each class in its own blob.
fs::path make_store(const fs::path& dir) {
    const std::size_t n = 300;
    std::mt19937_64 rng(21);
    std::normal_distribution<float> g(0, 1);
    std::vector<std::int64_t> index(n), labels(n), predictions(n);
    std::vector<float> logits(n * 3), mixed(n * 6), split(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        index[i] = std::int64_t(i);
        labels[i] = std::int64_t(i % 3);
        predictions[i] = i % 7 == 0 ? (labels[i] + 1) % 3 : labels[i];
        for (std::size_t c = 0; c < 3; ++c) logits[i * 3 + c] = g(rng) + (std::int64_t(c) == predictions[i] ? 3.0f : 0.0f);
        for (std::size_t d = 0; d < 6; ++d) mixed[i * 6 + d] = g(rng);
        for (std::size_t d = 0; d < 4; ++d) split[i * 4 + d] = 0.3f * g(rng) + 5.0f * float(labels[i]);
    }
    actopo::StoreInfo info;
    info.model = "toy.pt";
    info.dataset = "toy.h5";
    info.class_names = {"cat", "dog", "cow"};
    const auto path = dir / "acts.h5";
    actopo::StoreWriter w(path.string(), info, {{"mixed", {6}}, {"split", {4}}}, 3, false);
    w.append(n, index.data(), labels.data(), predictions.data(), logits.data(), {mixed.data(), split.data()});
    w.finish();
    return path;
}

}  // namespace

TEST_CASE("actopo mapper: every layer, pictures, hierarchy, shared bounds, refusals", "[mapper][cli]") {
    const auto dir = actopo_test::temp_dir("cmd-mapper");
    const auto store = make_store(dir).string();
    const auto out = (dir / "all").string();

    auto r = run_actopo("mapper " + store + " --layer all --intervals 6 --overlap 0.4 --bounds 0,20 -q -o " + out + "/", dir);
    REQUIRE(r.err == "");
    REQUIRE(r.status == 0);
    for (const char* f : {"mixed.json", "mixed.svg", "mixed.png", "mixed.html", "mixed.graphml", "mixed.dot",
                          "split.json", "hierarchy.json", "hierarchy.png"})
        REQUIRE(fs::file_size(fs::path(out) / f) > 0);
    auto mixed = read_json(fs::path(out) / "mixed.json"), split = read_json(fs::path(out) / "split.json");
    REQUIRE(mixed["cover"]["intervals"] == split["cover"]["intervals"]);  // --bounds: the same cover
    REQUIRE(split["stats"]["components"] == 3);
    REQUIRE(split["stats"]["mean_purity"].get<double>() == Approx(1.0));
    REQUIRE(mixed["stats"]["mean_purity"].get<double>() < 0.7);
    REQUIRE(split["class_names"][1] == "dog");
    auto hierarchy = read_json(fs::path(out) / "hierarchy.json");
    REQUIRE(hierarchy["meta"]["layers"] == nlohmann::json({"mixed", "split"}));
    REQUIRE(hierarchy["splits"][0]["split_layer"] == "split");

    // an existing output is refused before any work, and left as it was
    const auto before = fs::last_write_time(fs::path(out) / "mixed.json");
    r = run_actopo("mapper " + store + " --layer all -q -o " + out + "/", dir);
    REQUIRE(r.status == 1);
    REQUIRE(r.err.find("exists (use --force") != std::string::npos);
    REQUIRE(fs::last_write_time(fs::path(out) / "mixed.json") == before);

    // the prediction lens reads the logits through the input ids
    r = run_actopo("mapper " + store + " --layer split --lens margin --no-pictures -q -o " + (dir / "m.json").string(), dir);
    REQUIRE(r.status == 0);
    REQUIRE(read_json(dir / "m.json")["meta"]["lens"] == "margin");

    for (const std::string bad : {"--layer split --overlap 0", "--layer split --intervals 0", "--layer nope",
                                  "--layer split --lens file:/nonexistent.txt", "--layer split --min-samples 400",
                                  "--layer split --bounds 3", "--layer split --clusterer kmeans"}) {
        r = run_actopo("mapper " + store + " " + bad + " -q -o " + (dir / "bad.json").string(), dir);
        INFO(bad << " -> " << r.err);
        REQUIRE(r.status == 1);
        REQUIRE(r.err.rfind("actopo: ", 0) == 0);
        REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        REQUIRE(!fs::exists(dir / "bad.json"));
    }
    fs::remove_all(dir);
}

TEST_CASE("actopo mapper back to the inputs: exemplars, mean attribution maps, colour by a value file, the page", "[mapper][cli][trace]") {
    const auto dir = actopo_test::temp_dir("mapper-trace");
    const auto store = make_store(dir);
    const std::string data = std::string(ACTOPO_SOURCE_DIR) + "/tests/mapper/data/";
    const auto out = dir / "g.json";
    auto r = run_actopo("mapper " + store.string() + " --layer split --exemplars 3 --attributions " + data +
                            "attributions.h5:saliency --color-by file:" + data + "values.npy -o " + out.string(), dir);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto g = read_json(out);
    CHECK(g["attribution"]["method"] == "saliency");
    CHECK(g["color_by"]["name"] == "file:" + data + "values.npy");
    REQUIRE(g["nodes"].size() > 0);
    for (const auto& node : g["nodes"]) {
        const auto members = node["members"].get<std::vector<std::int64_t>>();
        double sum = 0;
        for (auto m : members) sum += double(m);
        const double mean = sum / double(members.size());  // the fixture's map of input i is i everywhere
        CHECK(node["exemplars"].size() == std::min<std::size_t>(3, members.size()));
        for (const auto& e : node["exemplars"]) CHECK(std::find(members.begin(), members.end(), e.get<std::int64_t>()) != members.end());
        CHECK(node["attribution_mean"].size() == 4);
        CHECK(node["attribution_mean"][0].get<double>() == Approx(mean).epsilon(1e-5));
        CHECK(node["color_value"].get<double>() == Approx(0.5 * mean));
    }
    std::ifstream page(dir / "g.html");
    std::stringstream html;
    html << page.rdbuf();
    CHECK(html.str().find("\"attr_method\":\"saliency\"") != std::string::npos);
    CHECK(html.str().find("\"members\":[") != std::string::npos);

    // the attribution file must explain the store's inputs; --color-by margin works from the store's logits
    r = run_actopo("mapper " + store.string() + " --layer split --no-pictures --color-by margin --attributions " +
                       data + "values.npy -o " + (dir / "h.json").string(), dir);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("is not a readable HDF5 file") || Catch::Contains("not an attribution file"));
    CHECK_FALSE(fs::exists(dir / "h.json"));
    r = run_actopo("mapper " + store.string() + " --layer split --no-pictures --color-by accuracy -o " + (dir / "h.json").string(), dir);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("expected label, prediction, correct, margin or file:PATH, got 'accuracy'"));
    fs::remove_all(dir);
}
