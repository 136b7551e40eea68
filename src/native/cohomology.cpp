#include "native/cohomology.hpp"

#include <algorithm>
#include <limits>
#include <queue>

#include "actopo/core.hpp"
#include "native/parallel.hpp"

namespace actopo::native {
namespace {

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

/// The working column: a heap of entries whose top is the earliest in the filtration.
class WorkingColumn {
public:
    void clear() { heap_.clear(); }
    void push(const Entry& e) {
        heap_.push_back(e);
        std::push_heap(heap_.begin(), heap_.end(), later);
    }
    /// Removes and returns the pivot (earliest entry with non-zero summed coefficient); false when zero.
    bool pop_pivot(std::uint32_t p, Entry& out) {
        while (!heap_.empty()) {
            out = pop();
            while (!heap_.empty() && heap_.front().idx == out.idx) out.coeff = (out.coeff + pop().coeff) % p;
            if (out.coeff != 0) return true;
        }
        return false;
    }

private:
    static bool later(const Entry& a, const Entry& b) { return filtration_before(b.idx, b.diam, a.idx, a.diam); }
    Entry pop() {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        Entry e = heap_.back();
        heap_.pop_back();
        return e;
    }
    std::vector<Entry> heap_;
};

std::vector<std::uint32_t> inverses(std::uint32_t p) {
    std::vector<std::uint32_t> inv(p, 0);
    if (p > 1) inv[1] = 1;
    for (std::uint32_t i = 2; i < p; ++i) inv[i] = std::uint32_t(p - std::uint64_t(p / i) * inv[p % i] % p);
    return inv;
}

/// The apparent pair of column s, if any: its earliest cofacet t (the first of s's diameter in decreasing
/// index order) exists and s is t's latest facet (no facet of t of that diameter has a smaller index,
/// i.e. none is t minus a vertex above the added one). Such a column needs no reduction: its pivot is t.
Entry apparent_cofacet(const Complex& cx, const Simplex& s, int dim, const std::uint32_t* vs) {
    index_t below = s.idx, above = 0;
    int j = 0;
    for (std::int64_t v = std::int64_t(cx.n) - 1; v >= 0; --v) {
        if (j <= dim && vs[j] == std::uint32_t(v)) {
            below -= cx.binom(v, dim + 1 - j);
            above += cx.binom(v, dim + 2 - j);
            ++j;
            continue;
        }
        bool within = true;
        for (int u = 0; u <= dim && within; ++u) within = cx.dist(std::uint32_t(v), vs[u]) <= s.diam;
        if (!within) continue;
        for (int a = 0; a < j; ++a) {  // facets t - vs[a] (a above v) must be strictly earlier than s
            float diam = cx.diameter_without(vs, dim, a);
            for (int u = 0; u <= dim && diam < s.diam; ++u)
                if (u != a) diam = std::max(diam, cx.dist(std::uint32_t(v), vs[u]));
            if (diam >= s.diam) return Entry{-1, 0, 0};
        }
        return Entry{above + cx.binom(v, dim + 2 - j) + below, s.diam, (j & 1) ? cx.p - 1 : 1u};
    }
    return Entry{-1, 0, 0};
}

}  // namespace

DimensionResult reduce_dimension(const Complex& cx, int dim, const std::vector<Simplex>& columns, int threads) {
    const std::uint32_t p = cx.p;
    const auto inv = inverses(p);
    DimensionResult out;
    out.pivots = PivotMap(columns.size());

    // 1. Apparent pairs, in parallel (each column independently; the result does not depend on threads).
    std::vector<Entry> apparent(columns.size(), Entry{-1, 0, 0});
    run_threads(threads, [&](int t) {
        std::vector<std::uint32_t> vs(std::size_t(dim) + 2);
        for (std::size_t c = std::size_t(t); c < columns.size(); c += std::size_t(threads)) {
            if ((c & 4095) == std::size_t(t) && cancel_requested()) return;
            const Simplex& s = columns[c];
            cx.binom.vertices(s.idx, dim, cx.n, vs.data());
            apparent[c] = apparent_cofacet(cx, s, dim, vs.data());
        }
    });
    throw_if_cancelled();
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (apparent[c].idx >= 0) out.pivots.insert(apparent[c].idx, {std::uint32_t(c), apparent[c].coeff});

    // 2. The other columns, in order. V of a column is {its simplex} unless stored in v_offset/v_entries.
    std::vector<std::uint32_t> v_slot(columns.size(), none);
    std::vector<std::size_t> v_offset{0};
    std::vector<Entry> v_entries;  // (simplex idx, diam, coeff) of the stored reduction columns
    WorkingColumn work;
    std::vector<Entry> v_work;
    std::vector<std::uint32_t> vs(std::size_t(dim) + 2);

    auto add_coboundary = [&](index_t idx, float diam, std::uint32_t factor) {
        cx.binom.vertices(idx, dim, cx.n, vs.data());
        cx.for_each_cofacet(Simplex{idx, diam}, dim, vs.data(), [&](Entry e) {
            e.coeff = std::uint32_t(std::uint64_t(e.coeff) * factor % p);
            work.push(e);
            return true;
        });
    };

    for (std::size_t c = 0; c < columns.size(); ++c) {
        if ((c & 4095) == 0) throw_if_cancelled();
        if (apparent[c].idx >= 0) continue;  // zero-length pair, pivot already recorded
        const Simplex& s = columns[c];
        work.clear();
        v_work.clear();
        v_work.push_back(Entry{s.idx, s.diam, 1});

        // Coboundary of s; an emergent pair (earliest cofacet of equal diameter, not yet a pivot) ends at once.
        cx.binom.vertices(s.idx, dim, cx.n, vs.data());
        bool check_emergent = true;
        Entry emergent{-1, 0, 0};
        cx.for_each_cofacet(s, dim, vs.data(), [&](const Entry& e) {
            if (check_emergent && e.diam == s.diam) {
                if (!out.pivots.contains(e.idx)) {
                    emergent = e;
                    return false;
                }
                check_emergent = false;
            }
            work.push(e);
            return true;
        });
        if (emergent.idx >= 0) {
            out.pivots.insert(emergent.idx, {std::uint32_t(c), emergent.coeff});
            continue;
        }

        Entry pivot;
        while (true) {
            if (!work.pop_pivot(p, pivot)) {
                out.intervals.push_back({s.diam, std::numeric_limits<float>::infinity()});
                break;
            }
            const PivotValue* other = out.pivots.find(pivot.idx);
            if (!other) {
                out.intervals.push_back({s.diam, pivot.diam});
                out.pivots.insert(pivot.idx, {std::uint32_t(c), pivot.coeff});
                if (v_work.size() > 1) {  // store V of this column, its entries summed per simplex
                    std::sort(v_work.begin(), v_work.end(), [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
                    v_slot[c] = std::uint32_t(v_offset.size() - 1);
                    for (std::size_t i = 0; i < v_work.size();) {
                        Entry sum = v_work[i++];
                        while (i < v_work.size() && v_work[i].idx == sum.idx) sum.coeff = (sum.coeff + v_work[i++].coeff) % p;
                        if (sum.coeff) v_entries.push_back(sum);
                    }
                    v_offset.push_back(v_entries.size());
                }
                break;
            }
            // pivot + factor * other.coeff == 0 (mod p): add factor * (reduced column of `other`).
            std::uint32_t factor = std::uint32_t(std::uint64_t(p - pivot.coeff) * inv[other->coeff] % p);
            work.push(pivot);
            std::uint32_t j = other->column;
            if (v_slot[j] == none) {
                add_coboundary(columns[j].idx, columns[j].diam, factor);
                v_work.push_back(Entry{columns[j].idx, columns[j].diam, factor});
            } else {
                for (std::size_t k = v_offset[v_slot[j]]; k < v_offset[v_slot[j] + 1]; ++k) {
                    std::uint32_t f = std::uint32_t(std::uint64_t(v_entries[k].coeff) * factor % p);
                    add_coboundary(v_entries[k].idx, v_entries[k].diam, f);
                    v_work.push_back(Entry{v_entries[k].idx, v_entries[k].diam, f});
                }
            }
        }
    }
    return out;
}

std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads) {
    std::vector<std::vector<Simplex>> parts(std::size_t(std::max(1, threads)));
    run_threads(threads, [&](int t) {
        std::size_t begin = simplices.size() * std::size_t(t) / parts.size();
        std::size_t end = simplices.size() * std::size_t(t + 1) / parts.size();
        std::vector<std::uint32_t> vs(std::size_t(dim) + 1);
        auto& part = parts[std::size_t(t)];
        for (std::size_t i = begin; i < end; ++i) {
            if ((i & 4095) == 0 && cancel_requested()) return;
            const Simplex& s = simplices[i];
            cx.binom.vertices(s.idx, dim, cx.n, vs.data());
            for (std::uint32_t v = vs[0] + 1; v < cx.n; ++v) {
                float diam = s.diam;
                for (int u = 0; u <= dim && diam <= cx.threshold; ++u) diam = std::max(diam, cx.dist(v, vs[u]));
                if (diam <= cx.threshold) part.push_back(Simplex{s.idx + cx.binom(v, dim + 2), diam});
            }
        }
    });
    throw_if_cancelled();
    std::size_t total = 0;
    for (auto& part : parts) total += part.size();
    std::vector<Simplex> out;
    out.reserve(total);
    for (auto& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
        std::vector<Simplex>().swap(part);
    }
    return out;
}

}  // namespace actopo::native
