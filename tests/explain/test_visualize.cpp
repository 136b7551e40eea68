// `actopo visualize` checked against an independent computation (tests/explain/visualize_oracle.py: the same
// seeded ascent written from docs/visualize.md in PyTorch eager, the layer read by a forward hook) and against the
// properties activation maximisation must have: it raises the activation, and the seed fixes the result.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/train.hpp"
#include "actopo/visualize.hpp"
#include "oracle_errors.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(ACTOPO_SOURCE_DIR) + "/tests/explain/";
const std::string kData = kDir + "data/";

std::string vis_dir() {
    static const std::string dir = actopo_test::temp_dir("visualize").string();
    return dir;
}

// The command's exit status and its stdout and stderr together.
std::pair<int, std::string> shell(const std::string& command) {
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p);
    std::string text;
    char buf[4096];
    std::size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, k);
    const int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, text};
}

// The GAP CNN of make_models.py (conv1 4 channels, conv2 6 channels on 1 x 8 x 8 inputs), its dataset for the shape.
VisualizeOptions gapcnn(const std::string& layer) {
    VisualizeOptions o;
    o.model = kData + "gapcnn.pt";
    o.dataset = kData + "data.h5";
    o.layer = layer;
    o.ascent.steps = 40;
    o.ascent.seed = 5;
    o.force = true;
    return o;
}

}  // namespace

TEST_CASE("activation maximisation equals the PyTorch eager oracle, with every regulariser, for channels and logits", "[explain][visualize]") {
    struct Case {
        std::string model_class, layer;
        VisualizeOptions o;
    };
    VisualizeOptions channels = gapcnn("conv2");
    channels.ascent.jitter = 1;
    channels.ascent.blur_every = 3;
    channels.ascent.blur_sigma = 0.7;
    channels.ascent.tv = 0.01;
    channels.ascent.l2 = 0.01;
    channels.ascent.internal_batch = 4;  // 6 channels: two passes
    VisualizeOptions logits = gapcnn("");
    logits.model = kData + "mlp.pt";
    logits.target = "class";
    for (const Case& c : {Case{"gapcnn", "conv2", channels}, Case{"mlp", "logits", logits}}) {
        VisualizeOptions o = c.o;
        o.output = vis_dir() + "/oracle-" + c.model_class;
        auto files = visualize_units(o);
        REQUIRE(files.size() == 3);
        const std::string h5 = o.output + "/" + c.layer + ".h5";
        REQUIRE(fs::exists(h5));
        auto [status, text] = shell("/usr/bin/python3 " + kDir + "visualize_oracle.py " + c.model_class + " " + o.model +
                                    " " + c.layer + " " + h5);
        INFO(text);
        REQUIRE(status == 0);
        actopo_test::check_oracle_errors(text, 4, c.model_class);
    }
}

TEST_CASE("activation maximisation raises every unit's activation, and the seed fixes the images", "[explain][visualize]") {
    // with weak regularisers (this random model's activations are about 0.1, the defaults would outweigh them)
    VisualizeOptions o = gapcnn("conv2");
    o.ascent.steps = 64;
    o.ascent.l2 = o.ascent.tv = 1e-4;
    o.ascent.jitter = 1;
    o.ascent.blur_sigma = 0;
    UnitImages a = maximise_units(o);
    REQUIRE(a.units == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5});
    const std::size_t steps = std::size_t(o.ascent.steps);
    for (std::size_t i = 0; i < a.units.size(); ++i) {
        INFO("unit " << a.units[i]);
        // in expectation over the jitter: the mean of the trace's last quarter above that of its first quarter (the
        // unshifted final image may score below the start on an 8 x 8 input, where a one-pixel shift is large)
        double early = 0, late = 0;
        for (std::size_t t = 0; t < steps / 4; ++t) {
            early += a.trace[i * steps + t];
            late += a.trace[i * steps + steps - 1 - t];
        }
        CHECK(late > early);
    }
    // without regularisers and with small steps, nearly every step raises the activation
    VisualizeOptions plain = o;
    plain.ascent.l2 = plain.ascent.tv = plain.ascent.blur_sigma = 0;
    plain.ascent.jitter = 0;
    plain.ascent.lr = 0.01;
    UnitImages p = maximise_units(plain);
    std::size_t rises = 0;
    for (std::size_t i = 0; i < p.units.size(); ++i) CHECK(p.reached[i] > p.initial[i] + 0.01);
    for (std::size_t i = 0; i < p.units.size(); ++i)
        for (std::size_t t = 1; t < steps; ++t) rises += p.trace[i * steps + t] > p.trace[i * steps + t - 1];
    CHECK(double(rises) >= 0.95 * double(p.units.size() * (steps - 1)));

    UnitImages again = maximise_units(o);
    CHECK(again.images == a.images);
    CHECK(again.reached == a.reached);
    VisualizeOptions other = o;
    other.ascent.seed = 6;
    CHECK(maximise_units(other).images != a.images);
    // the units of one pass or of three give the same images (each unit's start is seeded by its number)
    VisualizeOptions split = o;
    split.ascent.internal_batch = 2;
    split.units = "0-5";
    UnitImages s = maximise_units(split);
    REQUIRE(s.images.size() == a.images.size());
    double diff = 0;
    for (std::size_t k = 0; k < s.images.size(); ++k) diff = std::max(diff, double(std::fabs(s.images[k] - a.images[k])));
    CHECK(diff <= 1e-5);
}

TEST_CASE("code space: a decoder trained by actopo train, its code optimised, equals the oracle, and a decoder that does not fit is refused", "[explain][visualize]") {
    // a tiny autoencoder (code of 4) on the 10 fixture images, one epoch: the weights only need to exist
    TrainOptions t;
    t.arch = "autoencoder";
    t.widths = {4};
    t.dataset = kData + "data.h5";
    t.epochs = 1;
    t.batch = 5;
    t.output = vis_dir() + "/ae.pt";
    t.force = true;
    train_model(t);
    VisualizeOptions o = gapcnn("conv2");
    o.decoder = t.output;
    o.ascent.steps = 16;
    o.ascent.jitter = 1;
    o.ascent.tv = 0.01;
    o.output = vis_dir() + "/code";
    visualize_units(o);
    auto [status, text] = shell("/usr/bin/python3 " + kDir + "visualize_oracle.py gapcnn " + o.model + " conv2 " + o.output +
                                "/conv2.h5 " + t.output);
    INFO(text);
    REQUIRE(status == 0);
    actopo_test::check_oracle_errors(text, 5);
    // a decoder whose output is not the model's input shape, and a model file without decode(z): one line, nothing
    const std::string bin = ACTOPO_BINARY, bad = vis_dir() + "/bad-decoder";
    auto [s1, t1] = shell(bin + " visualize --model " + o.model + " --layer conv2 --input-shape 1,12,12 --decoder " +
                          t.output + " -o " + bad);
    CHECK(s1 == 1);
    CHECK(t1 == "actopo: decoder '" + t.output + "' decodes a code of 4 values to [1, 8, 8], but model '" + o.model +
                    "' takes [1, 12, 12] (--input-shape or the dataset's)\n");
    VisualizeOptions plain = o;
    plain.decoder = o.model;
    plain.output = bad;
    CHECK_THROWS_WITH(visualize_units(plain), Catch::StartsWith("decoder '" + o.model + "' has no method decode(z)"));
    CHECK_FALSE(fs::exists(bad));
}

TEST_CASE("filters and activation maps are drawn as grids", "[explain][visualize]") {
    VisualizeOptions o = gapcnn("relu1");
    o.output = vis_dir() + "/grids";
    for (const auto& f : draw_filters(o)) CHECK(fs::file_size(f) > 0);
    CHECK(fs::exists(o.output + "/conv1-filters.png"));
    for (const auto& f : draw_activation_maps(o, 3)) CHECK(fs::file_size(f) > 0);
    CHECK(fs::exists(o.output + "/relu1-maps.png"));
    // a linear first layer: its rows as images of the input's shape
    VisualizeOptions mlp = o;
    mlp.model = kData + "mlp.pt";
    for (const auto& f : draw_filters(mlp)) CHECK(fs::file_size(f) > 0);
    CHECK(fs::exists(o.output + "/fc1-filters.png"));
}

TEST_CASE("visualize bad input: one line naming the layer, unit or value, exit 1, nothing written", "[explain][visualize]") {
    const std::string bin = ACTOPO_BINARY;
    struct Case {
        std::string args, expected;
    };
    const std::vector<Case> cases{
        {"--model " + kData + "gapcnn.pt --layer conv3", "model '" + kData + "gapcnn.pt' has no layer 'conv3' (closest: conv1, conv2"},
        {"--model " + kData + "gapcnn.pt --layer conv2 --units 4-6", "--units asks for unit 6 but layer 'conv2' has 6 units (0-5)"},
        {"--model " + kData + "mlp.pt --activation-maps --layer fc1", "layer 'fc1' of model '" + kData + "mlp.pt' outputs [16] per input, not feature maps"},
    };
    for (const auto& c : cases) {
        const std::string out = vis_dir() + "/bad";
        fs::remove_all(out);
        auto [status, text] = shell(bin + " visualize --dataset " + kData + "data.h5 " + c.args + " -o " + out);
        INFO(c.args << "\n" << text);
        CHECK(status == 1);
        CHECK_THAT(text, Catch::StartsWith("actopo: ") && Catch::Contains(c.expected));
        CHECK(std::count(text.begin(), text.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(out));
    }
    // the library's own refusals, the same messages (the command adds only "actopo: ")
    VisualizeOptions o = gapcnn("conv2");
    o.output = vis_dir() + "/bad";
    fs::remove_all(o.output);
    VisualizeOptions logits = o;
    logits.target = "class";
    logits.units = "3";
    CHECK_THROWS_WITH(visualize_units(logits), "--units asks for unit 3 but model '" + kData + "gapcnn.pt' has 3 classes (0-2)");
    VisualizeOptions backwards = o;
    backwards.units = "5-2";
    CHECK_THROWS_WITH(visualize_units(backwards), Catch::Contains("(the range 5-2 runs backwards)"));
    VisualizeOptions range = o;
    range.ascent.lo = 1;
    range.ascent.hi = 0;
    CHECK_THROWS_WITH(visualize_units(range), "--input-min 1 must be below --input-max 0");
    VisualizeOptions shape = o;
    shape.model = kData + "mlp.pt";
    shape.input_shape = {1, 4, 4};
    CHECK_THROWS_WITH(draw_filters(shape), Catch::StartsWith("the first layer 'fc1' of model '" + kData + "mlp.pt' takes 64 inputs, not the input shape [1, 4, 4]"));
    CHECK_FALSE(fs::exists(o.output));
}
