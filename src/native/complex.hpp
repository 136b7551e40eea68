#pragma once
// The Rips complex kept implicit: simplices are (index, diameter) in the combinatorial number system,
// cofacets are enumerated on the fly from the distances, only those with diameter <= threshold exist.
// Filtration order: diameter ascending, then index DEScending; columns are reduced in the reverse order.
#include <cstdint>
#include <vector>

#include "native/binomial.hpp"
#include "native/distances.hpp"

namespace actopo::native {

struct Simplex {
    index_t idx;
    float diam;
};
/// A coboundary entry: a simplex with its coefficient in Z/p.
struct Entry {
    index_t idx;
    float diam;
    std::uint32_t coeff;
};

/// a comes before b in the filtration.
inline bool filtration_before(index_t ai, float ad, index_t bi, float bd) { return ad < bd || (ad == bd && ai > bi); }
/// Processing order of columns (reverse filtration).
inline bool column_order(const Simplex& a, const Simplex& b) { return filtration_before(b.idx, b.diam, a.idx, a.diam); }

class Complex {
public:
    Complex(const DenseDistances& d, float threshold, int max_dim, std::uint32_t p)
        : dist(d), binom(d.n, max_dim + 2), threshold(threshold), p(p), n(d.n) {}

    /// Calls f(Entry) for each cofacet of s (dim `dim`, vertices `vs` largest first) within the threshold,
    /// in decreasing index order; stops when f returns false. Coefficient (-1)^(vertices of s above the new one).
    template <class F>
    void for_each_cofacet(const Simplex& s, int dim, const std::uint32_t* vs, F&& f) const {
        index_t below = s.idx, above = 0;
        int j = 0;
        for (std::int64_t v = std::int64_t(n) - 1; v >= 0; --v) {
            if (j <= dim && vs[j] == std::uint32_t(v)) {
                below -= binom(v, dim + 1 - j);
                above += binom(v, dim + 2 - j);
                ++j;
                continue;
            }
            float diam = s.diam;
            for (int u = 0; u <= dim && diam <= threshold; ++u) diam = std::max(diam, dist(std::uint32_t(v), vs[u]));
            if (diam > threshold) continue;
            Entry e{above + binom(v, dim + 2 - j) + below, diam, (j & 1) ? p - 1 : 1u};
            if (!f(e)) return;
        }
    }
    /// Diameter of the simplex with vertices vs[0..dim] minus vs[skip].
    float diameter_without(const std::uint32_t* vs, int dim, int skip) const {
        float diam = 0;
        for (int a = 0; a <= dim; ++a)
            for (int b = a + 1; b <= dim; ++b)
                if (a != skip && b != skip) diam = std::max(diam, dist(vs[a], vs[b]));
        return diam;
    }

    const DenseDistances& dist;
    Binomial binom;
    float threshold;
    std::uint32_t p;
    std::uint32_t n;
};

}  // namespace actopo::native
