// The gudhi and ripser backends agree with each other and with python3-gudhi; Z/2 vs Z/3; thresholds.
#include "helpers.hpp"

using namespace actopo;

namespace {

RipsOptions opts(int max_dim, int coeff = 2) {
    RipsOptions o;
    o.max_dim = max_dim;
    o.coeff = coeff;
    return o;
}

double enclosing(const RipsInput& in) { return double(float(in.enclosing_radius())); }

}  // namespace

TEST_CASE("benchmark files: gudhi = ripser = native = python3-gudhi", "[persistence][oracle]") {
    struct Case { const char* file; const char* format; int max_dim; bool python; };
    const Case cases[] = {
        {"random16.lower_distance_matrix", "lower-distance", 2, true},
        {"projective_plane.csv", "distance", 2, true},
        {"random_50_16.txt", "point-cloud", 2, true},
        {"sphere_3_192.lower_distance_matrix", "lower-distance", 1, true},
        {"celegans_distmat.txt", "distance", 1, true},
        {"dragon_1000.txt", "point-cloud", 1, false},
    };
    for (const auto& c : cases) {
        INFO(c.file << " up to H" << c.max_dim);
        const auto in = read_rips_input(ptest::bench_file(c.file), c.format, Metric::euclidean);
        const auto g = compute_persistence(in, opts(c.max_dim), "gudhi");
        const auto r = compute_persistence(in, opts(c.max_dim), "ripser");
        REQUIRE(g.dims[0].pairs.size() == in.n);  // at the enclosing radius: one class per vertex
        REQUIRE(std::count_if(g.dims[0].pairs.begin(), g.dims[0].pairs.end(), [](auto& p) { return p.essential(); }) == 1);
        ptest::require_same(g, r);
        ptest::require_same(g, compute_persistence(in, opts(c.max_dim), "native"));
        if (c.python) ptest::require_same(g, ptest::python_gudhi(in, c.max_dim, enclosing(in), 2));
    }
}

TEST_CASE("random small clouds: gudhi = ripser = native = python3-gudhi, with and without collapse", "[persistence][oracle]") {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        INFO("seed " << seed);
        const auto in = ptest::random_cloud(20 + 3 * seed, 2 + seed % 4, seed);
        auto o = opts(seed % 3 == 0 ? 2 : 1, seed % 4 == 0 ? 3 : 2);
        if (seed % 2) o.threshold = 0.8 * in.enclosing_radius();
        const auto g = compute_persistence(in, o, "gudhi");
        ptest::require_same(g, compute_persistence(in, o, "ripser"));
        ptest::require_same(g, compute_persistence(in, o, "native"));
        auto plain = o;
        plain.collapse = false;
        ptest::require_same(g, compute_persistence(in, plain, "gudhi"));
        const double t = o.threshold ? double(float(*o.threshold)) : enclosing(in);
        ptest::require_same(g, ptest::python_gudhi(in, o.max_dim, t, o.coeff));
    }
}

TEST_CASE("projective plane: H1 over Z/2 has a class that Z/3 does not", "[persistence][coeff]") {
    // rp2_600 at full size takes ~45 s in ripser alone; the minimal projective plane shows the same.
    const auto in = read_rips_input(ptest::bench_file("projective_plane.csv"), "distance", Metric::precomputed);
    for (const char* backend : {"gudhi", "ripser", "native"}) {
        INFO(backend);
        const auto z2 = compute_persistence(in, opts(2, 2), backend);
        const auto z3 = compute_persistence(in, opts(2, 3), backend);
        REQUIRE(z2.dims[1].pairs.size() == z3.dims[1].pairs.size() + 1);
        REQUIRE(z2.dims[2].pairs.size() == z3.dims[2].pairs.size() + 1);
        REQUIRE(z2.meta.at("coeff") == "Z/2");
        REQUIRE(z3.meta.at("coeff") == "Z/3");
        ptest::require_same(z3, ptest::python_gudhi(in, 2, enclosing(in), 3));
    }
}

TEST_CASE("a threshold below the enclosing radius leaves essential classes in every backend", "[persistence]") {
    const auto in = ptest::random_cloud(40, 2, 99);
    auto o = opts(1);
    o.threshold = 0.3;
    const auto g = compute_persistence(in, o, "gudhi");
    std::size_t essential = 0;
    for (const auto& p : g.dims[0].pairs) essential += p.essential();
    REQUIRE(essential > 1);
    ptest::require_same(g, compute_persistence(in, o, "ripser"));
    REQUIRE(g.meta.at("threshold_source") == "given");
}

TEST_CASE("sparse edge input: isolated vertices and missing edges", "[persistence]") {
    // a triangle 0-1-2 with one long edge, an isolated edge 3-4, vertex 5 alone
    auto in = RipsInput::from_edges(6, {{1, 0, 1.0f}, {2, 1, 1.0f}, {2, 0, 3.0f}, {4, 3, 2.0f}});
    auto o = opts(1);
    o.threshold = 10;
    for (const char* backend : {"gudhi", "ripser"}) {
        INFO(backend);
        const auto d = compute_persistence(in, o, backend);
        std::size_t essential = 0;
        for (const auto& p : d.dims[0].pairs) essential += p.essential();
        REQUIRE(essential == 3);
        REQUIRE(d.dims[0].pairs.size() == 6);
        REQUIRE(d.dims[1].pairs.empty());  // the triangle fills at 3 when its last edge appears
    }
}

TEST_CASE("sparse Rips stays within its guarantee of the exact diagram", "[persistence][sparse]") {
    const auto in = ptest::random_cloud(60, 2, 5);
    auto o = opts(1);
    const auto exact = compute_persistence(in, o, "gudhi");
    o.sparse_epsilon = 0.3;
    const auto approx = compute_persistence(in, o, "gudhi");
    REQUIRE(approx.meta.at("sparse_epsilon") == "0.3");
    // (1, 1/(1-eps))-interleaved: sorted H0 deaths are within a factor 1/(1-eps) of the exact ones.
    std::vector<double> a, b;
    for (const auto& p : exact.dims[0].pairs) a.push_back(p.death);
    for (const auto& p : approx.dims[0].pairs) b.push_back(p.death);
    REQUIRE(a.size() == b.size());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        REQUIRE(b[i] >= a[i] * (1 - 0.3) - 1e-6);
        REQUIRE(b[i] <= a[i] / (1 - 0.3) + 1e-6);
    }
    REQUIRE_THROWS_WITH(compute_persistence(in, o, "ripser"), Catch::Contains("sparse"));
    o.sparse_epsilon = 1.5;
    REQUIRE_THROWS_WITH(compute_persistence(in, o, "gudhi"), Catch::Contains("(0, 1)"));
}

TEST_CASE("bad options are one-line user errors", "[persistence][errors]") {
    const auto in = ptest::random_cloud(10, 2, 1);
    REQUIRE_THROWS_WITH(compute_persistence(in, opts(1, 4), "gudhi"), Catch::Contains("prime"));
    REQUIRE_THROWS_WITH(compute_persistence(in, opts(-1), "gudhi"), Catch::Contains("--max-dim"));
    REQUIRE_THROWS_WITH(compute_persistence(in, opts(1), "javaplex"), Catch::Contains("gudhi"));
    auto o = opts(1);
    o.threshold = -1;
    REQUIRE_THROWS_AS(compute_persistence(in, o, "gudhi"), UserError);
    REQUIRE_THROWS_WITH(compute_persistence(RipsInput::from_lower(0, {}), opts(1), "gudhi"), Catch::Contains("no points"));
}

TEST_CASE("rp2_600: H1 over Z/2 has a long class that Z/3 kills early (ripser backend)", "[persistence][coeff]") {
    // Full size, H1 only: ripser takes ~1 s per field; GUDHI ~50 s, so GUDHI is checked on projective_plane.
    const auto in = read_rips_input(ptest::bench_file("rp2_600.lower_distance_matrix.csv"), "lower-distance",
                                    Metric::precomputed);
    auto longest = [](const Diagrams& d) {
        double best = 0;
        for (const auto& p : d.dims[1].pairs) best = std::max(best, p.death - p.birth);
        return best;
    };
    const double z2 = longest(compute_persistence(in, opts(1, 2), "ripser"));
    const double z3 = longest(compute_persistence(in, opts(1, 3), "ripser"));
    INFO("longest H1 bar: Z/2 " << z2 << ", Z/3 " << z3);
    REQUIRE(z2 > 2.5 * z3);
}
