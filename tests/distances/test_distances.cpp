// Diagram distances against python3-gudhi (bottleneck, Hera Wasserstein) and an independent numpy
// implementation of papers.md's sliced Wasserstein; hand-made cases; metric properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "actopo/distances.hpp"
#include "distances/helpers.hpp"

using namespace actopo;
using namespace distances_test;

namespace {

/// Random diagram: births in [0, 1), lifetimes skewed small, some repeated points, `essential` classes.
Diagram random_diagram(std::mt19937_64& rng, std::size_t n, std::size_t essential = 0) {
    std::uniform_real_distribution<double> u(0, 1);
    Diagram d;
    d.dim = 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && u(rng) < 0.05) {
            d.pairs.push_back(d.pairs[i - 1]);
            continue;
        }
        double b = u(rng), l = u(rng);
        d.pairs.push_back({b, b + l * l});
    }
    for (std::size_t i = 0; i < essential; ++i) d.pairs.push_back({u(rng), inf});
    return d;
}

struct Case {
    Diagram a, b;
    double p, q;
    int M;
};
struct OracleRow {
    double bottleneck, wasserstein, sliced;
};

std::string number(double x) {
    if (std::isinf(x)) return "inf";
    std::ostringstream s;
    s.precision(17);
    s << x;
    return s.str();
}

/// Runs tests/distances/oracle.py on the cases; fails the test when python3-gudhi is missing.
std::vector<OracleRow> run_oracle(const std::vector<Case>& cases) {
    const std::string path = "distances_oracle_cases.txt";
    {
        std::ofstream f(path);
        for (const auto& c : cases) {
            f << "case " << number(c.p) << " " << number(c.q) << " " << c.M << "\n";
            for (const Diagram* d : {&c.a, &c.b}) {
                f << "X " << d->pairs.size() << "\n";
                for (const auto& pr : d->pairs) f << number(pr.birth) << " " << number(pr.death) << "\n";
            }
        }
    }
    std::string cmd = "/usr/bin/python3 " ACTOPO_SOURCE_DIR "/tests/distances/oracle.py " + path;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::vector<OracleRow> rows;
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) {
        std::istringstream in(line);
        std::string b, w, s;
        in >> b >> w >> s;
        rows.push_back({std::stod(b), std::stod(w), std::stod(s)});
    }
    REQUIRE(pclose(pipe) == 0);
    REQUIRE(rows.size() == cases.size());
    std::remove(path.c_str());
    return rows;
}

void require_close(double ours, double theirs, double rel, const std::string& what) {
    INFO(what << ": ours " << ours << " oracle " << theirs);
    if (std::isinf(theirs)) {
        REQUIRE(std::isinf(ours));
    } else {
        REQUIRE(std::fabs(ours - theirs) <= rel * std::max(1.0, std::fabs(theirs)));
    }
}

}  // namespace

TEST_CASE("distances agree with gudhi and the papers.md sliced Wasserstein on random and hand-made diagrams") {
    std::mt19937_64 rng(20261123);
    std::vector<Case> cases;
    const double norms[] = {inf, 2.0, 1.0};
    const double orders[] = {1.0, 2.0, 3.0};
    for (int k = 0; k < 30; ++k) {
        std::size_t n = 1 + rng() % 40, m = 1 + rng() % 40, e = k % 5 == 0 ? 2 : 0;
        cases.push_back({random_diagram(rng, n, e), random_diagram(rng, m, e), orders[k % 3], norms[(k / 3) % 3],
                         1 + int(rng() % 60)});
    }
    cases.push_back({random_diagram(rng, 300), random_diagram(rng, 250), 1.0, inf, 50});  // auction path
    cases.push_back({random_diagram(rng, 400), random_diagram(rng, 400), 2.0, 2.0, 50});
    cases.push_back({make({}), make({{0, 2}, {1, 1.5}}), 1.0, inf, 10});                 // empty vs two points
    cases.push_back({make({}), make({}), 2.0, inf, 10});                                 // both empty
    cases.push_back({make({{0, 1}, {0, inf}}), make({{0, 2}, {0.5, inf}}), 1.0, inf, 7});  // essential matched
    cases.push_back({make({{0, 1}, {0, inf}, {1, inf}}), make({{0, 2}, {0.5, inf}}), 1.0, inf, 7});  // counts differ
    cases.push_back({make({{0, 4}, {1, 2}}), make({{0.5, 4.5}, {1, 2}, {3, 3.2}}), 2.0, inf, 3});
    auto oracle = run_oracle(cases);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        DistanceOptions o;
        o.p = c.p;
        o.internal_p = c.q;
        o.directions = c.M;
        std::string tag = "case " + std::to_string(i);
        require_close(bottleneck_distance(c.a, c.b, o), oracle[i].bottleneck, 1e-12, tag + " bottleneck");
        o.relative_error = 0;
        require_close(wasserstein_distance(c.a, c.b, o), oracle[i].wasserstein, 1e-6, tag + " wasserstein exact");
        o.relative_error = 0.01;
        o.exact_below = 0;  // force the auction
        double w = wasserstein_distance(c.a, c.b, o);
        if (std::isinf(oracle[i].wasserstein)) {
            REQUIRE(std::isinf(w));
        } else {
            INFO(tag << " auction " << w << " oracle " << oracle[i].wasserstein);
            REQUIRE(w >= oracle[i].wasserstein * (1 - 1e-6) - 1e-12);
            REQUIRE(w <= oracle[i].wasserstein * 1.01 + 1e-12);
        }
        require_close(sliced_wasserstein_distance(c.a, c.b, o), oracle[i].sliced, 1e-9, tag + " sliced");
    }
}

TEST_CASE("hand-computed bottleneck and Wasserstein values") {
    // one point against the empty diagram: half its persistence (L-inf), to the power p summed
    auto a = make({{0, 2}}), empty = make({});
    CHECK(bottleneck_distance(a, empty) == 1.0);
    DistanceOptions o;
    o.p = 2;
    o.internal_p = 2;
    CHECK(wasserstein_distance(a, empty, o) == Approx(std::sqrt(2.0)));
    // (0,4) vs (1,4): matched at distance 1 beats both to the diagonal (2)
    CHECK(bottleneck_distance(make({{0, 4}}), make({{1, 4}})) == 1.0);
    // essential classes: counts differ -> infinite unless ignored
    auto e1 = make({{0, inf}}), e2 = make({{0, inf}, {1, inf}});
    CHECK(std::isinf(bottleneck_distance(e1, e2)));
    o.ignore_essential = true;
    CHECK(bottleneck_distance(e1, e2, o) == 0.0);
    CHECK(bottleneck_distance(make({{0, inf}}), make({{0.25, inf}})) == 0.25);
    // different dimensions are refused
    CHECK_THROWS_AS(diagram_distance(make({}, 0), make({}, 1), DiagramMetric::bottleneck), UserError);
    CHECK_THROWS_AS(wasserstein_distance(a, a, DistanceOptions{0.5}), UserError);
    CHECK_THROWS_AS(bottleneck_distance(make({{2, 1}}), a), UserError);
    CHECK_THROWS_AS(parse_diagram_metric("euclid"), UserError);
}

TEST_CASE("metric properties: identity, symmetry, triangle inequality") {
    std::mt19937_64 rng(7);
    for (int k = 0; k < 10; ++k) {
        auto x = random_diagram(rng, 60), y = random_diagram(rng, 45), z = random_diagram(rng, 70);
        for (auto metric : {DiagramMetric::bottleneck, DiagramMetric::wasserstein, DiagramMetric::sliced_wasserstein}) {
            DistanceOptions o;
            o.relative_error = 0;
            INFO(diagram_metric_name(metric));
            CHECK(diagram_distance(x, x, metric, o) == Approx(0).margin(1e-12));
            double xy = diagram_distance(x, y, metric, o), yx = diagram_distance(y, x, metric, o);
            CHECK(xy == Approx(yx).epsilon(1e-9));
            double yz = diagram_distance(y, z, metric, o), xz = diagram_distance(x, z, metric, o);
            CHECK(xz <= xy + yz + 1e-9);
            CHECK(xy > 0);
        }
    }
}

TEST_CASE("a distance matrix is symmetric with a zero diagonal and matches the pairwise distances") {
    std::mt19937_64 rng(3);
    std::vector<Diagram> ds;
    std::vector<std::string> names;
    for (int i = 0; i < 6; ++i) {
        ds.push_back(random_diagram(rng, 30 + 5 * i));
        names.push_back("layer" + std::to_string(i));
    }
    DistanceOptions o;
    auto m = diagram_distance_matrix(names, ds, DiagramMetric::bottleneck, o, 3);
    REQUIRE(m.row_names == names);
    for (std::size_t i = 0; i < ds.size(); ++i) {
        CHECK(m.at(i, i) == 0.0);
        for (std::size_t j = 0; j < ds.size(); ++j) {
            CHECK(m.at(i, j) == m.at(j, i));
            if (i != j) CHECK(m.at(i, j) == bottleneck_distance(ds[i], ds[j], o));
        }
    }
}

namespace {
/// gudhi.bottleneck_distance (exact) of each pair of diagrams, one python process.
std::vector<double> gudhi_bottleneck(const std::vector<std::pair<Diagram, Diagram>>& cases) {
    const std::string path = "bottleneck_oracle_cases.txt";
    {
        std::ofstream f(path);
        for (const auto& [a, b] : cases)
            for (const Diagram* d : {&a, &b}) {
                f << d->pairs.size() << "\n";
                for (const auto& pr : d->pairs) f << number(pr.birth) << " " << number(pr.death) << "\n";
            }
    }
    const std::string script =
        "import sys, numpy as np, gudhi\n"
        "L = open(sys.argv[1]).read().split('\\n'); k = 0; ds = []\n"
        "while k < len(L) and L[k].strip():\n"
        "    n = int(L[k]); ds.append(np.array([[float(x) for x in L[k + 1 + i].split()] for i in range(n)]).reshape(n, 2)); k += 1 + n\n"
        "for i in range(0, len(ds), 2): print(repr(float(gudhi.bottleneck_distance(ds[i], ds[i + 1]))))\n";
    {
        std::ofstream f("bottleneck_oracle.py");
        f << script;
    }
    FILE* pipe = popen(("/usr/bin/python3 bottleneck_oracle.py " + path).c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::vector<double> out;
    char line[256];
    while (std::fgets(line, sizeof line, pipe)) out.push_back(std::stod(line));
    REQUIRE(pclose(pipe) == 0);
    std::remove(path.c_str());
    std::remove("bottleneck_oracle.py");
    REQUIRE(out.size() == cases.size());
    return out;
}
}  // namespace

TEST_CASE("bottleneck agrees with gudhi on tied values and on large diagrams (two-thread path)") {
    std::mt19937_64 rng(99);
    std::vector<std::pair<Diagram, Diagram>> cases;
    for (int k = 0; k < 40; ++k) {  // small integer coordinates: many equal distances and half-persistences
        auto tied = [&](std::size_t n) {
            Diagram d;
            d.dim = 1;
            for (std::size_t i = 0; i < n; ++i) {
                double b = double(rng() % 8), l = double(1 + rng() % 6);
                d.pairs.push_back({b, b + l});
            }
            return d;
        };
        cases.push_back({tied(1 + rng() % 120), tied(1 + rng() % 120)});
    }
    cases.push_back({random_diagram(rng, 2600), random_diagram(rng, 2400)});  // >= 4000 points: two threads
    cases.push_back({random_diagram(rng, 3000), random_diagram(rng, 3000)});
    auto oracle = gudhi_bottleneck(cases);
    for (std::size_t i = 0; i < cases.size(); ++i)
        require_close(bottleneck_distance(cases[i].first, cases[i].second), oracle[i], 1e-12, "case " + std::to_string(i));
}
