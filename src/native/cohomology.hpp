#pragma once
// Persistent cohomology of one dimension: reduce the implicit coboundary columns of the dim-simplices
// (with clearing, apparent pairs found in parallel, emergent pairs on the fly), and build the next
// dimension's simplices.
#include <cstdint>
#include <functional>
#include <vector>

#include "native/complex.hpp"
#include "native/pivot_map.hpp"

namespace actopo::native {

struct Interval {
    float birth, death;  // death = +inf: essential
};

/// Which classes get a representative cocycle: the `longest` longest (0: all) of those at least
/// `min_persistence` long (< 0: no limit).
struct CocycleSelection {
    std::size_t longest = 0;
    double min_persistence = -1;
};

/// A class's interval, its birth simplex, and its representative cocycle: the reduction column V of the
/// birth simplex (the birth simplex with coefficient 1 plus simplices later in the filtration), whose
/// coboundary (the reduced column) has no entry before the death simplex.
struct Cocycle {
    Interval interval;
    Simplex birth;
    std::vector<Entry> entries;
};

/// Edges' apparent pairs come from each vertex's nearest neighbours (see columns_to_reduce) on the dense path from
/// kNearestFrom vertices on: 2 sqrt(n) of them, at least 16 and at most kNearest.
constexpr std::uint32_t kNearest = 256, kNearestFrom = 16;

/// How many of the heaviest working columns a reduction reports (DimensionResult::heaviest).
constexpr std::size_t kHeaviest = 64;

struct DimensionResult {
    std::vector<Interval> intervals;  // zero-length ones left out
    PivotMap pivots;                  // (dim+1)-simplices that are pivots, apparent pairs excepted
    std::vector<Cocycle> cocycles;    // when asked: the selected classes, longest first
    std::vector<double> heaviest;     // the largest working heaps (bytes) of single columns, largest first (<= kHeaviest)
};

/// Reduces the columns (the dim-simplices that need a reduction, in any order: neither cleared nor in an
/// apparent pair, see columns_to_reduce) in processing order; with `select`, keeps the cocycles of the
/// selected classes.
DimensionResult reduce_dimension(const Complex& cx, int dim, std::vector<Simplex> columns, int threads,
                                 const CocycleSelection* select = nullptr);

/// Take-overs so far in this process: a column claiming a pivot that a later column (reduced at the same
/// time on another thread) had claimed first, which then has to be reduced again. For tests and diagnostics.
std::uint64_t takeovers();

/// The facet s of t (dimension dim + 1, vertices vt) forming an apparent pair with t, with the coefficient
/// of t in the coboundary of s; idx = -1 when none.
Entry apparent_facet(const Complex& cx, const Entry& t, int dim, const std::uint32_t* vt);

/// The columns that need a reduction among `count` candidate dim-simplices (candidate(i, s) sets s and says
/// whether it is one, e.g. not cleared), in no particular order: those in an apparent pair as the facet
/// are left out. Apparent pairs are zero-length intervals and their pivots are recognised on the fly
/// (apparent_facet), so the columns kept are typically a small part of the simplices (torus 700 H2: 22 403
/// of 28.7 million triangles), and only they are stored.
std::vector<Simplex> columns_to_reduce(const Complex& cx, int dim, std::size_t count,
                                       const std::function<bool(std::size_t, Simplex&)>& candidate, int threads);

/// The next dimension's columns that need a reduction: the (dim+1)-simplices within the threshold that
/// are not pivots of dimension dim (clearing) and in no apparent pair, in no particular order.
std::vector<Simplex> next_columns(const Complex& cx, int dim, const std::vector<Simplex>& next,
                                  const DimensionResult& result, int threads);

/// All (dim+1)-simplices within the threshold, each made once from its facet without its top vertex, in
/// no particular order; with `clear`, only the columns that need a reduction (neither pivots of `clear`
/// nor in an apparent pair).
std::vector<Simplex> next_simplices(const Complex& cx, int dim, const std::vector<Simplex>& simplices, int threads,
                                   const DimensionResult* clear = nullptr);

}  // namespace actopo::native
