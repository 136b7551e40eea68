#pragma once
// Helpers shared by the persistence backends (not part of the public API).
#include <memory>
#include <vector>

#include "actopo/persistence.hpp"

namespace actopo::persistence_detail {

/// The threshold a computation uses: options.threshold, else the enclosing radius; rounded to float32
/// (distances are float32 in every backend, so every backend includes exactly the same edges).
double effective_threshold(const RipsInput& input, const RipsOptions& options);

/// Puts diagrams in the canonical form every backend returns: dims 0..max_dim present, zero-length
/// intervals dropped, pairs sorted by (birth, death).
void canonicalize(Diagrams& diagrams, int max_dim);

/// UserError unless p is a prime in [2, 65535].
void check_coefficient(int p);

/// The edges with length <= threshold, as (i, j, d) with i > j, in float32 lengths.
std::vector<RipsInput::Edge> edges_within(const RipsInput& input, double threshold);

std::unique_ptr<PersistenceBackend> make_gudhi_backend();
std::unique_ptr<PersistenceBackend> make_ripser_backend();
std::unique_ptr<PersistenceBackend> make_native_backend();

}  // namespace actopo::persistence_detail
