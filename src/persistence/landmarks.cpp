// Max-min (farthest point) landmarks: a prefix of the greedy permutation (actopo/diagrams.hpp), started from a seeded
// vertex. Every vertex is then within the covering radius of a landmark (docs/persistence.md).
#include <memory>

#include "actopo/persistence.hpp"

namespace actopo {

std::vector<std::size_t> maxmin_landmarks(const RipsInput& input, std::size_t count, std::uint64_t seed) {
    if (count == 0) throw UserError("--landmarks must be at least 1");
    if (input.kind == RipsInput::Kind::sparse_edges)
        throw UserError("landmarks need points or a full distance matrix, not a sparse edge list");
    const std::size_t n = input.n;
    if (count >= n) {
        std::vector<std::size_t> all(n);
        for (std::size_t i = 0; i < n; ++i) all[i] = i;
        return all;
    }
    return greedy_permutation(input, count, seed).order;
}

}  // namespace actopo

namespace actopo {

RipsInput select_vertices(const RipsInput& input, const std::vector<std::size_t>& rows) {
    if (input.kind == RipsInput::Kind::points) {
        Matrix chosen(rows.size(), input.points.cols);  // rows already prepared for the metric: kept as they are
        for (std::size_t r = 0; r < rows.size(); ++r)
            std::copy(input.points.row(rows[r]), input.points.row(rows[r]) + input.points.cols, chosen.row(r));
        RipsInput out = input;
        out.n = rows.size();
        out.owned = std::make_shared<const Matrix>(std::move(chosen));
        out.points = *out.owned;
        return out;
    }
    std::vector<float> lower;
    lower.reserve(rows.size() * (rows.size() ? rows.size() - 1 : 0) / 2);
    for (std::size_t i = 1; i < rows.size(); ++i)
        for (std::size_t j = 0; j < i; ++j) lower.push_back(float(input.distance(rows[i], rows[j])));
    return RipsInput::from_lower(rows.size(), std::move(lower));
}

}  // namespace actopo
