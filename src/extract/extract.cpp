// extract_activations / list_layers: the dataset streamed batch by batch through LayerCapture.
#include <chrono>
#include <cmath>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <mutex>
#include <numeric>
#include <thread>

#include <sys/resource.h>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/extract.hpp"

namespace actopo {

namespace {

double cpu_seconds(int who) {  // RUSAGE_SELF (all threads) or RUSAGE_THREAD
    struct rusage ru {};
    getrusage(who, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

// One batch on its way to the store: the capture's tensors are kept alive by `hold`, so nothing is copied.
struct PendingBatch {
    std::size_t count = 0;
    std::vector<std::int64_t> index, labels, predictions, tokens;
    std::vector<std::uint8_t> mask;
    const float* logits = nullptr;
    std::vector<const float*> layers;
    std::shared_ptr<const void> hold;
};

// Writes batches into the store on its own thread while the forward pass goes on. At most `capacity` batches wait,
// so memory stays bounded whatever N is. The first error on the writer thread is rethrown by push() or
// finish() on the caller's thread; the destructor stops and joins the thread (the store's destructor then
// removes the temporary file).
class BackgroundWriter {
public:
    BackgroundWriter(StoreWriter& store, std::size_t capacity)
        : store_(store), capacity_(capacity), thread_([this] { loop(); }) {}
    ~BackgroundWriter() {  // an error or Ctrl-C on the caller's side: the waiting batches are dropped
        {
            std::lock_guard<std::mutex> lock(mutex_);
            abandoned_ = true;
        }
        stop();
    }

    void push(PendingBatch batch) {
        std::unique_lock<std::mutex> lock(mutex_);
        space_.wait(lock, [&] { return queue_.size() < capacity_ || error_; });
        if (error_) std::rethrow_exception(error_);
        queue_.push_back(std::move(batch));
        ready_.notify_one();
    }
    /// Waits until every pushed batch is in the store.
    void finish() {
        stop();
        if (error_) std::rethrow_exception(error_);
    }

private:
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closed_ = true;
        }
        ready_.notify_one();
        if (thread_.joinable()) thread_.join();
    }
    void loop() {
        for (;;) {
            PendingBatch b;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
                if (queue_.empty() || abandoned_) return;
                b = std::move(queue_.front());
            }
            try {
                store_.append(b.count, b.index.data(), b.labels.data(), b.predictions.data(), b.logits, b.layers,
                              b.mask.data(), b.tokens.data());
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                error_ = std::current_exception();
                queue_.clear();
                space_.notify_all();
                return;
            }
            {
                std::lock_guard<std::mutex> lock(mutex_);
                queue_.pop_front();  // popped only now: the batch's memory counts until it is written
            }
            space_.notify_one();
        }
    }

    StoreWriter& store_;
    const std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<PendingBatch> queue_;
    bool closed_ = false, abandoned_ = false;
    std::exception_ptr error_;
    std::thread thread_;  // last: starts after the members above exist
};

// Layer i of the capture's last batch as the store holds it: pooled (CaptureOptions::pool) when its shape changed.
LayerSpec stored_layer(const LayerCapture& capture, std::size_t i, std::int64_t pool) {
    LayerSpec spec(capture.layers()[i], capture.layer_shape(i));
    const auto source = capture.layer_source_shape(i);
    if (source != spec.shape) {
        spec.pool = pool;
        spec.source_shape = source;
    }
    return spec;
}

void check_options(const ExtractOptions& o) {
    if (o.batch == 0) throw UserError("--batch must be at least 1");
    if (o.compression < 0 || o.compression > 9)
        throw UserError("--compression " + std::to_string(o.compression) + " is out of range (expected 0-9)");
    if (o.pool < 1) throw UserError("--pool " + std::to_string(o.pool) + " is out of range (expected 1 for none, or K >= 2)");
}

// The writer's options for this dataset: compression, dtype, pooling, the mask and token tables it has.
StoreWriterOptions writer_options(const ExtractOptions& o, const DatasetReader& dataset) {
    StoreWriterOptions w;
    w.compression = o.compression;
    w.dtype = o.store_dtype;
    w.pool = o.pool;
    w.mask_length = std::int64_t(dataset.mask_length());
    w.token_length = std::int64_t(dataset.token_length());
    return w;
}

// The dataset of o's extraction; UserError when it has no inputs.
std::unique_ptr<DatasetReader> open_inputs(const ExtractOptions& o) {
    auto dataset = open_dataset(o.dataset, o.limit);
    if (dataset->size() == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    return dataset;
}

CaptureOptions capture_options(const ExtractOptions& o) {
    CaptureOptions c;
    c.all_calls = o.all_calls;
    c.logits = o.logits;
    c.pool = o.pool;
    return c;
}

}  // namespace

ExtractPlan plan_extraction(const ExtractOptions& o) {
    check_options(o);
    auto dataset = open_inputs(o);
    LayerCapture capture(o.model, o.layers, o.threads, {}, capture_options(o));
    if (capture.layers().empty()) throw UserError("model '" + o.model + "' has no layer that can be captured");
    std::int64_t label = 0;
    capture.run(*dataset, 0, 1, &label);
    ExtractPlan plan;
    plan.inputs = dataset->size();
    const std::uint64_t n = plan.inputs, value_bytes = store_dtype_bytes(o.store_dtype);
    for (std::size_t i = 0; i < capture.layers().size(); ++i) {
        plan.layers.push_back(stored_layer(capture, i, o.pool));
        plan.layer_bytes.push_back(n * per_input_size(plan.layers.back().shape) * value_bytes);
        plan.total_bytes += plan.layer_bytes.back();
    }
    const StoreWriterOptions w = writer_options(o, *dataset);
    plan.input_bytes = n * (3 * 8 + 4 * std::uint64_t(std::max<std::int64_t>(0, capture.num_classes())) +
                            std::uint64_t(w.mask_length) + 8 * std::uint64_t(w.token_length));
    plan.total_bytes += plan.input_bytes;
    return plan;
}

ExtractReport extract_activations(const ExtractOptions& o) {
    auto start = std::chrono::steady_clock::now();
    if (o.output.empty()) throw UserError("extract needs an output file (-o activations.h5)");
    if (std::filesystem::exists(o.output) && !o.force)
        throw UserError("output '" + o.output + "' already exists (use --force to replace it)");
    check_options(o);
    auto dataset = open_inputs(o);
    // the model file's hash on another thread while LibTorch loads the same file (a few tenths of a second for a
    // resnet18); a missing or bad file is reported by the loading
    auto model_sha256 = std::async(std::launch::async, [path = o.model] { return sha256_file(path); });
    LayerCapture capture(o.model, o.layers, o.threads, {}, capture_options(o));
    if (capture.layers().empty()) throw UserError("model '" + o.model + "' has no layer that can be captured");
    const StoreWriterOptions writer_opts = writer_options(o, *dataset);
    StoreInfo info;
    info.model = o.model;
    info.model_sha256 = model_sha256.get();
    const auto stream_start = std::chrono::steady_clock::now();
    const double stream_cpu_start = cpu_seconds(RUSAGE_SELF), main_cpu_start = cpu_seconds(RUSAGE_THREAD);

    info.dataset = dataset->name();
    info.split = dataset->split();
    info.created = store_created_time();
    info.actopo_version = version();
    info.class_names = dataset->class_names();

    const std::size_t n = dataset->size();
    std::unique_ptr<StoreWriter> store;
    std::unique_ptr<BackgroundWriter> writer;  // declared after `store`: stopped before the store is destroyed
    ExtractReport report;
    Progress progress("extract", n);
    for (std::size_t first = 0; first < n; first += o.batch) {
        throw_if_cancelled();
        const std::size_t count = std::min(o.batch, n - first);
        PendingBatch b;
        b.count = count;
        b.labels.resize(count);
        capture.run(*dataset, first, count, b.labels.data());
        b.mask.resize(count * std::size_t(writer_opts.mask_length));
        dataset->read_mask(first, count, b.mask.data());
        b.tokens.resize(count * std::size_t(writer_opts.token_length));
        dataset->read_tokens(first, count, b.tokens.data());
        if (!store) {  // the layers' shapes are known after the first batch
            for (std::size_t i = 0; i < capture.layers().size(); ++i)
                report.layers.push_back(stored_layer(capture, i, o.pool));
            store = std::make_unique<StoreWriter>(o.output, info, report.layers, capture.num_classes(), o.force,
                                                  writer_opts);
            writer = std::make_unique<BackgroundWriter>(*store, 1);
        }
        b.index.resize(count);
        std::iota(b.index.begin(), b.index.end(), std::int64_t(first));
        b.predictions = capture.predictions();
        b.logits = capture.logits();
        {  // NaN/Inf logits make the predictions meaningless: counted and reported like a layer's
            std::uint64_t bad = 0;
            const std::size_t values = count * std::size_t(std::max<std::int64_t>(0, capture.num_classes()));
            for (std::size_t k = 0; k < values; ++k) bad += !std::isfinite(b.logits[k]);
            if (bad) report.nonfinite["/inputs/logits"] += bad;
        }
        for (std::size_t i = 0; i < capture.layers().size(); ++i) b.layers.push_back(capture.layer_data(i));
        b.hold = capture.keep_alive();
        writer->push(std::move(b));
        progress.advance(count);
    }
    throw_if_cancelled();
    writer->finish();
    throw_if_cancelled();
    store->finish();
    progress.finish();
    for (const auto& [layer, count] : store->nonfinite_counts())
        if (count > 0) report.nonfinite[layer] = count;
    for (const auto& [layer, count] : store->overflow_counts())
        if (count > 0) report.float16_overflow[layer] = count;
    report.inputs = n;
    const auto end = std::chrono::steady_clock::now();
    report.seconds = std::chrono::duration<double>(end - start).count();
    report.stream_seconds = std::chrono::duration<double>(end - stream_start).count();
    report.stream_cpu_seconds = cpu_seconds(RUSAGE_SELF) - stream_cpu_start;
    report.stream_main_cpu_seconds = cpu_seconds(RUSAGE_THREAD) - main_cpu_start;
    return report;
}

void tune_allocator_for_extraction() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

std::vector<LayerInfo> list_layers(const std::string& model_path, const std::string& dataset_spec,
                                   const CaptureOptions& options) {
    auto dataset = open_dataset(dataset_spec, 1);
    LayerCapture capture(model_path, {"all"}, 0, {}, options);
    if (dataset->size() > 0) {
        std::int64_t label = 0;
        capture.run(*dataset, 0, 1, &label);  // and counts the calls of every leaf on this input
    }
    // the leaves, and every other module that `all` captured on the first input (an nn.MultiheadAttention)
    std::vector<LayerInfo> out;
    const auto& captured = capture.layers();
    for (const auto& m : capture.modules())
        if (m.leaf || (dataset->size() > 0 && std::find(captured.begin(), captured.end(), m.name) != captured.end()))
            out.push_back(m);
    for (std::size_t i = 0; dataset->size() > 0 && i < captured.size(); ++i)
        for (auto& m : out)
            if (m.name == captured[i]) m.shape = capture.layer_shape(i);
    return out;
}

}  // namespace actopo
