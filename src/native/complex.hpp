#pragma once
// The Rips complex kept implicit: simplices are (index, diameter) in the combinatorial number system,
// cofacets are enumerated on the fly from the distances, only those with diameter <= threshold exist.
// Filtration order: diameter ascending, then index DEScending; columns are reduced in the reverse order.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "native/binomial.hpp"
#include "native/distances.hpp"
#include "native/neighbors.hpp"

namespace actopo::native {

// 12 bytes, not 16: the column lists are the largest arrays of the engine (x86 reads the unaligned index).
#pragma pack(push, 4)
struct Simplex {
    index_t idx;
    float diam;
};
#pragma pack(pop)
static_assert(sizeof(Simplex) == 12, "Simplex must be 12 bytes");
/// A coboundary entry: a simplex with its coefficient in Z/p (p <= 65521).
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
    /// sparse: enumerate cofacets by intersecting neighbour lists (few edges within the threshold)
    /// instead of scanning all n vertices.
    Complex(const DenseDistances& d, float threshold, int max_dim, std::uint32_t p, bool sparse);
    /// The sparse path without the triangle: distances are looked up in the lists.
    Complex(NeighborLists lists, float threshold, int max_dim, std::uint32_t p);

    /// d(i, j); +inf beyond the threshold on the path without the triangle.
    float distance(std::uint32_t i, std::uint32_t j) const { return dense_ ? (*dense_)(i, j) : neighbors_(i, j); }

    /// Calls f(entry, added vertex v, j = number of vertices of s above v) for each cofacet of s
    /// (dimension `dim`, vertices `vs` largest first) with diameter <= bound (<= threshold), in
    /// decreasing index order; stops when f returns false. Coefficient (-1)^j.
    template <class F>
    void for_each_cofacet(const Simplex& s, int dim, const std::uint32_t* vs, float bound, F&& f) const {
        if (sparse_) {
            for_each_sparse_cofacet(s, dim, vs, bound, f);
            return;
        }
        index_t below = s.idx, above = 0;
        int j = 0;
        const float* lower = dense_->lower.data();
        for (std::int64_t v = std::int64_t(n) - 1; v >= 0; --v) {
            // d(w, x) for w > x lies in row w of the triangle, a cache line per w: fetched ahead.
            if (prefetch_ && v >= prefetch_ahead) {
                const std::size_t w = std::size_t(v - prefetch_ahead), row = w * (w - 1) / 2;
                for (int u = 0; u <= dim; ++u)
                    if (vs[u] < w) __builtin_prefetch(lower + row + vs[u]);
            }
            if (j <= dim && vs[j] == std::uint32_t(v)) {
                below -= binom(v, dim + 1 - j);
                above += binom(v, dim + 2 - j);
                ++j;
                continue;
            }
            float diam = s.diam;
            for (int u = 0; u <= dim && diam <= bound; ++u) diam = std::max(diam, (*dense_)(std::uint32_t(v), vs[u]));
            if (diam > bound) continue;
            if (!f(Entry{above + binom(v, dim + 2 - j) + below, diam, std::uint32_t((j & 1) ? p - 1 : 1u)}, std::uint32_t(v), j)) return;
        }
    }
    template <class F>
    void for_each_cofacet(const Simplex& s, int dim, const std::uint32_t* vs, F&& f) const {
        for_each_cofacet(s, dim, vs, threshold, f);
    }
    /// Calls f(u, d(v, u)) for each vertex u != v with d(v, u) <= bound (<= threshold): a scan of all
    /// vertices on the dense path, v's neighbour list on the sparse ones.
    template <class F>
    void for_each_neighbor(std::uint32_t v, float bound, F&& f) const {
        if (sparse_) {
            for (const Neighbor* nb = neighbors_.begin(v); nb != neighbors_.end(v); ++nb)
                if (nb->d <= bound) f(nb->v, nb->d);
            return;
        }
        for (std::uint32_t u = 0; u < n; ++u) {
            if (u == v) continue;
            const float d = (*dense_)(v, u);
            if (d <= bound) f(u, d);
        }
    }
    /// Diameter of the simplex with vertices vs[0..dim] minus vs[skip].
    float diameter_without(const std::uint32_t* vs, int dim, int skip) const {
        float diam = 0;
        for (int a = 0; a <= dim; ++a)
            for (int b = a + 1; b <= dim; ++b)
                if (a != skip && b != skip) diam = std::max(diam, distance(vs[a], vs[b]));
        return diam;
    }

    /// Cofacets from the neighbour lists (few pairs within the threshold), not a scan of all vertices.
    bool sparse() const { return sparse_; }

    Binomial binom;
    float threshold;
    std::uint32_t p;
    std::uint32_t n;

private:
    template <class F>
    void for_each_sparse_cofacet(const Simplex& s, int dim, const std::uint32_t* vs, float bound, F& f) const {
        int driver = 0;  // walk the shortest neighbour list, advance the others to each candidate
        for (int u = 1; u <= dim; ++u)
            if (neighbors_.size(vs[u]) < neighbors_.size(vs[driver])) driver = u;
        const Neighbor* pos[16];
        for (int u = 0; u <= dim; ++u) pos[u] = neighbors_.begin(vs[u]);
        index_t below = s.idx, above = 0;
        int j = 0;
        for (const Neighbor* nb = neighbors_.begin(vs[driver]); nb != neighbors_.end(vs[driver]); ++nb) {
            const std::uint32_t v = nb->v;
            float diam = std::max(s.diam, nb->d);
            bool common = true;
            for (int u = 0; u <= dim && common; ++u) {
                if (u == driver) continue;
                const Neighbor* end = neighbors_.end(vs[u]);
                while (pos[u] != end && pos[u]->v > v) ++pos[u];
                if (pos[u] == end) return;
                common = pos[u]->v == v;
                if (common) diam = std::max(diam, pos[u]->d);
            }
            if (!common || diam > bound) continue;
            while (j <= dim && vs[j] > v) {
                below -= binom(vs[j], dim + 1 - j);
                above += binom(vs[j], dim + 2 - j);
                ++j;
            }
            if (!f(Entry{above + binom(v, dim + 2 - j) + below, diam, std::uint32_t((j & 1) ? p - 1 : 1u)}, v, j)) return;
        }
    }

    static constexpr std::int64_t prefetch_ahead = 16;
    const DenseDistances* dense_;  // null on the path without the triangle
    bool prefetch_;                // the triangle is larger than the caches (prefetching a small one only costs)
    bool sparse_;
    NeighborLists neighbors_;  // sparse only
};

}  // namespace actopo::native
