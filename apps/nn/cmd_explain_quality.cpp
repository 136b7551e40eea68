// `actopo explain-quality`: every explanation method side by side on the same inputs: selectivity
// (pixel-flipping, AOPC), continuity, infidelity, max-sensitivity and the cascading model-randomisation check.
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "command.hpp"

namespace {

void setup(CLI::App& app) {
    auto o = std::make_shared<actopo::QualityOptions>();
    auto methods = std::make_shared<std::string>("saliency,gradient-x-input,integrated-gradients");
    auto no_random = std::make_shared<bool>(false);
    app.add_option("--model", o->model, "TorchScript model file")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train] or data.h5")->capture_default_str();
    app.add_option("--limit", o->limit, "The first N inputs")->capture_default_str();
    app.add_option("--method", *methods, "Comma-separated methods (as for actopo explain)")->capture_default_str();
    app.add_option("--target", o->target, "label, predicted or a class index")->capture_default_str();
    app.add_option("--layer", o->method.layer, "CAM methods: a convolutional layer (default: the last one)");
    app.add_option("--baseline", o->method.baseline, "integrated-gradients: zero | mean | blur | uniform")->capture_default_str();
    app.add_option("--steps", o->method.steps, "integrated-gradients: steps")->capture_default_str();
    app.add_option("--rule", o->method.rule, "integrated-gradients: midpoint | gauss-legendre")->capture_default_str();
    app.add_option("--noise", o->method.noise, "smoothgrad: noise level")->capture_default_str();
    app.add_option("--samples", o->method.samples, "smoothgrad: samples")->capture_default_str();
    app.add_option("--variant", o->method.variant, "smoothgrad: mean | squared | variance")->capture_default_str();
    app.add_option("--window", o->method.window, "occlusion: window")->capture_default_str();
    app.add_option("--stride", o->method.stride, "occlusion: stride")->capture_default_str();
    app.add_option("--seed", o->method.seed, "Seed of every random draw")->capture_default_str();
    app.add_option("--internal-batch", o->method.internal_batch, "Model inputs per pass")->capture_default_str();
    app.add_option("--patch", o->patch, "Pixel-flipping: patch size in pixels")->capture_default_str();
    app.add_option("--flip-steps", o->flip_steps, "Pixel-flipping: patches removed")->capture_default_str();
    app.add_option("--flip-value", o->flip_value, "Pixel-flipping: value of a removed patch")->capture_default_str();
    app.add_option("--radius", o->radius, "Continuity, max-sensitivity, infidelity: perturbation size (x range units)")->capture_default_str();
    app.add_option("--perturbations", o->perturbations, "Perturbed copies per input")->capture_default_str();
    app.add_flag("--no-randomisation", *no_random, "Skip the model-randomisation check");
    app.add_option("--threads", o->threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", o->output, "Output folder: quality.md, quality.csv, curves.csv, perturbation.svg/png")->required();
    app.add_flag("--force", o->force, "Replace existing outputs");
    app.footer("Example:\n  actopo explain-quality --model cnn.pt --limit 100 --method saliency,integrated-gradients,smoothgrad,grad-cam,occlusion -o quality/");
    app.callback([o, methods, no_random] {
        o->methods.clear();
        for (const auto& s : actopo::split(*methods, ','))
            if (!actopo::trim(s).empty()) o->methods.push_back(actopo::trim(s));
        o->randomisation = !*no_random;
        auto r = actopo::explain_quality(*o);
        std::printf("%zu inputs\n%-28s %10s %12s %12s %11s %10s\n", r.inputs, "method", "AOPC", "continuity",
                    "max-sens.", "infidelity", "rand. rho");
        for (const auto& q : r.methods)
            std::printf("%-28s %10.4g %12.4g %12.4g %11.4g %10.3f\n", q.method.c_str(), q.aopc, q.continuity,
                        q.max_sensitivity, q.infidelity, q.rank_correlation.empty() ? 0.0 : q.rank_correlation.back());
        for (const auto& f : r.files) std::printf("  %s\n", f.c_str());
    });
}

actopo::cli::Registration reg{"explain-quality", "Explanation quality: pixel-flipping (AOPC), continuity, infidelity, max-sensitivity, randomisation check", setup};

}  // namespace
