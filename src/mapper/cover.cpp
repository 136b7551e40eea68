// Covers of the lens range: uniform or balanced overlapping intervals, boxes in 2-D.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "actopo/mapper.hpp"

namespace actopo::mapper {

CoverKind parse_cover(const std::string& name) {
    if (name == "uniform") return CoverKind::uniform;
    if (name == "balanced") return CoverKind::balanced;
    throw UserError("unknown cover '" + name + "' (expected uniform or balanced)");
}

namespace {

/// Ranks in [0, 1]; tied values share their mean rank so they land in the same intervals.
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<double> r = average_ranks(v);
    const double scale = 1.0 / double(std::max<std::size_t>(1, v.size() - 1));
    for (double& x : r) x = (x - 1.0) * scale;
    return r;
}

/// The K intervals of [lo, hi] with the given overlap (KeplerMapper/GUDHI convention).
std::vector<std::pair<double, double>> uniform_intervals(double lo, double hi, std::size_t k, double overlap) {
    const double step = (hi - lo) / double(k);
    const double half = step / (2.0 * (1.0 - overlap));
    std::vector<std::pair<double, double>> out(k);
    for (std::size_t i = 0; i < k; ++i) {
        double centre = lo + (double(i) + 0.5) * step;
        out[i] = {centre - half, centre + half};
    }
    return out;
}

/// Indices of the intervals holding v (intervals ascending, each overlapping only a few neighbours).
std::vector<std::size_t> holding(const std::vector<std::pair<double, double>>& iv, double lo, double hi, double v) {
    const std::size_t k = iv.size();
    const double step = (hi - lo) / double(k);
    const double guess = (v - lo) / step;
    const double reach = (iv[0].second - iv[0].first) / step + 1.0;
    const auto first = std::size_t(std::max(0.0, std::floor(guess - reach)));
    const auto last = std::size_t(std::min(double(k - 1), std::ceil(guess + reach)));
    std::vector<std::size_t> out;
    for (std::size_t i = first; i <= last; ++i)
        if (v >= iv[i].first && v <= iv[i].second) out.push_back(i);
    return out;
}

}  // namespace

Cover build_cover(const Lens& lens, const CoverOptions& o) {
    if (o.intervals == 0) throw UserError("--intervals must be at least 1 (got 0)");
    if (!(o.overlap > 0.0 && o.overlap < 1.0))
        throw UserError("--overlap must lie strictly between 0 and 1 (got " + std::to_string(o.overlap) + ")");
    if (o.fixed_bounds && !(o.lo < o.hi && std::isfinite(o.lo) && std::isfinite(o.hi)))
        throw UserError("--bounds lo,hi needs finite lo < hi (got " + std::to_string(o.lo) + "," +
                        std::to_string(o.hi) + ")");
    if (o.fixed_bounds && o.kind == CoverKind::balanced)
        throw UserError("--bounds applies to the uniform cover only (balanced intervals follow the data's quantiles)");
    const std::size_t n = lens.size();
    Cover cover;
    cover.intervals.resize(lens.dims);
    // per dimension: the value used for membership and the range the intervals span
    std::vector<std::vector<double>> value(lens.dims, std::vector<double>(n));
    std::vector<double> lo(lens.dims), hi(lens.dims);
    std::vector<bool> clamped(n, false);
    for (std::size_t d = 0; d < lens.dims; ++d) {
        for (std::size_t i = 0; i < n; ++i) value[d][i] = lens.at(i, d);
        if (o.kind == CoverKind::balanced) {
            value[d] = ranks(value[d]);
            lo[d] = 0;
            hi[d] = 1;
        } else if (o.fixed_bounds) {
            lo[d] = o.lo;
            hi[d] = o.hi;
            for (std::size_t i = 0; i < n; ++i)
                if (value[d][i] < o.lo || value[d][i] > o.hi) {
                    value[d][i] = std::clamp(value[d][i], o.lo, o.hi);
                    clamped[i] = true;
                }
        } else {
            auto [mn, mx] = std::minmax_element(value[d].begin(), value[d].end());
            lo[d] = *mn;
            hi[d] = *mx;
            if (!(lo[d] < hi[d])) throw UserError("the lens is constant; a cover needs a range of values");
        }
        cover.intervals[d] = uniform_intervals(lo[d], hi[d], o.intervals, o.overlap);
    }
    cover.clamped = std::size_t(std::count(clamped.begin(), clamped.end(), true));

    std::map<std::vector<std::size_t>, std::vector<std::size_t>> cells;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::vector<std::size_t>> per_dim(lens.dims);
        for (std::size_t d = 0; d < lens.dims; ++d)
            per_dim[d] = holding(cover.intervals[d], lo[d], hi[d], value[d][i]);
        if (lens.dims == 1) {
            for (auto a : per_dim[0]) cells[{a}].push_back(i);
        } else {
            for (auto a : per_dim[0])
                for (auto b : per_dim[1]) cells[{a, b}].push_back(i);
        }
    }
    for (auto& [cell, points] : cells) {
        CoverSet set;
        set.cell = cell;
        for (std::size_t d = 0; d < lens.dims; ++d) {
            if (o.kind == CoverKind::balanced) {  // report the lens values the quantile interval holds
                double mn = lens.at(points.front(), d), mx = mn;
                for (auto p : points) mn = std::min(mn, lens.at(p, d)), mx = std::max(mx, lens.at(p, d));
                set.box.push_back({mn, mx});
            } else {
                set.box.push_back(cover.intervals[d][cell[d]]);
            }
        }
        set.points = std::move(points);
        cover.sets.push_back(std::move(set));
    }
    return cover;
}

}  // namespace actopo::mapper
