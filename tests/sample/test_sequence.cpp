// Sequence samplings and the random projection of flatten, checked against numpy: a script writes a store with
// h5py (a [N, T, D] layer, a padding mask, token ids, a large conv layer) and, next to it, what each sampling must
// give computed by numpy from the definitions in docs/formats.md; the library samples the store and compares.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "actopo/sample.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("actopo-sequence-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return (dir / name).string();
}

// numpy: the store, and next to it <sampling>-{points,ids,positions,tokens}.txt; projection.txt the projected
// flatten points of layer "conv" (k = 64, seed 11), by the documented splitmix64 formula.
const char* kScript = R"(import sys, h5py, numpy as np
rng = np.random.default_rng(5)
N, T, D = 6, 7, 3
seq = rng.normal(size=(N, T, D)).astype(np.float32)
mask = np.zeros((N, T), dtype=bool)
lengths = [7, 5, 3, 1, 6, 4]              # right padding: input i has lengths[i] real tokens
for i, n in enumerate(lengths): mask[i, n:] = True
mask[5, 0] = True                          # and one input padded on the left too: positions 1..3 real
tokens = rng.integers(0, 50, size=(N, T)).astype(np.int64)
conv = rng.normal(size=(N, 2, 40, 40)).astype(np.float32)
conv[:, :, :5, :] = 0                      # zeros are skipped by the projection: they must change nothing
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['format'] = 'actopo-activations'
    f['inputs/labels'] = np.arange(N, dtype=np.int64) % 2
    f['inputs/index'] = np.arange(N, dtype=np.int64) + 100
    f['inputs/mask'] = mask
    f['inputs/tokens'] = tokens
    f['layers/enc/activations'] = seq
    f['layers/conv/activations'] = conv
    def put(name, pts, ids, pos, tok):
        np.savetxt(sys.argv[2] + name + '-points.txt', np.asarray(pts, dtype=np.float64).reshape(-1), fmt='%.17g')
        for what, v in (('ids', ids), ('positions', pos), ('tokens', tok)):
            np.savetxt(sys.argv[2] + name + '-' + what + '.txt', np.asarray(v, dtype=np.int64).reshape(-1), fmt='%d')
    real = [np.flatnonzero(~mask[i]) for i in range(N)]
    put('tokens', [seq[i, t] for i in range(N) for t in real[i]], [100 + i for i in range(N) for t in real[i]],
        [t for i in range(N) for t in real[i]], [tokens[i, t] for i in range(N) for t in real[i]])
    put('token-mean', [seq[i, real[i]].astype(np.float64).mean(axis=0) for i in range(N)], 100 + np.arange(N), [-1] * N, [-1] * N)
    put('first-token', [seq[i, real[i][0]] for i in range(N)], 100 + np.arange(N), [real[i][0] for i in range(N)],
        [tokens[i, real[i][0]] for i in range(N)])
    put('last-token', [seq[i, real[i][-1]] for i in range(N)], 100 + np.arange(N), [real[i][-1] for i in range(N)],
        [tokens[i, real[i][-1]] for i in range(N)])
    M = np.uint64(0xFFFFFFFFFFFFFFFF)
    def splitmix64(x):
        with np.errstate(over='ignore'):
            z = (x + np.uint64(0x9e3779b97f4a7c15)) & M
            z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xbf58476d1ce4e5b9)) & M
            z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94d049bb133111eb)) & M
            return z ^ (z >> np.uint64(31))
    k, s, seed = 64, 4, 11
    Dflat = 2 * 40 * 40
    j = np.repeat(np.arange(Dflat, dtype=np.uint64), s); b = np.tile(np.arange(s, dtype=np.uint64), Dflat)
    u = splitmix64(splitmix64(np.uint64(seed)) ^ (j * np.uint64(s) + b))
    rows = b * np.uint64(k // s) + (u >> np.uint64(32)) % np.uint64(k // s)
    sign = np.where(u & np.uint64(1), -1.0, 1.0)
    P = np.zeros((k, Dflat))
    np.add.at(P, (rows.astype(np.int64), j.astype(np.int64)), sign / np.sqrt(s))
    np.savetxt(sys.argv[2] + 'projection.txt', (conv.reshape(N, -1).astype(np.float64) @ P.T).reshape(-1), fmt='%.17g')
)";

void run_script(const std::string& store) {
    const std::string script = temp_path("make.py");
    std::ofstream(script) << kScript;
    REQUIRE(std::system(("/usr/bin/python3 " + script + " " + store + " " + temp_path("")).c_str()) == 0);
}

template <class T>
std::vector<T> read_numbers(const std::string& name) {
    std::ifstream in(temp_path(name));
    std::vector<T> out;
    for (T v; in >> v;) out.push_back(v);
    return out;
}

}  // namespace

TEST_CASE("token samplings and the flatten projection equal numpy's, padded positions left out", "[sample][python]") {
    const std::string path = temp_path("seq.h5");
    run_script(path);
    StoreReader store(path);
    for (const std::string name : {"tokens", "token-mean", "first-token", "last-token"}) {
        INFO("sampling " << name);
        SampleOptions o;
        o.method = parse_sampling(name);
        const PointCloud pc = sample_layer(store, "enc", o);
        const auto expected = read_numbers<double>(name + "-points.txt");
        REQUIRE(pc.points.cols == 3);
        REQUIRE(pc.points.rows * 3 == expected.size());
        double worst = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::fabs(expected[i] - pc.points.data[i]));
        CHECK(worst < 1e-6);
        CHECK(pc.input_ids == read_numbers<std::int64_t>(name + "-ids.txt"));
        CHECK(pc.positions == read_numbers<std::int64_t>(name + "-positions.txt"));
        CHECK(pc.tokens == read_numbers<std::int64_t>(name + "-tokens.txt"));
    }
    {  // a seeded subsample of tokens never picks a padded one
        SampleOptions o;
        o.method = Sampling::tokens;
        o.points = 9;
        o.seed = 3;
        const PointCloud pc = sample_layer(store, "enc", o);
        CHECK(pc.points.rows == 9);
        std::size_t len = 0;
        const auto mask = store.mask(&len);
        REQUIRE(len == 7);
        for (std::size_t p = 0; p < pc.points.rows; ++p) CHECK(mask[std::size_t(pc.input_ids[p] - 100) * 7 + std::size_t(pc.positions[p])] == 0);
    }
    {  // flatten of a layer larger than the projection is the documented sparse projection
        SampleOptions o;
        o.method = Sampling::flatten;
        o.projection = 64;
        o.seed = 11;
        const PointCloud pc = sample_layer(store, "conv", o);
        REQUIRE(pc.points.cols == 64);
        const auto expected = read_numbers<double>("projection.txt");
        REQUIRE(expected.size() == pc.points.data.size());
        double worst = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::fabs(expected[i] - pc.points.data[i]));
        CHECK(worst < 1e-4);
        o.projection = 0;  // no projection: the layer whole
        CHECK(sample_layer(store, "conv", o).points.cols == 3200);
    }
    {  // token samplings of a vector layer give the vector (tokens: an error), a mask of another length is an error
        SampleOptions o;
        o.method = Sampling::token_mean;
        Matrix rows(2, 4);
        rows(1, 2) = 5;
        CHECK(sample_tensor(rows, {4}, {}, {}, {}, o).points.data == rows.data);  // a vector layer: the vector
        o.method = Sampling::tokens;
        CHECK_THROWS_WITH(sample_tensor(rows, {4}, {}, {}, {}, o), Catch::Contains("needs [T, D]"));
        o.method = Sampling::token_mean;
        CHECK_THROWS_WITH(sample_tensor(rows, {2, 2}, {}, {}, {}, o, std::vector<std::uint8_t>(6, 0)),
                          Catch::Contains("3 positions"));
        CHECK_THROWS_WITH(sample_tensor(rows, {2, 2}, {}, {}, {}, o, {0, 0, 1, 1}), Catch::Contains("every position padded"));
    }
}

TEST_CASE("the random projection keeps distances within Johnson-Lindenstrauss bounds", "[sample]") {
    // 20 points in 20 000 dimensions (dense and sparse ones) projected to 4 096: the squared distance of a pair is
    // an unbiased estimate with relative sd sqrt(2 / k) = 2.2%; 190 pairs all within 12% (more than 5 sd).
    const std::size_t n = 20, d = 20000, k = 4096;
    Matrix rows(n, d);
    std::mt19937_64 rng(1);
    std::normal_distribution<float> normal;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) rows(i, j) = i % 2 ? normal(rng) : (j % 7 == 0 ? normal(rng) * 3 : 0.0f);
    const Matrix y = random_projection(rows, k, 42);
    double worst = 0, mean_ratio = 0;
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = a + 1; b < n; ++b) {
            double dx = 0, dy = 0;
            for (std::size_t j = 0; j < d; ++j) dx += std::pow(double(rows(a, j)) - rows(b, j), 2);
            for (std::size_t j = 0; j < k; ++j) dy += std::pow(double(y(a, j)) - y(b, j), 2);
            worst = std::max(worst, std::fabs(dy / dx - 1));
            mean_ratio += dy / dx / (n * (n - 1) / 2);
        }
    CHECK(worst < 0.12);
    CHECK(std::fabs(mean_ratio - 1) < 0.02);
    CHECK_THROWS_AS(random_projection(rows, 30, 1), UserError);  // not a multiple of 4
    const Matrix again = random_projection(rows, k, 42), other = random_projection(rows, k, 43);
    CHECK(again.data == y.data);
    CHECK(other.data != y.data);
}
