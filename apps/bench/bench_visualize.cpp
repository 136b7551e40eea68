// `actopo bench --suite visualize`: activation maximisation beside the same ascent in PyTorch eager Python
// (python3-torch), in one run: the 64 channels of conv2 of a CNN (`actopo train --arch cnn --widths 16,64,64`), 256
// steps, all regularisers on (jitter 2, blur every 4 steps, TV, L2), one batch of 64 images, one intra-op thread each.
// Target: at most 1.0x PyTorch eager's time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/visualize.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

// The PyTorch eager side: the ascent of docs/visualize.md as a PyTorch user writes it, the model run up to the layer
// by calling its submodules in order (a TorchScript module takes no forward hooks); the loop alone is timed.
const char* kPython = R"PY(import math, sys, time
import torch
import torch.nn.functional as F

def main():
    model_path, layer, units, steps, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    model = torch.jit.load(model_path)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    parts = []
    for name, child in model.named_children():
        parts.append(child)
        if name == layer:
            break
    def up_to_layer(x):
        for p in parts:
            x = p(x)
        return x
    lr, l2, tv_w, sigma, every, jit = 0.05, 1e-3, 1e-3, 0.5, 4, 2
    r = max(1, math.ceil(3 * sigma))
    k = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float64) ** 2 / (2 * sigma * sigma))
    k = (k / k.sum()).float()
    idx = torch.arange(units)
    g0 = torch.Generator().manual_seed(0)
    x = (torch.rand(units, 1, 28, 28, generator=g0) - 0.5) * 0.2 + 0.5
    jitter = torch.Generator().manual_seed(0)
    start, cpu = time.perf_counter(), time.process_time()
    for t in range(steps):
        x.requires_grad_(True)
        s = torch.randint(-jit, jit + 1, (2,), generator=jitter)
        a = up_to_layer(torch.roll(x, (int(s[0]), int(s[1])), (2, 3)))
        act = a.flatten(2)[idx, idx].mean(1)
        tv = (x[..., 1:, :] - x[..., :-1, :]).abs().flatten(1).sum(1) + (x[..., :, 1:] - x[..., :, :-1]).abs().flatten(1).sum(1)
        obj = act - l2 * (x * x).flatten(1).sum(1) - tv_w * tv
        (g,) = torch.autograd.grad(obj.sum(), [x])
        with torch.no_grad():
            rms = g.pow(2).flatten(1).mean(1).sqrt().view(-1, 1, 1, 1)
            x = x.detach() + lr * (g / (rms + 1e-12))
            if (t + 1) % every == 0:
                y = F.conv2d(x.reshape(-1, 1, 28, 28), k.view(1, 1, 1, -1), padding=(0, r))
                x = F.conv2d(y, k.view(1, 1, -1, 1), padding=(r, 0)).reshape(x.shape)
            x = x.clamp(0, 1)
    print("ascent", time.perf_counter() - start, time.process_time() - cpu, flush=True)

main()
)PY";

void run_suite(const Context& ctx) {
    namespace fs = std::filesystem;
    const fs::path work = fs::path(ctx.out_dir) / ".visualize-work";
    fs::create_directories(work);
    const std::string self = actopo_executable(), model = (work / "cnn64.pt").string();
    auto trained = run_external(self + " train --quiet --arch cnn --widths 16,64,64 --epochs 1 --limit 2000 --seed 1 --force -o " + model);
    if (trained.status != 0) throw std::runtime_error("bench visualize: training the model failed: " + trained.output);
    write_text_file((work / "eager.py").string(), kPython, true);
    const int steps = 256, units = 64, reps = std::max(1, std::min(ctx.repetitions, 3));
    const std::string layer = "conv2";

    VisualizeOptions o;
    o.model = model;
    o.layer = layer;
    o.units = "0-" + std::to_string(units - 1);
    o.input_shape = {1, 28, 28};
    o.ascent.steps = steps;
    o.threads = 1;
    const std::string load_before = load_average();
    Timing mine, theirs, mine_cpu, theirs_cpu;
    std::string python_output;
    for (int r = 0; r < reps; ++r) {
        throw_if_cancelled();
        std::fprintf(stderr, "bench visualize: rep %d (actopo)\n", r + 1);
        auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        maximise_units(o);
        mine.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        mine_cpu.seconds.push_back(cpu_seconds() - c0);
        std::fprintf(stderr, "bench visualize: rep %d (PyTorch eager)\n", r + 1);
        auto ext = run_external("/usr/bin/python3 " + (work / "eager.py").string() + " " + model + " " + layer + " " +
                                std::to_string(units) + " " + std::to_string(steps) + " 1");
        if (ext.status != 0) throw std::runtime_error("bench visualize: the PyTorch eager script failed: " + ext.output);
        python_output += ext.output;
        std::istringstream in(ext.output);
        std::string name;
        double seconds, cpu;
        while (in >> name >> seconds >> cpu)
            if (name == "ascent") theirs.seconds.push_back(seconds), theirs_cpu.seconds.push_back(cpu);
    }
    const std::string load_after = load_average();
    fs::remove_all(work);

    const double a = mine.median(), b = theirs.median(), ratio = b > 0 ? a / b : 0;
    std::ostringstream md, csv;
    char line[400];
    md << "# Benchmark: visualize (activation maximisation)\n\n" << machine_description() << "; actopo " << version()
       << "; " << reps << " repetition(s), medians; actopo and PyTorch eager take turns. Load average (1 min) "
       << load_before << " before, " << load_after << " after.\n\n"
       << "Model: `actopo train --arch cnn --widths 16,64,64` (one epoch on 2 000 images; weights do not affect "
          "speed); the " << units << " channels of `" << layer << "` as one batch, " << steps
       << " steps, jitter 2, blur sigma 0.5 every 4 steps, TV 1e-3, L2 1e-3, one intra-op thread on both sides. "
          "PyTorch eager: python3-torch running the same ascent on the TorchScript model's submodules up to the layer "
          "(torch.autograd.grad), the loop timed inside the python process; actopo: `maximise_units` in this process "
          "(loading the model and the capture graph included).\n\n"
       << "| ascent | actopo s | PyTorch eager s | ratio | target (at most 1.0x) | actopo CPU s | PyTorch CPU s | CPU ratio |\n"
          "|---|---|---|---|---|---|---|---|\n";
    const double ca = mine_cpu.median(), cb = theirs_cpu.median();
    std::snprintf(line, sizeof line, "| %d channels, %d steps | %.2f | %.2f | %.2f | %s | %.2f | %.2f | %.2f |\n", units,
                  steps, a, b, ratio, ratio <= 1.0 ? "MET" : "NOT MET", ca, cb, cb > 0 ? ca / cb : 0);
    md << line << "\nCommand: `actopo bench --suite visualize --reps " << reps << " -o " << ctx.out_dir << "`\n";
    std::snprintf(line, sizeof line, "ascent,%.4f,%.4f,%.4f,%.4f,%.4f\n", a, b, ratio, ca, cb);
    csv << "what,actopo_s,pytorch_eager_s,ratio,actopo_cpu_s,pytorch_eager_cpu_s\n" << line;
    write_text_file((fs::path(ctx.out_dir) / "visualize.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "visualize.csv").string(), csv.str(), true);
    std::fputs(md.str().c_str(), stdout);
}

Registration reg{"visualize", "activation maximisation (64 channels, 256 steps) vs PyTorch eager", run_suite};

}  // namespace
}  // namespace actopo::bench
