// Sliced Wasserstein distance (Carriere et al.), in persim's convention (papers.md): directions
// theta_i = pi (1/2 + i/M), i = 0..M-1; each diagram is completed with the diagonal projections
// ((b+d)/2, (b+d)/2) of the other's points; per direction the L1 distance between the sorted
// projections; the result is the mean over the M directions. Finite pairs only.
#include <algorithm>
#include <cmath>

#include "actopo/distances.hpp"
#include "distances/finite.hpp"

namespace actopo {

double sliced_wasserstein_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options) {
    if (options.directions < 1)
        throw UserError("sliced Wasserstein needs at least 1 direction, got " + std::to_string(options.directions));
    const auto pa = detail::split_diagram(a).finite, pb = detail::split_diagram(b).finite;
    const std::size_t total = pa.size() + pb.size();
    std::vector<double> va(total), vb(total);
    const int M = options.directions;
    double sum = 0;
    for (int i = 0; i < M; ++i) {
        const double theta = M_PI * (0.5 + double(i) / M), c = std::cos(theta), s = std::sin(theta);
        auto project = [&](double x, double y) { return c * x + s * y; };
        std::size_t k = 0;
        for (const auto& p : pa) va[k++] = project(p.b, p.d);
        for (const auto& p : pb) va[k++] = project((p.b + p.d) / 2, (p.b + p.d) / 2);
        k = 0;
        for (const auto& p : pb) vb[k++] = project(p.b, p.d);
        for (const auto& p : pa) vb[k++] = project((p.b + p.d) / 2, (p.b + p.d) / 2);
        std::sort(va.begin(), va.end());
        std::sort(vb.begin(), vb.end());
        double l1 = 0;
        for (std::size_t t = 0; t < total; ++t) l1 += std::fabs(va[t] - vb[t]);
        sum += l1;
    }
    return sum / M;
}

}  // namespace actopo
