// `actopo distance`: the distance between two persistence diagram files, by a diagram metric (bottleneck,
// Wasserstein, sliced Wasserstein) or through a summary (Betti curve, landscape, image, entropy, total
// persistence); optionally the summary vectors themselves as CSV.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string a, b, metric = "bottleneck", internal_p = "inf", lp = "2", layer_a, layer_b, summary_csv;
    DistanceOptions options;
    SummaryOptions summary;
    int dim = 1;
    bool force = false;
};

Diagram load(const std::string& path, const std::string& layer, int dim) {
    Diagrams d = read_diagrams(path, layer);
    try {
        return d.dim(dim);
    } catch (const UserError& e) {
        throw UserError(path + ": " + e.what());
    }
}

std::string num(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", v);
    return b;
}

/// Header: the coordinate columns, then one column per diagram (A, and B when given).
std::string table_csv(const SummaryTable& t, const std::vector<std::string>& names) {
    std::ostringstream out;
    std::vector<std::string> head = t.coords;
    if (head.empty()) head.push_back("summary");
    head.insert(head.end(), names.begin(), names.end());
    out << join(head, ",") << '\n';
    for (std::size_t i = 0; i < t.at.size(); ++i) {
        std::vector<std::string> row;
        if (t.coords.empty()) row.push_back(summary_kind_name(t.kind));
        for (double c : t.at[i]) row.push_back(num(c));
        for (const auto& v : t.values) row.push_back(num(v[i]));
        out << join(row, ",") << '\n';
    }
    return out.str();
}

void run(Args& a) {
    a.options.internal_p = parse_internal_p(a.internal_p);
    try {
        a.summary.lp = parse_internal_p(a.lp);
    } catch (const UserError&) {
        throw UserError("--lp '" + a.lp + "': expected a number >= 1 or inf");
    }
    const bool summary = is_summary_name(a.metric);
    if (!summary) parse_diagram_metric(a.metric);  // one-line error for an unknown name before reading files
    if (a.b.empty() && a.summary_csv.empty())
        throw UserError("distance needs two diagram files (A B), or one with --summary-csv to write its summary");
    if (!a.summary_csv.empty() && !summary)
        throw UserError("--summary-csv needs a summary metric (betti, landscape, image, entropy, total-persistence), got '" +
                        a.metric + "'");
    std::vector<Diagram> ds{load(a.a, a.layer_a, a.dim)};
    std::vector<std::string> names{"A"};
    if (!a.b.empty()) ds.push_back(load(a.b, a.layer_b, a.dim)), names.push_back("B");
    if (!summary) {
        std::printf("%.10g\n", diagram_distance(ds[0], ds[1], parse_diagram_metric(a.metric), a.options));
        return;
    }
    const SummaryKind kind = parse_summary_kind(a.metric);
    if (!a.summary_csv.empty()) write_text_file(a.summary_csv, table_csv(summarize(ds, kind, a.summary), names), a.force);
    if (ds.size() == 2) std::printf("%.10g\n", summary_distance(ds[0], ds[1], kind, a.summary));
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("A", a->a, "First diagram file (.csv, .json, .h5)")->required();
    app.add_option("B", a->b, "Second diagram file (optional with --summary-csv)");
    app.add_option("--metric", a->metric,
                   "bottleneck|wasserstein|sliced-wasserstein, or a summary: betti|landscape|image|entropy|total-persistence")
        ->capture_default_str();
    app.add_option("--dim", a->dim, "Homology dimension compared")->capture_default_str();
    app.add_option("--p", a->options.p, "Wasserstein order p >= 1")->capture_default_str();
    app.add_option("--internal-p", a->internal_p, "Wasserstein: norm of the plane, q >= 1 or inf")->capture_default_str();
    app.add_option("--relative-error", a->options.relative_error,
                   "Wasserstein: auction error bound for large diagrams (0: exact Hungarian)")->capture_default_str();
    app.add_option("--directions", a->options.directions, "Sliced Wasserstein: number of directions M")->capture_default_str();
    app.add_flag("--ignore-essential", a->options.ignore_essential,
                 "Drop essential classes (default: match them by birth; different counts give inf)");
    app.add_option("--layer-a", a->layer_a, "Layer group of A when A is an .h5 diagram file");
    app.add_option("--layer-b", a->layer_b, "Layer group of B when B is an .h5 diagram file");
    app.add_option("--lp", a->lp, "Summaries: p of the L_p distance between the sampled vectors (>= 1 or inf)")
        ->capture_default_str();
    app.add_option("--samples", a->summary.samples, "betti, landscape: grid points over the pairs of A and B")
        ->capture_default_str();
    app.add_option("--levels", a->summary.levels, "landscape: levels lambda_1..lambda_k")->capture_default_str();
    app.add_option("--resolution", a->summary.resolution, "image: pixels per side")->capture_default_str();
    app.add_option("--sigma", a->summary.sigma, "image: Gaussian std (0: one pixel height)")->capture_default_str();
    app.add_option("--total-p", a->summary.total_p, "total-persistence: sum of lifetimes^p")->capture_default_str();
    app.add_option("--summary-csv", a->summary_csv,
                   "Write the summary vectors (A, and B if given) on their common grid to this CSV");
    app.add_flag("--force", a->force, "Replace an existing --summary-csv file");
    app.footer(
        "Examples:\n"
        "  actopo distance a.csv b.csv --metric bottleneck --dim 1\n"
        "  actopo distance a.json b.json --metric wasserstein --p 2 --internal-p 2\n"
        "  actopo distance d.h5 d.h5 --layer-a fc1 --layer-b fc2 --metric sliced-wasserstein --directions 100\n"
        "  actopo distance a.csv b.csv --metric landscape --levels 3 --samples 200 --lp 2\n"
        "  actopo distance a.csv b.csv --metric image --resolution 20 --sigma 0.05 --summary-csv images.csv\n"
        "  actopo distance a.csv --metric betti --samples 50 --summary-csv betti.csv   (one diagram: summary only)\n"
        "Prints the distance. Summaries of A and B share one grid (image: one range) built from both; the\n"
        "CSV has the coordinate columns (t; level,t; row,col,birth,persistence) then columns A and B.\n"
        "Essential classes are matched by birth; see docs/distances.md.");
    app.callback([a] { run(*a); });
}

Registration reg{"distance", "Distance between two persistence diagrams (bottleneck, Wasserstein, sliced, summaries)", setup};

}  // namespace
}  // namespace actopo::cli
