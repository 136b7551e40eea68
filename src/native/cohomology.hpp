#pragma once
// Persistent cohomology of one dimension: reduce the implicit coboundary columns of the dim-simplices
// (with clearing, apparent pairs found in parallel, emergent pairs on the fly), and build the next
// dimension's simplices.
#include <vector>

#include "native/complex.hpp"
#include "native/pivot_map.hpp"

namespace actopo::native {

struct Interval {
    float birth, death;  // death = +inf: essential
};

struct DimensionResult {
    std::vector<Interval> intervals;  // including zero-length ones
    PivotMap pivots;                  // (dim+1)-simplices that are pivots: cleared from the next dimension
};

/// Reduces the columns (dim-simplices in processing order, cleared ones already removed).
DimensionResult reduce_dimension(const Complex& cx, int dim, const std::vector<Simplex>& columns, int threads);

/// All (dim+1)-simplices within the threshold, each made once from its facet without its top vertex.
std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads);

}  // namespace actopo::native
