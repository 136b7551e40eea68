// The native engine against the ripser executable on the ph-benchmarks files.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "actopo/native.hpp"
#include "oracles.hpp"

using namespace native_test;

namespace {
actopo::RipsOptions opts(int max_dim, int coeff = 2, int threads = 2) {
    actopo::RipsOptions o;
    o.max_dim = max_dim;
    o.coeff = coeff;
    o.threads = threads;
    return o;
}
}  // namespace

TEST_CASE("native matches ripser on random16 (integer distances with ties), dim 2, Z/2", "[native][ripser]") {
    auto file = bench_file("random16.lower_distance_matrix");
    auto ours = actopo::native::compute(read_distance_file(file), opts(2));
    require_same(ours, run_ripser("/usr/bin/ripser", "--format lower-distance", file, 2));
    CHECK(ours.meta.at("backend") == "native");
}

TEST_CASE("native distinguishes Z/2 from Z/3 on the projective plane like ripser", "[native][ripser]") {
    auto file = bench_file("projective_plane.csv");
    auto input = read_distance_file(file);
    auto z2 = actopo::native::compute(input, opts(2, 2));
    auto z3 = actopo::native::compute(input, opts(2, 3));
    require_same(z2, run_ripser("/usr/bin/ripser", "--format distance", file, 2));
    require_same(z3, run_ripser("/usr/bin/ripser-coeff", "--modulus 3 --format distance", file, 2));
    // RP2 has H1 = H2 = Z/2 over Z/2 and nothing over Z/3: the two diagrams must differ.
    CHECK(z2.dims[1].pairs.size() != z3.dims[1].pairs.size());
}

TEST_CASE("native matches ripser on random_50_16 points, dim 2, Z/2 and Z/3", "[native][ripser]") {
    auto file = bench_file("random_50_16.txt");
    auto input = read_point_file(file);
    require_same(actopo::native::compute(input, opts(2)), run_ripser("/usr/bin/ripser", "--format point-cloud", file, 2));
    require_same(actopo::native::compute(input, opts(2, 3)),
                 run_ripser("/usr/bin/ripser-coeff", "--modulus 3 --format point-cloud", file, 2));
}

TEST_CASE("native matches ripser on sphere_3_192, dim 2", "[native][ripser]") {
    auto file = bench_file("sphere_3_192.lower_distance_matrix");
    require_same(actopo::native::compute(read_distance_file(file), opts(2)),
                 run_ripser("/usr/bin/ripser", "--format lower-distance", file, 2));
}

TEST_CASE("native matches ripser on dragon_1000, dim 1", "[native][ripser]") {
    auto file = bench_file("dragon_1000.txt");
    require_same(actopo::native::compute(read_point_file(file), opts(1)),
                 run_ripser("/usr/bin/ripser", "--format point-cloud", file, 1));
}

TEST_CASE("native matches ripser on o3_1024, dim 3, threshold 1.8", "[native][ripser]") {
    auto file = bench_file("o3_1024.txt");
    auto o = opts(3);
    o.threshold = 1.8;
    require_same(actopo::native::compute(read_point_file(file), o),
                 run_ripser("/usr/bin/ripser", "--format point-cloud --threshold 1.8", file, 3));
}

TEST_CASE("native matches ripser where a giant column is compacted (noisy sphere's void, dim 2, Z/2 and Z/3)",
          "[native][ripser]") {
    // held out: 310 points near the unit sphere, whose void's H2 column grows past the 2^22 entries above which a
    // working heap is compacted (sorted, summed per simplex; on two threads sorted on both once the other is idle)
    std::mt19937_64 rng(2611);
    std::normal_distribution<double> g;
    const std::string file = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/actopo-native-sphere-" +
                             std::to_string(::getpid()) + ".txt";
    {
        std::ofstream out(file);
        out.precision(9);
        for (int i = 0; i < 310; ++i) {
            double x = g(rng), y = g(rng), z = g(rng);
            const double r = std::sqrt(x * x + y * y + z * z);
            x = x / r + 0.05 * g(rng), y = y / r + 0.05 * g(rng), z = z / r + 0.05 * g(rng);
            out << x << ' ' << y << ' ' << z << '\n';
        }
    }
    const auto input = read_point_file(file);
    for (int coeff : {2, 3}) {
        const auto oracle = coeff == 2 ? run_ripser("/usr/bin/ripser", "--format point-cloud", file, 2)
                                       : run_ripser("/usr/bin/ripser-coeff", "--modulus 3 --format point-cloud", file, 2);
        INFO("Z/" << coeff);
        require_same(actopo::native::compute(input, opts(2, coeff, 2)), oracle);
        const auto heaviest = actopo::native::last_heaviest_columns();
        REQUIRE(heaviest.size() == 2);
        CHECK(heaviest[1].at(0) > 8.0 * (1 << 22));  // the void's heap passed 2^22 entries of at least 8 bytes
    }
    std::remove(file.c_str());
}
