#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "actopo/store.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {
std::string temp_path(const std::string& name) {
    static const fs::path dir = actopo_test::temp_dir("store");
    return (dir / name).string();
}

// A store of 5 inputs, conv layer [2, 2, 3] and linear layer [4], written in two batches.
void write_small_store(const std::string& path, bool with_nan = false) {
    StoreInfo info{"model.pt", "abc", "toy", "test", "", "", {"zero", "one", "two"}};
    StoreWriter w(path, info, {{"conv1", {2, 2, 3}}, {"fc", {4}}}, 3, true);
    for (int b = 0; b < 2; ++b) {
        std::size_t n = b == 0 ? 3 : 2, first = b == 0 ? 0 : 3;
        std::vector<std::int64_t> idx, lab, pred;
        std::vector<float> logits, conv, fc;
        for (std::size_t i = first; i < first + n; ++i) {
            idx.push_back(std::int64_t(100 + i));
            lab.push_back(std::int64_t(i % 3));
            pred.push_back(std::int64_t((i + 1) % 3));
            for (int c = 0; c < 3; ++c) logits.push_back(float(i * 10 + c));
            for (int k = 0; k < 12; ++k) conv.push_back(float(i * 100 + k));
            for (int k = 0; k < 4; ++k) fc.push_back(with_nan && i == 4 && k == 0 ? NAN : float(-double(i) - k));
        }
        w.append(n, idx.data(), lab.data(), pred.data(), logits.data(), {conv.data(), fc.data()});
    }
    w.finish();
}
}  // namespace

TEST_CASE("a store written in batches reads back row for row", "[store]") {
    auto path = temp_path("small.h5");
    write_small_store(path);
    StoreReader r(path);
    CHECK(r.size() == 5);
    CHECK(r.layer_names() == std::vector<std::string>{"conv1", "fc"});
    CHECK(r.layer_shape("conv1") == std::vector<std::int64_t>{2, 2, 3});
    CHECK(r.info().class_names == std::vector<std::string>{"zero", "one", "two"});
    CHECK(r.info().model_sha256 == "abc");
    CHECK(r.index() == std::vector<std::int64_t>{100, 101, 102, 103, 104});
    CHECK(r.labels() == std::vector<std::int64_t>{0, 1, 2, 0, 1});
    CHECK(r.predictions() == std::vector<std::int64_t>{1, 2, 0, 1, 2});
    auto conv = r.read_layer("conv1");
    REQUIRE(conv.cols == 12);
    CHECK(conv(3, 5) == 305.0f);
    auto rows = r.read_layer_rows("fc", 2, 2);
    REQUIRE(rows.size() == 8);
    CHECK(rows[0] == -2.0f);
    CHECK(rows[7] == -6.0f);
    auto logits = r.logits();
    CHECK(logits.rows == 5);
    CHECK(logits(4, 2) == 42.0f);
    CHECK(r.layer_nonfinite("fc") == 0);
}

TEST_CASE("non-finite activations are counted in the store's attributes", "[store]") {
    auto path = temp_path("nan.h5");
    write_small_store(path, true);
    StoreReader r(path);
    CHECK(r.layer_nonfinite("fc") == 1);
    CHECK(r.layer_nonfinite("conv1") == 0);

    // +-Inf and NaNs of either sign count; the largest, smallest and subnormal finite values do not
    const float values[8] = {INFINITY, -INFINITY, NAN, -NAN, FLT_MAX, -FLT_MAX, FLT_MIN / 4, -0.0f};
    auto odd = temp_path("odd.h5");
    {
        StoreWriter w(odd, StoreInfo{}, {{"v", {8}}}, 0, true);
        std::int64_t zero = 0;
        w.append(1, &zero, &zero, &zero, nullptr, {values});
        w.finish();
    }
    CHECK(StoreReader(odd).layer_nonfinite("v") == 4);
}

TEST_CASE("an unknown layer names the closest ones", "[store]") {
    auto path = temp_path("small2.h5");
    write_small_store(path);
    StoreReader r(path);
    try {
        r.read_layer("conv2");
        FAIL("expected a UserError");
    } catch (const UserError& e) {
        CHECK(std::string(e.what()).find("closest: conv1") != std::string::npos);
    }
}

TEST_CASE("missing, foreign and existing files are one-line user errors", "[store]") {
    CHECK_THROWS_AS(StoreReader(temp_path("none.h5")), UserError);
    auto txt = temp_path("text.h5");
    std::ofstream(txt) << "not hdf5";
    CHECK_THROWS_AS(StoreReader(txt), UserError);
    auto path = temp_path("exists.h5");
    write_small_store(path);
    CHECK_THROWS_AS(StoreWriter(path, StoreInfo{}, {{"fc", {4}}}, 3, false), UserError);
    StoreReader still(path);  // the refused write left the file intact
    CHECK(still.size() == 5);
}

TEST_CASE("h5py reads our store and we read a store written by h5py", "[store][python]") {
    auto ours = temp_path("ours.h5");
    write_small_store(ours);
    auto theirs = temp_path("theirs.h5");
    auto script = temp_path("check.py");
    std::ofstream(script) << R"(import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
assert f.attrs['format'] == 'actopo-activations', f.attrs['format']
a = f['layers/conv1/activations'][...]
assert a.shape == (5, 2, 2, 3) and a.dtype == np.float32 and a[3, 0, 1, 2] == 305.0
assert [s.decode() if isinstance(s, bytes) else s for s in f['inputs/class_names'][...]] == ['zero', 'one', 'two']
g = h5py.File(sys.argv[2], 'w')
g.attrs['format'] = 'actopo-activations'
g['inputs/index'] = np.arange(7, dtype=np.int64)
g['inputs/labels'] = np.array([0, 1, 0, 1, 0, 1, 0], dtype=np.int64)
g['inputs/predictions'] = np.zeros(7, dtype=np.int64)
g['inputs/logits'] = np.ones((7, 2), dtype=np.float32)
g['layers/layer1.0.conv2/activations'] = np.arange(7 * 3 * 2 * 2, dtype=np.float32).reshape(7, 3, 2, 2)
g['inputs/class_names'] = np.array([b'zero', b'one'])  # fixed-length, null-padded
g.attrs['model'] = np.bytes_(b'net.pt')
g.close()
)";
    std::string cmd = "/usr/bin/python3 " + script + " " + ours + " " + theirs;
    REQUIRE(std::system(cmd.c_str()) == 0);
    StoreReader r(theirs);
    CHECK(r.size() == 7);
    CHECK(r.layer_names() == std::vector<std::string>{"layer1.0.conv2"});
    CHECK(r.layer_shape("layer1.0.conv2") == std::vector<std::int64_t>{3, 2, 2});
    CHECK(r.read_layer("layer1.0.conv2")(6, 11) == 83.0f);
    CHECK(r.info().class_names == std::vector<std::string>{"zero", "one"});
    CHECK(r.info().model == "net.pt");
}

TEST_CASE("actopo inspect of a store written by h5py counts its NaN/Inf values and knows no accuracy without "
          "predictions",
          "[store][python]") {
    const auto theirs = temp_path("inspect-theirs.h5"), with_predictions = temp_path("inspect-predictions.h5");
    const auto script = temp_path("foreign_store.py");  // not inspect.py: that would shadow python's inspect module
    // layer 'a': 2 NaN, one +inf and one -inf among 6 x 2 x 3 values; 'b': none. No actopo attribute at all.
    std::ofstream(script) << R"(import sys, h5py, numpy as np
a = np.arange(36, dtype=np.float32).reshape(6, 2, 3)
a[0, 0, 0] = a[4, 1, 2] = np.nan
a[2, 1, 1] = np.inf
a[5, 0, 2] = -np.inf
for path, predictions in ((sys.argv[1], None), (sys.argv[2], [0, 1, 0, 0, 1, 0])):
    with h5py.File(path, 'w') as f:
        f['inputs/index'] = np.arange(6, dtype=np.int64)
        f['inputs/labels'] = np.array([0, 1, 0, 1, 0, 1], dtype=np.int64)
        if predictions is not None:
            f['inputs/predictions'] = np.array(predictions, dtype=np.int64)
        f['layers/a/activations'] = a
        f['layers/b/activations'] = np.ones((6, 4), dtype=np.float32)
)";
    REQUIRE(std::system(("/usr/bin/python3 " + script + " " + theirs + " " + with_predictions).c_str()) == 0);
    auto inspect = [](const std::string& path) {
        FILE* pipe = popen((std::string(ACTOPO_BINARY) + " inspect " + path + " 2>&1").c_str(), "r");
        REQUIRE(pipe != nullptr);
        std::string out;
        char buf[4096];
        std::size_t k;
        while ((k = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, k);
        REQUIRE(pclose(pipe) == 0);
        return out;
    };
    std::string out = inspect(theirs);
    INFO(out);
    CHECK(out.find(": activation store, 6 inputs, 2 layers\n") != std::string::npos);
    CHECK(out.find("    a  [2, 3]  6  4\n") != std::string::npos);  // counted in the file: 2 NaN + 2 Inf
    CHECK(out.find("    b  [4]  4  0\n") != std::string::npos);
    CHECK(out.find("accuracy unknown") != std::string::npos);
    CHECK(out.find('%') == std::string::npos);  // no "accuracy 0.00%"
    CHECK(out.find("not by actopo") != std::string::npos);
    CHECK(out.find("by actopo \n") == std::string::npos);
    out = inspect(with_predictions);
    CHECK(out.find("accuracy 50.00% (predictions vs labels)") != std::string::npos);  // the first 3 of 6 right
}

namespace {
// A layer of 65 536 floats per input (256 KiB): 4 rows per chunk. 23 rows in batches that start and end
// inside chunks, so rows wait for their chunk across appends. Value of row i, element k: i * 1000 + k % 7.
float crossing_value(std::size_t i, std::size_t k) { return float(i * 1000 + k % 7); }
constexpr std::size_t kWide = 65536;
void write_crossing_store(const std::string& path, int compression) {
    StoreInfo info{"model.pt", "abc", "toy", "test", "", "", {}};
    StoreWriter w(path, info, {{"wide", {kWide}}, {"fc", {2}}}, 2, true, compression);
    std::size_t first = 0;
    for (std::size_t n : {3, 5, 1, 9, 4, 1}) {
        std::vector<std::int64_t> idx, lab, pred;
        std::vector<float> logits, wide, fc;
        for (std::size_t i = first; i < first + n; ++i) {
            idx.push_back(std::int64_t(i));
            lab.push_back(std::int64_t(i % 2));
            pred.push_back(0);
            logits.insert(logits.end(), {float(i), -float(i)});
            for (std::size_t k = 0; k < kWide; ++k) wide.push_back(crossing_value(i, k));
            fc.insert(fc.end(), {float(i), float(2 * i)});
        }
        w.append(n, idx.data(), lab.data(), pred.data(), logits.data(), {wide.data(), fc.data()});
        first += n;
    }
    w.finish();
}
}  // namespace

TEST_CASE("batches that end inside chunks read back row for row, compressed or not", "[store]") {
    for (int level : {0, 1, 6}) {
        auto path = temp_path("crossing-" + std::to_string(level) + ".h5");
        write_crossing_store(path, level);
        StoreReader r(path);
        REQUIRE(r.size() == 23);
        auto wide = r.read_layer("wide");
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < 23; ++i)
            for (std::size_t k = 0; k < kWide; ++k) wrong += wide(i, k) != crossing_value(i, k);
        CHECK(wrong == 0);
        CHECK(r.read_layer("fc")(22, 1) == 44.0f);
        CHECK(r.logits()(7, 1) == -7.0f);
        auto ids = r.index();
        CHECK(ids.front() == 0);
        CHECK(ids.back() == 22);
        // 23 x 256 KiB of floats: stored as is at level 0; the repeating pattern deflates to a small fraction
        const auto bytes = fs::file_size(path);
        if (level == 0)
            CHECK(bytes > 23 * kWide * 4);
        else
            CHECK(bytes < 23 * kWide * 4 / 20);
    }
    CHECK_THROWS_AS(StoreWriter(temp_path("bad-level.h5"), StoreInfo{}, {{"fc", {4}}}, 3, true, 10), UserError);
}

TEST_CASE("SOURCE_DATE_EPOCH fixes the creation time, and the same content gives the same bytes", "[store]") {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    CHECK(store_created_time() == "2023-11-14T22:13:20Z");  // 1 700 000 000 s after 1970-01-01T00:00:00Z
    auto a = temp_path("same-a.h5"), b = temp_path("same-b.h5");
    write_small_store(a);
    write_crossing_store(temp_path("between.h5"), 1);  // other work between the two writes, and a new second:
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // HDF5 object times would differ
    write_small_store(b);
    CHECK(StoreReader(a).info().created == "2023-11-14T22:13:20Z");
    CHECK(sha256_file(a) == sha256_file(b));
    write_crossing_store(a, 1);
    write_crossing_store(b, 1);
    CHECK(sha256_file(a) == sha256_file(b));

    ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    CHECK_THROWS_WITH(store_created_time(), Catch::Contains("SOURCE_DATE_EPOCH='yesterday'"));
    ::setenv("SOURCE_DATE_EPOCH", "-5", 1);
    CHECK_THROWS_AS(store_created_time(), UserError);
    ::unsetenv("SOURCE_DATE_EPOCH");
    auto now = store_created_time();
    CHECK(now.size() == 20);
    CHECK(now != "2023-11-14T22:13:20Z");
}

TEST_CASE("h5py reads a compressed store whose batches ended inside chunks", "[store][python]") {
    auto path = temp_path("crossing-h5py.h5");
    write_crossing_store(path, 1);
    auto script = temp_path("check-crossing.py");
    std::ofstream(script) << R"(import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
d = f['layers/wide/activations']
assert d.compression == 'gzip' and d.shuffle and d.chunks == (4, 65536), (d.compression, d.shuffle, d.chunks)
a = d[...]
expect = np.arange(23)[:, None] * 1000.0 + (np.arange(65536) % 7)[None, :]
assert a.shape == (23, 65536) and (a == expect).all()
assert (f['inputs/index'][...] == np.arange(23)).all()
)";
    REQUIRE(std::system(("/usr/bin/python3 " + script + " " + path).c_str()) == 0);
}

TEST_CASE("float16 stores round as numpy does, h5py reads half floats, every reader gets float32", "[store][python]") {
    // values that probe the conversion: ties to even, subnormals, the largest half, overflow to Inf, NaN, -0
    std::vector<float> values{0.0f, -0.0f, 1.0f, 1.0009765625f, 1.00048828125f, 1.00146484375f, 65504.0f, 65519.0f,
                              65520.0f, 1e6f, -1e6f, 6.1e-5f, 5.96e-8f, 2.9e-8f, 3.0e-8f, 1e-10f, 0.1f, -3.14159f,
                              NAN, INFINITY, -INFINITY, 1234.567f, 3.0517578e-05f, 2047.5f, 2048.5f, 4095.0f};
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 100.0f);
    while (values.size() < 64) values.push_back(normal(rng));
    const std::string path = temp_path("half.h5"), text = temp_path("half-values.txt"), back = temp_path("half-back.txt");
    {
        StoreWriterOptions o;
        o.dtype = StoreDtype::float16;
        o.mask_length = 4;
        o.token_length = 4;
        StoreWriter w(path, StoreInfo{}, {{"h", {16}}}, 0, true, o);
        const std::int64_t idx[] = {0, 1, 2, 3}, lab[] = {0, 1, 0, 1}, pred[] = {0, 0, 0, 0};
        const std::uint8_t mask[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1};
        std::vector<std::int64_t> tokens(16);
        for (int i = 0; i < 16; ++i) tokens[i] = 1000 + i;
        w.append(4, idx, lab, pred, nullptr, {values.data()}, mask, tokens.data());
        w.finish();
        CHECK(w.overflow_counts().at("h") == 3);  // 65520, 1e6, -1e6 (65519 rounds down to 65504); numpy agrees below
        CHECK(w.nonfinite_counts().at("h") == 3);
    }
    {
        std::ofstream out(text);
        out.precision(9);
        for (float v : values) out << v << "\n";
    }
    StoreReader r(path);
    CHECK(r.layer_dtype("h") == StoreDtype::float16);
    const Matrix got = r.read_layer("h");
    {
        std::ofstream out(back);
        out.precision(9);
        for (float v : got.data) out << v << "\n";
    }
    std::size_t len = 0;
    CHECK(r.mask(&len) == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1});
    CHECK(len == 4);
    CHECK(r.tokens(&len)[15] == 1015);
    const std::string script = temp_path("half.py");
    std::ofstream(script) << R"(import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
d = f['layers/h/activations']
assert d.dtype == np.float16, d.dtype
stored = d[...].reshape(-1)
with np.errstate(over='ignore'):  # the values beyond float16's range become Inf, as they must
    want = np.array([float(v) for v in open(sys.argv[2]).read().split()], dtype=np.float32).astype(np.float16)
assert stored.view(np.uint16).tolist() == want.view(np.uint16).tolist() or \
    (np.isnan(stored) == np.isnan(want)).all() and (stored[~np.isnan(want)].view(np.uint16) == want[~np.isnan(want)].view(np.uint16)).all()
ours = np.array([float(v) for v in open(sys.argv[3]).read().split()], dtype=np.float32)
assert np.array_equal(ours, want.astype(np.float32), equal_nan=True)
overflow = np.isinf(want) & np.isfinite(np.array([float(v) for v in open(sys.argv[2]).read().split()], dtype=np.float32))
assert overflow.sum() == d.attrs['float16_overflow'] == 3, (overflow.sum(), d.attrs['float16_overflow'])
assert f.attrs['store_dtype'] == 'float16' and f['inputs/mask'].dtype == np.uint8 and f['inputs/tokens'][3, 3] == 1015
)";
    REQUIRE(std::system(("/usr/bin/python3 " + script + " " + path + " " + text + " " + back).c_str()) == 0);
}
