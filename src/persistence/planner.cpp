// The size planner and compute_persistence: estimate the simplices a computation touches, refuse with
// the options that would fit when that exceeds the memory available, otherwise run the backend.
//
// Estimate: for a seeded sample of vertices v, deg(v) = #neighbours within the threshold and f_k(v) =
// the fraction of random k-subsets of those neighbours that are pairwise within the threshold; then
// #k-simplices ~ n / (k + 1) * mean_v C(deg(v), k) f_k(v) (each k-simplex has k + 1 vertices).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <thread>

#include "persistence/internal.hpp"

#ifdef ACTOPO_HAVE_NATIVE
#include "actopo/native.hpp"
#endif

namespace actopo {
namespace {

constexpr std::size_t kTrials = 64;
constexpr int kMaxThreads = 1024;  // --threads above this is a typo, not a machine

/// Sampled vertices with their sorted distances to every other vertex.
struct Sample {
    std::vector<std::size_t> vertices;
    std::vector<std::vector<float>> sorted;      // per sampled vertex
    std::vector<std::vector<std::uint32_t>> by;  // the neighbours in that order
    /// An edge list's lengths by key (larger vertex << 32 | smaller), sorted: RipsInput::distance() scans all edges,
    /// which made the clique tests of a 144 000-edge list take 17 s in one refusal.
    std::vector<std::pair<std::uint64_t, float>> lengths;
    double distance(const RipsInput& input, std::uint32_t a, std::uint32_t b) const {
        if (input.kind != RipsInput::Kind::sparse_edges) return input.distance(a, b);
        const std::uint64_t key = (std::uint64_t(std::max(a, b)) << 32) | std::min(a, b);
        const auto it = std::lower_bound(lengths.begin(), lengths.end(), std::make_pair(key, -std::numeric_limits<float>::infinity()));
        return it != lengths.end() && it->first == key ? it->second : std::numeric_limits<double>::infinity();
    }
};

/// `count` distinct vertices of n, a seeded random choice (the first `count` of a partial Fisher-Yates shuffle).
std::vector<std::size_t> random_vertices(std::size_t n, std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    for (std::size_t i = 0; i < count; ++i) std::swap(idx[i], idx[i + rng() % (n - i)]);
    idx.resize(count);
    return idx;
}

/// The edges of a sparse input at the vertices `rows`, in one pass (its distance() is a scan of all edges): for each
/// end among them, f(that end's place in rows, the other end, the other end's place or -1, the length).
template <class F>
void for_each_edge_at(const RipsInput& input, const std::vector<std::size_t>& rows, F&& f) {
    std::vector<long> place(input.n, -1);
    for (std::size_t i = 0; i < rows.size(); ++i) place[rows[i]] = long(i);
    for (const auto& e : input.edges) {
        if (e.i == e.j) continue;
        if (place[e.i] >= 0) f(std::size_t(place[e.i]), e.j, place[e.j], e.d);
        if (place[e.j] >= 0) f(std::size_t(place[e.j]), e.i, place[e.i], e.d);
    }
}

Sample sample_vertices(const RipsInput& input) {
    Sample s;
    const std::size_t n = input.n, count = std::min<std::size_t>(n, n > 20000 ? 64 : 128);
    s.vertices = random_vertices(n, count, 0x5eed);
    std::vector<std::vector<std::pair<float, std::uint32_t>>> rows(count);
    if (input.kind == RipsInput::Kind::sparse_edges) {
        for_each_edge_at(input, s.vertices, [&](std::size_t i, std::uint32_t other, long, float d) { rows[i].push_back({d, other}); });
        // of an edge given twice the last length counts, as in the engine: a neighbour listed twice made the clique
        // test below, which draws distinct neighbours, loop for ever at a vertex with one neighbour (a k-NN graph)
        s.lengths.reserve(input.edges.size());
        for (const auto& e : input.edges)
            if (e.i != e.j) s.lengths.push_back({(std::uint64_t(std::max(e.i, e.j)) << 32) | std::min(e.i, e.j), e.d});
        std::stable_sort(s.lengths.begin(), s.lengths.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::size_t unique = 0;  // the last copy of an edge counts
        for (std::size_t k = 0; k < s.lengths.size(); ++k) {
            if (unique > 0 && s.lengths[unique - 1].first == s.lengths[k].first) --unique;
            s.lengths[unique++] = s.lengths[k];
        }
        s.lengths.resize(unique);
        for (auto& r : rows) {
            std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
            std::size_t kept = 0;
            for (std::size_t k = 0; k < r.size(); ++k) {
                if (kept > 0 && r[kept - 1].second == r[k].second) --kept;
                r[kept++] = r[k];
            }
            r.resize(kept);
        }
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            rows[i].reserve(n - 1);
            for (std::size_t j = 0; j < n; ++j)
                if (j != s.vertices[i]) rows[i].push_back({float(input.distance(s.vertices[i], j)), std::uint32_t(j)});
        }
    }
    // sized once: a process whose heap is fragmented (python3's) made the growing vectors 4x slower here
    s.sorted.reserve(count);
    s.by.reserve(count);
    for (auto& r : rows) {
        std::sort(r.begin(), r.end());
        s.sorted.emplace_back().reserve(r.size());
        s.by.emplace_back().reserve(r.size());
        for (const auto& [d, j] : r) {
            s.sorted.back().push_back(d);
            s.by.back().push_back(j);
        }
    }
    return s;
}

double choose(double n, int k) {
    double r = 1;
    for (int i = 0; i < k; ++i) r *= (n - i) / (i + 1);
    return n < k ? 0 : r;
}

/// Estimated number of k-simplices for k = 0..top, at threshold t.
std::vector<double> simplex_counts(const RipsInput& input, const Sample& s, double t, int top) {
    std::vector<double> counts(std::size_t(top) + 1, 0.0);
    counts[0] = double(input.n);
    if (s.vertices.empty()) return counts;
    std::mt19937_64 rng(0xc0ffee);
    std::vector<std::uint32_t> pick;
    for (std::size_t v = 0; v < s.vertices.size(); ++v) {
        const std::size_t deg =
            std::size_t(std::upper_bound(s.sorted[v].begin(), s.sorted[v].end(), float(t)) - s.sorted[v].begin());
        for (int k = 1; k <= top; ++k) {
            if (deg < std::size_t(k)) break;
            double f = 1;
            if (k >= 2) {
                std::size_t hits = 0;
                for (std::size_t trial = 0; trial < kTrials; ++trial) {
                    pick.clear();
                    while (pick.size() < std::size_t(k)) {
                        auto c = s.by[v][rng() % deg];
                        if (std::find(pick.begin(), pick.end(), c) == pick.end()) pick.push_back(c);
                    }
                    bool clique = true;
                    for (std::size_t a = 0; a < pick.size() && clique; ++a)
                        for (std::size_t b = 0; b < a && clique; ++b)
                            clique = float(s.distance(input, pick[a], pick[b])) <= float(t);
                    hits += clique;
                }
                f = double(hits) / kTrials;
            }
            counts[k] += choose(double(deg), k) * f;
        }
    }
    for (int k = 1; k <= top; ++k) counts[k] *= double(input.n) / double(k + 1) / double(s.vertices.size());
    return counts;
}

/// The working heaps of H1 and H2 measured on pilots: the native engine run on one thread on three seeded random
/// subsets of the input at the same threshold, to H1 on min(n, 500) vertices and to H2 on min(n, 150) (once, on all
/// of the input, where n is at most that). The heaviest columns are the least predictable term of the peak (a noisy
/// torus's H1 column holds 7 % of all triangles, a Gaussian 64-dim cloud's 0.05 %; a noisy sphere's H2 column, its
/// void, 3 % of the tetrahedra, where the H2 formula before the pilots counted 0.1 %). Per rank, the median of the
/// three subsets' heaps: one subset's outlier does not count (Gaussian 2000x64, seed 1: 2.4 MB on one subset), a
/// column that the shape makes (the torus's two H1 columns, the sphere's void) is on every subset. The whole is
/// taken to hold the same share of its (k+1)-simplices (docs/persistence.md: the shape's columns keep or grow their
/// share; chance columns of high-dimensional clouds grow more slowly, and are over-counted up to about 4x).
struct PilotDimension {
    std::vector<double> per_cofacet;  // the heaviest columns' heap bytes per (k+1)-simplex of a subset, largest first
    double entry_bytes = 8;           // bytes of one heap entry on a subset
    double cofacets = 1;              // (k+1)-simplices of a subset at the threshold (estimated as for the whole; median)
};
struct Pilot {
    std::vector<PilotDimension> dims;  // k = 1, 2 (up to max_dim)
    double vertices = 0;               // of the largest subset
    bool bound = false;                // no pilot run: each thread's heap at its bound, c_(k+1) + 1.5 2^22 entries
};
constexpr int kPilots = 3;
constexpr std::size_t kPilotVertices[] = {500, 150};  // H1, H2: an H2 pilot of 300 sphere points took 2.6-4.2 s

/// Bytes of one heap entry in dimension k's reduction (src/native/cohomology.cpp): 8 over Z/2 while the
/// (k+1)-simplex indices C(n, k + 2) fit 32 bits, else 12 (Z/2) or 16.
double entry_bytes(double n, int k, int coeff) {
    double indices = 1;
    for (int i = 0; i < k + 2; ++i) indices *= (n - i) / (i + 1);
    return coeff != 2 ? 16 : indices < 4294967296.0 ? 8 : 12;
}

/// Bytes the native engine holds at its peak, from the simplex counts c[k] (k = 0..max_dim+1), modelled on
/// what it stores (src/native, docs/native.md), the largest of its phases:
/// - the distances throughout: the float32 triangle (2 n^2 bytes), or the neighbour lists where it skips
///   the triangle (48 bytes an edge while they are built); an edge list's lists hold all its given edges, whatever
///   the threshold (16 bytes each, and 12 more for the copy they are built from);
/// - the edge collapse, where it applies (dense path, under a quarter of the pairs): about 32 bytes an edge;
/// - H0: the edges as 8-byte keys, and with max_dim >= 2 all of them as 12-byte records beside the keys; on the
///   dense scan path also each vertex's 256 nearest neighbours (8 bytes each) while H1's columns are listed;
/// - per dimension k < max_dim - 1, all k- and (k+1)-simplices (12 bytes each) while the next are made;
/// - only the columns that need a reduction are stored (apparent ones are left out: a few per thousand
///   columns on the clouds measured, 60 bytes each with the pivot table);
/// - the working heaps of dimension k's reduction: each thread keeps its heap at the largest size it reached,
///   so `threads` heavy columns can be held at once. In H1 and H2, the heaviest columns of the pilots (one per
///   thread) as the same share of c_(k+1), in entries of the whole's size; above H2, 0.123 c_(k+1)^0.75 entries
///   (noisy tori of 200-1500 points at 2 threads, where one giant column holds up to 16.7 million).
/// The cofacets of dimension max_dim + 1 are never stored. Checked against measured peaks on held-out
/// clouds (tests/persistence/test_planner.cpp, docs/persistence.md).
double native_bytes(const std::vector<double>& c, double n, double given_edges, bool lists_possible, bool collapse, int coeff,
                    const Pilot& pilot, int threads) {
    const int max_dim = int(c.size()) - 2;
    const double edges = c.size() > 1 ? c[1] : 0, pairs = n * (n - 1) / 2;
    const bool edge_input = given_edges > 0, lists = lists_possible && 4 * (edge_input ? given_edges : edges) < pairs;
    const double distances = !lists ? 2 * n * n : edge_input ? 16 * given_edges + 8 * n : 48 * edges;
    // H0, and H1's columns listed beside the edges (on the dense scan path with each vertex's 256 nearest neighbours)
    double peak = 8 * edges + (max_dim >= 2 ? 12 * edges : 0) + (!lists && 4 * edges >= pairs ? 8 * std::min(256.0, n - 1) * n : 0);
    if (collapse && !lists && 4 * edges < pairs) peak = std::max(peak, 32 * edges);
    if (edge_input && lists) peak = std::max(peak, 12 * given_edges);
    double previous = std::max(0.0, edges - (n - 1));  // columns of dimension k before the apparent pairs go
    for (int k = 1; k <= max_dim; ++k) {
        const double columns = k == 1 ? previous : std::max(0.0, c[std::size_t(k)] - previous);
        previous = columns;
        // the simplices kept while dimension k is reduced: all k-simplices when dimension k + 1 follows
        const double kept = k < max_dim ? 12 * c[std::size_t(k)] : 0;
        if (k + 1 < max_dim) peak = std::max(peak, kept + 12 * c[std::size_t(k + 1)]);
        const double entry = entry_bytes(n, k, coeff), next = c[std::size_t(k + 1)];
        double heaps = 0;
        if (pilot.bound) {
            heaps = double(threads) * (next + 1.5 * double(1 << 22)) * entry;
        } else if (std::size_t(k) <= pilot.dims.size()) {
            const PilotDimension& p = pilot.dims[std::size_t(k - 1)];
            for (std::size_t i = 0; i < p.per_cofacet.size() && i < std::size_t(threads); ++i) {
                const double entries = p.per_cofacet[i] * next / p.entry_bytes;
                // a heap above 2^22 entries is compacted (src/native/cohomology.cpp): in H1 it stays below 1.5 2^22 unless
                // the column itself holds more distinct simplices (then it is left to grow), which a pilot does not tell
                // apart; H2's voids do
                heaps += std::min(entries, k == 1 ? 1.5 * double(1 << 22) : 1.5 * next + double(1 << 22)) * entry;
            }
        } else {
            heaps = entry * 0.123 * std::pow(next, 0.75);
        }
        peak = std::max(peak, kept + 60 * 0.003 * columns + heaps);
    }
    // 2 MB of the program's own, the planner's sample of 128 vertices' sorted distances (16 bytes each: n a row, or
    // an edge list's neighbours, and then its edges' lengths) and its pilots' triangle (6 bytes a pair) or edges
    const double sample = edge_input ? 16 * std::min(n, 128.0) * 2 * given_edges / std::max(n, 1.0) + 16 * given_edges : 16 * std::min(n, 128.0) * n;
    const double subset = edge_input ? 16 * given_edges * std::pow(pilot.vertices / std::max(n, 1.0), 2) : 3 * pilot.vertices * pilot.vertices;
    return distances + peak + 64 * n + sample + subset + 2e6;
}

/// Whether the native engine may keep neighbour lists instead of the triangle.
bool lists_possible(const RipsInput& input, const RipsOptions& options) {
#ifdef ACTOPO_HAVE_NATIVE
    return native::may_skip_triangle(input, options);
#else
    return false;
#endif
}

/// The threads the backend runs on, each with its own working heap (the native engine's rule).
int thread_count(const RipsInput& input, const RipsOptions& options) {
#ifdef ACTOPO_HAVE_NATIVE
    return native::thread_count(input.n, options);
#else
    return options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
#endif
}

/// The pilots of the native engine's H1 and H2 heaps (see Pilot) at threshold t; none for other backends or H0.
Pilot pilot_heaps(const RipsInput& input, const RipsOptions& options, const std::string& backend, double t) {
    Pilot pilot;
#ifdef ACTOPO_HAVE_NATIVE
    if (backend != "native" || options.max_dim < 1 || input.n < 3) return pilot;
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    for (int k = 1; k <= std::min(options.max_dim, 2); ++k) {
        const std::size_t m = std::min(input.n, kPilotVertices[k - 1]);
        RipsOptions o;
        o.max_dim = k;
        o.threshold = t;
        o.coeff = options.coeff;
        o.threads = 1;
        o.collapse = options.collapse && !options.wants_representatives();
        std::vector<std::vector<double>> bytes;  // per pilot, largest first
        std::vector<double> cofacets;
        for (int run = 0; run < (m == input.n ? 1 : kPilots); ++run) {
            RipsInput subset;
            if (m == input.n) {
                subset = input;
            } else {
                std::vector<std::size_t> rows = random_vertices(input.n, m, 0x91107 + std::uint64_t(run));
                std::sort(rows.begin(), rows.end());
                if (input.kind == RipsInput::Kind::sparse_edges) {  // select_vertices would scan all edges per pair
                    std::vector<RipsInput::Edge> edges;
                    for_each_edge_at(input, rows, [&](std::size_t i, std::uint32_t, long j, float d) {
                        if (j >= 0 && std::size_t(j) < i) edges.push_back({std::uint32_t(i), std::uint32_t(j), d});
                    });
                    subset = RipsInput::from_edges(m, std::move(edges));
                } else {
                    subset = select_vertices(input, rows);
                }
            }
            native::compute(subset, o);
            const auto heaviest = native::last_heaviest_columns();
            bytes.push_back(heaviest.size() >= std::size_t(k) ? heaviest[std::size_t(k - 1)] : std::vector<double>{});
            cofacets.push_back(simplex_counts(subset, sample_vertices(subset), t, k + 1)[std::size_t(k + 1)]);
        }
        PilotDimension d;
        d.entry_bytes = entry_bytes(double(m), k, options.coeff);
        d.cofacets = std::max(1.0, median(cofacets));
        std::size_t ranks = 0;
        for (const auto& b : bytes) ranks = std::max(ranks, b.size());
        for (std::size_t r = 0; r < ranks; ++r) {
            std::vector<double> at(bytes.size(), 0.0);  // a pilot with fewer heavy columns has none of this rank
            for (std::size_t i = 0; i < bytes.size(); ++i)
                if (r < bytes[i].size()) at[i] = bytes[i][r];
            d.per_cofacet.push_back(median(at) / d.cofacets);
        }
        pilot.dims.push_back(std::move(d));
        pilot.vertices = std::max(pilot.vertices, double(m));
    }
#else
    (void)input, (void)options, (void)backend, (void)t;
#endif
    return pilot;
}

/// Bytes a backend needs for these counts (k = 0..max_dim+1) on n vertices. ripser keeps the float32
/// distance matrix and about 80 bytes per simplex of dimension <= max_dim (measured, docs/persistence.md);
/// GUDHI stores its simplex tree (dimension <= max_dim + 1, or <= max_dim after an edge collapse).
double bytes_for(const std::vector<double>& counts, double n, double given_edges, const std::string& backend, bool collapse,
                 bool lists_possible, int coeff, const Pilot& pilot, int threads) {
    const int top = int(counts.size()) - 1;
    double below = 0, all = 0;
    for (int k = 0; k <= top; ++k) {
        all += counts[k];
        if (k < top) below += counts[k];
    }
    if (backend == "gudhi") return 64.0 * (collapse ? below : all) + 12.0 * counts[std::min(1, top)];
    if (backend == "native") return native_bytes(counts, n, given_edges, lists_possible, collapse, coeff, pilot, threads);
    return 80.0 * below + 2.0 * n * n;
}

double parse_bytes(const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    std::string unit = trim(end ? end : "");
    double scale = unit.empty() || unit == "B" ? 1 : unit[0] == 'K' || unit[0] == 'k' ? 1e3
                 : unit[0] == 'M' || unit[0] == 'm' ? 1e6 : unit[0] == 'G' || unit[0] == 'g' ? 1e9
                 : unit[0] == 'T' || unit[0] == 't' ? 1e12 : -1;
    if (!(v > 0) || scale < 0)
        throw UserError("ACTOPO_MAX_MEMORY must be a size such as 4G or 512M, got '" + text + "'");
    return v * scale;
}

std::string human_bytes(double b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (b >= 1000 && u < 5) b /= 1000, ++u;
    return format_number(b, 3) + " " + units[u];
}

/// x with 4 significant digits, rounded down: a printed limit must not exceed the one that fits.
std::string fmt_down(double x) {
    for (const double step = x * 1e-4;; x -= step) {
        std::string shown = format_number(x, 4);
        if (std::strtod(shown.c_str(), nullptr) <= x) return shown;
    }
}

}  // namespace

double available_memory_bytes() {
    if (const char* env = std::getenv("ACTOPO_MAX_MEMORY"); env && *env) return parse_bytes(env);
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kb = 0;
    while (in >> key >> kb) {
        if (key == "MemAvailable:") return kb * 1024 * 0.8;
        in.ignore(256, '\n');
    }
    return 4e9;
}

namespace {

/// estimate_size with the given pilots, or its own (nullptr).
SizeEstimate estimate_with(const RipsInput& input, const RipsOptions& options, const std::string& backend, const Pilot* pilot) {
    const double t = persistence_detail::effective_threshold(input, options);
    const auto counts = simplex_counts(input, sample_vertices(input), t, options.max_dim + 1);
    SizeEstimate e;
    e.simplices = std::accumulate(counts.begin(), counts.end(), 0.0);
    e.bytes = bytes_for(counts, double(input.n), double(input.edges.size()), backend, options.collapse && options.sparse_epsilon <= 0,
                        lists_possible(input, options), options.coeff, pilot ? *pilot : pilot_heaps(input, options, backend, t),
                        thread_count(input, options));
    return e;
}

}  // namespace

SizeEstimate estimate_size(const RipsInput& input, const RipsOptions& options, const std::string& backend) {
    return estimate_with(input, options, backend, nullptr);
}

namespace {

/// Every backend keeps a few words per vertex (union-find, pivots, the vertex list), whatever the edges:
/// a sparse input whose largest vertex index is 2e9 needs tens of GB before any simplex is counted.
void check_vertex_count(const RipsInput& input) {
    const double bytes = 64.0 * double(input.n), limit = available_memory_bytes();
    if (bytes > limit)
        throw UserError("the input has " + std::to_string(input.n) + " vertices (largest vertex index " +
                        std::to_string(input.n - 1) + "), which need about " + human_bytes(bytes) +
                        " before any edge, more than the " + human_bytes(limit) +
                        " of memory available; number the vertices 0..n-1 (or raise ACTOPO_MAX_MEMORY)");
}

void check_plan(const RipsInput& input, const RipsOptions& options, const std::string& backend) {
    if (options.sparse_epsilon > 0) return;  // sparse Rips has O(n) simplices per dimension by design
    const double limit = available_memory_bytes();
    const double t = persistence_detail::effective_threshold(input, options);
    const Sample s = sample_vertices(input);
    const bool collapse = options.collapse;
    // The pilots cost H1 computations on 500 vertices and H2 ones on 150 (all of a small input): first the heaps at their bound
    Pilot pilot;
    pilot.bound = true;
    auto bytes_at = [&](double threshold, int max_dim, double scale_n) {
        auto counts = simplex_counts(input, s, threshold, max_dim + 1);
        for (std::size_t k = 0; k < counts.size(); ++k) counts[k] *= std::pow(scale_n, double(k + 1));
        return std::make_pair(bytes_for(counts, double(input.n) * scale_n, double(input.edges.size()), backend, collapse,
                                        lists_possible(input, options), options.coeff, pilot, thread_count(input, options)),
                              std::accumulate(counts.begin(), counts.end(), 0.0));
    };
    if (bytes_at(t, options.max_dim, 1.0).first <= limit) return;
    pilot = pilot_heaps(input, options, backend, t);  // their heaps' share of the cofacets, at every threshold
    const auto [bytes, simplices] = bytes_at(t, options.max_dim, 1.0);
    if (bytes <= limit) return;

    std::vector<std::string> fits;
    const double room = 0.6 * limit;
    double hi = t;
    if (std::isinf(hi)) {
        hi = 0;
        for (const auto& row : s.sorted)
            if (!row.empty()) hi = std::max(hi, double(row.back()));
    }
    // Each suggestion is checked as the user will run it (the printed threshold, the landmark subset
    // itself), and lowered until it fits: sampled estimates are not monotone in the threshold. It must fit
    // in 60 % of the limit: measured peaks were up to 1.5x their estimates (docs/persistence.md).
    if (bytes_at(0, options.max_dim, 1.0).first <= room) {
        double lo = 0;
        for (int it = 0; it < 30; ++it) {
            double mid = (lo + hi) / 2;
            (bytes_at(mid, options.max_dim, 1.0).first <= room ? lo : hi) = mid;
        }
        for (int tries = 0; tries < 20 && lo > 0; ++tries, lo *= 0.97) {
            const std::string printed = fmt_down(lo);
            if (bytes_at(double(float(std::stod(printed))), options.max_dim, 1.0).first <= room) {
                fits.push_back("--threshold " + printed);
                break;
            }
        }
    }
    const bool edge_list = input.kind == RipsInput::Kind::sparse_edges;  // landmarks need every distance
    std::size_t mlo = 1, mhi = edge_list ? 1 : input.n;
    while (mhi - mlo > 1) {
        std::size_t mid = (mlo + mhi) / 2;
        (bytes_at(t, options.max_dim, double(mid) / double(input.n)).first <= room ? mlo : mhi) = mid;
    }
    std::optional<Pilot> landmark_pilot;  // of the first landmark subset tried, for the smaller ones too (same share)
    for (int tries = 0; tries < 8 && mlo > 1; ++tries, mlo = mlo * 9 / 10) {
        // the landmarks `actopo persistence --landmarks` takes (seed 0)
        const RipsInput landmarks = select_vertices(input, maxmin_landmarks(input, mlo, 0));
        if (!landmark_pilot)
            landmark_pilot = pilot_heaps(landmarks, options, backend, persistence_detail::effective_threshold(landmarks, options));
        if (estimate_with(landmarks, options, backend, &*landmark_pilot).bytes <= room) {
            fits.push_back("--landmarks " + std::to_string(mlo));
            break;
        }
    }
    for (int k = options.max_dim - 1; k >= 0; --k)
        if (bytes_at(t, k, 1.0).first <= room) {
            fits.push_back("--max-dim " + std::to_string(k));
            break;
        }
    throw UserError("the Rips computation of " + std::to_string(input.n) + (edge_list ? " vertices" : " points") + " up to H" +
                    std::to_string(options.max_dim) + " at threshold " + format_number(t, 3) + " needs about " +
                    format_number(simplices, 3) + " simplices (~" + human_bytes(bytes) + " with the " + backend +
                    " backend), more than the " + human_bytes(limit) + " of memory available; options that fit: " +
                    (fits.empty() ? std::string("none found (reduce the input)") : join(fits)) +
                    (edge_list ? " (--landmarks needs points or a distance matrix, not an edge list; or raise ACTOPO_MAX_MEMORY)"
                               : " (or raise ACTOPO_MAX_MEMORY)"));
}

}  // namespace

// native once it matched ripser and GUDHI and ran at least as fast as ripser on most benchmark inputs
// (docs/native.md, results/bench/persistence.md); gudhi where actopo is built without it.
std::string default_backend() {
#ifdef ACTOPO_HAVE_NATIVE
    return "native";
#else
    return "gudhi";
#endif
}

Diagrams compute_persistence(const RipsInput& input, const RipsOptions& options, const std::string& backend_name) {
    auto backend = make_backend(backend_name);
    if (input.n == 0) throw UserError("the input has no points");
    if (options.max_dim < 0 || options.max_dim > 16)
        throw UserError("--max-dim must be between 0 and 16, got " + std::to_string(options.max_dim));
    if (options.threshold && (std::isnan(*options.threshold) || *options.threshold < 0))
        throw UserError("--threshold must be a non-negative number");
    if (!(options.sparse_epsilon >= 0 && options.sparse_epsilon < 1))
        throw UserError("--sparse epsilon must be in (0, 1), got " + std::to_string(options.sparse_epsilon));
    persistence_detail::check_coefficient(options.coeff);
    if (options.threads < 0 || options.threads > kMaxThreads)
        throw UserError("--threads must be between 0 (all cores) and " + std::to_string(kMaxThreads) + ", got " +
                        std::to_string(options.threads));
    if (options.wants_representatives() && backend_name != "native")
        throw UserError("representatives (--representatives, --min-persistence) are computed by the native backend "
                        "only, not by --backend " + backend_name + "; use --backend native");
    check_vertex_count(input);
    check_plan(input, options, backend_name);
    Diagrams out = backend->compute(input, options);
    out.meta["metric"] = metric_name(input.metric);
    out.meta["threshold"] = format_number(persistence_detail::effective_threshold(input, options));
    out.meta["threshold_source"] = options.threshold ? "given" : "enclosing radius";
    out.meta["max_dim"] = std::to_string(options.max_dim);
    out.meta["coeff"] = "Z/" + std::to_string(options.coeff);
    out.meta["backend"] = backend->name();
    out.meta["version"] = version();
    out.meta["points"] = std::to_string(input.n);
    if (options.representatives > 0) out.meta["representatives"] = std::to_string(options.representatives);
    if (options.min_persistence >= 0) {
        out.meta["min_persistence"] = format_number(options.min_persistence);
    }
    if (options.sparse_epsilon > 0) {
        out.meta["sparse_epsilon"] = format_number(options.sparse_epsilon, 6);
    }
    return out;
}

}  // namespace actopo
