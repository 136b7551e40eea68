// Correlation matrix -> thresholded edge list (within- and between-layer edges as asked).
#include <cmath>
#include <sstream>

#include "actopo/coactivation.hpp"

namespace actopo {

CoactivationGraph build_graph(const NodeTable& table, const Eigen::MatrixXd& corr, const CoactivationOptions& options) {
    if (!(options.threshold > 0.0 && options.threshold <= 1.0))
        throw UserError("--threshold " + std::to_string(options.threshold) + " is out of range; expected a value in (0, 1]");
    CoactivationGraph graph;
    graph.nodes = table.nodes;
    graph.measures.resize(table.nodes.size());
    double strongest = 0.0;
    const std::size_t m = table.nodes.size();
    for (std::size_t j = 1; j < m; ++j) {
        for (std::size_t i = 0; i < j; ++i) {
            const bool same = table.nodes[i].layer == table.nodes[j].layer;
            if ((same && !options.within) || (!same && !options.between)) continue;
            const double r = corr(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
            const double score = options.absolute ? std::abs(r) : r;
            strongest = std::max(strongest, score);
            if (score >= options.threshold) graph.edges.push_back({i, j, r});
        }
    }
    if (graph.edges.empty()) {
        std::ostringstream msg;
        msg << "--threshold " << options.threshold << " leaves no edges (the strongest "
            << (options.absolute ? "|r|" : "r") << " is " << strongest << "); lower the threshold";
        throw UserError(msg.str());
    }
    return graph;
}

}  // namespace actopo
