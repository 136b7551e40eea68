// read_rips_input: every format gives the same distances; bad input names the file, row and column.
#include <cstring>

#include "helpers.hpp"

using namespace actopo;

namespace {

std::string write(const std::string& name, const std::string& text) {
    const std::string path = ptest::temp_path(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::string error_of(const std::string& text, const std::string& format, Metric m = Metric::precomputed) {
    const std::string path = write("bad." + format, text);
    try {
        read_rips_input(path, format, m);
    } catch (const UserError& e) {
        std::string what = e.what();
        REQUIRE(what.find(path) != std::string::npos);  // names the file
        REQUIRE(what.find('\n') == std::string::npos);  // one line
        return what;
    }
    FAIL("no error for " << format << " input:\n" << text);
    return "";
}

}  // namespace

TEST_CASE("every Ripser format reads the same matrix", "[persistence][inputs]") {
    // 4 points on a line at 0, 1, 3, 6 (a metric)
    const double x[] = {0, 1, 3, 6};
    std::string lower, upper, full, sparse;
    std::vector<float> bin;
    std::string dipha(24, '\0');
    const std::int64_t header[] = {8067171840, 7, 4};
    std::memcpy(dipha.data(), header, 24);
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            const double d = std::abs(x[i] - x[j]);
            full += std::to_string(d) + (j < 3 ? "," : "\n");
            if (j < i) lower += std::to_string(d) + (j + 1 < i ? "," : "\n"), bin.push_back(float(d));
            if (j > i) upper += std::to_string(d) + (j < 3 ? " " : "\n");
            if (j < i) sparse += std::to_string(i) + " " + std::to_string(j) + " " + std::to_string(d) + "\n";
            dipha.append(reinterpret_cast<const char*>(&d), 8);
        }
    }
    std::string binary(reinterpret_cast<const char*>(bin.data()), bin.size() * 4);
    const struct { const char* format; std::string text; } cases[] = {
        {"lower-distance", "\n" + lower}, {"lower-distance", lower}, {"upper-distance", upper},
        {"distance", full}, {"sparse", sparse}, {"binary", binary}, {"dipha", dipha},
        {"point-cloud", "0\n1\n3\n6\n"}, {"csv", "x\n0\n1\n3\n6\n"},
    };
    for (const auto& c : cases) {
        INFO(c.format << ":\n" << c.text);
        const auto in = read_rips_input(write(std::string("in.") + c.format, c.text), c.format,
                                        std::string(c.format) == "point-cloud" || std::string(c.format) == "csv"
                                            ? Metric::euclidean : Metric::precomputed);
        REQUIRE(in.n == 4);
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) REQUIRE(in.distance(i, j) == Approx(std::abs(x[i] - x[j])));
    }
}

TEST_CASE("benchmark files read in their formats and match ripser's point count", "[persistence][inputs]") {
    REQUIRE(read_rips_input(ptest::bench_file("rp2_600.lower_distance_matrix.csv"), "auto", Metric::euclidean).n == 600);
    REQUIRE(read_rips_input(ptest::bench_file("sphere_3_192.lower_distance_matrix"), "auto", Metric::euclidean).n == 192);
    REQUIRE(read_rips_input(ptest::bench_file("celegans_distmat.txt"), "auto", Metric::precomputed).n == 297);
    const auto o3 = read_rips_input(ptest::bench_file("o3_1024.txt"), "point-cloud", Metric::euclidean);
    REQUIRE(o3.n == 1024);
    REQUIRE(o3.points.cols == 9);
}

TEST_CASE("bad inputs: one line naming file, row and column", "[persistence][inputs][errors]") {
    using Catch::Contains;
    CHECK_THAT(error_of("1 2 3\n4 5\n", "point-cloud", Metric::euclidean), Contains("row 2") && Contains("expected 3"));
    CHECK_THAT(error_of("1 2\n3 abc\n", "point-cloud", Metric::euclidean), Contains("row 2, column 2") && Contains("abc"));
    CHECK_THAT(error_of("1 2\nnan 4\n", "point-cloud", Metric::euclidean), Contains("row 2, column 1") && Contains("finite"));
    CHECK_THAT(error_of("1 2\n3 inf\n", "csv", Metric::euclidean), Contains("row 2, column 2"));
    CHECK_THAT(error_of("1,,2\n", "csv", Metric::euclidean), Contains("row 1, column 2") && Contains("empty"));
    CHECK_THAT(error_of("1\n2,3\n4,5\n", "lower-distance"), Contains("row 3") && Contains("expected 3"));
    CHECK_THAT(error_of("1\n2,-3\n", "lower-distance"), Contains("row 2, column 2") && Contains("negative"));
    CHECK_THAT(error_of("0,1,2\n1,0,3\n2,5,0\n", "distance"), Contains("row 3, column 2") && Contains("asymmetric"));
    CHECK_THAT(error_of("0,1\n1,0,3\n", "distance"), Contains("row 2") && Contains("expected 2"));
    CHECK_THAT(error_of("0,1\n1,2\n", "distance"), Contains("row 2, column 2") && Contains("diagonal"));
    CHECK_THAT(error_of("0 1 0.5\n1 x 2\n", "sparse"), Contains("row 2, column 2"));
    CHECK_THAT(error_of("0 1\n", "sparse"), Contains("row 1") && Contains("expected 3"));
    CHECK_THAT(error_of("0 1.5 2\n", "sparse"), Contains("row 1, column 2") && Contains("index"));
    CHECK_THAT(error_of(std::string(10, '\0'), "binary"), Contains("float32"));
    CHECK_THAT(error_of("garbage", "dipha"), Contains("DIPHA"));
    CHECK_THAT(error_of("", "distance"), Contains("no numbers"));
    CHECK_THAT(error_of("1 2\n", "point-cloud", Metric::precomputed), Contains("metric"));
    CHECK_THAT(error_of("0,1\n1,0\n", "distance", Metric::cosine), Contains("cosine"));
    CHECK_THAT(error_of("1 2\n", "parquet"), Contains("unknown input format"));
}

TEST_CASE("non-metric distances only warn, and are computed as given", "[persistence][inputs]") {
    // d(0,2) = 10 > d(0,1) + d(1,2) = 2
    const auto path = write("nonmetric.lower", "1\n10,1\n");
    const auto in = read_rips_input(path, "lower-distance", Metric::precomputed);
    REQUIRE(in.n == 3);
    REQUIRE(in.distance(2, 0) == 10);
}

TEST_CASE("auto format: a square symmetric zero-diagonal CSV is a distance matrix", "[persistence][inputs]") {
    const auto pp = read_rips_input(ptest::bench_file("projective_plane.csv"), "auto", Metric::euclidean);
    REQUIRE(pp.kind == RipsInput::Kind::lower_distances);
    REQUIRE(pp.n == 13);
    REQUIRE(read_rips_input(ptest::bench_file("projective_plane.csv"), "point-cloud", Metric::euclidean).kind ==
            RipsInput::Kind::points);
    REQUIRE(read_rips_input(ptest::bench_file("dragon_1000.txt"), "auto", Metric::euclidean).kind ==
            RipsInput::Kind::points);
    REQUIRE_THROWS_WITH(read_rips_input(ptest::bench_file("projective_plane.csv"), "auto", Metric::cosine),
                        Catch::Contains("distance matrix"));
}
