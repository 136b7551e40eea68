// Node x node Pearson / Spearman correlation as one matrix product of standardised columns.
#include "actopo/coactivation.hpp"
#include "actopo/similarity.hpp"

namespace actopo {

Eigen::MatrixXd correlation_matrix(const Eigen::MatrixXd& values, Correlation kind) {
    const Eigen::Index n = values.rows(), m = values.cols();
    Eigen::MatrixXf z(n, m);
    for (Eigen::Index j = 0; j < m; ++j) {
        Eigen::VectorXd col = kind == Correlation::spearman ? average_ranks(values.col(j)) : Eigen::VectorXd(values.col(j));
        col.array() -= col.mean();
        const double norm = col.norm();
        if (norm == 0.0) throw UserError("node " + std::to_string(j) + " is constant; drop constant nodes first");
        z.col(j) = (col / norm).cast<float>();
        throw_if_cancelled();
    }
    Eigen::MatrixXf corr(m, m);
    corr.setZero();
    corr.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose());  // Z^T Z, one triangle
    Eigen::MatrixXd out = corr.selfadjointView<Eigen::Lower>().toDenseMatrix().cast<double>();
    out = out.cwiseMax(-1.0).cwiseMin(1.0);
    out.diagonal().setOnes();
    return out;
}

}  // namespace actopo
