#include "native/distances.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "native/parallel.hpp"

namespace actopo::native {

DenseDistances dense_distances(const RipsInput& input, int threads) {
    if (input.n >= (std::size_t(1) << 31)) throw UserError("native backend: too many points (" + std::to_string(input.n) + ")");
    DenseDistances d;
    d.n = std::uint32_t(input.n);
    if (input.kind != RipsInput::Kind::points) {
        d.lower = input.lower_triangle();
    } else {
        d.lower.resize(input.n * (input.n ? input.n - 1 : 0) / 2);
        run_threads(threads, [&](int t) {  // rows interleaved across threads: balanced, deterministic values
            for (std::size_t i = std::size_t(t) + 1; i < input.n; i += std::size_t(threads)) {
                if ((i & 255) == 0 && cancel_requested()) return;
                float* row = d.lower.data() + i * (i - 1) / 2;
                for (std::size_t j = 0; j < i; ++j) row[j] = float(prepared_distance(input.points, i, j, input.metric));
            }
        });
        throw_if_cancelled();
    }
    for (std::size_t k = 0; k < d.lower.size(); ++k)
        if (std::isnan(d.lower[k]) || d.lower[k] < 0)
            throw UserError("native backend: distance entry " + std::to_string(k) + " of the lower triangle is " +
                            std::to_string(d.lower[k]) + "; expected a number >= 0");
    return d;
}

float enclosing_radius(const DenseDistances& d) {
    if (d.n <= 1) return 0;
    std::vector<float> row_max(d.n, 0.0f);
    std::size_t k = 0;
    for (std::uint32_t i = 1; i < d.n; ++i)
        for (std::uint32_t j = 0; j < i; ++j, ++k) {
            row_max[i] = std::max(row_max[i], d.lower[k]);
            row_max[j] = std::max(row_max[j], d.lower[k]);
        }
    return *std::min_element(row_max.begin(), row_max.end());
}

}  // namespace actopo::native
