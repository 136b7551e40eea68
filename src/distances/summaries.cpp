// Vector summaries of a diagram (Betti curves, landscapes, images), scalar ones (entropy, total
// persistence), and the L_p distance between sampled summaries.
#include <algorithm>
#include <cmath>

#include "actopo/distances.hpp"
#include "distances/finite.hpp"

namespace actopo {

Grid grid_for(const std::vector<Diagram>& diagrams, std::size_t samples) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& d : diagrams)
        for (const auto& p : d.pairs) {
            lo = std::min(lo, p.birth);
            hi = std::max(hi, p.birth);
            if (!p.essential()) hi = std::max(hi, p.death);
        }
    if (lo > hi) lo = 0, hi = 1;
    if (lo == hi) hi = lo + 1;
    return {lo, hi, samples};
}

std::vector<double> betti_curve(const Diagram& d, const Grid& grid) {
    std::vector<double> out(grid.samples, 0.0);
    for (std::size_t i = 0; i < grid.samples; ++i) {
        double t = grid.at(i);
        for (const auto& p : d.pairs)
            if (p.birth <= t && t < p.death) out[i] += 1;
    }
    return out;
}

std::vector<double> persistence_landscape(const Diagram& d, int levels, const Grid& grid) {
    if (levels < 1) throw UserError("a persistence landscape needs at least 1 level, got " + std::to_string(levels));
    const auto finite = detail::split_diagram(d).finite;
    std::vector<double> out(std::size_t(levels) * grid.samples, 0.0), tents;
    for (std::size_t i = 0; i < grid.samples; ++i) {
        double t = grid.at(i);
        tents.clear();
        for (const auto& p : finite) {
            double v = std::min(t - p.b, p.d - t);
            if (v > 0) tents.push_back(v);
        }
        std::sort(tents.begin(), tents.end(), std::greater<double>());
        for (std::size_t k = 0; k < tents.size() && k < std::size_t(levels); ++k) out[k * grid.samples + i] = tents[k];
    }
    return out;
}

std::vector<double> persistence_image(const Diagram& d, const ImageOptions& o) {
    if (o.resolution < 1 || !(o.sigma > 0) || !(o.birth_hi > o.birth_lo) || !(o.max_persistence > 0))
        throw UserError("persistence image needs resolution >= 1, sigma > 0, birth_hi > birth_lo, max_persistence > 0");
    const auto finite = detail::split_diagram(d).finite;
    const std::size_t r = o.resolution;
    std::vector<double> img(r * r, 0.0);
    const double bw = (o.birth_hi - o.birth_lo) / double(r), pw = o.max_persistence / double(r);
    const double norm = 1 / (2 * M_PI * o.sigma * o.sigma);
    for (const auto& p : finite) {
        double pers = p.d - p.b, weight = std::min(1.0, pers / o.max_persistence);
        for (std::size_t row = 0; row < r; ++row) {
            double y = (double(row) + 0.5) * pw;
            for (std::size_t col = 0; col < r; ++col) {
                double x = o.birth_lo + (double(col) + 0.5) * bw;
                double dx = x - p.b, dy = y - pers;
                img[row * r + col] += weight * norm * std::exp(-(dx * dx + dy * dy) / (2 * o.sigma * o.sigma));
            }
        }
    }
    return img;
}

double persistence_entropy(const Diagram& d) {
    const auto finite = detail::split_diagram(d).finite;
    double total = 0;
    for (const auto& p : finite) total += p.d - p.b;
    if (total <= 0) return 0;
    double h = 0;
    for (const auto& p : finite) {
        double q = (p.d - p.b) / total;
        h -= q * std::log(q);
    }
    return h;
}

double total_persistence(const Diagram& d, double p) {
    double s = 0;
    for (const auto& pt : detail::split_diagram(d).finite) s += std::pow(pt.d - pt.b, p);
    return s;
}

double lp_distance(const std::vector<double>& f, const std::vector<double>& g, double p, double step) {
    if (f.size() != g.size())
        throw UserError("summaries of different lengths (" + std::to_string(f.size()) + " and " +
                        std::to_string(g.size()) + ") cannot be compared; use one grid");
    double s = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        double x = std::fabs(f[i] - g[i]);
        s = std::isinf(p) ? std::max(s, x) : s + std::pow(x, p) * step;
    }
    return std::isinf(p) ? s : std::pow(s, 1 / p);
}

}  // namespace actopo
