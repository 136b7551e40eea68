#pragma once
// The options `actopo distance` and `actopo distances` share: the metric (a diagram metric or a summary),
// the homology dimension, and each metric's parameters. A command's Args derives from DistanceArgs.
#include <CLI/CLI.hpp>
#include <string>

#include "actopo/distances.hpp"

namespace actopo::cli {

struct DistanceArgs {
    explicit DistanceArgs(std::string default_metric) : metric(std::move(default_metric)) {}
    std::string metric, internal_p = "inf", lp = "2";
    DistanceOptions options;
    SummaryOptions summary;
    int dim = 1;

    /// Declares --metric --dim --p --internal-p --relative-error --directions --ignore-essential --lp
    /// --samples --levels --resolution --sigma --total-p.
    void add_distance_options(CLI::App& app);
    /// options.internal_p and summary.lp from their text; a one-line UserError when one is malformed.
    void parse_norms();
};

}  // namespace actopo::cli
