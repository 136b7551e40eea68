#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <random>

#include "actopo/sample.hpp"

using namespace actopo;

namespace {
// Two inputs of a conv map [C=2, H=2, W=2], values chosen by hand:
// input 0: channel 0 = [1 2; 3 4], channel 1 = [0 -1; 5 0]  -> spatial vectors (1,0) (2,-1) (3,5) (4,0)
// input 1: channel 0 = [0 0; 0 -2], channel 1 = [1 1; 1 1]  -> spatial vectors (0,1) (0,1) (0,1) (-2,1)
Matrix conv_rows() {
    Matrix m(2, 8);
    float a[] = {1, 2, 3, 4, 0, -1, 5, 0};
    float b[] = {0, 0, 0, -2, 1, 1, 1, 1};
    std::copy(a, a + 8, m.row(0));
    std::copy(b, b + 8, m.row(1));
    return m;
}
const std::vector<std::int64_t> kShape{2, 2, 2};
}  // namespace

TEST_CASE("flatten keeps each input whole", "[sample]") {
    auto pc = sample_tensor(conv_rows(), kShape, {3, 4}, {}, {10, 11}, {});
    REQUIRE(pc.points.rows == 2);
    REQUIRE(pc.points.cols == 8);
    CHECK(pc.points(1, 3) == -2.0f);
    CHECK(pc.labels == std::vector<std::int64_t>{3, 4});
    CHECK(pc.input_ids == std::vector<std::int64_t>{10, 11});
}

TEST_CASE("avgpool gives channel means", "[sample]") {
    SampleOptions o;
    o.method = Sampling::avgpool;
    auto pc = sample_tensor(conv_rows(), kShape, {}, {}, {}, o);
    REQUIRE(pc.points.cols == 2);
    CHECK(pc.points(0, 0) == Approx(2.5));
    CHECK(pc.points(0, 1) == Approx(1.0));
    CHECK(pc.points(1, 0) == Approx(-0.5));
    CHECK(pc.points(1, 1) == Approx(1.0));
}

TEST_CASE("top-l2 takes the spatial vector of largest norm", "[sample]") {
    SampleOptions o;
    o.method = Sampling::top_l2;
    auto pc = sample_tensor(conv_rows(), kShape, {}, {}, {}, o);
    CHECK(pc.points(0, 0) == 3.0f);  // (3,5): norm^2 34 beats (4,0): 16
    CHECK(pc.points(0, 1) == 5.0f);
    CHECK(pc.positions[0] == 2);
    CHECK(pc.points(1, 0) == -2.0f);  // (-2,1): 5 beats (0,1): 1
    CHECK(pc.positions[1] == 3);
}

TEST_CASE("spatial gives every position, labelled by its input", "[sample]") {
    SampleOptions o;
    o.method = Sampling::spatial;
    auto pc = sample_tensor(conv_rows(), kShape, {7, 8}, {}, {}, o);
    REQUIRE(pc.points.rows == 8);
    CHECK(pc.points(1, 0) == 2.0f);
    CHECK(pc.points(1, 1) == -1.0f);
    CHECK(pc.labels[5] == 8);
    CHECK(pc.input_ids[5] == 1);
    CHECK(pc.positions[5] == 1);
}

TEST_CASE("ReLU comes before pooling", "[sample]") {
    SampleOptions o;
    o.method = Sampling::avgpool;
    o.relu = true;
    auto pc = sample_tensor(conv_rows(), kShape, {}, {}, {}, o);
    CHECK(pc.points(0, 1) == Approx(1.25));  // (0 + 0 + 5 + 0) / 4
    CHECK(pc.points(1, 0) == Approx(0.0));
}

TEST_CASE("class selection and seeded subsampling", "[sample]") {
    Matrix m(100, 3);
    std::vector<std::int64_t> labels(100);
    for (std::size_t i = 0; i < 100; ++i) {
        labels[i] = std::int64_t(i % 4);
        for (std::size_t j = 0; j < 3; ++j) m(i, j) = float(i * 3 + j);
    }
    SampleOptions o;
    o.classes = {1, 3};
    auto all = sample_tensor(m, {3}, labels, {}, {}, o);
    CHECK(all.points.rows == 50);
    for (auto l : all.labels) CHECK((l == 1 || l == 3));
    o.points = 10;
    o.seed = 5;
    auto a = sample_tensor(m, {3}, labels, {}, {}, o);
    auto b = sample_tensor(m, {3}, labels, {}, {}, o);
    o.seed = 6;
    auto c = sample_tensor(m, {3}, labels, {}, {}, o);
    CHECK(a.points.rows == 10);
    CHECK(a.input_ids == b.input_ids);
    CHECK(a.input_ids != c.input_ids);
    CHECK(std::set<std::int64_t>(a.input_ids.begin(), a.input_ids.end()).size() == 10);
    for (std::size_t i = 0; i < a.points.rows; ++i)  // each point is its input's row
        CHECK(a.points(i, 0) == float(a.input_ids[i] * 3));
}

TEST_CASE("PCA recovers a line and standardisation gives unit variance", "[sample]") {
    // points on the line t * (3, 4) / 5 plus a tiny orthogonal wobble
    Matrix m(5, 2);
    float t[] = {-2, -1, 0, 1, 2};
    float w[] = {0.01f, -0.01f, 0, 0.01f, -0.01f};
    for (int i = 0; i < 5; ++i) {
        m(std::size_t(i), 0) = t[i] * 0.6f - w[i] * 0.8f;
        m(std::size_t(i), 1) = t[i] * 0.8f + w[i] * 0.6f;
    }
    auto p = pca_project(m, 1);
    for (int i = 0; i < 5; ++i) CHECK(std::abs(p(std::size_t(i), 0)) == Approx(std::abs(t[i])).margin(1e-4));
    SampleOptions o;
    o.pca_dims = 2;
    o.normalize = Normalization::standardize;
    auto s = sample_tensor(m, {2}, {}, {}, {}, o);
    for (std::size_t j = 0; j < 2; ++j) {
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < 5; ++i) mean += s.points(i, j);
        for (std::size_t i = 0; i < 5; ++i) var += std::pow(s.points(i, j) - mean / 5, 2);
        CHECK(mean / 5 == Approx(0).margin(1e-5));
        CHECK(var / 5 == Approx(1).margin(1e-4));
    }
}

TEST_CASE("normalisation to mean distance 1 or diameter 1: hand-computed, scale-free, estimated on large clouds", "[sample]") {
    // (0,0), (3,4), (6,8): pairwise distances 5, 5, 10 -> mean 20/3, diameter 10
    Matrix m(3, 2);
    m(1, 0) = 3, m(1, 1) = 4, m(2, 0) = 6, m(2, 1) = 8;
    Matrix mean = m, diameter = m, none = m;
    CHECK(normalize_points(mean, Normalization::mean_distance) == Approx(3.0 / 20));
    CHECK(mean(1, 1) == Approx(4 * 3.0 / 20));
    CHECK(normalize_points(diameter, Normalization::diameter) == Approx(0.1));
    CHECK(diameter(2, 0) == Approx(0.6));
    CHECK(normalize_points(none, Normalization::none) == 1);
    CHECK(none.data == m.data);
    // the same cloud at 7x the scale, shifted, normalises to the same shifted points / 7
    Matrix big = m;
    for (auto& v : big.data) v = v * 7 + 1;
    normalize_points(big, Normalization::mean_distance);
    CHECK(big(2, 1) - big(0, 1) == Approx(mean(2, 1) - mean(0, 1)));
    // every point equal: nothing to scale, nothing divided by zero
    Matrix same(4, 3);
    for (auto& v : same.data) v = 2;
    CHECK(normalize_points(same, Normalization::diameter) == 1);
    CHECK(same(3, 2) == 2);
    // more than 2 000 points: the seeded pair estimate is within 1 % of the exact mean (computed here)
    std::mt19937 rng(5);
    std::normal_distribution<float> g;
    Matrix cloud(2500, 4);
    for (auto& v : cloud.data) v = g(rng) * 3;
    double exact = 0;
    for (std::size_t i = 0; i < cloud.rows; ++i)
        for (std::size_t j = i + 1; j < cloud.rows; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < cloud.cols; ++k) s += std::pow(double(cloud(i, k)) - cloud(j, k), 2);
            exact += std::sqrt(s);
        }
    exact /= 2500.0 * 2499 / 2;
    Matrix a = cloud, b = cloud;
    const double factor = normalize_points(a, Normalization::mean_distance, 3);
    CHECK(1 / factor == Approx(exact).epsilon(0.01));
    normalize_points(b, Normalization::mean_distance, 3);
    CHECK(a.data == b.data);  // reproducible with the seed
    CHECK_THROWS_AS(parse_normalization("unit"), UserError);
    for (const char* name : {"none", "standardize", "mean-distance", "diameter"})
        CHECK(normalization_name(parse_normalization(name)) == name);
}

TEST_CASE("sampling a store layer equals sampling the same tensor", "[sample]") {
    auto path = (std::filesystem::temp_directory_path() / ("actopo-sample-" + std::to_string(::getpid()) + ".h5")).string();
    auto rows = conv_rows();
    {
        StoreWriter w(path, StoreInfo{}, {{"conv", kShape}}, 0, true);
        std::int64_t idx[] = {5, 6}, lab[] = {0, 1}, pred[] = {1, 1};
        w.append(2, idx, lab, pred, nullptr, {rows.data.data()});
        w.finish();
    }
    StoreReader r(path);
    SampleOptions o;
    o.method = Sampling::top_l2;
    auto a = sample_layer(r, "conv", o);
    auto b = sample_tensor(rows, kShape, {0, 1}, {1, 1}, {5, 6}, o);
    CHECK(a.points.data == b.points.data);
    CHECK(a.input_ids == std::vector<std::int64_t>{5, 6});
    CHECK(a.predictions == std::vector<std::int64_t>{1, 1});
    CHECK_THROWS_AS(sample_layer(r, "conv2", o), UserError);
    std::filesystem::remove(path);
}

TEST_CASE("bad sampling requests are user errors", "[sample]") {
    CHECK_THROWS_AS(parse_sampling("max"), UserError);
    SampleOptions o;
    o.classes = {9};
    CHECK_THROWS_AS(sample_tensor(conv_rows(), kShape, {0, 1}, {}, {}, o), UserError);
    Matrix bad = conv_rows();
    bad(1, 2) = NAN;
    CHECK_THROWS_AS(sample_tensor(bad, kShape, {}, {}, {}, {}), UserError);
    CHECK_THROWS_AS(pca_project(conv_rows(), 9), UserError);
}
