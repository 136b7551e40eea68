// Canonical diagrams, the effective threshold, edge lists: shared by every backend.
#include <algorithm>
#include <cmath>

#include "persistence/internal.hpp"

namespace actopo::persistence_detail {

double effective_threshold(const RipsInput& input, const RipsOptions& options) {
    double t = options.threshold ? *options.threshold : input.enclosing_radius();
    if (std::isnan(t) || t < 0)
        throw UserError("the threshold must be a non-negative number, got " + std::to_string(t));
    return std::isinf(t) ? t : double(float(t));
}

void canonicalize(Diagrams& diagrams, int max_dim) {
    std::vector<Diagram> dims(std::size_t(max_dim) + 1);
    for (int k = 0; k <= max_dim; ++k) dims[k].dim = k;
    for (auto& d : diagrams.dims) {
        if (d.dim < 0 || d.dim > max_dim) continue;
        auto& out = dims[d.dim].pairs;
        for (const auto& p : d.pairs)
            if (p.death > p.birth) out.push_back(p);
        dims[d.dim].representatives = std::move(d.representatives);
    }
    for (auto& d : dims)
        std::sort(d.pairs.begin(), d.pairs.end(), [](const PersistencePair& a, const PersistencePair& b) {
            return a.birth != b.birth ? a.birth < b.birth : a.death < b.death;
        });
    diagrams.dims = std::move(dims);
}

void check_coefficient(int p) {
    bool prime = p >= 2 && p <= 65535;
    for (int q = 2; prime && q * q <= p; ++q)
        if (p % q == 0) prime = false;
    if (!prime) throw UserError("--coeff must be a prime between 2 and 65535, got " + std::to_string(p));
}

std::vector<RipsInput::Edge> edges_within(const RipsInput& input, double threshold) {
    std::vector<RipsInput::Edge> out;
    if (input.kind == RipsInput::Kind::sparse_edges) {
        for (const auto& e : input.edges)
            if (e.i != e.j && e.d <= threshold) out.push_back(e);
        return out;
    }
    const auto lower = input.lower_triangle();
    std::size_t k = 0;
    for (std::uint32_t i = 1; i < input.n; ++i) {
        throw_if_cancelled();
        for (std::uint32_t j = 0; j < i; ++j, ++k)
            if (lower[k] <= threshold) out.push_back({i, j, lower[k]});
    }
    return out;
}

}  // namespace actopo::persistence_detail
