// `actopo similarity` end to end: rows matched by input id across stores, the SVCCA warning on stderr and in
// OUTPUT.meta.json.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/store.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Run similarity(const std::string& args, const fs::path& dir) {
    const int rc = std::system((std::string(ACTOPO_BINARY) + " similarity -q --force " + args + " > " + (dir / "stdout.txt").string() +
                                " 2> " + (dir / "stderr.txt").string())
                                   .c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(dir / "stdout.txt"), slurp(dir / "stderr.txt")};
}

/// A store of the given rows (input ids and, per layer, rows of `width` floats in that order).
void write_store(const fs::path& path, const std::vector<std::int64_t>& ids,
                 const std::vector<std::pair<std::string, std::vector<std::vector<float>>>>& layers) {
    const std::size_t n = ids.size();
    std::vector<actopo::LayerSpec> specs;
    std::vector<std::vector<float>> flat;
    for (const auto& [name, rows] : layers) {
        specs.push_back({name, {std::int64_t(rows.front().size())}});
        flat.emplace_back();
        for (const auto& r : rows) flat.back().insert(flat.back().end(), r.begin(), r.end());
    }
    std::vector<std::int64_t> labels(n), predictions(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = predictions[i] = ids[i] % 2;
    std::vector<float> logits(n * 2, 0.0f);
    actopo::StoreWriter w(path.string(), actopo::StoreInfo{"toy.pt", "", "toy.h5", "", "", "", {}}, specs, 2, true);
    std::vector<const float*> data;
    for (const auto& f : flat) data.push_back(f.data());
    w.append(n, ids.data(), labels.data(), predictions.data(), logits.data(), data);
    w.finish();
}

/// Matrix CSV (header row, first column of names) -> values.
std::vector<std::vector<double>> read_matrix(const fs::path& path) {
    std::istringstream in(slurp(path));
    std::string line;
    std::getline(in, line);
    std::vector<std::vector<double>> m;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string cell;
        std::getline(row, cell, ',');
        m.emplace_back();
        while (std::getline(row, cell, ',')) m.back().push_back(std::stod(cell));
    }
    return m;
}

}  // namespace

TEST_CASE("actopo similarity: two stores of the same inputs in another row order are matched by input id",
          "[similarity][cli]") {
    const fs::path dir = actopo_test::temp_dir("similarity-ids");
    const std::size_t n = 60;
    std::mt19937 rng(5);
    std::normal_distribution<float> g;
    std::vector<std::int64_t> ids(n);
    std::vector<std::vector<float>> fc(n, std::vector<float>(5)), relu(n, std::vector<float>(3));
    for (std::size_t i = 0; i < n; ++i) {
        ids[i] = std::int64_t(1000 + 7 * i);
        for (auto& v : fc[i]) v = g(rng);
        for (std::size_t j = 0; j < 3; ++j) relu[i][j] = std::max(0.0f, fc[i][j] + fc[i][j + 2]);
    }
    write_store(dir / "a.h5", ids, {{"fc", fc}, {"relu", relu}});
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::int64_t> ids_b;
    std::vector<std::vector<float>> fc_b, relu_b;
    for (auto i : order) ids_b.push_back(ids[i]), fc_b.push_back(fc[i]), relu_b.push_back(relu[i]);
    write_store(dir / "b.h5", ids_b, {{"fc", fc_b}, {"relu", relu_b}});
    const std::string a = (dir / "a.h5").string(), b = (dir / "b.h5").string();

    for (const std::string options : {"", " --points 25 --seed 3"}) {
        INFO("options:" << options);
        auto r = similarity(a + " " + b + " --metric cka" + options + " -o " + (dir / "ab.csv").string(), dir);
        INFO(r.err);
        REQUIRE(r.status == 0);
        REQUIRE(similarity(a + " " + a + " --metric cka" + options + " -o " + (dir / "aa.csv").string(), dir).status == 0);
        const auto ab = read_matrix(dir / "ab.csv"), aa = read_matrix(dir / "aa.csv");
        REQUIRE(ab.size() == 2);
        CHECK(ab[0][0] == Approx(1.0).epsilon(1e-9));  // fc of a vs fc of b: the same rows, once matched
        CHECK(ab[1][1] == Approx(1.0).epsilon(1e-9));
        CHECK(ab[0][1] < 0.99);
        for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 2; ++j) CHECK(ab[i][j] == Approx(aa[i][j]).epsilon(1e-9));
    }
    fs::remove_all(dir);
}

TEST_CASE("actopo similarity --metric svcca: a layer keeping a large share of N dimensions is a warning on stderr "
          "and in OUTPUT.meta.json",
          "[similarity][cli]") {
    const fs::path dir = actopo_test::temp_dir("similarity-svcca");
    // 'wave': 12 orthogonal columns of equal variance (cos and sin of frequencies 1..6 over N inputs), so the
    // 99 % cut keeps all 12; 'noise': 3 random columns (keeps 3)
    auto make = [&](std::size_t n) {
        std::mt19937 rng(9);
        std::normal_distribution<float> g;
        std::vector<std::int64_t> ids(n);
        std::vector<std::vector<float>> wave(n, std::vector<float>(12)), noise(n, std::vector<float>(3));
        for (std::size_t i = 0; i < n; ++i) {
            ids[i] = std::int64_t(i);
            for (std::size_t f = 1; f <= 6; ++f) {
                const double angle = 2 * M_PI * double(f * i) / double(n);
                wave[i][2 * f - 2] = float(std::cos(angle));
                wave[i][2 * f - 1] = float(std::sin(angle));
            }
            for (auto& v : noise[i]) v = g(rng);
        }
        const fs::path path = dir / ("n" + std::to_string(n) + ".h5");
        write_store(path, ids, {{"wave", wave}, {"noise", noise}});
        return path.string();
    };
    const std::string out = (dir / "svcca.csv").string();
    auto r = similarity(make(48) + " --metric svcca -o " + out, dir);
    REQUIRE(r.status == 0);
    const std::string warning = "svcca: layer 'wave' keeps 12 dimensions over 48 inputs (25 %)";
    CHECK(r.err.rfind("actopo: warning: " + warning, 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // 'noise' keeps 3 of 48: no warning
    CHECK(r.out.find("warning") == std::string::npos);
    auto meta = nlohmann::json::parse(slurp(out + ".meta.json"));
    CHECK(meta["metric"] == "svcca");
    CHECK(meta["inputs"] == 48);
    REQUIRE(meta["warnings"].size() == 1);
    CHECK(meta["warnings"][0].get<std::string>().rfind(warning, 0) == 0);

    r = similarity(make(240) + " --metric svcca -o " + out, dir);  // 12 of 240 = 5 %: no warning
    REQUIRE(r.status == 0);
    CHECK(r.err == "");
    meta = nlohmann::json::parse(slurp(out + ".meta.json"));
    CHECK(meta["inputs"] == 240);
    CHECK(meta["warnings"].empty());
    fs::remove_all(dir);
}
