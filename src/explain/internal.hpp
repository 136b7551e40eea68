#pragma once
// Helpers shared inside src/explain (no LibTorch types).
#include <string>
#include <vector>

namespace actopo::explain_detail {

/// Gauss-Legendre nodes (ascending) and weights of m points on [0, 1].
void gauss_legendre(int m, std::vector<double>& nodes, std::vector<double>& weights);
/// The points t_k and weights w_k of integrated gradients' integral over [0, 1]: "midpoint" (Riemann,
/// t_k = (k + 1/2) / m, w_k = 1/m) or "gauss-legendre". UserError for another rule or m < 1.
void integration_rule(const std::string& rule, int m, std::vector<double>& t, std::vector<double>& w);

}  // namespace actopo::explain_detail
