// Mapper: shapes with a known answer, GUDHI's cover complex as an oracle, bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <unistd.h>

#include "actopo/mapper.hpp"
#include "temp_dir.hpp"

using namespace actopo;
using namespace actopo::mapper;

namespace {

PointCloud noisy_circle(std::size_t n, std::size_t dims, double noise, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> angle(0, 2 * M_PI);
    std::normal_distribution<double> jitter(0, noise);
    PointCloud c;
    c.points = Matrix(n, dims);
    for (std::size_t i = 0; i < n; ++i) {
        double t = angle(rng);
        for (std::size_t d = 0; d < dims; ++d) c.points(i, d) = float(jitter(rng));
        c.points(i, 0) += float(std::cos(t));
        c.points(i, 1) += float(std::sin(t));
        c.labels.push_back(t < M_PI ? 0 : 1);
        c.predictions.push_back(0);
        c.input_ids.push_back(std::int64_t(i));
    }
    return c;
}

/// `k` Gaussian blobs in R^dims, the centre of blob b at 10 * b along every coordinate, class = blob.
PointCloud blobs(std::size_t k, std::size_t per_blob, std::size_t dims, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 0.3);
    PointCloud c;
    c.points = Matrix(k * per_blob, dims);
    for (std::size_t b = 0; b < k; ++b)
        for (std::size_t i = 0; i < per_blob; ++i) {
            std::size_t row = b * per_blob + i;
            for (std::size_t d = 0; d < dims; ++d) c.points(row, d) = float(10.0 * double(b) + g(rng));
            c.labels.push_back(std::int64_t(b));
            c.predictions.push_back(i % 10 == 0 ? std::int64_t((b + 1) % k) : std::int64_t(b));
            c.input_ids.push_back(std::int64_t(1000 + row));
        }
    return c;
}

MapperOptions options(std::size_t intervals, double overlap, ClustererKind kind) {
    MapperOptions o;
    o.cover.intervals = intervals;
    o.cover.overlap = overlap;
    o.cluster.kind = kind;
    o.threads = 2;
    return o;
}

void check_class_counts(const Graph& g, const PointCloud& c) {
    for (const auto& node : g.nodes) {
        std::size_t sum = 0;
        for (const auto& [label, count] : node.classes) sum += count;
        REQUIRE(sum == node.size);
        REQUIRE(node.members.size() == node.size);
        std::map<std::int64_t, std::size_t> recount;
        for (auto p : node.points) ++recount[c.labels[p]];
        REQUIRE(recount == node.classes);
        REQUIRE(node.purity == Approx(double(node.classes.at(node.majority)) / double(node.size)));
    }
}

double detail_sq(const PointCloud& c, std::size_t a, std::size_t b) {
    double s = 0;
    for (std::size_t d = 0; d < c.points.cols; ++d) s += std::pow(double(c.points(a, d)) - c.points(b, d), 2);
    return s;
}

std::string run_python(const std::string& args) {
    FILE* pipe = popen(("/usr/bin/python3 " + args).c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[4096];
    std::size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, k);
    REQUIRE(pclose(pipe) == 0);  // a missing /usr/bin/python3 or gudhi fails the test
    return out;
}

}  // namespace

TEST_CASE("a noisy circle gives one connected graph with one cycle", "[mapper]") {
    auto c = noisy_circle(1500, 8, 0.03, 1);
    auto lens = compute_lens("neuron:0", c, {});
    for (auto kind : {ClustererKind::dbscan, ClustererKind::single_linkage}) {
        auto g = build_graph(c, lens, options(10, 0.3, kind));
        INFO("clusterer " << int(kind) << ", " << g.nodes.size() << " nodes");
        REQUIRE(g.components == 1);
        REQUIRE(g.cycles == 1);
        check_class_counts(g, c);
    }
}

TEST_CASE("separated blobs give one pure component each", "[mapper]") {
    auto c = blobs(4, 200, 16, 2);
    auto lens = compute_lens("mean", c, {});
    for (auto kind : {ClustererKind::dbscan, ClustererKind::single_linkage}) {
        auto g = build_graph(c, lens, options(12, 0.4, kind));
        REQUIRE(g.components == 4);
        REQUIRE(g.cycles == 0);
        REQUIRE(g.mean_purity == Approx(1.0));
        for (const auto& s : g.spread) REQUIRE(s.points >= 190);  // little lost as DBSCAN noise
        check_class_counts(g, c);
        for (const auto& node : g.nodes) REQUIRE(node.misclassified == Approx(0.1).margin(0.06));
    }
}

TEST_CASE("node class counts sum to node sizes on mixed classes, 2-D lens", "[mapper]") {
    auto c = noisy_circle(800, 4, 0.05, 3);
    Lens lens{"xy", 2, {}};
    for (std::size_t i = 0; i < c.points.rows; ++i) lens.values.push_back(c.points(i, 0)), lens.values.push_back(c.points(i, 1));
    auto g = build_graph(c, lens, options(5, 0.3, ClustererKind::dbscan));
    REQUIRE(!g.nodes.empty());
    check_class_counts(g, c);
    for (const auto& set : g.cover.sets) REQUIRE(set.cell.size() == 2);
    for (const auto& node : g.nodes) REQUIRE(node.lens_mean.size() == 2);
}

TEST_CASE("shared bounds give the same cover on two layers", "[mapper]") {
    auto a = blobs(3, 100, 8, 4), b = blobs(3, 100, 32, 5);
    for (auto& v : b.points.data) v *= 0.5f;
    auto la = compute_lens("l2norm", a, {}), lb = compute_lens("l2norm", b, {});
    CoverOptions o;
    o.intervals = 7;
    o.overlap = 0.25;
    REQUIRE(build_cover(la, o).intervals != build_cover(lb, o).intervals);  // data ranges differ
    o.fixed_bounds = true;
    o.lo = 0;
    o.hi = 120;
    auto ca = build_cover(la, o), cb = build_cover(lb, o);
    REQUIRE(ca.intervals == cb.intervals);
    REQUIRE(ca.intervals[0].size() == 7);
    REQUIRE(ca.intervals[0][0].first + ca.intervals[0][0].second == Approx(2 * 120.0 / 14));
    REQUIRE(ca.intervals[0][1].first - ca.intervals[0][0].first == Approx(120.0 / 7));
    // overlap: the shared length is 25 % of an interval
    const auto& iv = ca.intervals[0];
    REQUIRE((iv[0].second - iv[1].first) / (iv[0].second - iv[0].first) == Approx(0.25));
}

TEST_CASE("balanced cover: each interval holds about the same number of points", "[mapper]") {
    std::mt19937_64 rng(6);
    std::exponential_distribution<double> e(1.0);
    Lens lens{"skewed", 1, {}};
    for (int i = 0; i < 5000; ++i) lens.values.push_back(std::pow(e(rng), 3));
    CoverOptions o;
    o.kind = CoverKind::balanced;
    o.intervals = 10;
    o.overlap = 0.2;
    auto cover = build_cover(lens, o);
    REQUIRE(cover.sets.size() == 10);
    // inner intervals span 1/(10 * 0.8) of the ranks
    for (std::size_t s = 1; s + 1 < cover.sets.size(); ++s)
        REQUIRE(double(cover.sets[s].points.size()) == Approx(5000.0 / 8).epsilon(0.01));
    o.kind = CoverKind::uniform;
    auto uniform = build_cover(lens, o);
    REQUIRE(uniform.sets.front().points.size() > 3000);  // the skew that balanced removes
}

TEST_CASE("the same graph as GUDHI's cover complex (Nerve, Rips-graph components)", "[mapper][oracle]") {
    auto c = blobs(3, 60, 5, 7);
    std::mt19937_64 rng(8);
    std::normal_distribution<double> g(0, 2.0);
    for (auto& v : c.points.data) v += float(g(rng));  // blobs that touch: a graph with some structure
    Lens lens{"coord1", 1, {}};
    for (std::size_t i = 0; i < c.points.rows; ++i) lens.values.push_back(c.points(i, 1));
    const double eps = 5.0, gain = 0.3;
    const std::size_t intervals = 8;
    const auto dir = actopo_test::temp_dir("mapper");
    {
        std::ofstream p(dir / "points.csv"), l(dir / "lens.txt");
        p.precision(9);
        l.precision(17);
        for (std::size_t i = 0; i < c.points.rows; ++i) {
            for (std::size_t d = 0; d < c.points.cols; ++d) p << (d ? "," : "") << c.points(i, d);
            p << "\n";
            l << lens.values[i] << "\n";
        }
    }
    auto oracle = nlohmann::json::parse(run_python(std::string(ACTOPO_SOURCE_DIR) + "/tests/mapper/gudhi_mapper.py " +
                                                   (dir / "points.csv").string() + " " + (dir / "lens.txt").string() +
                                                   " " + std::to_string(intervals) + " 0.3 5.0"));
    if (!std::getenv("KEEP")) std::filesystem::remove_all(dir);
    std::multiset<std::vector<std::int64_t>> want_nodes;  // a point alone can be a node in two cover sets
    for (const auto& n : oracle["nodes"]) {
        std::vector<std::int64_t> m;
        for (auto i : n) m.push_back(1000 + i.get<std::int64_t>());
        want_nodes.insert(m);
    }
    std::multiset<std::multiset<std::vector<std::int64_t>>> want_edges;
    for (const auto& e : oracle["edges"]) {
        std::multiset<std::vector<std::int64_t>> ends;
        for (const auto& side : e) {
            std::vector<std::int64_t> m;
            for (auto i : side) m.push_back(1000 + i.get<std::int64_t>());
            ends.insert(m);
        }
        want_edges.insert(ends);
    }
    REQUIRE(want_nodes.size() > 8);
    REQUIRE(want_edges.size() > 4);
    // single linkage cut at eps, and DBSCAN with min_samples 1 and the same eps, mean the same as GUDHI's
    for (auto kind : {ClustererKind::single_linkage, ClustererKind::dbscan}) {
        auto o = options(intervals, gain, kind);
        o.cluster.eps = eps;
        o.cluster.min_samples = 1;
        auto graph = build_graph(c, lens, o);
        std::multiset<std::vector<std::int64_t>> got_nodes;
        for (const auto& n : graph.nodes) {
            auto m = n.members;
            std::sort(m.begin(), m.end());
            got_nodes.insert(m);
        }
        std::multiset<std::multiset<std::vector<std::int64_t>>> got_edges;
        for (const auto& l : graph.links) {
            auto a = graph.nodes[l.source].members, b = graph.nodes[l.target].members;
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
            got_edges.insert({a, b});
        }
        REQUIRE(graph.nodes.size() == want_nodes.size());
        REQUIRE(got_nodes == want_nodes);
        REQUIRE(got_edges == want_edges);
    }
}

TEST_CASE("knee of the sorted k-NN distances, median without a knee", "[mapper]") {
    std::vector<double> linear;
    for (int i = 0; i < 101; ++i) linear.push_back(i);
    REQUIRE(knee_or_median(linear) == 50);
    std::vector<double> elbow;
    for (int i = 0; i < 90; ++i) elbow.push_back(1.0 + 0.001 * i);
    for (int i = 0; i < 10; ++i) elbow.push_back(2.0 + i);
    REQUIRE(knee_or_median(elbow) == Approx(1.089));
    REQUIRE(knee_or_median({3, 3, 3, 3}) == 3);
}

TEST_CASE("class hierarchy: classes sharing nodes merge first, and the layer where groups split", "[mapper]") {
    // layer A: one blob holding all four classes; layer B: classes {0,1} in one blob, {2,3} in another
    auto mixed = blobs(1, 400, 8, 9);
    for (std::size_t i = 0; i < mixed.labels.size(); ++i) mixed.labels[i] = std::int64_t(i % 4);
    auto split = blobs(2, 200, 8, 10);
    for (std::size_t i = 0; i < split.labels.size(); ++i) split.labels[i] = std::int64_t(2 * (i / 200) + i % 2);
    std::vector<Dendrogram> dendrograms;
    for (auto* c : {&mixed, &split}) {
        auto g = build_graph(*c, compute_lens("mean", *c, {}), options(6, 0.3, ClustererKind::dbscan));
        dendrograms.push_back(class_hierarchy(g));
    }
    const auto& d = dendrograms[1];
    REQUIRE(d.merges.size() == 3);
    std::set<std::vector<std::int64_t>> first_two{d.merges[0].members, d.merges[1].members};
    REQUIRE(first_two == std::set<std::vector<std::int64_t>>{{0, 1}, {2, 3}});
    REQUIRE(d.merges[2].height == Approx(1.0));  // the two blobs share nothing
    REQUIRE(d.similarity.at(0, 1) == Approx(1.0).margin(0.1));
    auto across = hierarchy_across_layers({"A", "B"}, dendrograms, 0.5, {});
    const auto& top = across["splits"][0];
    REQUIRE(top["split_layer"] == "B");
    REQUIRE(top["similarity"]["A"].get<double>() > 0.8);
    REQUIRE(across["splits"][1]["split_layer"].is_null());  // {0},{1} never split
    // two groups of two named classes stay a list of lists (a brace-initialised json would make an object)
    auto named = hierarchy_across_layers({"A", "B"}, dendrograms, 0.5, {"a", "b", "c", "d"});
    REQUIRE(named["splits"][0]["group_names"].is_array());
    REQUIRE(named["splits"][0]["group_names"][0].get<std::vector<std::string>>().size() == 2);
}

TEST_CASE("outputs: JSON schema fields, GraphML and DOT", "[mapper]") {
    auto c = blobs(2, 60, 4, 11);
    auto g = build_graph(c, compute_lens("l2norm", c, {}), options(5, 0.3, ClustererKind::dbscan));
    auto j = to_json(g, {"left", "right"});
    REQUIRE(j["nodes"].size() == g.nodes.size());
    for (const char* key : {"id", "members", "size", "lens_mean", "classes", "majority", "purity", "misclassified"})
        REQUIRE(j["nodes"][0].contains(key));
    REQUIRE(j["stats"]["components"] == 2);
    REQUIRE(j["meta"]["lens"] == "l2norm");
    auto dot = to_dot(g, {"left", "right"}, "test");
    REQUIRE(dot.find("fillcolor=\"#1f77b4\"") != std::string::npos);  // pure nodes of class 0
    REQUIRE(dot.find("<td>right</td>") != std::string::npos);          // the legend names the classes
    auto graphml = to_graphml(g);
    REQUIRE(graphml.find("<node id=\"n0\"") != std::string::npos);
}

TEST_CASE("bad input is one clear UserError", "[mapper]") {
    auto c = blobs(2, 50, 4, 12);
    auto lens = compute_lens("l2norm", c, {});
    auto o = options(5, 0.5, ClustererKind::dbscan);
    Lens short_lens = lens;
    short_lens.values.pop_back();
    REQUIRE_THROWS_WITH(build_graph(c, short_lens, o), Catch::Contains("expected 100"));
    o.cover.overlap = 0;
    REQUIRE_THROWS_WITH(build_graph(c, lens, o), Catch::Contains("--overlap"));
    o.cover.overlap = 1;
    REQUIRE_THROWS_AS(build_graph(c, lens, o), UserError);
    o.cover.overlap = 0.5;
    o.cover.intervals = 0;
    REQUIRE_THROWS_WITH(build_graph(c, lens, o), Catch::Contains("--intervals"));
    o.cover.intervals = 5;
    o.cluster.min_samples = 101;
    REQUIRE_THROWS_WITH(build_graph(c, lens, o), Catch::Contains("fewer than --min-samples"));
    o.cluster.min_samples = 5;
    Lens constant{"c", 1, std::vector<double>(100, 2.0)};
    REQUIRE_THROWS_WITH(build_graph(c, constant, o), Catch::Contains("constant"));
    Lens nan_lens = lens;
    nan_lens.values[7] = std::nan("");
    REQUIRE_THROWS_WITH(build_graph(c, nan_lens, o), Catch::Contains("point 7"));
    auto nan_points = c;
    nan_points.points(3, 1) = std::nanf("");
    REQUIRE_THROWS_WITH(compute_lens("l2norm", nan_points, {}), Catch::Contains("NaN"));
    REQUIRE_THROWS_AS(build_graph(nan_points, lens, o), UserError);
    REQUIRE_THROWS_WITH(compute_lens("l2nrm", c, {}), Catch::Contains("l2norm"));
    REQUIRE_THROWS_WITH(compute_lens("neuron:9", c, {}), Catch::Contains("unit 9"));
    REQUIRE_THROWS_WITH(compute_lens("prediction", c, {}), Catch::Contains("logits"));
    REQUIRE_THROWS_WITH(compute_lens("file:/nonexistent/lens.txt", c, {}), Catch::Contains("/nonexistent/lens.txt"));
}

TEST_CASE("lenses: prediction margin from logits, knn density, eccentricity", "[mapper]") {
    auto c = blobs(2, 30, 3, 13);
    Matrix logits(60, 3);
    for (std::size_t i = 0; i < 60; ++i) logits(i, 0) = float(i % 5), logits(i, 1) = 1.0f;
    auto p = compute_lens("prediction", c, {&logits});
    auto m = compute_lens("margin", c, {&logits});
    // logits (4, 1, 0): p = e^4 / (e^4 + e + 1)
    const double top = std::exp(4.0) / (std::exp(4.0) + std::exp(1.0) + 1.0);
    REQUIRE(p.values[4] == Approx(top));
    REQUIRE(m.values[4] == Approx(top - std::exp(1.0) / (std::exp(4.0) + std::exp(1.0) + 1.0)));
    auto knn = compute_lens("knn:1", c, {});
    double best = 1e300;
    for (std::size_t j = 1; j < 60; ++j) best = std::min(best, std::sqrt(detail_sq(c, 0, j)));
    REQUIRE(knn.values[0] == Approx(best).epsilon(1e-4));
    auto ecc = compute_lens("eccentricity", c, {});
    double sum = 0;
    for (std::size_t j = 1; j < 60; ++j) sum += std::sqrt(detail_sq(c, 0, j));
    REQUIRE(ecc.values[0] == Approx(sum / 59).epsilon(1e-4));
}

TEST_CASE("cosine metric: rays of different lengths cluster by direction", "[mapper]") {
    // three rays from the origin; along each, points at radii 1..10 (far apart in euclidean terms)
    std::mt19937_64 rng(14);
    std::normal_distribution<double> g(0, 0.01);
    PointCloud c;
    c.points = Matrix(300, 3);
    for (std::size_t i = 0; i < 300; ++i) {
        const std::size_t ray = i % 3;
        const double radius = 1.0 + 9.0 * double(i / 3) / 99.0;
        for (std::size_t d = 0; d < 3; ++d) c.points(i, d) = float(radius * ((d == ray ? 1.0 : 0.0) + g(rng)));
        c.labels.push_back(std::int64_t(ray));
        c.input_ids.push_back(std::int64_t(i));
    }
    Lens lens{"index", 1, {}};
    for (std::size_t i = 0; i < 300; ++i) lens.values.push_back(double(i % 7));  // mixes the radii in each set
    auto o = options(3, 0.3, ClustererKind::single_linkage);
    o.cluster.metric = Metric::cosine;
    o.cluster.eps = 0.01;  // 1 - cos between rays is 1; along a ray about 1e-4
    auto g_cos = build_graph(c, lens, o);
    REQUIRE(g_cos.mean_purity == Approx(1.0));
    REQUIRE(g_cos.components == 3);
    o.cluster.metric = Metric::euclidean;
    o.cluster.eps = 0.01;
    REQUIRE(build_graph(c, lens, o).components > 3);  // euclidean: radii far apart break the rays up
}

TEST_CASE("pca lenses follow the direction of largest variance", "[mapper]") {
    std::mt19937_64 rng(15);
    std::normal_distribution<double> g(0, 1);
    PointCloud c;
    c.points = Matrix(200, 4);
    std::vector<double> t(200), u(200);
    for (std::size_t i = 0; i < 200; ++i) {
        t[i] = 10.0 * g(rng);
        u[i] = 3.0 * g(rng);
        // direction (1, 1, 0, 0)/sqrt2 carries t, (0, 0, 1, 0) carries u, little noise elsewhere
        c.points(i, 0) = float(t[i] / std::sqrt(2.0) + 0.01 * g(rng));
        c.points(i, 1) = float(t[i] / std::sqrt(2.0) + 0.01 * g(rng));
        c.points(i, 2) = float(u[i]);
        c.points(i, 3) = float(0.01 * g(rng));
    }
    auto correlation = [](const std::vector<double>& a, const std::vector<double>& b) {
        double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
        for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / double(a.size()), mb += b[i] / double(b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb);
        return sab / std::sqrt(saa * sbb);
    };
    auto p1 = compute_lens("pca", c, {});
    REQUIRE(p1.dims == 1);
    REQUIRE(std::abs(correlation(p1.values, t)) > 0.999);
    auto p2 = compute_lens("pca2", c, {});
    REQUIRE(p2.dims == 2);
    std::vector<double> second;
    for (std::size_t i = 0; i < 200; ++i) second.push_back(p2.at(i, 1));
    REQUIRE(std::abs(correlation(second, u)) > 0.97);  // sample t and u are not exactly uncorrelated
}
