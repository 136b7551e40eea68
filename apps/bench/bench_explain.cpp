// `actopo bench --suite explain`: each attribution method beside the same computation in PyTorch eager Python
// (python3-torch), on the same model, inputs, batches, internal batch and threads, in one run.
//   speed   - integrated gradients (50 steps, midpoint, zero baseline), SmoothGrad (50 samples over the gradient)
//             and occlusion (window 4, stride 2) on the first 1 000 Fashion-MNIST test images of the reference CNN,
//             batches of 32 inputs, at most 256 model inputs per pass, one intra-op thread each.
//             LRP (epsilon-gamma-box: zb at the input with each input's bounds, gamma 0.25 on the other
//             convolutions, epsilon 0.25 on the dense layers) and DeepLIFT (Rescale, zero baseline) beside a
//             layer-by-layer PyTorch eager implementation (the gradient trick per layer, written for the layout).
//             Target: each at most 1.0x PyTorch eager's time. Each side's CPU time (user + system) is reported
//             beside the wall time: on a shared machine it moves less with the load.
//   memory  - peak RSS of `actopo explain --method integrated-gradients` (each its own process) on 100 and 1 000
//             inputs (flat in N), and with --internal-batch 64 vs 256 (bounded by the internal batch).
// --only lrp,deeplift: only the methods whose name starts with one of the prefixes, and no memory runs.
// The model is the reference CNN trained for the benchmark by `actopo train` (one epoch; weights do not affect speed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/explain.hpp"
#include "actopo/store.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

// The PyTorch eager side: the same loops written as a PyTorch user would, timed inside one python process
// (import, model loading and reading the images not timed). Prints "<method> <wall seconds> <CPU seconds>" per
// method.
const char* kPython = R"PY(import gzip, sys, time
import numpy as np
import torch
import torch.nn.functional as F

def load(dir, n):
    with gzip.open(dir + "/t10k-images-idx3-ubyte.gz") as f:
        raw = f.read()
    x = np.frombuffer(raw, np.uint8, offset=16)[: n * 784].reshape(n, 1, 28, 28).astype(np.float32) / 255.0
    return torch.from_numpy(x.copy())

def main():
    model_path, data_dir, n, batch, internal, steps, samples, noise, window, stride, methods = sys.argv[1:12]
    n, batch, internal, steps, samples = int(n), int(batch), int(internal), int(steps), int(samples)
    noise, window, stride = float(noise), int(window), int(stride)
    torch.set_num_threads(1)
    model = torch.jit.load(model_path)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x_all = load(data_dir, n)
    with torch.no_grad():
        targets_all = model(x_all).argmax(1)

    def grad(rows, t):
        out = []
        for s in range(0, rows.shape[0], internal):
            xr = rows[s:s + internal].clone().requires_grad_(True)
            f = model(xr).gather(1, t[s:s + internal].view(-1, 1)).sum()
            out.append(torch.autograd.grad(f, [xr])[0])
        return torch.cat(out)

    def ig(x, t):
        base = torch.zeros_like(x)
        diff = x - base
        total = torch.zeros_like(x)
        per = max(1, internal // x.shape[0])
        ts = [(k + 0.5) / steps for k in range(steps)]
        for k0 in range(0, steps, per):
            tk = torch.tensor(ts[k0:k0 + per]).view(-1, 1, 1, 1, 1)
            pts = (base.unsqueeze(0) + tk * diff.unsqueeze(0)).reshape(-1, *x.shape[1:])
            g = grad(pts, t.repeat(tk.shape[0]))
            total += g.view(tk.shape[0], *x.shape).sum(0) / steps
        return diff * total

    def smooth(x, t):
        r = x.shape[0]
        sigma = (x.flatten(1).amax(1) - x.flatten(1).amin(1)) * noise
        z = torch.randn(samples, *x.shape)
        noisy = (x.unsqueeze(0) + z * sigma.view(1, r, 1, 1, 1)).reshape(-1, *x.shape[1:])
        return grad(noisy, t.repeat(samples)).view(samples, *x.shape).mean(0)

    def occlusion(x, t):
        n_, c, h, w = x.shape
        pos = [(py, px) for py in range(0, h - window + 1, stride) for px in range(0, w - window + 1, stride)]
        masks = torch.zeros(len(pos), h, w)
        for i, (py, px) in enumerate(pos):
            masks[i, py:py + window, px:px + window] = 1
        count = masks.sum(0)
        out = torch.empty(n_, 1, h, w)
        with torch.no_grad():
            fx = model(x).gather(1, t.view(-1, 1)).view(-1)
            for i in range(n_):
                drops = []
                for p0 in range(0, len(pos), internal):
                    m = masks[p0:p0 + internal].unsqueeze(1)
                    occ = x[i].unsqueeze(0) * (1 - m)
                    f = model(occ)[:, t[i]]
                    drops.append(fx[i] - f)
                d = torch.cat(drops)
                out[i, 0] = (d @ masks.view(len(pos), -1)).view(h, w) / torch.where(count > 0, count, torch.ones_like(count))
        return out

    layers = list(model.named_children())  # the reference CNN: conv1 relu1 pool1 conv2 relu2 pool2 flatten fc1 relu3 fc2

    def kind(name):
        return name.rstrip("0123456789")

    def stab(z, e):
        return z + e * torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z))

    def forward_all(x):
        acts = [x]
        with torch.no_grad():
            for _, layer in layers:
                acts.append(layer(acts[-1]))
        return acts

    def lrp(x, t, eps=0.25, gamma=0.25):
        acts = forward_all(x)
        out = acts[-1]
        R = torch.zeros_like(out).scatter_(1, t.view(-1, 1), 1) * out
        lo = x.flatten(1).amin(1).view(-1, 1, 1, 1)
        hi = x.flatten(1).amax(1).view(-1, 1, 1, 1)
        for i in range(len(layers) - 1, -1, -1):
            name, layer = layers[i]
            a = acts[i]
            if kind(name) in ("conv", "fc"):
                W, b = layer.weight, layer.bias
                f = (lambda v, w, c: F.conv2d(v, w, c, padding=1)) if kind(name) == "conv" else F.linear
                if i == 0:  # zb
                    av, l, h = (v.expand_as(a).clone().requires_grad_(True) for v in (a, lo, hi))
                    z = f(av, W, None) - f(l, W.clamp(min=0), None) - f(h, W.clamp(max=0), None)
                    c = torch.autograd.grad(z, [av, l, h], R / stab(z.detach(), 1e-9))
                    R = a * c[0] + l.detach() * c[1] + h.detach() * c[2]
                    continue
                if kind(name) == "conv":
                    W, b, e = W + gamma * W.clamp(min=0), b + gamma * b.clamp(min=0), 1e-9
                else:
                    e = eps
                av = a.clone().requires_grad_(True)
                z = f(av, W, b)
                (c,) = torch.autograd.grad(z, [av], R / stab(z.detach(), e))
                R = a * c
            elif kind(name) in ("pool", "flatten"):
                av = a.clone().requires_grad_(True)
                (R,) = torch.autograd.grad(layer(av), [av], R)
        return R

    def deeplift(x, t):
        r = x.shape[0]
        base = torch.zeros_like(x)
        acts = forward_all(torch.cat([x, base]))
        m = torch.zeros_like(acts[-1])
        m[:r].scatter_(1, t.view(-1, 1), 1)
        for i in range(len(layers) - 1, -1, -1):
            name, layer = layers[i]
            a, y = acts[i], acts[i + 1]
            if kind(name) == "relu":
                dx, dy = a[:r] - a[r:], y[:r] - y[r:]
                near = dx.abs() <= 1e-6
                top = torch.where(near, m[:r] * (a[:r] > 0), m[:r] * dy / torch.where(near, torch.ones_like(dx), dx))
                m = torch.cat([top, torch.zeros_like(top)])
            else:
                av = a.clone().requires_grad_(True)
                (m,) = torch.autograd.grad(layer(av), [av], m)
        return m[:r] * (x - base)

    fns = {"integrated-gradients": ig, "smoothgrad": smooth, "occlusion": occlusion, "lrp": lrp, "deeplift": deeplift}
    for m in methods.split(","):
        start, cpu = time.perf_counter(), time.process_time()
        for s in range(0, n, batch):
            fns[m](x_all[s:s + batch], targets_all[s:s + batch])
        print(m, time.perf_counter() - start, time.process_time() - cpu, flush=True)

main()
)PY";

void run_suite(const Context& ctx) {
    namespace fs = std::filesystem;
    const fs::path work = fs::path(ctx.out_dir) / ".explain-work";
    fs::create_directories(work);
    const std::string self = actopo_executable(), model = (work / "cnn.pt").string();
    auto trained = run_external(self + " train --quiet --arch cnn --epochs 1 --limit 2000 --seed 1 --force -o " + model);
    if (trained.status != 0) throw std::runtime_error("bench explain: training the model failed: " + trained.output);
    write_text_file((work / "eager.py").string(), kPython, true);

    const std::size_t n = 1000, batch = 32, internal = 256;
    const int steps = 50, samples = 50, window = 4, stride = 2;
    const double noise = 0.15;
    // --only: the methods whose name starts with one of its comma-separated prefixes (and no memory runs)
    std::vector<std::string> methods;
    for (const std::string m : {"integrated-gradients", "smoothgrad", "occlusion", "lrp", "deeplift"}) {
        const auto prefixes = split(ctx.only, ',');
        if (ctx.only.empty() || std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
                return !p.empty() && m.rfind(p, 0) == 0;
            }))
            methods.push_back(m);
    }
    if (methods.empty())
        throw UserError("bench explain: --only '" + ctx.only + "' matches no method (integrated-gradients, smoothgrad, "
                        "occlusion, lrp, deeplift)");
    const bool memory = ctx.only.empty();
    const int reps = std::max(1, std::min(ctx.repetitions, 3));

    // ours: the Explainer in this process, one thread, the same batches
    Explainer e(model, 1);
    auto data = open_dataset("fashion-mnist:test", n);
    std::vector<std::int64_t> sample = data->sample_shape();
    const std::size_t per = per_input_size(sample);
    std::vector<float> x(n * per);
    std::vector<std::int64_t> labels(n);
    data->read(0, n, x.data(), labels.data());
    std::vector<std::int64_t> all = sample;
    all.insert(all.begin(), std::int64_t(n));
    std::vector<float> logits = e.logits(x.data(), all);
    const std::size_t classes = std::size_t(e.num_classes());
    std::vector<std::int64_t> targets(n);
    for (std::size_t i = 0; i < n; ++i)
        targets[i] = std::max_element(logits.begin() + std::ptrdiff_t(i * classes), logits.begin() + std::ptrdiff_t((i + 1) * classes)) -
                     (logits.begin() + std::ptrdiff_t(i * classes));
    MethodOptions mo;
    mo.steps = steps;
    mo.samples = samples;
    mo.noise = noise;
    mo.window = window;
    mo.stride = stride;
    mo.internal_batch = internal;
    std::map<std::string, Timing> mine, theirs, mine_cpu, theirs_cpu;
    auto ours = [&](const std::string& method) {
        const double c0 = cpu_seconds();
        auto t0 = std::chrono::steady_clock::now();
        for (std::size_t first = 0; first < n; first += batch) {
            const std::size_t count = std::min(batch, n - first);
            std::vector<std::int64_t> shape = sample;
            shape.insert(shape.begin(), std::int64_t(count));
            std::vector<std::int64_t> t(targets.begin() + std::ptrdiff_t(first), targets.begin() + std::ptrdiff_t(first + count)), index(count);
            std::iota(index.begin(), index.end(), std::int64_t(first));
            e.attribute(method, x.data() + first * per, shape, t, index, mo);
        }
        mine_cpu[method].seconds.push_back(cpu_seconds() - c0);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    const std::string load_before = load_average();
    std::string python_output;
    for (int r = 0; r < reps; ++r) {
        for (const auto& m : methods) {
            throw_if_cancelled();
            std::fprintf(stderr, "bench explain: rep %d %s (actopo)\n", r + 1, m.c_str());
            mine[m].seconds.push_back(ours(m));
            std::fprintf(stderr, "bench explain: rep %d %s (PyTorch eager)\n", r + 1, m.c_str());
            auto ext = run_external("/usr/bin/python3 " + (work / "eager.py").string() + " " + model + " " +
                                    fashion_mnist_dir() + " " + std::to_string(n) + " " + std::to_string(batch) + " " +
                                    std::to_string(internal) + " " + std::to_string(steps) + " " + std::to_string(samples) +
                                    " " + std::to_string(noise) + " " + std::to_string(window) + " " + std::to_string(stride) +
                                    " " + m);
            if (ext.status != 0) throw std::runtime_error("bench explain: the PyTorch eager script failed: " + ext.output);
            python_output += ext.output;
            std::istringstream in(ext.output);
            std::string name;
            double seconds, cpu;
            while (in >> name >> seconds >> cpu)
                if (name == m) theirs[m].seconds.push_back(seconds), theirs_cpu[m].seconds.push_back(cpu);
        }
    }
    const std::string load_after = load_average();

    // memory: separate processes of the command
    auto explain_run = [&](std::size_t inputs, std::size_t internal_batch) {
        auto r = run_external(self + " explain --quiet --threads 1 --force --model " + model +
                              " --dataset fashion-mnist:test --method integrated-gradients --limit " + std::to_string(inputs) +
                              " --internal-batch " + std::to_string(internal_batch) + " -o " + (work / "memory.h5").string());
        if (r.status != 0) throw std::runtime_error("bench explain: actopo explain failed: " + r.output);
        return r;
    };
    ExternalRun small, large, narrow;
    if (memory) small = explain_run(100, 256), large = explain_run(1000, 256), narrow = explain_run(100, 64);
    fs::remove_all(work);

    std::ostringstream md, csv;
    md << "# Benchmark: explain\n\n" << machine_description() << "; actopo " << version() << "; " << reps
       << " repetition(s), medians; actopo and PyTorch eager take turns per method. Load average (1 min) "
       << load_before << " before, " << load_after << " after.\n\n"
       << "Model: the `actopo train --arch cnn` reference CNN; inputs: the first " << n
       << " Fashion-MNIST test images, target the predicted class, batches of " << batch << " inputs, at most "
       << internal << " model inputs per forward/backward pass, one intra-op thread on both sides. PyTorch eager: "
          "python3-torch running the same loops (torch.autograd.grad on the TorchScript model loaded with "
          "torch.jit.load, parameters frozen; LRP and DeepLIFT: a walk over the model's layers, each rule by the "
          "gradient trick on the layer), timed inside the python process (import, loading and reading not timed); "
          "actopo: `Explainer::attribute` in this process.\n\n"
       << "| method | actopo s | PyTorch eager s | ratio | target (at most 1.0x) | actopo CPU s | PyTorch CPU s | "
          "CPU ratio |\n|---|---|---|---|---|---|---|---|\n";
    csv << "method,actopo_s,pytorch_eager_s,ratio,actopo_cpu_s,pytorch_eager_cpu_s,cpu_ratio\n";
    const std::map<std::string, std::string> label{{"integrated-gradients", "integrated gradients, 50 steps"},
                                                   {"smoothgrad", "SmoothGrad, 50 samples"},
                                                   {"occlusion", "occlusion, window 4, stride 2"},
                                                   {"lrp", "LRP epsilon-gamma-box"},
                                                   {"deeplift", "DeepLIFT (Rescale, zero baseline)"}};
    for (const auto& m : methods) {
        const double a = mine[m].median(), b = theirs[m].median(), ratio = b > 0 ? a / b : 0;
        const double ca = mine_cpu[m].median(), cb = theirs_cpu[m].median(), cratio = cb > 0 ? ca / cb : 0;
        char line[400];
        std::snprintf(line, sizeof line, "| %s | %.2f | %.2f | %.2f | %s | %.2f | %.2f | %.2f |\n", label.at(m).c_str(), a,
                      b, ratio, ratio <= 1.0 ? "MET" : "NOT MET", ca, cb, cratio);
        md << line;
        std::snprintf(line, sizeof line, "%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", m.c_str(), a, b, ratio, ca, cb, cratio);
        csv << line;
    }
    if (!memory) {
        md << "\nOnly the methods whose name starts with '" << ctx.only << "' (--only); no memory runs.\n\nCommand: "
           << "`actopo bench --suite explain --reps " << reps << " --only " << ctx.only << " -o " << ctx.out_dir << "`\n";
        write_text_file((fs::path(ctx.out_dir) / "explain.md").string(), md.str(), true);
        write_text_file((fs::path(ctx.out_dir) / "explain.csv").string(), csv.str(), true);
        std::fputs(md.str().c_str(), stdout);
        return;
    }
    char mem[600];
    std::snprintf(mem, sizeof mem,
                  "\nPeak memory of `actopo explain --method integrated-gradients` (50 steps, each its own process):\n\n"
                  "| inputs | --internal-batch | peak RSS MiB | wall s |\n|---|---|---|---|\n"
                  "| 100 | 256 | %.1f | %.1f |\n| 1000 | 256 | %.1f | %.1f |\n| 100 | 64 | %.1f | %.1f |\n\n"
                  "Peak memory 1 000 / 100 inputs: %.2f (flat in N: target at most 1.2, %s); internal batch 64 / 256: %.2f.\n",
                  small.peak_mib, small.seconds, large.peak_mib, large.seconds, narrow.peak_mib, narrow.seconds,
                  large.peak_mib / small.peak_mib, large.peak_mib / small.peak_mib <= 1.2 ? "MET" : "NOT MET",
                  narrow.peak_mib / small.peak_mib);
    md << mem << "\nCommand: `actopo bench --suite explain --reps " << reps << " -o " << ctx.out_dir << "`\n";
    csv << "peak_mib_100," << small.peak_mib << "\npeak_mib_1000," << large.peak_mib << "\npeak_mib_100_internal64,"
        << narrow.peak_mib << "\n";
    write_text_file((fs::path(ctx.out_dir) / "explain.md").string(), md.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "explain.csv").string(), csv.str(), true);
    std::fputs(md.str().c_str(), stdout);
}

Registration reg{"explain", "integrated gradients, SmoothGrad, occlusion, LRP, DeepLIFT vs PyTorch eager; peak memory vs N",
                 run_suite};

}  // namespace
}  // namespace actopo::bench
