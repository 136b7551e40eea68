#pragma once
// Distances between persistence diagrams, and the summaries of a diagram (docs/distances.md).
//   bottleneck_distance    - exact: search over candidate values, feasibility by bipartite matching
//                            (Hopcroft-Karp) with a grid neighbour search in L-infinity
//   wasserstein_distance   - p >= 1, internal norm L_q (q = inf default); exact (Hungarian) for small
//                            diagrams, auction with epsilon scaling and a guaranteed relative error otherwise
//   sliced_wasserstein     - M directions theta_i = pi (1/2 + i/M), persim's convention (papers.md)
// Essential classes (death = inf): matched among themselves, sorted by birth, within the dimension; cost
// |b - b'| (bottleneck: max, Wasserstein: |b - b'|^p summed). Different counts give +infinity unless
// `ignore_essential`. Sliced Wasserstein and the vector summaries use finite pairs only.
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/diagrams.hpp"
#include "actopo/sample.hpp"

namespace actopo {

enum class DiagramMetric { bottleneck, wasserstein, sliced_wasserstein };
/// "bottleneck" | "wasserstein" | "sliced-wasserstein"; UserError otherwise.
DiagramMetric parse_diagram_metric(const std::string& name);
std::string diagram_metric_name(DiagramMetric m);

struct DistanceOptions {
    double p = 1;                                                // Wasserstein order, >= 1
    double internal_p = std::numeric_limits<double>::infinity(); // norm of the plane: q >= 1 or inf
    double relative_error = 0.01;   // auction: result <= (1 + this) * optimum; 0 forces the exact method
    std::size_t exact_below = 100;  // Wasserstein: Hungarian (O((n+m)^3)) when both have at most this many points
    int directions = 50;            // sliced Wasserstein: M
    bool ignore_essential = false;  // drop essential classes instead of matching them
};

/// "inf" or a number >= 1 (the internal norm q); UserError otherwise.
double parse_internal_p(const std::string& text);

double bottleneck_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options = {});
double wasserstein_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options = {});
double sliced_wasserstein_distance(const Diagram& a, const Diagram& b, const DistanceOptions& options = {});
double diagram_distance(const Diagram& a, const Diagram& b, DiagramMetric metric,
                        const DistanceOptions& options = {});

/// Part `index` of `count` of a matrix's pairs i < j (in row order), so that a large matrix can be computed as
/// several jobs (on several machines) and merged.
struct MatrixBlock {
    std::size_t index = 0, count = 1;
};

/// Every pair of `diagrams`, in parallel on `threads` threads (0: all cores); symmetric, zero diagonal.
/// With a block: only its pairs, the others NaN.
NamedMatrix diagram_distance_matrix(const std::vector<std::string>& names, const std::vector<Diagram>& diagrams,
                                    DiagramMetric metric, const DistanceOptions& options, int threads = 0,
                                    MatrixBlock block = {});
/// The matrix whose blocks these are: every pair must be in exactly one of them, over the same names;
/// UserError naming the part and the pair otherwise.
NamedMatrix merge_matrix_blocks(const std::vector<NamedMatrix>& blocks, const std::vector<std::string>& part_names);

// ------------------------------------------------------- layer x layer, model x model
/// Where the diagrams of a matrix come from. An activation store (.h5 with /layers) gives every layer:
/// sampled with `sampling`, Vietoris-Rips persistence by `backend`. A diagram file gives its diagram
/// (.csv, .json) or every layer group (.h5 with /diagrams). Dimension `dim` of each is kept.
struct LayerDiagramOptions {
    SampleOptions sampling;
    Metric metric = Metric::euclidean;
    RipsOptions rips;
    std::string backend = "gudhi";
    int dim = 1;
    int threads = 0;  // persistence of several layers at once (0: all cores)
};
struct NamedDiagram {
    std::string name;  // "layer" with one input, "model:layer" with several (model: the input's stem)
    Diagram diagram;
};
std::vector<NamedDiagram> layer_diagrams(const std::vector<std::string>& inputs, const LayerDiagramOptions& options);

// ------------------------------------------------------------------ summaries
/// Sample grid of [lo, hi] with `samples` points (lo, lo + step, ..., hi).
struct Grid {
    double lo = 0, hi = 1;
    std::size_t samples = 100;
    double step() const { return samples > 1 ? (hi - lo) / double(samples - 1) : 0; }
    /// lo + i * step, and exactly hi at the last sample (as numpy.linspace).
    double at(std::size_t i) const { return i + 1 == samples && samples > 1 ? hi : lo + step() * double(i); }
};
/// A grid covering the finite births and deaths of all the diagrams.
Grid grid_for(const std::vector<Diagram>& diagrams, std::size_t samples);

/// beta(t) = #{pairs with birth <= t < death} (essential classes included).
std::vector<double> betti_curve(const Diagram& d, const Grid& grid);
/// Landscapes lambda_1..lambda_levels, lambda_k(t) = k-th largest max(0, min(t - b, d - t)); level-major.
std::vector<double> persistence_landscape(const Diagram& d, int levels, const Grid& grid);
/// Persistence image (Adams et al.): points (birth, persistence) weighted by persistence / max_persistence,
/// Gaussian of std `sigma`, evaluated at the centres of a resolution x resolution grid over
/// [birth_range] x [0, max_persistence]; row-major, row 0 = lowest persistence.
struct ImageOptions {
    std::size_t resolution = 20;
    double sigma = 0.1;
    double birth_lo = 0, birth_hi = 1, max_persistence = 1;
};
std::vector<double> persistence_image(const Diagram& d, const ImageOptions& options);
/// The image range shared by several diagrams: births from the smallest to the largest finite-pair birth (when they
/// coincide, as in H0: [b, b + max persistence]), persistence up to the largest; sigma 0 = one pixel height.
ImageOptions image_options_for(const std::vector<Diagram>& diagrams, std::size_t resolution, double sigma = 0);
/// -sum (l_i / L) log(l_i / L), l_i the finite lifetimes, L their sum (0 for an empty diagram).
double persistence_entropy(const Diagram& d);
/// sum over finite pairs of (death - birth)^p.
double total_persistence(const Diagram& d, double p = 1);
/// (sum |f_i - g_i|^p * step)^(1/p), p = inf: max |f_i - g_i|. Same length required.
double lp_distance(const std::vector<double>& f, const std::vector<double>& g, double p, double step = 1);

/// The summaries as one family, for the command line and for comparing diagrams by a summary.
enum class SummaryKind { betti, landscape, image, entropy, total_persistence };
/// "betti" | "landscape" | "image" | "entropy" | "total-persistence"; UserError otherwise.
SummaryKind parse_summary_kind(const std::string& name);
std::string summary_kind_name(SummaryKind kind);
/// True for the names parse_summary_kind accepts.
bool is_summary_name(const std::string& name);

struct SummaryOptions {
    std::size_t samples = 100;    // betti, landscape: grid points over grid_for(all diagrams)
    int levels = 5;               // landscape: lambda_1..lambda_levels
    std::size_t resolution = 20;  // image: resolution x resolution pixels
    double sigma = 0;             // image: Gaussian std; 0 = one pixel height (max persistence / resolution)
    double lp = 2;                // L_p distance between sampled summaries (p >= 1 or inf)
    double total_p = 1;           // total persistence: sum of lifetimes^total_p
};

/// Summaries of several diagrams on one common grid (or image range), ready to compare or write.
/// `coords` names the coordinate columns and `at[i]` gives their values for entry i (e.g. level, t);
/// `values[k]` is diagram k's vector; `cell` is the measure of one entry (grid step, pixel area, 1).
struct SummaryTable {
    SummaryKind kind;
    std::vector<std::string> coords;
    std::vector<std::vector<double>> at;
    std::vector<std::vector<double>> values;
    double cell = 1;
};
SummaryTable summarize(const std::vector<Diagram>& diagrams, SummaryKind kind, const SummaryOptions& options = {});
/// Distance between two diagrams through a summary: the L_p distance (options.lp) of their vectors on a
/// common grid, |difference| for entropy and total persistence.
double summary_distance(const Diagram& a, const Diagram& b, SummaryKind kind, const SummaryOptions& options = {});
/// Every pair of `diagrams` compared through a summary, all on one grid built from all of them (so an
/// entry can differ slightly from summary_distance of the pair alone, whose grid covers only the two).
NamedMatrix summary_distance_matrix(const std::vector<std::string>& names, const std::vector<Diagram>& diagrams,
                                    SummaryKind kind, const SummaryOptions& options = {});

}  // namespace actopo
