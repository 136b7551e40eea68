// `actopo bench --suite extract`: what extraction costs beyond the forward pass a user would run anyway.
//   throughput - the same model, inputs and batch size: a bare forward pass (LibTorch's own module.forward)
//                vs. the capture pass (one forward returning every leaf layer) vs. the whole extraction
//                (model loading, dataset reading, capture, HDF5 writing on a second thread), uncompressed and
//                shuffle + deflate 1. Target: extraction at most 15% slower than the bare forward pass.
//   memory     - peak RSS of `actopo extract` (this very program, each run its own process) on 1 000 and
//                10 000 inputs. Target: ratio at most 1.2 (streaming: memory does not grow with N).
//   large models - resnet18 at 224x224 and a transformer encoder, stored as float32, pooled and as float16; flatten
//                sampling of a [64, 112, 112] layer with and without the random projection (large_models below).
// The model is a CNN trained for the benchmark by `actopo train` (one quick epoch; weights do not affect speed).
// --only cnn,resnet18,encoder,flatten: only the parts whose name starts with one of the comma-separated prefixes
// (cnn: the CNN's throughput and memory; resnet18, encoder: the large models' extractions; flatten: resnet18's conv1).
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

// Large models (issue 19): torchvision's resnet18 at 224x224 and a small transformer encoder on fashion-mnist-rows,
// both with random weights, made at run time by apps/bench/bench_extract_models.py (python3-torch; resnet18 needs
// python3-torchvision and is skipped, saying so, without it). Whole extraction (every leaf layer) vs the bare forward
// pass, as stored (float32), pooled (--pool) and as float16; then flatten sampling of resnet18's conv1
// ([64, 112, 112], 802 816 values per input) for 256 points through `actopo persistence`, with the random
// projection (the default) and without (--projection 0). Appends its tables to `md` and its numbers to `csv`.
void large_models(const Context& ctx, const std::function<bool(const std::string&)>& wanted, const std::string& work,
                  std::ostringstream& md, std::ostringstream& csv) {
    namespace fs = std::filesystem;
    if (!wanted("resnet18") && !wanted("encoder") && !wanted("flatten")) return;
    const std::size_t n_images = 64, n_flatten = 256;
    const std::string script = std::string(ACTOPO_SOURCE_DIR) + "/apps/bench/bench_extract_models.py";
    const auto made = run_external("/usr/bin/python3 " + script + " " + work + " " + std::to_string(n_flatten) + " 2>&1");
    const bool have_resnet = made.status == 0;
    if (!have_resnet && !fs::exists(work + "/encoder.pt"))
        throw std::runtime_error("bench extract: making the models failed: " + made.output);
    struct Model {
        std::string name, file, dataset, what;
        std::size_t n, batch;
        std::vector<std::pair<std::int64_t, StoreDtype>> variants;  // pool, dtype
    };
    std::vector<Model> models;
    if (have_resnet && wanted("resnet18"))
        models.push_back({"resnet18", work + "/resnet18.pt", work + "/images.h5",
                          "torchvision resnet18, random weights, traced; " + std::to_string(n_images) +
                              " seeded uniform images 3x224x224, batch 16",
                          n_images, 16,
                          {{1, StoreDtype::float32}, {2, StoreDtype::float32}, {2, StoreDtype::float16},
                           {4, StoreDtype::float16}}});
    if (wanted("encoder"))
        models.push_back({"encoder", work + "/encoder.pt", "fashion-mnist-rows:test",
                          "transformer encoder (2 layers, d_model 64, 4 heads) on fashion-mnist-rows, random weights, "
                          "traced; 2048 test images as 28 tokens of 28 pixels, batch 256",
                          2048, 256, {{1, StoreDtype::float32}, {1, StoreDtype::float16}}});
    const int reps = std::max(1, ctx.repetitions);
    md << "\n## Large models\n\nEvery leaf layer captured and stored; LibTorch 1 intra-op thread; " << reps
       << " repetition(s) after a warm-up, medians; the passes take turns in every repetition. Load average (1 min) "
       << load_average() << " at the start of this part.\n\n";
    if (!have_resnet) md << "resnet18 SKIPPED: " << trim(made.output) << ".\n\n";
    for (const auto& m : models) {
        throw_if_cancelled();
        md << "| model | pass | median s | vs bare forward | CPU s | CPU vs bare | of which forward thread | store MiB | "
              "KB per input |\n|---|---|---|---|---|---|---|---|---|\n";
        auto dataset = open_dataset(m.dataset, m.n);
        std::vector<std::int64_t> sample = dataset->sample_shape();
        const std::size_t per_input = per_input_size(sample);
        std::vector<float> x(m.n * per_input);
        std::vector<std::int64_t> labels(m.n);
        dataset->read(0, m.n, x.data(), labels.data());
        LayerCapture capture(m.file, {"all"}, 1);
        auto bare_pass = [&] {
            for (std::size_t first = 0; first < m.n; first += m.batch) {
                std::vector<std::int64_t> shape = sample;
                shape.insert(shape.begin(), std::int64_t(std::min(m.batch, m.n - first)));
                capture.run_bare(x.data() + first * per_input, shape);
            }
        };
        auto extraction = [&](std::int64_t pool, StoreDtype dtype) {
            ExtractOptions o;
            o.model = m.file;
            o.dataset = m.dataset;
            o.limit = m.n;
            o.batch = m.batch;
            o.threads = 1;
            o.pool = pool;
            o.store_dtype = dtype;
            o.force = true;
            o.output = work + "/" + m.name + "-variant.h5";
            fs::remove(o.output);
            const ExtractReport report = extract_activations(o);
            return std::make_pair(report, double(fs::file_size(o.output)) / (1024.0 * 1024.0));
        };
        bare_pass();  // warm-up
        for (const auto& [pool, dtype] : m.variants) extraction(pool, dtype);
        Timing bare, bare_cpu;
        std::vector<Timing> full(m.variants.size()), full_cpu(m.variants.size()), main_cpu(m.variants.size());
        std::vector<double> mib(m.variants.size());
        for (int r = 0; r < reps; ++r) {
            throw_if_cancelled();
            const double c0 = cpu_seconds();
            auto t0 = std::chrono::steady_clock::now();
            bare_pass();
            bare.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            bare_cpu.seconds.push_back(cpu_seconds() - c0);
            for (std::size_t v = 0; v < m.variants.size(); ++v) {
                auto [report, size] = extraction(m.variants[v].first, m.variants[v].second);
                full[v].seconds.push_back(report.stream_seconds);
                full_cpu[v].seconds.push_back(report.stream_cpu_seconds);
                main_cpu[v].seconds.push_back(report.stream_main_cpu_seconds);
                mib[v] = size;
            }
        }
        char line[512];
        std::snprintf(line, sizeof line, "| %s | bare forward (module.forward) | %.3f | 1.00 | %.3f | 1.00 | - | - | - |\n",
                      m.name.c_str(), bare.median(), bare_cpu.median());
        md << line;
        csv << "\n" << m.name << "_bare_forward_s," << bare.median() << "\n" << m.name << "_bare_forward_cpu_s,"
            << bare_cpu.median();
        for (std::size_t v = 0; v < m.variants.size(); ++v) {
            const auto [pool, dtype] = m.variants[v];
            const std::string label = "extraction, " + store_dtype_name(dtype) + (pool > 1 ? ", --pool " + std::to_string(pool) : "");
            std::snprintf(line, sizeof line, "| %s | %s | %.3f | %.2f | %.3f | %.2f | %.3f | %.1f | %.0f |\n", m.name.c_str(),
                          label.c_str(), full[v].median(), full[v].median() / bare.median(), full_cpu[v].median(),
                          full_cpu[v].median() / bare_cpu.median(), main_cpu[v].median(), mib[v],
                          mib[v] * 1024.0 / double(m.n));
            md << line;
            const std::string key = m.name + "_" + store_dtype_name(dtype) + "_pool" + std::to_string(pool);
            csv << "\n" << key << "_s," << full[v].median() << "\n" << key << "_ratio," << full[v].median() / bare.median()
                << "\n" << key << "_cpu_s," << full_cpu[v].median() << "\n" << key << "_cpu_ratio,"
                << full_cpu[v].median() / bare_cpu.median() << "\n" << key << "_forward_thread_cpu_s,"
                << main_cpu[v].median() << "\n" << key << "_store_mib," << mib[v];
        }
        md << "\n" << m.name << ": " << m.what << ".\n\n";
        if (m.name == "resnet18") {
            double best = 1e9, best_cpu = 1e9;
            for (std::size_t v = 0; v < m.variants.size(); ++v)
                if (m.variants[v].first > 1) {
                    best = std::min(best, full[v].median() / bare.median());
                    best_cpu = std::min(best_cpu, full_cpu[v].median() / bare_cpu.median());
                }
            char target[320];
            std::snprintf(target, sizeof target,
                          "Target (resnet18 at 224x224, extraction within 1.3x a bare forward pass when the layers are "
                          "stored pooled): %s (best pooled variant %.2fx wall, %.2fx CPU).\n\n",
                          best <= 1.3 ? "MET" : "NOT MET", best, best_cpu);
            md << target;
        }
        fs::remove(work + "/" + m.name + "-variant.h5");
    }
    if (!have_resnet || !wanted("flatten")) return;
    // flatten of conv1 [64, 112, 112] for 256 points: the store, then `actopo persistence` with and without projection
    const std::string self = actopo_executable(), store = work + "/conv1.h5";
    auto extracted = run_external(self + " extract --quiet --threads 1 --batch 16 --force --layers conv1 --model " + work +
                                  "/resnet18.pt --dataset " + work + "/images.h5 -o " + store);
    if (extracted.status != 0) throw std::runtime_error("bench extract: extracting conv1 failed: " + extracted.output);
    md << "Flatten sampling of resnet18's `conv1` ([64, 112, 112], 802 816 values per input; store of " << n_flatten
       << " inputs, " << std::to_string(int(double(fs::file_size(store)) / (1024.0 * 1024.0))) << " MiB) for "
       << n_flatten << " points, then H0 and H1 (`actopo persistence STORE --layer conv1 --sampling flatten --points "
       << n_flatten << " --max-dim 1`, each its own process):\n\n| flatten | wall s |\n|---|---|\n";
    for (const std::string projection : {"16384", "0"}) {
        throw_if_cancelled();
        auto r = run_external(self + " persistence --quiet " + store + " --layer conv1 --sampling flatten --points " +
                              std::to_string(n_flatten) + " --max-dim 1 --projection " + projection + " --force -o " +
                              work + "/conv1-" + projection + ".csv");
        if (r.status != 0) throw std::runtime_error("bench extract: persistence failed: " + r.output);
        char line[256];
        std::snprintf(line, sizeof line, "| %s | %.2f |\n",
                      projection == "0" ? "whole (--projection 0)" : "random projection to 16 384 (the default)",
                      r.seconds);
        md << line;
        csv << "\nconv1_flatten_persistence_projection" << projection << "_s," << r.seconds;
    }
    md << "\n";
}

// The CNN: bare forward vs capture pass vs extraction (uncompressed and deflate 1), and the peak memory of
// `actopo extract` on 1 000 and 10 000 inputs. Appends its section to `md` and its numbers to `csv`.
void cnn(const Context& ctx, const std::string& work, std::ostringstream& md, std::ostringstream& csv) {
    namespace fs = std::filesystem;
    const std::string self = actopo_executable();
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

    // The peak RSS of the extraction's own process. A child's ru_maxrss also counts the resident pages it shares with
    // the process that forked it, until it execs (the kernel keeps the larger of the two), and this benchmark holds
    // hundreds of MiB by now (1.3 GiB after resnet18): so a fresh python3 (about 10 MiB) forks the extraction and
    // reports its children's peak (RUSAGE_CHILDREN, KiB) on the output's last line.
    auto memory = [&](std::size_t inputs) {
        auto r = run_external("/usr/bin/python3 -c 'import resource, subprocess, sys; s = subprocess.call(sys.argv[1:]); "
                              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(s)' " +
                              self + " extract --quiet --threads 1 --batch 256 --force --model " + model +
                              " --dataset fashion-mnist:test --limit " + std::to_string(inputs) + " -o " + work +
                              "/memory.h5");
        if (r.status != 0) throw std::runtime_error("bench extract: extraction failed: " + r.output);
        std::string out = r.output;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        r.peak_mib = std::stod(out.substr(out.rfind('\n') + 1)) / 1024.0;
        return r;
    };
    ExternalRun small = memory(1000), large = memory(10000);

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
    md << "## CNN\n\nThe four passes take turns in every repetition; LibTorch 1 intra-op thread. Load average (1 min) "
       << load_before << " before, " << load_after << " after.\n\n"
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
       << " (" << std::to_string(memory_ratio) << ").\n";
    csv << "\nload_average_before," << load_before << "\nload_average_after," << load_after
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
        << memory_ratio;
}

void run_suite(const Context& ctx) {
    namespace fs = std::filesystem;
    const std::vector<std::string> parts{"cnn", "resnet18", "encoder", "flatten"}, prefixes = split(ctx.only, ',');
    auto wanted = [&](const std::string& part) {
        return ctx.only.empty() || std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
                   return !trim(p).empty() && part.rfind(trim(p), 0) == 0;
               });
    };
    if (std::none_of(parts.begin(), parts.end(), wanted))
        throw UserError("bench extract: --only '" + ctx.only + "' matches no part (" + join(parts) + ")");
    const std::string work = (fs::path(ctx.out_dir) / ".extract-work").string();
    fs::create_directories(work);
    const int reps = std::max(1, ctx.repetitions);
    tune_allocator_for_extraction();  // as `actopo extract` does
    std::ostringstream md, csv;
    md << "# Benchmark: extract\n\n" << machine_description() << "; actopo " << version() << "; " << reps
       << " repetitions (after one warm-up), medians.\n\n";
    csv << "measure,value\nrepetitions," << reps;
    if (wanted("cnn")) cnn(ctx, work, md, csv);
    // after the CNN's memory runs: the large models leave this process far larger
    large_models(ctx, wanted, work, md, csv);
    fs::remove_all(work);
    md << "\n";
    if (!ctx.only.empty()) md << "Only the parts whose name starts with '" << ctx.only << "' (--only; parts: " << join(parts) << ").\n\n";
    md << "Command: `actopo bench --suite extract --reps " << reps << (ctx.only.empty() ? "" : " --only " + ctx.only)
       << " -o " << ctx.out_dir << "`\n";
    csv << "\n";
    write_text_file((fs::path(ctx.out_dir) / "extract.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "extract.csv").string(), csv.str(), true);
    std::fputs(md.str().c_str(), stdout);
}

Registration reg{"extract",
                 "extraction vs a bare forward pass (a CNN, resnet18 at 224x224, a transformer encoder; pooled, float16); "
                 "peak memory for 1 000 vs 10 000 inputs",
                 run_suite};

}  // namespace
}  // namespace actopo::bench
