// igraph: communities (Louvain, Leiden), modularity and centralities of a co-activation graph.
#include <igraph/igraph.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "actopo/coactivation.hpp"

namespace actopo {
namespace {

void check(igraph_error_t code, const char* what) {
    if (code != IGRAPH_SUCCESS) throw std::runtime_error(std::string("igraph failed in ") + what + ": " + igraph_strerror(code));
}

// An undirected igraph graph with |w| weights; igraph errors become exceptions instead of aborts.
struct Graph {
    igraph_t g;
    igraph_vector_t weights;
    Graph(std::size_t nodes, const std::vector<Edge>& edges) {
        igraph_set_error_handler(igraph_error_handler_ignore);
        igraph_set_warning_handler(igraph_warning_handler_ignore);
        igraph_vector_int_t list;
        igraph_vector_int_init(&list, static_cast<igraph_integer_t>(2 * edges.size()));
        igraph_vector_init(&weights, static_cast<igraph_integer_t>(edges.size()));
        for (std::size_t e = 0; e < edges.size(); ++e) {
            VECTOR(list)[2 * e] = static_cast<igraph_integer_t>(edges[e].source);
            VECTOR(list)[2 * e + 1] = static_cast<igraph_integer_t>(edges[e].target);
            VECTOR(weights)[e] = std::abs(edges[e].weight);
        }
        const igraph_error_t rc = igraph_create(&g, &list, static_cast<igraph_integer_t>(nodes), IGRAPH_UNDIRECTED);
        igraph_vector_int_destroy(&list);
        if (rc != IGRAPH_SUCCESS) {
            igraph_vector_destroy(&weights);
            check(rc, "igraph_create");
        }
    }
    ~Graph() {
        igraph_destroy(&g);
        igraph_vector_destroy(&weights);
    }
    Graph(const Graph&) = delete;
    Graph& operator=(const Graph&) = delete;
};

struct Vec {
    igraph_vector_t v;
    explicit Vec(std::size_t n = 0) { igraph_vector_init(&v, static_cast<igraph_integer_t>(n)); }
    ~Vec() { igraph_vector_destroy(&v); }
    double operator[](std::size_t i) const { return VECTOR(v)[i]; }
};

struct IntVec {
    igraph_vector_int_t v;
    explicit IntVec(std::size_t n = 0) { igraph_vector_int_init(&v, static_cast<igraph_integer_t>(n)); }
    ~IntVec() { igraph_vector_int_destroy(&v); }
};

}  // namespace

std::vector<std::int64_t> detect_communities(std::size_t nodes, const std::vector<Edge>& edges, CommunityMethod method,
                                             std::uint64_t seed, double* modularity_out) {
    Graph graph(nodes, edges);
    igraph_rng_seed(igraph_rng_default(), seed);
    IntVec membership(nodes);
    if (method == CommunityMethod::louvain) {
        Vec levels;
        check(igraph_community_multilevel(&graph.g, &graph.weights, 1.0, &membership.v, nullptr, &levels.v),
              "Louvain");
    } else {
        // Leiden with the modularity objective: node weight = strength, resolution = 1 / (2 m).
        Vec strength(nodes);
        check(igraph_strength(&graph.g, &strength.v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS, &graph.weights),
              "strength");
        const double total = igraph_vector_sum(&graph.weights);
        igraph_integer_t clusters = 0;
        igraph_real_t quality = 0;
        check(igraph_community_leiden(&graph.g, &graph.weights, &strength.v, 1.0 / (2.0 * total), 0.01, false, -1,
                                      &membership.v, &clusters, &quality),
              "Leiden");
    }
    std::vector<std::int64_t> out(nodes);
    for (std::size_t i = 0; i < nodes; ++i) out[i] = VECTOR(membership.v)[i];
    if (modularity_out) *modularity_out = modularity(nodes, edges, out);
    return out;
}

double modularity(std::size_t nodes, const std::vector<Edge>& edges, const std::vector<std::int64_t>& membership) {
    if (membership.size() != nodes) throw std::invalid_argument("modularity: membership size differs from node count");
    Graph graph(nodes, edges);
    IntVec member(nodes);
    for (std::size_t i = 0; i < nodes; ++i) VECTOR(member.v)[i] = membership[i];
    igraph_real_t q = 0;
    check(igraph_modularity(&graph.g, &member.v, &graph.weights, 1.0, false, &q), "modularity");
    return q;
}

std::vector<double> pagerank(std::size_t nodes, const std::vector<Edge>& edges, double damping) {
    std::vector<double> strength(nodes, 0.0);
    for (const auto& e : edges) {
        strength[e.source] += std::abs(e.weight);
        strength[e.target] += std::abs(e.weight);
    }
    std::vector<double> p(nodes, 1.0 / double(nodes)), next(nodes);
    for (int iteration = 0; iteration < 10000; ++iteration) {
        double dangling = 0;
        for (std::size_t i = 0; i < nodes; ++i)
            if (strength[i] == 0) dangling += p[i];
        std::fill(next.begin(), next.end(), (1 - damping) / double(nodes) + damping * dangling / double(nodes));
        for (const auto& e : edges) {  // in edge order: the same sums whatever the machine
            const double w = std::abs(e.weight);
            next[e.target] += damping * w / strength[e.source] * p[e.source];
            next[e.source] += damping * w / strength[e.target] * p[e.target];
        }
        double change = 0;
        for (std::size_t i = 0; i < nodes; ++i) change += std::abs(next[i] - p[i]);
        p.swap(next);
        if (change < double(nodes) * 1e-15) break;
    }
    return p;
}

void analyse_graph(CoactivationGraph& graph, const CoactivationOptions& options) {
    const std::size_t n = graph.nodes.size();
    graph.measures.resize(n);
    const auto membership = detect_communities(n, graph.edges, options.community, options.seed, &graph.modularity);
    graph.communities = membership.empty() ? 0 : static_cast<std::size_t>(*std::max_element(membership.begin(), membership.end()) + 1);

    Graph g(n, graph.edges);
    Vec strength(n), eigen(n), between(n);
    check(igraph_strength(&g.g, &strength.v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS, &g.weights), "strength");
    igraph_real_t value = 0;
    const std::vector<double> rank = pagerank(n, graph.edges, 0.85);  // igraph's PRPACK varies in the last digits
    igraph_arpack_options_t arpack;
    igraph_arpack_options_init(&arpack);
    check(igraph_eigenvector_centrality(&g.g, &eigen.v, &value, false, true, &g.weights, &arpack), "eigenvector");
    // Betweenness: a strong correlation is a short edge (length 1 - |r|, floored to stay positive).
    Vec lengths(graph.edges.size());
    for (std::size_t e = 0; e < graph.edges.size(); ++e)
        VECTOR(lengths.v)[e] = std::max(1.0 - std::abs(graph.edges[e].weight), 1e-9);
    check(igraph_betweenness(&g.g, &between.v, igraph_vss_all(), false, &lengths.v), "betweenness");
    for (std::size_t i = 0; i < n; ++i) {
        auto& m = graph.measures[i];
        m.community = membership[i];
        m.strength = strength[i];
        m.pagerank = rank[i];
        m.eigenvector = eigen[i];
        m.betweenness = between[i];
    }
}

}  // namespace actopo
