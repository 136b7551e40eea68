#include "actopo/sample.hpp"

#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <tuple>

namespace actopo {

namespace {
const std::vector<std::pair<Sampling, std::string>>& sampling_names() {
    static const std::vector<std::pair<Sampling, std::string>> names{
        {Sampling::flatten, "flatten"},   {Sampling::avgpool, "avgpool"},       {Sampling::top_l2, "top-l2"},
        {Sampling::spatial, "spatial"},   {Sampling::tokens, "tokens"},         {Sampling::token_mean, "token-mean"},
        {Sampling::first_token, "first-token"}, {Sampling::last_token, "last-token"}};
    return names;
}
bool token_sampling(Sampling s) {
    return s == Sampling::tokens || s == Sampling::token_mean || s == Sampling::first_token || s == Sampling::last_token;
}
}  // namespace

Sampling parse_sampling(const std::string& name) {
    std::vector<std::string> all;
    for (const auto& [s, n] : sampling_names()) {
        if (n == name) return s;
        all.push_back(n);
    }
    throw UserError("unknown sampling '" + name + "' (expected one of " + join(all) + ")");
}

std::string sampling_name(Sampling s) {
    for (const auto& [k, n] : sampling_names())
        if (k == s) return n;
    return "?";
}

bool one_point_per_input(Sampling s) { return s != Sampling::spatial && s != Sampling::tokens; }

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

constexpr std::size_t kProjectionBlocks = 4;  // s: nonzeros per input coordinate

// The sparse projection of D values to k dimensions: for input coordinate j and block b (0..s-1),
// u = splitmix64(splitmix64(seed) ^ (j*s + b)); row b*(k/s) + (u >> 32) % (k/s), sign + when u is even, value
// sign / sqrt(s). Kept as one uint32 per (j, b): the row, and the sign in the top bit.
class Projection {
public:
    Projection(std::size_t d, std::size_t k, std::uint64_t seed) : k_(k), table_(d * kProjectionBlocks) {
        if (k == 0 || k % kProjectionBlocks != 0)
            throw UserError("projection to " + std::to_string(k) + " dimensions: expected a multiple of " +
                            std::to_string(kProjectionBlocks));
        const std::uint64_t key = splitmix64(seed), m = k / kProjectionBlocks;
        for (std::size_t i = 0; i < table_.size(); ++i) {
            const std::uint64_t u = splitmix64(key ^ std::uint64_t(i));
            const std::uint32_t row = std::uint32_t((i % kProjectionBlocks) * m + (u >> 32) % m);
            table_[i] = row | (std::uint32_t(u & 1u) << 31);
        }
    }
    void apply(const float* x, float* out, std::vector<double>& acc) const {
        acc.assign(k_, 0.0);
        const std::size_t d = table_.size() / kProjectionBlocks;
        for (std::size_t j = 0; j < d; ++j) {
            const double v = x[j];
            if (v == 0) continue;
            for (std::size_t b = 0; b < kProjectionBlocks; ++b) {
                const std::uint32_t t = table_[j * kProjectionBlocks + b];
                acc[t & 0x7fffffffu] += (t >> 31) ? -v : v;
            }
        }
        const double scale = 1.0 / std::sqrt(double(kProjectionBlocks));
        for (std::size_t r = 0; r < k_; ++r) out[r] = float(acc[r] * scale);
    }

private:
    std::size_t k_;
    std::vector<std::uint32_t> table_;
};

// Channels and spatial positions of a per-input shape: {C} -> (C, 1); {C, H, W...} -> (C, H*W...).
std::pair<std::size_t, std::size_t> channels_and_positions(const std::vector<std::int64_t>& shape) {
    if (shape.empty()) return {1, 1};
    std::size_t positions = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) positions *= std::size_t(shape[i]);
    return {std::size_t(shape[0]), positions};
}

using Emit = std::function<void(const float*, std::size_t, std::int64_t)>;

// Points contributed by one input's activation `a` (already ReLU'd if asked) of a conv or vector layer.
void emit_points(const float* a, std::size_t channels, std::size_t positions, Sampling method, const Emit& emit,
                 std::vector<float>& scratch) {
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
        default: return;  // token samplings: emit_tokens
    }
}

// Points of one input of a sequence layer [T, D]: `unpadded` lists its positions that are not padding (ascending,
// never empty for the one-point samplings).
void emit_tokens(const float* a, std::size_t features, const std::vector<std::size_t>& unpadded, Sampling method,
                 const Emit& emit, std::vector<float>& scratch) {
    switch (method) {
        case Sampling::tokens:
            for (std::size_t t : unpadded) emit(a + t * features, features, std::int64_t(t));
            return;
        case Sampling::token_mean: {
            std::vector<double> sum(features, 0.0);
            for (std::size_t t : unpadded)
                for (std::size_t f = 0; f < features; ++f) sum[f] += a[t * features + f];
            scratch.resize(features);
            for (std::size_t f = 0; f < features; ++f) scratch[f] = float(sum[f] / double(unpadded.size()));
            emit(scratch.data(), features, -1);
            return;
        }
        case Sampling::first_token: emit(a + unpadded.front() * features, features, std::int64_t(unpadded.front())); return;
        case Sampling::last_token: emit(a + unpadded.back() * features, features, std::int64_t(unpadded.back())); return;
        default: return;
    }
}

// Row source: block reads from a store or slices of an in-memory matrix.
using RowReader = std::function<std::vector<float>(std::size_t first, std::size_t count)>;

// How a layer of per-input `shape` becomes points under opt: the sampling actually applied (a token sampling of a
// vector layer is its vector), its channels and positions (a sequence [T, D]: channels = T, positions = D), the
// points per input and their dimension (k when flatten goes through the projection).
struct PointLayout {
    Sampling method;
    bool sequence, project;
    std::size_t channels, positions, row_size, per_input, dim;
};

PointLayout point_layout(const std::vector<std::int64_t>& shape, const SampleOptions& opt, const std::string& name) {
    PointLayout l;
    l.method = opt.method;
    if (token_sampling(l.method) && shape.size() < 2) {  // a vector layer has no tokens: its one point is the vector
        if (l.method == Sampling::tokens)
            throw UserError("layer '" + name + "' has per-input shape " + shape_string(shape) +
                            "; --sampling tokens needs [T, D] (tokens first)");
        l.method = Sampling::flatten;
    }
    l.sequence = token_sampling(l.method);
    std::tie(l.channels, l.positions) = channels_and_positions(shape);
    l.row_size = l.channels * l.positions;
    l.per_input = l.method == Sampling::spatial ? l.positions : l.method == Sampling::tokens ? l.channels : 1;
    l.project = l.method == Sampling::flatten && opt.projection > 0 && l.row_size > opt.projection;
    l.dim = l.method == Sampling::flatten ? (l.project ? opt.projection : l.row_size)
            : l.sequence                  ? l.positions
                                          : l.channels;
    return l;
}

struct Tables {  // per input: label, prediction, id; per input and position: mask (1: padded), token id
    std::vector<std::int64_t> labels, predictions, ids;
    std::vector<std::uint8_t> mask;
    std::size_t mask_length = 0;
    std::vector<std::int64_t> tokens;
    std::size_t token_length = 0;
};

PointCloud sample_rows(const RowReader& read, std::size_t n, const std::vector<std::int64_t>& shape, const Tables& tab,
                       const SampleOptions& opt, const std::string& name) {
    const PointLayout lay = point_layout(shape, opt, name);
    const Sampling method = lay.method;
    const bool sequence = lay.sequence, project = lay.project;
    const std::size_t channels = lay.channels, positions = lay.positions, row_size = lay.row_size,
                      per_input = lay.per_input, dim = lay.dim;
    if (sequence && tab.mask_length > 0 && tab.mask_length != channels)
        throw UserError(name + ": " + std::to_string(channels) + " tokens per input, but /inputs/mask has " +
                        std::to_string(tab.mask_length) + " positions (expected the same)");

    if (opt.points > (std::size_t(1) << 40))  // a negative number wrapped around, or a typo
        throw UserError("--points " + std::to_string(opt.points) + " is not a number of points (expected 0 for all, or a count)");
    // inputs of the chosen classes
    std::vector<std::size_t> inputs;
    for (std::size_t i = 0; i < n; ++i)
        if (opt.classes.empty() || std::find(opt.classes.begin(), opt.classes.end(), tab.labels[i]) != opt.classes.end())
            inputs.push_back(i);
    if (inputs.empty()) throw UserError(name + ": no input belongs to the chosen classes");
    auto padded = [&](std::size_t input, std::size_t t) {
        return sequence && tab.mask_length > 0 && tab.mask[input * tab.mask_length + t] != 0;
    };
    auto unpadded_of = [&](std::size_t input) {
        std::vector<std::size_t> out;
        for (std::size_t t = 0; t < (sequence ? channels : 0); ++t)
            if (!padded(input, t)) out.push_back(t);
        return out;
    };

    // candidate points (k * per_input + position for the k-th chosen input; padded tokens are none), then a seeded
    // subsample of them, kept in input order
    std::vector<std::size_t> chosen;
    chosen.reserve(inputs.size() * per_input);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        if (sequence && method != Sampling::tokens && tab.mask_length > 0 && unpadded_of(inputs[k]).empty())
            throw UserError(name + ": input " + std::to_string(tab.ids[inputs[k]]) + " has every position padded in "
                            "/inputs/mask, so it has no " + sampling_name(method));
        for (std::size_t p = 0; p < per_input; ++p)
            if (method != Sampling::tokens || !padded(inputs[k], p)) chosen.push_back(k * per_input + p);
    }
    const std::size_t total = chosen.size();
    if (total == 0) throw UserError(name + ": every token of the chosen inputs is padded (/inputs/mask); no points");
    if (opt.points > 0 && opt.points < total) {
        std::mt19937_64 rng(opt.seed);
        for (std::size_t i = 0; i < opt.points; ++i) {  // partial Fisher-Yates
            std::uniform_int_distribution<std::size_t> pick(i, total - 1);
            std::swap(chosen[i], chosen[pick(rng)]);
        }
        chosen.resize(opt.points);
        std::sort(chosen.begin(), chosen.end());
    }
    std::unique_ptr<Projection> projection;
    if (project) projection = std::make_unique<Projection>(row_size, opt.projection, opt.seed);

    PointCloud pc;
    pc.points = Matrix(chosen.size(), dim);
    std::size_t out = 0, next = 0;
    std::vector<float> scratch, projected(project ? dim : 0);
    std::vector<double> acc;
    const std::size_t block = std::max<std::size_t>(1, (std::size_t(16) << 20) / (4 * std::max<std::size_t>(1, row_size)));
    // the chosen inputs (positions in `inputs`), read in runs of rows that span at most `block` rows
    std::vector<std::size_t> needed;
    for (std::size_t c : chosen)
        if (needed.empty() || needed.back() != c / per_input) needed.push_back(c / per_input);
    for (std::size_t r = 0; r < needed.size();) {
        throw_if_cancelled();
        std::size_t end = r + 1;
        while (end < needed.size() && inputs[needed[end]] - inputs[needed[r]] < block) ++end;
        const std::size_t first_input = inputs[needed[r]], count = inputs[needed[end - 1]] - first_input + 1;
        auto rows = read(first_input, count);
        for (std::size_t q = r; q < end; ++q) {
            const std::size_t k = needed[q], i = inputs[k];
            float* a = rows.data() + (i - first_input) * row_size;
            if (opt.relu)
                for (std::size_t j = 0; j < row_size; ++j) a[j] = std::max(a[j], 0.0f);
            const Emit emit = [&](const float* v, std::size_t len, std::int64_t pos) {
                const std::size_t candidate = k * per_input + (method == Sampling::spatial || method == Sampling::tokens
                                                                   ? std::size_t(pos) : 0);
                if (next >= chosen.size() || chosen[next] != candidate) return;
                if (project) {
                    projection->apply(v, projected.data(), acc);
                    v = projected.data();
                    len = dim;
                }
                std::copy(v, v + len, pc.points.row(out));
                pc.labels.push_back(tab.labels[i]);
                pc.predictions.push_back(tab.predictions.empty() ? -1 : tab.predictions[i]);
                pc.input_ids.push_back(tab.ids[i]);
                pc.positions.push_back(pos);
                pc.tokens.push_back(pos >= 0 && sequence && tab.token_length == channels
                                        ? tab.tokens[i * tab.token_length + std::size_t(pos)] : -1);
                ++out;
                ++next;
            };
            if (sequence)
                emit_tokens(a, positions, unpadded_of(i), method, emit, scratch);
            else
                emit_points(a, channels, positions, method, emit, scratch);
        }
        r = end;
    }
    for (std::size_t i = 0; i < pc.points.data.size(); ++i)
        if (!std::isfinite(pc.points.data[i]))
            throw UserError(name + ": point " + std::to_string(i / std::max<std::size_t>(1, dim)) + " (input " +
                            std::to_string(pc.input_ids[i / std::max<std::size_t>(1, dim)]) +
                            ") has a NaN or infinite coordinate");
    if (opt.pca_dims > 0) pc.points = pca_project(pc.points, opt.pca_dims);
    normalize_points(pc.points, opt.normalize, opt.seed);
    pc.description = name + " " + sampling_name(opt.method) + (project ? " projected to " + std::to_string(dim) : "") +
                     " " + std::to_string(pc.points.rows) + " pts seed " + std::to_string(opt.seed) +
                     (opt.normalize == Normalization::none ? "" : " " + normalization_name(opt.normalize));
    return pc;
}

}  // namespace

Matrix random_projection(const Matrix& rows, std::size_t dims, std::uint64_t seed) {
    Projection p(rows.cols, dims, seed);
    Matrix out(rows.rows, dims);
    std::vector<double> acc;
    for (std::size_t i = 0; i < rows.rows; ++i) p.apply(rows.data.data() + i * rows.cols, out.row(i), acc);
    return out;
}

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
    const PointLayout lay = point_layout(shape, options, layer);
    double points = double(store.size()) * double(lay.per_input);
    if (options.points > 0) points = std::min(points, double(options.points));
    const double dim = double(lay.dim);
    // a projection holds kProjectionBlocks 4-byte entries per input coordinate, beside the cloud of k dimensions
    const double table = lay.project ? double(lay.row_size) * double(kProjectionBlocks) * sizeof(std::uint32_t) : 0;
    if (points * dim * sizeof(float) + table > double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE)))
        throw too_big();
    Tables tab;
    tab.labels = store.labels();
    tab.predictions = store.predictions();
    tab.ids = store.index();
    if (token_sampling(options.method)) {
        tab.mask = store.mask(&tab.mask_length);
        tab.tokens = store.tokens(&tab.token_length);
    }
    try {
        return sample_rows([&](std::size_t first, std::size_t count) { return store.read_layer_rows(layer, first, count); },
                           store.size(), shape, tab, options, layer);
    } catch (const std::bad_alloc&) {
        throw too_big();
    }
}

PointCloud sample_tensor(const Matrix& rows, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions,
                         const std::vector<std::int64_t>& input_ids, const SampleOptions& options,
                         const std::vector<std::uint8_t>& mask) {
    if (per_input_size(shape) != rows.cols)
        throw UserError("tensor rows have " + std::to_string(rows.cols) + " values, shape " + shape_string(shape) +
                        " needs " + std::to_string(per_input_size(shape)));
    Tables tab;
    tab.labels = labels;
    tab.ids = input_ids;
    tab.predictions = predictions;
    if (tab.labels.empty()) tab.labels.assign(rows.rows, -1);
    if (tab.ids.empty()) {
        tab.ids.resize(rows.rows);
        std::iota(tab.ids.begin(), tab.ids.end(), 0);
    }
    if (!mask.empty()) {
        if (rows.rows == 0 || mask.size() % rows.rows != 0)
            throw UserError("mask has " + std::to_string(mask.size()) + " values, not T per each of " +
                            std::to_string(rows.rows) + " inputs");
        tab.mask = mask;
        tab.mask_length = mask.size() / rows.rows;
    }
    return sample_rows(
        [&](std::size_t first, std::size_t count) {
            return std::vector<float>(rows.data.begin() + long(first * rows.cols),
                                      rows.data.begin() + long((first + count) * rows.cols));
        },
        rows.rows, shape, tab, options, "tensor");
}

}  // namespace actopo
