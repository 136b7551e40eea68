// extract_activations / list_layers: the dataset streamed batch by batch through LayerCapture.
#include <chrono>
#include <filesystem>
#include <numeric>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/extract.hpp"

namespace actopo {

ExtractReport extract_activations(const ExtractOptions& o) {
    auto start = std::chrono::steady_clock::now();
    if (o.output.empty()) throw UserError("extract needs an output file (-o activations.h5)");
    if (std::filesystem::exists(o.output) && !o.force)
        throw UserError("output '" + o.output + "' already exists (use --force to replace it)");
    if (o.batch == 0) throw UserError("--batch must be at least 1");
    auto dataset = open_dataset(o.dataset, o.limit);
    if (dataset->size() == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    LayerCapture capture(o.model, o.layers, o.threads);
    if (capture.layers().empty()) throw UserError("model '" + o.model + "' has no layer that can be captured");

    StoreInfo info;
    info.model = o.model;
    info.model_sha256 = sha256_file(o.model);
    info.dataset = dataset->name();
    info.split = dataset->split();
    info.created = iso_time_now();
    info.actopo_version = version();
    info.class_names = dataset->class_names();

    std::vector<std::int64_t> sample_shape = dataset->sample_shape();
    const std::size_t n = dataset->size(), per_input = per_input_size(sample_shape);
    std::vector<float> x(o.batch * per_input);
    std::vector<std::int64_t> labels(o.batch), index(o.batch);
    std::unique_ptr<StoreWriter> writer;
    ExtractReport report;
    Progress progress("extract", n);
    for (std::size_t first = 0; first < n; first += o.batch) {
        throw_if_cancelled();
        const std::size_t count = std::min(o.batch, n - first);
        dataset->read(first, count, x.data(), labels.data());
        std::vector<std::int64_t> shape = sample_shape;
        shape.insert(shape.begin(), std::int64_t(count));
        capture.run(x.data(), shape);
        if (!writer) {  // the layers' shapes are known after the first batch
            for (std::size_t i = 0; i < capture.layers().size(); ++i)
                report.layers.push_back({capture.layers()[i], capture.layer_shape(i)});
            writer = std::make_unique<StoreWriter>(o.output, info, report.layers, capture.num_classes(), o.force);
        }
        std::iota(index.begin(), index.begin() + std::ptrdiff_t(count), std::int64_t(first));
        std::vector<const float*> data;
        for (std::size_t i = 0; i < capture.layers().size(); ++i) data.push_back(capture.layer_data(i));
        std::vector<std::int64_t> predictions = capture.predictions();
        writer->append(count, index.data(), labels.data(), predictions.data(), capture.logits(), data);
        progress.advance(count);
    }
    throw_if_cancelled();
    writer->finish();
    progress.finish();
    for (const auto& [layer, count] : writer->nonfinite_counts())
        if (count > 0) report.nonfinite[layer] = count;
    report.inputs = n;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

std::vector<LayerInfo> list_layers(const std::string& model_path, const std::string& dataset_spec) {
    auto dataset = open_dataset(dataset_spec, 1);
    LayerCapture capture(model_path, {"all"});
    std::vector<LayerInfo> out;
    for (const auto& m : capture.modules())
        if (m.leaf) out.push_back(m);
    if (dataset->size() == 0) return out;
    std::vector<std::int64_t> shape = dataset->sample_shape();
    std::vector<float> x(per_input_size(shape));
    std::int64_t label = 0;
    dataset->read(0, 1, x.data(), &label);
    shape.insert(shape.begin(), 1);
    capture.run(x.data(), shape);
    for (std::size_t i = 0; i < capture.layers().size(); ++i)
        for (auto& m : out)
            if (m.name == capture.layers()[i]) m.shape = capture.layer_shape(i);
    return out;
}

}  // namespace actopo
