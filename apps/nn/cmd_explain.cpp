// `actopo explain`: attribution maps of a TorchScript classifier for a dataset, every method side by side, into
// one HDF5 file (layout in docs/formats.md; the methods in docs/explain.md).
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"
#include "explain_options.hpp"

void actopo::cli::add_explain_method_options(CLI::App& app, MethodOptions& m, std::string& target) {
    add_stage_option(app, "explain", "target", target)->capture_default_str();
    add_stage_option(app, "explain", "layer", m.layer);
    add_stage_option(app, "explain", "baseline", m.baseline)->capture_default_str();
    add_stage_option(app, "explain", "steps", m.steps)->capture_default_str();
    add_stage_option(app, "explain", "rule", m.rule)->capture_default_str();
    add_stage_option(app, "explain", "blur-sigma", m.blur_sigma)->capture_default_str();
    add_stage_option(app, "explain", "noise", m.noise)->capture_default_str();
    add_stage_option(app, "explain", "samples", m.samples)->capture_default_str();
    add_stage_option(app, "explain", "variant", m.variant)->capture_default_str();
    add_stage_option(app, "explain", "window", m.window)->capture_default_str();
    add_stage_option(app, "explain", "stride", m.stride)->capture_default_str();
    add_stage_option(app, "explain", "occlusion-value", m.occlusion_value)->capture_default_str();
    add_stage_option(app, "explain", "lrp-rule", m.lrp_rule)->capture_default_str();
    add_stage_option(app, "explain", "epsilon", m.epsilon)->capture_default_str();
    add_stage_option(app, "explain", "gamma", m.gamma)->capture_default_str();
    add_stage_option(app, "explain", "layer-rules", m.layer_rules);
    add_stage_option(app, "explain", "bounds", m.bounds)->capture_default_str();
    add_stage_option(app, "explain", "seed", m.seed)->capture_default_str();
    add_stage_option(app, "explain", "internal-batch", m.internal_batch)->capture_default_str();
}

namespace {

void setup(CLI::App& app) {
    auto o = std::make_shared<actopo::ExplainOptions>();
    using actopo::cli::add_stage_option;
    app.add_option("--model", o->model, "TorchScript model file (scripted or traced)")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train] or data.h5 (/x float32, /labels int64)")->capture_default_str();
    add_stage_option(app, "explain", "limit", o->limit);
    add_stage_option(app, "explain", "method", o->methods)->default_str("saliency");
    actopo::cli::add_explain_method_options(app, o->method, o->target);
    add_stage_option(app, "explain", "batch", o->batch)->capture_default_str();
    app.add_option("--threads", o->threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", o->output, "Attribution file to write (.h5)")->required();
    app.add_option("--pictures", o->pictures, "Folder for pictures: per method a grid of inputs with maps, per-class means");
    add_stage_option(app, "explain", "picture-count", o->picture_count)->capture_default_str();
    app.add_flag("--force", o->force, "Replace an existing output");
    app.footer(
        "Examples:\n"
        "  actopo explain --model cnn.pt --dataset fashion-mnist:test --limit 100 \\\n"
        "      --method saliency,integrated-gradients,smoothgrad --target label -o attributions.h5 --pictures pics\n"
        "  actopo explain --model resnet.pt --method grad-cam,grad-cam++ --layer layer2.0.relu2 -o cams.h5\n"
        "  actopo explain --model cnn.pt --method integrated-gradients --baseline blur --steps 32 --rule gauss-legendre -o ig.h5\n"
        "  actopo explain --model cnn.pt --method occlusion --window 6 --stride 3 -o occ.h5\n"
        "  actopo explain --model cnn.pt --method lrp,deeplift,guided-backprop --lrp-rule epsilon-gamma-box --bounds 0,1 -o lrp.h5\n"
        "  actopo explain --model resnet.pt --method lrp --lrp-rule epsilon --layer-rules conv1=zb,Linear=lrp-0 -o lrp.h5");
    app.callback([o] {
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

actopo::cli::Registration reg{"explain", "Attribution maps (saliency, integrated gradients, SmoothGrad, CAM family, occlusion, LRP, DeepLIFT, guided backprop)", setup};

}  // namespace
