// The node layout of the HTML page, by Graphviz (neato; sfdp for large graphs).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "actopo/mapper.hpp"
#include "actopo/plot.hpp"

namespace actopo::mapper {

std::map<std::size_t, std::pair<double, double>> layout(const Graph& g) {
    std::size_t largest = 1;
    for (const auto& node : g.nodes) largest = std::max(largest, node.size);
    std::ostringstream dot;
    dot << "graph g { graph [overlap=false]; node [shape=circle, fixedsize=true, label=\"\"];\n";
    for (const auto& node : g.nodes)
        dot << "n" << node.id << " [width=" << 0.12 + 0.75 * std::sqrt(double(node.size) / double(largest)) << "];\n";
    for (const auto& l : g.links) dot << "n" << l.source << " -- n" << l.target << ";\n";
    dot << "}\n";
    const std::string engine = g.nodes.size() > 2000 ? "sfdp" : "neato";
    std::istringstream plain(graphviz_text(dot.str(), engine, "plain"));
    std::map<std::size_t, std::pair<double, double>> pos;
    std::string line;
    while (std::getline(plain, line)) {
        std::istringstream fields(line);
        std::string kind, name;
        double x = 0, y = 0;
        if (fields >> kind >> name >> x >> y && kind == "node" && name.size() > 1 && name[0] == 'n')
            pos[std::stoul(name.substr(1))] = {x * 72.0, y * 72.0};
    }
    return pos;
}

}  // namespace actopo::mapper
