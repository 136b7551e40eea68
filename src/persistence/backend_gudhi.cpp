// The `gudhi` backend: GUDHI in-process. The flag complex of the edges within the threshold (reduced by
// GUDHI's edge collapse, which keeps the persistence diagram, when options.collapse), or GUDHI's sparse
// Rips complex when options.sparse_epsilon > 0; then GUDHI's persistent cohomology over Z/p.
#include <gudhi/Flag_complex_edge_collapser.h>
#include <gudhi/Persistent_cohomology.h>
#include <gudhi/Simplex_tree.h>
#include <gudhi/Sparse_rips_complex.h>

#include <cmath>
#include <tuple>

#include "persistence/internal.hpp"

namespace actopo::persistence_detail {
namespace {

using SimplexTree = Gudhi::Simplex_tree<Gudhi::Simplex_tree_options_fast_persistence>;
using Vertex = SimplexTree::Vertex_handle;
using Field = Gudhi::persistent_cohomology::Field_Zp;
using Cohomology = Gudhi::persistent_cohomology::Persistent_cohomology<SimplexTree, Field>;

void build_flag_complex(const RipsInput& input, double threshold, const RipsOptions& options, SimplexTree& st) {
    std::vector<std::tuple<Vertex, Vertex, double>> edges;
    for (const auto& e : edges_within(input, threshold)) edges.emplace_back(Vertex(e.i), Vertex(e.j), double(e.d));
    if (options.collapse) edges = Gudhi::collapse::flag_complex_collapse_edges(std::move(edges));
    for (std::size_t v = 0; v < input.n; ++v) st.insert_simplex({Vertex(v)}, 0.0);
    for (const auto& [i, j, d] : edges) st.insert_simplex({i, j}, d);
    throw_if_cancelled();
    st.expansion(options.max_dim + 1);
}

/// Without a given threshold the sparse filtration is not cut: its values exceed the distances by up to 1/(1 - eps),
/// so a cut at the enclosing radius would leave classes alive that the Rips filtration kills below it.
void build_sparse_rips(const RipsInput& input, double threshold, const RipsOptions& options, SimplexTree& st) {
    if (input.kind == RipsInput::Kind::sparse_edges)
        throw UserError("sparse Rips (--sparse) needs points or a full distance matrix, not a sparse edge list");
    std::vector<Vertex> vertices(input.n);
    for (std::size_t v = 0; v < input.n; ++v) vertices[v] = Vertex(v);
    auto distance = [&input](Vertex a, Vertex b) { return double(float(input.distance(a, b))); };
    Gudhi::rips_complex::Sparse_rips_complex<double> complex(vertices, distance, options.sparse_epsilon,
                                                              -std::numeric_limits<double>::infinity(), threshold);
    complex.create_complex(st, options.max_dim + 1);
}

class GudhiBackend : public PersistenceBackend {
public:
    std::string name() const override { return "gudhi"; }

    Diagrams compute(const RipsInput& input, const RipsOptions& options) const override {
        check_coefficient(options.coeff);
        const double threshold = effective_threshold(input, options);
        SimplexTree st;
        if (options.sparse_epsilon > 0)
            build_sparse_rips(input, options.threshold ? threshold : std::numeric_limits<double>::infinity(), options, st);
        else
            build_flag_complex(input, threshold, options, st);
        throw_if_cancelled();
        Cohomology pcoh(st);
        pcoh.init_coefficients(options.coeff);
        pcoh.compute_persistent_cohomology(0.0);
        Diagrams out;
        for (int k = 0; k <= options.max_dim; ++k) {
            Diagram d;
            d.dim = k;
            for (const auto& [b, dth] : pcoh.intervals_in_dimension(k))
                d.pairs.push_back({b, std::isinf(dth) ? std::numeric_limits<double>::infinity() : dth});
            out.dims.push_back(std::move(d));
        }
        canonicalize(out, options.max_dim);
        if (options.sparse_epsilon > 0) {  // (1, 1/(1 - eps))-interleaved with the Rips filtration (GUDHI's documentation)
            out.meta["approximation_factor"] = format_number(1 / (1 - options.sparse_epsilon));
        }
        return out;
    }
};

}  // namespace

std::unique_ptr<PersistenceBackend> make_gudhi_backend() { return std::make_unique<GudhiBackend>(); }

}  // namespace actopo::persistence_detail
