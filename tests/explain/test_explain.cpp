// Explanations checked against an independent computation (tests/explain/oracle.py: PyTorch eager autograd on
// the nn.Module of make_models.py, from the definitions) and against the properties each method must have.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/explain.hpp"
#include "actopo/store.hpp"
#include "oracle_errors.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(ACTOPO_SOURCE_DIR) + "/tests/explain/";
const std::string kData = kDir + "data/";

std::string temp_dir() {
    static const std::string dir = actopo_test::temp_dir("explain").string();
    return dir;
}

/// A command's exit status and what it wrote on stdout and stderr.
ProcessResult run(const std::string& command) { return run_shell(command + " 2>&1"); }

// Runs the oracle on an attribution file and checks every line "<name> <relative error>".
void check_against_oracle(const std::string& model_class, const std::string& file, std::size_t expected_lines) {
    ProcessResult o = run("/usr/bin/python3 " + kDir + "oracle.py " + model_class + " " + kData + model_class + ".pt " +
                   kData + "data.h5 " + file);
    INFO(o.output);
    REQUIRE(o.status == 0);
    actopo_test::check_oracle_errors(o.output, expected_lines, model_class);
}

ExplainOptions options(const std::string& model, const std::vector<std::string>& methods, const std::string& out) {
    ExplainOptions o;
    o.model = kData + model + ".pt";
    o.dataset = kData + "data.h5";
    o.methods = methods;
    o.batch = 4;  // 10 inputs: the last batch is partial
    o.output = temp_dir() + "/" + out;
    o.force = true;
    o.method.steps = 16;
    o.method.internal_batch = 24;  // integrated gradients' steps split over several passes
    return o;
}

std::vector<float> read_all(const std::string& file, const std::string& method) {
    std::vector<std::int64_t> shape;
    return read_attributions(file, method, &shape);
}

double max_rel(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double scale = 0, diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        scale = std::max(scale, double(std::fabs(b[i])));
        diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    }
    return scale == 0 ? diff : diff / scale;
}

struct Batch {
    std::vector<float> x;
    std::vector<std::int64_t> shape, labels, index;
};

Batch load(const std::string& file) {
    auto d = open_dataset(file);
    Batch b;
    b.shape = d->sample_shape();
    b.shape.insert(b.shape.begin(), std::int64_t(d->size()));
    b.x.resize(per_input_size(b.shape));
    b.labels.resize(d->size());
    d->read(0, d->size(), b.x.data(), b.labels.data());
    b.index.resize(d->size());
    std::iota(b.index.begin(), b.index.end(), 0);
    return b;
}


}  // namespace

TEST_CASE("every method equals the PyTorch eager oracle on an MLP, a GAP CNN and a skip-connection model", "[explain]") {
    const std::vector<std::string> gradient_methods{"gradient", "saliency", "saliency-max", "gradient-x-input",
                                                    "integrated-gradients", "occlusion"};
    for (std::string model : {"mlp", "gapcnn", "skip"}) {
        SECTION(model) {
            auto methods = gradient_methods;
            if (model != "mlp") methods.insert(methods.end(), {"cam", "grad-cam", "grad-cam++"});
            auto o = options(model, methods, model + "-all.h5");
            o.target = model == "skip" ? "2" : "label";
            o.method.window = 3;
            o.method.stride = 2;
            o.method.occlusion_value = 0.25;
            explain_attributions(o);
            // one line per map, the predictions, the delta, and the cams of the three CAM methods
            check_against_oracle(model, o.output, methods.size() + 2 + (model == "mlp" ? 0 : 3));
        }
    }
}

TEST_CASE("integrated gradients' baselines and rules, and smoothgrad with zero noise, equal the oracle", "[explain]") {
    struct Case {
        std::string baseline, rule, variant, base;
    };
    for (const Case& c : {Case{"mean", "gauss-legendre", "mean", "gradient-x-input"},
                          Case{"blur", "midpoint", "squared", "saliency"},
                          Case{"zero", "gauss-legendre", "variance", "integrated-gradients"}}) {
        SECTION(c.baseline + " " + c.rule + " " + c.variant) {
            auto o = options("skip", {"integrated-gradients", "smoothgrad:" + c.base}, "skip-ig-" + c.baseline + ".h5");
            o.target = "predicted";
            o.method.baseline = c.baseline;
            o.method.rule = c.rule;
            o.method.blur_sigma = 1.5;
            o.method.variant = c.variant;
            o.method.noise = 0;
            o.method.samples = 3;
            explain_attributions(o);
            check_against_oracle("skip", o.output, 4);
        }
    }
}

TEST_CASE("smoothgrad with noise and the uniform baseline equal the oracle, which draws the noise from the documented seeding",
          "[explain]") {
    // the oracle derives each input's generator from (seed, dataset row, stream) as docs/explain.md states it; a
    // map that used other noise (another seed, row, batch position, sigma) would differ from it by far more than 1e-5
    auto o = options("skip", {"integrated-gradients", "smoothgrad", "smoothgrad:integrated-gradients"}, "skip-noise.h5");
    o.target = "label";
    o.method.baseline = "uniform";
    o.method.steps = 8;
    o.method.noise = 0.3;
    o.method.samples = 3;
    o.method.variant = "squared";
    o.method.seed = 5;
    explain_attributions(o);
    check_against_oracle("skip", o.output, 5);
}

TEST_CASE("the file holds the inputs, the targets, every option and the cams", "[explain]") {
    auto o = options("gapcnn", {"grad-cam", "integrated-gradients"}, "layout.h5");
    o.target = "predicted";
    explain_attributions(o);
    auto f = read_attribution_file(o.output);
    CHECK(f.methods == std::vector<std::string>{"grad-cam", "integrated-gradients"});
    CHECK(f.index.size() == 10);
    CHECK(f.targets == f.predictions);
    CHECK(f.labels == std::vector<std::int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 1});
    CHECK(f.class_names == std::vector<std::string>{"alpha", "beta", "gamma"});
    CHECK(f.target == "predicted");
    std::vector<std::int64_t> shape;
    read_attributions(o.output, "grad-cam", &shape);
    CHECK(shape == std::vector<std::int64_t>{10, 1, 8, 8});
    read_attributions(o.output, "integrated-gradients", &shape);
    CHECK(shape == std::vector<std::int64_t>{10, 1, 8, 8});
    ProcessResult h5 = run("/usr/bin/python3 -c \"import h5py; f = h5py.File('" + o.output +
                    "'); a = f['attributions/integrated-gradients'].attrs; print(f.attrs['format'], f.attrs['version'], "
                    "a['steps'], a['rule'], a['baseline'], f['cams/grad-cam/relu2'].shape, "
                    "f['attributions/integrated-gradients_delta'].shape, f['inputs/target'].dtype)\"");
    INFO(h5.output);
    CHECK(h5.output == "actopo-attributions 1 16 midpoint zero (10, 4, 4) (10,) int64\n");
}

TEST_CASE("integrated gradients' completeness error shrinks with the steps", "[explain]") {
    Batch b = load(kData + "data.h5");
    Explainer e(kData + "skip.pt");
    for (std::string rule : {"midpoint", "gauss-legendre"}) {
        double previous = INFINITY;
        for (int steps : {2, 8, 32}) {
            MethodOptions m;
            m.steps = steps;
            m.rule = rule;
            Attribution a = e.attribute("integrated-gradients", b.x.data(), b.shape, b.labels, b.index, m);
            double mean = 0;
            for (float d : a.delta) mean += std::fabs(d);
            mean /= double(a.delta.size());
            INFO(rule << " steps " << steps << " mean |delta| " << mean);
            CHECK(mean < previous);
            previous = mean;
        }
        CHECK(previous < 2e-4);
    }
}

TEST_CASE("Grad-CAM equals CAM / Z after the ReLU on a GAP-linear model", "[explain]") {
    Batch b = load(kData + "data.h5");
    Explainer e(kData + "gapcnn.pt");
    MethodOptions m;
    Attribution cam = e.attribute("cam", b.x.data(), b.shape, b.labels, b.index, m);
    Attribution grad = e.attribute("grad-cam", b.x.data(), b.shape, b.labels, b.index, m);
    CHECK(cam.layer == "relu2");
    REQUIRE(cam.cam_shape == std::vector<std::int64_t>{4, 4});
    std::vector<float> expected(cam.cam.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = std::max(0.0f, cam.cam[i] / 16.0f);
    CHECK(max_rel(grad.cam, expected) <= 1e-5);
    bool some_negative = false;  // the ReLU matters on this model: CAM has negative cells
    for (float v : cam.cam) some_negative |= v < 0;
    CHECK(some_negative);
}

TEST_CASE("occlusion equals a hand computation on a linear model", "[explain]") {
    // f_c(x) = sum_i w_ci x_i + b_c with w_ci = (c + 1)(i + 1) / 10; input k has x_i = (k + 1)(i + 1) / 16.
    // Windows 2 x 2, stride 2, filled with 0: each pixel lies in one window, whose drop is sum over it of w x.
    Batch b = load(kData + "data4.h5");
    Explainer e(kData + "linear.pt");
    MethodOptions m;
    m.window = 2;
    m.stride = 2;
    std::vector<std::int64_t> targets{1, 0};
    Attribution a = e.attribute("occlusion", b.x.data(), b.shape, targets, b.index, m);
    REQUIRE(a.shape == std::vector<std::int64_t>{1, 4, 4});
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 16; ++i) {
            int r = i / 4, c = i % 4;
            double drop = 0;
            for (int rr = r / 2 * 2; rr < r / 2 * 2 + 2; ++rr)
                for (int cc = c / 2 * 2; cc < c / 2 * 2 + 2; ++cc) {
                    int j = rr * 4 + cc;
                    drop += (targets[k] + 1) * (j + 1) / 10.0 * ((k + 1) * (j + 1) / 16.0);
                }
            INFO("input " << k << " pixel " << i);
            CHECK(a.values[std::size_t(k * 16 + i)] == Approx(drop).epsilon(1e-6));
        }
    // stride 1: a pixel averages the drops of the (up to four) windows that cover it; corner pixel 0 has one
    m.stride = 1;
    Attribution s = e.attribute("occlusion", b.x.data(), b.shape, targets, b.index, m);
    double corner = 0;
    for (int j : {0, 1, 4, 5}) corner += (targets[0] + 1) * (j + 1) / 10.0 * ((j + 1) / 16.0);
    CHECK(s.values[0] == Approx(corner).epsilon(1e-6));
    // pixel 5 (row 1, col 1) lies in the 4 windows at (0,0), (0,1), (1,0), (1,1)
    double centre = 0;
    for (int py = 0; py < 2; ++py)
        for (int px = 0; px < 2; ++px)
            for (int dy = 0; dy < 2; ++dy)
                for (int dx = 0; dx < 2; ++dx) {
                    int j = (py + dy) * 4 + px + dx;
                    centre += (targets[0] + 1) * (j + 1) / 10.0 * ((j + 1) / 16.0) / 4;
                }
    CHECK(s.values[5] == Approx(centre).epsilon(1e-6));
}

TEST_CASE("smoothgrad with zero noise equals its base method", "[explain]") {
    Batch b = load(kData + "data.h5");
    Explainer e(kData + "gapcnn.pt");
    MethodOptions m;
    m.noise = 0;
    m.samples = 4;
    m.steps = 8;
    for (std::string base : {"gradient", "saliency", "gradient-x-input", "integrated-gradients", "grad-cam", "occlusion"}) {
        Attribution plain = e.attribute(base, b.x.data(), b.shape, b.labels, b.index, m);
        Attribution smooth = e.attribute("smoothgrad:" + base, b.x.data(), b.shape, b.labels, b.index, m);
        INFO(base);
        CHECK(max_rel(smooth.values, plain.values) <= 1e-6);
    }
    m.noise = 0.2;
    Attribution plain = e.attribute("gradient", b.x.data(), b.shape, b.labels, b.index, m);
    Attribution noisy = e.attribute("smoothgrad", b.x.data(), b.shape, b.labels, b.index, m);
    CHECK(max_rel(noisy.values, plain.values) > 1e-3);  // noise changes the map
}

TEST_CASE("maps are reproducible bit for bit with the same seed and independent of batching", "[explain]") {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const std::vector<std::string> methods{"smoothgrad", "integrated-gradients"};
    auto o = options("skip", methods, "seed-a.h5");
    o.method.baseline = "uniform";
    o.method.samples = 5;
    o.method.seed = 11;
    explain_attributions(o);
    o.output = temp_dir() + "/seed-b.h5";
    explain_attributions(o);
    auto bytes = [](const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    CHECK(bytes(temp_dir() + "/seed-a.h5") == bytes(temp_dir() + "/seed-b.h5"));
    // batch 10 instead of 4: every input keeps its noise (seeded by its row)
    o.output = temp_dir() + "/seed-c.h5";
    o.batch = 10;
    explain_attributions(o);
    for (const auto& m : methods)
        CHECK(max_rel(read_all(temp_dir() + "/seed-c.h5", m), read_all(temp_dir() + "/seed-a.h5", m)) <= 1e-6);
    o.output = temp_dir() + "/seed-d.h5";
    o.method.seed = 12;
    explain_attributions(o);
    CHECK(max_rel(read_all(temp_dir() + "/seed-d.h5", "smoothgrad"), read_all(temp_dir() + "/seed-a.h5", "smoothgrad")) > 1e-3);
    ::unsetenv("SOURCE_DATE_EPOCH");
}

TEST_CASE("bad input: one line naming the method, layer or value, exit 1, nothing written", "[explain]") {
    const std::string bin = ACTOPO_BINARY;
    struct Case {
        std::string args, expected;
    };
    const std::vector<Case> cases{
        {"--model " + kData + "mlp.pt --method grad-cam", "grad-cam: model '" + kData + "mlp.pt' has no convolutional layer"},
        {"--model " + kData + "mlp.pt --method cam --layer fc1", "cam: layer 'fc1' outputs [16], not a convolutional feature map"},
        {"--model " + kData + "skip.pt --method cam --layer block.relu2", "cam: model '" + kData + "skip.pt' is not global average pooling then one linear layer after layer 'block.relu2'"},
        {"--model " + kData + "gapcnn.pt --method saliency --target 3", "target class 3 is out of range: model '" + kData + "gapcnn.pt' has 3 classes"},
        {"--model " + kData + "gapcnn.pt --method saliency --target -1", "--target: expected label, predicted or a class index (0, 1, ...), got '-1'"},
        {"--model " + kData + "gapcnn.pt --method grad-cam --layer conv3", "grad-cam: model '" + kData + "gapcnn.pt' has no layer 'conv3' (closest: conv1, conv2"},
        {"--model " + kData + "badout.pt --method saliency", "returns [4, 3, 2] for a batch of 4 inputs; expected one logit vector per input"},
        {"--model " + kData + "gapcnn.pt --method saliency --dataset " + kData + "nan.h5", "input 2 of dataset '" + kData + "nan.h5' holds a NaN"},
        {"--model " + kData + "gapcnn.pt --method salency", "unknown method 'salency' (closest: saliency"},
        {"--model " + kData + "gapcnn.pt --method integrated-gradients --rule simpson", "--rule: expected one of midpoint, gauss-legendre, got 'simpson'"},
        {"--model " + kData + "nanmap.pt --method saliency", "saliency: the map of input 0 holds a NaN or Inf value (at position 0); nothing was written"},
        {"--model " + kData + "gapcnn.pt --method smoothgrad --samples 0", "--samples: expected a number from 1 to 1000000, got '0'"},
    };
    for (const auto& c : cases) {
        const std::string out = temp_dir() + "/bad.h5";
        fs::remove(out);
        std::string args = c.args;
        if (args.find("--dataset") == std::string::npos) args += " --dataset " + kData + "data.h5";
        ProcessResult o = run(bin + " explain --batch 4 " + args + " -o " + out);
        INFO(c.args << "\n" << o.output);
        CHECK(o.status == 1);
        CHECK_THAT(o.output, Catch::StartsWith("actopo: ") && Catch::Contains(c.expected));
        CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(out));
        bool temp_left = false;
        for (const auto& entry : fs::directory_iterator(temp_dir()))
            temp_left |= entry.path().filename().string().rfind(".bad.h5", 0) == 0;
        CHECK_FALSE(temp_left);
    }
    // explain-quality's own checks the same way (the others are the Explainer's, as above): nothing under its folder
    const std::vector<Case> quality{
        {"--model " + kData + "nanmap.pt --method saliency", "saliency: the map of input 0 holds a NaN or Inf value"},
        {"--model " + kData + "gapcnn.pt --method saliency --target 3", "target class 3 is out of range: model '" + kData + "gapcnn.pt' has 3 classes"},
    };
    for (const auto& c : quality) {
        const std::string out = temp_dir() + "/bad-quality";
        fs::remove_all(out);
        std::string args = c.args;
        if (args.find("--dataset") == std::string::npos) args += " --dataset " + kData + "data.h5";
        ProcessResult o = run(bin + " explain-quality --limit 4 --no-randomisation " + args + " -o " + out);
        INFO(c.args << "\n" << o.output);
        CHECK(o.status == 1);
        CHECK_THAT(o.output, Catch::StartsWith("actopo: ") && Catch::Contains(c.expected));
        CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(out));
    }
}
