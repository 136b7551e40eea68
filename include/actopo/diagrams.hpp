#pragma once
// Persistence diagrams and the input/options of a Vietoris-Rips computation: the types shared by every
// persistence backend (gudhi, ripser, native) and by the distances between diagrams.
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
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

/// Where the points of a representative came from (a store layer): per vertex of the cycle (or, without
/// a cycle, of the cocycle's simplices), the input's dataset id, true class and the model's prediction;
/// `summary` in words ("runs through Shirt (12), T-shirt/top (8), Pullover (5)").
struct RepresentativeInputs {
    std::vector<std::int64_t> ids, labels, predictions;
    std::string summary;
};

/// A representative of one class of dimension k >= 1 (native backend, docs/persistence.md).
/// Vertices are rows of the input. `cocycle` over Z/p: simplices of k + 1 vertices (largest first) with a
/// coefficient, flattened as [v_0 .. v_k, c] per simplex; its coboundary vanishes on every simplex born
/// before `death`, and its value on the birth simplex is 1 (+-1 after relabel_representatives). `cycle` (k = 1 only): a closed loop of edges
/// v_0 v_1 .. v_m-1 (back to v_0) through the birth edge, every edge born at or before `birth`, not a
/// boundary before `death` (the cocycle takes the value +-1 on it).
struct Representative {
    double birth = 0, death = std::numeric_limits<double>::infinity();
    std::vector<std::uint32_t> birth_simplex;  // k + 1 vertices, largest first
    std::vector<std::uint32_t> cocycle;
    std::vector<std::uint32_t> cycle;
    RepresentativeInputs inputs;  // empty unless filled by attach_inputs (actopo/persistence.hpp)
    bool essential() const { return death == std::numeric_limits<double>::infinity(); }
};

/// The diagram of one homology dimension.
struct Diagram {
    int dim = 0;
    std::vector<PersistencePair> pairs;
    std::vector<Representative> representatives = {};  // longest first, when asked (RipsOptions::representatives)
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
    MatrixView points;                // kind == points: n x d rows (as prepare_rows leaves them), distances by `metric`
    std::shared_ptr<const Matrix> owned;  // the rows `points` views, unless they are borrowed (from_borrowed_points)
    Metric metric = Metric::euclidean;
    std::vector<float> lower;         // kind == lower_distances: packed lower triangle (see pairwise_lower)
    struct Edge { std::uint32_t i, j; float d; };
    std::vector<Edge> edges;          // kind == sparse_edges: edges present; absent edges are at +infinity

    static RipsInput from_points(Matrix points, Metric metric);
    /// The rows of a caller's array, not copied under the euclidean metric (cosine and correlation rewrite a
    /// copy): `points` must outlive the input and every copy of it.
    static RipsInput from_borrowed_points(MatrixView points, Metric metric);
    static RipsInput from_lower(std::size_t n, std::vector<float> lower);
    static RipsInput from_edges(std::size_t n, std::vector<Edge> edges);
    /// d(i, j) for any kind (slow path: sparse search is linear); i != j.
    double distance(std::size_t i, std::size_t j) const;
    /// The packed lower triangle (materialised for points; +inf for missing sparse edges).
    std::vector<float> lower_triangle() const;
    /// min over i of max over j of d(i, j): above it the Rips complex is a cone (no new homology).
    double enclosing_radius() const;
};

/// The first `count` vertices of a greedy (farthest-point) permutation: order[0] is chosen by `seed`, each next vertex
/// is the one farthest from those before it (the lowest index among equals). radius[k] = d(order[k], order[0..k-1]),
/// its insertion radius (+inf for k = 0), is non-increasing, and every vertex is within radius[k] of order[0..k-1];
/// eccentricity[k] is the largest distance from order[k] to any vertex (with count = n, the smallest is the enclosing
/// radius). Points or a full distance matrix (UserError for a sparse edge list); `threads` share each step's distances
/// where a step is long enough to pay for them (n x dimensions >= 2^22).
struct GreedyPermutation {
    std::vector<std::size_t> order;
    std::vector<double> radius, eccentricity;
};
GreedyPermutation greedy_permutation(const RipsInput& input, std::size_t count, std::uint64_t seed, int threads = 1);

struct RipsOptions {
    int max_dim = 1;                   // compute H0..H_max_dim
    std::optional<double> threshold;   // none: the enclosing radius
    int coeff = 2;                     // prime p of Z/p
    int threads = 0;                   // 0: all cores
    bool collapse = true;              // edge collapse before reduction where the backend supports it
    double sparse_epsilon = 0;         // in (0, 1): sparse Rips, diagram within a factor 1/(1 - eps) (docs/persistence.md)
    /// Representatives (native backend) of the classes of dimension >= 1 that are among the `representatives`
    /// longest of their dimension (0: no limit) and at least `min_persistence` long (< 0: no limit); none
    /// when both are unset. Turns the edge collapse off (the cycles live in the uncollapsed complex).
    std::size_t representatives = 0;
    double min_persistence = -1;
    bool wants_representatives() const { return representatives > 0 || min_persistence >= 0; }
};

}  // namespace actopo
