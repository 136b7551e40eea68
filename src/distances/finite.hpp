#pragma once
// Internal: a diagram split into its finite points and the sorted births of its essential classes.
#include <vector>

#include "actopo/diagrams.hpp"

namespace actopo::detail {

struct Point2 {
    double b, d;
};

struct SplitDiagram {
    std::vector<Point2> finite;          // death < inf, zero-length pairs dropped
    std::vector<double> essential_births;  // sorted
};

SplitDiagram split_diagram(const Diagram& d);

/// Distance between the essential parts: max |b - b'| (p = inf) or sum |b - b'|^p; +inf when the counts
/// differ. Each sorted by birth, matched in order (the optimal matching on a line).
double essential_cost(const SplitDiagram& a, const SplitDiagram& b, double p);

}  // namespace actopo::detail
