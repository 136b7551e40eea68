// Explainer: the attribution methods on LibTorch autograd (definitions: docs/explain.md, from
// /work/shared/papers.md "Explanations"). Every method is a function of one input and its target class; a
// batch is computed as rows, in passes of at most MethodOptions::internal_batch model inputs.
#include <ATen/Parallel.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/function.h>
#include <torch/script.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "explain/internal.hpp"
#include "explain/relevance.hpp"
#include "extract/capture_internals.hpp"
#include "extract/torchscript.hpp"

namespace actopo {

using torch::Tensor;

namespace {

bool is_cam_family(const std::string& m) { return m == "cam" || m == "grad-cam" || m == "grad-cam++"; }

// A 64-bit mix (splitmix64) of the seed, an input's dataset row and a stream number: the seed of that input's
// noise, so that a map does not depend on the batch its input came in.
std::uint64_t mix(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (index + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
                      (stream + 1) * 0x94D049BB133111EBull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::vector<std::int64_t> with_batch(std::int64_t b, const std::vector<std::int64_t>& per_input) {
    std::vector<std::int64_t> s{b};
    s.insert(s.end(), per_input.begin(), per_input.end());
    return s;
}

// d sel / d A for a captured layer output A. The capture graph returns a clone of the layer's output when alias
// analysis cannot rule out a later in-place write; the gradient is then taken at the clone's source (the
// edge into the layer's own autograd node), which is the layer's output at call time.
Tensor gradient_at_layer(const Tensor& sel, const Tensor& a) {
    using namespace torch::autograd;
    Edge edge = impl::gradient_edge(a);
    if (a.grad_fn() && a.grad_fn()->name() == "CloneBackward0") edge = a.grad_fn()->next_edge(0);
    if (!edge.is_valid())
        throw UserError("the captured layer's output does not depend on the input (no gradient reaches it)");
    variable_list out = Engine::get_default_engine().execute({impl::gradient_edge(sel)}, {torch::ones_like(sel)},
                                                             false, false, false, {edge});
    if (!out.at(0).defined()) return torch::zeros_like(a);
    return out[0];
}

}  // namespace

void check_method(const std::string& method) {
    const std::string problem = option_problem(stage_options("explain").at("method"), method);
    if (!problem.empty()) throw UserError(problem);
}

namespace explain_detail {

void gauss_legendre(int m, std::vector<double>& nodes, std::vector<double>& weights) {
    // Roots of the Legendre polynomial P_m by Newton's method from Chebyshev-like guesses, mapped to [0, 1].
    // P_m'(z) = m (z P_m(z) - P_{m-1}(z)) / (z^2 - 1), with P_m by the three-term recurrence.
    const auto derivative = [m](double z, double& pm) {
        double p0 = 1, p1 = z;
        for (int k = 2; k <= m; ++k) {
            const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        pm = m == 1 ? z : p1;
        const double pm1 = m == 1 ? 1 : p0;
        return m * (z * pm - pm1) / (z * z - 1);
    };
    nodes.assign(std::size_t(m), 0);
    weights.assign(std::size_t(m), 0);
    for (int i = 0; i < m; ++i) {
        double z = std::cos(M_PI * (i + 0.75) / (m + 0.5)), pm = 0;
        for (int it = 0; it < 100; ++it) {
            const double dp = derivative(z, pm);
            const double dz = pm / dp;
            z -= dz;
            if (std::fabs(dz) < 1e-15) break;
        }
        const double dp = derivative(z, pm);  // at the converged root
        nodes[std::size_t(i)] = 0.5 * (1 - z);  // ascending on [0, 1]
        weights[std::size_t(i)] = 1.0 / ((1 - z * z) * dp * dp);  // 2 / ((1 - z^2) P'^2), halved for [0, 1]
    }
}

void integration_rule(const std::string& rule, int m, std::vector<double>& t, std::vector<double>& w) {
    if (m < 1) throw UserError("integrated-gradients: --steps must be at least 1");
    if (rule == "midpoint") {
        t.resize(std::size_t(m));
        w.assign(std::size_t(m), 1.0 / m);
        for (int k = 0; k < m; ++k) t[std::size_t(k)] = (k + 0.5) / m;
    } else if (rule == "gauss-legendre") {
        gauss_legendre(m, t, w);
    } else {
        throw UserError("integrated-gradients: unknown --rule '" + rule + "' (expected midpoint or gauss-legendre)");
    }
}

}  // namespace explain_detail

struct Explainer::Impl {
    std::string path;
    torch::jit::Module module;
    std::unique_ptr<torch::jit::GraphFunction> forward_fn;
    std::int64_t classes = 0;
    // CAM family: one capture per layer, and the layer chosen when none is named
    std::map<std::string, std::unique_ptr<LayerCapture>> captures;
    std::string default_layer;
    bool default_layer_known = false;
    std::vector<std::pair<std::string, Tensor>> randomised;  // parameter path -> value, applied to captures too
    std::unique_ptr<explain_detail::RelevanceGraph> relevance;  // the modified backward passes, built when first used

    void freeze(torch::jit::Module& m) {
        for (auto p : m.parameters()) p.requires_grad_(false);
    }

    Tensor check_logits(const Tensor& out, std::int64_t batch) {
        if (out.dim() != 2 || out.size(0) != batch)
            throw UserError("model '" + path + "' returns " + shape_string(out.sizes().vec()) + " for a batch of " +
                            std::to_string(batch) + " inputs; expected one logit vector per input [" +
                            std::to_string(batch) + ", classes]");
        classes = out.size(1);
        return out;
    }

    Tensor forward(const Tensor& x) {
        torch::jit::IValue r;
        try {
            r = (*forward_fn)({module._ivalue(), x});
        } catch (const std::exception& e) {
            throw extract_detail::forward_error(path, *forward_fn, module, x.sizes().vec(), std::nullopt, e);
        }
        if (!r.isTensor()) throw UserError("model '" + path + "' returns " + r.tagKind() + ", expected a tensor of logits [N, classes]");
        return check_logits(r.toTensor(), x.size(0));
    }

    void check_targets(const Tensor& t) {
        if (t.numel() == 0) return;
        auto lo = t.min().item<std::int64_t>(), hi = t.max().item<std::int64_t>();
        if (lo < 0 || hi >= classes)
            throw UserError("target class " + std::to_string(lo < 0 ? lo : hi) + " is out of range: model '" + path +
                            "' has " + std::to_string(classes) + " classes (0-" + std::to_string(classes - 1) + ")");
    }

    /// df_c/dx for rows X (any count) and their targets, in passes of at most `chunk` rows. `f` (optional)
    /// receives f_c(X).
    Tensor gradient(const Tensor& X, const Tensor& T, std::size_t chunk, Tensor* f = nullptr) {
        const std::int64_t n = X.size(0), step = std::int64_t(std::max<std::size_t>(1, chunk));
        std::vector<Tensor> grads, values;
        for (std::int64_t first = 0; first < n; first += step) {
            throw_if_cancelled();
            const std::int64_t count = std::min(step, n - first);
            Tensor x = X.narrow(0, first, count).detach().clone().requires_grad_(true);
            Tensor out = forward(x);
            Tensor t = T.narrow(0, first, count);
            check_targets(t);
            Tensor sel = out.gather(1, t.view({-1, 1})).view({-1});
            grads.push_back(torch::autograd::grad({sel.sum()}, {x})[0]);
            if (f) values.push_back(sel.detach());
        }
        if (f) *f = torch::cat(values);
        return grads.size() == 1 ? grads[0] : torch::cat(grads);
    }

    /// f_c(X) without gradients, in passes of at most `chunk` rows.
    Tensor target_logits(const Tensor& X, const Tensor& T, std::size_t chunk) {
        torch::NoGradGuard no_grad;
        const std::int64_t n = X.size(0), step = std::int64_t(std::max<std::size_t>(1, chunk));
        std::vector<Tensor> values;
        for (std::int64_t first = 0; first < n; first += step) {
            throw_if_cancelled();
            const std::int64_t count = std::min(step, n - first);
            Tensor out = forward(X.narrow(0, first, count));
            Tensor t = T.narrow(0, first, count);
            check_targets(t);
            values.push_back(out.gather(1, t.view({-1, 1})).view({-1}));
        }
        return values.size() == 1 ? values[0] : torch::cat(values);
    }

    // ------------------------------------------------------------------------- the CAM family's layer
    LayerCapture& capture_for(const std::string& layer, const std::string& method) {
        auto it = captures.find(layer);
        if (it != captures.end()) return *it->second;
        std::unique_ptr<LayerCapture> c;
        try {
            c = std::make_unique<LayerCapture>(path, std::vector<std::string>{layer});
        } catch (const UserError& e) {
            throw UserError(method + ": " + e.what());
        }
        freeze(CaptureInternals::module(*c));
        apply_randomised(CaptureInternals::module(*c));
        return *(captures[layer] = std::move(c));
    }

    // The last leaf layer whose output is a feature map [C, H', W'] with more than one position.
    std::string last_conv_layer(const Tensor& x, const std::string& method) {
        if (default_layer_known) {
            if (default_layer.empty())
                throw UserError(method + ": model '" + path + "' has no convolutional layer (no layer outputs a "
                                "feature map [C, H, W]); " + method + " needs one");
            return default_layer;
        }
        LayerCapture all(path, {"all"});
        auto one = x.sizes().vec();
        one[0] = 1;
        Tensor first = x.narrow(0, 0, 1).contiguous();
        all.run(first.data_ptr<float>(), one);
        default_layer_known = true;
        for (std::size_t i = all.layers().size(); i-- > 0;) {
            auto s = all.layer_shape(i);
            if (s.size() == 3 && s[1] * s[2] > 1) {
                default_layer = all.layers()[i];
                break;
            }
        }
        return last_conv_layer(x, method);
    }

    /// (logits, A) for rows X at `layer`, with gradients when `grad`.
    std::pair<Tensor, Tensor> forward_with_layer(LayerCapture& c, const std::string& layer, const std::string& method,
                                                 const Tensor& x) {
        torch::jit::IValue r;
        auto& m = CaptureInternals::module(c);
        try {
            r = CaptureInternals::capture_function(c)({m._ivalue(), x});
        } catch (const std::exception& e) {
            throw extract_detail::forward_error(path, CaptureInternals::capture_function(c), m, x.sizes().vec(), std::nullopt, e);
        }
        auto elements = r.toTuple()->elements();
        Tensor out = check_logits(elements.at(0).toTensor(), x.size(0));
        Tensor a = elements.at(1).toTensor();
        if (a.dim() != 4 || a.size(2) * a.size(3) < 1)
            throw UserError(method + ": layer '" + layer + "' outputs " +
                            shape_string(std::vector<std::int64_t>(a.sizes().begin() + 1, a.sizes().end())) +
                            ", not a convolutional feature map [C, H, W]");
        return {out, a};
    }

    void apply_randomised(torch::jit::Module& m) {
        for (const auto& [name, value] : randomised)
            for (const auto& p : m.named_parameters(true))
                if (p.name == name) {
                    torch::NoGradGuard g;
                    p.value.copy_(value);
                }
    }
};

// Every pass of the internal batch allocates and frees its activations (megabytes each). glibc hands freed blocks
// above its mmap and trim thresholds back to the kernel, so the next pass page-faults them in again: a third of
// the time of smoothgrad and integrated gradients on the reference CNN (perf: exc_page_fault), 2-3x the minor
// faults. Keeping freed blocks below 32 MiB in the heap, and the heap untrimmed up to 1 GiB, removes that; the
// peak memory (bounded by --internal-batch) does not change. Process-wide, set once.
static void keep_freed_memory() {
#ifdef __GLIBC__
    static const bool once = [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        return true;
    }();
    (void)once;
#endif
}

Explainer::Explainer(const std::string& model_path, int threads) : impl_(std::make_unique<Impl>()) {
    keep_freed_memory();
    if (threads > 0) at::set_num_threads(threads);
    impl_->path = model_path;
    impl_->module = extract_detail::load_torchscript(model_path);
    impl_->freeze(impl_->module);
    impl_->forward_fn = std::make_unique<torch::jit::GraphFunction>(
        "actopo_explain_forward", impl_->module.get_method("forward").graph()->copy(), nullptr,
        torch::jit::ExecutorExecutionMode::SIMPLE);
}

Explainer::~Explainer() = default;

const std::string& Explainer::model_path() const { return impl_->path; }
std::int64_t Explainer::num_classes() const { return impl_->classes; }

std::vector<float> Explainer::logits(const float* x, const std::vector<std::int64_t>& shape) {
    torch::NoGradGuard no_grad;
    Tensor in = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32);
    Tensor out = impl_->forward(in).to(torch::kFloat32).contiguous();
    return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
}

std::vector<std::string> Explainer::parameterised_layers() const {
    std::vector<std::string> out;
    for (const auto& m : impl_->module.named_modules()) {
        if (m.name.empty() || m.value.children().size() != 0) continue;
        if (m.value.parameters(false).size() > 0) out.push_back(m.name);
    }
    return out;
}

std::vector<std::string> Explainer::randomize_top_layers(std::size_t count, std::uint64_t seed) {
    auto layers = parameterised_layers();
    std::vector<std::string> done;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < count && k < layers.size(); ++k) {
        const std::string& layer = layers[layers.size() - 1 - k];
        for (const auto& m : impl_->module.named_modules()) {
            if (m.name != layer) continue;
            for (const auto& p : m.value.named_parameters(false)) {
                Tensor w = p.value;
                // PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
                std::int64_t fan_in = w.dim() > 1 ? w.numel() / w.size(0) : 1;
                if (w.dim() == 1) {
                    for (const auto& q : m.value.named_parameters(false))
                        if (q.value.dim() > 1) fan_in = q.value.numel() / q.value.size(0);
                }
                double bound = 1.0 / std::sqrt(double(std::max<std::int64_t>(1, fan_in)));
                Tensor v = torch::empty_like(w).uniform_(-bound, bound, gen);
                w.copy_(v);
                impl_->randomised.emplace_back(layer + "." + p.name, v);
            }
        }
        done.push_back(layer);
    }
    for (auto& [name, c] : impl_->captures) impl_->apply_randomised(CaptureInternals::module(*c));
    impl_->relevance.reset();  // its canonised weights are the old ones
    return done;
}

namespace {

// The per-input map of a rowwise method for rows X [R, ...] and targets T [R] (cams optional).
struct Rows {
    Tensor map, delta, cam;
    std::string layer;
};

}  // namespace


static Tensor blur(const Tensor& x, double sigma) {
    // Separable Gaussian blur over the last two axes, zero padding, kernel radius ceil(3 sigma).
    if (x.dim() < 3) throw UserError("integrated-gradients: --baseline blur needs image inputs [C, H, W]");
    if (sigma <= 0) return x.clone();
    const std::int64_t r = std::max<std::int64_t>(1, std::int64_t(std::ceil(3 * sigma)));
    Tensor k = torch::arange(-r, r + 1, torch::kFloat64);
    k = torch::exp(-k * k / (2 * sigma * sigma));
    k = (k / k.sum()).to(torch::kFloat32);
    auto s = x.sizes().vec();
    const std::int64_t h = s[s.size() - 2], w = s[s.size() - 1];
    Tensor y = x.reshape({-1, 1, h, w});
    y = torch::conv2d(y, k.view({1, 1, 1, -1}), Tensor(), at::IntArrayRef{1, 1}, at::IntArrayRef{0, r});
    y = torch::conv2d(y, k.view({1, 1, -1, 1}), Tensor(), at::IntArrayRef{1, 1}, at::IntArrayRef{r, 0});
    return y.reshape(s);
}

static Tensor baseline_of(const std::string& method, const Tensor& X, const std::vector<std::int64_t>& index,
                          const MethodOptions& o, const Tensor& mean) {
    if (o.baseline == "zero") return torch::zeros_like(X);
    if (o.baseline == "mean") {
        if (!mean.defined()) throw UserError(method + ": --baseline mean needs the dataset's mean input");
        return mean.unsqueeze(0).expand_as(X).clone();
    }
    if (o.baseline == "blur") return blur(X, o.blur_sigma);
    if (o.baseline == "uniform") {
        // U(min x, max x) per input, seeded by its dataset row
        Tensor b = torch::empty_like(X);
        for (std::int64_t i = 0; i < X.size(0); ++i) {
            auto gen = at::make_generator<at::CPUGeneratorImpl>(mix(o.seed, std::uint64_t(index[std::size_t(i)]), 1));
            Tensor xi = X[i];
            double lo = xi.min().item<double>(), hi = xi.max().item<double>();
            b[i].uniform_(lo, hi > lo ? hi : lo + 1e-12, gen);
        }
        return b;
    }
    throw UserError(method + ": unknown --baseline '" + o.baseline + "' (expected zero, mean, blur or uniform)");
}

static Tensor upsample(const Tensor& cam, const std::vector<std::int64_t>& input) {
    // cam [R, H', W'] -> [R, 1, H, W] bilinear (align_corners false)
    if (input.size() < 2) throw UserError("CAM methods need image inputs [C, H, W]");
    const std::int64_t h = input[input.size() - 2], w = input[input.size() - 1];
    return torch::upsample_bilinear2d(cam.unsqueeze(1), {h, w}, false);
}

// One method over rows X; `index` [R] seeds per-input noise; `mean` is the mean input (baseline "mean").
// (A template on the Explainer's private Impl, deduced, so that it need not be named here.)
template <class Impl>
static Rows attribute_rows(Impl& im, const std::string& method, const Tensor& X, const Tensor& T,
                           const std::vector<std::int64_t>& index, const MethodOptions& o, const Tensor& mean) {
    const std::size_t chunk = std::max<std::size_t>(1, o.internal_batch);
    const std::int64_t R = X.size(0);
    Rows out;
    if (method == "gradient") {
        out.map = im.gradient(X, T, chunk);
    } else if (method == "saliency") {
        out.map = im.gradient(X, T, chunk).square();
    } else if (method == "saliency-max") {
        Tensor g = im.gradient(X, T, chunk).abs();
        out.map = X.dim() >= 4 ? std::get<0>(g.max(1, true)) : g;
    } else if (method == "gradient-x-input") {
        out.map = im.gradient(X, T, chunk) * X;
    } else if (method == "integrated-gradients") {
        std::vector<double> t, w;
        explain_detail::integration_rule(o.rule, o.steps, t, w);
        Tensor base = baseline_of(method, X, index, o, mean), diff = X - base;
        Tensor sum = torch::zeros_like(X);
        const std::int64_t m = std::int64_t(t.size());
        // steps per pass: as many as fit in the internal batch
        const std::int64_t per = std::max<std::int64_t>(1, std::int64_t(chunk) / std::max<std::int64_t>(1, R));
        auto shape1 = X.sizes().vec();
        for (std::int64_t k0 = 0; k0 < m; k0 += per) {
            const std::int64_t s = std::min(per, m - k0);
            Tensor tk = torch::tensor(std::vector<double>(t.begin() + k0, t.begin() + k0 + s), torch::kFloat64)
                            .to(torch::kFloat32);
            Tensor wk = torch::tensor(std::vector<double>(w.begin() + k0, w.begin() + k0 + s), torch::kFloat64)
                            .to(torch::kFloat32);
            std::vector<std::int64_t> view(shape1.size() + 1, 1);
            view[0] = s;
            Tensor points = (base.unsqueeze(0) + tk.view(view) * diff.unsqueeze(0)).reshape(with_batch(s * R, {shape1.begin() + 1, shape1.end()}));
            Tensor g = im.gradient(points, T.repeat({s}), chunk);
            sum += (g.view(with_batch(s, shape1)) * wk.view(view)).sum(0);
        }
        out.map = diff * sum;
        Tensor fx = im.target_logits(X, T, chunk), fb = im.target_logits(base, T, chunk);
        out.delta = out.map.reshape({R, -1}).to(torch::kFloat64).sum(1) - (fx - fb).to(torch::kFloat64);
        out.delta = out.delta.to(torch::kFloat32);
    } else if (method == "occlusion") {
        if (o.window < 1 || o.stride < 1) throw UserError("occlusion: --window and --stride must be at least 1");
        auto s = X.sizes().vec();
        std::vector<std::int64_t> per(s.begin() + 1, s.end());
        // the occluded axes: the last two of an image [C, H, W] or [H, W], else the flattened input
        const bool image = per.size() >= 2;
        const std::int64_t H = image ? per[per.size() - 2] : 1, W = image ? per[per.size() - 1] : per_input_size(per);
        const std::int64_t wh = image ? std::min<std::int64_t>(o.window, H) : 1, ww = std::min<std::int64_t>(o.window, W);
        std::vector<std::pair<std::int64_t, std::int64_t>> pos;
        for (std::int64_t py = 0; py + wh <= H; py += (image ? o.stride : H))
            for (std::int64_t px = 0; px + ww <= W; px += o.stride) pos.emplace_back(py, px);
        const std::int64_t P = std::int64_t(pos.size());
        Tensor masks = torch::zeros({P, H, W});
        for (std::int64_t p = 0; p < P; ++p)
            masks[p].narrow(0, pos[std::size_t(p)].first, wh).narrow(1, pos[std::size_t(p)].second, ww).fill_(1);
        Tensor count = masks.sum(0);
        // an occluded copy is x * keep (+ value * mask): both factors made once for every input
        Tensor keep = (1 - masks).unsqueeze(1), fill = (masks * float(o.occlusion_value)).unsqueeze(1);
        const bool filled = o.occlusion_value != 0;
        Tensor fx = im.target_logits(X, T, chunk);
        Tensor drops = torch::empty({R, P});
        Tensor Xv = X.reshape({R, -1, H, W});
        const std::int64_t per_pass = std::max<std::int64_t>(1, std::int64_t(chunk));
        // occluded copies, input by input, positions in passes of the internal batch
        std::vector<Tensor> rows;
        for (std::int64_t i = 0; i < R; ++i) {
            for (std::int64_t p0 = 0; p0 < P; p0 += per_pass) {
                const std::int64_t n = std::min(per_pass, P - p0);
                Tensor occluded = Xv[i].unsqueeze(0) * keep.narrow(0, p0, n);  // [n, C, H, W]
                if (filled) occluded.add_(fill.narrow(0, p0, n));
                Tensor f = im.target_logits(occluded.reshape(with_batch(n, per)), T[i].expand({n}), chunk);
                drops[i].narrow(0, p0, n).copy_(fx[i] - f);
            }
        }
        Tensor map = drops.matmul(masks.view({P, H * W})).view({R, 1, H, W}) /
                     torch::where(count > 0, count, torch::ones_like(count));
        out.map = map.expand_as(Xv).reshape(s).contiguous();
    } else if (is_cam_family(method)) {
        std::string layer = o.layer.empty() ? im.last_conv_layer(X, method) : o.layer;
        LayerCapture& c = im.capture_for(layer, method);
        std::vector<Tensor> cams;
        const std::int64_t step = std::int64_t(chunk);
        for (std::int64_t first = 0; first < R; first += step) {
            throw_if_cancelled();
            const std::int64_t count = std::min(step, R - first);
            Tensor x = X.narrow(0, first, count).detach();
            if (method != "cam") x = x.clone().requires_grad_(true);  // so that the layer's output is in the graph
            Tensor t = T.narrow(0, first, count);
            if (method == "cam") {
                torch::NoGradGuard no_grad;
                std::pair<Tensor, Tensor> la = im.forward_with_layer(c, layer, method, x);
                Tensor logits = la.first, a = la.second;
                im.check_targets(t);
                // the head: the last Linear leaf, whose weight [classes, K] must map GAP(A) to the logits
                Tensor weight, bias;
                std::string head;
                for (const auto& m : CaptureInternals::module(c).named_modules()) {
                    if (m.value.children().size() != 0 || extract_detail::module_type_name(m.value) != "Linear") continue;
                    if (!m.value.hasattr("weight")) continue;
                    head = m.name;
                    weight = m.value.attr("weight").toTensor();
                    bias = m.value.hasattr("bias") && m.value.attr("bias").isTensor() ? m.value.attr("bias").toTensor()
                                                                                       : torch::zeros({weight.size(0)});
                }
                const std::string refuse = "cam: model '" + im.path + "' is not global average pooling then one linear "
                                           "layer after layer '" + layer + "'";
                if (!weight.defined() || weight.dim() != 2 || weight.size(1) != a.size(1) ||
                    weight.size(0) != logits.size(1))
                    throw UserError(refuse + (weight.defined() ? " (its last linear layer '" + head + "' takes " +
                                                                     std::to_string(weight.size(1)) + " features, the layer has " +
                                                                     std::to_string(a.size(1)) + " channels)"
                                                               : " (it has no linear layer)") +
                                    "; use grad-cam");
                Tensor predicted = torch::linear(a.mean({2, 3}), weight, bias);
                double gap = (predicted - logits).abs().max().item<double>();
                double scale = std::max(1.0, logits.abs().max().item<double>());
                if (!(gap <= 1e-4 * scale))
                    throw UserError(refuse + " (the logits differ from " + head + "(GAP(" + layer + ")) by " +
                                    std::to_string(gap) + "); use grad-cam");
                Tensor wc = weight.index_select(0, t);  // [count, K]
                cams.push_back((wc.unsqueeze(2).unsqueeze(3) * a).sum(1));
            } else {
                std::pair<Tensor, Tensor> la = im.forward_with_layer(c, layer, method, x);
                Tensor logits = la.first, a = la.second;
                im.check_targets(t);
                Tensor sel = logits.gather(1, t.view({-1, 1})).sum();
Tensor g = gradient_at_layer(sel, a);
                a = a.detach();
                if (method == "grad-cam") {
                    Tensor alpha = g.mean({2, 3}, true);
                    cams.push_back(torch::relu((alpha * a).sum(1)));
                } else {
                    Tensor g2 = g.square(), g3 = g2 * g;
                    Tensor denom = 2 * g2 + a.sum({2, 3}, true) * g3;
                    Tensor alpha = torch::where(denom != 0, g2 / torch::where(denom != 0, denom, torch::ones_like(denom)),
                                                torch::zeros_like(denom));
                    Tensor wk = (alpha * torch::relu(g)).sum({2, 3}, true);
                    cams.push_back(torch::relu((wk * a).sum(1)));
                }
            }
        }
        out.cam = cams.size() == 1 ? cams[0] : torch::cat(cams);
        auto s = X.sizes().vec();
        out.map = upsample(out.cam, std::vector<std::int64_t>(s.begin() + 1, s.end()));
        out.layer = layer;
    } else if (explain_detail::is_relevance_method(method)) {
        if (!im.relevance) im.relevance = std::make_unique<explain_detail::RelevanceGraph>(im.module, im.path);
        const bool deeplift = method == "deeplift";
        out.map = im.relevance->attribute(method, X, T, index, o, deeplift ? baseline_of(method, X, index, o, mean) : Tensor(),
                                          deeplift ? &out.delta : nullptr, [&im](const Tensor& logits, const Tensor& t) {
                                              im.check_logits(logits, t.size(0));
                                              im.check_targets(t);
                                          });
    } else if (method == "guided-grad-cam") {
        // guided backpropagation times the upsampled Grad-CAM (one channel, broadcast over the input's)
        Rows cam = attribute_rows(im, "grad-cam", X, T, index, o, mean);
        Rows guided = attribute_rows(im, "guided-backprop", X, T, index, o, mean);
        out.map = guided.map * (X.dim() == 3 ? cam.map.squeeze(1) : cam.map);
        out.cam = cam.cam;
        out.layer = cam.layer;
    } else if (method == "smoothgrad" || method.rfind("smoothgrad:", 0) == 0) {
        const std::string base = method == "smoothgrad" ? "gradient" : method.substr(11);
        if (base.rfind("smoothgrad", 0) == 0) throw UserError("smoothgrad: the noise tunnel cannot wrap itself");
        if (o.samples < 1) throw UserError("smoothgrad: --samples must be at least 1");
        if (o.variant != "mean" && o.variant != "squared" && o.variant != "variance")
            throw UserError("smoothgrad: unknown --variant '" + o.variant + "' (expected mean, squared or variance)");
        if (!(o.noise >= 0)) throw UserError("smoothgrad: --noise must be at least 0");
        auto s = X.sizes().vec();
        std::vector<std::int64_t> per(s.begin() + 1, s.end());
        const std::int64_t n = o.samples;
        // each input's noise: n draws from a generator seeded by (seed, its dataset row); rows input-major
        // (input i's n noisy copies side by side), so each input's draws fill one contiguous block
        Tensor sigma = (X.reshape({R, -1}).amax(1) - X.reshape({R, -1}).amin(1)) * float(o.noise);  // [R]
        Tensor noise = torch::empty(with_batch(R * n, per));  // [R * n, ...]
        for (std::int64_t i = 0; i < R; ++i) {
            auto gen = at::make_generator<at::CPUGeneratorImpl>(mix(o.seed, std::uint64_t(index[std::size_t(i)]), 2));
            noise.narrow(0, i * n, n).normal_(0, 1, gen);
        }
        std::vector<std::int64_t> blocks = with_batch(R, with_batch(n, per)), sview(s.size() + 1, 1);
        sview[0] = R;
        Tensor noisy = (X.unsqueeze(1) + noise.view(blocks) * sigma.view(sview)).view(with_batch(R * n, per));
        std::vector<std::int64_t> idx;
        for (std::int64_t i = 0; i < R; ++i) idx.insert(idx.end(), std::size_t(n), index[std::size_t(i)]);
        Rows b = attribute_rows(im, base, noisy, T.repeat_interleave(n), idx, o, mean);
        auto ms = b.map.sizes().vec();
        Tensor maps = b.map.view(with_batch(R, with_batch(n, {ms.begin() + 1, ms.end()})));  // [R, n, ...]
        if (o.variant == "mean") out.map = maps.mean(1);
        else if (o.variant == "squared") out.map = maps.square().mean(1);
        else out.map = maps.var(1, false);
    } else {
        check_method(method);
        throw UserError("method '" + method + "' is not available");
    }
    return out;
}

Attribution Explainer::attribute(const std::string& method, const float* x, const std::vector<std::int64_t>& shape,
                                 const std::vector<std::int64_t>& targets, const std::vector<std::int64_t>& index,
                                 const MethodOptions& options, const std::vector<float>& mean_input) {
    check_method(method);
    const std::int64_t R = shape.at(0);
    if (std::int64_t(targets.size()) != R || std::int64_t(index.size()) != R)
        throw std::logic_error("Explainer::attribute: one target and one index per input expected");
    Tensor X = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32).clone();
    Tensor T = torch::tensor(targets, torch::kInt64);
    Tensor mean;
    if (!mean_input.empty())
        mean = torch::from_blob(const_cast<float*>(mean_input.data()), std::vector<std::int64_t>(shape.begin() + 1, shape.end()),
                                torch::kFloat32).clone();
    Rows r = attribute_rows(*impl_, method, X, T, index, options, mean);
    Attribution a;
    Tensor map = r.map.detach().to(torch::kFloat32).contiguous();
    a.shape.assign(map.sizes().begin() + 1, map.sizes().end());
    a.values.assign(map.data_ptr<float>(), map.data_ptr<float>() + map.numel());
    if (r.delta.defined()) {
        Tensor d = r.delta.detach().contiguous();
        a.delta.assign(d.data_ptr<float>(), d.data_ptr<float>() + d.numel());
    }
    if (r.cam.defined()) {
        Tensor c = r.cam.detach().to(torch::kFloat32).contiguous();
        a.cam_shape.assign(c.sizes().begin() + 1, c.sizes().end());
        a.cam.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        a.layer = r.layer;
    }
    return a;
}

}  // namespace actopo
