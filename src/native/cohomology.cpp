#include "native/cohomology.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <queue>
#include <string>

#include <sys/mman.h>

#include "actopo/core.hpp"
#include "native/parallel.hpp"
#include "native/representatives.hpp"

namespace actopo::native {
namespace {

std::atomic<std::uint64_t> takeover_count{0};

/// Heap elements: an Entry as it is (WideKey), or over Z/2 with cofacet indices below 2^32 one 64-bit key,
/// the diameter's bits above the complemented index, so that smaller keys come first (PackedKey): half
/// the memory, which matters as the heaviest columns are bound by cache misses.
struct WideKey {
    using T = Entry;
    static T pack(const Entry& e) { return e; }
    static Entry unpack(const T& t) { return t; }
    static bool earlier(const T& a, const T& b) { return filtration_before(a.idx, a.diam, b.idx, b.diam); }
};
struct PackedKey {
    using T = std::uint64_t;
    static T pack(const Entry& e) {
        const float d = e.diam + 0.0f;  // -0 -> +0: non-negative floats order like their bits
        std::uint32_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        return (std::uint64_t(bits) << 32) | (0xFFFFFFFFu - std::uint32_t(e.idx));
    }
    static Entry unpack(T t) {
        const std::uint32_t bits = std::uint32_t(t >> 32);
        float d;
        std::memcpy(&d, &bits, sizeof d);
        return Entry{index_t(0xFFFFFFFFu - std::uint32_t(t)), d, 1};
    }
    static bool earlier(T a, T b) { return a < b; }
};
/// Over Z/2 with larger indices: the entry without its coefficient, 12 bytes instead of 16.
struct SimplexKey {
    using T = Simplex;
    static T pack(const Entry& e) { return Simplex{e.idx, e.diam}; }
    static Entry unpack(const T& t) { return Entry{t.idx, t.diam, 1}; }
    static bool earlier(const T& a, const T& b) { return filtration_before(a.idx, a.diam, b.idx, b.diam); }
};

/// The array of a working heap (T trivially copyable): malloc'd while under 1 MiB, then an anonymous mapping
/// of its own that grows by mremap, which moves pages without copying them: a giant column (torus 1500 H2:
/// 16.7 million entries, 200 MB) never holds its old and new arrays at once, as a growing vector does.
template <class T>
class HeapArray {
public:
    HeapArray() = default;
    HeapArray(const HeapArray&) = delete;
    HeapArray& operator=(const HeapArray&) = delete;
    ~HeapArray() { reallocate(0); }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }
    T* begin() { return data_; }
    T* end() { return data_ + size_; }
    void clear() { size_ = 0; }
    void pop_back() { --size_; }
    void push_back(const T& e) {
        // large arrays grow by a quarter: their pages are touched as they fill, the mapping costs nothing more
        if (size_ == capacity_) reallocate(capacity_ < (std::size_t(1) << 16) ? std::max<std::size_t>(64, 2 * capacity_) : capacity_ + capacity_ / 4);
        data_[size_++] = e;
    }
    /// Keeps the first n entries; gives memory back when the capacity is over four times n.
    void shrink(std::size_t n) {
        size_ = n;
        if (capacity_ > 4 * n && capacity_ > (std::size_t(1) << 16)) reallocate(std::max<std::size_t>(n, std::size_t(1) << 16));
    }

private:
    static constexpr std::size_t kMapped = std::size_t(1) << 20;
    static std::size_t mapped_bytes(std::size_t capacity) { return (capacity * sizeof(T) + 4095) & ~std::size_t(4095); }
    void reallocate(std::size_t capacity) {
        const bool was_mapped = capacity_ * sizeof(T) >= kMapped, mapped = capacity * sizeof(T) >= kMapped;
        void* p = nullptr;
        if (capacity == 0) {
        } else if (was_mapped && mapped) {
            p = mremap(data_, mapped_bytes(capacity_), mapped_bytes(capacity), MREMAP_MAYMOVE);
        } else if (mapped) {
            p = mmap(nullptr, mapped_bytes(capacity), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p != MAP_FAILED && size_) std::memcpy(p, data_, size_ * sizeof(T));
        } else {
            p = std::malloc(capacity * sizeof(T));
            if (p && size_) std::memcpy(p, data_, std::min(size_, capacity) * sizeof(T));
        }
        if (capacity && (!p || p == MAP_FAILED)) throw std::bad_alloc();
        if (data_ && !(was_mapped && mapped)) {  // mremap already released or moved the old pages
            if (was_mapped)
                munmap(data_, mapped_bytes(capacity_));
            else
                std::free(data_);
        }
        data_ = static_cast<T*>(p);
        capacity_ = capacity;
        size_ = std::min(size_, capacity);
    }
    T* data_ = nullptr;
    std::size_t size_ = 0, capacity_ = 0;
};

/// A 4-ary min-heap of K::T whose top is the earliest in the filtration (half the depth of a binary heap:
/// the heaviest columns hold millions of entries, and each level is a cache miss).
template <class K>
class EntryHeap {
public:
    using T = typename K::T;
    void clear() {
        heap_.clear();
        limit_ = limit_floor;
        peak_ = 0;
    }
    bool empty() const { return heap_.empty(); }
    /// The most bytes the entries took since the last clear().
    std::size_t peak_bytes() const { return peak_ * sizeof(T); }
    const T& top() const { return heap_[0]; }
    void push(const T& e) {
        heap_.push_back(e);
        std::size_t i = heap_.size() - 1;
        if (i >= peak_) peak_ = i + 1;
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!K::earlier(e, heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }
    T pop() {
        const T first = heap_[0], last = heap_[heap_.size() - 1];
        heap_.pop_back();
        const std::size_t n = heap_.size();
        if (n == 0) return first;
        std::size_t i = 0;
        for (std::size_t child; (child = 4 * i + 1) < n;) {
            std::size_t best = child;
            for (std::size_t k = child + 1; k < std::min(child + 4, n); ++k)
                if (K::earlier(heap_[k], heap_[best])) best = k;
            if (!K::earlier(heap_[best], last)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = last;
        return first;
    }
    /// Above 2^22 entries and half again the size after the last compaction (four times, when that one dropped
    /// under a quarter of the entries): sums the entries of each simplex, drops the zero ones. A memory guard
    /// only: each compaction sorts the whole heap, and at 2^18 entries that sorting took a third of the time on
    /// dragon_2000. The sort runs on `threads` threads (the reduction's idle ones lend theirs to a giant column).
    void compact_if_large(std::uint32_t p, int threads) {
        if (heap_.size() <= limit_) return;
        // Sorting in filtration order puts the entries of a simplex side by side, and a sorted array is a heap.
        // (a lambda, not K::earlier's address: through a function pointer the comparisons were not inlined, and the
        // sorts took a third of the time of a noisy sphere's H2)
        parallel_sort(heap_.begin(), heap_.end(), threads, [](const T& a, const T& b) { return K::earlier(a, b); });
        std::size_t w = 0;
        for (std::size_t i = 0; i < heap_.size();) {
            Entry sum = K::unpack(heap_[i++]);
            while (i < heap_.size() && K::unpack(heap_[i]).idx == sum.idx) sum.coeff = (sum.coeff + K::unpack(heap_[i++]).coeff) % p;
            if (sum.coeff) heap_[w++] = K::pack(sum);
        }
        // a column of mostly distinct simplices (a noisy sphere's void, 400 points: six compactions each dropped 2-4 %
        // of the entries and took half of the time) is left to grow: compacting it again soon would save no memory
        limit_ = std::max(limit_floor, 4 * w > 3 * heap_.size() ? 4 * w : w + w / 2);
        heap_.shrink(w);
    }

private:
    static constexpr std::size_t limit_floor = 1 << 22;
    HeapArray<T> heap_;
    std::size_t limit_ = limit_floor;
    std::size_t peak_ = 0;
};

/// The working column of a reduction: the packed heap where the keys fit (see PackedKey), else over Z/2 the
/// 12-byte one (SimplexKey), else the wide one.
class WorkingColumn {
public:
    enum class Keys { packed, simplex, wide };
    explicit WorkingColumn(Keys keys) : keys_(keys) {}
    void clear() { keys_ == Keys::packed ? narrow_.clear() : keys_ == Keys::simplex ? middle_.clear() : wide_.clear(); }
    void push(const Entry& e) {
        if (keys_ == Keys::packed)
            narrow_.push(PackedKey::pack(e));
        else if (keys_ == Keys::simplex)
            middle_.push(SimplexKey::pack(e));
        else
            wide_.push(e);
    }
    std::size_t peak_bytes() const {
        return keys_ == Keys::packed ? narrow_.peak_bytes() : keys_ == Keys::simplex ? middle_.peak_bytes() : wide_.peak_bytes();
    }
    void compact_if_large(std::uint32_t p, int threads) {
        keys_ == Keys::packed    ? narrow_.compact_if_large(p, threads)
        : keys_ == Keys::simplex ? middle_.compact_if_large(p, threads)
                                 : wide_.compact_if_large(p, threads);
    }
    /// Removes and returns the pivot (earliest entry with non-zero summed coefficient); false when zero.
    bool pop_pivot(std::uint32_t p, Entry& out) {
        return keys_ == Keys::packed ? pop_pivot(narrow_, p, out) : keys_ == Keys::simplex ? pop_pivot(middle_, p, out) : pop_pivot(wide_, p, out);
    }

private:
    template <class K>
    static bool pop_pivot(EntryHeap<K>& heap, std::uint32_t p, Entry& out) {
        while (!heap.empty()) {
            out = K::unpack(heap.pop());
            while (!heap.empty() && K::unpack(heap.top()).idx == out.idx) out.coeff = (out.coeff + K::unpack(heap.pop()).coeff) % p;
            if (out.coeff != 0) return true;
        }
        return false;
    }
    Keys keys_;
    EntryHeap<PackedKey> narrow_;
    EntryHeap<SimplexKey> middle_;
    EntryHeap<WideKey> wide_;
};

std::vector<std::uint32_t> inverses(std::uint32_t p) {
    std::vector<std::uint32_t> inv(p, 0);
    if (p > 1) inv[1] = 1;
    for (std::uint32_t i = 2; i < p; ++i) inv[i] = std::uint32_t(p - std::uint64_t(p / i) * inv[p % i] % p);
    return inv;
}

/// Whether s (vertices vs) is the latest facet of its cofacet t = s + v (v below j of vs's vertices) of
/// s's diameter: every facet t - vs[a] with vs[a] above v is strictly earlier than s.
bool latest_facet(const Complex& cx, const Simplex& s, int dim, const std::uint32_t* vs, std::uint32_t v, int j) {
    for (int a = 0; a < j; ++a) {
        float diam = cx.diameter_without(vs, dim, a);
        for (int u = 0; u <= dim && diam < s.diam; ++u)
            if (u != a) diam = std::max(diam, cx.distance(v, vs[u]));
        if (diam >= s.diam) return false;
    }
    return true;
}

/// The apparent pair of column s, if any: its earliest cofacet t (the first of s's diameter in decreasing
/// index order) exists and s is t's latest facet (no facet of t of that diameter has a smaller index,
/// i.e. none is t minus a vertex above the added one). Such a column needs no reduction: its pivot is t.
Entry apparent_cofacet(const Complex& cx, const Simplex& s, int dim, const std::uint32_t* vs) {
    Entry found{-1, 0, 0};
    cx.for_each_cofacet(s, dim, vs, s.diam, [&](const Entry& t, std::uint32_t v, int j) {
        if (latest_facet(cx, s, dim, vs, v, j)) found = t;
        return false;
    });
    return found;
}

/// Each vertex's nearest neighbours within the threshold, sorted by (distance, vertex), at most k of them,
/// and the distance below which that list holds all of them. It answers an edge's apparent-pair test without
/// the scan of all vertices from the top that for_each_cofacet does on the dense path: that scan stops at the
/// first vertex within the edge's length of both ends, which for a short edge is near the end (relu-like
/// 10 000 x 64 at the enclosing radius: 42 % of the CPU time, most edges being short for their ends).
class NearestTable {
public:
    NearestTable(const Complex& cx, std::uint32_t k, int threads) : k_(std::min(k, cx.n ? cx.n - 1 : 0)), cx_(cx) {
        list_.resize(std::size_t(cx.n) * k_);
        complete_below_.resize(cx.n);
        run_threads(threads, [&](int t) {
            std::vector<Neighbor> all;
            for (std::uint32_t a = std::uint32_t(t); a < cx.n; a += std::uint32_t(std::max(1, threads))) {
                if ((a & 255) == 0 && cancel_requested()) return;
                all.clear();
                cx.for_each_neighbor(a, cx.threshold, [&](std::uint32_t u, float d) { all.push_back(Neighbor{u, d}); });
                auto closer = [](const Neighbor& x, const Neighbor& y) { return x.d < y.d || (x.d == y.d && x.v < y.v); };
                complete_below_[a] = std::numeric_limits<float>::infinity();
                if (all.size() > k_) {
                    std::nth_element(all.begin(), all.begin() + k_, all.end(), closer);
                    complete_below_[a] = all[k_].d;  // every vertex not kept is at least this far
                    all.resize(k_);
                }
                std::sort(all.begin(), all.end(), closer);
                std::copy(all.begin(), all.end(), list_.begin() + std::ptrdiff_t(std::size_t(a) * k_));
                std::fill(list_.begin() + std::ptrdiff_t(std::size_t(a) * k_ + all.size()), list_.begin() + std::ptrdiff_t(std::size_t(a + 1) * k_),
                          Neighbor{kEnd, std::numeric_limits<float>::infinity()});
            }
        });
        throw_if_cancelled();
    }

    /// The apparent cofacet of edge s (vertices vs, larger first), as apparent_cofacet finds it; false when the
    /// lists of neither end hold every vertex within s's length (then the scan must do).
    bool apparent_cofacet(const Simplex& s, const std::uint32_t* vs, Entry& found) const {
        const float length = s.diam;
        int end = -1;  // the end whose list holds all vertices within `length` of it: the one with fewer
        for (int e = 0; e < 2; ++e)
            if (length < complete_below_[vs[e]] && (end < 0 || count_within(vs[e], length) < count_within(vs[end], length))) end = e;
        if (end < 0) return false;
        const std::uint32_t x = vs[end], y = vs[1 - end];
        std::int64_t best = -1;  // the largest vertex within `length` of both ends: the earliest such cofacet
        for (const Neighbor* nb = list_.data() + std::size_t(x) * k_, *stop = nb + k_; nb != stop && nb->v != kEnd && nb->d <= length; ++nb)
            if (nb->v != y && std::int64_t(nb->v) > best && cx_.distance(nb->v, y) <= length) best = nb->v;
        found = Entry{-1, 0, 0};
        if (best < 0) return true;
        const std::uint32_t v = std::uint32_t(best);
        const int j = (vs[0] > v) + (vs[1] > v);
        // the cofacet's index as for_each_cofacet makes it: the vertices above v move up one place
        index_t idx = s.idx;
        for (int i = 0; i < j; ++i) idx += cx_.binom(vs[i], 3 - i) - cx_.binom(vs[i], 2 - i);
        idx += cx_.binom(v, 2 - j + 1);
        if (latest_facet(cx_, s, 1, vs, v, j)) found = Entry{idx, length, std::uint32_t((j & 1) ? cx_.p - 1 : 1u)};
        return true;
    }

private:
    static constexpr std::uint32_t kEnd = 0xFFFFFFFFu;
    std::size_t count_within(std::uint32_t x, float length) const {  // the list is sorted by distance, kEnd last
        const Neighbor* first = list_.data() + std::size_t(x) * k_;
        return std::size_t(std::partition_point(first, first + k_, [&](const Neighbor& nb) { return nb.v != kEnd && nb.d <= length; }) - first);
    }
    std::uint32_t k_;
    const Complex& cx_;
    std::vector<Neighbor> list_;          // k_ per vertex; kEnd entries fill the rest when fewer
    std::vector<float> complete_below_;   // per vertex: the lists hold every vertex closer than this
};

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

/// The column reduction of one dimension, shared by the threads (lock-free, after Morozov and Nigmetov,
/// as in giotto-ph). Threads take the columns in processing order. A reduced column claims its pivot in
/// the shared table; when the pivot belongs to an earlier column, that column is added; when it belongs
/// to a later one (reduced meanwhile by another thread), this column takes the pivot over and the later
/// one is reduced again (it now has to add this one). Every addition is of an earlier column into a
/// later one, so the final pairing is the unique persistence pairing whatever the threads and timing.
/// A column's reduction column V (entries (simplex, coeff)) is stored only when it needed additions,
/// and is published before the pivot that makes it visible; replaced versions are kept to the end, as
/// another thread may be reading one.
class Reducer {
public:
    /// columns: those that need a reduction, in processing order (task k is columns[k]).
    /// keep_zero_v: also store the V of columns reduced to zero (the cocycles of essential classes), of at
    /// most `zero_v_limit` of them (0: all), the earliest in the filtration: the essential classes that a
    /// selection of the `zero_v_limit` longest classes can take.
    Reducer(const Complex& cx, int dim, std::vector<Simplex> columns, bool keep_zero_v = false, std::size_t zero_v_limit = 0)
        : cx_(cx), dim_(dim), p_(cx.p), inv_(inverses(cx.p)), columns_(std::move(columns)),
          pivots_(columns_.size()), stored_v_(new std::atomic<const std::vector<Entry>*>[columns_.size()]),
          zero_(columns_.size(), 0), keep_zero_v_(keep_zero_v), zero_v_limit_(zero_v_limit) {
        for (std::size_t k = 0; k < columns_.size(); ++k) stored_v_[k].store(nullptr, std::memory_order_relaxed);
    }
    ~Reducer() {
        for (std::size_t k = 0; k < columns_.size(); ++k) delete stored_v_[k].load(std::memory_order_relaxed);
        for (const auto* v : retired_) delete v;
    }

    /// One thread's working memory.
    struct State {
        explicit State(WorkingColumn::Keys keys) : work(keys) {}
        WorkingColumn work;
        std::vector<Entry> v;
        std::uint32_t vs[16];
        std::vector<std::uint32_t> taken_over;  // later tasks whose pivot this thread took: to reduce again
    };

    std::size_t tasks() const { return columns_.size(); }
    /// A thread found no task left: its core sorts the compactions of the columns still being reduced.
    void thread_finished() { idle_.fetch_add(1, std::memory_order_relaxed); }
    /// The working columns' keys: PackedKey over Z/2 with every (dim+1)-simplex index below 2^32, else
    /// SimplexKey over Z/2, else WideKey.
    WorkingColumn::Keys keys() const {
        if (p_ != 2) return WorkingColumn::Keys::wide;
        return cx_.binom(cx_.n, dim_ + 2) <= index_t(0xFFFFFFFFu) ? WorkingColumn::Keys::packed : WorkingColumn::Keys::simplex;
    }

    /// Reduces task k (again, when it was taken over) until it owns a pivot or is zero. A cancellation is
    /// polled every 256 pivots (one column can take minutes); the column is then left as it is.
    void reduce(std::uint32_t k, State& st) {
        const Simplex& s = columns_[k];
        st.work.clear();
        const std::vector<Entry>* stored = stored_v_[k].load(std::memory_order_acquire);
        if (stored) {  // taken over after additions: its column is rebuilt from its V
            st.v = *stored;
            for (const Entry& u : st.v) push_coboundary(st, u);
        } else {
            st.v.assign(1, Entry{s.idx, s.diam, 1});
            if (start(k, s, st)) return;
        }
        Entry pivot;
        for (std::size_t steps = 1; st.work.pop_pivot(p_, pivot); ++steps) {
            if ((steps & 255) == 0 && cancel_requested()) return;
            st.work.push(pivot);
            const PivotMap::Slot* slot = pivots_.find(pivot.idx);
            if (!slot) {
                std::uint32_t vt[16];
                cx_.binom.vertices(pivot.idx, dim_ + 1, cx_.n, vt);
                Entry a = apparent_facet(cx_, pivot, dim_, vt);
                if (a.idx >= 0) {  // its column is the coboundary of a, in which the pivot has coefficient a.coeff
                    add(st, Entry{a.idx, a.diam, std::uint32_t(std::uint64_t(p_ - pivot.coeff) * inv_[a.coeff] % p_)});
                    continue;
                }
                if (claim(k, pivot, st)) return;
                continue;  // another thread claimed it first: looked up again
            }
            const std::uint64_t owner = slot->load();
            if (PivotMap::column_of(owner) > k) {
                if (claim(k, pivot, st)) return;
                continue;
            }
            // pivot + factor * (owner's pivot coefficient) == 0 (mod p): add factor * (owner's column).
            add_task(st, PivotMap::column_of(owner),
                     std::uint32_t(std::uint64_t(p_ - pivot.coeff) * inv_[PivotMap::coeff_of(owner)] % p_));
        }
        if (keep_zero_v_) keep_zero_v(k, st);
        zero_[k] = 1;
    }

    /// After all threads are done: the intervals of the pairs and of the zero columns (essential classes);
    /// with `task_of`, the task whose column gave each interval.
    std::vector<Interval> intervals(std::vector<std::uint32_t>* task_of = nullptr) const {
        std::vector<Interval> out;
        pivots_.for_each([&](index_t key, std::uint64_t value) {
            const float birth = columns_[PivotMap::column_of(value)].diam;
            std::uint32_t vt[16];
            cx_.binom.vertices(key, dim_ + 1, cx_.n, vt);
            const float death = cx_.diameter_without(vt, dim_ + 1, -1);
            if (birth < death) {
                out.push_back({birth, death});
                if (task_of) task_of->push_back(PivotMap::column_of(value));
            }
        });
        for (std::uint32_t k = 0; k < columns_.size(); ++k)
            if (zero_[k]) {
                out.push_back({columns_[k].diam, std::numeric_limits<float>::infinity()});
                if (task_of) task_of->push_back(k);
            }
        return out;
    }
    /// The column of task k and its reduction column V (after all threads are done).
    const Simplex& column(std::uint32_t k) const { return columns_[k]; }
    std::vector<Entry> reduction_column(std::uint32_t k) const {
        if (const auto* v = stored_v_[k].load(std::memory_order_acquire)) return *v;
        return {Entry{column(k).idx, column(k).diam, 1}};
    }
    PivotMap take_pivots() { return std::move(pivots_); }

private:
    /// Starts task k: its coboundary, unless its earliest cofacet is an emergent pivot that it claims at
    /// once (then true, without building the rest).
    bool start(std::uint32_t k, const Simplex& s, State& st) {
        cx_.binom.vertices(s.idx, dim_, cx_.n, st.vs);
        bool check_emergent = true;
        bool claimed = false;
        cx_.for_each_cofacet(s, dim_, st.vs, [&](const Entry& e, std::uint32_t v, int j) {
            if (check_emergent && e.diam == s.diam) {
                check_emergent = false;
                if (!apparent_pivot(e, st.vs, v, j)) {
                    const PivotMap::Slot* slot = pivots_.find(e.idx);
                    if ((!slot || PivotMap::column_of(slot->load()) > k) && claim(k, e, st)) {
                        claimed = true;
                        return false;
                    }
                }
            }
            st.work.push(e);
            return true;
        });
        return claimed;
    }

    /// Makes task k the owner of `pivot` unless an earlier task owns it (then false). V is published first.
    bool claim(std::uint32_t k, const Entry& pivot, State& st) {
        publish_v(k, st);
        const std::uint64_t mine = PivotMap::pack(k, pivot.coeff);
        bool inserted = false;
        PivotMap::Slot& slot = pivots_.insert(pivot.idx, mine, inserted);
        if (inserted) return true;
        for (std::uint64_t owner = slot.load();;) {
            if (PivotMap::column_of(owner) < k) return false;
            if (slot.value.compare_exchange_weak(owner, mine, std::memory_order_acq_rel)) {
                st.taken_over.push_back(PivotMap::column_of(owner));
                takeover_count.fetch_add(1, std::memory_order_relaxed);
                return true;
            }
        }
    }

    void publish_v(std::uint32_t k, State& st) {
        if (st.v.size() <= 1) return;  // V = {the column}: nothing stored
        std::sort(st.v.begin(), st.v.end(), [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
        auto* v = new std::vector<Entry>;
        v->reserve(st.v.size());
        for (std::size_t i = 0; i < st.v.size();) {  // entries summed per simplex
            Entry sum = st.v[i++];
            while (i < st.v.size() && st.v[i].idx == sum.idx) sum.coeff = (sum.coeff + st.v[i++].coeff) % p_;
            if (sum.coeff) v->push_back(sum);
        }
        st.v = *v;
        if (const auto* old = stored_v_[k].exchange(v, std::memory_order_acq_rel)) {
            std::lock_guard<std::mutex> lock(retired_mutex_);
            retired_.push_back(old);
        }
    }

    /// Stores the V of task k, reduced to zero, when it can be selected: with a limit, only the V of the
    /// zero_v_limit_ latest tasks (earliest columns) so far, dropping the one it displaces. A zero column owns
    /// no pivot, so no other column ever adds it: its V is read only after the reduction.
    void keep_zero_v(std::uint32_t k, State& st) {
        if (zero_v_limit_ == 0) {
            publish_v(k, st);
            return;
        }
        std::lock_guard<std::mutex> lock(zero_mutex_);
        if (zero_kept_.size() == zero_v_limit_) {
            if (zero_kept_.top() > k) return;  // the kept ones are all earlier in the filtration
            delete stored_v_[zero_kept_.top()].exchange(nullptr, std::memory_order_acq_rel);
            zero_kept_.pop();
        }
        zero_kept_.push(k);
        publish_v(k, st);
    }

    /// Whether cofacet e = s + v (v below j vertices of s) is the pivot of an apparent pair.
    bool apparent_pivot(const Entry& e, const std::uint32_t* vs, std::uint32_t v, int j) const {
        std::uint32_t vt[16];
        for (int i = 0, k = 0; i <= dim_ + 1; ++i) vt[i] = i == j ? v : vs[k++];
        return apparent_facet(cx_, e, dim_, vt).idx >= 0;
    }

    void add_task(State& st, std::uint32_t owner, std::uint32_t factor) const {
        const std::vector<Entry>* v = stored_v_[owner].load(std::memory_order_acquire);
        if (!v) {
            const Simplex& s = columns_[owner];
            add(st, Entry{s.idx, s.diam, factor});
            return;
        }
        for (const Entry& u : *v) add(st, Entry{u.idx, u.diam, std::uint32_t(std::uint64_t(u.coeff) * factor % p_)});
    }

    void add(State& st, const Entry& u) const {  // st += u.coeff * coboundary(u)
        push_coboundary(st, u);
        st.v.push_back(u);
    }
    void push_coboundary(State& st, const Entry& u) const {
        std::uint32_t vs[16];
        cx_.binom.vertices(u.idx, dim_, cx_.n, vs);
        cx_.for_each_cofacet(Simplex{u.idx, u.diam}, dim_, vs, [&](Entry e, std::uint32_t, int) {
            e.coeff = std::uint32_t(std::uint64_t(e.coeff) * u.coeff % p_);
            st.work.push(e);
            return true;
        });
        st.work.compact_if_large(p_, 1 + idle_.load(std::memory_order_relaxed));
    }

    const Complex& cx_;
    int dim_;
    std::uint32_t p_;
    std::vector<std::uint32_t> inv_;
    std::vector<Simplex> columns_;
    PivotMap pivots_;
    std::unique_ptr<std::atomic<const std::vector<Entry>*>[]> stored_v_;  // per task: its V, when stored
    std::vector<std::uint8_t> zero_;                                        // per task: reduced to zero
    bool keep_zero_v_;
    std::size_t zero_v_limit_;
    std::mutex zero_mutex_;
    std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<std::uint32_t>> zero_kept_;  // smallest on top
    std::mutex retired_mutex_;
    std::vector<const std::vector<Entry>*> retired_;
    std::atomic<int> idle_{0};  // threads with no task left (thread_finished)
};

}  // namespace

std::uint64_t takeovers() { return takeover_count.load(std::memory_order_relaxed); }

DimensionResult reduce_dimension(const Complex& cx, int dim, std::vector<Simplex> columns, int threads,
                                 const CocycleSelection* select) {
    if (dim + 1 > 14) throw UserError("native backend: dimension " + std::to_string(dim) + " is above the supported 13");

    // The columns are taken in processing order by all threads (see Reducer).
    parallel_sort(columns, threads, column_order);
    Reducer reducer(cx, dim, std::move(columns), select != nullptr, select ? select->longest : 0);
    std::atomic<std::uint32_t> next{0};
    std::vector<std::vector<double>> heaviest(std::size_t(std::max(1, threads)));  // per thread, a min-heap
    run_threads(threads, [&](int t) {
        Reducer::State st(reducer.keys());
        auto& mine = heaviest[std::size_t(t)];
        auto reduce = [&](std::uint32_t k) {
            reducer.reduce(k, st);
            const double bytes = double(st.work.peak_bytes());
            if (mine.size() < kHeaviest || bytes > mine.front()) {
                mine.push_back(bytes);
                std::push_heap(mine.begin(), mine.end(), std::greater<double>());
                if (mine.size() > kHeaviest) {
                    std::pop_heap(mine.begin(), mine.end(), std::greater<double>());
                    mine.pop_back();
                }
            }
        };
        for (std::uint32_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < reducer.tasks();) {
            if (cancel_requested()) return;
            reduce(k);
            while (!st.taken_over.empty()) {
                const std::uint32_t later = st.taken_over.back();
                st.taken_over.pop_back();
                reduce(later);
            }
        }
        reducer.thread_finished();
    });
    throw_if_cancelled();
    DimensionResult out;
    for (const auto& mine : heaviest) out.heaviest.insert(out.heaviest.end(), mine.begin(), mine.end());
    std::sort(out.heaviest.begin(), out.heaviest.end(), std::greater<double>());
    if (out.heaviest.size() > kHeaviest) out.heaviest.resize(kHeaviest);
    if (select) {
        std::vector<std::uint32_t> task_of;
        out.intervals = reducer.intervals(&task_of);
        std::vector<Simplex> births;
        for (std::uint32_t k : task_of) births.push_back(reducer.column(k));
        for (std::size_t i : select_classes(out.intervals, births, *select))
            out.cocycles.push_back({out.intervals[i], births[i], reducer.reduction_column(task_of[i])});
    } else {
        out.intervals = reducer.intervals();
    }
    out.pivots = reducer.take_pivots();
    return out;
}

namespace {

/// One thread's share of a list of simplices, in chunks that double from 2^10 simplices (12 KB) up to 2^22
/// (48 MB): a share of ten simplices takes 12 KB, not 48 MB. Chunks from 2^14 simplices (192 KB) on are
/// anonymous mappings of their own, touched only as they fill and given back to the system when unmapped;
/// freed heap blocks stay resident unless they are at the heap's top, so a computation after another one
/// would find the first one's chunks still counted (the smaller ones come from the heap: mapping and
/// unmapping them cost more system time than the rest of a small computation, and they are few kB). Gathering
/// the shares frees each chunk once it is copied, so the peak is the list plus one chunk, not two or three
/// lists (a growing vector's doubling, then the copy).
class SimplexChunks {
public:
    SimplexChunks() = default;
    SimplexChunks(const SimplexChunks&) = delete;
    SimplexChunks& operator=(const SimplexChunks&) = delete;
    ~SimplexChunks() {
        for (auto& chunk : chunks_) release(chunk);
    }
    void push_back(const Simplex& s) {
        if (chunks_.empty() || chunks_.back().size == chunks_.back().capacity) grow();
        Chunk& chunk = chunks_.back();
        chunk.data[chunk.size++] = s;
    }
    /// All shares in order, as one vector; the shares are emptied.
    static std::vector<Simplex> gather(std::vector<SimplexChunks>& shares) {
        std::size_t total = 0;
        for (const auto& share : shares)
            for (const auto& chunk : share.chunks_) total += chunk.size;
        std::vector<Simplex> out;
        out.reserve(total);
        for (auto& share : shares) {
            for (auto& chunk : share.chunks_) {
                out.insert(out.end(), chunk.data, chunk.data + chunk.size);
                release(chunk);
            }
            share.chunks_.clear();
        }
        return out;
    }

private:
    struct Chunk {
        Simplex* data;
        std::size_t size, capacity;
    };
    static constexpr std::size_t kFirst = std::size_t(1) << 10, kMapped = std::size_t(1) << 14, kLast = std::size_t(1) << 22;
    void grow() {
        const std::size_t capacity = chunks_.empty() ? kFirst : std::min(kLast, 2 * chunks_.back().capacity);
        void* p = capacity < kMapped ? std::malloc(capacity * sizeof(Simplex))
                                     : mmap(nullptr, capacity * sizeof(Simplex), PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (!p || p == MAP_FAILED) throw std::bad_alloc();
        chunks_.push_back(Chunk{static_cast<Simplex*>(p), 0, capacity});
    }
    static void release(Chunk& chunk) {
        if (chunk.capacity < kMapped)
            std::free(chunk.data);
        else if (chunk.data)
            munmap(chunk.data, chunk.capacity * sizeof(Simplex));
        chunk.data = nullptr;
    }
    std::vector<Chunk> chunks_;
};

}  // namespace

std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads,
                                   const DimensionResult* clear) {
    std::vector<SimplexChunks> parts(std::size_t(std::max(1, threads)));
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
                if (clear) {  // skip pivots (clearing) and apparent pairs on either side: they need no reduction
                    if (clear->pivots.contains(e.idx)) return true;
                    vt[0] = v;
                    for (int u = 0; u <= dim; ++u) vt[u + 1] = vs[std::size_t(u)];
                    if (apparent_facet(cx, e, dim, vt).idx >= 0) return true;
                    if (apparent_cofacet(cx, Simplex{e.idx, e.diam}, dim + 1, vt).idx >= 0) return true;
                }
                part.push_back(Simplex{e.idx, e.diam});
                return true;
            });
        }
    });
    throw_if_cancelled();
    return SimplexChunks::gather(parts);
}

std::vector<Simplex> columns_to_reduce(const Complex& cx, int dim, std::size_t count,
                                       const std::function<bool(std::size_t, Simplex&)>& candidate, int threads) {
    // Edges of a large dense complex: their apparent pairs from the nearest-neighbour lists where they can
    std::optional<NearestTable> nearest;
    if (dim == 1 && !cx.sparse() && cx.n >= kNearestFrom)
        nearest.emplace(cx, std::clamp(std::uint32_t(2 * std::sqrt(double(cx.n))), 16u, kNearest), threads);
    std::vector<SimplexChunks> parts(std::size_t(std::max(1, threads)));
    std::atomic<std::size_t> chunks{0};  // chunks of 4096 candidates taken dynamically (the order is sorted out later)
    run_threads(threads, [&](int t) {
        std::uint32_t vs[16];
        for (std::size_t begin; (begin = 4096 * chunks.fetch_add(1, std::memory_order_relaxed)) < count;) {
            if (cancel_requested()) return;
            for (std::size_t i = begin; i < std::min(count, begin + 4096); ++i) {
                Simplex s;
                if (!candidate(i, s)) continue;
                cx.binom.vertices(s.idx, dim, cx.n, vs);
                Entry found;
                if (!(nearest && nearest->apparent_cofacet(s, vs, found))) found = apparent_cofacet(cx, s, dim, vs);
                if (found.idx < 0) parts[std::size_t(t)].push_back(s);
            }
        }
    });
    throw_if_cancelled();
    return SimplexChunks::gather(parts);
}

std::vector<Simplex> next_columns(const Complex& cx, int dim, const std::vector<Simplex>& next,
                                  const DimensionResult& result, int threads) {
    return columns_to_reduce(cx, dim + 1, next.size(), [&](std::size_t i, Simplex& s) {
        s = next[i];
        if (result.pivots.contains(s.idx)) return false;
        std::uint32_t vt[16];
        cx.binom.vertices(s.idx, dim + 1, cx.n, vt);
        return apparent_facet(cx, Entry{s.idx, s.diam, 1}, dim, vt).idx < 0;
    }, threads);
}

}  // namespace actopo::native
