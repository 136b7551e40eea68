#pragma once
// Representational similarity between two layers seen on the same n inputs (rows = inputs).
//   linear-cka    Kornblith et al. 2019: ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F); 1 = same up to
//                 rotation and isotropic scale.
//   rbf-cka       CKA with Gaussian kernels, bandwidth sigma = median pairwise Euclidean distance (per layer).
//   debiased-cka  linear CKA with the unbiased HSIC estimator (Song et al. 2012); near 0 for unrelated data.
//   svcca         Raghu et al. 2017: keep the top singular directions explaining 99 % of the variance of
//                 each layer, then the mean canonical correlation. Invariant to orthogonal maps and
//                 isotropic scaling only: an invertible linear map changes which directions make the 99 %
//                 cut. Biased upwards when the kept dimensions are a large share of the inputs N (CCA of
//                 k independent dimensions over N ~ k inputs gives correlations near 1):
//                 similarity_matrix warns when k > kSvccaShareWarning * N.
//   pwcca         Morcos et al. 2018: canonical correlations weighted by how much of X each canonical
//                 variate accounts for (sum_j |<h_i, x_j>|).
//   procrustes-squared  (also "procrustes") the SQUARED orthogonal Procrustes distance of the centred,
//                 Frobenius-normalised layers: 2 - 2 ||Xn^T Yn||_* in [0, 2]; 0 = identical up to rotation and
//                 scale. Not a metric (no triangle inequality).
//   procrustes-angular  arccos ||Xn^T Yn||_* in [0, pi/2] (Williams et al. 2021, "Generalized shape
//                 metrics on neural representations"): a metric on layers up to rotation and scale.
//   rsa           Spearman correlation of the two layers' input x input Euclidean distance matrices
//                 (upper triangles).
// Every function needs X and Y with the same number of rows (>= 3) and finite values; else UserError.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "actopo/core.hpp"
#include "actopo/sample.hpp"

namespace actopo {

enum class SimilarityMetric { linear_cka, rbf_cka, debiased_cka, svcca, pwcca, procrustes, procrustes_angular, rsa };
/// "cka" (= linear-cka) | "linear-cka" | "rbf-cka" | "debiased-cka" | "svcca" | "pwcca" |
/// "procrustes-squared" (= "procrustes") | "procrustes-angular" | "rsa".
SimilarityMetric parse_similarity_metric(const std::string& name);
std::string similarity_metric_name(SimilarityMetric m);
std::vector<std::string> similarity_metric_names();

/// A layer's values, n inputs x p, one row per input: row-major, as activations are stored and as a C-contiguous
/// numpy array lies. The metrics take them as LayerValues, read where they lie (a LayerMatrix, a Map of a
/// caller's rows) without a copy; a column-major matrix is converted into a temporary.
using LayerMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using LayerValues = Eigen::Ref<const LayerMatrix>;

double linear_cka(const LayerValues& x, const LayerValues& y);
double rbf_cka(const LayerValues& x, const LayerValues& y);
double debiased_cka(const LayerValues& x, const LayerValues& y);
/// `keep`: share of variance the SVD step keeps in each layer.
double svcca(const LayerValues& x, const LayerValues& y, double keep = 0.99);
double pwcca(const LayerValues& x, const LayerValues& y);
/// Squared Procrustes distance 2 - 2 ||Xn^T Yn||_* (not a metric).
double procrustes_distance(const LayerValues& x, const LayerValues& y);
/// Angular Procrustes metric arccos ||Xn^T Yn||_* (Williams et al. 2021).
double procrustes_angular(const LayerValues& x, const LayerValues& y);
/// Dimensions the SVD step of SVCCA keeps (share `keep` of the variance).
std::size_t svcca_kept_dimensions(const LayerValues& x, double keep = 0.99);
/// SVCCA warns when a layer keeps more than this share of N dimensions.
constexpr double kSvccaShareWarning = 0.1;
double rsa(const LayerValues& x, const LayerValues& y);
double similarity(SimilarityMetric metric, const LayerValues& x, const LayerValues& y);

/// Canonical correlations of X and Y (descending), min(rank X, rank Y) of them.
Eigen::VectorXd canonical_correlations(const LayerValues& x, const LayerValues& y);
/// Ranks of each value (1-based), ties given the average of their ranks.
Eigen::VectorXd average_ranks(const Eigen::VectorXd& v);
/// Spearman rank correlation (Pearson on average ranks). NaN when either side is constant.
double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b);
double pearson(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// A layer as the similarity metrics see it: one row per input.
struct LayerData {
    std::string name;          // row/column name in the matrix
    LayerMatrix values;        // n x p
    std::vector<std::int64_t> input_ids;
};

/// Reads layers of a store (by default a conv channel averaged over space; `sampling` any sampling of one point per
/// input, e.g. token-mean for a sequence layer, else UserError; `points` > 0: the same seeded subset of inputs for
/// every layer). `layers` empty: every layer. `prefix` is prepended to each name.
std::vector<LayerData> load_layers(const std::string& store_path, const std::vector<std::string>& layers,
                                   std::size_t points, std::uint64_t seed, const std::string& prefix = "",
                                   Sampling sampling = Sampling::avgpool);

/// rows x cols matrix of metric(row layer, col layer). The columns' rows are matched to the rows' inputs by
/// input id (two stores of the same inputs in another order agree); UserError when the two sides do not
/// hold the same input ids. `warnings` (when given) receives a line per caveat of the result (SVCCA
/// keeping a large share of N dimensions).
NamedMatrix similarity_matrix(const std::vector<LayerData>& rows, const std::vector<LayerData>& cols,
                              SimilarityMetric metric, std::vector<std::string>* warnings = nullptr);

}  // namespace actopo
