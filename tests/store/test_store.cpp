#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "actopo/store.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {
std::string temp_path(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("actopo-store-" + std::to_string(::getpid()));
    fs::create_directories(dir);
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
