// Mapper graphs and dendrograms as JSON, GraphML and Graphviz DOT.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "actopo/mapper.hpp"

namespace actopo::mapper {

namespace {



std::string dot_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out;
}

nlohmann::json lens_value(const std::vector<double>& v) {
    return v.size() == 1 ? nlohmann::json(v[0]) : nlohmann::json(v);
}

}  // namespace

std::string class_name(std::int64_t label, const std::vector<std::string>& class_names) {
    if (label >= 0 && std::size_t(label) < class_names.size() && !class_names[std::size_t(label)].empty())
        return class_names[std::size_t(label)];
    return std::to_string(label);
}

std::string class_colour(std::int64_t label) {
    static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                                    "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
                                    "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"};
    if (label < 0) return "#cccccc";
    return palette[std::size_t(label) % (sizeof palette / sizeof *palette)];
}

nlohmann::json to_json(const Graph& g, const std::vector<std::string>& class_names) {
    nlohmann::json j;
    j["meta"] = g.meta;
    j["class_names"] = class_names;
    nlohmann::json spread = nlohmann::json::array();
    for (const auto& s : g.spread)
        spread.push_back({{"label", s.label}, {"name", class_name(s.label, class_names)}, {"points", s.points},
                          {"nodes", s.nodes}, {"entropy", s.entropy}});
    j["stats"] = {{"nodes", g.nodes.size()}, {"links", g.links.size()}, {"components", g.components},
                  {"cycles", g.cycles}, {"noise_points", g.noise}, {"mean_purity", g.mean_purity},
                  {"class_spread", spread}};
    nlohmann::json sets = nlohmann::json::array();
    for (std::size_t s = 0; s < g.cover.sets.size(); ++s) {
        const auto& set = g.cover.sets[s];
        nlohmann::json box = nlohmann::json::array();
        for (const auto& [a, b] : set.box) box.push_back({a, b});
        sets.push_back({{"cell", set.cell}, {"box", box}, {"size", set.points.size()},
                        {"eps", s < g.eps.size() ? g.eps[s] : 0.0}});
    }
    j["cover"] = {{"intervals", g.cover.intervals}, {"sets", sets}};
    j["nodes"] = nlohmann::json::array();
    for (const auto& node : g.nodes) {
        nlohmann::json classes = nlohmann::json::object();
        for (const auto& [label, count] : node.classes) classes[std::to_string(label)] = count;
        j["nodes"].push_back({{"id", node.id}, {"members", node.members}, {"size", node.size},
                              {"lens_mean", lens_value(node.lens_mean)}, {"classes", classes},
                              {"majority", node.majority}, {"purity", node.purity},
                              {"misclassified", node.misclassified}, {"cover_set", node.cover_set}});
        auto& added = j["nodes"].back();
        if (!node.exemplars.empty()) added["exemplars"] = node.exemplars;
        if (!node.attribution_mean.empty()) added["attribution_mean"] = node.attribution_mean;
        if (!g.color_by.empty()) added["color_value"] = std::isfinite(node.color_value) ? nlohmann::json(node.color_value) : nlohmann::json(nullptr);
    }
    if (!g.attribution_method.empty()) j["attribution"] = {{"method", g.attribution_method}, {"shape", g.attribution_shape}};
    if (!g.color_by.empty()) j["color_by"] = {{"name", g.color_by}, {"categorical", g.color_categorical}};
    j["links"] = nlohmann::json::array();
    for (const auto& l : g.links)
        j["links"].push_back({{"source", l.source}, {"target", l.target}, {"weight", l.weight},
                              {"intersection", l.intersection}});
    return j;
}

nlohmann::json to_json(const Dendrogram& d, const std::vector<std::string>& class_names) {
    nlohmann::json j;
    std::vector<std::string> names;
    for (auto c : d.classes) names.push_back(class_name(c, class_names));
    j["classes"] = d.classes;
    j["class_names"] = names;
    std::vector<std::vector<double>> sim(d.classes.size());
    for (std::size_t a = 0; a < d.classes.size(); ++a)
        for (std::size_t b = 0; b < d.classes.size(); ++b) sim[a].push_back(d.similarity.at(a, b));
    j["similarity"] = sim;
    j["merges"] = nlohmann::json::array();
    for (const auto& m : d.merges)
        j["merges"].push_back({{"left", m.left}, {"right", m.right}, {"height", m.height}, {"members", m.members}});
    return j;
}

std::string to_graphml(const Graph& g) {
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      << "  <key id=\"size\" for=\"node\" attr.name=\"size\" attr.type=\"int\"/>\n"
      << "  <key id=\"lens_mean\" for=\"node\" attr.name=\"lens_mean\" attr.type=\"double\"/>\n"
      << "  <key id=\"majority\" for=\"node\" attr.name=\"majority\" attr.type=\"long\"/>\n"
      << "  <key id=\"purity\" for=\"node\" attr.name=\"purity\" attr.type=\"double\"/>\n"
      << "  <key id=\"misclassified\" for=\"node\" attr.name=\"misclassified\" attr.type=\"double\"/>\n"
      << "  <key id=\"classes\" for=\"node\" attr.name=\"classes\" attr.type=\"string\"/>\n"
      << "  <key id=\"members\" for=\"node\" attr.name=\"members\" attr.type=\"string\"/>\n"
      << "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
      << "  <key id=\"intersection\" for=\"edge\" attr.name=\"intersection\" attr.type=\"int\"/>\n"
      << "  <graph id=\"mapper\" edgedefault=\"undirected\">\n";
    for (const auto& node : g.nodes) {
        std::string classes, members;
        for (const auto& [label, count] : node.classes)
            classes += (classes.empty() ? "" : " ") + std::to_string(label) + ":" + std::to_string(count);
        for (auto m : node.members) members += (members.empty() ? "" : " ") + std::to_string(m);
        o << "    <node id=\"n" << node.id << "\"><data key=\"size\">" << node.size << "</data><data key=\"lens_mean\">"
          << node.lens_mean[0] << "</data><data key=\"majority\">" << node.majority << "</data><data key=\"purity\">"
          << node.purity << "</data><data key=\"misclassified\">" << node.misclassified
          << "</data><data key=\"classes\">" << classes << "</data><data key=\"members\">" << members
          << "</data></node>\n";
    }
    for (const auto& l : g.links)
        o << "    <edge source=\"n" << l.source << "\" target=\"n" << l.target << "\"><data key=\"weight\">" << l.weight
          << "</data><data key=\"intersection\">" << l.intersection << "</data></edge>\n";
    o << "  </graph>\n</graphml>\n";
    return o.str();
}

std::string to_dot(const Graph& g, const std::vector<std::string>& class_names, const std::string& title) {
    std::size_t largest = 1;
    for (const auto& node : g.nodes) largest = std::max(largest, node.size);
    std::ostringstream o;
    // the title and a legend of the classes as one HTML-like label on top
    std::string legend;
    for (const auto& sp : g.spread)
        legend += "<td bgcolor=\"" + class_colour(sp.label) + "\" width=\"14\"> </td><td>" +
                  xml_escape(class_name(sp.label, class_names)) + "</td>";
    const std::size_t span = std::max<std::size_t>(1, 2 * g.spread.size());
    o << "graph mapper {\n  graph [overlap=false, splines=false, outputorder=edgesfirst, fontname=Helvetica, "
         "fontsize=16, labelloc=t, label=<"
      << "<table border=\"0\" cellspacing=\"2\"><tr><td colspan=\"" << span << "\">" << xml_escape(title)
      << "<br/>" << count_noun(g.nodes.size(), "node") << ", " << count_noun(g.links.size(), "edge") << ", "
      << count_noun(g.components, "component") << ", " << count_noun(g.cycles, "cycle") << ", mean purity " << format_fixed(g.mean_purity, 3) << "</td></tr><tr>" << legend
      << "</tr></table>>];\n"
      << "  node [shape=circle, fixedsize=true, label=\"\", penwidth=0.4, color=\"#333333\"];\n"
      << "  edge [color=\"#888888\"];\n";
    for (const auto& node : g.nodes) {
        std::string fill;
        std::size_t k = 0;
        for (const auto& [label, count] : node.classes) {
            if (!fill.empty()) fill += ":";
            fill += class_colour(label);
            if (++k < node.classes.size()) fill += ";" + format_fixed(double(count) / double(node.size), 4);
        }
        const double width = 0.12 + 0.75 * std::sqrt(double(node.size) / double(largest));
        std::string tip = "node " + std::to_string(node.id) + ": " + std::to_string(node.size) +
                          " points, majority " + class_name(node.majority, class_names) + ", purity " +
                          format_fixed(node.purity, 2) + ", misclassified " + format_fixed(node.misclassified, 2);
        o << "  n" << node.id << " [width=" << format_fixed(width, 3) << ", style=" << (node.classes.size() > 1 ? "wedged" : "filled")
          << ", fillcolor=\"" << fill << "\", tooltip=\"" << dot_escape(tip) << "\"];\n";
    }
    for (const auto& l : g.links)
        o << "  n" << l.source << " -- n" << l.target << " [penwidth=" << format_fixed(0.5 + 3.0 * l.weight, 2) << "];\n";
    o << "}\n";
    return o.str();
}

std::string dendrogram_dot(const Dendrogram& d, const std::vector<std::string>& class_names, const std::string& title) {
    std::ostringstream o;
    const std::size_t c = d.classes.size();
    o << "digraph hierarchy {\n  graph [rankdir=LR, fontname=Helvetica, labelloc=t, label=\"" << dot_escape(title)
      << "\"];\n  node [fontname=Helvetica, fontsize=11];\n  edge [arrowhead=none, color=\"#666666\"];\n";
    for (std::size_t k = 0; k < c; ++k)
        o << "  c" << k << " [shape=box, style=filled, fillcolor=\"" << class_colour(d.classes[k]) << "\", label=\""
          << dot_escape(class_name(d.classes[k], class_names)) << "\"];\n";
    for (std::size_t m = 0; m < d.merges.size(); ++m) {
        const auto& merge = d.merges[m];
        auto ref = [&](int id) {
            return id < int(c) ? "c" + std::to_string(id) : "m" + std::to_string(std::size_t(id) - c);
        };
        o << "  m" << m << " [shape=ellipse, label=\"" << format_fixed(merge.height, 2) << "\"];\n";
        o << "  m" << m << " -> " << ref(merge.left) << ";\n  m" << m << " -> " << ref(merge.right) << ";\n";
    }
    o << "}\n";
    return o.str();
}

}  // namespace actopo::mapper
