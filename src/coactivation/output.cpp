// Co-activation graph outputs: JSON (design.md), GraphML, DOT with communities coloured, a rendered picture,
// and the top nodes per centrality.

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <set>
#include <map>

#include "actopo/coactivation.hpp"
#include "actopo/plot.hpp"

namespace actopo {
namespace {

nlohmann::json matrix_json(const NamedMatrix& m) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < m.row_names.size(); ++i) {
        std::vector<double> row(m.values.begin() + static_cast<std::ptrdiff_t>(i * m.col_names.size()),
                                m.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.col_names.size()));
        rows.push_back(row);
    }
    return {{"names", m.row_names}, {"values", rows}};
}


const char* community_colour(std::int64_t community) {
    static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78"};
    return community < 0 ? "#000000" : palette[community % 12];
}

}  // namespace

std::string graph_json(const CoactivationResult& result, const std::string& meta_json) {
    const auto& g = result.graph;
    nlohmann::json j;
    j["meta"] = meta_json.empty() ? nlohmann::json::object() : nlohmann::json::parse(meta_json);
    j["modularity"] = g.modularity;
    j["communities"] = g.communities;
    auto& nodes = j["nodes"] = nlohmann::json::array();
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        const auto& n = g.nodes[i];
        const auto& m = g.measures[i];
        nlohmann::json node = {{"id", i}, {"kind", n.is_class() ? "class" : "neuron"}, {"layer", n.layer},
                               {"name", n.name}, {"community", m.community}, {"strength", m.strength},
                               {"pagerank", m.pagerank}, {"betweenness", m.betweenness},
                               {"eigenvector", m.eigenvector}, {"entropy_binary", m.entropy_binary},
                               {"entropy_binned", m.entropy_binned}};
        if (n.is_class()) node["class"] = n.cls; else node["unit"] = n.unit;
        nodes.push_back(node);
    }
    auto& links = j["links"] = nlohmann::json::array();
    for (const auto& e : g.edges) links.push_back({{"source", e.source}, {"target", e.target}, {"weight", e.weight}});
    auto& layers = j["layers"] = nlohmann::json::array();
    for (const auto& l : result.layers)
        layers.push_back({{"layer", l.layer}, {"neurons", l.neurons}, {"dropped", l.dropped}, {"edges", l.edges},
                          {"mean_entropy_binary", l.mean_entropy_binary},
                          {"mean_entropy_binned", l.mean_entropy_binned}, {"modularity", l.modularity},
                          {"modularity_restarts", l.restarts}, {"modularity_best_seed", l.best_seed}});
    const auto& c = result.classes;
    j["classes"] = {{"accuracy", c.accuracy}, {"groups", c.groups},
                    {"spearman_with_confusion", std::isnan(c.spearman_with_confusion) ? nlohmann::json(nullptr)
                                                                                        : nlohmann::json(c.spearman_with_confusion)},
                    {"profile_spearman_with_confusion", std::isnan(c.profile_spearman_with_confusion)
                                                            ? nlohmann::json(nullptr)
                                                            : nlohmann::json(c.profile_spearman_with_confusion)},
                    {"coactivation", matrix_json(c.coactivation)}, {"profile", matrix_json(c.profile)},
                    {"confusion", matrix_json(c.confusion)}};
    j["dropped"] = result.dropped;
    return j.dump(1) + "\n";
}

CommunityRecord read_community(const std::string& graph_path, std::int64_t id) {
    const nlohmann::json j = read_json_file(graph_path, "a co-activation graph (actopo coactivation)");
    if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array() || !j.contains("communities"))
        throw UserError(graph_path + ": not a co-activation graph (expected the JSON of actopo coactivation, with "
                        "\"nodes\" and \"communities\")");
    CommunityRecord r;
    std::set<std::int64_t> present;
    try {
        r.store = j.value("meta", nlohmann::json::object()).value("input", "");
        for (const auto& node : j["nodes"]) {
            const std::int64_t c = node.at("community").get<std::int64_t>();
            if (node.at("kind") == "neuron") present.insert(c);
            if (c != id) continue;
            if (node.at("kind") == "class") {
                r.classes.push_back(node.at("class").get<std::int64_t>());
                r.class_names.push_back(node.value("name", ""));
            } else {
                r.units[node.at("layer").get<std::string>()].push_back(node.at("unit").get<std::int64_t>());
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw UserError(graph_path + ": a node lacks a field of the co-activation format (" + std::string(e.what()) + ")");
    }
    if (r.units.empty()) {
        std::vector<std::string> ids;
        for (auto c : present) ids.push_back(std::to_string(c));
        throw UserError(graph_path + ": no community " + std::to_string(id) + " with neurons (communities with neurons: " +
                        join(ids) + ")");
    }
    for (auto& [layer, units] : r.units) std::sort(units.begin(), units.end());
    return r;
}

std::string graph_graphml(const CoactivationGraph& g) {
    std::ostringstream out;
    out.precision(9);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
           "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
           "  <key id=\"layer\" for=\"node\" attr.name=\"layer\" attr.type=\"string\"/>\n"
           "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
           "  <key id=\"community\" for=\"node\" attr.name=\"community\" attr.type=\"long\"/>\n"
           "  <key id=\"strength\" for=\"node\" attr.name=\"strength\" attr.type=\"double\"/>\n"
           "  <key id=\"pagerank\" for=\"node\" attr.name=\"pagerank\" attr.type=\"double\"/>\n"
           "  <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" attr.type=\"double\"/>\n"
           "  <key id=\"eigenvector\" for=\"node\" attr.name=\"eigenvector\" attr.type=\"double\"/>\n"
           "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
           "  <graph id=\"coactivation\" edgedefault=\"undirected\">\n";
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        const auto& n = g.nodes[i];
        const auto& m = g.measures[i];
        out << "    <node id=\"n" << i << "\"><data key=\"kind\">" << (n.is_class() ? "class" : "neuron")
            << "</data><data key=\"layer\">" << xml_escape(n.layer) << "</data><data key=\"name\">" << xml_escape(n.name)
            << "</data><data key=\"community\">" << m.community << "</data><data key=\"strength\">" << m.strength
            << "</data><data key=\"pagerank\">" << m.pagerank << "</data><data key=\"betweenness\">" << m.betweenness
            << "</data><data key=\"eigenvector\">" << m.eigenvector << "</data></node>\n";
    }
    for (const auto& e : g.edges)
        out << "    <edge source=\"n" << e.source << "\" target=\"n" << e.target << "\"><data key=\"weight\">" << e.weight
            << "</data></edge>\n";
    out << "  </graph>\n</graphml>\n";
    return out.str();
}

std::string graph_dot(const CoactivationGraph& g, std::size_t max_edges) {
    std::vector<std::size_t> order(g.edges.size());
    for (std::size_t e = 0; e < order.size(); ++e) order[e] = e;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return std::abs(g.edges[a].weight) > std::abs(g.edges[b].weight); });
    if (order.size() > max_edges) order.resize(max_edges);
    std::ostringstream out;
    // neato (stress majorisation) from a fixed start; overlap=scale spreads the layout uniformly until no two
    // nodes overlap, which is deterministic (Graphviz's prism removal is not)
    out << "graph coactivation {\n  graph [layout=neato, outputorder=edgesfirst, overlap=scale, sep=\"+6\", bgcolor=white, "
           "start=1, fontname=\"DejaVu Sans\", fontsize=11, labelloc=b];\n"
           "  node [shape=circle, style=filled, label=\"\", width=0.14, penwidth=0, fontname=\"DejaVu Sans\"];\n"
           "  edge [penwidth=0.8];\n";
    std::map<std::int64_t, std::vector<std::string>> members;  // community -> its classes (and count of neurons)
    std::map<std::int64_t, std::size_t> neurons;
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        const auto& n = g.nodes[i];
        const std::int64_t c = g.measures[i].community;
        out << "  n" << i << " [fillcolor=\"" << community_colour(c) << "\"";
        if (n.is_class()) {
            out << ", shape=box, style=\"filled,rounded\", width=0, height=0, margin=\"0.06,0.03\", fontsize=11, fontcolor=white, "
                   "label=\"" << xml_escape(n.name) << "\"";
            members[c].push_back(n.name);
        } else {
            out << ", tooltip=\"" << xml_escape(n.name) << "\"";
            ++neurons[c];
        }
        out << "];\n";
    }
    for (std::size_t e : order) {
        const auto& edge = g.edges[e];
        // a stronger co-activation pulls its ends closer
        out << "  n" << edge.source << " -- n" << edge.target << " [len=" << 1.6 - std::min(1.0, std::abs(edge.weight))
            << ", color=\"" << (edge.weight > 0 ? "#55555540" : "#cc000040") << "\"];\n";
    }
    // the legend: one row per community, its colour, its classes and its number of neurons
    std::set<std::int64_t> communities;
    for (const auto& m : g.measures) communities.insert(m.community);
    out << "  label=<<TABLE BORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"2\">"
           "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><B>communities</B> (grey edges: positive, red: negative co-activation)</TD></TR>";
    for (const auto c : communities) {
        std::string text = c < 0 ? "no community" : "community " + std::to_string(c);
        text += ": " + std::to_string(neurons[c]) + (neurons[c] == 1 ? " neuron" : " neurons");
        if (!members[c].empty()) text += "; " + join(members[c]);
        out << "<TR><TD BGCOLOR=\"" << community_colour(c) << "\" WIDTH=\"14\"> </TD><TD ALIGN=\"LEFT\">" << xml_escape(text)
            << "</TD></TR>";
    }
    out << "</TABLE>>;\n}\n";
    return out.str();
}

void render_graph(const CoactivationGraph& g, const std::string& path, std::size_t max_edges, bool force) {
    render_graphviz(graph_dot(g, max_edges), "neato", path, force);
}

std::string top_nodes_csv(const CoactivationGraph& g, std::size_t top) {
    std::ostringstream out;
    out.precision(9);
    out << "measure,rank,node,layer,value\n";
    const std::vector<std::pair<std::string, std::function<double(const NodeMeasures&)>>> measures{
        {"strength", [](const NodeMeasures& m) { return m.strength; }},
        {"pagerank", [](const NodeMeasures& m) { return m.pagerank; }},
        {"betweenness", [](const NodeMeasures& m) { return m.betweenness; }},
        {"eigenvector", [](const NodeMeasures& m) { return m.eigenvector; }}};
    for (const auto& [name, value] : measures) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < g.nodes.size(); ++i)
            if (!g.nodes[i].is_class()) order.push_back(i);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return value(g.measures[a]) > value(g.measures[b]); });
        for (std::size_t r = 0; r < std::min(top, order.size()); ++r)
            out << name << "," << r + 1 << "," << g.nodes[order[r]].name << "," << g.nodes[order[r]].layer << ","
                << value(g.measures[order[r]]) << "\n";
    }
    return out.str();
}

}  // namespace actopo
