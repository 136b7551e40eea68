// Edge collapse: hand-computed domination cases, and diagrams with and without collapse identical to
// each other and to the oracles (ripser on the benchmark files, GUDHI on random clouds with ties).
#include <random>

#include "actopo/native.hpp"
#include "native/collapse.hpp"
#include "oracles.hpp"

using namespace native_test;

namespace {

actopo::RipsOptions opts(int max_dim, int coeff, bool collapse, int threads = 2) {
    actopo::RipsOptions o;
    o.max_dim = max_dim;
    o.coeff = coeff;
    o.collapse = collapse;
    o.threads = threads;
    return o;
}

}  // namespace

TEST_CASE("collapse removes the last edge of a triangle and keeps the others", "[native][collapse]") {
    // d(1,0) = 1, d(2,0) = 2, d(2,1) = 3: {1,2} is dominated by 0 at 3, the last value; {0,2} then has
    // no common neighbour left and is kept, as is {0,1}.
    actopo::native::DenseDistances d;
    d.n = 3;
    d.lower = {1, 2, 3};
    CHECK(actopo::native::collapse_edges(d, 3) == 2);
    CHECK(d.lower[0] == 1);
    CHECK(d.lower[1] == 2);
    CHECK(std::isinf(d.lower[2]));
}

TEST_CASE("collapse of a square with diagonals removes one diagonal and keeps the cycle", "[native][collapse]") {
    // Sides 1, diagonals 1.5 (order (1,0) (2,0) (2,1) (3,0) (3,1) (3,2)). Of the two diagonals, {0,2}
    // (the smaller index, so the later in the filtration) is handled first: it is dominated by 1
    // (its common neighbours 1 and 3 are adjacent at 1.5) and removed; {1,3} then has common neighbours 0
    // and 2, not adjacent any more: kept. The sides have no common neighbour at 1: kept.
    actopo::native::DenseDistances d;
    d.n = 4;
    d.lower = {1, 1.5f, 1, 1, 1.5f, 1};
    CHECK(actopo::native::collapse_edges(d, 1.5f) == 5);
    std::vector<float> expected{1, std::numeric_limits<float>::infinity(), 1, 1, 1.5f, 1};
    CHECK(d.lower == expected);
    auto out = actopo::native::compute(actopo::RipsInput::from_lower(4, {1, 1.5f, 1, 1, 1.5f, 1}), [] {
        auto o = opts(1, 2, true);
        o.threshold = 1.5;
        return o;
    }());
    REQUIRE(out.dims[1].pairs.size() == 1);
    CHECK(out.dims[1].pairs[0].birth == 1);
    CHECK(out.dims[1].pairs[0].death == 1.5);
}

TEST_CASE("collapse handles edges latest first, with the values already rewritten", "[native][collapse]") {
    // {0,2} = {1,2} = 1, {0,1} = 2, {0,3} = {1,3} = 3, {2,3} = 5 (order (1,0) (2,0) (2,1) (3,0) (3,1) (3,2)).
    // {2,3} at 5: common neighbours 0, 1 (adjacent): dominated by 0 up to the end, removed.
    // {0,3} at 3: common neighbour 1 only (2 is no longer adjacent to 3): removed. {1,3}: no common
    // neighbour left: kept at 3. {0,1} at 2: common neighbour 2 only: removed. {0,2}, {1,2}: kept.
    actopo::native::DenseDistances d;
    d.n = 4;
    d.lower = {2, 1, 1, 3, 3, 5};
    CHECK(actopo::native::collapse_edges(d, 5) == 3);
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(d.lower == std::vector<float>{inf, 1, 1, inf, 3, inf});
    auto in = actopo::RipsInput::from_lower(4, {2, 1, 1, 3, 3, 5});
    auto o = opts(2, 2, true);
    o.threshold = 5;
    auto with = actopo::native::compute(in, o);
    o.collapse = false;
    require_identical(with, actopo::native::compute(in, o));
    require_same(with, run_gudhi(4, in.lower_triangle(), 5, 2, 2), 0);
}

TEST_CASE("collapse keeps the diagram on o3_1024 dim 3 and o3_2048 dim 2 (ripser oracle)", "[native][collapse][ripser]") {
    for (auto [name, dim, t] : {std::tuple<const char*, int, double>{"o3_1024.txt", 3, 1.8}, {"o3_2048.txt", 2, 1.4}}) {
        INFO(name);
        auto file = bench_file(name);
        auto input = read_point_file(file);
        auto o = opts(dim, 2, true);
        o.threshold = t;
        auto with = actopo::native::compute(input, o);
        o.collapse = false;
        require_identical(with, actopo::native::compute(input, o));
        require_same(with, run_ripser("/usr/bin/ripser", "--format point-cloud --threshold " + std::to_string(t), file, dim));
    }
}

TEST_CASE("collapse keeps the diagram on random clouds and tied matrices (GUDHI oracle, Z/2 and Z/3)", "[native][collapse][gudhi]") {
    std::mt19937 rng(2024);
    std::size_t removed = 0, raised = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const std::size_t n = 6 + std::size_t(trial % 17);
        std::vector<float> lower(n * (n - 1) / 2);
        if (trial % 2) {  // points in the plane/space with small integer coordinates: many ties
            std::uniform_int_distribution<int> u(0, 4);
            const std::size_t dims = 2 + std::size_t(trial % 3);
            std::vector<int> x(n * dims);
            for (auto& v : x) v = u(rng);
            for (std::size_t i = 1, k = 0; i < n; ++i)
                for (std::size_t j = 0; j < i; ++j, ++k) {
                    float s = 0;
                    for (std::size_t c = 0; c < dims; ++c) s += float((x[i * dims + c] - x[j * dims + c]) * (x[i * dims + c] - x[j * dims + c]));
                    lower[k] = std::sqrt(s);
                }
        } else {
            std::uniform_int_distribution<int> u(1, 1 + trial % 7);
            for (auto& v : lower) v = float(u(rng));
        }
        auto sorted = lower;
        std::sort(sorted.begin(), sorted.end());
        const float threshold = sorted[sorted.size() * std::size_t(5 + trial % 19) / 100];  // 5..23 %: collapse on
        const int coeff = trial % 3 == 0 ? 3 : 2;
        auto input = actopo::RipsInput::from_lower(n, lower);
        auto o = opts(2, coeff, true, 1 + trial % 2);
        o.threshold = threshold;
        INFO("trial " << trial << " n " << n << " threshold " << threshold << " coeff " << coeff);
        auto with = actopo::native::compute(input, o);
        o.collapse = false;
        require_identical(with, actopo::native::compute(input, o));
        require_same(with, run_gudhi(n, lower, threshold, 2, coeff), 1e-6);
        actopo::native::DenseDistances d;  // new values: +inf or an input value, never lower
        d.n = std::uint32_t(n);
        d.lower = lower;
        actopo::native::collapse_edges(d, threshold);
        for (std::size_t k = 0; k < lower.size(); ++k) {
            if (lower[k] > threshold) continue;
            REQUIRE(d.lower[k] >= lower[k]);
            if (std::isinf(d.lower[k])) ++removed;
            else if (d.lower[k] > lower[k]) {
                ++raised;
                REQUIRE(std::find(lower.begin(), lower.end(), d.lower[k]) != lower.end());
            }
        }
    }
    CHECK(removed > 0);
    CHECK(raised > 0);  // the raising path is exercised, not only removals
}
