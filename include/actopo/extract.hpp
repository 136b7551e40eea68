#pragma once
// Extraction: TorchScript model + dataset -> activation store (layout in docs/formats.md).
//   LayerCapture       - a loaded model whose forward also returns the outputs of chosen submodules, so one
//                        forward pass per batch captures every layer (scripted and traced models alike).
//   list_layers()      - the leaf submodules with their per-input output shapes (`--list-layers`).
//   extract_activations() - streams a dataset batch by batch through LayerCapture into a StoreWriter.
//   describe_model()   - `actopo inspect model.pt`.
// How it works, and how a module called more than once is handled: docs/extract.md.
// No LibTorch types cross this header.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actopo/dataset.hpp"
#include "actopo/store.hpp"

namespace actopo {

struct CaptureInternals;  // src/extract/capture_internals.hpp: the graph and module, for src/explain

/// A submodule of a model as extraction sees it.
struct LayerInfo {
    std::string name;                  // module path, e.g. "layer1.0.conv1"
    std::string type;                  // its TorchScript class, e.g. "Conv2d"
    bool leaf = false;                 // has no submodules
    int calls = 0;                     // its calls in forward's code (0: never called, cannot be captured)
    int nested_calls = 0;              // of these, the calls inside an if or a loop (which may run 0 or many times)
    int last_calls = -1;               // times it ran in the last batch (-1: not captured or not run yet)
    std::vector<std::int64_t> shape;   // per-input output shape (filled by list_layers when run on inputs)
};

/// How a LayerCapture treats a module that forward calls several times (docs/extract.md).
struct CaptureOptions {
    bool all_calls = false;  // false: the output of its last call (as a forward hook storing into a dict keeps
                             // it); true: every call, stacked on a new axis 1: [N, calls, ...]
    std::string logits;      // where the logits are in forward's output when it is a tuple, list or dict: an
                             // address ("[0]", "[\"logits\"]") or a key ("logits"); "": forward returns them
    std::int64_t pool = 1;   // > 1 (and all_calls false): every layer whose per-input output is [C, H, W], other than
                             // [C, 1, 1], is average-pooled KxK with stride K into [C, ceil(H/K), ceil(W/K)] inside the
                             // rewritten graph, where it is made (a window cut by the right or bottom edge averages
                             // what it covers: torch's avg_pool2d(K, K, ceil_mode=True)), so the full-size output is
                             // freed as soon as forward is done with it
};

class LayerCapture {
public:
    /// Loads `model_path` (UserError when missing, corrupt, or not TorchScript) and prepares a forward pass
    /// that also returns the requested layers: names are module paths or {"all"} (every leaf that forward
    /// calls, and every nn.MultiheadAttention none of whose submodules it calls). UserError for an unknown layer,
    /// naming the closest ones. `threads` <= 0 keeps torch's default.
    /// A name may address an element of a module's tuple, list or dict output: "lstm[1][0]", "branch[\"aux\"]"; a
    /// bare name (and "all") stores the first element of a tuple or list, repeatedly (docs/extract.md).
    /// A layer called inside an if or a loop of forward is captured each time it runs; the first batch decides
    /// which layers are kept (one that did not run is dropped with a note, or a UserError when it was named).
    /// `intervened`: layers (each called exactly once by forward, else UserError) whose output every later use sees
    /// as output * keep + fill, set by set_intervention() (initially keep 1, fill 0: the intact model).
    LayerCapture(const std::string& model_path, const std::vector<std::string>& layers, int threads = 0,
                 const std::vector<std::string>& intervened = {}, const CaptureOptions& options = {});
    ~LayerCapture();
    LayerCapture(const LayerCapture&) = delete;
    LayerCapture& operator=(const LayerCapture&) = delete;

    /// Every submodule (depth-first, in registration order) with the number of times forward calls it.
    const std::vector<LayerInfo>& modules() const;
    /// The captured layers, in capture order (after the first run(): those that forward called on it).
    const std::vector<std::string>& layers() const;
    /// The intervened layers, in the order given.
    const std::vector<std::string>& intervened() const;
    /// keep and fill of intervened layer i: one value per element of the layer's per-input `shape`, broadcast over
    /// the batch (a captured intervened layer returns the replaced output). Both empty: the intact layer again.
    void set_intervention(std::size_t i, const std::vector<std::int64_t>& shape, const std::vector<float>& keep,
                          const std::vector<float>& fill);

    /// Runs a batch: `x` holds prod(shape) floats, shape = [B, ...]. UserError when the model rejects the
    /// shape (saying what its first layer expects). Afterwards the accessors below describe this batch.
    void run(const float* x, const std::vector<std::int64_t>& shape);
    /// Runs inputs [first, first+count) of a dataset (its labels into `labels`): forward's first argument takes
    /// /x in the file's type (float32, or int64 token ids), each other argument the array named like it (/mask),
    /// or its default; UserError naming an argument that nothing gives, or /x's dtype when the first layer wants
    /// another (token ids for an Embedding).
    void run(const DatasetReader& data, std::size_t first, std::size_t count, std::int64_t* labels);
    /// The same forward pass without capturing anything (the baseline of the benchmark).
    void run_bare(const float* x, const std::vector<std::int64_t>& shape);

    /// Per-input shape of captured layer i, and its B * per_input_size floats (valid until the next run, or
    /// as long as a keep_alive() of this batch is held).
    std::vector<std::int64_t> layer_shape(std::size_t i) const;
    /// Per-input shape of layer i's own output before pooling (CaptureOptions::pool; otherwise layer_shape(i)).
    std::vector<std::int64_t> layer_source_shape(std::size_t i) const;
    const float* layer_data(std::size_t i) const;
    /// The model's output for the last batch: B x num_classes logits, and their argmax per input.
    std::int64_t num_classes() const;
    const float* logits() const;
    std::vector<std::int64_t> predictions() const;
    /// Keeps this batch's layer data and logits alive (and the pointers above valid) after the next run, for a
    /// writer on another thread. No captured array shares memory with the input x, so x may be reused.
    std::shared_ptr<const void> keep_alive() const;

private:
    friend struct CaptureInternals;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct ExtractOptions {
    std::string model;                       // TorchScript file
    std::string dataset = "fashion-mnist";   // "fashion-mnist[:test|:train]" or data.h5
    std::vector<std::string> layers{"all"};  // module paths or {"all"}
    std::size_t limit = 0;                   // > 0: the first `limit` inputs
    std::size_t batch = 256;
    std::string output;                      // activations.h5
    bool force = false;
    int threads = 0;
    int compression = kDefaultCompression;   // 0: none; 1-9: shuffle + deflate at that level
    StoreDtype store_dtype = StoreDtype::float32;  // float16: half the bytes, read back as float32
    std::int64_t pool = 1;                   // CaptureOptions::pool (--pool K): [C, H, W] layers stored pooled KxK
    bool all_calls = false;                  // CaptureOptions::all_calls (--calls all)
    std::string logits;                      // CaptureOptions::logits (--logits)
};

struct ExtractReport {
    std::size_t inputs = 0;
    std::vector<LayerSpec> layers;
    std::map<std::string, std::uint64_t> nonfinite;  // per layer, and "/inputs/logits"; only those with any
    std::map<std::string, std::uint64_t> float16_overflow;  // float16 stores: finite values stored as +-Inf
    double seconds = 0;         // the whole call
    double stream_seconds = 0;  // from the first batch until the store is complete under its final name (the
                                // model and the dataset already open, the model file hashed): forward passes,
                                // capture, writing
    double stream_cpu_seconds = 0;  // CPU seconds of the process (all threads) over the same span
    double stream_main_cpu_seconds = 0;  // of these, the calling thread's (forward passes); the rest is the writer's
};

/// Streams the dataset through the model into the store at options.output (written under a temporary name,
/// renamed when complete; Ctrl-C leaves nothing under the final name). The store is written on a second thread
/// while the next batches run (the batch being written and the one being computed), so memory is bounded by a few batches.
ExtractReport extract_activations(const ExtractOptions& options);

/// What an extraction would write, without writing: the layers as stored (pooled shapes), their bytes, the total.
struct ExtractPlan {
    std::size_t inputs = 0;
    std::vector<LayerSpec> layers;
    std::vector<std::uint64_t> layer_bytes;  // N * per-input values * bytes of the store dtype, per layer
    std::uint64_t input_bytes = 0;           // index, labels, predictions, logits (and mask, tokens)
    std::uint64_t total_bytes = 0;           // the activations' and the tables' bytes (HDF5 adds a few KB)
};
/// Runs the model on the dataset's first input to learn the layers' shapes (the same errors as an extraction).
ExtractPlan plan_extraction(const ExtractOptions& options);

/// Process-wide malloc settings for a process that mainly extracts (`actopo extract`, its benchmark): blocks up
/// to 32 MiB come from the heap and up to 128 MiB of freed heap stay mapped, so that the activations of every
/// batch reuse the memory of the batch before instead of faulting in fresh pages (glibc only; a no-op elsewhere).
void tune_allocator_for_extraction();

/// The model's leaf layers, and the other modules `all` captures on the dataset's first input (an
/// nn.MultiheadAttention), with their per-input output shapes on that input.
std::vector<LayerInfo> list_layers(const std::string& model_path, const std::string& dataset_spec,
                                   const CaptureOptions& options = {});

/// A few lines in words: the model file, its class, its submodules (leaf or not, calls), parameters.
std::string describe_model(const std::string& model_path);

}  // namespace actopo
