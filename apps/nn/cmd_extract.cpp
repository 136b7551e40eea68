// `actopo extract`: TorchScript model + dataset -> HDF5 activation store (one forward pass per batch).
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "command.hpp"

namespace {

void print_layers(const std::string& model, const std::string& dataset) {
    for (const auto& l : actopo::list_layers(model, dataset)) {
        std::string note = l.calls == 0 ? "  (never called by forward)"
                         : l.calls > 1  ? "  (called " + std::to_string(l.calls) + " times; the last call is captured)"
                                        : "";
        std::printf("%-24s %-20s %s%s\n", l.name.c_str(), l.type.c_str(),
                    l.shape.empty() ? "-" : actopo::shape_string(l.shape).c_str(), note.c_str());
    }
}

void setup(CLI::App& app) {
    auto o = std::make_shared<actopo::ExtractOptions>();
    auto layers = std::make_shared<std::string>("all");
    auto list = std::make_shared<bool>(false);
    app.add_option("--model", o->model, "TorchScript model file (scripted or traced)")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train] or data.h5 (/x float32, /labels int64)")->capture_default_str();
    app.add_option("--layers", *layers, "Comma-separated module paths (layer1.0.conv2,fc) or all (every leaf)")->capture_default_str();
    actopo::cli::add_stage_option(app, "extract", "limit", o->limit);
    app.add_option("--batch", o->batch, "Inputs per forward pass")->capture_default_str();
    app.add_option("--threads", o->threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("--compression", o->compression,
                   "0: store uncompressed (fastest); 1-9: byte shuffle + deflate at that level (1: about 40% smaller, "
                   "several times slower)")
        ->capture_default_str()
        ->check(CLI::Range(0, 9));
    app.add_option("-o,--output", o->output, "Activation store to write (.h5)");
    app.add_flag("--force", o->force, "Replace an existing output");
    app.add_flag("--list-layers", *list, "Print the leaf layers with their output shapes and exit");
    app.footer(
        "Examples:\n"
        "  actopo extract --model cnn.pt --dataset fashion-mnist:test --limit 2000 -o cnn-test.h5\n"
        "  actopo extract --model resnet.pt --layers layer1.0.conv2,fc --batch 128 -o acts.h5\n"
        "  actopo extract --model mine.pt --dataset mydata.h5 --list-layers\n"
        "A module called more than once by forward contributes the output of its last call.");
    app.callback([o, layers, list] {
        if (*list) return print_layers(o->model, o->dataset);
        if (o->output.empty()) throw actopo::UserError("extract needs an output file (-o activations.h5)");
        o->layers.clear();
        for (const auto& l : actopo::split(*layers, ','))
            if (!actopo::trim(l).empty()) o->layers.push_back(actopo::trim(l));
        if (o->layers.empty()) throw actopo::UserError("--layers is empty (give module paths or all)");
        actopo::tune_allocator_for_extraction();
        auto r = actopo::extract_activations(*o);
        std::printf("%s: %zu inputs, %zu layers in %.1f s\n", o->output.c_str(), r.inputs, r.layers.size(), r.seconds);
        for (const auto& l : r.layers) std::printf("  %-24s %s\n", l.name.c_str(), actopo::shape_string(l.shape).c_str());
        for (const auto& [layer, count] : r.nonfinite)  // warnings go to stderr, the summary to stdout
            std::fprintf(stderr, "actopo: warning: %s has %llu NaN/Inf values (recorded in the store)\n",
                         (layer[0] == '/' ? layer : "layer " + layer).c_str(), static_cast<unsigned long long>(count));
    });
}

actopo::cli::Registration reg{"extract", actopo::cli::program_command_summary("extract"), setup};

}  // namespace
