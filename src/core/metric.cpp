#include "actopo/metric.hpp"

#include <algorithm>
#include <cmath>

namespace actopo {

Metric parse_metric(const std::string& name) {
    if (name == "euclidean") return Metric::euclidean;
    if (name == "cosine") return Metric::cosine;
    if (name == "correlation") return Metric::correlation;
    if (name == "precomputed") return Metric::precomputed;
    throw UserError("unknown metric '" + name + "' (expected euclidean, cosine, correlation or precomputed)");
}

std::string metric_name(Metric m) {
    switch (m) {
        case Metric::euclidean: return "euclidean";
        case Metric::cosine: return "cosine";
        case Metric::correlation: return "correlation";
        case Metric::precomputed: return "precomputed";
    }
    return "?";
}

Matrix prepare_rows(MatrixView points, Metric metric) {
    Matrix out(points.rows, points.cols);
    std::copy(points.data, points.data + points.rows * points.cols, out.data.begin());
    if (metric == Metric::euclidean || metric == Metric::precomputed) return out;
    for (std::size_t i = 0; i < out.rows; ++i) {
        float* r = out.row(i);
        if (metric == Metric::correlation) {
            double mean = 0;
            for (std::size_t j = 0; j < out.cols; ++j) mean += r[j];
            mean /= double(out.cols);
            for (std::size_t j = 0; j < out.cols; ++j) r[j] = float(r[j] - mean);
        }
        double norm = 0;
        for (std::size_t j = 0; j < out.cols; ++j) norm += double(r[j]) * r[j];
        norm = std::sqrt(norm);
        if (norm == 0)
            throw UserError("point " + std::to_string(i) + " has zero " +
                            (metric == Metric::cosine ? "norm" : "variance") + ": the " + metric_name(metric) +
                            " distance is undefined for it");
        for (std::size_t j = 0; j < out.cols; ++j) r[j] = float(r[j] / norm);
    }
    return out;
}

double prepared_distance(MatrixView p, std::size_t i, std::size_t j, Metric metric) {
    const float* a = p.row(i);
    const float* b = p.row(j);
    if (metric == Metric::euclidean) {
        double s = 0;
        for (std::size_t k = 0; k < p.cols; ++k) {
            double d = double(a[k]) - b[k];
            s += d * d;
        }
        return std::sqrt(s);
    }
    double dot = 0;
    for (std::size_t k = 0; k < p.cols; ++k) dot += double(a[k]) * b[k];
    return std::max(0.0, 1.0 - dot);
}

std::vector<float> pairwise_lower(const Matrix& points, Metric metric) {
    Matrix p = prepare_rows(points, metric);
    std::vector<float> out;
    out.reserve(points.rows * (points.rows ? points.rows - 1 : 0) / 2);
    for (std::size_t i = 1; i < p.rows; ++i)
        for (std::size_t j = 0; j < i; ++j) out.push_back(float(prepared_distance(p, i, j, metric)));
    return out;
}

}  // namespace actopo
