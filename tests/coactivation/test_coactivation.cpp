// Co-activation graphs: correlation, modularity (hand and networkx), synthetic ground truth, entropy, bad input.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <set>

#include "actopo/coactivation.hpp"
#include "actopo/similarity.hpp"

using namespace actopo;

namespace {

std::string run_python(const std::string& script) {
    FILE* p = popen(("/usr/bin/python3 -c '" + script + "'").c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) text += buf;
    REQUIRE(pclose(p) == 0);
    return text;
}

// Two hidden factors drive two groups of neurons in two layers; class 0 and 2 follow factor 1, class 1 factor 2.
NodeTable two_factor_table(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    NodeTable t;
    for (const char* layer : {"conv", "fc"})
        for (int u = 0; u < 8; ++u) t.nodes.push_back({layer, u, -1, std::string(layer) + ":" + std::to_string(u)});
    for (int c = 0; c < 3; ++c) t.nodes.push_back({"classes", -1, c, "class" + std::to_string(c)});
    t.values.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(t.nodes.size()));
    for (std::size_t i = 0; i < n; ++i) {
        const double f1 = g(rng), f2 = g(rng);
        for (int k = 0; k < 16; ++k) {
            const double f = (k % 8) < 4 ? f1 : f2;  // units 0-3 of each layer: factor 1; 4-7: factor 2
            t.values(i, k) = std::max(0.0, f + 0.4 * g(rng));  // ReLU: ties at zero
        }
        t.values(i, 16) = f1 + 0.3 * g(rng);
        t.values(i, 17) = f2 + 0.3 * g(rng);
        t.values(i, 18) = 0.8 * f1 + 0.3 * g(rng);
        int best = 0;
        for (int c = 1; c < 3; ++c)
            if (t.values(i, 16 + c) > t.values(i, 16 + best)) best = c;
        t.predictions.push_back(best);
        t.labels.push_back(i % 10 == 0 ? (best + 1) % 3 : best);
    }
    return t;
}

}  // namespace

TEST_CASE("correlation matrix equals pairwise Pearson / Spearman with ties", "[coactivation]") {
    const NodeTable t = two_factor_table(300, 1);
    for (auto kind : {Correlation::pearson, Correlation::spearman}) {
        const Eigen::MatrixXd c = correlation_matrix(t.values, kind);
        for (Eigen::Index a = 0; a < t.values.cols(); a += 3)
            for (Eigen::Index b = 0; b < t.values.cols(); b += 2) {
                const double expected = kind == Correlation::pearson ? pearson(t.values.col(a), t.values.col(b))
                                                                     : spearman(t.values.col(a), t.values.col(b));
                CHECK(c(a, b) == Approx(expected).margin(1e-5));  // float product
            }
    }
}

TEST_CASE("modularity of a known partition matches the hand computation and networkx", "[coactivation]") {
    // Two triangles joined by one edge; unit weights: Q = 2 (3/7 - (7/14)^2) = 6/7 - 1/2.
    std::vector<Edge> edges{{0, 1, 1}, {0, 2, 1}, {1, 2, 1}, {3, 4, 1}, {3, 5, 1}, {4, 5, 1}, {2, 3, 1}};
    const std::vector<std::int64_t> halves{0, 0, 0, 1, 1, 1};
    CHECK(modularity(6, edges, halves) == Approx(6.0 / 7.0 - 0.5).epsilon(1e-12));
    double q = 0;
    const auto found = detect_communities(6, edges, CommunityMethod::louvain, 3, &q);
    CHECK(found[0] == found[1]);
    CHECK(found[1] == found[2]);
    CHECK(found[3] == found[4]);
    CHECK(found[0] != found[3]);
    CHECK(q == Approx(6.0 / 7.0 - 0.5).epsilon(1e-12));

    // Weighted, signed weights (|w| is used), an uneven partition, against networkx.
    std::vector<Edge> weighted{{0, 1, 0.9}, {0, 2, -0.7}, {1, 2, 0.6}, {3, 4, 0.8}, {3, 5, 0.55},
                               {4, 5, -0.95}, {2, 3, 0.52}, {1, 4, 0.5}, {0, 5, 0.61}};
    const std::vector<std::int64_t> part{0, 0, 1, 1, 2, 2};
    const std::string py =
        "import networkx as nx\n"
        "from networkx.algorithms.community import modularity\n"
        "G=nx.Graph()\n"
        "for a,b,w in [(0,1,0.9),(0,2,0.7),(1,2,0.6),(3,4,0.8),(3,5,0.55),(4,5,0.95),(2,3,0.52),(1,4,0.5),(0,5,0.61)]: G.add_edge(a,b,weight=w)\n"
        "print(repr(modularity(G,[{0,1},{2,3},{4,5}],weight=\"weight\")))\n";
    const double expected = std::stod(run_python(py));
    CHECK(modularity(6, weighted, part) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("synthetic ground truth: two hidden factors give two communities and classes join their factor's",
          "[coactivation]") {
    const NodeTable t = two_factor_table(2000, 2);
    const Eigen::MatrixXd corr = correlation_matrix(t.values, Correlation::spearman);
    for (auto method : {CommunityMethod::louvain, CommunityMethod::leiden}) {
        CoactivationOptions options;
        options.threshold = 0.3;
        options.community = method;
        options.seed = 5;
        CoactivationGraph graph = build_graph(t, corr, options);
        analyse_graph(graph, options);
        CHECK(graph.communities == 2);
        CHECK(graph.modularity > 0.3);
        const auto c1 = graph.measures[0].community, c2 = graph.measures[4].community;
        CHECK(c1 != c2);
        for (int k = 0; k < 16; ++k) CHECK(graph.measures[k].community == ((k % 8) < 4 ? c1 : c2));
        CHECK(graph.measures[16].community == c1);
        CHECK(graph.measures[17].community == c2);
        CHECK(graph.measures[18].community == c1);
        const ClassSimilarity classes = class_similarity(t, corr, graph);
        REQUIRE(classes.groups.size() == 2);
        CHECK(std::set<std::string>(classes.groups[0].begin(), classes.groups[0].end()) ==
              std::set<std::string>{"class0", "class2"});
        // Classes 0 and 2 (same factor) co-activate and are confused most.
        CHECK(classes.coactivation.at(0, 2) > classes.coactivation.at(0, 1));
        CHECK(classes.accuracy == Approx(0.9).margin(0.01));
        // Seeded: the same seed gives the same partition.
        CoactivationGraph again = build_graph(t, corr, options);
        analyse_graph(again, options);
        for (std::size_t i = 0; i < graph.measures.size(); ++i) CHECK(again.measures[i].community == graph.measures[i].community);
        CHECK(graph.measures[0].strength > 0);
        CHECK(graph.measures[0].pagerank > 0);
    }
}

TEST_CASE("PageRank equals networkx's on a weighted path with an isolated node", "[coactivation]") {
    // networkx 3 _pagerank_python(alpha=0.85, weight='weight', tol=1e-15) on the same graph
    const std::vector<Edge> edges{{0, 1, 1.0}, {1, 2, -0.5}, {2, 3, 2.0}};  // the sign is ignored
    const auto p = pagerank(5, edges);
    const std::vector<double> expected{0.16765543736769234, 0.23207798656665804, 0.3142722734756811, 0.2498497242767154,
                                       0.03614457831325302};
    for (std::size_t i = 0; i < 5; ++i) CHECK(p[i] == Approx(expected[i]).epsilon(1e-9));
}

TEST_CASE("entropy of activation patterns", "[coactivation]") {
    Eigen::VectorXd half(4), off(4), spread(8);
    half << 0, 1, 0, 2;
    off << 0, 0, -1, 0;
    spread << 0, 1, 2, 3, 0, 1, 2, 3;  // 4 equal-width bins, two values each -> 2 bits
    CHECK(entropy_binary(half) == Approx(1.0));
    CHECK(entropy_binary(off) == Approx(0.0));
    CHECK(entropy_binned(spread, 4) == Approx(2.0));
    CHECK(entropy_binned(spread, 2) == Approx(1.0));
    CHECK(entropy_binned(off.cwiseAbs(), 4) == Approx(0.8112781245).epsilon(1e-9));  // 3 of 4 in one bin
}

TEST_CASE("per-layer summaries count neurons, dropped neurons and edges", "[coactivation]") {
    NodeTable t = two_factor_table(500, 3);
    t.values.col(2).setZero();  // a dead ReLU in conv
    drop_constant_nodes(t);
    REQUIRE(t.dropped == std::vector<std::string>{"conv:2"});
    const Eigen::MatrixXd corr = correlation_matrix(t.values, Correlation::pearson);
    CoactivationOptions options;
    options.threshold = 0.3;
    CoactivationGraph graph = build_graph(t, corr, options);
    analyse_graph(graph, options);
    const auto layers = summarise_layers(t, graph, options);
    REQUIRE(layers.size() == 2);
    CHECK(layers[0].layer == "conv");
    CHECK(layers[0].neurons == 7);
    CHECK(layers[0].dropped == 1);
    CHECK(layers[1].neurons == 8);
    CHECK(layers[0].modularity > 0.2);  // each layer holds both factor groups
}

TEST_CASE("a layer's best-partition modularity is the best of its seeded runs, and says which", "[coactivation]") {
    // one layer of 40 independent noise neurons: a random graph, whose Louvain partition depends on the seed
    std::mt19937 rng(11);
    std::normal_distribution<double> g;
    NodeTable t;
    for (int u = 0; u < 40; ++u) t.nodes.push_back({"fc", u, -1, "fc:" + std::to_string(u)});
    t.values.resize(100, 40);
    for (Eigen::Index i = 0; i < 100; ++i)
        for (Eigen::Index k = 0; k < 40; ++k) t.values(i, k) = g(rng);
    CoactivationOptions options;
    options.class_nodes = false;
    options.threshold = 0.1;
    const CoactivationGraph graph = build_graph(t, correlation_matrix(t.values, Correlation::pearson), options);
    // the edges of the layer's own graph are the whole graph here; every single seeded run, by hand
    std::vector<Edge> edges;
    for (const auto& e : graph.edges) edges.push_back({e.source, e.target, std::abs(e.weight)});
    std::uint64_t first = 0;  // a seed whose own run is not the best of its 10
    std::vector<double> q(10);
    for (; first < 20; ++first) {
        for (std::size_t r = 0; r < 10; ++r) {
            const auto membership = detect_communities(40, edges, CommunityMethod::louvain, first + r, &q[r]);
            CHECK(q[r] == Approx(modularity(40, edges, membership)).margin(1e-12));
        }
        if (*std::max_element(q.begin(), q.end()) > q[0] + 1e-9) break;
    }
    REQUIRE(first < 20);
    options.seed = first;
    const auto layers = summarise_layers(t, graph, options);
    REQUIRE(layers.size() == 1);
    const auto best = std::max_element(q.begin(), q.end());
    CHECK(layers[0].modularity == Approx(*best).margin(1e-12));
    CHECK(layers[0].modularity > q[0]);
    CHECK(layers[0].restarts == 10);
    CHECK(layers[0].best_seed == first + std::uint64_t(best - q.begin()));
}

TEST_CASE("bad input is refused with one line naming the problem", "[coactivation]") {
    NodeTable t = two_factor_table(200, 4);
    const Eigen::MatrixXd corr = correlation_matrix(t.values, Correlation::spearman);
    CoactivationOptions options;
    options.threshold = 0.999;
    CHECK_THROWS_WITH(build_graph(t, corr, options), Catch::Contains("leaves no edges"));
    options.threshold = 0.0;
    CHECK_THROWS_AS(build_graph(t, corr, options), UserError);

    SECTION("a layer of constant neurons") {
        for (int k = 0; k < 8; ++k) t.values.col(k).setConstant(0.0);
        CHECK_THROWS_WITH(drop_constant_nodes(t), Catch::Contains("every neuron of layer 'conv'"));
    }
    SECTION("a single class") {
        std::fill(t.labels.begin(), t.labels.end(), 1);
        options.threshold = 0.3;
        CoactivationGraph graph = build_graph(t, corr, options);
        analyse_graph(graph, options);
        CHECK_THROWS_WITH(class_similarity(t, corr, graph), Catch::Contains("single class"));
    }
    CHECK_THROWS_AS(parse_correlation("kendall"), UserError);
    CHECK_THROWS_AS(parse_community_method("infomap"), UserError);
}

TEST_CASE("class neuron profiles: classes on the same factor have similar profiles", "[coactivation]") {
    const NodeTable t = two_factor_table(1000, 6);
    const Eigen::MatrixXd corr = correlation_matrix(t.values, Correlation::pearson);
    CoactivationOptions options;
    options.threshold = 0.3;
    CoactivationGraph graph = build_graph(t, corr, options);
    analyse_graph(graph, options);
    const ClassSimilarity classes = class_similarity(t, corr, graph);
    CHECK(classes.profile.at(0, 2) > 0.9);
    CHECK(classes.profile.at(0, 1) < 0.0);
    CHECK(classes.profile.at(1, 1) == Approx(1.0));
    // By hand: Pearson of the class-0 and class-1 rows over the 16 neuron columns.
    Eigen::VectorXd a(16), b(16);
    for (int k = 0; k < 16; ++k) {
        a[k] = corr(16, k);
        b[k] = corr(17, k);
    }
    CHECK(classes.profile.at(0, 1) == Approx(pearson(a, b)).epsilon(1e-12));
}
