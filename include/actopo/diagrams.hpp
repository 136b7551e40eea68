#pragma once
// Persistence diagrams and the input/options of a Vietoris-Rips computation: the types shared by every
// persistence backend (gudhi, ripser, native) and by the distances between diagrams.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/metric.hpp"

namespace actopo {

/// One interval [birth, death); death = +infinity for an essential class.
struct PersistencePair {
    double birth = 0, death = std::numeric_limits<double>::infinity();
    bool essential() const { return death == std::numeric_limits<double>::infinity(); }
};

/// The diagram of one homology dimension.
struct Diagram {
    int dim = 0;
    std::vector<PersistencePair> pairs;
};

/// Diagrams of dimensions 0..max_dim (index = dimension) and the metadata of how they were made:
/// keys input, layer, sampling, points, seed, metric, threshold, coeff, backend, version (as text).
struct Diagrams {
    std::vector<Diagram> dims;
    std::map<std::string, std::string> meta;
    const Diagram& dim(int k) const;  // UserError when k is not present
};

/// What to compute the Rips filtration of. Exactly one representation is used, chosen by `kind`.
struct RipsInput {
    enum class Kind { points, lower_distances, sparse_edges } kind = Kind::points;
    std::size_t n = 0;                // number of vertices
    Matrix points;                    // kind == points: n x d, distances by `metric`
    Metric metric = Metric::euclidean;
    std::vector<float> lower;         // kind == lower_distances: packed lower triangle (see pairwise_lower)
    struct Edge { std::uint32_t i, j; float d; };
    std::vector<Edge> edges;          // kind == sparse_edges: edges present; absent edges are at +infinity

    static RipsInput from_points(Matrix points, Metric metric);
    static RipsInput from_lower(std::size_t n, std::vector<float> lower);
    static RipsInput from_edges(std::size_t n, std::vector<Edge> edges);
    /// d(i, j) for any kind (slow path: sparse search is linear); i != j.
    double distance(std::size_t i, std::size_t j) const;
    /// The packed lower triangle (materialised for points; +inf for missing sparse edges).
    std::vector<float> lower_triangle() const;
    /// min over i of max over j of d(i, j): above it the Rips complex is a cone (no new homology).
    double enclosing_radius() const;
};

struct RipsOptions {
    int max_dim = 1;                   // compute H0..H_max_dim
    std::optional<double> threshold;   // none: the enclosing radius
    int coeff = 2;                     // prime p of Z/p
    int threads = 0;                   // 0: all cores
    bool collapse = true;              // edge collapse before reduction where the backend supports it
    double sparse_epsilon = 0;         // > 0: sparse Rips approximation (gudhi), see docs/persistence.md
};

}  // namespace actopo
