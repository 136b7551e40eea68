#pragma once
// The activation store: one HDF5 file per (model, dataset split), layout in docs/formats.md.
//   StoreWriter  - streams batches in; writes to a temporary name, renames on finish().
//   StoreReader  - reads layers (whole, or a range of rows) and the per-input tables.
//   read_attribution_file / read_attributions - the attribution file of `actopo explain`, read back.
// Files written by h5py with the same layout are read too.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo {

/// Root attributes of a store (provenance).
struct StoreInfo {
    std::string model;         // model path as given
    std::string model_sha256;  // sha256 of the model file
    std::string dataset;       // e.g. "fashion-mnist" or a .h5 path
    std::string split;         // "test", "train", or "" for a generic file
    std::string created;       // ISO time
    std::string actopo_version;
    std::vector<std::string> class_names;  // may be empty
};

struct LayerSpec {
    LayerSpec() = default;
    LayerSpec(std::string n, std::vector<std::int64_t> s) : name(std::move(n)), shape(std::move(s)) {}
    std::string name;                // module path, e.g. "layer1.0.conv2"
    std::vector<std::int64_t> shape; // per-input shape as stored, e.g. {8, 28, 28}
    std::int64_t pool = 1;           // > 1: the layer's output [C, H, W] was average-pooled KxK at extraction
    std::vector<std::int64_t> source_shape;  // when pooled: the layer's own output shape, e.g. {8, 56, 56}
};

/// How activations are stored: float32, or IEEE half floats (2 bytes, about 3 significant digits, |x| < 65520)
/// that every reader (StoreReader, the Python Store, h5py with .astype) gets back as float32.
enum class StoreDtype { float32, float16 };
StoreDtype parse_store_dtype(const std::string& name);  // "float32" | "float16"
std::string store_dtype_name(StoreDtype dtype);
std::size_t store_dtype_bytes(StoreDtype dtype);

/// Deflate level of the stores extraction writes when not told otherwise (0: no compression; 1-9: byte
/// shuffle + deflate at that level). See docs/extract.md for the measured trade-off.
constexpr int kDefaultCompression = 0;

/// The `created` attribute of a new store: the time given by the environment variable SOURCE_DATE_EPOCH
/// (Unix seconds, as reproducible-build tools use it) when set, else now; ISO 8601 UTC. UserError when
/// SOURCE_DATE_EPOCH is set but not a non-negative integer.
std::string store_created_time();

/// Number of floats one input occupies in a layer of this per-input shape.
std::size_t per_input_size(const std::vector<std::int64_t>& shape);
/// "[8, 28, 28]"
std::string shape_string(const std::vector<std::int64_t>& shape);

/// What a new store holds besides the layers, and how (docs/formats.md).
struct StoreWriterOptions {
    int compression = kDefaultCompression;  // 0: uncompressed; 1-9: byte shuffle + deflate at that level
    StoreDtype dtype = StoreDtype::float32;  // of the layers' activations (logits stay float32)
    std::int64_t pool = 1;                   // the extraction's --pool, recorded as a root attribute
    std::int64_t mask_length = 0;            // > 0: /inputs/mask uint8 [N, T] (nonzero: a padded position)
    std::int64_t token_length = 0;           // > 0: /inputs/tokens int64 [N, T] (the inputs' token ids)
};

class StoreWriter {
public:
    /// Opens `path` for writing (refuses an existing file unless force). `num_classes` is the logits width.
    /// The same inputs and info give a byte-identical file (no object timestamps are recorded).
    StoreWriter(const std::string& path, const StoreInfo& info, const std::vector<LayerSpec>& layers,
                std::int64_t num_classes, bool force, const StoreWriterOptions& options);
    StoreWriter(const std::string& path, const StoreInfo& info, const std::vector<LayerSpec>& layers,
                std::int64_t num_classes, bool force, int compression = kDefaultCompression);
    ~StoreWriter();
    /// Appends `batch` inputs. `layer_data[i]` holds batch * per_input_size(layers[i].shape) floats; `mask` and
    /// `tokens` batch * T values when the options asked for them (else ignored). Only whole chunks reach the file;
    /// the rows of an unfinished chunk wait in memory (at most one chunk, about 1 MiB, per array) until the next
    /// append or finish(). float16 stores convert here (counts of NaN/Inf are of the float32 values).
    void append(std::size_t batch, const std::int64_t* index, const std::int64_t* labels,
                const std::int64_t* predictions, const float* logits,
                const std::vector<const float*>& layer_data, const std::uint8_t* mask = nullptr,
                const std::int64_t* tokens = nullptr);
    /// Writes the final attributes (count of non-finite values per layer) and renames into place.
    void finish();
    /// Non-finite values seen so far, per layer name.
    const std::map<std::string, std::uint64_t>& nonfinite_counts() const { return nonfinite_; }
    /// float16 stores: finite float32 values that became +-Inf (|x| >= 65520), per layer name.
    const std::map<std::string, std::uint64_t>& overflow_counts() const { return overflow_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::map<std::string, std::uint64_t> nonfinite_, overflow_;
};

class StoreReader {
public:
    /// Opens an existing store; UserError if it is missing, not an activation store, or has no layers.
    explicit StoreReader(const std::string& path);
    ~StoreReader();
    StoreReader(StoreReader&&) noexcept;

    const std::string& path() const { return path_; }
    const StoreInfo& info() const { return info_; }
    std::size_t size() const { return n_; }  // number of inputs N
    const std::vector<std::string>& layer_names() const { return layer_names_; }
    bool has_layer(const std::string& name) const;
    /// Per-input shape of a layer; UserError naming the closest layers when it does not exist.
    std::vector<std::int64_t> layer_shape(const std::string& name) const;
    /// Rows [first, first+count) of a layer, flattened per input: count x per_input_size floats.
    std::vector<float> read_layer_rows(const std::string& name, std::size_t first, std::size_t count) const;
    /// The whole layer flattened: N x per_input_size.
    Matrix read_layer(const std::string& name) const;
    /// Non-finite values of a layer: as recorded when actopo wrote it, else counted (stores of other tools).
    std::uint64_t layer_nonfinite(const std::string& name) const;
    /// Whether the store holds /inputs/predictions (predictions() gives -1 for every input when not).
    bool has_predictions() const;
    /// How a layer is stored (float16 layers read back as float32 all the same) and its pooling (1: none).
    StoreDtype layer_dtype(const std::string& name) const;
    std::int64_t layer_pool(const std::string& name) const;
    /// /inputs/mask (nonzero: padded position) and /inputs/tokens, N x T row-major; empty (T = 0) when absent.
    std::vector<std::uint8_t> mask(std::size_t* length) const;
    std::vector<std::int64_t> tokens(std::size_t* length) const;

    std::vector<std::int64_t> index() const;
    std::vector<std::int64_t> labels() const;
    std::vector<std::int64_t> predictions() const;
    Matrix logits() const;  // N x C (C = 0 when absent)

private:
    std::vector<std::int64_t> checked_rows(const std::string& name) const;  // N integers, checked
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string path_;
    StoreInfo info_;
    std::size_t n_ = 0;
    std::vector<std::string> layer_names_;
};

/// Reads an attribution file (written by `actopo explain`, layout in docs/formats.md): the datasets' names and the
/// per-input tables. UserError when it is not one.
struct AttributionFile {
    std::string model, dataset, split, target;
    std::vector<std::string> methods;                   // the /attributions datasets (not the _delta ones)
    std::vector<std::int64_t> index, labels, predictions, targets;
    std::vector<std::string> class_names;
};
AttributionFile read_attribution_file(const std::string& path);
/// Whether `path` is an HDF5 file with the attribution file's format attribute (never throws).
bool is_attribution_file(const std::string& path);
/// One method's maps: shape [N, ...] in `shape`.
std::vector<float> read_attributions(const std::string& path, const std::string& method,
                                     std::vector<std::int64_t>* shape);

}  // namespace actopo
