// explain-quality's measures checked by hand on a linear model, and the pictures written for every method.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(ACTOPO_SOURCE_DIR) + "/tests/explain/data/";

std::string scratch(const std::string& name) {
    return actopo_test::temp_dir("quality-" + name).string();
}
}  // namespace

TEST_CASE("pixel-flipping on a linear model removes the largest contributions first", "[explain]") {
    // f_c(x) = sum_i w_ci x_i + b_c: with gradient-x-input, a patch's relevance is its exact contribution, so the
    // curve after k patches is f_c(x) minus the k largest patch sums of w_ci x_i.
    QualityOptions o;
    o.model = kData + "linear.pt";
    o.dataset = kData + "data4.h5";
    o.limit = 2;
    o.methods = {"gradient-x-input", "occlusion", "gradient"};
    o.target = "label";
    o.patch = 2;
    o.flip_steps = 4;
    o.method.window = 2;
    o.method.stride = 2;
    o.perturbations = 3;
    o.output = scratch("linear");
    o.force = true;
    QualityReport r = explain_quality(o);
    REQUIRE(r.methods.size() == 3);
    std::vector<double> expected(5, 0);
    for (int k = 0; k < 2; ++k) {  // input k, target class k
        std::vector<double> patch(4, 0);
        double f = k == 0 ? 0.5 : -1.0;
        for (int j = 0; j < 16; ++j) {
            double c = (k + 1) * (j + 1) / 10.0 * ((k + 1) * (j + 1) / 16.0);
            f += c;
            patch[(j / 4 / 2) * 2 + (j % 4) / 2] += c;
        }
        std::sort(patch.rbegin(), patch.rend());
        for (int s = 0; s <= 4; ++s) {
            expected[std::size_t(s)] += f / 2;
            for (int q = 0; q < s; ++q) expected[std::size_t(s)] -= patch[std::size_t(q)] / 2;
        }
    }
    for (const auto& q : r.methods) {
        INFO(q.method);
        // a linear model: f(x) - f(x - I) = w.I exactly, so the gradient has infidelity 0 (Yeh et al.)
        if (q.method == "gradient") CHECK(q.infidelity == Approx(0).margin(1e-6));
        if (q.method == "gradient-x-input") CHECK(q.infidelity > 0.01);
        // one parameterised layer: the cascade has one step
        CHECK(q.randomised == std::vector<std::string>{"fc"});
        CHECK(q.rank_correlation.size() == 1);
        if (q.method == "gradient") continue;
        REQUIRE(q.curve.size() == 5);
        for (std::size_t s = 0; s < 5; ++s) CHECK(q.curve[s] == Approx(expected[s]).epsilon(1e-5));
        double aopc = 0;
        for (std::size_t s = 0; s < 5; ++s) aopc += (expected[0] - expected[s]) / 5;
        CHECK(q.aopc == Approx(aopc).epsilon(1e-5));
    }
    for (const auto& f : {"quality.md", "quality.csv", "curves.csv", "perturbation.svg", "perturbation.png",
                          "randomisation.png"})
        CHECK(fs::exists(o.output + "/" + f));
}

TEST_CASE("the gradient decorrelates when every layer is re-initialised, cascading from the top", "[explain]") {
    // The MLP's gradient depends on every weight: after re-initialising fc2 and then fc1 its maps decorrelate.
    QualityOptions o;
    o.model = kData + "mlp.pt";
    o.dataset = kData + "data.h5";
    o.limit = 6;
    o.methods = {"gradient"};
    o.perturbations = 2;
    o.flip_steps = 4;
    o.output = scratch("mlp");
    o.force = true;
    QualityReport r = explain_quality(o);
    REQUIRE(r.methods[0].rank_correlation.size() == 2);
    CHECK(r.methods[0].randomised == std::vector<std::string>{"fc2", "fc1"});
    CHECK(std::fabs(r.methods[0].rank_correlation.back()) < 0.6);
}

TEST_CASE("pictures: a grid and the class means for every method", "[explain]") {
    ExplainOptions o;
    o.model = kData + "gapcnn.pt";
    o.dataset = kData + "data.h5";
    o.methods = {"integrated-gradients", "grad-cam++", "saliency"};
    o.method.steps = 4;
    o.output = scratch("pictures") + "/a.h5";
    o.pictures = scratch("pictures") + "/pics";
    o.force = true;
    auto r = explain_attributions(o);
    CHECK(r.pictures.size() == 12);
    for (const auto& stem : {"integrated-gradients", "grad-cam__", "saliency"})
        for (const auto& suffix : {".png", ".svg", "-class-means.png", "-class-means.svg"}) {
            INFO(stem << suffix);
            CHECK(fs::exists(o.pictures + "/" + stem + suffix));
            CHECK(fs::file_size(o.pictures + "/" + stem + suffix) > 1000);
        }
}
