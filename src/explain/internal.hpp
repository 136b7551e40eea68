#pragma once
// Helpers shared inside src/explain (no LibTorch types).
#include <cstdint>
#include <string>
#include <vector>

#include "actopo/explain.hpp"

namespace actopo::explain_detail {

/// Gauss-Legendre nodes (ascending) and weights of m points on [0, 1].
void gauss_legendre(int m, std::vector<double>& nodes, std::vector<double>& weights);
/// The points t_k and weights w_k of integrated gradients' integral over [0, 1]: "midpoint" (Riemann,
/// t_k = (k + 1/2) / m, w_k = 1/m) or "gauss-legendre". UserError for another rule or m < 1.
void integration_rule(const std::string& rule, int m, std::vector<double>& t, std::vector<double>& w);

/// --target: -1 for label or predicted, else the class index (UserError for another value).
std::int64_t parse_target(const std::string& target);
/// The index of each row's largest logit.
std::vector<std::int64_t> argmax_rows(const std::vector<float>& logits, std::size_t count, std::int64_t classes);
/// Keeps freed blocks below 32 MiB in the heap (glibc): passes that allocate and free megabytes of activations
/// would otherwise page-fault them in again each time. Process-wide, set once (explainer.cpp says why).
void keep_freed_memory();
/// UserError "<method>: the map of input <first + i> holds a NaN or Inf value ..." for the first such map of `a`.
void check_finite_map(const std::string& method, const Attribution& a, std::size_t count, std::size_t first);

}  // namespace actopo::explain_detail
