#pragma once
// Datasets: where the inputs come from.
//   "fashion-mnist[:test|:train]"  - Debian's dataset-fashion-mnist (gzip IDX files), pixels scaled to [0, 1],
//                                    shape [N, 1, 28, 28], class names.
//   "fashion-mnist-rows[:test|:train]" - the same images as sequences: 28 tokens (the rows, top to bottom) of 28
//                                    features each, shape [N, 28, 28]; the built-in sequence dataset.
//   "path.h5"                      - a user's HDF5 file with /x float32 [N, ...] and /labels int64 [N]
//                                    (optional /class_names strings; optional /mask [N, T], nonzero at padded
//                                    positions; an integer /x [N, T] holds token ids).
// A DatasetReader hands out batches, so extraction never holds more than one batch of floats.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace actopo {

class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    virtual std::string name() const = 0;   // "fashion-mnist" or the file path
    virtual std::string split() const = 0;  // "test", "train" or ""
    virtual std::size_t size() const = 0;
    virtual std::vector<std::int64_t> sample_shape() const = 0;  // e.g. {1, 28, 28}
    virtual std::vector<std::string> class_names() const = 0;    // may be empty
    /// Reads inputs [first, first+count): x gets count*prod(sample_shape) floats, labels count values.
    virtual void read(std::size_t first, std::size_t count, float* x, std::int64_t* labels) const = 0;
    /// T of the padding mask /mask [N, T] (0: none) and its rows: count*T values, 1 at a padded position.
    virtual std::size_t mask_length() const { return 0; }
    virtual void read_mask(std::size_t /*first*/, std::size_t /*count*/, std::uint8_t* /*mask*/) const {}
    /// T of the token ids (an integer /x [N, T]; 0: the inputs are no token ids) and their rows: count*T ids.
    virtual std::size_t token_length() const { return 0; }
    virtual void read_tokens(std::size_t /*first*/, std::size_t /*count*/, std::int64_t* /*tokens*/) const {}
};

/// Opens a dataset by spec ("fashion-mnist", "fashion-mnist:train", "fashion-mnist-rows", "data.h5"). `limit` > 0 keeps the
/// first `limit` inputs. UserError when the Debian package is missing (naming it) or the file is bad.
std::unique_ptr<DatasetReader> open_dataset(const std::string& spec, std::size_t limit = 0);

/// Where Debian's dataset-fashion-mnist puts its files (overridable with ACTOPO_FASHION_MNIST_DIR).
std::string fashion_mnist_dir();
/// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace actopo
