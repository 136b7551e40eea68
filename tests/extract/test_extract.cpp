// Extraction checked against PyTorch: tests/data/tiny_reference.h5 holds what PyTorch forward hooks recorded
// for the fixture model (tests/data/make_fixture.py), exported both with torch.jit.script and torch.jit.trace.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "actopo/store.hpp"
#include "temp_dir.hpp"
#include "user_error_of.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

using actopo_test::user_error_of;

const std::string kData = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/";

std::string temp_dir() {
    static const std::string dir = actopo_test::temp_dir("extract").string();
    return dir;
}

ExtractReport extract(const std::string& model, const std::vector<std::string>& layers, const std::string& out,
                      const std::string& dataset = kData + "tiny_data.h5", std::size_t batch = 5) {
    ExtractOptions o;
    o.model = kData + model;
    o.dataset = dataset;
    o.layers = layers;
    o.batch = batch;  // 16 inputs in batches of 5: the last batch is partial
    o.output = temp_dir() + "/" + out;
    o.force = true;
    return extract_activations(o);
}

float max_abs_diff(const Matrix& a, const Matrix& b) {
    REQUIRE(a.rows == b.rows);
    REQUIRE(a.cols == b.cols);
    float worst = 0;
    for (std::size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::fabs(a.data[i] - b.data[i]));
    return worst;
}


}  // namespace

TEST_CASE("every leaf layer equals PyTorch's forward hooks, scripted and traced", "[extract]") {
    StoreReader reference(kData + "tiny_reference.h5");
    for (std::string kind : {"scripted", "traced"}) {
        SECTION(kind) {
            auto report = extract("tiny_" + kind + ".pt", {"all"}, kind + ".h5");
            CHECK(report.inputs == 16);
            StoreReader got(temp_dir() + "/" + kind + ".h5");
            CHECK(got.layer_names().size() == reference.layer_names().size());
            for (const auto& layer : reference.layer_names()) {
                INFO(kind << " layer " << layer);
                REQUIRE(got.has_layer(layer));
                CHECK(got.layer_shape(layer) == reference.layer_shape(layer));
                CHECK(max_abs_diff(got.read_layer(layer), reference.read_layer(layer)) <= 1e-5f);
            }
            CHECK(max_abs_diff(got.logits(), reference.logits()) <= 1e-5f);
            CHECK(got.labels() == reference.labels());
            CHECK(got.predictions() == reference.predictions());
            std::vector<std::int64_t> rows(16);
            for (int i = 0; i < 16; ++i) rows[i] = i;
            CHECK(got.index() == rows);
            CHECK(got.info().model_sha256 == sha256_file(kData + "tiny_" + kind + ".pt"));
            CHECK(got.info().class_names == std::vector<std::string>{"alpha", "beta", "gamma"});
        }
    }
}

TEST_CASE("chosen layers, nested and containers, come out in the order asked", "[extract]") {
    StoreReader reference(kData + "tiny_reference.h5");
    for (std::string kind : {"scripted", "traced"}) {
        auto report = extract("tiny_" + kind + ".pt", {"head.1", "layer1.0.conv2", "layer1"}, kind + "-some.h5");
        REQUIRE(report.layers.size() == 3);
        CHECK(report.layers[0].name == "head.1");
        CHECK(report.layers[1].name == "layer1.0.conv2");
        StoreReader got(temp_dir() + "/" + kind + "-some.h5");
        CHECK(max_abs_diff(got.read_layer("layer1.0.conv2"), reference.read_layer("layer1.0.conv2")) <= 1e-5f);
        CHECK(max_abs_diff(got.read_layer("head.1"), reference.read_layer("head.1")) <= 1e-5f);
        // layer1 (a Sequential) returns its block's output: the second call of the block's ReLU.
        CHECK(max_abs_diff(got.read_layer("layer1"), reference.read_layer("layer1.0.relu")) <= 1e-5f);
    }
}

TEST_CASE("a module called twice is counted and its last call is captured", "[extract]") {
    for (std::string kind : {"scripted", "traced"}) {
        LayerCapture capture(kData + "tiny_" + kind + ".pt", {"all"});
        for (const auto& m : capture.modules()) {
            INFO(kind << " " << m.name);
            CHECK(m.calls == (m.name == "layer1.0.relu" ? 2 : 1));
            CHECK(m.leaf == (m.name != "layer1" && m.name != "layer1.0" && m.name != "head"));
        }
        CHECK(capture.layers().size() == 9);
    }
}

TEST_CASE("list_layers gives every leaf with its output shape", "[extract]") {
    StoreReader reference(kData + "tiny_reference.h5");
    auto layers = list_layers(kData + "tiny_traced.pt", kData + "tiny_data.h5");
    REQUIRE(layers.size() == reference.layer_names().size());
    for (const auto& l : layers) CHECK(l.shape == reference.layer_shape(l.name));
    CHECK(layers.front().type == "Conv2d");
}

TEST_CASE("NaN activations are counted and recorded", "[extract]") {
    auto report = extract("tiny_scripted.pt", {"stem", "pool", "head.1"}, "nan.h5", kData + "tiny_nan.h5");
    // One NaN pixel reaches the 3x3 neighbourhood of 4 channels in stem: 9 * 4 values.
    REQUIRE(report.nonfinite.count("stem"));
    CHECK(report.nonfinite.at("stem") == 36);
    CHECK(report.nonfinite.at("head.1") == 3);
    StoreReader got(temp_dir() + "/nan.h5");
    CHECK(got.layer_nonfinite("stem") == 36);
    CHECK(got.layer_nonfinite("pool") == 4);
}

TEST_CASE("actopo extract: NaN logits are a warning on stderr, the summary alone on stdout", "[extract]") {
    // input 1 of tiny_nan.h5 has one NaN pixel: it reaches all 3 of that input's logits (the head pools over space)
    const std::string out = temp_dir() + "/nan-cli.h5", err = temp_dir() + "/nan-cli.err", log = temp_dir() + "/nan-cli.out";
    const int status = std::system((std::string(ACTOPO_BINARY) + " extract -q --model " + kData + "tiny_scripted.pt --dataset " +
                                    kData + "tiny_nan.h5 --layers head.1 --force -o " + out + " > " + log + " 2> " + err)
                                       .c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // the store is written; the NaNs are recorded and warned about
    const std::string stderr_text = read_text_file(err), stdout_text = read_text_file(log);
    INFO("stderr: " << stderr_text << "stdout: " << stdout_text);
    CHECK(stderr_text.find("actopo: warning: /inputs/logits has 3 NaN/Inf values") != std::string::npos);
    CHECK(stderr_text.find("actopo: warning: layer head.1 has 3 NaN/Inf values") != std::string::npos);
    CHECK(stdout_text.find("warning") == std::string::npos);
    CHECK(stdout_text.find(out + ": 3 inputs") != std::string::npos);
    StoreReader got(out);  // and the count is the file's
    const Matrix logits = got.logits();
    std::size_t bad = 0;
    for (float v : logits.data) bad += !std::isfinite(v);
    CHECK(bad == 3);
}

TEST_CASE("bad models, layers and inputs give one clear line", "[extract]") {
    auto missing = user_error_of([] { LayerCapture c(kData + "no-such-model.pt", {"all"}); });
    CHECK_THAT(missing, Catch::Contains("no-such-model.pt") && Catch::Contains("does not exist"));

    std::string text = temp_dir() + "/text.pt";
    std::ofstream(text) << "not a model\n";
    CHECK_THAT(user_error_of([&] { LayerCapture c(text, {"all"}); }), Catch::Contains("not a TorchScript file"));

    std::string corrupt = temp_dir() + "/corrupt.pt";
    {
        std::ifstream in(kData + "tiny_scripted.pt", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(corrupt, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    CHECK_THAT(user_error_of([&] { LayerCapture c(corrupt, {"all"}); }),
               Catch::Contains("corrupt.pt") && Catch::Contains("not a readable TorchScript module"));
    CHECK_THAT(user_error_of([] { LayerCapture c(kData + "tiny_state_dict.pt", {"all"}); }),
               Catch::Contains("tiny_state_dict.pt") && Catch::Contains("torch.jit.script"));

    auto unknown = user_error_of([] { LayerCapture c(kData + "tiny_scripted.pt", {"layer1.0.conv3"}); });
    CHECK_THAT(unknown, Catch::Contains("no layer 'layer1.0.conv3'") && Catch::Contains("layer1.0.conv1") &&
                            Catch::Contains("layer1.0.conv2"));

    auto shape = user_error_of([] { extract("tiny_traced.pt", {"all"}, "rgb.h5", kData + "tiny_rgb.h5"); });
    CHECK_THAT(shape, Catch::Contains("[4, 3, 8, 8]") && Catch::Contains("'stem' expects [N, 1, H, W]"));
    CHECK_FALSE(fs::exists(temp_dir() + "/rgb.h5"));
    for (const auto& s : {missing, unknown, shape}) CHECK(s.find('\n') == std::string::npos);
}

TEST_CASE("an existing output is kept unless forced", "[extract]") {
    std::string out = temp_dir() + "/kept.h5";
    std::ofstream(out) << "precious";
    ExtractOptions o;
    o.model = kData + "tiny_scripted.pt";
    o.dataset = kData + "tiny_data.h5";
    o.output = out;
    CHECK_THAT(user_error_of([&] { extract_activations(o); }), Catch::Contains("already exists"));
    CHECK(read_text_file(out) == "precious");
    o.force = true;
    extract_activations(o);
    CHECK(StoreReader(out).size() == 16);
}

TEST_CASE("the extract command: exit codes, one-line errors, Ctrl-C leaves no file", "[extract][cli]") {
    const std::string bin = ACTOPO_BINARY, dir = temp_dir();
    auto run = [&](const std::string& args) {
        int status = std::system((bin + " extract " + args + " > " + dir + "/cli.out 2> " + dir + "/cli.err").c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    CHECK(run("--model " + kData + "tiny_traced.pt --dataset " + kData + "tiny_data.h5 --list-layers") == 0);
    CHECK_THAT(read_text_file(dir + "/cli.out"), Catch::Contains("layer1.0.relu") && Catch::Contains("[4, 8, 8]") &&
                                                    Catch::Contains("called 2 times"));
    CHECK(run("--model " + kData + "tiny_traced.pt --dataset " + kData + "tiny_data.h5 --layers fc -o " + dir + "/x.h5") == 1);
    std::string err = read_text_file(dir + "/cli.err");
    CHECK_THAT(err, Catch::StartsWith("actopo: model") && Catch::Contains("no layer 'fc'"));
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);

    // Ctrl-C in the middle of a long extraction (10 000 inputs one at a time): exit 130, nothing left behind.
    std::string out = dir + "/interrupted.h5";
    std::vector<std::string> args{bin, "extract", "--quiet", "--model", kData + "tiny_scripted.pt", "--dataset",
                                  "fashion-mnist:test", "--batch", "1", "-o", out};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    posix_spawn_file_actions_t quiet_stderr;
    posix_spawn_file_actions_init(&quiet_stderr);
    posix_spawn_file_actions_addopen(&quiet_stderr, 2, (dir + "/interrupted.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(posix_spawn(&pid, bin.c_str(), &quiet_stderr, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&quiet_stderr);
    auto has_temp = [&] {
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().filename().string().rfind(".interrupted.h5", 0) == 0) return true;
        return false;
    };
    for (int i = 0; i < 3000 && !has_temp(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(has_temp());  // the writer is streaming under its temporary name
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK_THAT(read_text_file(dir + "/interrupted.err"), Catch::Contains("cancelled"));
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(has_temp());
}

TEST_CASE("inspect describes a model and a store in words", "[extract][cli]") {
    const std::string bin = ACTOPO_BINARY, dir = temp_dir();
    auto inspect = [&](const std::string& file) {
        int status = std::system((bin + " inspect " + file + " > " + dir + "/inspect.out 2>&1").c_str());
        REQUIRE(WIFEXITED(status));
        return std::make_pair(WEXITSTATUS(status), read_text_file(dir + "/inspect.out"));
    };
    auto [model_status, model] = inspect(kData + "tiny_traced.pt");
    CHECK(model_status == 0);
    CHECK_THAT(model, Catch::Contains("359 parameters") && Catch::Contains("9 leaf layers") &&
                          Catch::Contains("layer1.0.relu  ReLU  called 2x") &&
                          Catch::Contains("weight [4, 1, 3, 3], bias [4]"));
    extract("tiny_scripted.pt", {"all"}, "inspected.h5");
    auto [store_status, store] = inspect(dir + "/inspected.h5");
    CHECK(store_status == 0);
    CHECK_THAT(store, Catch::Contains("16 inputs, 9 layers") && Catch::Contains("layer1.0.conv2  [4, 8, 8]  256  0") &&
                          Catch::Contains("alpha "));
    auto [bad_status, bad] = inspect(kData + "make_fixture.py");
    CHECK(bad_status == 1);
    CHECK_THAT(bad, Catch::Contains("neither an activation store"));
}

TEST_CASE("the same model, dataset and options give a byte-identical store under SOURCE_DATE_EPOCH", "[extract]") {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    for (int level : {0, 1}) {
        std::vector<std::string> hashes;
        for (const char* name : {"same-a.h5", "same-b.h5"}) {
            ExtractOptions o;
            o.model = kData + "tiny_scripted.pt";
            o.dataset = kData + "tiny_data.h5";
            o.batch = 5;
            o.compression = level;
            o.output = temp_dir() + "/" + name;
            o.force = true;
            extract_activations(o);
            hashes.push_back(sha256_file(o.output));
            CHECK(StoreReader(o.output).info().created == "2023-11-14T22:13:20Z");
        }
        CHECK(hashes[0] == hashes[1]);
    }
    ::unsetenv("SOURCE_DATE_EPOCH");
    // and the values are those of an extraction in other batches, uncompressed vs compressed
    extract("tiny_scripted.pt", {"all"}, "batch3.h5", kData + "tiny_data.h5", 3);
    StoreReader a(temp_dir() + "/same-a.h5"), b(temp_dir() + "/batch3.h5");
    REQUIRE(a.layer_names() == b.layer_names());
    for (const auto& layer : a.layer_names()) CHECK(max_abs_diff(a.read_layer(layer), b.read_layer(layer)) == 0.0f);
}

TEST_CASE("a compression level outside 0-9 is a one-line user error", "[extract]") {
    ExtractOptions o;
    o.model = kData + "tiny_scripted.pt";
    o.dataset = kData + "tiny_data.h5";
    o.compression = 12;
    o.output = temp_dir() + "/level12.h5";
    CHECK_THAT(user_error_of([&] { extract_activations(o); }), Catch::Contains("--compression 12") &&
                                                                     Catch::Contains("0-9"));
    CHECK_FALSE(fs::exists(o.output));
}

TEST_CASE("extraction with --pool and --store-dtype float16 stores numpy's pooling of the layers, --dry-run plans without writing",
          "[extract][python]") {
    const std::string dir = temp_dir(), bin = ACTOPO_BINARY;
    // the fixture's inputs with a padding mask [N, 8] added: extraction copies it to /inputs/mask; and the inputs cut
    // to 7x7 (the model pools adaptively), whose [4, 7, 7] maps leave a cut window at the edges for K = 2, 3 and 4
    const std::string data = dir + "/masked.h5", odd = dir + "/odd.h5", script = dir + "/pool.py";
    std::ofstream(script) << R"(import sys, h5py, numpy as np
if sys.argv[1] == 'make':
    with h5py.File(sys.argv[2], 'r') as f, h5py.File(sys.argv[3], 'w') as g, h5py.File(sys.argv[4], 'w') as o:
        g['x'] = f['x'][...]; g['labels'] = f['labels'][...]
        g['mask'] = np.arange(8)[None, :] >= (np.arange(16) % 8 + 1)[:, None]   # bool, input i has i % 8 + 1 real
        o['x'] = f['x'][:, :, :7, :7]; o['labels'] = f['labels'][...]
    sys.exit(0)
if sys.argv[1] == 'float32':  # unpooled.h5 then K:pooled.h5 ...: float32 windows summed in the documented order
    full = h5py.File(sys.argv[2], 'r')
    for arg in sys.argv[3:]:
        K, path = arg.split(':', 1)
        K, pooled, checked = int(K), h5py.File(path, 'r'), 0
        for name in full['layers']:
            a, p = full['layers'][name]['activations'][...], pooled['layers'][name]['activations'][...]
            assert p.dtype == np.float32 and a.dtype == np.float32, name
            if a.ndim != 4 or a.shape[2] * a.shape[3] == 1:
                assert (p == a).all(), name
                continue
            n, c, h, w = a.shape
            want = np.zeros((n, c, -(-h // K), -(-w // K)), np.float32)
            for r in range(want.shape[2]):
                for s in range(want.shape[3]):
                    sums = np.zeros((n, c), np.float32)
                    for y in range(r * K, min(h, r * K + K)):  # each row's part left to right, rows top to bottom
                        part = np.zeros((n, c), np.float32)
                        for x in range(s * K, min(w, s * K + K)):
                            part = part + a[:, :, y, x]
                        sums = sums + part
                    cells = (min(h, r * K + K) - r * K) * (min(w, s * K + K) - s * K)
                    want[:, :, r, s] = sums / np.float32(cells)
            assert p.shape == want.shape, (name, p.shape, want.shape)
            assert (p == want).all(), (K, name, np.abs(p - want).max())  # the same float32 operations: equal bits
            means = a.astype(np.float64).reshape(n, c, h, w)
            assert np.allclose(p, [[[[means[i, j, r * K:r * K + K, s * K:s * K + K].mean() for s in range(want.shape[3])]
                                    for r in range(want.shape[2])] for j in range(c)] for i in range(n)], rtol=1e-6, atol=1e-6)
            checked += 1
        assert checked >= 4, (K, checked)
    sys.exit(0)
full, pooled, K = h5py.File(sys.argv[2], 'r'), h5py.File(sys.argv[3], 'r'), 3
assert pooled.attrs['pool'] == K and pooled.attrs['store_dtype'] == 'float16'
assert (pooled['inputs/mask'][...] == (np.arange(8)[None, :] >= (np.arange(16) % 8 + 1)[:, None])).all()
checked = 0
for name in full['layers']:
    a = full['layers'][name]['activations'][...].astype(np.float64)
    p = pooled['layers'][name]['activations']
    assert p.dtype == np.float16, (name, p.dtype)
    if a.ndim == 4 and a.shape[2] * a.shape[3] > 1:
        n, c, h, w = a.shape
        oh, ow = -(-h // K), -(-w // K)
        want = np.zeros((n, c, oh, ow))
        for r in range(oh):
            for s in range(ow):
                want[:, :, r, s] = a[:, :, r * K:(r + 1) * K, s * K:(s + 1) * K].mean(axis=(2, 3))
        assert p.attrs['pool'] == K and list(p.attrs['source_shape']) == [c, h, w], name
        checked += 1
    else:
        want = a
        assert 'pool' not in p.attrs, name
    got = p[...].astype(np.float64)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    assert np.allclose(got, want, rtol=1e-3, atol=1e-7), (name, np.abs(got - want).max())
assert checked >= 3, checked
)";
    REQUIRE(std::system(("/usr/bin/python3 " + script + " make " + kData + "tiny_data.h5 " + data + " " + odd).c_str()) == 0);
    ExtractOptions o;
    o.model = kData + "tiny_scripted.pt";
    o.dataset = data;
    o.batch = 5;
    o.force = true;
    o.output = dir + "/unpooled.h5";
    extract_activations(o);
    o.pool = 3;  // 8 = 3 + 3 + 2: the last window of each row and column is cut by the edge
    o.store_dtype = StoreDtype::float16;
    o.output = dir + "/pooled.h5";
    extract_activations(o);
    REQUIRE(std::system(("/usr/bin/python3 " + script + " check " + dir + "/unpooled.h5 " + o.output).c_str()) == 0);

    // float32, pooled inside the forward pass: the window means summed in the order documented, bit for bit
    ExtractOptions f = o;
    f.dataset = odd;
    f.store_dtype = StoreDtype::float32;
    std::string pooled32;
    for (std::int64_t k : {1, 2, 3, 4}) {
        f.pool = k;
        f.output = dir + "/odd-" + std::to_string(k) + ".h5";
        const auto report = extract_activations(f);
        if (k > 1) pooled32 += " " + std::to_string(k) + ":" + f.output;
        for (const auto& spec : report.layers)
            if (spec.name == "layer1.0.relu")
                CHECK(spec.source_shape == (k > 1 ? std::vector<std::int64_t>{4, 7, 7} : std::vector<std::int64_t>{}));
    }
    REQUIRE(std::system(("/usr/bin/python3 " + script + " float32 " + dir + "/odd-1.h5" + pooled32).c_str()) == 0);

    // the plan: the layers as stored and the bytes the arrays hold; the file holds them plus at most a chunk per array
    const ExtractPlan plan = plan_extraction(o);
    CHECK(plan.inputs == 16);
    StoreReader pooled(o.output);
    REQUIRE(plan.layers.size() == pooled.layer_names().size());
    std::uint64_t arrays_bytes = 0;
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        CHECK(plan.layers[i].shape == pooled.layer_shape(plan.layers[i].name));
        CHECK(plan.layer_bytes[i] == 16 * 2 * per_input_size(plan.layers[i].shape));
        arrays_bytes += plan.layer_bytes[i];
    }
    CHECK(plan.total_bytes == arrays_bytes + plan.input_bytes);
    const auto file_bytes = fs::file_size(o.output);
    CHECK(file_bytes >= plan.total_bytes);
    CHECK(file_bytes <= plan.total_bytes + (plan.layers.size() + 5) * (std::uint64_t(1) << 20));

    const std::string planned = dir + "/planned.h5";
    const int status = std::system((bin + " extract --dry-run --pool 3 --store-dtype float16 --model " + kData +
                                    "tiny_scripted.pt --dataset " + data + " -o " + planned + " > " + dir + "/plan.out")
                                       .c_str());
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_FALSE(fs::exists(planned));
    const std::string text = read_text_file(dir + "/plan.out");
    CHECK_THAT(text, Catch::Contains("dry run: 16 inputs") && Catch::Contains("pooled 3x3") &&
                         Catch::Contains("(from [4, 8, 8])") && Catch::Contains("total ") && Catch::Contains("free"));
    CHECK(WEXITSTATUS(std::system((bin + " extract --pool 0 --model " + kData + "tiny_scripted.pt --dataset " + data +
                                   " -o " + planned + " 2> " + dir + "/pool.err").c_str())) == 1);
    CHECK_THAT(read_text_file(dir + "/pool.err"), Catch::Contains("--pool"));
    CHECK(WEXITSTATUS(std::system((bin + " inspect " + o.output + " > " + dir + "/inspect.out").c_str())) == 0);
    CHECK_THAT(read_text_file(dir + "/inspect.out"), Catch::Contains("layer1.0.relu  [4, 3, 3]  36  0  float16  pooled 3x3"));
}
