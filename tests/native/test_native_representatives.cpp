// Representatives of the native engine, proven by computations written here (not by actopo): the cocycle's
// coboundary vanishes on every simplex born before the death, with value 1 on the birth simplex; the cycle
// is a closed loop of edges born by the birth value, through the birth edge, and not a boundary before the
// death (a Z/2 reduction of the boundary matrix written in this file); on clouds with known loops (circle,
// figure-eight, flat torus) the cycles wind around the holes.
#include <algorithm>
#include <cmath>
#include <map>
#include <functional>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "actopo/native.hpp"

namespace {

using actopo::Representative;

/// A cloud given by its float distances (so that these tests and the engine see the same values).
struct Cloud {
    std::vector<std::vector<double>> points;
    std::vector<float> lower;
    std::size_t n() const { return points.size(); }
    float d(std::size_t i, std::size_t j) const {
        if (i == j) return 0;
        if (i < j) std::swap(i, j);
        return lower[i * (i - 1) / 2 + j];
    }
    float diam(const std::vector<std::uint32_t>& s) const {
        float m = 0;
        for (std::size_t a = 0; a < s.size(); ++a)
            for (std::size_t b = a + 1; b < s.size(); ++b) m = std::max(m, d(s[a], s[b]));
        return m;
    }
};

Cloud make_cloud(std::vector<std::vector<double>> points) {
    Cloud c;
    c.points = std::move(points);
    for (std::size_t i = 1; i < c.n(); ++i)
        for (std::size_t j = 0; j < i; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < c.points[i].size(); ++k) s += (c.points[i][k] - c.points[j][k]) * (c.points[i][k] - c.points[j][k]);
            c.lower.push_back(float(std::sqrt(s)));
        }
    return c;
}

std::vector<std::vector<double>> circle(std::size_t n, double cx, double r, std::mt19937& rng, double phase = 0) {
    std::uniform_real_distribution<double> jitter(-0.05, 0.05);
    std::vector<std::vector<double>> out;
    for (std::size_t i = 0; i < n; ++i) {
        const double a = phase + 2 * M_PI * double(i) / double(n);
        out.push_back({cx + r * std::cos(a) + jitter(rng), r * std::sin(a) + jitter(rng)});
    }
    return out;
}

actopo::Diagrams compute(const Cloud& c, int max_dim, std::size_t longest, int coeff = 2, int threads = 1,
                         double min_persistence = -1) {
    actopo::RipsOptions o;
    o.max_dim = max_dim;
    o.coeff = coeff;
    o.threads = threads;
    o.representatives = longest;
    o.min_persistence = min_persistence;
    return actopo::native::compute(actopo::RipsInput::from_lower(c.n(), c.lower), o);
}

/// All k-simplices (vertices largest first) with diameter < bound.
std::vector<std::vector<std::uint32_t>> simplices(const Cloud& c, int k, double bound) {
    std::vector<std::vector<std::uint32_t>> out;
    std::vector<std::uint32_t> s(std::size_t(k) + 1);
    std::function<void(int, std::uint32_t)> rec = [&](int pos, std::uint32_t below) {
        if (pos > k) {
            if (c.diam(s) < bound) out.push_back(s);
            return;
        }
        for (std::uint32_t v = 0; v < below; ++v) {
            s[std::size_t(pos)] = v;
            bool ok = true;  // prune: every edge so far below the bound
            for (int a = 0; a < pos && ok; ++a) ok = c.d(s[std::size_t(a)], v) < bound;
            if (ok) rec(pos + 1, v);
        }
    };
    for (std::uint32_t top = 0; top < c.n(); ++top) {
        s[0] = top;
        rec(1, top);
    }
    return out;
}

/// The cocycle as simplex -> coefficient (vertices largest first).
std::map<std::vector<std::uint32_t>, std::uint32_t> cocycle_of(const Representative& r, int dim) {
    std::map<std::vector<std::uint32_t>, std::uint32_t> out;
    const std::size_t w = std::size_t(dim) + 2;
    REQUIRE(r.cocycle.size() % w == 0);
    for (std::size_t i = 0; i < r.cocycle.size(); i += w) {
        std::vector<std::uint32_t> s(r.cocycle.begin() + long(i), r.cocycle.begin() + long(i + w - 1));
        REQUIRE(std::is_sorted(s.rbegin(), s.rend()));
        out[s] = r.cocycle[i + w - 1];
    }
    return out;
}

/// The cocycle: value 1 on the birth simplex, and its coboundary (sum over faces t - t_i of (-1)^i V) is 0 mod p
/// on every (dim+1)-simplex born before the death.
void check_cocycle(const Cloud& c, const Representative& r, int dim, std::uint32_t p, double threshold) {
    auto v = cocycle_of(r, dim);
    REQUIRE(v.count(r.birth_simplex));
    CHECK(v.at(r.birth_simplex) == 1);
    CHECK(double(c.diam(r.birth_simplex)) == r.birth);
    for (const auto& [s, coeff] : v) CHECK(double(c.diam(s)) >= r.birth);
    // the threshold as the engine's float (the text has 9 digits, which read back as that float)
    const double bound = std::isinf(r.death) ? std::nextafter(double(float(threshold)), 1e300) : r.death;
    std::size_t nonzero = 0;
    for (const auto& t : simplices(c, dim + 1, bound)) {
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            auto face = t;
            face.erase(face.begin() + long(i));
            auto it = v.find(face);
            if (it != v.end()) sum += (i % 2 ? p - it->second : it->second);
        }
        nonzero += sum % p != 0;
    }
    CHECK(nonzero == 0);
}

/// The cycle: a closed loop of distinct vertices through the birth edge, every edge born by the birth value.
void check_cycle_shape(const Cloud& c, const Representative& r) {
    const auto& z = r.cycle;
    REQUIRE(z.size() >= 3);
    auto sorted = z;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // simple: every degree is 2
    bool through_birth = false;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const std::uint32_t a = z[i], b = z[(i + 1) % z.size()];
        CHECK(double(c.d(a, b)) <= r.birth);
        through_birth |= std::max(a, b) == r.birth_simplex[0] && std::min(a, b) == r.birth_simplex[1];
    }
    CHECK(through_birth);
}

/// The cocycle's value on the oriented loop, mod p: edge a -> b counts +V({a > b}) or -V({b > a}).
std::uint32_t evaluate(const Representative& r, std::uint32_t p) {
    auto v = cocycle_of(r, 1);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r.cycle.size(); ++i) {
        const std::uint32_t a = r.cycle[i], b = r.cycle[(i + 1) % r.cycle.size()];
        auto it = v.find({std::max(a, b), std::min(a, b)});
        if (it != v.end()) sum += a > b ? it->second : p - it->second;
    }
    return std::uint32_t(sum % p);
}

/// Z/2 vectors over the edges of the cloud, reduced against the boundaries of triangles added so far.
class Boundaries {
public:
    explicit Boundaries(const Cloud& c) : c_(c), words_((c.n() * (c.n() - 1) / 2 + 63) / 64) {}
    using Vec = std::vector<std::uint64_t>;
    static std::size_t edge(std::uint32_t a, std::uint32_t b) {
        if (a < b) std::swap(a, b);
        return std::size_t(a) * (a - 1) / 2 + b;
    }
    Vec loop(const std::vector<std::uint32_t>& z) const {
        Vec x(words_, 0);
        for (std::size_t i = 0; i < z.size(); ++i) {
            const std::size_t e = edge(z[i], z[(i + 1) % z.size()]);
            x[e / 64] ^= std::uint64_t(1) << (e % 64);
        }
        return x;
    }
    /// Reduces x by the basis; adds it (when non-zero) with `keep`. Returns whether x was non-zero after.
    bool reduce(Vec x, bool keep) {
        for (;;) {
            long top = -1;
            for (std::size_t w = words_; w-- > 0;)
                if (x[w]) {
                    top = long(w * 64 + 63 - std::size_t(__builtin_clzll(x[w])));
                    break;
                }
            if (top < 0) return false;
            auto it = basis_.find(top);
            if (it == basis_.end()) {
                if (keep) basis_.emplace(top, std::move(x));
                return true;
            }
            for (std::size_t w = 0; w < words_; ++w) x[w] ^= it->second[w];
        }
    }
    /// Adds the boundaries of all triangles with diameter < bound.
    void add_triangles_below(double bound) {
        for (const auto& t : simplices(c_, 2, bound)) {
            if (!added_.insert(t).second) continue;
            Vec x(words_, 0);
            for (std::size_t e : {edge(t[0], t[1]), edge(t[0], t[2]), edge(t[1], t[2])}) x[e / 64] ^= std::uint64_t(1) << (e % 64);
            reduce(std::move(x), true);
        }
    }

private:
    const Cloud& c_;
    std::size_t words_;
    std::map<long, Vec> basis_;
    std::set<std::vector<std::uint32_t>> added_;
};

/// Every cycle is not a boundary of the triangles born before its death (Z/2), and the cycles of the classes
/// alive together just before the earliest death are independent modulo those boundaries.
void check_not_boundaries(const Cloud& c, const std::vector<Representative>& reps, double threshold) {
    // essential classes: not a boundary in the whole complex (triangles up to the engine's float threshold)
    auto end = [&](const Representative& r) { return std::isinf(r.death) ? std::nextafter(double(float(threshold)), 1e300) : r.death; };
    std::vector<const Representative*> by_death;
    for (const auto& r : reps) by_death.push_back(&r);
    std::sort(by_death.begin(), by_death.end(), [](auto* a, auto* b) { return a->death < b->death; });
    Boundaries growing(c);  // the boundaries grow with the deaths
    for (const auto* r : by_death) {
        growing.add_triangles_below(end(*r));
        CHECK(growing.reduce(growing.loop(r->cycle), false));
    }
    double first_death = 1e300, last_birth = 0;
    for (const auto& r : reps) first_death = std::min(first_death, end(r)), last_birth = std::max(last_birth, r.birth);
    if (last_birth >= first_death) return;
    Boundaries b(c);
    b.add_triangles_below(first_death);
    for (const auto& r : reps) CHECK(b.reduce(b.loop(r.cycle), true));
}

void check_all(const Cloud& c, const actopo::Diagrams& d, std::uint32_t p) {
    const auto& reps = d.dims.at(1).representatives;
    const double threshold = std::stod(d.meta.at("threshold"));
    for (const auto& r : reps) {
        INFO("class [" << r.birth << ", " << r.death << ")");
        bool in_diagram = false;
        for (const auto& pair : d.dims[1].pairs) in_diagram |= pair.birth == r.birth && pair.death == r.death;
        CHECK(in_diagram);
        check_cocycle(c, r, 1, p, threshold);
        check_cycle_shape(c, r);
        CHECK(evaluate(r, p) != 0);
    }
    check_not_boundaries(c, reps, threshold);
}

/// Winding number of a closed polygon (first two coordinates) around (x, y).
int winding(const Cloud& c, const std::vector<std::uint32_t>& z, double x, double y, int ax = 0) {
    double total = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const auto& a = c.points[z[i]];
        const auto& b = c.points[z[(i + 1) % z.size()]];
        double t = std::atan2(b[ax + 1] - y, b[ax] - x) - std::atan2(a[ax + 1] - y, a[ax] - x);
        while (t > M_PI) t -= 2 * M_PI;
        while (t < -M_PI) t += 2 * M_PI;
        total += t;
    }
    return int(std::lround(total / (2 * M_PI)));
}

}  // namespace

TEST_CASE("representatives of a noisy circle: the loop winds once around the centre, over Z/2 and Z/3", "[native][representatives]") {
    std::mt19937 rng(7);
    const Cloud c = make_cloud(circle(40, 0, 1, rng));
    for (std::uint32_t p : {2u, 3u}) {
        const auto d = compute(c, 1, 1, int(p));
        const auto& reps = d.dims.at(1).representatives;
        REQUIRE(reps.size() == 1);
        double longest = 0;
        for (const auto& pair : d.dims[1].pairs) longest = std::max(longest, pair.death - pair.birth);
        CHECK(reps[0].death - reps[0].birth == longest);
        CHECK(std::abs(winding(c, reps[0].cycle, 0, 0)) == 1);
        check_all(c, d, p);
    }
    // the oracle itself: a loop of three neighbours bounds a triangle, the class's loop bounds nothing
    const auto d = compute(c, 1, 1);
    Boundaries b(c);
    b.add_triangles_below(d.dims[1].representatives[0].death);
    REQUIRE(c.diam({2, 1, 0}) < d.dims[1].representatives[0].death);
    CHECK(!b.reduce(b.loop({0, 1, 2}), false));
    CHECK(b.reduce(b.loop(d.dims[1].representatives[0].cycle), false));
}

TEST_CASE("representatives of a figure-eight: the two longest loops go around different lobes", "[native][representatives]") {
    std::mt19937 rng(3);
    auto pts = circle(30, -1, 1, rng);
    for (auto& q : circle(30, 1, 1, rng, M_PI)) pts.push_back(q);
    const Cloud c = make_cloud(pts);
    const auto d = compute(c, 1, 2);
    const auto& reps = d.dims.at(1).representatives;
    REQUIRE(reps.size() == 2);
    int w[2][2];
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) w[i][j] = winding(c, reps[std::size_t(i)].cycle, j ? 1.0 : -1.0, 0) & 1;
    CHECK((w[0][0] * w[1][1] + w[0][1] * w[1][0]) % 2 == 1);  // independent winding vectors mod 2
    check_all(c, d, 2);
}

TEST_CASE("representatives of a flat torus: two independent loops, one around each circle", "[native][representatives]") {
    std::vector<std::vector<double>> pts;
    for (int i = 0; i < 7; ++i)
        for (int j = 0; j < 5; ++j) {
            const double a = 2 * M_PI * i / 7, b = 2 * M_PI * j / 5;
            pts.push_back({std::cos(a), std::sin(a), 0.8 * std::cos(b), 0.8 * std::sin(b)});
        }
    const Cloud c = make_cloud(pts);
    const auto d = compute(c, 1, 2);
    const auto& reps = d.dims.at(1).representatives;
    REQUIRE(reps.size() == 2);
    int w[2][2];
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) w[i][j] = winding(c, reps[std::size_t(i)].cycle, 0, 0, 2 * j) & 1;
    CHECK((w[0][0] * w[1][1] + w[0][1] * w[1][0]) % 2 == 1);
    check_all(c, d, 2);
}

TEST_CASE("representatives of every class of random clouds on two threads, with a threshold", "[native][representatives]") {
    std::mt19937 rng(11);
    std::normal_distribution<double> g;
    for (int trial = 0; trial < 3; ++trial) {
        std::vector<std::vector<double>> pts(45, std::vector<double>(3));
        for (auto& q : pts)
            for (auto& x : q) x = g(rng);
        const Cloud c = make_cloud(pts);
        actopo::RipsOptions o;
        o.max_dim = 1;
        o.threads = 2;
        o.coeff = trial == 2 ? 5 : 2;
        o.min_persistence = 0;
        o.threshold = trial == 1 ? 0.9 : 1e9;  // trial 1: essential classes
        const auto d = actopo::native::compute(actopo::RipsInput::from_lower(c.n(), c.lower), o);
        REQUIRE(d.dims[1].representatives.size() == d.dims[1].pairs.size());
        if (trial == 1) CHECK(std::any_of(d.dims[1].pairs.begin(), d.dims[1].pairs.end(), [](auto& p) { return p.essential(); }));
        check_all(c, d, std::uint32_t(o.coeff));
    }
}

// The reduction keeps the V of at most K columns reduced to zero (the earliest ones, which a selection of the K
// longest takes): with more essential classes than K, the kept cocycles must be the selected ones.
TEST_CASE("representatives of the K longest among many essential classes, on two threads", "[native][representatives]") {
    std::mt19937 rng(19);
    std::vector<std::vector<double>> pts;
    for (int k = 0; k < 4; ++k)  // four separated noisy circles, all essential below the threshold
        for (auto& q : circle(18, 4.0 * k, 1, rng, 0.3 * k)) pts.push_back(q);
    const Cloud c = make_cloud(pts);
    for (int threads : {1, 2}) {
        actopo::RipsOptions o;
        o.max_dim = 1;
        o.threads = threads;
        o.threshold = 0.9;
        o.representatives = 2;
        const auto d = actopo::native::compute(actopo::RipsInput::from_lower(c.n(), c.lower), o);
        const auto& reps = d.dims[1].representatives;
        std::vector<double> essential;
        for (const auto& pair : d.dims[1].pairs)
            if (pair.essential()) essential.push_back(pair.birth);
        REQUIRE(essential.size() >= 4);
        std::sort(essential.begin(), essential.end());
        REQUIRE(reps.size() == 2);
        for (std::size_t i = 0; i < 2; ++i) {
            CHECK(std::isinf(reps[i].death));
            CHECK(reps[i].birth == essential[i]);  // the earliest-born essential classes
        }
        check_all(c, d, 2);
    }
}

TEST_CASE("representatives: --min-persistence keeps the classes at least that long, longest first", "[native][representatives]") {
    std::mt19937 rng(5);
    std::normal_distribution<double> g;
    std::vector<std::vector<double>> pts(40, std::vector<double>(2));
    for (auto& q : pts)
        for (auto& x : q) x = g(rng);
    const Cloud c = make_cloud(pts);
    const double cut = 0.1;
    const auto d = compute(c, 1, 0, 2, 1, cut);
    std::size_t expected = 0;
    for (const auto& pair : d.dims[1].pairs) expected += pair.death - pair.birth >= cut;
    const auto& reps = d.dims[1].representatives;
    CHECK(reps.size() == expected);
    for (std::size_t i = 1; i < reps.size(); ++i) CHECK(reps[i - 1].death - reps[i - 1].birth >= reps[i].death - reps[i].birth);
    const auto three = compute(c, 1, 3, 2, 1, cut);
    REQUIRE(three.dims[1].representatives.size() == std::min<std::size_t>(3, expected));
    for (std::size_t i = 0; i < three.dims[1].representatives.size(); ++i)
        CHECK(three.dims[1].representatives[i].cycle == reps[i].cycle);
    CHECK(compute(c, 1, 0).dims[1].representatives.empty());  // not asked
}

TEST_CASE("representatives of H2 on a sphere: a cocycle whose coboundary vanishes before the death, no cycle", "[native][representatives]") {
    std::vector<std::vector<double>> pts;
    const double phi = (1 + std::sqrt(5.0)) / 2;  // icosahedron plus the centres of its faces' directions
    for (double s : {-1.0, 1.0})
        for (double t : {-1.0, 1.0}) {
            pts.push_back({0, s, t * phi});
            pts.push_back({s, t * phi, 0});
            pts.push_back({t * phi, 0, s});
        }
    const Cloud c = make_cloud(pts);
    for (std::uint32_t p : {2u, 3u}) {
        const auto d = compute(c, 2, 1, int(p));
        const auto& reps = d.dims.at(2).representatives;
        REQUIRE(reps.size() == 1);
        CHECK(reps[0].cycle.empty());
        check_cocycle(c, reps[0], 2, p, std::stod(d.meta.at("threshold")));
    }
}
