#include <catch2/catch.hpp>
#include <atomic>
#include <thread>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <cmath>

#include "actopo/core.hpp"
#include "actopo/diagrams.hpp"
#include "actopo/metric.hpp"
#include "temp_dir.hpp"

using namespace actopo;

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[core]") {
    CHECK(sha256_string("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_string("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_string(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("atomic output refuses an existing file and leaves nothing when not committed", "[core]") {
    namespace fs = std::filesystem;
    const auto dir = actopo_test::temp_dir("core");
    auto target = (dir / "out.txt").string();
    {
        AtomicOutput out(target, false);
        std::ofstream(out.temp_path()) << "half";
    }
    CHECK_FALSE(fs::exists(target));
    CHECK(fs::is_empty(dir));
    write_text_file(target, "one", false);
    CHECK_THROWS_AS(write_text_file(target, "two", false), UserError);
    CHECK(read_text_file(target) == "one");
    write_text_file(target, "two", true);
    CHECK(read_text_file(target) == "two");
    fs::remove_all(dir);
}

TEST_CASE("closest names rank by edit distance", "[core]") {
    auto c = closest_names("layer1.0.conv", {"fc", "layer1.0.conv1", "layer2.0.conv1", "conv1"}, 2);
    REQUIRE(c.size() == 2);
    CHECK(c[0] == "layer1.0.conv1");
}

TEST_CASE("metrics: cosine and correlation distances by hand", "[core]") {
    Matrix m(3, 2);
    m(0, 0) = 1; m(0, 1) = 0;
    m(1, 0) = 0; m(1, 1) = 2;
    m(2, 0) = 3; m(2, 1) = 4;
    auto eu = pairwise_lower(m, Metric::euclidean);
    REQUIRE(eu.size() == 3);
    CHECK(eu[0] == Approx(std::sqrt(5.0)));
    CHECK(eu[1] == Approx(std::sqrt(20.0)));
    CHECK(eu[2] == Approx(std::sqrt(13.0)));
    auto co = pairwise_lower(m, Metric::cosine);
    CHECK(co[0] == Approx(1.0));
    CHECK(co[1] == Approx(1.0 - 3.0 / 5.0));
    CHECK(co[2] == Approx(1.0 - 8.0 / 10.0));
    Matrix z(2, 2);
    CHECK_THROWS_AS(pairwise_lower(z, Metric::cosine), UserError);
}

TEST_CASE("enclosing radius is the smallest row maximum", "[core]") {
    // points 0, 1, 3 on a line: row maxima 3, 2, 3
    auto in = RipsInput::from_lower(3, {1.0f, 3.0f, 2.0f});
    CHECK(in.enclosing_radius() == Approx(2.0));
    CHECK(in.distance(0, 2) == Approx(3.0));
}

TEST_CASE("named matrix CSV round trip", "[core]") {
    NamedMatrix m{{"a", "b"}, {"a", "b"}, {0, 1.5, 1.5, 0}};
    auto path = (std::filesystem::temp_directory_path() / ("actopo-m-" + std::to_string(::getpid()) + ".csv")).string();
    write_text_file(path, to_csv(m), true);
    auto r = read_named_matrix_csv(path);
    CHECK(r.row_names == m.row_names);
    CHECK(r.values == m.values);
    std::filesystem::remove(path);
}

TEST_CASE("safe_file_name keeps letters, digits, dots, dashes and underscores, and xml_escape escapes markup", "[core]") {
    REQUIRE(actopo::safe_file_name("layer1.0.conv2") == "layer1.0.conv2");
    REQUIRE(actopo::safe_file_name("a/b c:d-e_f") == "a_b_c_d-e_f");
    REQUIRE(actopo::xml_escape("T-shirt/top <a & \"b\" 'c'>") == "T-shirt/top &lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;");
}

TEST_CASE("parallel_for runs every item once and rethrows the first error", "[core]") {
    for (unsigned threads : {0u, 1u, 3u, 16u}) {
        std::vector<std::atomic<int>> seen(1000);
        actopo::parallel_for(seen.size(), threads, [&](std::size_t i) { seen[i].fetch_add(1); });
        for (const auto& s : seen) REQUIRE(s.load() == 1);
    }
    actopo::parallel_for(0, 4, [](std::size_t) { FAIL("no item to run"); });
    std::atomic<int> started{0};
    std::atomic<bool> thrown{false};
    CHECK_THROWS_WITH(actopo::parallel_for(100000, 2,
                                           [&](std::size_t i) {
                                               started.fetch_add(1);
                                               // later items wait (at most 1 s) for item 10's error, so that a thread
                                               // descheduled between claiming item 10 and running it cannot let the
                                               // other run every item first
                                               const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
                                               while (i > 10 && !thrown && std::chrono::steady_clock::now() < until)
                                                   std::this_thread::yield();
                                               if (i == 10) {
                                                   thrown = true;
                                                   throw actopo::UserError("item 10");
                                               }
                                           }),
                      "item 10");
    CHECK(started.load() < 100000);  // no new item starts after the error
}

TEST_CASE("average linkage: merges and heights of points 0, 1, 5, 7 on a line by hand", "[core]") {
    const std::vector<double> x{5, 0, 7, 1};  // items 0..3; |x_i - x_j| as the dissimilarity
    std::vector<double> d(16);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) d[i * 4 + j] = std::abs(x[i] - x[j]);
    const auto merges = actopo::average_linkage(d, 4);
    REQUIRE(merges.size() == 3);
    // first the closest pair, items 1 and 3 (x = 0, 1) at 1; then items 0 and 2 (x = 5, 7) at 2;
    // then the two pairs at the mean of |5-0|, |5-1|, |7-0|, |7-1| = 5.5
    CHECK(merges[0].members == std::vector<std::size_t>{1, 3});
    CHECK(merges[0].height == 1.0);
    CHECK(merges[1].members == std::vector<std::size_t>{0, 2});
    CHECK(merges[1].height == 2.0);
    CHECK(merges[2].members == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(merges[2].height == 5.5);
    CHECK(((merges[2].left == 4 && merges[2].right == 5) || (merges[2].left == 5 && merges[2].right == 4)));
}
