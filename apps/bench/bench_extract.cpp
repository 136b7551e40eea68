// `actopo bench --suite extract`: what extraction costs beyond the forward pass a user would run anyway.
//   throughput - the same model, inputs and batch size: a bare forward pass (LibTorch's own module.forward)
//                vs. the capture pass (one forward returning every leaf layer) vs. the whole extraction
//                (model loading, dataset reading, capture, HDF5 writing on a second thread), uncompressed and
//                shuffle + deflate 1. Target: extraction at most 15% slower than the bare forward pass.
//   memory     - peak RSS of `actopo extract` (this very program, each run its own process) on 1 000 and
//                10 000 inputs. Target: ratio at most 1.2 (streaming: memory does not grow with N).
// The model is a CNN trained for the benchmark by `actopo train` (one quick epoch; weights do not affect speed).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
    const std::string self = actopo_executable();
    const std::string model = work + "/cnn.pt";
    auto trained = run_external(self + " train --quiet --arch cnn --epochs 1 --limit 2000 --seed 1 --force -o " + model);
    if (trained.status != 0) throw std::runtime_error("bench extract: training the model failed: " + trained.output);

    tune_allocator_for_extraction();  // as `actopo extract` does
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
    // One extraction; the previous output is deleted first, outside the timing (with --force, replacing a
    // large file would count the file system's unlinking of the old one).
    auto extraction = [&](int compression) {
        ExtractOptions o;
        o.model = model;
        o.dataset = "fashion-mnist:test";
        o.limit = n;
        o.batch = batch;
        o.output = work + "/throughput-" + std::to_string(compression) + ".h5";
        o.force = true;
        o.threads = threads;
        o.compression = compression;
        fs::remove(o.output);
        ExtractReport report = extract_activations(o);
        return std::make_pair(report, double(fs::file_size(o.output)) / (1024.0 * 1024.0));
    };
    // The four measurements take turns within every repetition, so that a change of the machine's load
    // affects them alike; the ratios are of the medians.
    const int reps = std::max(1, ctx.repetitions);
    const std::string load_before = load_average();
    double store_mib[2] = {0, 0};
    const int levels[2] = {kDefaultCompression, kDefaultCompression == 0 ? 1 : 0};
    pass(false), pass(true), extraction(levels[0]), extraction(levels[1]);  // warm-up
    Timing bare, captured, full[2], whole[2];
    Timing cpu_bare, cpu_captured, cpu_whole[2], cpu_stream[2], cpu_main[2];  // CPU seconds of the process, all threads
    auto timed = [](Timing& t, Timing& cpu, const std::function<void()>& fn) {
        const double c0 = cpu_seconds();
        auto t0 = std::chrono::steady_clock::now();
        fn();
        t.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        cpu.seconds.push_back(cpu_seconds() - c0);
    };
    for (int r = 0; r < reps; ++r) {
        throw_if_cancelled();
        timed(bare, cpu_bare, [&] { pass(false); });
        timed(captured, cpu_captured, [&] { pass(true); });
        for (int k = 0; k < 2; ++k) {
            const double c0 = cpu_seconds();
            auto [report, mib] = extraction(levels[k]);
            cpu_whole[k].seconds.push_back(cpu_seconds() - c0);
            cpu_stream[k].seconds.push_back(report.stream_cpu_seconds);
            cpu_main[k].seconds.push_back(report.stream_main_cpu_seconds);
            full[k].seconds.push_back(report.stream_seconds);
            whole[k].seconds.push_back(report.seconds);
            store_mib[k] = mib;
        }
    }
    const std::string load_after = load_average();

    auto memory = [&](std::size_t inputs) {
        auto r = run_external(self + " extract --quiet --threads 1 --batch 256 --force --model " + model +
                              " --dataset fashion-mnist:test --limit " + std::to_string(inputs) + " -o " + work +
                              "/memory.h5");
        if (r.status != 0) throw std::runtime_error("bench extract: extraction failed: " + r.output);
        return r;
    };
    ExternalRun small = memory(1000), large = memory(10000);
    fs::remove_all(work);

    const double capture_ratio = captured.median() / bare.median();
    const double full_ratio[2] = {full[0].median() / bare.median(), full[1].median() / bare.median()};
    const double memory_ratio = large.peak_mib / small.peak_mib;
    auto per_s = [&](const Timing& t) { return double(n) / t.median(); };
    auto range = [](const Timing& t) {
        auto v = t.seconds;
        std::sort(v.begin(), v.end());
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.3f-%.3f", v.front(), v.back());
        return std::string(buf);
    };
    auto level_name = [](int level) {
        return level == 0 ? std::string("uncompressed (--compression 0)")
                          : "shuffle + deflate " + std::to_string(level) + " (--compression " + std::to_string(level) + ")";
    };
    std::ostringstream md, csv;
    md << "# Benchmark: extract\n\n" << machine_description() << "; actopo " << version() << "; " << reps
       << " repetitions (after one warm-up), medians; the four passes take turns in every repetition; LibTorch 1 "
          "intra-op thread. Load average (1 min) " << load_before << " before, " << load_after << " after.\n\n"
       << "Model: the `actopo train --arch cnn` CNN (10 leaf layers, 52 138 parameters); inputs: the first "
       << n << " Fashion-MNIST test images, batch " << batch << "; every leaf layer captured (about 87 KB of "
          "activations per input).\n\n"
       << "| pass | median s | min-max s | inputs/s | vs bare forward | store MiB | whole call s | CPU s | of which "
          "forward thread |\n|---|---|---|---|---|---|---|---|---|\n";
    char line[512];
    std::snprintf(line, sizeof line, "| bare forward (module.forward) | %.3f | %s | %.0f | 1.00 | - | - | %.3f | - |\n", bare.median(),
                  range(bare).c_str(), per_s(bare), cpu_bare.median());
    md << line;
    std::snprintf(line, sizeof line, "| capture pass, all 10 layers | %.3f | %s | %.0f | %.2f | - | - | %.3f | - |\n", captured.median(),
                  range(captured).c_str(), per_s(captured), capture_ratio, cpu_captured.median());
    md << line;
    for (int k = 0; k < 2; ++k) {
        std::snprintf(line, sizeof line, "| extraction to HDF5, %s%s | %.3f | %s | %.0f | %.2f | %.1f | %.3f | %.3f | %.3f |\n",
                      level_name(levels[k]).c_str(), k == 0 ? ", the default" : "", full[k].median(),
                      range(full[k]).c_str(), per_s(full[k]), full_ratio[k], store_mib[k], whole[k].median(),
                      cpu_stream[k].median(), cpu_main[k].median());
        md << line;
    }
    md << "\nExtraction is `extract_activations` as `actopo extract` runs it, timed from its first batch until the "
          "store is complete under its final name: reading the dataset batch by batch, the capture pass (the rewritten "
          "graph on TorchScript's simple executor, its memory not yet warm, whereas the bare forward pass above has "
          "run before), and writing the store on a second thread that overlaps the forward passes. \"whole call\" "
          "adds what comes before the first batch: loading the model and rewriting its graph, hashing the model "
          "file, opening the dataset. CPU s: CPU seconds of the process (user + system, both "
          "threads) over the timed span, which the machine's load does not inflate as it does wall time; \"of which "
          "forward thread\": the calling thread's share (dataset, forward passes, hand-over), the rest being the "
          "writer thread's (HDF5, the kernel's copy into the page cache, NaN/Inf counting). With a core free for "
          "the writer, extraction takes about the forward thread's time.\n\n"
       << "Target (extraction at most 15% slower than the bare forward pass): capture pass "
       << (capture_ratio <= 1.15 ? "MET" : "NOT MET") << " (" << std::to_string(capture_ratio) << "x); whole extraction, "
       << level_name(levels[0]) << ": " << (full_ratio[0] <= 1.15 ? "MET" : "NOT MET") << " ("
       << std::to_string(full_ratio[0]) << "x); " << level_name(levels[1]) << ": "
       << (full_ratio[1] <= 1.15 ? "MET" : "NOT MET") << " (" << std::to_string(full_ratio[1]) << "x).\n\n";
    char cpu_line[400];
    std::snprintf(cpu_line, sizeof cpu_line,
                  "By CPU seconds, which the load does not inflate: the default extraction uses %.2fx the bare "
                  "forward pass's CPU time in all, %.2fx in its forward thread.\n\n",
                  cpu_stream[0].median() / cpu_bare.median(), cpu_main[0].median() / cpu_bare.median());
    md << cpu_line;
    md << "Peak memory of `actopo extract` (default compression, batch 256, each its own process):\n\n"
       << "| inputs | peak RSS MiB | wall s |\n|---|---|---|\n";
    std::snprintf(line, sizeof line, "| 1000 | %.1f | %.2f |\n| 10000 | %.1f | %.2f |\n", small.peak_mib, small.seconds,
                  large.peak_mib, large.seconds);
    md << line;
    md << "\nTarget (peak memory 10 000 / 1 000 inputs at most 1.2): " << (memory_ratio <= 1.2 ? "MET" : "NOT MET")
       << " (" << std::to_string(memory_ratio) << ").\n\nCommand: `actopo bench --suite extract --reps " << reps
       << " -o " << ctx.out_dir << "`\n";
    csv << "measure,value\n"
        << "load_average_before," << load_before << "\nload_average_after," << load_after << "\nrepetitions," << reps
        << "\ninputs," << n << "\nbatch," << batch << "\nbare_forward_s," << bare.median() << "\ncapture_pass_s,"
        << captured.median() << "\ncapture_ratio," << capture_ratio << "\nbare_forward_cpu_s," << cpu_bare.median()
        << "\ncapture_pass_cpu_s," << cpu_captured.median();
    for (int k = 0; k < 2; ++k)
        csv << "\nextraction_compression" << levels[k] << "_s," << full[k].median() << "\nwhole_call_compression"
            << levels[k] << "_s," << whole[k].median() << "\nwhole_call_compression" << levels[k] << "_cpu_s,"
            << cpu_whole[k].median() << "\nextraction_compression" << levels[k] << "_cpu_s," << cpu_stream[k].median()
            << "\nextraction_compression" << levels[k] << "_forward_thread_cpu_s," << cpu_main[k].median()
            << "\nextraction_compression"
            << levels[k] << "_ratio," << full_ratio[k] << "\nstore_compression" << levels[k] << "_mib," << store_mib[k];
    csv << "\ncpu_ratio_compression" << levels[0] << "," << cpu_stream[0].median() / cpu_bare.median()
        << "\nforward_thread_cpu_ratio_compression" << levels[0] << "," << cpu_main[0].median() / cpu_bare.median();
    csv << "\npeak_mib_1000," << small.peak_mib << "\npeak_mib_10000," << large.peak_mib << "\nmemory_ratio,"
        << memory_ratio << "\n";
    write_text_file((fs::path(ctx.out_dir) / "extract.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "extract.csv").string(), csv.str(), true);
    std::fputs(md.str().c_str(), stdout);
}

Registration reg{"extract", "extraction vs a bare forward pass; peak memory for 1 000 vs 10 000 inputs", run_suite};

}  // namespace
}  // namespace actopo::bench
