// Diagram summaries (Betti curves, landscapes, images, entropy, total persistence) against python3-gudhi's
// gudhi.representations, run at test time by tests/distances/summaries_oracle.py; hand-computed cases;
// the summary metrics and --summary-csv of `actopo distance`.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "actopo/distances.hpp"
#include "distances/helpers.hpp"
#include "temp_dir.hpp"

using namespace actopo;
using namespace distances_test;
namespace fs = std::filesystem;

namespace {

Diagram random_diagram(std::mt19937_64& rng, std::size_t n, std::size_t essential) {
    std::uniform_real_distribution<double> u(0, 1);
    Diagram d;
    d.dim = 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && u(rng) < 0.1) {
            d.pairs.push_back(d.pairs[i - 1]);  // repeated points
            continue;
        }
        double b = u(rng), l = u(rng);
        d.pairs.push_back({b, b + l * l});
    }
    for (std::size_t i = 0; i < essential; ++i) d.pairs.push_back({u(rng), inf});
    return d;
}

std::string number(double x) {
    if (std::isinf(x)) return "inf";
    std::ostringstream s;
    s.precision(17);
    s << x;
    return s.str();
}

struct SummaryCase {
    Diagram d;
    Grid grid;
    int levels;
    ImageOptions image;
};

/// gudhi.representations' vectors, per case: "betti", "landscape", "image", "entropy".
std::vector<std::map<std::string, std::vector<double>>> run_oracle(const std::vector<SummaryCase>& cases) {
    const std::string path = "summaries_oracle_cases_" + std::to_string(::getpid()) + ".txt";
    {
        std::ofstream f(path);
        for (const auto& c : cases) {
            f << "case " << number(c.grid.lo) << ' ' << number(c.grid.hi) << ' ' << c.grid.samples << ' ' << c.levels
              << ' ' << c.image.resolution << ' ' << number(c.image.sigma) << ' ' << number(c.image.birth_lo) << ' '
              << number(c.image.birth_hi) << ' ' << number(c.image.max_persistence) << '\n'
              << c.d.pairs.size() << '\n';
            for (const auto& p : c.d.pairs) f << number(p.birth) << ' ' << number(p.death) << '\n';
        }
    }
    FILE* pipe = popen(("/usr/bin/python3 " ACTOPO_SOURCE_DIR "/tests/distances/summaries_oracle.py " + path).c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::vector<std::map<std::string, std::vector<double>>> rows;
    std::string text;
    char buf[65536];
    while (std::size_t k = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, k);
    REQUIRE(pclose(pipe) == 0);
    std::remove(path.c_str());
    std::istringstream lines(text);
    std::string line;
    REQUIRE(std::getline(lines, line));
    REQUIRE(line.rfind("sklearn", 0) == 0);  // "sklearn scikit-learn" or "sklearn stand-ins"
    while (std::getline(lines, line)) {
        std::istringstream in(line);
        std::string name, v;
        in >> name;
        if (name == "betti") rows.emplace_back();
        REQUIRE(!rows.empty());
        auto& out = rows.back()[name];
        while (in >> v) out.push_back(std::stod(v));
    }
    REQUIRE(rows.size() == cases.size());
    return rows;
}

void require_vectors_close(const std::vector<double>& ours, const std::vector<double>& theirs, double scale, double tol,
                           const std::string& what) {
    REQUIRE(ours.size() == theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
        INFO(what << " entry " << i << ": ours " << ours[i] << " gudhi " << theirs[i] / scale);
        REQUIRE(std::fabs(ours[i] * scale - theirs[i]) <= tol * std::max(1.0, std::fabs(theirs[i])));
    }
}

}  // namespace

TEST_CASE("summaries agree with gudhi.representations on random and hand-made diagrams") {
    std::mt19937_64 rng(20261123);
    std::vector<SummaryCase> cases;
    for (int k = 0; k < 25; ++k) {
        Diagram d = random_diagram(rng, 1 + rng() % 60, k % 4 == 0 ? 1 + k % 3 : 0);
        Grid grid = grid_for({d}, 2 + rng() % 150);
        if (k % 5 == 1) grid = {-0.25, 1.75, 33};  // a grid wider than the pairs
        ImageOptions io;
        io.resolution = 1 + rng() % 25;
        io.sigma = 0.02 + 0.2 * double(rng() % 100) / 100;
        io.birth_lo = -0.1;
        io.birth_hi = 1.1;
        io.max_persistence = k % 3 == 0 ? 0.5 : 1.0;  // 0.5: weights capped at 1
        cases.push_back({d, grid, 1 + int(rng() % 6), io});
    }
    ImageOptions io;
    cases.push_back({make({{1, 3}}), Grid{0, 4, 9}, 2, io});                            // one tent
    cases.push_back({make({{0, 1}, {0, 1}, {0.5, 1.5}}), Grid{0, 2, 21}, 4, io});       // equal bars
    cases.push_back({make({{0, 2}, {1, 3}, {0, inf}}), Grid{0, 3, 4}, 3, io});          // essential: Betti only
    auto oracle = run_oracle(cases);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const std::string tag = "case " + std::to_string(i);
        const auto betti = betti_curve(c.d, c.grid);
        REQUIRE(betti == oracle[i]["betti"]);  // counts: exact
        // gudhi samples sqrt(2) * lambda_k (landscapes in rotated coordinates); ours are Bubenik's lambda_k
        require_vectors_close(persistence_landscape(c.d, c.levels, c.grid), oracle[i]["landscape"], std::sqrt(2.0), 1e-12,
                              tag + " landscape");
        require_vectors_close(persistence_image(c.d, c.image), oracle[i]["image"], 1.0, 1e-9, tag + " image");
        INFO(tag << " entropy");
        REQUIRE(persistence_entropy(c.d) == Approx(oracle[i]["entropy"].at(0)).margin(1e-12).epsilon(1e-12));
    }
}

TEST_CASE("hand-computed summaries") {
    // a single pair's landscape is a tent of height half its persistence at the midpoint; lambda_2 = 0
    auto tent = persistence_landscape(make({{1, 3}}), 2, Grid{1, 3, 5});
    CHECK(tent == std::vector<double>{0, 0.5, 1, 0.5, 0, 0, 0, 0, 0, 0});
    // two overlapping tents: lambda_1 the upper envelope, lambda_2 the overlap
    auto two = persistence_landscape(make({{0, 2}, {1, 3}}), 2, Grid{0, 3, 7});
    CHECK(two == std::vector<double>{0, 0.5, 1, 0.5, 1, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0});
    // entropy of n equal bars is log n, whatever their positions; one bar: 0; empty: 0
    CHECK(persistence_entropy(make({{0, 1}, {2, 3}, {5, 6}, {0.5, 1.5}})) == Approx(std::log(4.0)));
    CHECK(persistence_entropy(make({{0, 1}})) == 0.0);
    CHECK(persistence_entropy(make({})) == 0.0);
    // lifetimes 1 and 3: -(1/4 log 1/4 + 3/4 log 3/4)
    CHECK(persistence_entropy(make({{0, 1}, {0, 3}, {0, inf}})) == Approx(-(0.25 * std::log(0.25) + 0.75 * std::log(0.75))));
    CHECK(total_persistence(make({{0, 1}, {0, 2}, {1, inf}}), 2) == 5.0);
    // Betti curve: [b, d) half-open; the essential class stays alive to the end
    CHECK(betti_curve(make({{0, 2}, {1, 3}, {0, inf}}), Grid{0, 3, 4}) == std::vector<double>{2, 3, 2, 1});
    // a centred point of weight 1 gives 1 / (2 pi sigma^2) in its pixel
    ImageOptions io;
    io.resolution = 1;
    io.sigma = 0.5;
    io.birth_lo = 0;
    io.birth_hi = 2;
    io.max_persistence = 2;
    auto img = persistence_image(make({{1, 2}}), io);  // (birth 1, persistence 1) vs pixel centre (1, 1); weight 1/2
    CHECK(img[0] == Approx(0.5 / (2 * M_PI * 0.25)));
    // summary distances
    auto a = make({{0, 1}, {0, 1}}), b = make({{0, 1}, {0, 1}, {0, 1}});
    CHECK(summary_distance(a, b, SummaryKind::entropy) == Approx(std::log(3.0) - std::log(2.0)));
    CHECK(summary_distance(a, b, SummaryKind::total_persistence) == Approx(1.0));
    CHECK(summary_distance(a, a, SummaryKind::landscape) == 0.0);
    SummaryOptions so;
    so.lp = inf;
    so.samples = 3;  // grid 0, 0.5, 1: the tents (0,1) differ by lambda_3 = 0.5 at t = 0.5
    so.levels = 3;
    CHECK(summary_distance(a, b, SummaryKind::landscape, so) == 0.5);
    CHECK(summary_distance(a, b, SummaryKind::betti, so) == 1.0);
    // L1 of Betti curves ~ integral of |beta_a - beta_b| = 1 (one extra bar of length 1), Riemann sum on 1001 points
    so.lp = 1;
    so.samples = 1001;
    CHECK(summary_distance(a, b, SummaryKind::betti, so) == Approx(1.0).epsilon(2e-3));
    CHECK_THROWS_AS(summary_distance(a, make({}, 0), SummaryKind::betti), UserError);
    CHECK_THROWS_AS(parse_summary_kind("silhouette"), UserError);
    CHECK_THROWS_AS(persistence_landscape(a, 0, Grid{}), UserError);
}

TEST_CASE("a summary distance matrix is symmetric and uses one grid for all diagrams") {
    std::mt19937_64 rng(5);
    std::vector<Diagram> ds;
    std::vector<std::string> names;
    for (int i = 0; i < 5; ++i) ds.push_back(random_diagram(rng, 20 + 3 * i, 0)), names.push_back("d" + std::to_string(i));
    for (auto kind : {SummaryKind::betti, SummaryKind::landscape, SummaryKind::image, SummaryKind::entropy,
                      SummaryKind::total_persistence}) {
        INFO(summary_kind_name(kind));
        auto m = summary_distance_matrix(names, ds, kind);
        auto t = summarize(ds, kind);
        for (std::size_t i = 0; i < ds.size(); ++i) {
            CHECK(m.at(i, i) == 0.0);
            for (std::size_t j = 0; j < ds.size(); ++j) {
                CHECK(m.at(i, j) == m.at(j, i));
                double expect = t.values[i].size() == 1 ? std::fabs(t.values[i][0] - t.values[j][0])
                                                        : lp_distance(t.values[i], t.values[j], 2, t.cell);
                CHECK(m.at(i, j) == Approx(expect).margin(1e-15));
            }
        }
    }
}

TEST_CASE("summarize puts several diagrams on one grid") {
    auto a = make({{0, 1}}), b = make({{2, 4}});
    SummaryOptions o;
    o.samples = 5;
    auto t = summarize({a, b}, SummaryKind::betti, o);
    REQUIRE(t.coords == std::vector<std::string>{"t"});
    REQUIRE(t.at.size() == 5);
    CHECK(t.at.front()[0] == 0.0);
    CHECK(t.at.back()[0] == 4.0);
    CHECK(t.values[0] == std::vector<double>{1, 0, 0, 0, 0});
    CHECK(t.values[1] == std::vector<double>{0, 0, 1, 1, 0});
    CHECK(t.cell == 1.0);
    auto img = summarize({a, b}, SummaryKind::image, o);
    CHECK(img.coords == std::vector<std::string>{"row", "col", "birth", "persistence"});
    CHECK(img.values[0].size() == 400);
    CHECK(img.at[0][2] == Approx(0.05));  // births [0, 2] over 20 pixels: first centre 0.05
    CHECK(img.at[0][3] == Approx(0.05));  // persistence [0, 2]
}


TEST_CASE("actopo distance compares diagrams by a summary and writes summary vectors") {
    const fs::path dir = actopo_test::temp_dir("summaries-cmd");
    const std::string a = (dir / "a.csv").string(), b = (dir / "b.csv").string(), bin = ACTOPO_BINARY;
    {
        std::ofstream fa(a), fb(b);
        fa << "dim,birth,death\n0,0,inf\n0,0,0.5\n1,0.2,0.9\n1,0.3,0.4\n";
        fb << "dim,birth,death\n0,0,inf\n1,0.25,1.0\n";
    }
    const Diagram da = make({{0.2, 0.9}, {0.3, 0.4}}), db = make({{0.25, 1.0}});
    for (const std::string metric : {"betti", "landscape", "image", "entropy", "total-persistence"}) {
        auto r = run(bin + " distance " + a + " " + b + " --dim 1 --metric " + metric + " --samples 50 --levels 2 --lp 1");
        INFO(metric << ": " << r.output);
        REQUIRE(r.status == 0);
        SummaryOptions o;
        o.samples = 50;
        o.levels = 2;
        o.lp = 1;
        CHECK(std::stod(r.output) == Approx(summary_distance(da, db, parse_summary_kind(metric), o)).epsilon(1e-9));
    }
    const std::string csv = (dir / "land.csv").string();
    auto r = run(bin + " distance " + a + " " + b + " --metric landscape --samples 5 --levels 2 --summary-csv " + csv);
    INFO(r.output);
    REQUIRE(r.status == 0);
    std::ifstream in(csv);
    std::string header, line;
    std::getline(in, header);
    CHECK(header == "level,t,A,B");
    std::size_t rows = 0;
    while (std::getline(in, line)) ++rows;
    CHECK(rows == 10);
    // refuses to overwrite; one diagram alone writes its summary and prints nothing
    auto again = run(bin + " distance " + a + " " + b + " --metric landscape --summary-csv " + csv);
    CHECK(again.status == 1);
    CHECK(again.output.find("exists") != std::string::npos);
    const std::string one = (dir / "one.csv").string();
    auto single = run(bin + " distance " + a + " --metric entropy --summary-csv " + one);
    CHECK(single.status == 0);
    std::ifstream in1(one);
    std::getline(in1, header);
    CHECK(header == "summary,A");
    std::getline(in1, line);
    CHECK(line.rfind("entropy,", 0) == 0);
    CHECK(std::stod(line.substr(8)) == Approx(persistence_entropy(da)));
    // one-line errors, exit 1
    for (const std::string& bad : std::vector<std::string>{" --metric bottleneck --summary-csv " + (dir / "x.csv").string(), " --metric silhouette",
                                  " --metric landscape --lp 0.5"}) {
        auto e = run(bin + " distance " + a + " " + b + bad);
        INFO(bad << ": " << e.output);
        CHECK(e.status == 1);
        CHECK(std::count(e.output.begin(), e.output.end(), '\n') == 1);
    }
    auto alone = run(bin + " distance " + a + " --metric landscape");
    CHECK(alone.status == 1);
    // matrices: two diagram files, so the common grid is the pair's and the entry is summary_distance
    const std::string m = (dir / "m.csv").string();
    auto mat = run(bin + " distances " + a + " " + b + " --dim 1 --metric landscape --levels 2 --samples 40 -o " + m);
    INFO(mat.output);
    REQUIRE(mat.status == 0);
    auto mm = read_named_matrix_csv(m);
    SummaryOptions o;
    o.samples = 40;
    o.levels = 2;
    CHECK(mm.at(0, 1) == Approx(summary_distance(da, db, SummaryKind::landscape, o)).epsilon(1e-9));
    CHECK(mm.at(1, 0) == mm.at(0, 1));
    CHECK(fs::exists(dir / "m.svg"));
    fs::remove_all(dir);
}
