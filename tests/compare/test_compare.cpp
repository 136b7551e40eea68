// compare: alignment of matrices by name, Spearman agreement and the Mantel permutation test.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>

#include "actopo/compare.hpp"
#include "actopo/similarity.hpp"

using namespace actopo;

namespace {
NamedMatrix distance_matrix(const std::vector<double>& points, const std::vector<std::string>& names) {
    NamedMatrix m;
    m.row_names = m.col_names = names;
    const std::size_t n = points.size();
    m.values.resize(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) m.at(i, j) = std::abs(points[i] - points[j]);
    return m;
}
std::vector<std::string> names(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back("l" + std::to_string(i));
    return out;
}
}  // namespace

TEST_CASE("agreement of monotone-related matrices is 1 with a small p-value, unrelated ones are not significant",
          "[compare]") {
    std::mt19937 rng(1);
    std::normal_distribution<double> g;
    std::vector<double> p(10), q(10);
    for (auto& v : p) v = g(rng);
    for (auto& v : q) v = g(rng);
    const NamedMatrix a = distance_matrix(p, names(10));
    NamedMatrix b = a;
    for (auto& v : b.values) v = std::exp(v);  // monotone: same ranks
    NamedMatrix sim = a;
    for (auto& v : sim.values) v = -v;          // a similarity: agreement -1
    const Agreement same = mantel_test(a, b, 999, 3);
    CHECK(same.spearman == Approx(1.0));
    CHECK(same.p_value < 0.01);
    CHECK(same.pairs == 45);
    CHECK(mantel_test(a, sim, 99, 3).spearman == Approx(-1.0));
    const Agreement other = mantel_test(a, distance_matrix(q, names(10)), 999, 3);
    CHECK(std::abs(other.spearman) < 0.6);
    CHECK(other.p_value > 0.01);
    // Seeded: the same seed, the same p-value.
    CHECK(mantel_test(a, distance_matrix(q, names(10)), 999, 3).p_value == other.p_value);
    // Spearman of the upper triangles by hand.
    Eigen::VectorXd x(45), y(45);
    int k = 0;
    const NamedMatrix c = distance_matrix(q, names(10));
    for (int j = 1; j < 10; ++j)
        for (int i = 0; i < j; ++i, ++k) {
            x[k] = a.at(i, j);
            y[k] = c.at(i, j);
        }
    CHECK(other.spearman == Approx(spearman(x, y)).epsilon(1e-12));
}

TEST_CASE("matrices are aligned by name and mismatches are refused", "[compare]") {
    const NamedMatrix a = distance_matrix({0, 1, 3, 7}, {"x", "y", "z", "w"});
    // The same matrix with its names in another order.
    NamedMatrix b;
    b.row_names = b.col_names = {"w", "z", "y", "x"};
    b.values.resize(16);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) b.at(i, j) = a.at(3 - i, 3 - j);
    const auto aligned = align_matrices({{"a", a}, {"b", b}});
    CHECK(aligned[1].matrix.values == a.values);
    CHECK(mantel_test(aligned[0].matrix, aligned[1].matrix, 10, 1).spearman == Approx(1.0));

    NamedMatrix c = distance_matrix({0, 1, 3, 7}, {"x", "y", "z", "v"});
    CHECK_THROWS_WITH(align_matrices({{"a", a}, {"c", c}}), Catch::Contains("'c'"));
    NamedMatrix nan = a;
    nan.at(1, 2) = std::nan("");
    CHECK_THROWS_WITH(align_matrices({{"a", a}, {"nan", nan}}), Catch::Contains("non-finite"));
    CHECK_THROWS_AS(align_matrices({{"a", a}}), UserError);
    CHECK_THROWS_AS(align_matrices({{"a", a}, {"a", a}}), UserError);
}

TEST_CASE("table and agreement CSV", "[compare]") {
    const NamedMatrix a = distance_matrix({0, 1, 3, 7}, names(4));
    NamedMatrix b = a;
    for (auto& v : b.values) v = v * v;
    const std::vector<MetricMatrix> ms{{"d", a}, {"d2", b}};
    const std::string table = comparison_table_csv(ms);
    CHECK(table.rfind("row,col,d,d2\nl0,l1,1,1\nl0,l2,3,9\n", 0) == 0);
    const auto agreements = pairwise_agreement(ms, 23, 0);
    REQUIRE(agreements.size() == 1);
    CHECK(agreement_csv(agreements).find("d,d2,1,") != std::string::npos);
    CHECK(agreement_matrix(ms, agreements).at(0, 1) == Approx(1.0));
}
