// The similarity metrics themselves (definitions in include/actopo/similarity.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "actopo/similarity.hpp"

namespace actopo {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

void check_pair(const LayerValues& x, const LayerValues& y, Eigen::Index min_rows) {
    if (x.rows() != y.rows())
        throw UserError("the two layers have different numbers of inputs (" + std::to_string(x.rows()) + " and " +
                        std::to_string(y.rows()) + "); similarity needs the same inputs in both");
    if (x.rows() < min_rows)
        throw UserError("similarity needs at least " + std::to_string(min_rows) + " inputs, got " +
                        std::to_string(x.rows()));
    if (!x.allFinite() || !y.allFinite()) throw UserError("a layer has NaN or infinite activations");
}

MatrixXd centred(const LayerValues& x) { return x.rowwise() - x.colwise().mean(); }

// Input x input squared Euclidean distances.
MatrixXd squared_distances(const LayerValues& x) {
    const VectorXd norms = x.rowwise().squaredNorm();
    MatrixXd d = (-2.0 * x * x.transpose()).colwise() + norms;
    d.rowwise() += norms.transpose();
    return d.cwiseMax(0.0);
}

MatrixXd double_centred(const MatrixXd& k) {
    const VectorXd row_mean = k.rowwise().mean();
    const VectorXd col_mean = k.colwise().mean();
    MatrixXd c = k.colwise() - row_mean;
    c.rowwise() -= col_mean.transpose();
    return c.array() + k.mean();
}

double cka_from_centred_grams(const MatrixXd& kc, const MatrixXd& lc) {
    const double den = kc.norm() * lc.norm();
    if (den == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return kc.cwiseProduct(lc).sum() / den;
}

MatrixXd rbf_gram(const LayerValues& x) {
    const MatrixXd d2 = squared_distances(x);
    std::vector<double> upper;
    upper.reserve(static_cast<std::size_t>(x.rows() * (x.rows() - 1) / 2));
    for (Eigen::Index j = 1; j < d2.cols(); ++j)
        for (Eigen::Index i = 0; i < j; ++i) upper.push_back(std::sqrt(d2(i, j)));
    auto mid = upper.begin() + static_cast<std::ptrdiff_t>(upper.size() / 2);
    std::nth_element(upper.begin(), mid, upper.end());
    const double sigma = *mid;
    if (sigma == 0.0) return MatrixXd::Ones(x.rows(), x.rows());  // constant kernel -> CKA undefined (NaN)
    return (-d2.array() / (2.0 * sigma * sigma)).exp();
}

// Unbiased HSIC estimator (Song et al. 2012) of two Gram matrices.
double hsic_unbiased(const MatrixXd& k, const MatrixXd& l) {
    const double n = static_cast<double>(k.rows());
    MatrixXd kt = k, lt = l;
    kt.diagonal().setZero();
    lt.diagonal().setZero();
    const double trace_kl = kt.cwiseProduct(lt).sum();
    const double sum_k = kt.sum(), sum_l = lt.sum();
    const double cross = (kt.rowwise().sum()).dot(lt.rowwise().sum());
    return (trace_kl + sum_k * sum_l / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * cross) / (n * (n - 3));
}

// Orthonormal basis of the column space of centred x (directions with singular value above tolerance).
MatrixXd column_basis(const MatrixXd& xc) {
    Eigen::BDCSVD<MatrixXd> svd(xc, Eigen::ComputeThinU);
    const VectorXd& s = svd.singularValues();
    const double tol = s.size() ? s[0] * 1e-10 * static_cast<double>(std::max(xc.rows(), xc.cols())) : 0.0;
    Eigen::Index rank = 0;
    while (rank < s.size() && s[rank] > tol) ++rank;
    return svd.matrixU().leftCols(rank);
}

void require_fewer_dims_than_inputs(Eigen::Index dims, Eigen::Index n, const char* what) {
    if (dims >= n - 1)
        throw UserError(std::string(what) + " needs more inputs than dimensions (a layer has " +
                        std::to_string(dims) + " independent dimensions over " + std::to_string(n) +
                        " inputs); use more --points");
}

// PWCCA with weights from x's side: canonical correlations weighted by sum_j |<h_i, x_j>|.
double pwcca_one_side(const LayerValues& x, const LayerValues& y) {
    const MatrixXd xc = centred(x), yc = centred(y);
    const MatrixXd qx = column_basis(xc), qy = column_basis(yc);
    require_fewer_dims_than_inputs(std::max(qx.cols(), qy.cols()), x.rows(), "PWCCA");
    Eigen::BDCSVD<MatrixXd> svd(qx.transpose() * qy, Eigen::ComputeThinU);
    const VectorXd rho = svd.singularValues().cwiseMin(1.0);
    const MatrixXd h = qx * svd.matrixU().leftCols(rho.size());  // canonical variates of x, unit norm
    const VectorXd alpha = (h.transpose() * xc).cwiseAbs().rowwise().sum();
    if (alpha.sum() == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return alpha.dot(rho) / alpha.sum();
}

}  // namespace

SimilarityMetric parse_similarity_metric(const std::string& name) {
    if (name == "cka" || name == "linear-cka") return SimilarityMetric::linear_cka;
    if (name == "rbf-cka") return SimilarityMetric::rbf_cka;
    if (name == "debiased-cka") return SimilarityMetric::debiased_cka;
    if (name == "svcca") return SimilarityMetric::svcca;
    if (name == "pwcca") return SimilarityMetric::pwcca;
    if (name == "procrustes" || name == "procrustes-squared") return SimilarityMetric::procrustes;
    if (name == "procrustes-angular") return SimilarityMetric::procrustes_angular;
    if (name == "rsa") return SimilarityMetric::rsa;
    throw UserError("unknown similarity metric '" + name + "'; expected one of: cka, " +
                    join(similarity_metric_names()));
}

std::string similarity_metric_name(SimilarityMetric m) {
    switch (m) {
        case SimilarityMetric::linear_cka: return "linear-cka";
        case SimilarityMetric::rbf_cka: return "rbf-cka";
        case SimilarityMetric::debiased_cka: return "debiased-cka";
        case SimilarityMetric::svcca: return "svcca";
        case SimilarityMetric::pwcca: return "pwcca";
        case SimilarityMetric::procrustes: return "procrustes-squared";
        case SimilarityMetric::procrustes_angular: return "procrustes-angular";
        case SimilarityMetric::rsa: return "rsa";
    }
    return "";
}

std::vector<std::string> similarity_metric_names() {
    return {"linear-cka", "rbf-cka", "debiased-cka", "svcca", "pwcca", "procrustes-squared", "procrustes-angular", "rsa"};
}

double linear_cka(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 2);
    const MatrixXd xc = centred(x), yc = centred(y);
    if (xc.cols() + yc.cols() > xc.rows()) {  // wide layers: the n x n Gram form is cheaper
        return cka_from_centred_grams(xc * xc.transpose(), yc * yc.transpose());
    }
    const double den = (xc.transpose() * xc).norm() * (yc.transpose() * yc).norm();
    if (den == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return (yc.transpose() * xc).squaredNorm() / den;
}

double rbf_cka(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 3);
    return cka_from_centred_grams(double_centred(rbf_gram(x)), double_centred(rbf_gram(y)));
}

double debiased_cka(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 4);
    const MatrixXd xc = centred(x), yc = centred(y);
    const MatrixXd k = xc * xc.transpose(), l = yc * yc.transpose();
    const double kk = hsic_unbiased(k, k), ll = hsic_unbiased(l, l);
    if (kk <= 0.0 || ll <= 0.0) return std::numeric_limits<double>::quiet_NaN();
    return hsic_unbiased(k, l) / std::sqrt(kk * ll);
}

Eigen::VectorXd canonical_correlations(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 3);
    const MatrixXd qx = column_basis(centred(x)), qy = column_basis(centred(y));
    require_fewer_dims_than_inputs(std::max(qx.cols(), qy.cols()), x.rows(), "CCA");
    Eigen::BDCSVD<MatrixXd> svd(qx.transpose() * qy);
    return svd.singularValues().cwiseMin(1.0);
}

namespace {
// The SVD step of SVCCA: the top singular directions (scaled) holding `keep` of the variance.
MatrixXd svcca_reduce(const LayerValues& m, double keep) {
    const MatrixXd mc = centred(m);
    Eigen::BDCSVD<MatrixXd> svd(mc, Eigen::ComputeThinU);
    const VectorXd s2 = svd.singularValues().array().square();
    const double total = s2.sum();
    Eigen::Index k = 0;
    double acc = 0.0;
    while (k < s2.size() && (acc < keep * total || k == 0)) acc += s2[k++];
    return svd.matrixU().leftCols(k) * svd.singularValues().head(k).asDiagonal();
}
}  // namespace

std::size_t svcca_kept_dimensions(const LayerValues& x, double keep) {
    return static_cast<std::size_t>(svcca_reduce(x, keep).cols());
}

double svcca(const LayerValues& x, const LayerValues& y, double keep) {
    check_pair(x, y, 3);
    const VectorXd rho = canonical_correlations(svcca_reduce(x, keep), svcca_reduce(y, keep));
    return rho.size() ? rho.mean() : std::numeric_limits<double>::quiet_NaN();
}

double pwcca(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 3);
    return 0.5 * (pwcca_one_side(x, y) + pwcca_one_side(y, x));
}

namespace {
// ||Xn^T Yn||_* of the centred, Frobenius-normalised layers (in [0, 1]); NaN for a constant layer.
double procrustes_nuclear(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 2);
    MatrixXd xc = centred(x), yc = centred(y);
    const double nx = xc.norm(), ny = yc.norm();
    if (nx == 0.0 || ny == 0.0) return std::numeric_limits<double>::quiet_NaN();
    xc /= nx;
    yc /= ny;
    Eigen::BDCSVD<MatrixXd> svd(xc.transpose() * yc);
    return std::min(1.0, svd.singularValues().sum());
}
}  // namespace

double procrustes_distance(const LayerValues& x, const LayerValues& y) {
    return std::max(0.0, 2.0 - 2.0 * procrustes_nuclear(x, y));
}

double procrustes_angular(const LayerValues& x, const LayerValues& y) { return std::acos(procrustes_nuclear(x, y)); }

double rsa(const LayerValues& x, const LayerValues& y) {
    check_pair(x, y, 3);
    const MatrixXd dx = squared_distances(x), dy = squared_distances(y);
    const Eigen::Index n = x.rows();
    VectorXd a(n * (n - 1) / 2), b(n * (n - 1) / 2);
    Eigen::Index k = 0;
    for (Eigen::Index j = 1; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i, ++k) {
            a[k] = dx(i, j);  // squared distances rank like distances
            b[k] = dy(i, j);
        }
    return spearman(a, b);
}

double similarity(SimilarityMetric metric, const LayerValues& x, const LayerValues& y) {
    switch (metric) {
        case SimilarityMetric::linear_cka: return linear_cka(x, y);
        case SimilarityMetric::rbf_cka: return rbf_cka(x, y);
        case SimilarityMetric::debiased_cka: return debiased_cka(x, y);
        case SimilarityMetric::svcca: return svcca(x, y);
        case SimilarityMetric::pwcca: return pwcca(x, y);
        case SimilarityMetric::procrustes: return procrustes_distance(x, y);
        case SimilarityMetric::procrustes_angular: return procrustes_angular(x, y);
        case SimilarityMetric::rsa: return rsa(x, y);
    }
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace actopo
