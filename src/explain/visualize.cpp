// `actopo visualize`: activation maximisation by regularised gradient ascent in pixel space (Erhan et al. 2009,
// Simonyan et al. 2014; definitions in docs/visualize.md), the first layer's filters and a layer's activation
// maps, drawn as image grids. Every unit of a layer is optimised as one batch (row b maximises unit units[b]):
// a model without batch interaction (eval mode) gives each row the gradient of its own unit.
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/extract.hpp"
#include "actopo/plot.hpp"
#include "actopo/store.hpp"
#include "actopo/visualize.hpp"
#include "explain/internal.hpp"
#include "explain/tensor_ops.hpp"
#include "extract/capture_internals.hpp"
#include "extract/torchscript.hpp"
#include "store/hdf5_util.hpp"

namespace actopo {

using torch::Tensor;
namespace fs = std::filesystem;

std::vector<std::int64_t> parse_units(const std::string& text) {
    const std::string bad = "--units '" + text + "' is not a list of unit numbers and ranges such as 0-15 or 3,5,9-11";
    std::vector<std::int64_t> out;
    for (const auto& part : split(text, ',')) {
        const std::string p = trim(part);
        const auto dash = p.find('-');
        const std::string a = p.substr(0, dash), b = dash == std::string::npos ? a : p.substr(dash + 1);
        const auto whole = [](const std::string& s) {
            return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
        };
        if (!whole(a) || !whole(b)) throw UserError(bad);
        const std::int64_t lo = std::stoll(a), hi = std::stoll(b);
        if (hi < lo) throw UserError(bad + " (the range " + p + " runs backwards)");
        for (std::int64_t u = lo; u <= hi; ++u) out.push_back(u);
    }
    if (out.empty()) throw UserError(bad);
    return out;
}

namespace {

// The per-input shape the model is fed: --input-shape, else the dataset's.
std::vector<std::int64_t> input_shape(const VisualizeOptions& o) {
    if (!o.input_shape.empty()) return o.input_shape;
    return open_dataset(o.dataset, 1)->sample_shape();
}

std::vector<std::int64_t> with_batch(std::int64_t b, const std::vector<std::int64_t>& per) {
    std::vector<std::int64_t> s{b};
    s.insert(s.end(), per.begin(), per.end());
    return s;
}

// A forward x -> the output of one layer (or the logits), on the extraction's rewritten graph with everything
// after the layer removed.
struct LayerForward {
    std::string model_path, layer;
    std::unique_ptr<LayerCapture> capture;  // owns the module of a layer's forward
    torch::jit::Module module;
    std::unique_ptr<torch::jit::GraphFunction> fn;

    LayerForward(const std::string& path, const std::string& layer_name) : model_path(path), layer(layer_name) {
        std::shared_ptr<torch::jit::Graph> graph;
        if (layer.empty()) {  // the logits
            module = extract_detail::load_torchscript(path);
            graph = module.get_method("forward").graph()->copy();
            layer = "logits";
        } else {
            capture = std::make_unique<LayerCapture>(path, std::vector<std::string>{layer});
            module = CaptureInternals::module(*capture);
            graph = torch::jit::toGraphFunction(CaptureInternals::capture_function(*capture)).graph()->copy();
            torch::jit::Value* value = graph->outputs()[0]->node()->input(1);  // (logits, layer): keep the layer
            graph->eraseOutput(0);
            graph->registerOutput(value);
            torch::jit::EliminateDeadCode(graph);
        }
        for (auto p : module.parameters()) p.requires_grad_(false);
        fn = std::make_unique<torch::jit::GraphFunction>("actopo_visualize", graph, nullptr,
                                                         torch::jit::ExecutorExecutionMode::SIMPLE);
    }

    Tensor operator()(const Tensor& x) {
        torch::jit::IValue r;
        try {
            r = (*fn)({module._ivalue(), x});
        } catch (const std::exception& e) {
            throw extract_detail::forward_error(model_path, *fn, module, x.sizes().vec(), std::nullopt, e);
        }
        if (!r.isTensor() || r.toTensor().dim() < 2 || r.toTensor().size(0) != x.size(0))
            throw UserError("layer '" + layer + "' of model '" + model_path + "' does not return one tensor [N, units, ...] "
                            "for a batch of " + std::to_string(x.size(0)) + " inputs");
        return r.toTensor();
    }
};

// The decoder of code-space maximisation: a TorchScript module with a method decode(z) for codes z [B, code_size]
// and an int attribute code_size (what `actopo train --arch autoencoder` saves).
struct Decoder {
    std::string path;
    torch::jit::Module module;
    std::int64_t code = 0;

    Decoder(const std::string& p, const std::string& model, const std::vector<std::int64_t>& per) : path(p) {
        module = extract_detail::load_torchscript(path);
        if (!module.find_method("decode") || !module.hasattr("code_size") || !module.attr("code_size").isInt())
            throw UserError("decoder '" + path + "' has no method decode(z) and int attribute code_size; train one "
                            "with actopo train --arch autoencoder");
        for (auto p : module.parameters()) p.requires_grad_(false);
        code = module.attr("code_size").toInt();
        torch::NoGradGuard no_grad;
        Tensor x = (*this)(torch::zeros({1, code}));
        const std::vector<std::int64_t> got(x.sizes().begin() + 1, x.sizes().end());
        if (got != per)
            throw UserError("decoder '" + path + "' decodes a code of " + std::to_string(code) + " values to " +
                            shape_string(got) + ", but model '" + model + "' takes " + shape_string(per) +
                            " (--input-shape or the dataset's)");
    }

    Tensor operator()(const Tensor& z) {
        torch::jit::IValue r;
        try {
            r = module.get_method("decode")({z});
        } catch (const std::exception& e) {
            throw UserError("decoder '" + path + "' cannot decode codes of shape " + shape_string(z.sizes().vec()) + " (" +
                            extract_detail::error_summary(e) + ")");
        }
        if (!r.isTensor() || r.toTensor().dim() < 1 || r.toTensor().size(0) != z.size(0))
            throw UserError("decoder '" + path + "' does not return one tensor [N, ...] for N codes");
        return r.toTensor();
    }
};

// Row b's activation of unit units[b]: A[b, u], averaged over the positions of a feature map.
Tensor unit_activation(const Tensor& a, const Tensor& units) {
    const std::int64_t b = a.size(0);
    Tensor flat = a.reshape({b, a.size(1), -1});  // [B, units, positions]
    return flat.gather(1, units.view({b, 1, 1}).expand({b, 1, flat.size(2)})).mean({1, 2});
}

// Anisotropic total variation per row: sum of |differences| of neighbouring pixels over the last two axes.
Tensor total_variation(const Tensor& x) {
    const std::int64_t d = x.dim();
    Tensor dy = (x.narrow(d - 2, 1, x.size(d - 2) - 1) - x.narrow(d - 2, 0, x.size(d - 2) - 1)).abs();
    Tensor dx = (x.narrow(d - 1, 1, x.size(d - 1) - 1) - x.narrow(d - 1, 0, x.size(d - 1) - 1)).abs();
    return dy.reshape({x.size(0), -1}).sum(1) + dx.reshape({x.size(0), -1}).sum(1);
}

void check_ascent(const AscentOptions& a) {
    if (a.steps < 1) throw UserError("--steps must be at least 1");
    if (!(a.lr > 0)) throw UserError("--lr must be positive");
    if (a.jitter < 0 || a.blur_every < 1 || a.l2 < 0 || a.tv < 0 || a.blur_sigma < 0)
        throw UserError("--jitter, --l2, --tv and --blur-sigma must be at least 0, --blur-every at least 1");
    if (!(a.lo < a.hi))
        throw UserError("--input-min " + format_number(a.lo, 3) + " must be below --input-max " + format_number(a.hi, 3));
    if (a.internal_batch == 0) throw UserError("--internal-batch must be at least 1");
}

// The ascent for one batch of units; fills rows [first, first + count) of `out`. With a decoder the code z is
// optimised and the image is decode(z) (L2 on the code; no blur or clamp: the decoder keeps images natural).
void ascend(LayerForward& forward, Decoder* decoder, const std::vector<std::int64_t>& per,
            const std::vector<std::int64_t>& units, const AscentOptions& a, UnitImages& out, std::size_t first,
            Progress& progress) {
    const std::int64_t n = std::int64_t(units.size());
    const bool image = per.size() >= 2;
    // the start, from a generator per unit: pixels mid-grey with +-10 % uniform noise; a code N(0, 1)
    std::vector<Tensor> starts;
    for (auto u : units) {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(a.seed * (std::uint64_t(1) << 20) + std::uint64_t(u));
        starts.push_back(decoder ? torch::randn({decoder->code}, gen) : torch::rand(per, gen));
    }
    const double span = a.hi - a.lo;
    Tensor v = decoder ? torch::stack(starts) : (torch::stack(starts) - 0.5) * (0.2 * span) + (a.lo + 0.5 * span);
    const auto image_of = [&](const Tensor& var) { return decoder ? (*decoder)(var) : var; };
    auto jitter_gen = at::make_generator<at::CPUGeneratorImpl>(a.seed);
    Tensor u = torch::tensor(units, torch::kInt64);
    Tensor trace = torch::empty({n, a.steps}), initial;
    {
        torch::NoGradGuard no_grad;
        initial = unit_activation(forward(image_of(v)), u).contiguous();
    }
    const std::vector<std::int64_t> axes{std::int64_t(per.size()) - 1, std::int64_t(per.size())};
    std::vector<std::int64_t> view(std::size_t(v.dim()), 1);
    view[0] = n;
    for (int t = 0; t < a.steps; ++t) {
        throw_if_cancelled();
        v.requires_grad_(true);
        Tensor x = image_of(v), shifted = x;
        if (image && a.jitter > 0) {
            Tensor s = torch::randint(-a.jitter, a.jitter + 1, {2}, jitter_gen);
            shifted = torch::roll(x, {s[0].item<std::int64_t>(), s[1].item<std::int64_t>()}, axes);
        }
        Tensor act = unit_activation(forward(shifted), u);
        Tensor objective = act - a.l2 * v.square().reshape({n, -1}).sum(1);
        if (image && a.tv > 0) objective = objective - a.tv * total_variation(x);
        Tensor g = torch::autograd::grad({objective.sum()}, {v})[0];
        trace.select(1, t).copy_(act.detach());
        torch::NoGradGuard no_grad;
        v = v.detach();
        Tensor rms = g.square().reshape({n, -1}).mean(1).sqrt().view(view);
        v.add_(g / (rms + 1e-12), a.lr);
        if (!decoder) {
            if (image && a.blur_sigma > 0 && (t + 1) % a.blur_every == 0) v = explain_detail::gaussian_blur(v, a.blur_sigma);
            v.clamp_(a.lo, a.hi);
        }
        progress.advance(std::uint64_t(n));
    }
    Tensor x, reached;
    {
        torch::NoGradGuard no_grad;
        x = image_of(v).contiguous();
        reached = unit_activation(forward(x), u).contiguous();
    }
    const std::size_t size = per_input_size(per);
    trace = trace.contiguous();
    std::copy(x.data_ptr<float>(), x.data_ptr<float>() + x.numel(), out.images.begin() + std::ptrdiff_t(first * size));
    std::copy(trace.data_ptr<float>(), trace.data_ptr<float>() + trace.numel(),
              out.trace.begin() + std::ptrdiff_t(first * std::size_t(a.steps)));
    if (decoder) {
        v = v.contiguous();
        std::copy(v.data_ptr<float>(), v.data_ptr<float>() + v.numel(),
                  out.codes.begin() + std::ptrdiff_t(first * std::size_t(decoder->code)));
    }
    for (std::int64_t i = 0; i < n; ++i) {
        out.initial[first + std::size_t(i)] = initial[i].item<float>();
        out.reached[first + std::size_t(i)] = reached[i].item<float>();
    }
}

// Refuses an existing output file unless force (before any work).
void check_free(const std::string& path, bool force) {
    if (fs::exists(path) && !force) throw UserError("output '" + path + "' already exists (use --force to replace it)");
}

// Makes the output folder (UserError when it is a file).
void make_folder(const std::string& folder) {
    if (folder.empty()) throw UserError("visualize needs an output folder (-o DIR)");
    if (fs::exists(folder) && !fs::is_directory(folder))
        throw UserError("-o '" + folder + "' is a file; expected a folder (made when missing)");
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw UserError("-o '" + folder + "': cannot create the folder (" + ec.message() + ")");
}

void write_floats(hid_t loc, const std::string& name, const std::vector<float>& v, const std::vector<std::int64_t>& shape) {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    h5::Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr));
    h5::Handle ds = h5::check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              "cannot create dataset " + name);
    h5::check_status(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "cannot write " + name);
}

// The ascent's file (docs/formats.md, "Activation maximisation").
void write_unit_file(const std::string& path, const VisualizeOptions& o, const UnitImages& r, bool force) {
    AtomicOutput out(path, force);
    h5::silence_errors();
    {
        h5::Handle fcpl = h5::untimed(H5P_FILE_CREATE);
        h5::Handle f = h5::check(H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT),
                                 out.temp_path() + ": cannot create the file");
        const auto& a = o.ascent;
        // the numbers with every digit, so that the file says exactly which ascent made it
        auto exact = [](double v) { return format_number(v, 17); };
        for (const auto& [k, v] : std::map<std::string, std::string>{
                 {"format", "actopo-visualization"}, {"model", o.model}, {"model_sha256", sha256_file(o.model)},
                 {"layer", r.layer}, {"target", o.target}, {"created", store_created_time()},
                 {"actopo_version", version()}, {"lr", exact(a.lr)}, {"l2", exact(a.l2)}, {"tv", exact(a.tv)},
                 {"blur_sigma", exact(a.blur_sigma)}, {"input_min", exact(a.lo)}, {"input_max", exact(a.hi)}})
            h5::write_string_attr(f, k, v);
        for (const auto& [k, v] : std::map<std::string, std::int64_t>{
                 {"version", 1}, {"steps", a.steps}, {"jitter", a.jitter}, {"blur_every", a.blur_every},
                 {"seed", std::int64_t(a.seed)}})
            h5::write_int_attr(f, k, v);
        const std::int64_t n = std::int64_t(r.units.size());
        {
            std::vector<hsize_t> dims{hsize_t(n)};
            h5::Handle space(H5Screate_simple(1, dims.data(), nullptr));
            h5::Handle ds = h5::check(H5Dcreate2(f, "units", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                      "cannot create dataset units");
            h5::check_status(H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, r.units.data()), "cannot write units");
        }
        write_floats(f, "images", r.images, with_batch(n, r.image_shape));
        write_floats(f, "activation", r.reached, {n});
        write_floats(f, "initial_activation", r.initial, {n});
        write_floats(f, "trace", r.trace, {n, std::int64_t(r.trace.size()) / std::max<std::int64_t>(1, n)});
        if (!o.decoder.empty()) {
            h5::write_string_attr(f, "decoder", o.decoder);
            h5::write_string_attr(f, "decoder_sha256", sha256_file(o.decoder));
            write_floats(f, "codes", r.codes, {n, std::int64_t(r.codes.size()) / std::max<std::int64_t>(1, n)});
        }
    }
    out.commit();
}

// A per-input array [C, H, W] (C = 1 or 3: as is; other C: the mean over channels), [H, W], or [D] (as square as
// possible) as a tile.
ImageTile tile_of(const float* v, const std::vector<std::int64_t>& shape, TilePaint paint) {
    ImageTile t;
    t.paint = paint;
    const std::size_t size = per_input_size(shape);
    if (shape.size() >= 2) {
        t.height = std::size_t(shape[shape.size() - 2]);
        t.width = std::size_t(shape[shape.size() - 1]);
    } else {
        t.width = std::size_t(std::ceil(std::sqrt(double(size))));
        t.height = (size + t.width - 1) / t.width;
    }
    const std::size_t plane = t.height * t.width, c = shape.size() >= 3 ? size / plane : 1;
    t.channels = c == 3 && paint == TilePaint::grey ? 3 : 1;
    t.values.assign(t.channels * plane, 0);
    if (t.channels == 3 || shape.size() < 2) {
        std::copy(v, v + size, t.values.begin());
    } else {
        for (std::size_t k = 0; k < c; ++k)
            for (std::size_t i = 0; i < plane; ++i) t.values[i] += v[k * plane + i] / float(c);
    }
    return t;
}

}  // namespace

UnitImages maximise_units(const VisualizeOptions& o) {
    check_ascent(o.ascent);
    if (o.target != "unit" && o.target != "class") throw UserError("--target '" + o.target + "': expected unit or class");
    if (o.target == "unit" && o.layer.empty()) throw UserError("--layer is required with --target unit (or use --target class)");
    if (o.threads > 0) at::set_num_threads(o.threads);
    explain_detail::keep_freed_memory();
    const std::vector<std::int64_t> per = input_shape(o);
    LayerForward forward(o.model, o.target == "class" ? "" : o.layer);
    std::vector<std::int64_t> layer_shape;
    {
        torch::NoGradGuard no_grad;
        auto s = forward(torch::zeros(with_batch(1, per))).sizes().vec();
        layer_shape.assign(s.begin() + 1, s.end());
    }
    const std::int64_t count = layer_shape.at(0);
    const std::string what = o.target == "class" ? "model '" + o.model + "' has " + std::to_string(count) + " classes"
                                                 : "layer '" + o.layer + "' has " + std::to_string(count) + " units";
    UnitImages r;
    r.layer = forward.layer;
    r.image_shape = per;
    if (o.units.empty()) {
        for (std::int64_t k = 0; k < count; ++k) r.units.push_back(k);
    } else {
        r.units = parse_units(o.units);
        for (auto k : r.units)
            if (k >= count)
                throw UserError("--units asks for unit " + std::to_string(k) + " but " + what + " (0-" +
                                std::to_string(count - 1) + ")");
    }
    std::unique_ptr<Decoder> decoder;
    if (!o.decoder.empty()) decoder = std::make_unique<Decoder>(o.decoder, o.model, per);
    const std::size_t n = r.units.size(), chunk = o.ascent.internal_batch;
    if (decoder) r.codes.assign(n * std::size_t(decoder->code), 0);
    r.images.assign(n * per_input_size(per), 0);
    r.trace.assign(n * std::size_t(o.ascent.steps), 0);
    r.initial.assign(n, 0);
    r.reached.assign(n, 0);
    Progress progress("visualize " + r.layer, std::uint64_t(n) * std::uint64_t(o.ascent.steps));
    for (std::size_t first = 0; first < n; first += chunk) {
        const std::size_t c = std::min(chunk, n - first);
        ascend(forward, decoder.get(), per, {r.units.begin() + std::ptrdiff_t(first), r.units.begin() + std::ptrdiff_t(first + c)},
               o.ascent, r, first, progress);
    }
    progress.finish();
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(r.reached[i]))
            throw UserError("visualize: the activation of unit " + std::to_string(r.units[i]) + " of " + r.layer +
                            " became " + std::to_string(r.reached[i]) + " (try a smaller --lr); nothing was written");
    return r;
}

std::vector<std::string> visualize_units(const VisualizeOptions& o) {
    const std::string stem = (fs::path(o.output) / safe_file_name(o.target == "class" ? "logits" : o.layer)).string();
    check_free(stem + ".h5", o.force);
    for (const auto& p : figure_paths(stem)) check_free(p, o.force);
    UnitImages r = maximise_units(o);
    make_folder(o.output);
    std::vector<std::string> class_names;  // for the captions of logits, when the dataset names its classes
    if (o.target == "class") try {
            class_names = open_dataset(o.dataset, 1)->class_names();
        } catch (const UserError&) {
        }
    std::vector<ImageTile> tiles;
    const std::size_t size = per_input_size(r.image_shape);
    for (std::size_t i = 0; i < r.units.size(); ++i) {
        ImageTile t = tile_of(r.images.data() + i * size, r.image_shape, TilePaint::grey);
        t.lo = o.ascent.lo;
        t.hi = o.ascent.hi;
        const std::size_t k = std::size_t(r.units[i]);
        t.caption = (o.target == "class" ? "class " : "unit ") + std::to_string(k) +
                    (o.target == "class" && k < class_names.size() ? " " + class_names[k] : "");
        const auto trace = r.trace.begin() + std::ptrdiff_t(i * std::size_t(o.ascent.steps));
        const bool never = r.reached[i] == 0 && std::all_of(trace, trace + o.ascent.steps, [](float v) { return v == 0; });
        t.caption2 = never ? "act 0, never fired" : "act " + format_number(r.reached[i], 3);
        tiles.push_back(std::move(t));
    }
    ImageGridStyle style;
    style.title = std::string(o.decoder.empty() ? "Activation maximisation: " : "Activation maximisation in code space: ") +
                  r.layer + " of " + fs::path(o.model).filename().string() + " (" +
                  std::to_string(o.ascent.steps) + " steps, seed " + std::to_string(o.ascent.seed) + ")";
    style.note = "Each tile: the input that maximises the unit" +
                 (o.decoder.empty() ? std::string(", from mid-grey noise")
                                    : ", decoded by " + fs::path(o.decoder).filename().string() + " from the best code") +
                 " (" + format_number(o.ascent.lo, 3) + " = black, " + format_number(o.ascent.hi, 3) +
                 " = white); under it the activation reached (never fired: no gradient)";
    write_image_grid(tiles, style, stem, o.force);
    write_unit_file(stem + ".h5", o, r, o.force);
    std::vector<std::string> written = figure_paths(stem);
    written.push_back(stem + ".h5");
    return written;
}

std::vector<std::string> draw_filters(const VisualizeOptions& o) {
    torch::jit::Module module = extract_detail::load_torchscript(o.model);
    const std::vector<std::int64_t> per = input_shape(o);
    std::string name;
    Tensor w;
    for (const auto& m : module.named_modules()) {
        if (m.name.empty() || m.value.children().size() != 0 || !m.value.hasattr("weight")) continue;
        const auto& attr = m.value.attr("weight");
        if (!attr.isTensor() || (attr.toTensor().dim() != 4 && attr.toTensor().dim() != 2)) continue;
        name = m.name;
        w = attr.toTensor().detach().to(torch::kFloat32).contiguous();
        break;
    }
    if (!w.defined())
        throw UserError("model '" + o.model + "' has no convolutional or linear layer with a weight to draw as filters");
    std::vector<std::int64_t> shape;  // per filter
    if (w.dim() == 4) {
        shape = {w.size(1), w.size(2), w.size(3)};
    } else {
        if (w.size(1) != std::int64_t(per_input_size(per)))
            throw UserError("the first layer '" + name + "' of model '" + o.model + "' takes " + std::to_string(w.size(1)) +
                            " inputs, not the input shape " + shape_string(per) + " (" +
                            std::to_string(per_input_size(per)) + " values); give --input-shape");
        shape = per;
    }
    const std::string stem = (fs::path(o.output) / safe_file_name(name + "-filters")).string();
    for (const auto& p : figure_paths(stem)) check_free(p, o.force);
    make_folder(o.output);
    const bool rgb = shape.size() == 3 && shape[0] == 3;
    std::vector<ImageTile> tiles;
    const std::size_t size = per_input_size(shape);
    for (std::int64_t k = 0; k < w.size(0); ++k) {
        ImageTile t = tile_of(w.data_ptr<float>() + std::size_t(k) * size, shape, rgb ? TilePaint::grey : TilePaint::diverging);
        t.caption = "filter " + std::to_string(k);
        tiles.push_back(std::move(t));
    }
    ImageGridStyle style;
    style.title = "Filters of the first layer '" + name + "' of " + fs::path(o.model).filename().string() + " (" +
                  shape_string(w.sizes().vec()) + ")";
    style.note = rgb ? "RGB, each filter stretched to its own range"
                     : std::string("Blue negative, white 0, red positive weights, each filter scaled to its own max |w|") +
                           (shape.size() == 3 && shape[0] > 1 ? " (mean over the input channels)" : "");
    style.cell = 56;
    style.columns = std::min<std::size_t>(16, tiles.size());
    write_image_grid(tiles, style, stem, o.force);
    return figure_paths(stem);
}

std::vector<std::string> draw_activation_maps(const VisualizeOptions& o, std::size_t inputs) {
    if (o.layer.empty()) throw UserError("--activation-maps needs --layer (a layer whose output is a feature map)");
    auto data = open_dataset(o.dataset, inputs);
    const std::size_t n = data->size();
    if (n == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    const std::vector<std::int64_t> per = data->sample_shape();
    std::vector<float> x(n * per_input_size(per));
    std::vector<std::int64_t> labels(n);
    data->read(0, n, x.data(), labels.data());
    LayerCapture capture(o.model, {o.layer}, o.threads);
    capture.run(x.data(), with_batch(std::int64_t(n), per));
    const std::vector<std::int64_t> shape = capture.layer_shape(0);
    if (shape.size() != 3)
        throw UserError("layer '" + o.layer + "' of model '" + o.model + "' outputs " + shape_string(shape) +
                        " per input, not feature maps [C, H, W]; --activation-maps needs a convolutional layer");
    const std::string stem = (fs::path(o.output) / safe_file_name(o.layer + "-maps")).string();
    for (const auto& p : figure_paths(stem)) check_free(p, o.force);
    make_folder(o.output);
    const float* a = capture.layer_data(0);
    const std::size_t channels = std::size_t(shape[0]), plane = std::size_t(shape[1] * shape[2]);
    const float hi = *std::max_element(a, a + n * channels * plane), lo = std::min(0.0f, *std::min_element(a, a + n * channels * plane));
    const auto names = data->class_names();
    std::vector<ImageTile> tiles;
    for (std::size_t i = 0; i < n; ++i) {
        ImageTile in = tile_of(x.data() + i * per_input_size(per), per, TilePaint::grey);
        in.caption = "input " + std::to_string(i);
        in.caption2 = labels[i] >= 0 && std::size_t(labels[i]) < names.size() ? names[std::size_t(labels[i])]
                                                                               : "label " + std::to_string(labels[i]);
        tiles.push_back(std::move(in));
        for (std::size_t c = 0; c < channels; ++c) {
            ImageTile t = tile_of(a + (i * channels + c) * plane, {shape[1], shape[2]}, TilePaint::heat);
            t.lo = lo;
            t.hi = hi > lo ? hi : lo + 1;
            t.caption = "ch " + std::to_string(c);
            float peak = *std::max_element(a + (i * channels + c) * plane, a + (i * channels + c + 1) * plane);
            t.caption2 = "max " + format_number(peak, 3);
            tiles.push_back(std::move(t));
        }
    }
    ImageGridStyle style;
    style.title = "Activation maps of '" + o.layer + "' (" + std::to_string(channels) + " channels) of " +
                  fs::path(o.model).filename().string() + ", one row per input";
    style.note = "One colour scale for the whole grid: dark = " + format_number(lo, 3) + ", yellow = " + format_number(hi, 3) +
                 " (the largest activation shown)";
    style.columns = channels + 1;
    style.cell = 48;
    write_image_grid(tiles, style, stem, o.force);
    return figure_paths(stem);
}

}  // namespace actopo
