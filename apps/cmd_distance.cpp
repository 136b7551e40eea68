// `actopo distance`: the distance between two persistence diagram files, by a diagram metric (bottleneck,
// Wasserstein, sliced Wasserstein) or through a summary (Betti curve, landscape, image, entropy, total
// persistence); optionally the summary vectors themselves as CSV.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "command.hpp"
#include "distance_args.hpp"

namespace actopo::cli {
namespace {

struct Args : DistanceArgs {
    Args() : DistanceArgs("bottleneck") {}
    std::string a, b, layer_a, layer_b, summary_csv;
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
        for (double c : t.at[i]) row.push_back(format_number(c, 17));
        for (const auto& v : t.values) row.push_back(format_number(v[i], 17));
        out << join(row, ",") << '\n';
    }
    return out.str();
}

void run(Args& a) {
    a.parse_norms();
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
    a->add_distance_options(app);
    app.add_option("--layer-a", a->layer_a, "Layer group of A when A is an .h5 diagram file");
    app.add_option("--layer-b", a->layer_b, "Layer group of B when B is an .h5 diagram file");
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
