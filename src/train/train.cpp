// `actopo train`: seeded training of the reference architectures with Adam, saved as TorchScript.
#include <torch/optim/adam.h>
#include <ATen/Parallel.h>
#include <torch/script.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/store.hpp"
#include "actopo/train.hpp"
#include "train/architectures.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

// "fashion-mnist:test" -> "fashion-mnist" (and fashion-mnist-rows); a .h5 file has no split and is used for both.
std::pair<std::string, std::string> train_and_test_specs(const std::string& dataset) {
    std::string base = dataset.substr(0, dataset.find(':'));
    if (base == "fashion-mnist" || base == "fashion-mnist-rows") return {base + ":train", base + ":test"};
    return {dataset, dataset};
}

struct Tensors {
    torch::Tensor x, labels;
};

Tensors read_all(const DatasetReader& ds) {
    std::vector<std::int64_t> shape = ds.sample_shape();
    shape.insert(shape.begin(), std::int64_t(ds.size()));
    Tensors t{torch::empty(shape, torch::kFloat32), torch::empty({std::int64_t(ds.size())}, torch::kInt64)};
    if (ds.size() > 0) ds.read(0, ds.size(), t.x.data_ptr<float>(), t.labels.data_ptr<std::int64_t>());
    return t;
}

// Accuracy of the module on a whole dataset, read batch by batch (an autoencoder: its mean squared reconstruction
// error per pixel).
double evaluate(torch::jit::Module& module, const DatasetReader& ds, bool autoencoder) {
    torch::NoGradGuard no_grad;
    module.eval();
    const std::size_t batch = 1000;
    std::vector<std::int64_t> shape = ds.sample_shape();
    std::size_t per_input = per_input_size(shape);
    std::vector<float> x(batch * per_input);
    std::vector<std::int64_t> labels(batch);
    std::size_t correct = 0;
    double squared = 0;
    for (std::size_t first = 0; first < ds.size(); first += batch) {
        throw_if_cancelled();
        std::size_t count = std::min(batch, ds.size() - first);
        ds.read(first, count, x.data(), labels.data());
        std::vector<std::int64_t> bshape = shape;
        bshape.insert(bshape.begin(), std::int64_t(count));
        torch::Tensor out = module.forward({torch::from_blob(x.data(), bshape)}).toTensor();
        if (autoencoder) {
            squared += (out - torch::from_blob(x.data(), bshape)).square().sum().item<double>();
            continue;
        }
        torch::Tensor y = torch::from_blob(labels.data(), {std::int64_t(count)}, torch::kInt64);
        correct += std::size_t(out.argmax(1).eq(y).sum().item<std::int64_t>());
    }
    if (autoencoder) return ds.size() ? squared / double(ds.size() * per_input) : 0.0;
    return ds.size() ? double(correct) / double(ds.size()) : 0.0;
}

void save(torch::jit::Module& module, const std::string& path, bool force) {
    AtomicOutput out(path, force);
    {
        // Saved through a stream, the archive's top folder is "archive" whatever the file is called (saved
        // to a path, TorchScript names it after the file's stem), so equal models give equal bytes.
        std::ofstream f(out.temp_path(), std::ios::binary);
        if (!f) throw UserError(path + ": cannot open for writing");
        module.save(f);
        f.close();
        if (!f) throw UserError(path + ": cannot write the model (disk full?)");
    }
    out.commit();
}

}  // namespace

TrainReport train_model(const TrainOptions& o, void (*on_epoch)(const EpochReport&)) {
    if (o.output.empty()) throw UserError("train needs an output file (-o model.pt)");
    if (fs::exists(o.output) && !o.force)
        throw UserError("output '" + o.output + "' already exists (use --force to replace it)");
    if (o.epochs < 0) throw UserError("--epochs must be at least 0 (got " + std::to_string(o.epochs) + ")");
    if (o.batch < 1) throw UserError("--batch must be at least 1 (got " + std::to_string(o.batch) + ")");
    if (!(o.lr > 0)) throw UserError("--lr must be positive (got " + std::to_string(o.lr) + ")");
    default_widths(o.arch);  // validates the architecture name before any work

    auto [train_spec, test_spec] = train_and_test_specs(o.dataset);
    auto train_ds = open_dataset(train_spec, o.limit);
    auto test_ds = open_dataset(test_spec);
    if (train_ds->size() == 0) throw UserError("dataset '" + train_spec + "' has no inputs to train on");
    if (!o.checkpoints_dir.empty()) {
        std::error_code ec;
        if (fs::exists(o.checkpoints_dir) && !fs::is_directory(o.checkpoints_dir))
            throw UserError("--checkpoints " + o.checkpoints_dir + " is a file; expected a folder (made when missing)");
        fs::create_directories(o.checkpoints_dir, ec);
        if (ec) throw UserError("--checkpoints " + o.checkpoints_dir + ": cannot create the folder (" + ec.message() + ")");
    }

    at::set_num_threads(std::max(1, o.threads));
    torch::manual_seed(o.seed);
    std::int64_t classes = std::int64_t(train_ds->class_names().size());
    // --epochs 0 reads no training inputs (unless they alone say how many classes there are)
    Tensors train = o.epochs > 0 || classes == 0 ? read_all(*train_ds) : Tensors{};
    if (classes == 0) classes = train.labels.max().item<std::int64_t>() + 1;

    torch::jit::Module module = [&] {
        try {
            return train_detail::build_architecture(o.arch, o.widths, train_ds->sample_shape(), classes);
        } catch (const c10::Error& e) {  // LibTorch's own message, first line only (no stack of frames)
            std::string what = e.what_without_backtrace();
            throw UserError("cannot build the " + o.arch + " model with these --widths: " + what.substr(0, what.find('\n')));
        } catch (const std::bad_alloc&) {
            throw UserError("the " + o.arch + " model with these --widths does not fit in memory; use smaller --widths");
        }
    }();
    std::vector<torch::Tensor> params;
    for (const auto& p : module.parameters()) params.push_back(p);
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.lr));

    TrainReport report;
    report.train_inputs = o.epochs > 0 ? train_ds->size() : 0;
    report.test_inputs = test_ds->size();
    for (const auto& p : params) report.parameters += std::size_t(p.numel());
    for (const auto& m : module.named_modules())
        if (!m.name.empty() && m.value.children().size() == 0) report.layers.push_back(m.name);

    const std::int64_t n = std::int64_t(train_ds->size());
    const bool autoencoder = o.arch == "autoencoder";  // learns to reproduce its input (mean squared error)
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        auto start = std::chrono::steady_clock::now();
        module.train(true);
        torch::Tensor order = torch::randperm(n, torch::kInt64);
        Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs), std::uint64_t(n));
        double loss_sum = 0;
        std::int64_t correct = 0;
        for (std::int64_t first = 0; first < n; first += o.batch) {
            throw_if_cancelled();
            torch::Tensor idx = order.slice(0, first, std::min(n, first + o.batch));
            torch::Tensor xb = train.x.index_select(0, idx), yb = train.labels.index_select(0, idx);
            torch::Tensor out = module.forward({xb}).toTensor();
            torch::Tensor loss = autoencoder ? torch::mse_loss(out, xb) : torch::nll_loss(torch::log_softmax(out, 1), yb);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            const double batch_loss = loss.item<double>();
            if (!std::isfinite(batch_loss))  // nothing is saved: a model trained into NaN is no model
                throw UserError("training diverged: the loss is " + std::to_string(batch_loss) + " at epoch " +
                                std::to_string(epoch) + ", batch " + std::to_string(first / o.batch + 1) +
                                " (inputs with NaN, or --lr " + std::to_string(o.lr) + " too large); " + o.output +
                                " was not written");
            loss_sum += batch_loss * double(idx.size(0));
            if (!autoencoder) correct += out.argmax(1).eq(yb).sum().item<std::int64_t>();
            progress.advance(std::uint64_t(idx.size(0)));
        }
        progress.finish();
        EpochReport e;
        e.epoch = epoch;
        e.loss = loss_sum / double(n);
        e.train_accuracy = double(correct) / double(n);
        if (autoencoder) e.test_loss = evaluate(module, *test_ds, true);
        else e.test_accuracy = evaluate(module, *test_ds, false);
        e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        report.epochs.push_back(e);
        if (!o.checkpoints_dir.empty())
            save(module, (fs::path(o.checkpoints_dir) / ("epoch-" + std::to_string(epoch) + ".pt")).string(), true);
        if (on_epoch) on_epoch(e);
    }
    if (report.epochs.empty()) {  // --epochs 0: the seeded initialisation, untrained (the baseline of a study)
        if (autoencoder) report.test_loss = evaluate(module, *test_ds, true);
        else report.test_accuracy = evaluate(module, *test_ds, false);
    } else {
        report.test_accuracy = report.epochs.back().test_accuracy;
        report.test_loss = report.epochs.back().test_loss;
    }
    module.eval();
    save(module, o.output, o.force);
    return report;
}

}  // namespace actopo
