#pragma once
// Persistent cohomology of one dimension: reduce the implicit coboundary columns of the dim-simplices
// (with clearing, apparent pairs found in parallel, emergent pairs on the fly), and build the next
// dimension's simplices.
#include <cstdint>
#include <vector>

#include "native/complex.hpp"
#include "native/pivot_map.hpp"

namespace actopo::native {

struct Interval {
    float birth, death;  // death = +inf: essential
};

struct DimensionResult {
    std::vector<Interval> intervals;  // zero-length ones left out
    PivotMap pivots;                  // (dim+1)-simplices that are pivots, apparent pairs excepted
};

/// Reduces the columns (dim-simplices in any order, cleared ones already removed) in processing order.
DimensionResult reduce_dimension(const Complex& cx, int dim, const std::vector<Simplex>& columns, int threads);

/// Take-overs so far in this process: a column claiming a pivot that a later column (reduced at the same
/// time on another thread) had claimed first, which then has to be reduced again. For tests and diagnostics.
std::uint64_t takeovers();

/// The facet s of t (dimension dim + 1, vertices vt) forming an apparent pair with t, with the coefficient
/// of t in the coboundary of s; idx = -1 when none.
Entry apparent_facet(const Complex& cx, const Entry& t, int dim, const std::uint32_t* vt);

/// The next dimension's columns: all (dim+1)-simplices within the threshold that are not pivots of
/// dimension dim (clearing), in no particular order.
std::vector<Simplex> next_columns(const Complex& cx, int dim, const std::vector<Simplex>& next,
                                  const DimensionResult& result, int threads);

/// All (dim+1)-simplices within the threshold, each made once from its facet without its top vertex, in
/// no particular order; with `clear`, only those that are neither pivots of `clear` nor apparent pairs.
std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads,
                                   const DimensionResult* clear = nullptr);

}  // namespace actopo::native
