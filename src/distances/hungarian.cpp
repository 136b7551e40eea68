// Exact optimal matching of two finite diagrams: the Hungarian method (shortest augmenting paths with
// potentials, O(N^3)) on the square problem with N = n + m: rows are A's points and one diagonal copy
// per point of B, columns are B's points and one diagonal copy per point of A.
#include <limits>
#include <vector>

#include "distances/ground.hpp"

namespace actopo::detail {

double wasserstein_cost_exact(const std::vector<Point2>& a, const std::vector<Point2>& b, const GroundCost& g) {
    const std::size_t n = a.size(), m = b.size(), N = n + m;
    if (N == 0) return 0;
    const double inf = std::numeric_limits<double>::infinity();
    auto cost = [&](std::size_t i, std::size_t j) -> double {  // 0-based row i, column j
        if (i < n && j < m) return g.cost(a[i], b[j]);
        if (i < n) return j - m == i ? g.diagonal_cost(a[i]) : inf;
        if (j < m) return i - n == j ? g.diagonal_cost(b[j]) : inf;
        return 0;
    };
    // 1-based arrays; column 0 is the virtual start
    std::vector<double> u(N + 1, 0), v(N + 1, 0), minv(N + 1);
    std::vector<std::size_t> match(N + 1, 0), way(N + 1, 0);
    std::vector<char> used(N + 1);
    for (std::size_t i = 1; i <= N; ++i) {
        match[0] = i;
        std::size_t j0 = 0;
        std::fill(minv.begin(), minv.end(), inf);
        std::fill(used.begin(), used.end(), 0);
        do {
            used[j0] = 1;
            std::size_t i0 = match[j0], j1 = 0;
            double delta = inf;
            for (std::size_t j = 1; j <= N; ++j) {
                if (used[j]) continue;
                double cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (std::size_t j = 0; j <= N; ++j) {
                if (used[j]) {
                    u[match[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (match[j0] != 0);
        do {
            std::size_t j1 = way[j0];
            match[j0] = match[j1];
            j0 = j1;
        } while (j0);
    }
    double total = 0;
    for (std::size_t j = 1; j <= N; ++j) total += cost(match[j] - 1, j - 1);
    return total;
}

}  // namespace actopo::detail
