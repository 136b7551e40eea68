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

SummaryKind parse_summary_kind(const std::string& name) {
    if (name == "betti") return SummaryKind::betti;
    if (name == "landscape") return SummaryKind::landscape;
    if (name == "image") return SummaryKind::image;
    if (name == "entropy") return SummaryKind::entropy;
    if (name == "total-persistence") return SummaryKind::total_persistence;
    throw UserError("unknown summary '" + name + "'; expected betti, landscape, image, entropy or total-persistence");
}

std::string summary_kind_name(SummaryKind kind) {
    switch (kind) {
        case SummaryKind::betti: return "betti";
        case SummaryKind::landscape: return "landscape";
        case SummaryKind::image: return "image";
        case SummaryKind::entropy: return "entropy";
        case SummaryKind::total_persistence: return "total-persistence";
    }
    return "?";
}

bool is_summary_name(const std::string& name) {
    for (const char* n : {"betti", "landscape", "image", "entropy", "total-persistence"})
        if (name == n) return true;
    return false;
}

ImageOptions image_options_for(const std::vector<Diagram>& diagrams, std::size_t resolution, double sigma) {
    if (resolution < 1) throw UserError("summary --resolution must be at least 1");
    ImageOptions io;
    io.resolution = resolution;
    double lo = INFINITY, hi = -INFINITY, maxp = 0;
    for (const auto& d : diagrams)
        for (const auto& p : detail::split_diagram(d).finite) {
            lo = std::min(lo, p.b);
            hi = std::max(hi, p.b);
            maxp = std::max(maxp, p.d - p.b);
        }
    if (!(maxp > 0)) maxp = 1;
    if (!(lo <= hi)) lo = 0, hi = 0;
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(lo))) hi = lo + maxp;  // e.g. H0: every birth 0
    io.birth_lo = lo;
    io.birth_hi = hi;
    io.max_persistence = maxp;
    if (!(sigma >= 0) || !std::isfinite(sigma))  // 0: one pixel height; negative, NaN, inf: a typo
        throw UserError("--sigma must be a finite number >= 0 (0: one pixel height), got " + std::to_string(sigma));
    io.sigma = sigma > 0 ? sigma : maxp / double(resolution);
    return io;
}

SummaryTable summarize(const std::vector<Diagram>& diagrams, SummaryKind kind, const SummaryOptions& o) {
    if (!(o.lp >= 1)) throw UserError("summary distance: --lp must be >= 1 or inf, got " + std::to_string(o.lp));
    SummaryTable t;
    t.kind = kind;
    switch (kind) {
        case SummaryKind::betti:
        case SummaryKind::landscape: {
            if (o.samples < 2) throw UserError("summary --samples must be at least 2, got " + std::to_string(o.samples));
            const Grid grid = grid_for(diagrams, o.samples);
            t.cell = grid.step();
            const std::size_t levels = kind == SummaryKind::betti ? 1 : std::size_t(std::max(o.levels, 1));
            if (kind == SummaryKind::landscape) t.coords.push_back("level");
            t.coords.push_back("t");
            for (std::size_t k = 0; k < levels; ++k)
                for (std::size_t i = 0; i < grid.samples; ++i) {
                    if (kind == SummaryKind::landscape)
                        t.at.push_back({double(k + 1), grid.at(i)});
                    else
                        t.at.push_back({grid.at(i)});
                }
            for (const auto& d : diagrams)
                t.values.push_back(kind == SummaryKind::betti ? betti_curve(d, grid)
                                                              : persistence_landscape(d, o.levels, grid));
            break;
        }
        case SummaryKind::image: {
            if (o.resolution < 1) throw UserError("summary --resolution must be at least 1");
            const ImageOptions io = image_options_for(diagrams, o.resolution, o.sigma);
            const double lo = io.birth_lo, hi = io.birth_hi, maxp = io.max_persistence;
            const double bw = (hi - lo) / double(o.resolution), pw = maxp / double(o.resolution);
            t.cell = bw * pw;
            t.coords = {"row", "col", "birth", "persistence"};
            for (std::size_t r = 0; r < o.resolution; ++r)
                for (std::size_t c = 0; c < o.resolution; ++c)
                    t.at.push_back({double(r), double(c), lo + (double(c) + 0.5) * bw, (double(r) + 0.5) * pw});
            for (const auto& d : diagrams) t.values.push_back(persistence_image(d, io));
            break;
        }
        case SummaryKind::entropy:
        case SummaryKind::total_persistence:
            if (kind == SummaryKind::total_persistence && !(o.total_p > 0))
                throw UserError("total persistence needs --total-p > 0, got " + std::to_string(o.total_p));
            t.at.push_back({});
            for (const auto& d : diagrams)
                t.values.push_back({kind == SummaryKind::entropy ? persistence_entropy(d) : total_persistence(d, o.total_p)});
            break;
    }
    return t;
}

double summary_distance(const Diagram& a, const Diagram& b, SummaryKind kind, const SummaryOptions& o) {
    if (a.dim != b.dim)
        throw UserError("cannot compare diagrams of dimensions " + std::to_string(a.dim) + " and " + std::to_string(b.dim));
    const SummaryTable t = summarize({a, b}, kind, o);
    if (kind == SummaryKind::entropy || kind == SummaryKind::total_persistence)
        return std::fabs(t.values[0][0] - t.values[1][0]);
    return lp_distance(t.values[0], t.values[1], o.lp, t.cell);
}

NamedMatrix summary_distance_matrix(const std::vector<std::string>& names, const std::vector<Diagram>& diagrams,
                                    SummaryKind kind, const SummaryOptions& o) {
    if (names.size() != diagrams.size()) throw UserError("summary_distance_matrix: names and diagrams differ in number");
    for (const auto& d : diagrams)
        if (d.dim != diagrams.front().dim)
            throw UserError("cannot compare diagrams of dimensions " + std::to_string(diagrams.front().dim) + " and " +
                            std::to_string(d.dim));
    const SummaryTable t = summarize(diagrams, kind, o);
    NamedMatrix m;
    m.row_names = m.col_names = names;
    m.values.assign(names.size() * names.size(), 0.0);
    const bool scalar = kind == SummaryKind::entropy || kind == SummaryKind::total_persistence;
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = i + 1; j < names.size(); ++j)
            m.at(i, j) = m.at(j, i) = scalar ? std::fabs(t.values[i][0] - t.values[j][0])
                                             : lp_distance(t.values[i], t.values[j], o.lp, t.cell);
    return m;
}

}  // namespace actopo
