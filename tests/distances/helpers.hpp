#pragma once
// Shared by the distances tests: diagrams by hand, and running the actopo program.
#include <sys/wait.h>

#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "actopo/diagrams.hpp"

namespace distances_test {

inline const double inf = std::numeric_limits<double>::infinity();

/// A diagram of dimension `dim` with the given (birth, death) pairs.
inline actopo::Diagram make(std::vector<std::pair<double, double>> pts, int dim = 1) {
    actopo::Diagram d;
    d.dim = dim;
    for (auto [b, e] : pts) d.pairs.push_back({b, e});
    return d;
}

struct Run {
    int status;
    std::string output;  // stdout and stderr
};
/// Runs a shell command; REQUIRE must be in scope (Catch2).
inline Run run(const std::string& command) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    Run r{0, ""};
    char buf[4096];
    while (std::size_t k = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, k);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace distances_test
