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
#include <numeric>
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
};

Sample sample_vertices(const RipsInput& input) {
    Sample s;
    const std::size_t n = input.n, count = std::min<std::size_t>(n, n > 20000 ? 64 : 128);
    std::mt19937_64 rng(0x5eed);
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    for (std::size_t i = 0; i < count; ++i) std::swap(idx[i], idx[i + rng() % (n - i)]);
    s.vertices.assign(idx.begin(), idx.begin() + long(count));
    std::vector<std::vector<std::pair<float, std::uint32_t>>> rows(count);
    if (input.kind == RipsInput::Kind::sparse_edges) {
        std::vector<long> slot(n, -1);
        for (std::size_t i = 0; i < count; ++i) slot[s.vertices[i]] = long(i);
        for (const auto& e : input.edges) {
            if (e.i == e.j) continue;
            if (slot[e.i] >= 0) rows[slot[e.i]].push_back({e.d, e.j});
            if (slot[e.j] >= 0) rows[slot[e.j]].push_back({e.d, e.i});
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
                            clique = float(input.distance(pick[a], pick[b])) <= float(t);
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

/// The H1 working heaps measured on a pilot: the native engine run to H1 on one thread on a seeded random
/// subset of min(n, 500) vertices at the same threshold. The heaviest column is the least predictable
/// term of the peak (a noisy torus's H1 column holds 7 % of all triangles, a Gaussian 64-dim cloud's 0.05 %);
/// its share of the triangles on the subset carries over to the whole within about 2x (docs/persistence.md).
struct Pilot {
    std::vector<double> per_triangle;  // the heaviest columns' heap bytes per triangle of the subset, largest first
    double entry_bytes = 8;            // bytes of one heap entry on the subset
    double vertices = 0;               // of the subset
    double triangles = 1;              // of the subset at the threshold (estimated as for the whole)
    bool bound = false;                // no pilot run: each thread's H1 heap at its bound, c_2 + 1.5 2^22 entries
};
/// The heaviest columns grow more slowly than the triangles: the share measured on 500 vertices, applied as
/// c_2^0.85 (fitted on six clouds, docs/persistence.md).
constexpr double kPilotExponent = 0.85;

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
///   the triangle (48 bytes an edge while they are built);
/// - the edge collapse, where it applies (dense path, under a quarter of the pairs): about 32 bytes an edge;
/// - H0: the edges as 8-byte keys, and with max_dim >= 2 all of them as 12-byte records beside the keys; on the
///   dense scan path also each vertex's 256 nearest neighbours (8 bytes each) while H1's columns are listed;
/// - per dimension k < max_dim - 1, all k- and (k+1)-simplices (12 bytes each) while the next are made;
/// - only the columns that need a reduction are stored (apparent ones are left out: a few per thousand
///   columns on the clouds measured, 60 bytes each with the pivot table);
/// - the working heaps of dimension k's reduction: each thread keeps its heap at the largest size it reached,
///   so `threads` heavy columns can be held at once. In H1, the heaviest columns of the pilot (one per thread)
///   scaled by c_2 over the pilot's triangles and by the entry size; above H1, 0.123 c_(k+1)^0.75 entries
///   (noisy tori of 200-1500 points at 2 threads, where one giant column holds up to 16.7 million).
/// The cofacets of dimension max_dim + 1 are never stored. Checked against measured peaks on held-out
/// clouds (tests/persistence/test_planner.cpp, docs/persistence.md).
double native_bytes(const std::vector<double>& c, double n, bool lists_possible, bool collapse, int coeff,
                    const Pilot& pilot, int threads) {
    const int max_dim = int(c.size()) - 2;
    const double edges = c.size() > 1 ? c[1] : 0, pairs = n * (n - 1) / 2;
    const bool lists = lists_possible && 4 * edges < pairs;
    const double distances = lists ? 48 * edges : 2 * n * n;
    // H0, and H1's columns listed beside the edges (on the dense scan path with each vertex's 256 nearest neighbours)
    double peak = 8 * edges + (max_dim >= 2 ? 12 * edges : 0) + (!lists && 4 * edges >= pairs ? 8 * std::min(256.0, n - 1) * n : 0);
    if (collapse && !lists && 4 * edges < pairs) peak = std::max(peak, 32 * edges);
    double previous = std::max(0.0, edges - (n - 1));  // columns of dimension k before the apparent pairs go
    for (int k = 1; k <= max_dim; ++k) {
        const double columns = k == 1 ? previous : std::max(0.0, c[std::size_t(k)] - previous);
        previous = columns;
        // the simplices kept while dimension k is reduced: all k-simplices when dimension k + 1 follows
        const double kept = k < max_dim ? 12 * c[std::size_t(k)] : 0;
        if (k + 1 < max_dim) peak = std::max(peak, kept + 12 * c[std::size_t(k + 1)]);
        const double entry = entry_bytes(n, k, coeff), next = c[std::size_t(k + 1)];
        double heaps = 0;
        if (k == 1 && pilot.bound) {
            heaps = double(threads) * (next + 1.5 * double(1 << 22)) * entry;
        } else if (k == 1) {
            for (std::size_t i = 0; i < pilot.per_triangle.size() && i < std::size_t(threads); ++i)
                // a heap above 2^22 entries is compacted (src/native/cohomology.cpp): it stays below 1.5 2^22 unless
                // the column itself holds more distinct simplices, which a pilot does not tell apart
                heaps += std::min(pilot.per_triangle[i] * pilot.triangles * std::pow(next / pilot.triangles, kPilotExponent) / pilot.entry_bytes,
                                  1.5 * double(1 << 22)) * entry;
        } else {
            heaps = entry * 0.123 * std::pow(next, 0.75);
        }
        peak = std::max(peak, kept + 60 * 0.003 * columns + heaps);
    }
    // 2 MB of the program's own, the planner's sample of 128 vertices' sorted distances (16 bytes each) and
    // its pilot's triangle and edges (6 bytes a pair), whose small blocks stay resident after they are freed
    return distances + peak + 64 * n + 16 * std::min(n, 128.0) * n + 3 * pilot.vertices * pilot.vertices + 2e6;
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

/// The pilot of the native engine's H1 heaps (see Pilot) at threshold t; none for other backends or H0.
Pilot pilot_heaps(const RipsInput& input, const RipsOptions& options, const std::string& backend, double t) {
    Pilot pilot;
#ifdef ACTOPO_HAVE_NATIVE
    if (backend != "native" || options.max_dim < 1 || input.n < 3) return pilot;
    const std::size_t m = std::min<std::size_t>(input.n, 500);
    std::vector<std::size_t> rows(input.n);
    std::iota(rows.begin(), rows.end(), 0);
    std::mt19937_64 rng(0x91107);
    for (std::size_t i = 0; i < m; ++i) std::swap(rows[i], rows[i + rng() % (input.n - i)]);
    rows.resize(m);
    std::sort(rows.begin(), rows.end());
    RipsInput subset;
    if (m == input.n) {
        subset = input;
    } else if (input.kind == RipsInput::Kind::sparse_edges) {  // its distance() is a scan of the edges
        std::vector<long> slot(input.n, -1);
        for (std::size_t i = 0; i < m; ++i) slot[rows[i]] = long(i);
        std::vector<RipsInput::Edge> edges;
        for (const auto& e : input.edges)
            if (slot[e.i] >= 0 && slot[e.j] >= 0) edges.push_back({std::uint32_t(slot[e.i]), std::uint32_t(slot[e.j]), e.d});
        subset = RipsInput::from_edges(m, std::move(edges));
    } else {
        subset = select_vertices(input, rows);
    }
    RipsOptions o;
    o.max_dim = 1;
    o.threshold = t;
    o.coeff = options.coeff;
    o.threads = 1;
    o.collapse = options.collapse && !options.wants_representatives();
    native::compute(subset, o);
    const auto heaviest = native::last_heaviest_columns();
    const double triangles = simplex_counts(subset, sample_vertices(subset), t, 2)[2];
    pilot.vertices = double(m);
    pilot.entry_bytes = entry_bytes(double(m), 1, options.coeff);
    pilot.triangles = std::max(1.0, triangles);
    if (!heaviest.empty() && triangles > 0)
        for (double bytes : heaviest[0]) pilot.per_triangle.push_back(bytes / triangles);
#else
    (void)input, (void)options, (void)backend, (void)t;
#endif
    return pilot;
}

/// Bytes a backend needs for these counts (k = 0..max_dim+1) on n vertices. ripser keeps the float32
/// distance matrix and about 80 bytes per simplex of dimension <= max_dim (measured, docs/persistence.md);
/// GUDHI stores its simplex tree (dimension <= max_dim + 1, or <= max_dim after an edge collapse).
double bytes_for(const std::vector<double>& counts, double n, const std::string& backend, bool collapse,
                 bool lists_possible, int coeff, const Pilot& pilot, int threads) {
    const int top = int(counts.size()) - 1;
    double below = 0, all = 0;
    for (int k = 0; k <= top; ++k) {
        all += counts[k];
        if (k < top) below += counts[k];
    }
    if (backend == "gudhi") return 64.0 * (collapse ? below : all) + 12.0 * counts[std::min(1, top)];
    if (backend == "native") return native_bytes(counts, n, lists_possible, collapse, coeff, pilot, threads);
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
    char buf[32];
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (b >= 1000 && u < 5) b /= 1000, ++u;
    std::snprintf(buf, sizeof buf, "%.3g %s", b, units[u]);
    return buf;
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

/// x with 4 significant digits, rounded down: a printed limit must not exceed the one that fits.
std::string fmt_down(double x) {
    char buf[32];
    for (const double step = x * 1e-4;; x -= step) {
        std::snprintf(buf, sizeof buf, "%.4g", x);
        if (std::strtod(buf, nullptr) <= x) return buf;
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

SizeEstimate estimate_size(const RipsInput& input, const RipsOptions& options, const std::string& backend) {
    const double t = persistence_detail::effective_threshold(input, options);
    const auto counts = simplex_counts(input, sample_vertices(input), t, options.max_dim + 1);
    SizeEstimate e;
    e.simplices = std::accumulate(counts.begin(), counts.end(), 0.0);
    e.bytes = bytes_for(counts, double(input.n), backend, options.collapse && options.sparse_epsilon <= 0,
                        lists_possible(input, options), options.coeff, pilot_heaps(input, options, backend, t),
                        thread_count(input, options));
    return e;
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
    // The pilot costs an H1 computation on up to 500 vertices (all of a small input): first the heaps at their bound
    Pilot pilot;
    pilot.bound = true;
    auto bytes_at = [&](double threshold, int max_dim, double scale_n) {
        auto counts = simplex_counts(input, s, threshold, max_dim + 1);
        for (std::size_t k = 0; k < counts.size(); ++k) counts[k] *= std::pow(scale_n, double(k + 1));
        return std::make_pair(bytes_for(counts, double(input.n) * scale_n, backend, collapse,
                                        lists_possible(input, options), options.coeff, pilot, thread_count(input, options)),
                              std::accumulate(counts.begin(), counts.end(), 0.0));
    };
    if (bytes_at(t, options.max_dim, 1.0).first <= limit) return;
    pilot = pilot_heaps(input, options, backend, t);  // its heap share of the triangles, at every threshold
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
    std::size_t mlo = 1, mhi = input.n;
    while (mhi - mlo > 1) {
        std::size_t mid = (mlo + mhi) / 2;
        (bytes_at(t, options.max_dim, double(mid) / double(input.n)).first <= room ? mlo : mhi) = mid;
    }
    for (int tries = 0; tries < 8 && mlo > 1; ++tries, mlo = mlo * 9 / 10) {
        // the landmarks `actopo persistence --landmarks` takes (seed 0)
        if (estimate_size(select_vertices(input, maxmin_landmarks(input, mlo, 0)), options, backend).bytes <= room) {
            fits.push_back("--landmarks " + std::to_string(mlo));
            break;
        }
    }
    for (int k = options.max_dim - 1; k >= 0; --k)
        if (bytes_at(t, k, 1.0).first <= room) {
            fits.push_back("--max-dim " + std::to_string(k));
            break;
        }
    throw UserError("the Rips computation of " + std::to_string(input.n) + " points up to H" +
                    std::to_string(options.max_dim) + " at threshold " + fmt(t) + " needs about " +
                    fmt(simplices) + " simplices (~" + human_bytes(bytes) + " with the " + backend +
                    " backend), more than the " + human_bytes(limit) + " of memory available; options that fit: " +
                    (fits.empty() ? std::string("none found (reduce the input)") : join(fits)) +
                    " (or raise ACTOPO_MAX_MEMORY)");
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
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", persistence_detail::effective_threshold(input, options));
    out.meta["threshold"] = buf;
    out.meta["threshold_source"] = options.threshold ? "given" : "enclosing radius";
    out.meta["max_dim"] = std::to_string(options.max_dim);
    out.meta["coeff"] = "Z/" + std::to_string(options.coeff);
    out.meta["backend"] = backend->name();
    out.meta["version"] = version();
    out.meta["points"] = std::to_string(input.n);
    if (options.representatives > 0) out.meta["representatives"] = std::to_string(options.representatives);
    if (options.min_persistence >= 0) {
        std::snprintf(buf, sizeof buf, "%.9g", options.min_persistence);
        out.meta["min_persistence"] = buf;
    }
    if (options.sparse_epsilon > 0) {
        std::snprintf(buf, sizeof buf, "%.6g", options.sparse_epsilon);
        out.meta["sparse_epsilon"] = buf;
    }
    return out;
}

}  // namespace actopo
