#pragma once
// actopo's own Vietoris-Rips persistent-cohomology engine (the `native` backend).
// Written from the methods in docs/native.md (cohomology, clearing, implicit coboundaries in the
// combinatorial number system, apparent/emergent pairs, enclosing radius, float32, sparse path,
// edge collapse, parallel reduction). Output does not depend on the number of threads.
#include "actopo/diagrams.hpp"

namespace actopo::native {

/// Persistence diagrams H0..opt.max_dim of the Rips filtration of `input`.
/// Honours threshold (default enclosing radius), coeff (prime), threads (0 = all cores), collapse.
/// Polls throw_if_cancelled(). Throws UserError for a non-prime coefficient or bad input.
Diagrams compute(const RipsInput& input, const RipsOptions& options);

/// The working heaps of the last compute() on the calling thread: for each dimension k = 1..max_dim, the bytes
/// that the heaviest columns' heaps took at their largest, largest first (at most 64 per dimension; each of the
/// threads holds one heap at a time). The size planner reads them after a pilot run (src/persistence/planner.cpp).
std::vector<std::vector<double>> last_heaviest_columns();

/// The threads compute() runs on: options.threads, or for 0 every core, except one where C(n, max_dim + 2) <= 2^20.
int thread_count(std::size_t n, const RipsOptions& options);

/// Whether compute() may keep neighbour lists instead of the n(n-1)/2 distance triangle: a point cloud
/// with a given threshold, above 8192 points or without edge collapse (which needs the triangle), or a sparse
/// edge list. It then does so when under a quarter of the pairs are within the threshold (for points: in a
/// sample of rows). Sparse Rips (options.sparse_epsilon) chooses the same way, whatever this says.
bool may_skip_triangle(const RipsInput& input, const RipsOptions& options);

}  // namespace actopo::native
