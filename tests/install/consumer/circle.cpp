// Twelve points on a circle: one long H1 class; its bottleneck distance to the empty diagram is half its life.
#include <cmath>
#include <cstdio>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"

int main() {
    actopo::Matrix points(12, 2);
    for (std::size_t i = 0; i < 12; ++i) {
        points(i, 0) = float(std::cos(2 * M_PI * double(i) / 12));
        points(i, 1) = float(std::sin(2 * M_PI * double(i) / 12));
    }
    actopo::RipsOptions options;
    options.max_dim = 1;
    const auto diagrams = actopo::compute_persistence(actopo::RipsInput::from_points(points, actopo::Metric::euclidean),
                                                      options, "native");
    const auto& h1 = diagrams.dim(1);
    actopo::Diagram empty;
    empty.dim = 1;
    std::printf("H1 %zu bottleneck-to-empty %.4f actopo %s\n", h1.pairs.size(),
                actopo::bottleneck_distance(h1, empty), actopo::version().c_str());
    return h1.pairs.size() == 1 ? 0 : 1;
}
