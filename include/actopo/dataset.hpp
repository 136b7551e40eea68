#pragma once
// Datasets: where the inputs come from.
//   "fashion-mnist[:test|:train]"  - Debian's dataset-fashion-mnist (gzip IDX files), pixels scaled to [0, 1],
//                                    shape [N, 1, 28, 28], class names.
//   "fashion-mnist-rows[:test|:train]" - the same images as sequences: 28 tokens (the rows, top to bottom) of 28
//                                    features each, shape [N, 28, 28]; the built-in sequence dataset.
//   "path.h5"                      - a user's HDF5 file with /x float32 [N, ...] (or int64 token ids [N, T]) and
//                                    /labels int64 [N] (optional /class_names strings, and more input arrays
//                                    that a model's forward takes by argument name, e.g. /mask [N, T], nonzero
//                                    at padded positions).
// A DatasetReader hands out batches, so extraction never holds more than one batch of floats.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace actopo {

/// One array of a dataset's inputs: /x, or another that a model's forward takes by name (/mask).
struct InputArray {
    enum class Type { float32, int64, boolean };
    std::string name;                 // "x", "mask"
    Type type = Type::float32;
    std::vector<std::int64_t> shape;  // per input
};

class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    virtual std::string name() const = 0;   // "fashion-mnist" or the file path
    virtual std::string split() const = 0;  // "test", "train" or ""
    virtual std::size_t size() const = 0;
    virtual std::vector<std::int64_t> sample_shape() const = 0;  // e.g. {1, 28, 28}
    virtual std::vector<std::string> class_names() const = 0;    // may be empty
    /// Reads inputs [first, first+count): x gets count*prod(sample_shape) floats (x null: the labels only),
    /// labels count values.
    virtual void read(std::size_t first, std::size_t count, float* x, std::int64_t* labels) const = 0;
    /// The input array `name` ("x", or another the dataset holds, such as "mask"), or nothing. The default: "x",
    /// float32, sample_shape(). In an HDF5 file integers of 2 bytes or more are int64 (token ids), h5py's bools
    /// boolean, floats and 1-byte integers (pixels) float32.
    virtual std::optional<InputArray> input_array(const std::string& name) const;
    /// Reads inputs [first, first+count) of input_array(name) into out: count * prod(shape) values of its type
    /// (float, std::int64_t, or one byte 0/1 for boolean).
    virtual void read_array(const std::string& name, std::size_t first, std::size_t count, void* out) const;
    /// T of the padding mask /mask [N, T] (0: none; UserError when it is not [N, T] or not as long as the token
    /// ids) and its rows: count*T bytes, 1 at a padded position.
    std::size_t mask_length() const;
    void read_mask(std::size_t first, std::size_t count, std::uint8_t* mask) const;
    /// T of the token ids (an integer /x [N, T]; 0: the inputs are no token ids) and their rows: count*T ids.
    std::size_t token_length() const;
    void read_tokens(std::size_t first, std::size_t count, std::int64_t* tokens) const;
};

/// Opens a dataset by spec ("fashion-mnist", "fashion-mnist:train", "fashion-mnist-rows", "data.h5"). `limit` > 0 keeps the
/// first `limit` inputs. UserError when the Debian package is missing (naming it) or the file is bad.
std::unique_ptr<DatasetReader> open_dataset(const std::string& spec, std::size_t limit = 0);

/// Where Debian's dataset-fashion-mnist puts its files (overridable with ACTOPO_FASHION_MNIST_DIR).
std::string fashion_mnist_dir();
/// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace actopo
