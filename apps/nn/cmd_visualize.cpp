// `actopo visualize`: activation maximisation of a layer's units or the class logits, the first layer's filters,
// or a layer's activation maps, as image grids (docs/visualize.md).
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/visualize.hpp"
#include "command.hpp"

namespace {

struct Args {
    actopo::VisualizeOptions o;
    bool filters = false, maps = false;
    std::size_t inputs = 4;
};

void setup(CLI::App& app) {
    using actopo::cli::add_stage_option;
    auto a = std::make_shared<Args>();
    auto& o = a->o;
    app.add_option("--model", o.model, "TorchScript model file (scripted or traced)")->required();
    add_stage_option(app, "visualize", "layer", o.layer);
    add_stage_option(app, "visualize", "target", o.target)->capture_default_str();
    add_stage_option(app, "visualize", "units", o.units);
    add_stage_option(app, "visualize", "steps", o.ascent.steps)->capture_default_str();
    add_stage_option(app, "visualize", "lr", o.ascent.lr)->capture_default_str();
    add_stage_option(app, "visualize", "l2", o.ascent.l2)->capture_default_str();
    add_stage_option(app, "visualize", "jitter", o.ascent.jitter)->capture_default_str();
    add_stage_option(app, "visualize", "blur-sigma", o.ascent.blur_sigma)->capture_default_str();
    add_stage_option(app, "visualize", "blur-every", o.ascent.blur_every)->capture_default_str();
    add_stage_option(app, "visualize", "tv", o.ascent.tv)->capture_default_str();
    add_stage_option(app, "visualize", "input-min", o.ascent.lo)->capture_default_str();
    add_stage_option(app, "visualize", "input-max", o.ascent.hi)->capture_default_str();
    add_stage_option(app, "visualize", "input-shape", o.input_shape)->delimiter(',');
    add_stage_option(app, "visualize", "seed", o.ascent.seed)->capture_default_str();
    add_stage_option(app, "visualize", "internal-batch", o.ascent.internal_batch)->capture_default_str();
    add_stage_option(app, "visualize", "decoder", o.decoder);
    add_stage_option(app, "visualize", "filters", a->filters);
    add_stage_option(app, "visualize", "activation-maps", a->maps);
    add_stage_option(app, "visualize", "inputs", a->inputs)->capture_default_str();
    app.add_option("--dataset", o.dataset, "fashion-mnist[:test|:train] or data.h5: the input shape, and the inputs of --activation-maps")
        ->capture_default_str();
    app.add_option("--threads", o.threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", o.output, "Folder for the pictures and the file of images")->required();
    app.add_flag("--force", o.force, "Replace existing outputs");
    app.footer(
        "Examples:\n"
        "  actopo visualize --model cnn.pt --layer relu3 --units 0-15 --steps 256 --seed 1 -o vis/\n"
        "  actopo visualize --model cnn.pt --target class -o vis/          (the input that maximises each logit)\n"
        "  actopo visualize --model cnn.pt --layer fc1 --decoder ae.pt -o vis/   (code space: ae.pt from actopo train --arch autoencoder)\n"
        "  actopo visualize --model cnn.pt --filters -o vis/               (the first layer's filters)\n"
        "  actopo visualize --model cnn.pt --activation-maps --layer relu1 --dataset fashion-mnist:test --inputs 4 -o vis/\n"
        "Writes <out>/<layer>.png/.svg (a tile per unit, titled with the activation reached) and <out>/<layer>.h5\n"
        "(/images, /units, /activation, /initial_activation, /trace; docs/formats.md).");
    app.callback([a] {
        if (a->filters && a->maps) throw actopo::UserError("--filters and --activation-maps draw different pictures; give one");
        std::vector<std::string> files = a->filters ? actopo::draw_filters(a->o)
                                         : a->maps  ? actopo::draw_activation_maps(a->o, a->inputs)
                                                    : actopo::visualize_units(a->o);
        for (const auto& f : files) std::printf("%s\n", f.c_str());
    });
}

actopo::cli::Registration reg{"visualize", actopo::cli::program_command_summary("visualize"), setup};

}  // namespace
