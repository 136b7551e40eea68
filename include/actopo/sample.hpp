#pragma once
// Sampling: a layer of an activation store -> a point cloud, every point traceable to its input.
//   flatten  - the whole activation of an input as one vector (C*H*W)
//   avgpool  - the channel means of a conv map (C); = flatten for a vector layer
//   top-l2   - per input, the C-vector at the spatial position of largest l2 norm (Purvine et al.)
//   spatial  - every spatial C-vector, each labelled by its input (N*H*W points)
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

enum class Sampling { flatten, avgpool, top_l2, spatial };
Sampling parse_sampling(const std::string& name);  // "flatten" | "avgpool" | "top-l2" | "spatial"
std::string sampling_name(Sampling s);

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
};

struct PointCloud {
    Matrix points;                        // n x d
    std::vector<std::int64_t> labels;     // true class of each point's input
    std::vector<std::int64_t> predictions;// the model's prediction for that input
    std::vector<std::int64_t> input_ids;  // the input's dataset index (/inputs/index)
    std::vector<std::int64_t> positions;  // spatial: flat spatial position h*W+w; else -1
    std::string description;              // "layer1.0.conv2 avgpool 1000 pts seed 7"
};

/// Samples a layer of a store. Reads the layer in blocks (never more than one block beyond the result).
PointCloud sample_layer(const StoreReader& store, const std::string& layer, const SampleOptions& options);

/// The same on an in-memory tensor: `rows` is N x prod(shape) (row i = input i), shape per input
/// ({C} or {C, H, W}). labels/predictions/ids have N entries (empty: filled with -1 / 0..N-1).
PointCloud sample_tensor(const Matrix& rows, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions,
                         const std::vector<std::int64_t>& input_ids, const SampleOptions& options);

/// Normalises the rows of `points` in place (see the top of this header). mean-distance averages over every pair
/// up to 2 000 points, else over 2 000 000 pairs drawn with `seed`; a cloud whose points all coincide is left
/// as it is. Returns the factor the points were multiplied by (1 for none and standardize).
double normalize_points(Matrix& points, Normalization how, std::uint64_t seed = 0);

/// Principal components of the rows (centred): the n x d projection on the first d directions.
Matrix pca_project(const Matrix& rows, std::size_t dims);

}  // namespace actopo
