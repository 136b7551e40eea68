// Diagram splitting, essential classes, metric names and the parallel distance matrix.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "actopo/distances.hpp"
#include "distances/finite.hpp"

namespace actopo {
namespace detail {

SplitDiagram split_diagram(const Diagram& d) {
    SplitDiagram s;
    for (const auto& pr : d.pairs) {
        if (std::isnan(pr.birth) || std::isnan(pr.death) || std::isinf(pr.birth))
            throw UserError("diagram of dimension " + std::to_string(d.dim) +
                            " has a pair with NaN or infinite birth; expected finite birth and death >= birth");
        if (pr.essential())
            s.essential_births.push_back(pr.birth);
        else if (pr.death > pr.birth)
            s.finite.push_back({pr.birth, pr.death});
        else if (pr.death < pr.birth)
            throw UserError("diagram of dimension " + std::to_string(d.dim) + " has a pair (" +
                            std::to_string(pr.birth) + ", " + std::to_string(pr.death) +
                            ") that dies before it is born");
    }
    std::sort(s.essential_births.begin(), s.essential_births.end());
    return s;
}

double essential_cost(const SplitDiagram& a, const SplitDiagram& b, double p) {
    if (a.essential_births.size() != b.essential_births.size()) return std::numeric_limits<double>::infinity();
    double cost = 0;
    for (std::size_t i = 0; i < a.essential_births.size(); ++i) {
        double diff = std::fabs(a.essential_births[i] - b.essential_births[i]);
        cost = std::isinf(p) ? std::max(cost, diff) : cost + std::pow(diff, p);
    }
    return cost;
}

}  // namespace detail

DiagramMetric parse_diagram_metric(const std::string& name) {
    if (name == "bottleneck") return DiagramMetric::bottleneck;
    if (name == "wasserstein") return DiagramMetric::wasserstein;
    if (name == "sliced-wasserstein") return DiagramMetric::sliced_wasserstein;
    throw UserError("unknown diagram metric '" + name +
                    "'; expected bottleneck, wasserstein or sliced-wasserstein");
}

std::string diagram_metric_name(DiagramMetric m) {
    switch (m) {
        case DiagramMetric::bottleneck: return "bottleneck";
        case DiagramMetric::wasserstein: return "wasserstein";
        case DiagramMetric::sliced_wasserstein: return "sliced-wasserstein";
    }
    return "";
}

double parse_internal_p(const std::string& text) {
    if (text == "inf" || text == "infinity") return std::numeric_limits<double>::infinity();
    try {
        std::size_t used = 0;
        double q = std::stod(text, &used);
        if (used == text.size() && q >= 1) return q;
    } catch (const std::exception&) {
    }
    throw UserError("--internal-p '" + text + "': expected a number >= 1 or inf");
}

double diagram_distance(const Diagram& a, const Diagram& b, DiagramMetric metric, const DistanceOptions& options) {
    if (a.dim != b.dim)
        throw UserError("cannot compare a diagram of dimension " + std::to_string(a.dim) + " with one of dimension " +
                        std::to_string(b.dim));
    switch (metric) {
        case DiagramMetric::bottleneck: return bottleneck_distance(a, b, options);
        case DiagramMetric::wasserstein: return wasserstein_distance(a, b, options);
        case DiagramMetric::sliced_wasserstein: return sliced_wasserstein_distance(a, b, options);
    }
    return 0;
}

NamedMatrix diagram_distance_matrix(const std::vector<std::string>& names, const std::vector<Diagram>& diagrams,
                                    DiagramMetric metric, const DistanceOptions& options, int threads,
                                    MatrixBlock block) {
    const std::size_t n = diagrams.size();
    if (block.count == 0 || block.index >= block.count)
        throw UserError("block " + std::to_string(block.index + 1) + " of " + std::to_string(block.count) +
                        ": expected a block from 1 to the number of blocks");
    NamedMatrix m;
    m.row_names = m.col_names = names;
    m.values.assign(n * n, block.count > 1 ? std::nan("") : 0.0);
    for (std::size_t i = 0; i < n; ++i) m.at(i, i) = 0;
    std::vector<std::pair<std::size_t, std::size_t>> work;
    const std::size_t pairs = n * (n - std::min<std::size_t>(n, 1)) / 2;
    const std::size_t first = pairs * block.index / block.count, last = pairs * (block.index + 1) / block.count;
    for (std::size_t i = 0, k = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j, ++k)
            if (k >= first && k < last) work.emplace_back(i, j);
    Progress progress("distances", work.size());
    std::mutex progress_mutex;
    parallel_for(work.size(), threads > 0 ? unsigned(threads) : 0u, [&](std::size_t k) {
        throw_if_cancelled();
        auto [i, j] = work[k];
        m.at(i, j) = m.at(j, i) = diagram_distance(diagrams[i], diagrams[j], metric, options);
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress.advance();
    });
    progress.finish();
    return m;
}

NamedMatrix merge_matrix_blocks(const std::vector<NamedMatrix>& blocks, const std::vector<std::string>& part_names) {
    if (blocks.empty()) throw UserError("no blocks to merge");
    NamedMatrix m = blocks.front();
    const std::size_t n = m.row_names.size();
    for (std::size_t b = 1; b < blocks.size(); ++b) {
        if (blocks[b].row_names != m.row_names || blocks[b].col_names != m.col_names)
            throw UserError(part_names[b] + ": not a block of the same matrix as " + part_names[0] + " (other names)");
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const double v = blocks[b].at(i, j);
                if (i == j || std::isnan(v)) continue;
                if (!std::isnan(m.at(i, j)))
                    throw UserError(part_names[b] + ": the pair " + m.row_names[i] + ", " + m.col_names[j] +
                                    " is also in another block");
                m.at(i, j) = v;
            }
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (std::isnan(m.at(i, j)))
                throw UserError("the pair " + m.row_names[i] + ", " + m.col_names[j] + " is in none of the blocks " +
                                join(part_names));
    return m;
}

}  // namespace actopo
