// The sparse path without the distance triangle: neighbour lists against the exact distances, and the
// diagrams made from them against the ripser executable on held-out clouds (written to a file, so that
// ripser reads the same float32 coordinates). Sparse edge lists through the lists, and sparse Rips: its
// diagrams against ripser's exact ones in log scale, within the stated factor (docs/native.md).
#include <cmath>
#include <random>
#include <unistd.h>

#include "actopo/distances.hpp"
#include "actopo/metric.hpp"
#include "actopo/native.hpp"
#include "actopo/persistence.hpp"
#include "native/neighbors.hpp"
#include "oracles.hpp"
#include "user_error_of.hpp"

using namespace native_test;
using actopo_test::user_error_of;

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

/// The larger of the bottleneck distances, dimension by dimension, between the diagrams with every value replaced
/// by its logarithm. H0 (every birth 0, log -inf): the finite deaths must pair up (a class at log 0 = -inf is
/// infinitely far from the diagonal), optimally in sorted order, and the essential classes must be as many. Above
/// H0: actopo::bottleneck_distance (tested against gudhi.bottleneck_distance in tests/distances).
double log_bottleneck(const actopo::Diagrams& a, const actopo::Diagrams& b) {
    REQUIRE(a.dims.size() == b.dims.size());
    double worst = 0;
    for (std::size_t k = 0; k < a.dims.size(); ++k) {
        if (k == 0) {
            std::vector<double> da, db;
            std::size_t ea = 0, eb = 0;
            for (const auto& p : a.dims[0].pairs) p.essential() ? void(++ea) : da.push_back(std::log(p.death));
            for (const auto& p : b.dims[0].pairs) p.essential() ? void(++eb) : db.push_back(std::log(p.death));
            REQUIRE(ea == eb);
            REQUIRE(da.size() == db.size());
            std::sort(da.begin(), da.end());
            std::sort(db.begin(), db.end());
            for (std::size_t i = 0; i < da.size(); ++i) worst = std::max(worst, std::abs(da[i] - db[i]));
            continue;
        }
        auto logged = [](actopo::Diagram d) {
            for (auto& p : d.pairs) {
                REQUIRE(p.birth > 0);
                p.birth = std::log(p.birth);
                if (!p.essential()) p.death = std::log(p.death);
            }
            return d;
        };
        worst = std::max(worst, actopo::bottleneck_distance(logged(a.dims[k]), logged(b.dims[k])));
    }
    return worst;
}

actopo::RipsOptions sparse_options(int max_dim, double eps) {
    actopo::RipsOptions o;
    o.max_dim = max_dim;
    o.sparse_epsilon = eps;
    o.threads = 2;
    return o;
}

/// A seeded noisy circle of radius 1 in the plane (noise 0.15).
actopo::Matrix circle(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0, 0.15f);
    std::uniform_real_distribution<float> angle(0, 6.2831853f);
    actopo::Matrix m(n, 2);
    for (std::size_t i = 0; i < n; ++i) {
        const float a = angle(rng);
        m(i, 0) = std::cos(a) + g(rng);
        m(i, 1) = std::sin(a) + g(rng);
    }
    return m;
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

TEST_CASE("a sparse edge list goes through the lists and gives the diagram of the same edges densified", "[native][neighbors][sparse]") {
    std::mt19937_64 rng(2024);
    for (int trial = 0; trial < 6; ++trial) {
        const std::uint32_t n = 60 + std::uint32_t(trial) * 7;
        std::vector<actopo::RipsInput::Edge> edges;
        std::uniform_int_distribution<int> length(1, 6);  // integer lengths: many ties
        std::uniform_int_distribution<std::uint32_t> vertex(0, n - 1);
        for (std::uint32_t i = 1; i < n; ++i)
            for (std::uint32_t j = 0; j < i; ++j)
                if (rng() % 9 == 0) edges.push_back(rng() % 2 ? actopo::RipsInput::Edge{i, j, float(length(rng))}
                                                              : actopo::RipsInput::Edge{j, i, float(length(rng))});
        const std::uint32_t v = vertex(rng);
        edges.push_back({v, v, 1.0f});                           // a self-loop: ignored
        edges.push_back({edges[3].j, edges[3].i, 7.0f});         // an edge given again, reversed: the last length counts
        const auto sparse = actopo::RipsInput::from_edges(n, edges);
        const auto lower = sparse.lower_triangle();
        const auto dense = actopo::RipsInput::from_lower(n, lower);
        const auto lists = actopo::native::lists_from_edges(n, edges);
        REQUIRE(4 * lists.list.size() / 2 < lower.size());  // the engine keeps the lists (sparse_rips.cpp)
        std::size_t k = 0, present = 0;
        for (std::uint32_t i = 1; i < n; ++i)
            for (std::uint32_t j = 0; j < i; ++j, ++k) {
                INFO("trial " << trial << " pair " << i << " " << j);
                REQUIRE(lists(i, j) == lower[k]);
                REQUIRE(lists(j, i) == lower[k]);
                present += lower[k] != std::numeric_limits<float>::infinity();
            }
        REQUIRE(lists.list.size() == 2 * present);
        for (std::uint32_t i = 0; i < n; ++i)  // decreasing neighbours, as the engine's lookups need
            REQUIRE(std::is_sorted(lists.begin(i), lists.end(i), [](const auto& a, const auto& b) { return a.v > b.v; }));
        actopo::RipsOptions o;
        o.max_dim = 2;
        o.coeff = trial % 2 ? 3 : 2;
        o.threads = 1 + trial % 2;
        if (trial >= 3) o.threshold = 4.0;
        INFO("trial " << trial);
        const auto ours = actopo::native::compute(sparse, o);
        require_identical(ours, actopo::native::compute(dense, o));
        REQUIRE(ours.meta.at("edges") == std::to_string(std::count_if(lower.begin(), lower.end(), [&](float x) {
                    return x <= o.threshold.value_or(1e30);
                })));
        require_same(ours, run_gudhi(n, lower, o.threshold.value_or(1e30), 2, o.coeff));
    }
}

TEST_CASE("sparse Rips diagrams stay within log(1/(1-eps)) of ripser's exact ones, native and gudhi", "[native][sparse][ripser]") {
    struct Case {
        std::string name;
        actopo::Matrix points;
        int max_dim;
    };
    std::mt19937_64 rng(77);
    std::normal_distribution<float> g;
    actopo::Matrix gaussian(90, 4);
    for (auto& x : gaussian.data) x = g(rng);
    const actopo::Matrix once = circle(40, 904);
    actopo::Matrix twice(80, 2);  // every point twice: insertion radius 0
    for (std::size_t i = 0; i < 80; ++i) twice(i, 0) = once(i % 40, 0), twice(i, 1) = once(i % 40, 1);
    const std::vector<Case> cases{{"torus", cloud(140, 3, 901), 2}, {"circle", circle(160, 902), 1}, {"gaussian", gaussian, 1},
                                  {"small circle", circle(60, 903), 1}, {"doubled circle", twice, 1}};
    for (const Case& c : cases) {
        const std::string file = write_cloud(c.points, "sparse-" + c.name);
        const auto in = read_point_file(file);
        const auto exact = run_ripser("/usr/bin/ripser", "--format point-cloud", file, c.max_dim);
        std::remove(file.c_str());
        actopo::RipsOptions plain;
        plain.max_dim = 0;
        const double exact_edges = std::stod(actopo::native::compute(in, plain).meta.at("edges"));
        for (double eps : {1e-6, 0.1, 0.3, 0.5, 0.8, 0.95}) {
            INFO(c.name << " eps " << eps);
            const auto ours = actopo::native::compute(in, sparse_options(c.max_dim, eps));
            const double bound = std::log(1 / (1 - eps));
            CHECK(std::stod(ours.meta.at("approximation_factor")) == Approx(1 / (1 - eps)).epsilon(1e-8));
            const double distance = log_bottleneck(ours, exact);
            CHECK(distance <= bound + 1e-5);
            if (eps == 1e-6) require_same(ours, exact);  // eps -> 0: the exact diagram
            if (eps >= 0.5 && c.name != "gaussian") CHECK(std::stod(ours.meta.at("edges")) < 0.5 * exact_edges);
            // GUDHI's tree up to tetrahedra on the torus: seconds; GUDHI 3.7's sparse Rips dies (bus error) on duplicates
            if (eps >= 0.5 && c.max_dim == 1 && c.name != "doubled circle") {
                auto o = sparse_options(c.max_dim, eps);
                CHECK(log_bottleneck(actopo::compute_persistence(in, o, "gudhi"), exact) <= bound + 1e-5);
            }
        }
    }
}

TEST_CASE("sparse Rips: edges grow linearly with the points, one essential H0 class per component, bad eps refused", "[native][sparse]") {
    // a 2-dimensional set (a flat torus in R^4): n and 2n points
    auto flat_torus = [](std::size_t n, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<float> angle(0, 6.2831853f);
        actopo::Matrix m(n, 4);
        for (std::size_t i = 0; i < n; ++i) {
            const float a = angle(rng), b = angle(rng);
            m(i, 0) = std::cos(a), m(i, 1) = std::sin(a), m(i, 2) = std::cos(b), m(i, 3) = std::sin(b);
        }
        return actopo::RipsInput::from_points(m, actopo::Metric::euclidean);
    };
    auto edges = [](const actopo::RipsInput& in, double eps) {
        return std::stod(actopo::native::compute(in, sparse_options(0, eps)).meta.at("edges"));
    };
    const auto small = flat_torus(150, 5), large = flat_torus(300, 6);
    {  // the greedy permutation is a permutation, radii non-increasing, also with duplicate points
        actopo::Matrix dup(30, 2);
        for (std::size_t i = 0; i < 30; ++i) dup(i, 0) = float(i % 7), dup(i, 1) = float(i % 3);
        const auto g = actopo::greedy_permutation(actopo::RipsInput::from_points(dup, actopo::Metric::euclidean), 30, 4);
        std::vector<std::size_t> order = g.order;
        std::sort(order.begin(), order.end());
        for (std::size_t i = 0; i < 30; ++i) REQUIRE(order[i] == i);
        REQUIRE(std::is_sorted(g.radius.rbegin(), g.radius.rend()));
        REQUIRE(g.radius.back() == 0);
    }
    actopo::RipsOptions plain;
    plain.max_dim = 0;
    const double exact_ratio = std::stod(actopo::native::compute(large, plain).meta.at("edges")) /
                               std::stod(actopo::native::compute(small, plain).meta.at("edges"));
    CHECK(exact_ratio > 3.5);  // all pairs: quadratic
    for (double eps : {0.5, 0.8}) {
        INFO("eps " << eps);
        CHECK(edges(large, eps) / edges(small, eps) < 2.5);
    }

    // three blobs 100 apart: at a threshold in the gap, three components, each with one essential H0 class
    std::mt19937_64 rng(31);
    std::normal_distribution<float> g;
    actopo::Matrix blobs(120, 3);
    for (std::size_t i = 0; i < blobs.rows; ++i)
        for (std::size_t j = 0; j < 3; ++j) blobs(i, j) = g(rng) * 0.5f + (j == i % 3 ? 100.0f : 0.0f);
    const auto in = actopo::RipsInput::from_points(blobs, actopo::Metric::euclidean);
    for (double eps : {0.3, 0.8}) {
        auto count_essential = [](const actopo::Diagrams& d) {
            return std::count_if(d.dims[0].pairs.begin(), d.dims[0].pairs.end(), [](const auto& p) { return p.essential(); });
        };
        auto o = sparse_options(1, eps);
        CHECK(count_essential(actopo::native::compute(in, o)) == 1);
        o.threshold = 20.0;
        const auto cut = actopo::native::compute(in, o);
        CHECK(count_essential(cut) == 3);
        CHECK(cut.dims[0].pairs.size() == 120);  // every other vertex merges within its blob (no duplicate points)
    }

    for (double bad : {-0.25, 1.0, 1.5, std::nan("")}) {
        const std::string message = user_error_of([&] { actopo::native::compute(in, sparse_options(1, bad)); });
        INFO(message);
        CHECK(message.find("(0, 1)") != std::string::npos);
        CHECK(message.find('\n') == std::string::npos);
    }
    const auto edge_list = actopo::RipsInput::from_edges(3, {{1, 0, 1.0f}, {2, 1, 1.0f}});
    CHECK(user_error_of([&] { actopo::native::compute(edge_list, sparse_options(1, 0.5)); }).find("sparse edge list") != std::string::npos);
}
