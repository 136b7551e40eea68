// Shannon entropy of a neuron's activation pattern over the inputs (binarised on/off, or binned).
#include <cmath>
#include <vector>

#include "actopo/coactivation.hpp"

namespace actopo {
namespace {
double entropy_of_counts(const std::vector<std::size_t>& counts, std::size_t total) {
    double h = 0.0;
    for (std::size_t c : counts)
        if (c > 0) {
            const double p = static_cast<double>(c) / static_cast<double>(total);
            h -= p * std::log2(p);
        }
    return h;
}
}  // namespace

double entropy_binary(const Eigen::VectorXd& values) {
    if (values.size() == 0) return 0.0;
    std::vector<std::size_t> counts(2, 0);
    for (Eigen::Index i = 0; i < values.size(); ++i) ++counts[values[i] > 0.0 ? 1 : 0];
    return entropy_of_counts(counts, static_cast<std::size_t>(values.size()));
}

double entropy_binned(const Eigen::VectorXd& values, std::size_t bins) {
    if (values.size() == 0 || bins == 0) return 0.0;
    const double lo = values.minCoeff(), hi = values.maxCoeff();
    if (hi == lo) return 0.0;
    std::vector<std::size_t> counts(bins, 0);
    for (Eigen::Index i = 0; i < values.size(); ++i) {
        auto b = static_cast<std::size_t>((values[i] - lo) / (hi - lo) * static_cast<double>(bins));
        ++counts[b < bins ? b : bins - 1];  // the maximum falls in the last bin
    }
    return entropy_of_counts(counts, static_cast<std::size_t>(values.size()));
}

}  // namespace actopo
