#pragma once
// Shared by the persistence tests: random clouds, exact diagram comparison, the python3-gudhi oracle.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

#include "actopo/persistence.hpp"

namespace ptest {

inline std::string bench_file(const std::string& name) {
    return std::string(ACTOPO_SOURCE_DIR) + "/datasets/ph-benchmarks/" + name;
}

inline std::string temp_path(const std::string& name) {
    return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/actopo-ptest-" +
           std::to_string(::getpid()) + "-" + name;
}

inline actopo::RipsInput random_cloud(std::size_t n, std::size_t d, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g;
    actopo::Matrix m(n, d);
    for (auto& v : m.data) v = g(rng);
    return actopo::RipsInput::from_points(m, actopo::Metric::euclidean);
}

/// Canonical diagrams are equal when their sorted pairs agree within `rel` of the largest finite value
/// (then the bottleneck distance between them is at most that). Reports the first difference.
inline void require_same(const actopo::Diagrams& a, const actopo::Diagrams& b, double rel = 1e-5) {
    REQUIRE(a.dims.size() == b.dims.size());
    double scale = 0;
    for (const auto* d : {&a, &b})
        for (const auto& dg : d->dims)
            for (const auto& p : dg.pairs) scale = std::max({scale, p.birth, p.essential() ? 0.0 : p.death});
    const double tol = rel * std::max(scale, 1e-12);
    for (std::size_t k = 0; k < a.dims.size(); ++k) {
        INFO("dimension " << k);
        REQUIRE(a.dims[k].pairs.size() == b.dims[k].pairs.size());
        for (std::size_t i = 0; i < a.dims[k].pairs.size(); ++i) {
            const auto &p = a.dims[k].pairs[i], &q = b.dims[k].pairs[i];
            INFO("pair " << i << ": [" << p.birth << ", " << p.death << ") vs [" << q.birth << ", " << q.death << ")");
            REQUIRE(std::abs(p.birth - q.birth) <= tol);
            REQUIRE(p.essential() == q.essential());
            if (!p.essential()) REQUIRE(std::abs(p.death - q.death) <= tol);
        }
    }
}

/// python3-gudhi on the input's float32 distances: RipsComplex + persistence over Z/coeff.
inline actopo::Diagrams python_gudhi(const actopo::RipsInput& in, int max_dim, double threshold, int coeff) {
    const std::string bin = temp_path("oracle.bin");
    auto lower = in.lower_triangle();
    std::ofstream(bin, std::ios::binary).write(reinterpret_cast<const char*>(lower.data()),
                                                std::streamsize(lower.size() * sizeof(float)));
    char cmd[1024];
    std::snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/persistence/gudhi_oracle.py %s %zu %d %.17g %d",
                  ACTOPO_SOURCE_DIR, bin.c_str(), in.n, max_dim, threshold, coeff);
    FILE* pipe = popen(cmd, "r");
    REQUIRE(pipe != nullptr);
    std::string text;
    char buf[4096];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, got);
    const int status = pclose(pipe);
    std::remove(bin.c_str());
    INFO(cmd << "\n" << text);
    REQUIRE(status == 0);  // a missing python3 or gudhi module fails the test
    actopo::Diagrams out;
    for (int k = 0; k <= max_dim; ++k) out.dims.push_back({k, {}});
    std::istringstream ss(text);
    int k;
    std::string b, d;
    while (ss >> k >> b >> d) {
        double death = d == "inf" ? std::numeric_limits<double>::infinity() : std::stod(d);
        double birth = std::stod(b);
        if (death > birth) out.dims.at(k).pairs.push_back({birth, death});
    }
    for (auto& dg : out.dims)
        std::sort(dg.pairs.begin(), dg.pairs.end(), [](const auto& x, const auto& y) {
            return x.birth != y.birth ? x.birth < y.birth : x.death < y.death;
        });
    return out;
}

}  // namespace ptest
