// `actopo explain-quality`: every explanation method side by side on the same inputs: selectivity
// (pixel-flipping, AOPC), continuity, infidelity, max-sensitivity and the cascading model-randomisation check.
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "explain_options.hpp"

namespace {

void setup(CLI::App& app) {
    auto o = std::make_shared<actopo::QualityOptions>();
    auto no_random = std::make_shared<bool>(false);
    using actopo::cli::add_stage_option;
    app.add_option("--model", o->model, "TorchScript model file")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train] or data.h5")->capture_default_str();
    add_stage_option(app, "explain-quality", "limit", o->limit)->capture_default_str();
    add_stage_option(app, "explain", "method", o->methods)->default_str(actopo::join(o->methods, ","));
    actopo::cli::add_explain_method_options(app, o->method, o->target);
    add_stage_option(app, "explain-quality", "patch", o->patch)->capture_default_str();
    add_stage_option(app, "explain-quality", "flip-steps", o->flip_steps)->capture_default_str();
    add_stage_option(app, "explain-quality", "flip-value", o->flip_value)->capture_default_str();
    add_stage_option(app, "explain-quality", "radius", o->radius)->capture_default_str();
    add_stage_option(app, "explain-quality", "perturbations", o->perturbations)->capture_default_str();
    app.add_flag("--no-randomisation", *no_random, "Skip the model-randomisation check");
    app.add_option("--threads", o->threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", o->output, "Output folder: quality.md, quality.csv, curves.csv, perturbation.svg/png")->required();
    app.add_flag("--force", o->force, "Replace existing outputs");
    app.footer("Example:\n  actopo explain-quality --model cnn.pt --limit 100 --method saliency,integrated-gradients,smoothgrad,grad-cam,occlusion -o quality/");
    app.callback([o, no_random] {
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
