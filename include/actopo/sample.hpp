#pragma once
// Sampling: a layer of an activation store -> a point cloud, every point traceable to its input.
//   flatten  - the whole activation of an input as one vector (C*H*W)
//   avgpool  - the channel means of a conv map (C); = flatten for a vector layer
//   top-l2   - per input, the C-vector at the spatial position of largest l2 norm (Purvine et al.)
//   spatial  - every spatial C-vector, each labelled by its input (N*H*W points)
// Sequence layers, per-input shape [T, D...] (tokens first, the other axes are the token's features), respecting
// the store's padding mask (/inputs/mask: padded positions are never a point nor part of a mean):
//   tokens       - every unpadded token's vector, labelled by its input, position t and token id (up to N*T points)
//   token-mean   - per input, the mean of its unpadded tokens' vectors
//   first-token  - per input, its first unpadded token (the CLS token of a BERT- or ViT-style encoder)
//   last-token   - per input, its last unpadded token (what a causal model or an RNN summarises into)
// A flatten point of more than `projection` values is projected to `projection` dimensions by a seeded sparse
// random projection (docs/formats.md, "Random projection"): Johnson-Lindenstrauss, distances kept within a few %.
// then per-class selection, seeded subsampling, optional ReLU, PCA to d dimensions, and a normalisation of
// scale (so that layers of different scale can be compared):
//   none           - the activations as they are
//   standardize    - zero mean, unit variance per coordinate
//   mean-distance  - the whole cloud scaled so that the mean Euclidean distance between two points is 1
//   diameter       - scaled so that the largest Euclidean distance between two points is 1
#include <cstdint>
#include <string>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/store.hpp"

namespace actopo {

enum class Sampling { flatten, avgpool, top_l2, spatial, tokens, token_mean, first_token, last_token };
/// "flatten" | "avgpool" | "top-l2" | "spatial" | "tokens" | "token-mean" | "first-token" | "last-token"
Sampling parse_sampling(const std::string& name);
std::string sampling_name(Sampling s);
/// Whether a sampling gives one point per input (all but spatial and tokens).
bool one_point_per_input(Sampling s);

/// Flatten points larger than this many values are randomly projected to this many dimensions (0: never).
constexpr std::size_t kDefaultProjection = 16384;
/// The sparse random projection of flatten sampling: `dims` (a multiple of 4) rows, seeded. Row j of the result is
/// the projection of input row j of `rows` (n x D).
Matrix random_projection(const Matrix& rows, std::size_t dims, std::uint64_t seed);

enum class Normalization { none, standardize, mean_distance, diameter };
Normalization parse_normalization(const std::string& name);  // "none" | "standardize" | "mean-distance" | "diameter"
std::string normalization_name(Normalization n);

struct SampleOptions {
    Sampling method = Sampling::flatten;
    std::size_t points = 0;               // 0: all points; else a seeded uniform subsample of this size
    std::uint64_t seed = 0;
    std::vector<std::int64_t> classes;    // empty: every class
    bool relu = false;                    // max(x, 0) before everything else
    std::size_t pca_dims = 0;             // 0: no PCA
    Normalization normalize = Normalization::none;  // after PCA
    std::size_t projection = kDefaultProjection;    // flatten: project points of more values to this many dims
};

struct PointCloud {
    Matrix points;                        // n x d
    std::vector<std::int64_t> labels;     // true class of each point's input
    std::vector<std::int64_t> predictions;// the model's prediction for that input
    std::vector<std::int64_t> input_ids;  // the input's dataset index (/inputs/index)
    std::vector<std::int64_t> positions;  // spatial: flat spatial position h*W+w; token samplings: t; else -1
    std::vector<std::int64_t> tokens;     // token samplings on a store with /inputs/tokens: the token id; else -1
    std::string description;              // "layer1.0.conv2 avgpool 1000 pts seed 7"
};

/// Samples a layer of a store. Reads the layer in blocks (never more than one block beyond the result; a sampling
/// of one point per input reads only the rows of the inputs chosen, give or take a block's gaps).
PointCloud sample_layer(const StoreReader& store, const std::string& layer, const SampleOptions& options);

/// The same on an in-memory tensor: `rows` is N x prod(shape) (row i = input i), shape per input
/// ({C}, {C, H, W} or {T, D}). labels/predictions/ids have N entries (empty: filled with -1 / 0..N-1); `mask`
/// N x T (nonzero: padded) or empty, for the token samplings.
PointCloud sample_tensor(const Matrix& rows, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions,
                         const std::vector<std::int64_t>& input_ids, const SampleOptions& options,
                         const std::vector<std::uint8_t>& mask = {});

/// Normalises the rows of `points` in place (see the top of this header). mean-distance averages over every pair
/// up to 2 000 points, else over 2 000 000 pairs drawn with `seed`; a cloud whose points all coincide is left
/// as it is. Returns the factor the points were multiplied by (1 for none and standardize).
double normalize_points(Matrix& points, Normalization how, std::uint64_t seed = 0);

/// Principal components of the rows (centred): the n x d projection on the first d directions.
Matrix pca_project(const Matrix& rows, std::size_t dims);

}  // namespace actopo
