// The report's findings and depth profiles on small results folders whose answers are known by construction.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/store.hpp"
#include "report/aliases.hpp"
#include "report/depth.hpp"
#include "report/findings.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using actopo::report::Finding;

namespace {

fs::path fresh(const std::string& name) {
    return actopo_test::temp_dir("findings-" + name);
}

/// A layer x layer matrix over a:l1..l3 and b:l1..l3: `within` inside a model, `across` between models.
void write_blocks(const fs::path& file, double diagonal, double within, double across) {
    const std::vector<std::string> names{"a:l1", "a:l2", "a:l3", "b:l1", "b:l2", "b:l3"};
    std::string csv = "name," + actopo::join(names, ",") + "\n";
    for (std::size_t i = 0; i < 6; ++i) {
        csv += names[i];
        for (std::size_t j = 0; j < 6; ++j) csv += "," + std::to_string(i == j ? diagonal : (i < 3) == (j < 3) ? within : across);
        csv += "\n";
    }
    fs::create_directories(file.parent_path());
    actopo::write_text_file(file.string(), csv, true);
}

std::string all_text(const std::vector<Finding>& found) {
    std::string text;
    for (const auto& f : found) text += f.text + "\n";
    return text;
}

}  // namespace

TEST_CASE("findings: two models whose layers group by model, in a distance and in a similarity", "[report]") {
    const auto dir = fresh("blocks");
    write_blocks(dir / "distances" / "sw-h1.csv", 0, 1, 10);
    write_blocks(dir / "similarity" / "cka.csv", 1, 0.9, 0.2);
    const auto found = actopo::report::findings(dir, {"a", "b"});
    REQUIRE(found.size() == 2);
    for (const auto& f : found) {
        INFO(f.text);
        CHECK(f.text.find("fall into 2 groups") != std::string::npos);
        CHECK(f.text.find("{a l1 to l3}, {b l1 to l3}") != std::string::npos);
        CHECK(f.text.find("Every group holds layers of one model only") != std::string::npos);
    }
    CHECK(found[0].figure == "distances/sw-h1.svg");
    CHECK(found[0].text.find("(a distance)") != std::string::npos);
    CHECK(found[1].text.find("(a similarity)") != std::string::npos);
}

TEST_CASE("findings: equal distances give no grouping, and a matrix with nan is named, not grouped", "[report]") {
    const auto dir = fresh("flat");
    write_blocks(dir / "distances" / "flat-h1.csv", 0, 2, 2);
    write_blocks(dir / "distances" / "nan-h1.csv", 0, 1, NAN);
    const std::string text = all_text(actopo::report::findings(dir, {"a", "b"}));
    INFO(text);
    CHECK(text.find("By flat-h1 (a distance), all 6 layers are equally far apart: no grouping.") != std::string::npos);
    CHECK(text.find("The nan-h1 matrix has values that are not finite") != std::string::npos);
}

TEST_CASE("findings: agreement of topology with a similarity reads the sign by the metrics' kinds", "[report]") {
    const auto dir = fresh("agreement");
    write_blocks(dir / "distances" / "sw-h1.csv", 0, 1, 10);
    write_blocks(dir / "similarity" / "cka.csv", 1, 0.9, 0.2);
    fs::create_directories(dir / "compare");
    const auto agreement = [&](const std::string& rho, const std::string& p) {
        actopo::write_text_file((dir / "compare" / "agreement.csv").string(),
                                "metric_a,metric_b,spearman,p_value,pairs,permutations\nsw-h1,cka," + rho + "," + p + ",15,999\n", true);
        const auto found = actopo::report::findings(dir, {"a", "b"});
        REQUIRE(found.size() == 3);
        CHECK(found[2].figure == "compare/agreement.svg");
        return found[2].text;
    };
    // a distance and a similarity that agree correlate negatively
    CHECK(agreement("-0.8", "0.001").rfind("Topology (sw-h1) and cka agree on which layers are alike: Spearman -0.80", 0) == 0);
    CHECK(agreement("0.8", "0.001").find("disagree") != std::string::npos);
    CHECK(agreement("-0.8", "0.2").find("show no significant agreement") != std::string::npos);
}

TEST_CASE("findings: where classes split in a Mapper hierarchy, and co-activation communities", "[report]") {
    const auto dir = fresh("classes");
    fs::create_directories(dir / "mapper" / "m");
    actopo::write_text_file((dir / "mapper" / "m" / "hierarchy.json").string(), R"({
        "meta": {"layers": ["l1", "l2", "l3"]},
        "splits": [
          {"group_names": [["Cat", "Dog", "Fox"], ["Car"]], "split_layer": "l2"},
          {"group_names": [["Cat"], ["Dog"]], "split_layer": null},
          {"group_names": [["Cat", "Dog"], ["Fox"]], "split_layer": "l3"}]})", true);
    fs::create_directories(dir / "coactivation");
    actopo::write_text_file((dir / "coactivation" / "m.json").string(), R"({"modularity": 0.41,
        "classes": {"groups": [["Cat", "Dog"], ["Car"]], "spearman_with_confusion": 0.62}})", true);
    const auto found = actopo::report::findings(dir, {"m"});
    REQUIRE(found.size() == 2);
    CHECK(found[0].text == "In m's Mapper graphs, the first classes to separate are Car from Cat, Dog, Fox at l2; Fox from Cat, Dog "
                           "at l3. Still together at the last layer: {Cat, Dog}.");
    CHECK(found[0].figure == "mapper/m/hierarchy.svg");
    CHECK(found[1].text == "In m's co-activation graph (modularity 0.41), the classes share communities as {Cat, Dog}, {Car}; "
                           "classes that fire together are largely those the model confuses (Spearman 0.62 between class "
                           "co-activation and the confusion matrix).");
}

TEST_CASE("depth profiles: one chart per measure the results hold, named layers for one model", "[report]") {
    const auto dir = fresh("depth");
    fs::create_directories(dir / "coactivation");
    actopo::write_text_file((dir / "coactivation" / "m.json").string(), R"({"layers": [
        {"layer": "l1", "modularity": 0.2, "mean_entropy_binned": 1.5},
        {"layer": "l3", "modularity": 0.6, "mean_entropy_binned": 2.5}]})", true);
    const auto figures = actopo::report::write_depth_profiles(dir, {{"m", {"l1", "l2", "l3"}}}, false);
    REQUIRE(figures.size() == 2);  // modularity and entropy: no diagrams, Mapper graphs or CKA here
    CHECK(figures[0].figure == "report/figures/depth-modularity.svg");
    CHECK(figures[1].figure == "report/figures/depth-entropy.svg");
    for (const auto& f : figures) {
        CHECK(fs::exists(dir / f.figure));
        const std::string svg = actopo::read_text_file((dir / f.figure).string());
        CHECK(svg.find("<svg") != std::string::npos);
    }
    CHECK(fs::exists(dir / "report/figures/depth-modularity.png"));
    // the same call again refuses to overwrite without force
    CHECK_THROWS_AS(actopo::report::write_depth_profiles(dir, {{"m", {"l1", "l2", "l3"}}}, false), actopo::UserError);
}

TEST_CASE("repeated layers: a copy in another shape and ReLU of an earlier layer are found, near misses are not", "[report]") {
    const auto dir = fresh("aliases");
    const std::string path = (dir / "acts.h5").string();
    // fc [6]: values of both signs; relu: ReLU(fc); flat [2, 3]: fc reshaped; off: fc with one value changed;
    // relu_off: ReLU(fc) with one positive value changed; pos [6]: positive values, so ReLU(pos) = pos
    const std::vector<actopo::LayerSpec> layers{{"fc", {6}}, {"relu", {6}}, {"flat", {2, 3}},
                                                {"off", {6}}, {"relu_off", {6}}, {"pos", {6}}, {"pos_relu", {6}}};
    const std::size_t n = 7;
    std::vector<std::vector<float>> data(layers.size());
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < 6; ++k) {
            const float v = float(int(i * 6 + k) % 5 - 2) * 0.75f;
            data[0].push_back(v);
            data[1].push_back(v > 0 ? v : 0.0f);
            data[2].push_back(v);
            data[3].push_back(i == 6 && k == 5 ? v + 1e-3f : v);
            data[4].push_back(i == 3 && k == 2 ? 9.0f : (v > 0 ? v : 0.0f));
            data[5].push_back(1.0f + float(i + k));
            data[6].push_back(1.0f + float(i + k));
        }
    {
        actopo::StoreWriter w(path, actopo::StoreInfo{}, layers, 0, true);
        std::vector<std::int64_t> index(n), labels(n, 0), predictions(n, 0);
        for (std::size_t i = 0; i < n; ++i) index[i] = std::int64_t(i);
        std::vector<const float*> pointers;
        for (const auto& d : data) pointers.push_back(d.data());
        w.append(n, index.data(), labels.data(), predictions.data(), nullptr, pointers);
        w.finish();
    }
    const auto found = actopo::report::repeated_layers(actopo::StoreReader(path));
    std::vector<std::string> said;
    for (const auto& a : found) said.push_back(a.text());
    CHECK(said == std::vector<std::string>{"relu = ReLU(fc)", "flat = fc (the same values)", "pos_relu = pos (the same values)"});
}

TEST_CASE("findings: explanation methods ranked by selectivity and stability, and the randomisation check", "[report]") {
    const auto dir = fresh("explain");
    fs::create_directories(dir / "explain" / "m" / "quality");
    actopo::write_text_file((dir / "explain" / "m" / "quality" / "quality.csv").string(),
                            "method,aopc,continuity,max_sensitivity,infidelity,randomised_rank_correlation\n"
                            "saliency,2.15,48,1.03,0.96,0.04\n"
                            "integrated-gradients,7.85,21,0.54,0.93,0.86\n"
                            "grad-cam,1.95,1.2,0.05,0.5,-0.04\n"
                            "occlusion,6.95,30,0.09,0.9,0.5\n", true);
    const auto found = actopo::report::findings(dir, {"m"});
    REQUIRE(found.size() == 1);
    CHECK(found[0].figure == "explain/m/quality/perturbation.svg");
    CHECK(found[0].text == "In m's explanations, the most selective method (largest AOPC when the most relevant patches are removed "
                           "first) is integrated-gradients (7.85), then occlusion (6.95); the least is grad-cam (1.95). The most stable "
                           "under small input changes (lowest max-sensitivity) is grad-cam (0.050). Model randomisation check (rank "
                           "correlation of the maps before and after re-initialising the weights): saliency, grad-cam pass (|rho| < "
                           "0.3); integrated-gradients fail (|rho| > 0.7: their maps hardly depend on the trained weights).");
}
