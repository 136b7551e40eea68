// `actopo explain`: attribution maps of a TorchScript classifier for a dataset, every method side by side, into
// one HDF5 file (layout in docs/formats.md; the methods in docs/explain.md).
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "command.hpp"

namespace {

std::vector<std::string> list(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& s : actopo::split(text, ','))
        if (!actopo::trim(s).empty()) out.push_back(actopo::trim(s));
    return out;
}

// The options every explanation method shares with `explain-quality`.
void add_method_options(CLI::App& app, actopo::MethodOptions& m, std::string& target) {
    app.add_option("--target", target, "Class to explain: label, predicted or a class index")->capture_default_str();
    app.add_option("--layer", m.layer, "cam, grad-cam, grad-cam++: a convolutional layer (default: the last one)");
    app.add_option("--baseline", m.baseline, "integrated-gradients: zero | mean | blur | uniform")->capture_default_str();
    app.add_option("--steps", m.steps, "integrated-gradients: integration steps")->capture_default_str();
    app.add_option("--rule", m.rule, "integrated-gradients: midpoint (Riemann) | gauss-legendre")->capture_default_str();
    app.add_option("--blur-sigma", m.blur_sigma, "integrated-gradients --baseline blur: Gaussian sigma in pixels")->capture_default_str();
    app.add_option("--noise", m.noise, "smoothgrad: noise sigma as a fraction of (max x - min x)")->capture_default_str();
    app.add_option("--samples", m.samples, "smoothgrad: noisy copies per input")->capture_default_str();
    app.add_option("--variant", m.variant, "smoothgrad: mean | squared | variance (VarGrad)")->capture_default_str();
    app.add_option("--window", m.window, "occlusion: window size in pixels")->capture_default_str();
    app.add_option("--stride", m.stride, "occlusion: window stride in pixels")->capture_default_str();
    app.add_option("--occlusion-value", m.occlusion_value, "occlusion: the value the window is filled with")->capture_default_str();
    app.add_option("--seed", m.seed, "Seed of smoothgrad's noise and the uniform baseline")->capture_default_str();
    app.add_option("--internal-batch", m.internal_batch, "Model inputs per forward/backward pass (bounds memory)")->capture_default_str();
}

void setup(CLI::App& app) {
    auto o = std::make_shared<actopo::ExplainOptions>();
    auto methods = std::make_shared<std::string>("saliency");
    app.add_option("--model", o->model, "TorchScript model file (scripted or traced)")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train] or data.h5 (/x float32, /labels int64)")->capture_default_str();
    app.add_option("--limit", o->limit, "The first N inputs only (0: all)");
    app.add_option("--method", *methods,
                   "Comma-separated: gradient, saliency, saliency-max, gradient-x-input, integrated-gradients, cam, "
                   "grad-cam, grad-cam++, occlusion, smoothgrad (over gradient) or smoothgrad:<method>")
        ->capture_default_str();
    add_method_options(app, o->method, o->target);
    app.add_option("--batch", o->batch, "Dataset inputs per step")->capture_default_str();
    app.add_option("--threads", o->threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", o->output, "Attribution file to write (.h5)")->required();
    app.add_option("--pictures", o->pictures, "Folder for pictures: per method a grid of inputs with maps, per-class means");
    app.add_option("--picture-count", o->picture_count, "Inputs per picture grid")->capture_default_str();
    app.add_flag("--force", o->force, "Replace an existing output");
    app.footer(
        "Examples:\n"
        "  actopo explain --model cnn.pt --dataset fashion-mnist:test --limit 100 \\\n"
        "      --method saliency,integrated-gradients,smoothgrad --target label -o attributions.h5 --pictures pics\n"
        "  actopo explain --model resnet.pt --method grad-cam,grad-cam++ --layer layer2.0.relu2 -o cams.h5\n"
        "  actopo explain --model cnn.pt --method integrated-gradients --baseline blur --steps 32 --rule gauss-legendre -o ig.h5\n"
        "  actopo explain --model cnn.pt --method occlusion --window 6 --stride 3 -o occ.h5");
    app.callback([o, methods] {
        o->methods = list(*methods);
        auto r = actopo::explain_attributions(*o);
        std::printf("%s: %zu inputs, %zu methods in %.1f s\n", o->output.c_str(), r.inputs, o->methods.size(), r.total_seconds);
        for (const auto& m : o->methods) {
            std::printf("  %-32s %.2f s", m.c_str(), r.seconds[m]);
            if (r.mean_abs_delta.count(m)) std::printf("  mean |completeness error| %.3g", r.mean_abs_delta[m]);
            std::printf("\n");
        }
        for (const auto& p : r.pictures) std::printf("  picture %s\n", p.c_str());
    });
}

actopo::cli::Registration reg{"explain", "Attribution maps (saliency, integrated gradients, SmoothGrad, CAM family, occlusion)", setup};

}  // namespace
