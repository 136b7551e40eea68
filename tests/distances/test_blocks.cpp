// A distance matrix computed in blocks (as separate jobs, possibly on separate MPI ranks) and merged equals
// the matrix computed at once; merging refuses missing and doubled pairs.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "actopo/distances.hpp"

using namespace actopo;

namespace {
std::vector<Diagram> random_diagrams(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<Diagram> out(count);
    for (auto& d : out) {
        d.dim = 1;
        for (int k = 0; k < 30; ++k) {
            const double b = u(rng);
            d.pairs.push_back({b, b + u(rng)});
        }
    }
    return out;
}
}  // namespace

TEST_CASE("distance matrix in blocks: merged blocks equal the whole matrix", "[distances]") {
    const auto ds = random_diagrams(13, 5);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < ds.size(); ++i) names.push_back("d" + std::to_string(i));
    const NamedMatrix whole = diagram_distance_matrix(names, ds, DiagramMetric::bottleneck, {}, 1);
    for (std::size_t count : {1, 2, 5, 78, 100}) {  // 78 = every pair alone; 100: some blocks empty
        std::vector<NamedMatrix> blocks;
        std::vector<std::string> parts;
        std::size_t computed = 0;
        for (std::size_t k = 0; k < count; ++k) {
            blocks.push_back(diagram_distance_matrix(names, ds, DiagramMetric::bottleneck, {}, 2, {k, count}));
            parts.push_back("part" + std::to_string(k));
            for (double v : blocks.back().values) computed += !std::isnan(v);
        }
        INFO(count << " blocks");
        REQUIRE(computed == count * 13 + 13 * 12);  // each block's diagonal, and every off-diagonal entry once
        REQUIRE(merge_matrix_blocks(blocks, parts).values == whole.values);
    }
}

TEST_CASE("merging blocks refuses a missing block, a doubled block and another matrix", "[distances]") {
    const auto ds = random_diagrams(6, 9);
    const std::vector<std::string> names{"a", "b", "c", "d", "e", "f"};
    auto block = [&](std::size_t k, std::size_t n) {
        return diagram_distance_matrix(names, ds, DiagramMetric::sliced_wasserstein, {}, 1, {k, n});
    };
    REQUIRE_THROWS_WITH(merge_matrix_blocks({block(0, 3), block(1, 3)}, {"p1", "p2"}),
                        Catch::Contains("is in none of the blocks p1, p2"));
    REQUIRE_THROWS_WITH(merge_matrix_blocks({block(0, 2), block(0, 2)}, {"p1", "p1-again"}),
                        Catch::Contains("p1-again: the pair") && Catch::Contains("is also in another block"));
    NamedMatrix other = block(1, 2);
    other.row_names[0] = other.col_names[0] = "z";
    REQUIRE_THROWS_WITH(merge_matrix_blocks({block(0, 2), other}, {"p1", "p2"}), Catch::Contains("p2: not a block of the same matrix"));
    REQUIRE_THROWS_WITH(block(3, 3), Catch::Contains("block 4 of 3"));
}
