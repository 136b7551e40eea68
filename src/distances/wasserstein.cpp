// p-Wasserstein distance: the finite parts by the exact or the auction method, plus the essential parts.
#include <cmath>
#include <limits>

#include "actopo/distances.hpp"
#include "distances/ground.hpp"

namespace actopo {

double wasserstein_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options) {
    if (!(options.p >= 1) || std::isinf(options.p))
        throw UserError("Wasserstein order p must be a finite number >= 1, got " + std::to_string(options.p));
    if (!(options.internal_p >= 1))
        throw UserError("internal norm q must be >= 1 or inf, got " + std::to_string(options.internal_p));
    if (!(options.relative_error >= 0))
        throw UserError("relative error must be >= 0, got " + std::to_string(options.relative_error));
    auto sa = detail::split_diagram(a), sb = detail::split_diagram(b);
    double essential = options.ignore_essential ? 0.0 : detail::essential_cost(sa, sb, options.p);
    if (std::isinf(essential)) return essential;
    detail::GroundCost g{options.p, options.internal_p};
    const bool exact = options.relative_error == 0 ||
                       (sa.finite.size() <= options.exact_below && sb.finite.size() <= options.exact_below);
    // a relative error delta on W_p allows (1 + delta)^p - 1 on the p-th power
    double finite = exact ? detail::wasserstein_cost_exact(sa.finite, sb.finite, g)
                          : detail::wasserstein_cost_auction(sa.finite, sb.finite, g,
                                                             std::pow(1 + options.relative_error, options.p) - 1);
    return std::pow(finite + essential, 1 / options.p);
}

}  // namespace actopo
