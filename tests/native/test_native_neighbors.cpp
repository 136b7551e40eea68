// The sparse path without the distance triangle: neighbour lists against the exact distances, and the
// diagrams made from them against the ripser executable on held-out clouds (written to a file, so that
// ripser reads the same float32 coordinates).
#include <cmath>
#include <random>
#include <unistd.h>

#include "actopo/metric.hpp"
#include "actopo/native.hpp"
#include "native/neighbors.hpp"
#include "oracles.hpp"

using namespace native_test;

namespace {

/// A seeded cloud: a noisy torus in R^3 (dim 3) or a Gaussian with ReLU applied (dim > 3, sparse coordinates).
actopo::Matrix cloud(std::size_t n, std::size_t dim, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g;
    std::uniform_real_distribution<float> angle(0, 6.2831853f);
    actopo::Matrix m(n, dim);
    for (std::size_t i = 0; i < n; ++i) {
        if (dim == 3) {
            const float a = angle(rng), b = angle(rng);
            m(i, 0) = (2 + std::cos(a)) * std::cos(b) + 0.1f * g(rng);
            m(i, 1) = (2 + std::cos(a)) * std::sin(b) + 0.1f * g(rng);
            m(i, 2) = std::sin(a) + 0.1f * g(rng);
        } else {
            for (std::size_t j = 0; j < dim; ++j) m(i, j) = std::max(0.0f, g(rng));
        }
    }
    return m;
}

std::string write_cloud(const actopo::Matrix& m, const std::string& name) {
    const std::string path = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
                             "/actopo-neighbors-" + std::to_string(getpid()) + "-" + name + ".txt";
    std::ofstream f(path);
    f.precision(9);
    for (std::size_t i = 0; i < m.rows; ++i)
        for (std::size_t j = 0; j < m.cols; ++j) f << m(i, j) << (j + 1 < m.cols ? ' ' : '\n');
    return path;
}

}  // namespace

TEST_CASE("neighbour lists hold exactly the pairs within the threshold, with the dense path's distances", "[native][neighbors]") {
    for (auto metric : {actopo::Metric::euclidean, actopo::Metric::cosine}) {
        const auto in = actopo::RipsInput::from_points(cloud(500, 24, 71), metric);
        const auto lower = in.lower_triangle();
        std::vector<float> sorted(lower);
        std::sort(sorted.begin(), sorted.end());
        const float t = sorted[sorted.size() / 20];  // 5 % of the pairs
        const auto lists = actopo::native::neighbors_within(in, t, 2);
        REQUIRE(lists);
        std::size_t within = 0, k = 0;
        for (std::uint32_t i = 1; i < in.n; ++i)
            for (std::uint32_t j = 0; j < i; ++j, ++k) {
                const float want = lower[k] <= t ? lower[k] : std::numeric_limits<float>::infinity();
                within += lower[k] <= t;
                INFO("metric " << actopo::metric_name(metric) << " pair " << i << " " << j);
                REQUIRE((*lists)(i, j) == want);
                REQUIRE((*lists)(j, i) == want);
            }
        REQUIRE(lists->list.size() == 2 * within);
        // at the median, half the pairs are within: the triangle is smaller than the lists
        CHECK_FALSE(actopo::native::neighbors_within(in, sorted[sorted.size() / 2], 2));
    }
}

TEST_CASE("native without the triangle matches ripser on held-out clouds", "[native][neighbors][ripser]") {
    struct Case {
        std::size_t n, dim;
        int max_dim;
        double fraction;  // of the pairs within the threshold
    };
    for (const Case& c : {Case{400, 3, 2, 0.03}, Case{700, 32, 1, 0.08}}) {
        const auto points = cloud(c.n, c.dim, 800 + c.n);
        const std::string file = write_cloud(points, std::to_string(c.n));
        const auto in = read_point_file(file);
        auto lower = in.lower_triangle();
        std::nth_element(lower.begin(), lower.begin() + long(c.fraction * double(lower.size())), lower.end());
        char threshold[32];
        std::snprintf(threshold, sizeof threshold, "%.9g", double(lower[std::size_t(c.fraction * double(lower.size()))]));
        REQUIRE(actopo::native::neighbors_within(in, std::stof(threshold), 2));  // the engine takes the lists
        actopo::RipsOptions o;
        o.max_dim = c.max_dim;
        o.threshold = std::stod(threshold);
        o.collapse = false;  // the path without the triangle (see native.cpp)
        o.threads = 2;
        const auto ours = actopo::native::compute(in, o);
        INFO(c.n << " x " << c.dim << " H" << c.max_dim << " threshold " << threshold);
        require_same(ours, run_ripser("/usr/bin/ripser", std::string("--format point-cloud --threshold ") + threshold, file, c.max_dim));
        o.threads = 1;
        require_identical(ours, actopo::native::compute(in, o));
        std::remove(file.c_str());
        REQUIRE(ours.dims[std::size_t(c.max_dim)].pairs.size() > 0);  // the threshold leaves classes to find
    }
}
