#include "native/cohomology.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <string>
#include <unordered_map>

#include "actopo/core.hpp"
#include "native/parallel.hpp"

namespace actopo::native {
namespace {

/// The working column: a heap of entries whose top is the earliest in the filtration.
class WorkingColumn {
public:
    void clear() {
        heap_.clear();
        limit_ = limit_floor;
    }
    /// Gives the memory back (a block of parked columns would otherwise keep its largest heaps).
    void release() {
        std::vector<Entry>().swap(heap_);
        limit_ = limit_floor;
    }
    void push(const Entry& e) {
        // Large heaps grow by a quarter, not double: a reallocation holds old and new buffers at once.
        if (heap_.size() == heap_.capacity() && heap_.size() >= (std::size_t(1) << 16))
            heap_.reserve(heap_.size() + heap_.size() / 4);
        heap_.push_back(e);
        std::push_heap(heap_.begin(), heap_.end(), Later{});
    }
    /// Above 2^22 entries (64 MB) and half again the size after the last compaction: sums the entries of each
    /// simplex, drops the zero ones (over Z/2 many additions cancel). A memory guard only: each compaction
    /// sorts the whole heap, and at 2^18 entries that sorting took a third of the time on dragon_2000.
    void compact_if_large(std::uint32_t p) {
        if (heap_.size() > limit_) compact(p);
    }
    void compact(std::uint32_t p) {
        std::sort(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
        std::size_t w = 0;
        for (std::size_t i = 0; i < heap_.size();) {
            Entry sum = heap_[i++];
            while (i < heap_.size() && heap_[i].idx == sum.idx) sum.coeff = (sum.coeff + heap_[i++].coeff) % p;
            if (sum.coeff) heap_[w++] = sum;
        }
        heap_.resize(w);
        std::make_heap(heap_.begin(), heap_.end(), Later{});
        limit_ = std::max(limit_floor, w + w / 2);
        if (heap_.capacity() > 4 * limit_) heap_.shrink_to_fit();
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
    struct Later {  // heap order: the front is the earliest entry
        bool operator()(const Entry& a, const Entry& b) const { return filtration_before(b.idx, b.diam, a.idx, a.diam); }
    };
    Entry pop() {
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        Entry e = heap_.back();
        heap_.pop_back();
        return e;
    }
    static constexpr std::size_t limit_floor = 1 << 22;
    std::vector<Entry> heap_;
    std::size_t limit_ = limit_floor;

public:
    std::size_t size() const { return heap_.size(); }
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
    Entry found{-1, 0, 0};
    cx.for_each_cofacet(s, dim, vs, s.diam, [&](const Entry& t, std::uint32_t v, int j) {
        for (int a = 0; a < j; ++a) {  // facets t - vs[a] (a above v) must be strictly earlier than s
            float diam = cx.diameter_without(vs, dim, a);
            for (int u = 0; u <= dim && diam < s.diam; ++u)
                if (u != a) diam = std::max(diam, cx.dist(v, vs[u]));
            if (diam >= s.diam) return false;
        }
        found = t;
        return false;
    });
    return found;
}

}  // namespace

/// The facet s of t (dimension dim + 1, vertices vt largest first) with which t forms an apparent pair,
/// with the coefficient of t in the coboundary of s; idx = -1 when t is in no apparent pair.
/// Apparent pivots are not stored in the pivot table: they are recognised by this test.
Entry apparent_facet(const Complex& cx, const Entry& t, int dim, const std::uint32_t* vt) {
    for (int a = 0; a <= dim + 1; ++a) {  // the latest facet of t's diameter: drop the highest vertex possible
        if (cx.diameter_without(vt, dim + 1, a) < t.diam) continue;
        std::uint32_t vs[16];
        index_t idx = 0;
        for (int i = 0, k = 0; i <= dim + 1; ++i)
            if (i != a) {
                vs[k] = vt[i];
                idx += cx.binom(vt[i], dim + 1 - k);
                ++k;
            }
        bool earliest = false;  // t must be the first cofacet of s's diameter in decreasing index order
        cx.for_each_cofacet(Simplex{idx, t.diam}, dim, vs, t.diam, [&](const Entry&, std::uint32_t w, int) {
            earliest = w == vt[a];
            return false;
        });
        return earliest ? Entry{idx, t.diam, std::uint32_t((a & 1) ? cx.p - 1 : 1u)} : Entry{-1, 0, 0};
    }
    return Entry{-1, 0, 0};
}

namespace {

/// The column reduction of one dimension. A column's state is its working coboundary (a heap) and its
/// reduction column V (entries (simplex, coeff), {the column's simplex} when not stored).
class Reducer {
public:
    Reducer(const Complex& cx, int dim, const std::vector<Simplex>& columns, DimensionResult& out)
        : cx_(cx), dim_(dim), p_(cx.p), inv_(inverses(cx.p)), columns_(columns), out_(out) {}

    struct State {
        WorkingColumn work;
        std::vector<Entry> v;
        std::vector<std::uint32_t> vs;
        Entry emergent{-1, 0, 0};  // earliest cofacet of equal diameter, not a pivot when last checked
        bool redo = false;         // parallel work dropped (its heap was too large to park): start over
    };

    /// Starts column c: its coboundary, unless an emergent pair is found (then only state.emergent is set).
    void start(std::size_t c, State& st, bool check_emergent) const {
        const Simplex& s = columns_[c];
        st.work.clear();
        st.v.assign(1, Entry{s.idx, s.diam, 1});
        st.emergent = Entry{-1, 0, 0};
        st.vs.resize(std::size_t(dim_) + 2);
        cx_.binom.vertices(s.idx, dim_, cx_.n, st.vs.data());
        cx_.for_each_cofacet(s, dim_, st.vs.data(), [&](const Entry& e, std::uint32_t v, int j) {
            if (check_emergent && e.diam == s.diam) {
                if (!out_.pivots.contains(e.idx) && !apparent_pivot(e, st.vs.data(), v, j)) {
                    st.emergent = e;
                    return false;
                }
                check_emergent = false;
            }
            st.work.push(e);
            return true;
        });
    }

    /// Adds known columns while the pivot is in the table; returns false when the column became zero,
    /// else true with the pivot left in the heap and returned in `pivot`.
    /// With a cap (parallel phase), gives up (st.redo) when the working column stays above cap entries.
    bool reduce(State& st, Entry& pivot, std::size_t cap = std::numeric_limits<std::size_t>::max()) const {
        while (st.work.pop_pivot(p_, pivot)) {
            if (st.work.size() > cap) {
                st.work.compact(p_);
                if (st.work.size() > cap) {
                    st.redo = true;
                    return false;
                }
            }
            st.work.push(pivot);
            const PivotValue* other = out_.pivots.find(pivot.idx);
            if (!other) {
                std::uint32_t vt[16];
                cx_.binom.vertices(pivot.idx, dim_ + 1, cx_.n, vt);
                Entry s = apparent_facet(cx_, pivot, dim_, vt);
                if (s.idx < 0) return true;
                // its column is the coboundary of s, in which the pivot has coefficient s.coeff
                add(st, Entry{s.idx, s.diam, std::uint32_t(std::uint64_t(p_ - pivot.coeff) * inv_[s.coeff] % p_)});
                continue;
            }
            // pivot + factor * other.coeff == 0 (mod p): add factor * (reduced column of `other`).
            std::uint32_t factor = std::uint32_t(std::uint64_t(p_ - pivot.coeff) * inv_[other->coeff] % p_);
            std::uint32_t j = other->column;
            auto slot = v_slot_.find(j);
            if (slot == v_slot_.end()) {
                add(st, Entry{columns_[j].idx, columns_[j].diam, std::uint32_t(factor)});
            } else {
                for (std::size_t k = v_offset_[slot->second]; k < v_offset_[slot->second + 1]; ++k)
                    add(st, Entry{v_entries_[k].idx, v_entries_[k].diam, std::uint32_t(std::uint64_t(v_entries_[k].coeff) * factor % p_)});
            }
        }
        return false;
    }

    /// Column c is done: record its interval and its pivot (with V when not trivial).
    void finish(std::size_t c, State& st, bool has_pivot, const Entry& pivot) {
        const Simplex& s = columns_[c];
        if (!has_pivot) {
            out_.intervals.push_back({s.diam, std::numeric_limits<float>::infinity()});
            return;
        }
        if (s.diam < pivot.diam) out_.intervals.push_back({s.diam, pivot.diam});
        out_.pivots.insert(pivot.idx, {std::uint32_t(c), pivot.coeff});
        if (st.v.size() <= 1) return;
        std::sort(st.v.begin(), st.v.end(), [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
        v_slot_.emplace(std::uint32_t(c), std::uint32_t(v_offset_.size() - 1));
        for (std::size_t i = 0; i < st.v.size();) {  // entries summed per simplex
            Entry sum = st.v[i++];
            while (i < st.v.size() && st.v[i].idx == sum.idx) sum.coeff = (sum.coeff + st.v[i++].coeff) % p_;
            if (sum.coeff) v_entries_.push_back(sum);
        }
        v_offset_.push_back(v_entries_.size());
    }

    /// Column c from scratch to the end (the sequential algorithm).
    void run(std::size_t c, State& st) {
        start(c, st, true);
        if (st.emergent.idx >= 0) {
            out_.pivots.insert(st.emergent.idx, {std::uint32_t(c), st.emergent.coeff});
            return;
        }
        Entry pivot;
        bool has_pivot = reduce(st, pivot);
        finish(c, st, has_pivot, pivot);
    }

    /// Column c after a parallel start: the emergent candidate may have been taken meanwhile.
    /// The state's memory is released afterwards.
    void resume(std::size_t c, State& st) {
        if (st.redo) {
            st.redo = false;
            run(c, st);
        } else {
            finish_resumed(c, st);
        }
        st.work.release();
        std::vector<Entry>().swap(st.v);
    }

private:
    void finish_resumed(std::size_t c, State& st) {
        if (st.emergent.idx >= 0) {
            if (!out_.pivots.contains(st.emergent.idx)) {
                out_.pivots.insert(st.emergent.idx, {std::uint32_t(c), st.emergent.coeff});
                return;
            }
            start(c, st, false);
        }
        Entry pivot;
        bool has_pivot = reduce(st, pivot);
        finish(c, st, has_pivot, pivot);
    }

    /// Whether cofacet e = s + v (v below j vertices of s) is the pivot of an apparent pair.
    bool apparent_pivot(const Entry& e, const std::uint32_t* vs, std::uint32_t v, int j) const {
        std::uint32_t vt[16];
        for (int i = 0, k = 0; i <= dim_ + 1; ++i) vt[i] = i == j ? v : vs[k++];
        return apparent_facet(cx_, e, dim_, vt).idx >= 0;
    }

    void add(State& st, const Entry& u) const {  // st += u.coeff * coboundary(u)
        std::uint32_t vs[16];
        cx_.binom.vertices(u.idx, dim_, cx_.n, vs);
        cx_.for_each_cofacet(Simplex{u.idx, u.diam}, dim_, vs, [&](Entry e, std::uint32_t, int) {
            e.coeff = std::uint32_t(std::uint64_t(e.coeff) * u.coeff % p_);
            st.work.push(e);
            return true;
        });
        st.work.compact_if_large(p_);
        st.v.push_back(u);
    }

    const Complex& cx_;
    int dim_;
    std::uint32_t p_;
    std::vector<std::uint32_t> inv_;
    const std::vector<Simplex>& columns_;
    DimensionResult& out_;
    std::unordered_map<std::uint32_t, std::uint32_t> v_slot_;  // column -> its stored V (only if not trivial)
    std::vector<std::size_t> v_offset_{0};
    std::vector<Entry> v_entries_;
};

}  // namespace

DimensionResult reduce_dimension(const Complex& cx, int dim, const std::vector<Simplex>& columns, int threads) {
    if (dim + 1 > 14) throw UserError("native backend: dimension " + std::to_string(dim) + " is above the supported 13");
    DimensionResult out;

    // 1. Columns in apparent pairs, found in parallel (each independently): they need no reduction, and
    //    their pivots are recognised by apparent_facet instead of being stored.
    std::vector<std::uint8_t> apparent(columns.size(), 0);
    std::atomic<std::size_t> chunks{0};  // chunks of 1024 columns taken dynamically
    run_threads(threads, [&](int) {
        std::vector<std::uint32_t> vs(std::size_t(dim) + 2);
        for (std::size_t begin; (begin = 1024 * chunks.fetch_add(1, std::memory_order_relaxed)) < columns.size();) {
            if (cancel_requested()) return;
            for (std::size_t c = begin; c < std::min(columns.size(), begin + 1024); ++c) {
                cx.binom.vertices(columns[c].idx, dim, cx.n, vs.data());
                apparent[c] = apparent_cofacet(cx, columns[c], dim, vs.data()).idx >= 0;
            }
        }
    });
    throw_if_cancelled();
    out.pivots = PivotMap(std::size_t(std::count(apparent.begin(), apparent.end(), std::uint8_t(0))));

    // 2. The other columns, in order. With several threads, blocks of columns are first reduced in
    //    parallel against the pivots of the earlier blocks (the table is read-only then), then finished
    //    in order. Any order of valid column additions gives the same pairs, so the diagram does not
    //    depend on the thread count.
    Reducer reducer(cx, dim, columns, out);
    if (threads <= 1) {
        Reducer::State st;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if ((c & 4095) == 0) throw_if_cancelled();
            if (!apparent[c]) reducer.run(c, st);
        }
        return out;
    }
    // Blocks hold only columns that need work (apparent ones are skipped), and are small enough that
    // the heaps parked between the two phases stay a few MB.
    const std::size_t block = 16 * std::size_t(threads);
    const std::size_t park_limit = 16384;  // entries (256 KB); a larger heap is recomputed in order
    std::vector<Reducer::State> states(block);
    std::vector<std::uint32_t> todo;
    todo.reserve(block);
    WorkerTeam team(threads);
    for (std::size_t next = 0;;) {
        throw_if_cancelled();
        todo.clear();
        for (; next < columns.size() && todo.size() < block; ++next)
            if (!apparent[next]) todo.push_back(std::uint32_t(next));
        if (todo.empty()) break;
        team.for_each(todo.size(), [&](std::size_t i) {
            Reducer::State& st = states[i];
            Entry pivot;
            reducer.start(todo[i], st, true);
            if (st.emergent.idx < 0) {
                reducer.reduce(st, pivot, park_limit);
                if (st.redo) st.work.release();  // too large to park: redone in order
            } else {
                st.work.release();  // rebuilt in the rare case that the candidate is taken meanwhile
            }
        });
        for (std::size_t i = 0; i < todo.size(); ++i) reducer.resume(todo[i], states[i]);
    }
    return out;
}

std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads,
                                   const DimensionResult* clear) {
    std::vector<std::vector<Simplex>> parts(std::size_t(std::max(1, threads)));
    run_threads(threads, [&](int t) {
        std::size_t begin = simplices.size() * std::size_t(t) / parts.size();
        std::size_t end = simplices.size() * std::size_t(t + 1) / parts.size();
        std::vector<std::uint32_t> vs(std::size_t(dim) + 1);
        std::uint32_t vt[16];
        auto& part = parts[std::size_t(t)];
        for (std::size_t i = begin; i < end; ++i) {
            if ((i & 4095) == 0 && cancel_requested()) return;
            const Simplex& s = simplices[i];
            cx.binom.vertices(s.idx, dim, cx.n, vs.data());
            cx.for_each_cofacet(s, dim, vs.data(), [&](const Entry& e, std::uint32_t v, int j) {
                if (j > 0) return false;  // only cofacets adding a vertex above the top one
                if (clear) {  // skip pivots (clearing) and apparent pairs: they are no columns
                    if (clear->pivots.contains(e.idx)) return true;
                    vt[0] = v;
                    for (int u = 0; u <= dim; ++u) vt[u + 1] = vs[std::size_t(u)];
                    if (apparent_facet(cx, e, dim, vt).idx >= 0) return true;
                }
                part.push_back(Simplex{e.idx, e.diam});
                return true;
            });
        }
    });
    throw_if_cancelled();
    if (parts.size() == 1) return std::move(parts[0]);
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

std::vector<Simplex> next_columns(const Complex& cx, int dim, const std::vector<Simplex>& next,
                                  const DimensionResult& result, int threads) {
    std::vector<std::vector<Simplex>> parts(std::size_t(std::max(1, threads)));
    run_threads(threads, [&](int t) {
        std::size_t begin = next.size() * std::size_t(t) / parts.size();
        std::size_t end = next.size() * std::size_t(t + 1) / parts.size();
        std::uint32_t vt[16];
        for (std::size_t i = begin; i < end; ++i) {
            if ((i & 4095) == 0 && cancel_requested()) return;
            const Simplex& s = next[i];
            if (result.pivots.contains(s.idx)) continue;
            cx.binom.vertices(s.idx, dim + 1, cx.n, vt);
            if (apparent_facet(cx, Entry{s.idx, s.diam, 1}, dim, vt).idx < 0) parts[std::size_t(t)].push_back(s);
        }
    });
    throw_if_cancelled();
    std::vector<Simplex> columns;
    for (auto& part : parts) {
        columns.insert(columns.end(), part.begin(), part.end());
        std::vector<Simplex>().swap(part);
    }
    parallel_sort(columns, threads, [](const Simplex& a, const Simplex& b) { return column_order(a, b); });
    return columns;
}

}  // namespace actopo::native
