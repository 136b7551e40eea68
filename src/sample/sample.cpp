#include "actopo/sample.hpp"

#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

namespace actopo {

Sampling parse_sampling(const std::string& name) {
    if (name == "flatten") return Sampling::flatten;
    if (name == "avgpool") return Sampling::avgpool;
    if (name == "top-l2") return Sampling::top_l2;
    if (name == "spatial") return Sampling::spatial;
    throw UserError("unknown sampling '" + name + "' (expected flatten, avgpool, top-l2 or spatial)");
}

std::string sampling_name(Sampling s) {
    switch (s) {
        case Sampling::flatten: return "flatten";
        case Sampling::avgpool: return "avgpool";
        case Sampling::top_l2: return "top-l2";
        case Sampling::spatial: return "spatial";
    }
    return "?";
}

Normalization parse_normalization(const std::string& name) {
    if (name == "none") return Normalization::none;
    if (name == "standardize") return Normalization::standardize;
    if (name == "mean-distance") return Normalization::mean_distance;
    if (name == "diameter") return Normalization::diameter;
    throw UserError("unknown normalisation '" + name + "' (expected none, standardize, mean-distance or diameter)");
}

std::string normalization_name(Normalization n) {
    switch (n) {
        case Normalization::none: return "none";
        case Normalization::standardize: return "standardize";
        case Normalization::mean_distance: return "mean-distance";
        case Normalization::diameter: return "diameter";
    }
    return "?";
}

double normalize_points(Matrix& points, Normalization how, std::uint64_t seed) {
    const std::size_t n = points.rows, d = points.cols;
    using Rows = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    Rows x(points.data.data(), Eigen::Index(n), Eigen::Index(d));
    if (how == Normalization::none || n < 2) return 1;
    if (how == Normalization::standardize) {
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            auto col = x.col(j);
            const double mean = col.cast<double>().mean();
            const double sd = std::sqrt((col.cast<double>().array() - mean).square().mean());
            if (sd > 0)
                col = ((col.cast<double>().array() - mean) / sd).cast<float>().matrix();
            else
                col.setZero();
        }
        return 1;
    }
    auto distance = [&](std::size_t i, std::size_t j) { return double((x.row(Eigen::Index(i)) - x.row(Eigen::Index(j))).norm()); };
    double scale = 0;
    if (how == Normalization::diameter) {
        for (std::size_t i = 0; i + 1 < n; ++i)
            scale = std::max(scale, double((x.bottomRows(Eigen::Index(n - i - 1)).rowwise() - x.row(Eigen::Index(i)))
                                               .rowwise()
                                               .squaredNorm()
                                               .maxCoeff()));
        scale = std::sqrt(scale);
    } else if (n <= 2000) {  // the mean over every pair
        for (std::size_t i = 0; i + 1 < n; ++i)
            scale += (x.bottomRows(Eigen::Index(n - i - 1)).rowwise() - x.row(Eigen::Index(i)))
                         .rowwise()
                         .norm()
                         .cast<double>()
                         .sum();
        scale /= double(n) * double(n - 1) / 2;
    } else {  // an unbiased estimate from pairs drawn uniformly
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<std::size_t> pick(0, n - 1);
        const std::size_t pairs = 2000000;
        for (std::size_t k = 0; k < pairs; ++k) {
            std::size_t i = pick(rng), j = pick(rng);
            while (j == i) j = pick(rng);
            scale += distance(i, j);
        }
        scale /= double(pairs);
    }
    if (!(scale > 0) || !std::isfinite(scale)) return 1;
    x /= float(scale);
    return 1 / scale;
}

namespace {

// Channels and spatial positions of a per-input shape: {C} -> (C, 1); {C, H, W...} -> (C, H*W...).
std::pair<std::size_t, std::size_t> channels_and_positions(const std::vector<std::int64_t>& shape) {
    if (shape.empty()) return {1, 1};
    std::size_t positions = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) positions *= std::size_t(shape[i]);
    return {std::size_t(shape[0]), positions};
}

// Points contributed by one input's activation `a` (already ReLU'd if asked).
void emit_points(const float* a, std::size_t channels, std::size_t positions, Sampling method,
                 const std::function<void(const float*, std::size_t, std::int64_t)>& emit, std::vector<float>& scratch) {
    switch (method) {
        case Sampling::flatten: emit(a, channels * positions, -1); return;
        case Sampling::avgpool:
            scratch.assign(channels, 0.0f);
            for (std::size_t c = 0; c < channels; ++c) {
                double s = 0;
                for (std::size_t p = 0; p < positions; ++p) s += a[c * positions + p];
                scratch[c] = float(s / double(positions));
            }
            emit(scratch.data(), channels, -1);
            return;
        case Sampling::top_l2: {
            std::size_t best = 0;
            double best_norm = -1;
            for (std::size_t p = 0; p < positions; ++p) {
                double s = 0;
                for (std::size_t c = 0; c < channels; ++c) s += double(a[c * positions + p]) * a[c * positions + p];
                if (s > best_norm) { best_norm = s; best = p; }  // first position wins ties
            }
            scratch.resize(channels);
            for (std::size_t c = 0; c < channels; ++c) scratch[c] = a[c * positions + best];
            emit(scratch.data(), channels, positions > 1 ? std::int64_t(best) : -1);
            return;
        }
        case Sampling::spatial:
            scratch.resize(channels);
            for (std::size_t p = 0; p < positions; ++p) {
                for (std::size_t c = 0; c < channels; ++c) scratch[c] = a[c * positions + p];
                emit(scratch.data(), channels, std::int64_t(p));
            }
            return;
    }
}

// Row source: block reads from a store or slices of an in-memory matrix.
using RowReader = std::function<std::vector<float>(std::size_t first, std::size_t count)>;

PointCloud sample_rows(const RowReader& read, std::size_t n, const std::vector<std::int64_t>& shape,
                       const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions,
                       const std::vector<std::int64_t>& ids, const SampleOptions& opt, const std::string& name) {
    auto [channels, positions] = channels_and_positions(shape);
    std::size_t row_size = channels * positions;
    std::size_t per_input = opt.method == Sampling::spatial ? positions : 1;
    std::size_t dim = opt.method == Sampling::flatten ? row_size : channels;

    if (opt.points > (std::size_t(1) << 40))  // a negative number wrapped around, or a typo
        throw UserError("--points " + std::to_string(opt.points) + " is not a number of points (expected 0 for all, or a count)");
    // inputs of the chosen classes
    std::vector<std::size_t> inputs;
    for (std::size_t i = 0; i < n; ++i)
        if (opt.classes.empty() || std::find(opt.classes.begin(), opt.classes.end(), labels[i]) != opt.classes.end())
            inputs.push_back(i);
    if (inputs.empty()) throw UserError(name + ": no input belongs to the chosen classes");

    // seeded subsample over candidate points (input, position), kept in input order
    std::size_t total = inputs.size() * per_input;
    std::vector<std::size_t> chosen(total);
    std::iota(chosen.begin(), chosen.end(), 0);
    if (opt.points > 0 && opt.points < total) {
        std::mt19937_64 rng(opt.seed);
        for (std::size_t i = 0; i < opt.points; ++i) {  // partial Fisher-Yates
            std::uniform_int_distribution<std::size_t> pick(i, total - 1);
            std::swap(chosen[i], chosen[pick(rng)]);
        }
        chosen.resize(opt.points);
        std::sort(chosen.begin(), chosen.end());
    }

    PointCloud pc;
    pc.points = Matrix(chosen.size(), dim);
    std::size_t out = 0, next = 0;
    std::vector<float> scratch;
    const std::size_t block = std::max<std::size_t>(1, (std::size_t(16) << 20) / (4 * std::max<std::size_t>(1, row_size)));
    for (std::size_t b = 0; b < inputs.size() && next < chosen.size(); b += block) {
        throw_if_cancelled();
        std::size_t first_input = inputs[b], last = std::min(inputs.size(), b + block);
        std::size_t count = inputs[last - 1] - first_input + 1;
        auto rows = read(first_input, count);
        for (std::size_t k = b; k < last && next < chosen.size(); ++k) {
            std::size_t i = inputs[k];
            if (chosen[next] / per_input != k) continue;
            float* a = rows.data() + (i - first_input) * row_size;
            if (opt.relu)
                for (std::size_t j = 0; j < row_size; ++j) a[j] = std::max(a[j], 0.0f);
            std::size_t position = 0;
            emit_points(a, channels, positions, opt.method,
                        [&](const float* v, std::size_t len, std::int64_t pos) {
                            std::size_t candidate = k * per_input + position++;
                            if (next >= chosen.size() || chosen[next] != candidate) return;
                            std::copy(v, v + len, pc.points.row(out));
                            pc.labels.push_back(labels[i]);
                            pc.predictions.push_back(predictions.empty() ? -1 : predictions[i]);
                            pc.input_ids.push_back(ids[i]);
                            pc.positions.push_back(pos);
                            ++out;
                            ++next;
                        },
                        scratch);
        }
    }
    for (std::size_t i = 0; i < pc.points.data.size(); ++i)
        if (!std::isfinite(pc.points.data[i]))
            throw UserError(name + ": point " + std::to_string(i / std::max<std::size_t>(1, dim)) + " (input " +
                            std::to_string(pc.input_ids[i / std::max<std::size_t>(1, dim)]) +
                            ") has a NaN or infinite coordinate");
    if (opt.pca_dims > 0) pc.points = pca_project(pc.points, opt.pca_dims);
    normalize_points(pc.points, opt.normalize, opt.seed);
    pc.description = name + " " + sampling_name(opt.method) + " " + std::to_string(pc.points.rows) + " pts seed " +
                     std::to_string(opt.seed) + (opt.normalize == Normalization::none ? "" : " " + normalization_name(opt.normalize));
    return pc;
}

}  // namespace

Matrix pca_project(const Matrix& rows, std::size_t dims) {
    if (dims == 0 || dims > rows.cols)
        throw UserError("PCA to " + std::to_string(dims) + " dimensions needs 1.." + std::to_string(rows.cols));
    using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Mat x = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                rows.data.data(), Eigen::Index(rows.rows), Eigen::Index(rows.cols))
                .cast<double>();
    x.rowwise() -= x.colwise().mean();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(x.transpose() * x);
    Matrix out(rows.rows, dims);
    for (std::size_t k = 0; k < dims; ++k) {
        // eigenvalues ascend: take from the end; fix the sign so the largest |coefficient| is positive
        Eigen::VectorXd v = eig.eigenvectors().col(Eigen::Index(rows.cols - 1 - k));
        Eigen::Index arg;
        v.cwiseAbs().maxCoeff(&arg);
        if (v(arg) < 0) v = -v;
        Eigen::VectorXd proj = x * v;
        for (std::size_t i = 0; i < rows.rows; ++i) out(i, k) = float(proj(Eigen::Index(i)));
    }
    return out;
}

PointCloud sample_layer(const StoreReader& store, const std::string& layer, const SampleOptions& options) {
    auto shape = store.layer_shape(layer);
    if (store.size() == 0)
        throw UserError(store.path() + ": the store holds no inputs (/inputs/labels is empty), so layer '" + layer +
                        "' has no points");
    const auto too_big = [&] {
        return UserError(store.path() + ": layer '" + layer + "' of per-input shape " + shape_string(shape) + " over " +
                         std::to_string(store.size()) + " inputs does not fit in memory (sample fewer --points, or avgpool)");
    };
    // the point cloud's size, checked before allocating it (an allocation beyond memory may not fail cleanly)
    const auto [channels, positions] = channels_and_positions(shape);
    double points = double(store.size()) * (options.method == Sampling::spatial ? double(positions) : 1.0);
    if (options.points > 0) points = std::min(points, double(options.points));
    const double dim = options.method == Sampling::flatten ? double(channels) * double(positions) : double(channels);
    if (points * dim * sizeof(float) > double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE))) throw too_big();
    try {
        return sample_rows([&](std::size_t first, std::size_t count) { return store.read_layer_rows(layer, first, count); },
                           store.size(), shape, store.labels(), store.predictions(), store.index(), options, layer);
    } catch (const std::bad_alloc&) {
        throw too_big();
    }
}

PointCloud sample_tensor(const Matrix& rows, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions,
                         const std::vector<std::int64_t>& input_ids, const SampleOptions& options) {
    if (per_input_size(shape) != rows.cols)
        throw UserError("tensor rows have " + std::to_string(rows.cols) + " values, shape " + shape_string(shape) +
                        " needs " + std::to_string(per_input_size(shape)));
    std::vector<std::int64_t> lab = labels, ids = input_ids;
    if (lab.empty()) lab.assign(rows.rows, -1);
    if (ids.empty()) {
        ids.resize(rows.rows);
        std::iota(ids.begin(), ids.end(), 0);
    }
    return sample_rows(
        [&](std::size_t first, std::size_t count) {
            return std::vector<float>(rows.data.begin() + long(first * rows.cols),
                                      rows.data.begin() + long((first + count) * rows.cols));
        },
        rows.rows, shape, lab, predictions, ids, options, "tensor");
}

}  // namespace actopo
