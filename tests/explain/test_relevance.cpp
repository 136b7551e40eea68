// The modified backward passes (LRP, deep Taylor, DeepLIFT, guided backprop, deconvnet, guided Grad-CAM) checked
// against tests/explain/relevance_oracle.py (the formulas layer by layer, explicit matrices, no autograd) on the
// fixtures of make_relevance_models.py, against their properties (conservation, sign, summation to delta), and by
// hand on a two-layer model.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/explain.hpp"
#include "actopo/store.hpp"
#include "explain/relevance.hpp"
#include "oracle_errors.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(ACTOPO_SOURCE_DIR) + "/tests/explain/";
const std::string kData = kDir + "data/";

std::string temp_dir() {
    static const std::string dir = actopo_test::temp_dir("relevance").string();
    return dir;
}

/// A command's exit status and what it wrote on stdout and stderr.
ProcessResult run(const std::string& command) { return run_shell(command + " 2>&1"); }

ExplainOptions options(const std::string& model, const std::vector<std::string>& methods, const std::string& out) {
    ExplainOptions o;
    o.model = kData + model + ".pt";
    o.dataset = kData + "data.h5";
    o.methods = methods;
    o.target = "label";
    o.batch = 4;
    o.method.internal_batch = 3;  // passes that split the batches
    o.output = temp_dir() + "/" + out;
    o.force = true;
    return o;
}

// The oracle's lines "<method> <error>" for the file, each within `tolerance` (or the method's own).
void check_against_oracle(const std::string& model, const std::string& file, std::size_t expected_lines,
                          const std::map<std::string, double>& tolerances = {}) {
    ProcessResult o = run("/usr/bin/python3 " + kDir + "relevance_oracle.py " + model + " " + kData + model + ".pt " + kData +
                   "data.h5 " + file);
    INFO(o.output);
    REQUIRE(o.status == 0);
    actopo_test::check_oracle_errors(o.output, expected_lines, model, tolerances);
}

}  // namespace

TEST_CASE("every modified backward pass equals the layer-by-layer oracle on MLP, CNN, ResNet and VGG layouts", "[explain]") {
    const std::vector<std::string> methods{"lrp", "lrp-0", "lrp-epsilon", "lrp-gamma", "lrp-alpha1-beta0", "lrp-flat",
                                           "lrp-epsilon-plus", "lrp-epsilon-gamma-box", "deep-taylor", "deeplift",
                                           "guided-backprop", "deconvnet"};
    // The gamma rule on the residual fixtures meets denominators z' of 3e-4 (rres's downsample, where positive and
    // negative contributions cancel): float32 rounding, amplified by 1 / z', reaches 6e-5 of the map's largest
    // value against the float64 oracle (the oracle itself in float32 is 1e-4 off). 1e-4 there, 1e-5 elsewhere.
    const std::map<std::string, double> gamma{{"lrp", 1e-4}, {"lrp-gamma", 1e-4}, {"lrp-epsilon-gamma-box", 1e-4}};
    for (std::string model : {"rmlp", "rfree", "rcnn", "rres", "rvgg", "skip"}) {
        SECTION(model) {
            auto o = options(model, methods, model + "-relevance.h5");
            o.method.epsilon = 0.1;
            o.method.gamma = 0.5;
            explain_attributions(o);
            // one line per map and DeepLIFT's delta
            check_against_oracle(model, o.output, methods.size() + 1,
                                 model == "rres" || model == "rfree" ? gamma : std::map<std::string, double>{});
        }
    }
    SECTION("per-layer rules, given bounds, w-squared") {
        auto o = options("rcnn", {"lrp", "deep-taylor"}, "rcnn-layer-rules.h5");
        o.method.lrp_rule = "epsilon";
        o.method.layer_rules = "conv1=w-squared,Linear=flat,fc2=alpha1-beta0";
        o.method.bounds = "-0.5,1.5";
        explain_attributions(o);
        check_against_oracle("rcnn", o.output, 2);
        o.method.layer_rules = "conv1=zb";
        explain_attributions(o);
        check_against_oracle("rcnn", o.output, 2);
    }
}

TEST_CASE("LRP-0 and epsilon conserve relevance at every layer, z+ keeps the output's sign, DeepLIFT sums to delta", "[explain]") {
    for (std::string model : {"rmlp", "rfree"}) {  // bias-free
        INFO(model);
        std::vector<float> x(4 * 64);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37 % 101) / 101.0);
        const std::vector<std::int64_t> shape{4, 1, 8, 8}, targets{0, 1, 2, 1};
        for (std::string method : {"lrp-0", "lrp-epsilon"}) {
            MethodOptions o;
            o.epsilon = 1e-9;
            auto sums = explain_detail::relevance_layer_sums(kData + model + ".pt", method, x.data(), shape, targets, o);
            REQUIRE(sums.size() >= 3);
            REQUIRE(sums.back().first == "output");
            const auto& out = sums.back().second;
            for (const auto& [step, s] : sums)
                for (std::size_t i = 0; i < s.size(); ++i) {
                    INFO(method << " " << step << " input " << i);
                    CHECK(std::fabs(s[i] - out[i]) <= 1e-5 * std::max(1.0, std::fabs(out[i])));
                }
        }
    }
    // z+ relevance has the sign of f_c(x) (non-negative for a positive output) through ReLU layers, with biases and
    // BatchNorm (not through a residual addition: its proportional split turns sign where one term is negative)
    for (std::string model : {"rcnn", "rvgg"}) {
        auto o = options(model, {"lrp-alpha1-beta0", "lrp-epsilon-plus", "deep-taylor"}, model + "-zplus.h5");
        o.method.bounds = "0,1";
        o.target = "predicted";
        explain_attributions(o);
        Explainer m(o.model);
        auto d = open_dataset(o.dataset);
        std::vector<std::int64_t> shape = d->sample_shape(), labels(d->size());
        shape.insert(shape.begin(), std::int64_t(d->size()));
        std::vector<float> x(per_input_size(shape));
        d->read(0, d->size(), x.data(), labels.data());
        auto logits = m.logits(x.data(), shape);
        const std::size_t per = per_input_size(shape) / d->size(), classes = std::size_t(m.num_classes());
        for (std::string method : {"lrp-alpha1-beta0", "deep-taylor"}) {
            std::vector<std::int64_t> s;
            auto maps = read_attributions(o.output, method, &s);
            bool signed_ok = true;
            for (std::size_t i = 0; i < d->size(); ++i) {
                const float* row = logits.data() + i * classes;
                const double f = *std::max_element(row, row + classes);
                for (std::size_t j = 0; j < per; ++j) signed_ok = signed_ok && maps[i * per + j] * f >= 0;
            }
            INFO(model << " " << method);
            CHECK(signed_ok);
        }
    }
    // summation to delta: exact without max pooling (the gradient rule there), on a residual model too
    for (std::string model : {"rmlp", "rfree"}) {
        auto o = options(model, {"deeplift"}, model + "-deeplift.h5");
        o.method.baseline = "uniform";
        const auto r = explain_attributions(o);
        INFO(model);
        CHECK(r.mean_abs_delta.at("deeplift") <= 1e-6);
    }
}

TEST_CASE("guided backprop, deconvnet, DeepLIFT and LRP-0 equal their definitions on a two-layer model by hand", "[explain]") {
    // two.pt: h = relu(W1 x), f = W2 h, W1 = [[1, -1], [-1, 2]], W2 = [[-1, 2]]. At x = (3, 1): W1 x = (2, -1),
    // h = (2, 0), f = -2; the signal at h is W2 = (-1, 2).
    //   gradient:  relu passes (-1, 0) (unit 2 is off)            -> W1^T (-1, 0) = (-1, 1)
    //   guided:    unit 1 on but its signal is negative: (0, 0)   -> (0, 0)
    //   deconvnet: max(signal, 0) = (0, 2), whatever is on       -> W1^T (0, 2) = (-2, 4)
    //   deeplift (baseline 0): relu multipliers dy/dx = (2/2, 0/-1) = (1, 0): (-1, 0) -> (-1, 1) * x = (-3, 1),
    //              summing to f(x) - f(0) = -2
    //   lrp-0:     R_h = h_j w_j / f * f = (-2, 0); R_x = x_i w_1i / 2 * (-2) = (-3, 1)
    Explainer e(kData + "two.pt");
    const std::vector<float> x{3, 1};
    const std::vector<std::int64_t> shape{1, 2}, target{0}, index{0};
    const std::map<std::string, std::vector<float>> expected{{"gradient", {-1, 1}},   {"guided-backprop", {0, 0}},
                                                             {"deconvnet", {-2, 4}},  {"deeplift", {-3, 1}},
                                                             {"lrp-0", {-3, 1}},      {"lrp-epsilon", {-3, 1}}};
    MethodOptions o;
    o.epsilon = 1e-9;
    for (const auto& [method, want] : expected) {
        INFO(method);
        Attribution a = e.attribute(method, x.data(), shape, target, index, o);
        REQUIRE(a.values.size() == 2);
        CHECK(a.values[0] == Approx(want[0]).margin(1e-6));
        CHECK(a.values[1] == Approx(want[1]).margin(1e-6));
        if (method == "deeplift") CHECK(a.delta.at(0) == Approx(0).margin(1e-6));
    }
}

TEST_CASE("convolutions pass back as the gradient, dilated, unpadded, non-square and 1-d: guided backprop and DeepLIFT against python3-torch", "[explain]") {
    // rconv.pt has no ReLU, so guided backprop is the gradient and DeepLIFT (zero baseline) the gradient times x;
    // both walk its convolutions backwards as forward convolutions with flipped weights. Oracle: torch.autograd.
    auto o = options("rconv", {"guided-backprop", "deeplift"}, "rconv.h5");
    explain_attributions(o);
    const std::string script = temp_dir() + "/rconv_oracle.py";
    std::ofstream(script) << "import sys, h5py, torch\n"
                             "m = torch.jit.load(sys.argv[1])\n"
                             "x = torch.from_numpy(h5py.File(sys.argv[2], 'r')['x'][:])\n"
                             "a = h5py.File(sys.argv[3], 'r')\n"
                             "idx, t = torch.from_numpy(a['inputs/index'][:]), torch.from_numpy(a['inputs/target'][:])\n"
                             "xr = x[idx].clone().requires_grad_(True)\n"
                             "m(xr).gather(1, t.view(-1, 1)).sum().backward()\n"
                             "for name, want in (('guided-backprop', xr.grad), ('deeplift', xr.grad * x[idx])):\n"
                             "    ours = torch.from_numpy(a['attributions/' + name][:])\n"
                             "    print(name, float((ours - want).abs().max() / want.abs().max()))\n";
    ProcessResult r = run("/usr/bin/python3 " + script + " " + kData + "rconv.pt " + kData + "data.h5 " + o.output);
    INFO(r.output);
    REQUIRE(r.status == 0);
    actopo_test::check_oracle_errors(r.output, 2);
}

TEST_CASE("guided Grad-CAM is guided backpropagation times the upsampled Grad-CAM", "[explain]") {
    auto o = options("rcnn", {"guided-backprop", "grad-cam", "guided-grad-cam"}, "rcnn-ggc.h5");
    explain_attributions(o);
    std::vector<std::int64_t> sg, sc, sgg;
    auto g = read_attributions(o.output, "guided-backprop", &sg);
    auto c = read_attributions(o.output, "grad-cam", &sc);
    auto gg = read_attributions(o.output, "guided-grad-cam", &sgg);
    REQUIRE(sg == sgg);
    REQUIRE(g.size() == c.size());  // one channel: the map and the cam have the same size
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        worst = std::max(worst, double(std::fabs(gg[i] - g[i] * c[i])));
        scale = std::max(scale, double(std::fabs(gg[i])));
    }
    CHECK(scale > 0);
    CHECK(worst <= 1e-6 * scale);
}

TEST_CASE("modified backward passes refuse unsupported operations, unknown layers and bounds that miss the data", "[explain]") {
    const std::string bin = ACTOPO_BINARY;
    struct Case {
        std::string args, expected;
    };
    const std::vector<Case> cases{
        {"--model " + kData + "rgate.pt --method lrp",
         "lrp: model '" + kData + "rgate.pt': operation aten::mul (operation 4 of 5 on the input (after layer 'fc1')) has "
         "no relevance rule; gradient, saliency"},
        {"--model " + kData + "rgate.pt --method deeplift", "deeplift: model '" + kData + "rgate.pt': operation aten::mul"},
        {"--model " + kData + "rcnn.pt --method lrp --layer-rules conv9=gamma",
         "lrp: --layer-rules names 'conv9', which is neither a layer nor a layer type of model '" + kData +
             "rcnn.pt' (its layers with weights: conv1 (Conv2d), conv2 (Conv2d), fc1 (Linear), fc2 (Linear))"},
        {"--model " + kData + "rcnn.pt --method lrp --layer-rules fc1=zb",
         "lrp: --layer-rules gives zb to layer 'fc1', but zb applies to the input layer only"},
        {"--model " + kData + "rcnn.pt --method lrp --layer-rules conv1=sideways", "--layer-rules: expected <layer or type>=<rule>"},
        {"--model " + kData + "rcnn.pt --method deep-taylor --bounds 0.5,1",
         "deep-taylor: --bounds 0.5,1 do not contain input 0 (its values range from"},
        {"--model " + kData + "rcnn.pt --method lrp --bounds 1,0", "--bounds: expected data or LO,HI with LO < HI"},
    };
    for (const auto& c : cases) {
        const std::string out = temp_dir() + "/bad.h5";
        fs::remove(out);
        ProcessResult o = run(bin + " explain --batch 4 --dataset " + kData + "data.h5 " + c.args + " -o " + out);
        INFO(c.args << "\n" << o.output);
        CHECK(o.status == 1);
        CHECK_THAT(o.output, Catch::StartsWith("actopo: ") && Catch::Contains(c.expected));
        CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(out));
    }
    // the gradient walks need no rule: guided backprop still works where LRP cannot
    ProcessResult ok = run(bin + " explain --quiet --dataset " + kData + "data.h5 --model " + kData +
                    "rgate.pt --method guided-backprop,deconvnet -o " + temp_dir() + "/deconv.h5");
    INFO(ok.output);
    CHECK(ok.status == 0);
}
