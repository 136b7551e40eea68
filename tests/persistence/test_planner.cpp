// The size planner: estimates near the true simplex count; refusal names the options that fit.
#include <gudhi/Rips_complex.h>
#include <gudhi/Simplex_tree.h>
#include <gudhi/distance_functions.h>

#include <cstdlib>
#include <set>

#include "helpers.hpp"

using namespace actopo;

TEST_CASE("estimate_size is within a factor 2 of GUDHI's simplex count", "[persistence][planner]") {
    for (std::uint64_t seed : {1, 2, 3}) {
        const auto in = ptest::random_cloud(150, 3, seed);
        RipsOptions o;
        o.max_dim = 2;
        o.threshold = 1.0;
        // the true count: GUDHI's Rips complex up to dimension max_dim + 1
        std::vector<std::vector<double>> lower(in.n);
        for (std::size_t i = 0; i < in.n; ++i)
            for (std::size_t j = 0; j < i; ++j) lower[i].push_back(float(in.distance(i, j)));
        Gudhi::rips_complex::Rips_complex<double> rips(lower, double(float(*o.threshold)));
        Gudhi::Simplex_tree<> st;
        rips.create_complex(st, o.max_dim + 1);
        const double truth = double(st.num_simplices());
        const double est = estimate_size(in, o).simplices;
        INFO("seed " << seed << ": estimate " << est << ", true " << truth);
        REQUIRE(est > truth / 2);
        REQUIRE(est < truth * 2);
    }
}

TEST_CASE("too large: one line with the estimate and options that fit", "[persistence][planner][errors]") {
    const auto in = ptest::random_cloud(400, 4, 7);
    RipsOptions o;
    o.max_dim = 3;
    setenv("ACTOPO_MAX_MEMORY", "20M", 1);
    std::string msg;
    try {
        compute_persistence(in, o, "gudhi");
    } catch (const UserError& e) {
        msg = e.what();
    }
    unsetenv("ACTOPO_MAX_MEMORY");
    INFO(msg);
    REQUIRE(msg.find("simplices") != std::string::npos);
    REQUIRE(msg.find("--threshold") != std::string::npos);
    REQUIRE(msg.find("--landmarks") != std::string::npos);
    // the suggested threshold does fit
    const auto pos = msg.find("--threshold ") + 12;
    o.threshold = std::stod(msg.substr(pos));
    REQUIRE(estimate_size(in, o).bytes <= 20e6);
}

TEST_CASE("max-min landmarks are seeded, distinct, and cover the cloud", "[persistence][landmarks]") {
    const auto in = ptest::random_cloud(200, 2, 3);
    const auto a = maxmin_landmarks(in, 20, 11), b = maxmin_landmarks(in, 20, 11), c = maxmin_landmarks(in, 20, 12);
    REQUIRE(a == b);
    REQUIRE(a != c);
    REQUIRE(std::set<std::size_t>(a.begin(), a.end()).size() == 20);
    // covering radius: every point is within the distance at which the 21st landmark would be chosen,
    // and each new landmark was the farthest point from the ones before it
    for (std::size_t k = 2; k < a.size(); ++k) {
        double far_k = 1e300, far_all = 0;
        for (std::size_t j = 0; j < k; ++j) far_k = std::min(far_k, in.distance(a[k], a[j]));
        for (std::size_t v = 0; v < in.n; ++v) {
            double near = 1e300;
            for (std::size_t j = 0; j < k; ++j) near = std::min(near, in.distance(v, a[j]));
            far_all = std::max(far_all, near);
        }
        REQUIRE(far_k == Approx(far_all));
    }
    const auto sub = select_vertices(in, a);
    REQUIRE(sub.n == 20);
    REQUIRE(sub.distance(3, 7) == in.distance(a[3], a[7]));
}
