// Property tests of the native engine: random clouds and integer distance matrices with ties against
// GUDHI in-process, thread-count independence, canonical output and bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include <thread>

#include "actopo/native.hpp"
#include "native/cohomology.hpp"
#include "oracles.hpp"

using namespace native_test;

namespace {

actopo::RipsInput random_cloud(std::mt19937& rng, std::size_t n, std::size_t dim) {
    std::normal_distribution<float> g;
    actopo::Matrix m(n, dim);
    for (auto& x : m.data) x = g(rng);
    return actopo::RipsInput::from_points(m, actopo::Metric::euclidean);
}

actopo::RipsInput random_integer_matrix(std::mt19937& rng, std::size_t n, int max_value) {
    std::uniform_int_distribution<int> u(1, max_value);
    std::vector<float> lower(n * (n - 1) / 2);
    for (auto& x : lower) x = float(u(rng));
    return actopo::RipsInput::from_lower(n, lower);
}

actopo::RipsOptions opts(int max_dim, int coeff, int threads) {
    actopo::RipsOptions o;
    o.max_dim = max_dim;
    o.coeff = coeff;
    o.threads = threads;
    return o;
}

}  // namespace

TEST_CASE("native equals GUDHI on random clouds and tied integer matrices", "[native][gudhi]") {
    std::mt19937 rng(12345);
    for (int trial = 0; trial < 600; ++trial) {
        std::size_t n = 4 + std::size_t(trial % 11);
        auto input = trial % 2 ? random_cloud(rng, n, 1 + std::size_t(trial % 4)) : random_integer_matrix(rng, n, 1 + trial % 6);
        int coeff = trial % 3 == 0 ? 3 : 2;
        auto o = opts(2, coeff, 1 + trial % 2);
        double gudhi_threshold = std::numeric_limits<double>::infinity();
        if (trial % 5 >= 3) {  // explicit thresholds: the median distance (dense path), the 20 % quantile (sparse)
            auto lower = input.lower_triangle();
            std::size_t k = trial % 5 == 3 ? lower.size() / 2 : lower.size() / 5;
            std::nth_element(lower.begin(), lower.begin() + long(k), lower.end());
            o.threshold = gudhi_threshold = lower[k];
        }
        INFO("trial " << trial << " n " << n << " coeff " << coeff);
        auto ours = actopo::native::compute(input, o);
        require_same(ours, run_gudhi(n, input.lower_triangle(), gudhi_threshold, 2, coeff), 1e-6);
    }
}

TEST_CASE("native output does not depend on the number of threads", "[native]") {
    std::mt19937 rng(7);
    auto input = random_cloud(rng, 150, 3);
    for (int coeff : {2, 5}) {
        auto one = actopo::native::compute(input, opts(2, coeff, 1));
        auto two = actopo::native::compute(input, opts(2, coeff, 2));
        auto three = actopo::native::compute(input, opts(2, coeff, 3));
        require_identical(one, two);
        require_identical(one, three);
    }
}

TEST_CASE("native output does not depend on which thread reduces which column, take-overs included", "[native]") {
    // Four threads on the columns of one dimension: a column often claims a pivot that a later column,
    // reduced at the same time, had claimed first (a take-over; the later one is reduced again). The
    // diagrams must be those of one thread, bit for bit; GUDHI checks a few of them independently.
    std::mt19937 rng(2024);
    const std::uint64_t before = actopo::native::takeovers();
    int trials = 0;
    for (; trials < 400 && (trials < 40 || actopo::native::takeovers() - before < 20); ++trials) {
        const std::size_t n = 40 + std::size_t(trials % 5) * 20;
        auto input = random_cloud(rng, n, 2 + std::size_t(trials % 7));
        const int coeff = trials % 2 ? 3 : 2;
        INFO("trial " << trials << " n " << n << " coeff " << coeff);
        auto one = actopo::native::compute(input, opts(2, coeff, 1));
        require_identical(one, actopo::native::compute(input, opts(2, coeff, 4)));
        if (trials % 10 == 0)
            require_same(one, run_gudhi(n, input.lower_triangle(), std::numeric_limits<double>::infinity(), 2, coeff), 1e-6);
    }
    INFO("take-overs: " << actopo::native::takeovers() - before << " in " << trials << " trials");
    if (std::thread::hardware_concurrency() >= 2) CHECK(actopo::native::takeovers() > before);
}

TEST_CASE("native output is canonical", "[native]") {
    std::mt19937 rng(3);
    auto input = random_integer_matrix(rng, 30, 4);  // many ties: many zero-length pairs to drop
    auto o = opts(2, 2, 2);
    o.threshold = 2.0;  // leaves several components
    auto d = actopo::native::compute(input, o);
    REQUIRE(d.dims.size() == 3);
    std::size_t essential0 = 0;
    for (const auto& diagram : d.dims) {
        for (std::size_t i = 0; i < diagram.pairs.size(); ++i) {
            CHECK(diagram.pairs[i].birth < diagram.pairs[i].death);
            if (i) CHECK((diagram.pairs[i - 1].birth < diagram.pairs[i].birth ||
                          (diagram.pairs[i - 1].birth == diagram.pairs[i].birth && diagram.pairs[i - 1].death <= diagram.pairs[i].death)));
        }
    }
    for (const auto& p : d.dims[0].pairs) essential0 += p.essential();
    // components of the graph of edges <= 2, counted independently
    std::vector<int> comp(30);
    for (int i = 0; i < 30; ++i) comp[std::size_t(i)] = i;
    auto lower = input.lower_triangle();
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 1, k = 0; i < 30; ++i)
            for (std::size_t j = 0; j < i; ++j, ++k)
                if (lower[k] <= 2.0f && comp[i] != comp[j]) comp[i] = comp[j] = std::min(comp[i], comp[j]), changed = true;
    }
    std::size_t components = 0;
    for (int i = 0; i < 30; ++i) components += comp[std::size_t(i)] == i;
    CHECK(essential0 == components);
}

TEST_CASE("native rejects a non-prime coefficient and bad distances", "[native]") {
    std::mt19937 rng(1);
    auto input = random_cloud(rng, 10, 2);
    CHECK_THROWS_AS(actopo::native::compute(input, opts(1, 4, 1)), actopo::UserError);
    CHECK_THROWS_AS(actopo::native::compute(input, opts(1, 1, 1)), actopo::UserError);
    CHECK_THROWS_AS(actopo::native::compute(input, opts(-1, 2, 1)), actopo::UserError);
    std::vector<float> lower{1.0f, std::nanf(""), 2.0f};
    CHECK_THROWS_AS(actopo::native::compute(actopo::RipsInput::from_lower(3, lower), opts(1, 2, 1)), actopo::UserError);
}

TEST_CASE("native handles empty, single-point and sparse-edge inputs", "[native]") {
    auto empty = actopo::native::compute(actopo::RipsInput::from_lower(0, {}), opts(1, 2, 1));
    CHECK(empty.dims[0].pairs.empty());
    auto one = actopo::native::compute(actopo::RipsInput::from_lower(1, {}), opts(1, 2, 1));
    REQUIRE(one.dims[0].pairs.size() == 1);
    CHECK(one.dims[0].pairs[0].essential());
    // A 4-cycle given as sparse edges: one H1 class born at 1 that never dies (no diagonals).
    std::vector<actopo::RipsInput::Edge> edges{{1, 0, 1.0f}, {2, 1, 1.0f}, {3, 2, 1.0f}, {3, 0, 1.0f}};
    auto cycle = actopo::native::compute(actopo::RipsInput::from_edges(4, edges), opts(1, 2, 2));
    REQUIRE(cycle.dims[1].pairs.size() == 1);
    CHECK(cycle.dims[1].pairs[0].birth == 1.0);
    CHECK(cycle.dims[1].pairs[0].essential());
}

TEST_CASE("native stops when cancelled", "[native]") {
    // The cancellation flag is process-wide and sticky: request it in a child process.
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::mt19937 rng(2);
        auto input = random_cloud(rng, 200, 3);
        actopo::request_cancel();
        try {
            actopo::native::compute(input, opts(2, 2, 2));
        } catch (const actopo::Cancelled&) {
            _exit(42);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 42);
}
