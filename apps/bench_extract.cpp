// `actopo bench --suite extract`: what extraction costs beyond the forward pass a user would run anyway.
//   throughput - the same model, inputs and batch size: a bare forward pass (LibTorch's own module.forward)
//                vs. the capture pass (one forward returning every leaf layer) vs. the whole extraction
//                (dataset reading, capture, HDF5 chunked/compressed writing). Target: extraction at most 15%
//                slower than the bare forward pass.
//   memory     - peak RSS of `actopo extract` (this very program, each run its own process) on 1 000 and
//                10 000 inputs. Target: ratio at most 1.2 (streaming: memory does not grow with N).
// The model is a CNN trained for the benchmark by `actopo train` (one quick epoch; weights do not affect speed).
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/extract.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

void run_suite(const Context& ctx) {
    namespace fs = std::filesystem;
    const std::string work = (fs::path(ctx.out_dir) / ".extract-work").string();
    fs::create_directories(work);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const std::string model = work + "/cnn.pt";
    auto trained = run_external(self + " train --quiet --arch cnn --epochs 1 --limit 2000 --seed 1 --force -o " + model);
    if (trained.status != 0) throw std::runtime_error("bench extract: training the model failed: " + trained.output);

    const std::size_t n = 2048, batch = 256;
    const int threads = 1;
    auto dataset = open_dataset("fashion-mnist:test", n);
    std::vector<std::int64_t> sample = dataset->sample_shape();
    const std::size_t per_input = per_input_size(sample);
    std::vector<float> x(n * per_input);
    std::vector<std::int64_t> labels(n);
    dataset->read(0, n, x.data(), labels.data());
    LayerCapture capture(model, {"all"}, threads);
    auto pass = [&](bool capture_layers) {
        for (std::size_t first = 0; first < n; first += batch) {
            std::vector<std::int64_t> shape = sample;
            shape.insert(shape.begin(), std::int64_t(std::min(batch, n - first)));
            if (capture_layers)
                capture.run(x.data() + first * per_input, shape);
            else
                capture.run_bare(x.data() + first * per_input, shape);
        }
    };
    Timing bare = time_runs(ctx.repetitions, [&] { pass(false); });
    Timing captured = time_runs(ctx.repetitions, [&] { pass(true); });
    ExtractOptions o;
    o.model = model;
    o.dataset = "fashion-mnist:test";
    o.limit = n;
    o.batch = batch;
    o.output = work + "/throughput.h5";
    o.force = true;
    o.threads = threads;
    Timing full = time_runs(ctx.repetitions, [&] { extract_activations(o); });

    auto memory = [&](std::size_t inputs) {
        auto r = run_external(self + " extract --quiet --threads 1 --batch 256 --force --model " + model +
                              " --dataset fashion-mnist:test --limit " + std::to_string(inputs) + " -o " + work +
                              "/memory.h5");
        if (r.status != 0) throw std::runtime_error("bench extract: extraction failed: " + r.output);
        return r;
    };
    ExternalRun small = memory(1000), large = memory(10000);
    fs::remove_all(work);

    const double capture_ratio = captured.median() / bare.median(), full_ratio = full.median() / bare.median();
    const double memory_ratio = large.peak_mib / small.peak_mib;
    auto per_s = [&](const Timing& t) { return double(n) / t.median(); };
    std::ostringstream md, csv;
    md << "# Benchmark: extract\n\n" << machine_description() << "; actopo " << version() << "; "
       << ctx.repetitions << " repetitions, medians; LibTorch 1 intra-op thread.\n\n"
       << "Model: the `actopo train --arch cnn` CNN (10 leaf layers, 52 138 parameters); inputs: the first "
       << n << " Fashion-MNIST test images, batch " << batch << ".\n\n"
       << "| pass | median s | inputs/s | vs bare forward |\n|---|---|---|---|\n";
    char line[256];
    std::snprintf(line, sizeof line, "| bare forward (module.forward) | %.3f | %.0f | 1.00 |\n", bare.median(), per_s(bare));
    md << line;
    std::snprintf(line, sizeof line, "| capture pass, all 10 layers | %.3f | %.0f | %.2f |\n", captured.median(),
                  per_s(captured), capture_ratio);
    md << line;
    std::snprintf(line, sizeof line, "| whole extraction to HDF5 | %.3f | %.0f | %.2f |\n", full.median(), per_s(full),
                  full_ratio);
    md << line;
    md << "\nTarget (extraction at most 15% slower than the bare forward pass): capture pass "
       << (capture_ratio <= 1.15 ? "MET" : "NOT MET") << " (" << std::to_string(capture_ratio) << "x); whole extraction "
       << (full_ratio <= 1.15 ? "MET" : "NOT MET") << " (" << std::to_string(full_ratio)
       << "x, which includes reading the dataset and compressing every layer into HDF5).\n\n";
    md << "| inputs | peak RSS MiB | wall s |\n|---|---|---|\n";
    std::snprintf(line, sizeof line, "| 1000 | %.1f | %.2f |\n| 10000 | %.1f | %.2f |\n", small.peak_mib, small.seconds,
                  large.peak_mib, large.seconds);
    md << line;
    md << "\nTarget (peak memory 10 000 / 1 000 inputs at most 1.2): " << (memory_ratio <= 1.2 ? "MET" : "NOT MET")
       << " (" << std::to_string(memory_ratio) << ").\n\nCommand: `actopo bench --suite extract -o " << ctx.out_dir
       << "`\n";
    csv << "measure,value\n"
        << "bare_forward_s," << bare.median() << "\ncapture_pass_s," << captured.median() << "\nextraction_s,"
        << full.median() << "\ncapture_ratio," << capture_ratio << "\nextraction_ratio," << full_ratio
        << "\npeak_mib_1000," << small.peak_mib << "\npeak_mib_10000," << large.peak_mib << "\nmemory_ratio,"
        << memory_ratio << "\n";
    write_text_file((fs::path(ctx.out_dir) / "extract.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "extract.csv").string(), csv.str(), true);
    std::fputs(md.str().c_str(), stdout);
}

Registration reg{"extract", "extraction vs a bare forward pass; peak memory for 1 000 vs 10 000 inputs", run_suite};

}  // namespace
}  // namespace actopo::bench
