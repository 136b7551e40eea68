#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"

using namespace actopo;

namespace {
std::string python_output(const std::string& code) {
    auto script = std::filesystem::temp_directory_path() / ("actopo-ds-" + std::to_string(::getpid()) + ".py");
    std::ofstream(script) << code;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(("/usr/bin/python3 " + script.string()).c_str(), "r"), pclose);
    REQUIRE(p);
    std::string out;
    char buf[256];
    while (fgets(buf, sizeof buf, p.get())) out += buf;
    return trim(out);
}
}  // namespace

TEST_CASE("Fashion-MNIST test split matches an independent reader", "[dataset][python]") {
    auto ds = open_dataset("fashion-mnist:test", 20);
    REQUIRE(ds->size() == 20);
    CHECK(ds->sample_shape() == std::vector<std::int64_t>{1, 28, 28});
    CHECK(ds->class_names().size() == 10);
    std::vector<float> x(20 * 784);
    std::vector<std::int64_t> y(20);
    ds->read(0, 20, x.data(), y.data());
    // second opinion: python's gzip + numpy on the same files
    auto expected = python_output(
        "import gzip, numpy as np\n"
        "d='" + fashion_mnist_dir() + "'\n"
        "x=np.frombuffer(gzip.open(d+'/t10k-images-idx3-ubyte.gz').read()[16:],np.uint8).reshape(-1,784)\n"
        "y=np.frombuffer(gzip.open(d+'/t10k-labels-idx1-ubyte.gz').read()[8:],np.uint8)\n"
        "print(len(y), ' '.join(map(str,y[:20])), '%.6f' % (x[:20].astype(np.float64).sum()/255.0))\n");
    std::string ours = "10000 ";
    double sum = 0;
    for (std::size_t i = 0; i < 20; ++i) ours += std::to_string(y[i]) + (i + 1 < 20 ? " " : "");
    for (float v : x) sum += v;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.6f", sum);
    auto full = open_dataset("fashion-mnist", 0);
    CHECK(full->size() == 10000);
    // compare label list exactly and the pixel sum to float precision
    auto space = expected.rfind(' ');
    CHECK(ours == expected.substr(0, space));
    CHECK(sum == Approx(std::stod(expected.substr(space + 1))).epsilon(1e-6));
}

TEST_CASE("the train split has 60 000 inputs", "[dataset]") {
    auto ds = open_dataset("fashion-mnist:train", 0);
    CHECK(ds->size() == 60000);
    CHECK(ds->split() == "train");
}

TEST_CASE("dataset errors name the package or the file", "[dataset]") {
    setenv("ACTOPO_FASHION_MNIST_DIR", "/nonexistent", 1);
    try {
        open_dataset("fashion-mnist");
        FAIL("expected a UserError");
    } catch (const UserError& e) {
        CHECK(std::string(e.what()).find("dataset-fashion-mnist") != std::string::npos);
    }
    unsetenv("ACTOPO_FASHION_MNIST_DIR");
    CHECK_THROWS_AS(open_dataset("fashion-mnist:valid"), UserError);
    CHECK_THROWS_AS(open_dataset("missing.h5"), UserError);
    CHECK_THROWS_AS(open_dataset("images.png"), UserError);
}

TEST_CASE("fashion-mnist-rows holds the same images as sequences of 28 rows", "[dataset]") {
    auto images = open_dataset("fashion-mnist:test", 3), rows = open_dataset("fashion-mnist-rows", 3);
    CHECK(rows->name() == "fashion-mnist-rows");
    CHECK(rows->split() == "test");
    CHECK(rows->sample_shape() == std::vector<std::int64_t>{28, 28});
    CHECK(rows->class_names() == images->class_names());
    std::vector<float> a(3 * 784), b(3 * 784);
    std::vector<std::int64_t> la(3), lb(3);
    images->read(0, 3, a.data(), la.data());
    rows->read(0, 3, b.data(), lb.data());
    CHECK(a == b);  // row t of image i: its pixels (t, 0..27), the same floats in the same order
    CHECK(la == lb);
    CHECK_THROWS_WITH(open_dataset("fashion-mnist-rows:dev"), Catch::Contains("fashion-mnist-rows:test"));
    CHECK(rows->mask_length() == 0);
    CHECK(rows->token_length() == 0);
}
