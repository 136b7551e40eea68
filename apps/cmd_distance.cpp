// `actopo distance`: the distance between two persistence diagram files.
#include <cstdio>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string a, b, metric = "bottleneck", internal_p = "inf", layer_a, layer_b;
    DistanceOptions options;
    int dim = 1;
};

Diagram load(const std::string& path, const std::string& layer, int dim) {
    Diagrams d = read_diagrams(path, layer);
    try {
        return d.dim(dim);
    } catch (const UserError& e) {
        throw UserError(path + ": " + e.what());
    }
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("A", a->a, "First diagram file (.csv, .json, .h5)")->required();
    app.add_option("B", a->b, "Second diagram file")->required();
    app.add_option("--metric", a->metric, "bottleneck|wasserstein|sliced-wasserstein")->capture_default_str();
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
    app.footer(
        "Examples:\n"
        "  actopo distance a.csv b.csv --metric bottleneck --dim 1\n"
        "  actopo distance a.json b.json --metric wasserstein --p 2 --internal-p 2\n"
        "  actopo distance d.h5 d.h5 --layer-a fc1 --layer-b fc2 --metric sliced-wasserstein --directions 100\n"
        "Prints the distance. Essential classes are matched by birth; see docs/distances.md.");
    app.callback([a] {
        a->options.internal_p = parse_internal_p(a->internal_p);
        const DiagramMetric metric = parse_diagram_metric(a->metric);
        Diagram x = load(a->a, a->layer_a, a->dim), y = load(a->b, a->layer_b, a->dim);
        std::printf("%.10g\n", diagram_distance(x, y, metric, a->options));
    });
}

Registration reg{"distance", "Distance between two persistence diagrams (bottleneck, Wasserstein, sliced)", setup};

}  // namespace
}  // namespace actopo::cli
