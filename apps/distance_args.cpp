#include "distance_args.hpp"

namespace actopo::cli {

void DistanceArgs::add_distance_options(CLI::App& app) {
    app.add_option("--metric", metric,
                   "bottleneck|wasserstein|sliced-wasserstein, or a summary: betti|landscape|image|entropy|total-persistence")
        ->capture_default_str();
    app.add_option("--dim", dim, "Homology dimension compared")->capture_default_str();
    app.add_option("--p", options.p, "Wasserstein order p >= 1")->capture_default_str();
    app.add_option("--internal-p", internal_p, "Wasserstein: norm of the plane, q >= 1 or inf")->capture_default_str();
    app.add_option("--relative-error", options.relative_error,
                   "Wasserstein: auction error bound for large diagrams (0: exact Hungarian)")->capture_default_str();
    app.add_option("--directions", options.directions, "Sliced Wasserstein: number of directions M")->capture_default_str();
    app.add_flag("--ignore-essential", options.ignore_essential,
                 "Drop essential classes (default: match them by birth; different counts give inf)");
    app.add_option("--lp", lp, "Summaries: p of the L_p distance between the sampled vectors (>= 1 or inf)")
        ->capture_default_str();
    app.add_option("--samples", summary.samples, "betti, landscape: grid points, one grid over all the diagrams compared")
        ->capture_default_str();
    app.add_option("--levels", summary.levels, "landscape: levels lambda_1..lambda_k")->capture_default_str();
    app.add_option("--resolution", summary.resolution, "image: pixels per side")->capture_default_str();
    app.add_option("--sigma", summary.sigma, "image: Gaussian std (0: one pixel height)")->capture_default_str();
    app.add_option("--total-p", summary.total_p, "total-persistence: sum of lifetimes^p")->capture_default_str();
}

void DistanceArgs::parse_norms() {
    options.internal_p = parse_internal_p(internal_p);
    try {
        summary.lp = parse_internal_p(lp);
    } catch (const UserError&) {
        throw UserError("--lp '" + lp + "': expected a number >= 1 or inf");
    }
}

}  // namespace actopo::cli
