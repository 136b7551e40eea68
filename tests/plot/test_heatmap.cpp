// What a heatmap reads a matrix as, which decides its colours (bright = alike in every matrix).
#include <catch2/catch.hpp>

#include "actopo/plot.hpp"

namespace {
actopo::NamedMatrix square(std::vector<double> values) {
    actopo::NamedMatrix m;
    m.row_names = m.col_names = {"a", "b"};
    m.values = std::move(values);
    return m;
}
}  // namespace

TEST_CASE("heatmap: a matrix is read as a similarity or a distance by its diagonal", "[plot]") {
    using actopo::MatrixMeaning;
    CHECK(actopo::guess_meaning(square({1, 0.3, 0.3, 1})) == MatrixMeaning::similarity);            // CKA
    CHECK(actopo::guess_meaning(square({0, 4.5, 4.5, 0})) == MatrixMeaning::distance);               // a diagram distance
    CHECK(actopo::guess_meaning(square({1e-9, 0.8, 0.8, 2e-9})) == MatrixMeaning::distance);         // Procrustes, rounding
    CHECK(actopo::guess_meaning(square({1, 2.5, 2.5, 1})) == MatrixMeaning::other);                  // 1 on the diagonal, above 1 elsewhere
    CHECK(actopo::guess_meaning(square({0.5, 0.1, 0.1, 0.5})) == MatrixMeaning::other);
    actopo::NamedMatrix ragged = square({1, 0, 0});
    CHECK(actopo::guess_meaning(ragged) == MatrixMeaning::other);
}
