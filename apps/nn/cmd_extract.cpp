// `actopo extract`: TorchScript model + dataset -> HDF5 activation store (one forward pass per batch).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "command.hpp"

namespace {

// What --list-layers says of a leaf's calls: forward's code calls it `calls` times, `nested_calls` of them inside an
// if or a loop; on the first input it ran `last_calls` times (-1: not captured).
std::string calls_note(const actopo::LayerInfo& l) {
    if (l.calls == 0) return "never called by forward";
    const std::string where = l.nested_calls > 0 ? "; its calls sit in a loop or an if" : "";
    if (l.last_calls == 0) return "did not run on the first input" + where + "; not stored";
    const int ran = l.last_calls > 0 ? l.last_calls : l.calls;
    if (ran == 1) return l.nested_calls > 0 ? "ran once on the first input" + where : "";
    return (l.nested_calls > 0 ? "ran " + std::to_string(ran) + " times on the first input" + where
                               : "called " + std::to_string(ran) + " times") +
           "; the last call is stored (--calls all: every call)";
}

void print_layers(const actopo::ExtractOptions& o) {
    actopo::CaptureOptions options;
    options.logits = o.logits;
    for (const auto& l : actopo::list_layers(o.model, o.dataset, options)) {
        const std::string note = calls_note(l);
        std::printf("%-24s %-20s %s%s\n", l.name.c_str(), l.type.c_str(),
                    l.shape.empty() ? "-" : actopo::shape_string(l.shape).c_str(), note.empty() ? "" : ("  (" + note + ")").c_str());
    }
}

std::string mib(std::uint64_t bytes) {  // in the unit that suits it: 512 B, 3.5 KiB, 27.4 MiB, 1.2 GiB
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, ++u;
    char buf[64];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

// --dry-run: the store's layers, their sizes and the total, and whether the output's folder has room.
void print_plan(const actopo::ExtractOptions& o) {
    const auto plan = actopo::plan_extraction(o);
    std::printf("dry run: %zu inputs, %zu layers, stored as %s%s; nothing written\n", plan.inputs, plan.layers.size(),
                actopo::store_dtype_name(o.store_dtype).c_str(),
                o.pool > 1 ? (", pooled " + std::to_string(o.pool) + "x" + std::to_string(o.pool)).c_str() : "");
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        const auto& l = plan.layers[i];
        const std::string from = l.pool > 1 ? " (from " + actopo::shape_string(l.source_shape) + ")" : "";
        std::printf("  %-24s %-16s %12s%s\n", l.name.c_str(), actopo::shape_string(l.shape).c_str(),
                    mib(plan.layer_bytes[i]).c_str(), from.c_str());
    }
    std::printf("  %-41s %12s\n", "inputs (index, labels, logits...)", mib(plan.input_bytes).c_str());
    std::printf("total %s (%s per input)\n", mib(plan.total_bytes).c_str(),
                mib(plan.total_bytes / std::max<std::size_t>(1, plan.inputs)).c_str());
    if (o.output.empty()) return;
    std::error_code ec;
    const auto dir = std::filesystem::absolute(o.output).parent_path();
    const auto space = std::filesystem::space(dir, ec);
    if (!ec)
        std::printf("%s: %s free%s\n", dir.string().c_str(), mib(space.available).c_str(),
                    space.available < plan.total_bytes ? " -- NOT enough for this store" : "");
}

void setup(CLI::App& app) {
    using actopo::cli::add_stage_option;
    auto o = std::make_shared<actopo::ExtractOptions>();
    auto layers = std::make_shared<std::string>();
    auto calls = std::make_shared<std::string>();
    auto dtype = std::make_shared<std::string>();
    auto list = std::make_shared<bool>(false);
    auto dry = std::make_shared<bool>(false);
    app.add_option("--model", o->model, "TorchScript model file (scripted or traced)")->required();
    app.add_option("--dataset", o->dataset, "fashion-mnist[:test|:train], fashion-mnist-rows[:test|:train] (28 tokens of 28 "
                   "pixels) or data.h5 (/x float32, or int64 token ids; /labels int64; /mask and forward's other arguments)")->capture_default_str();
    add_stage_option(app, "extract", "layers", *layers);
    add_stage_option(app, "extract", "limit", o->limit);
    add_stage_option(app, "extract", "calls", *calls);
    add_stage_option(app, "extract", "logits", o->logits);
    add_stage_option(app, "extract", "batch", o->batch);
    add_stage_option(app, "extract", "threads", o->threads);
    add_stage_option(app, "extract", "compression", o->compression);
    app.add_option("-o,--output", o->output, "Activation store to write (.h5)");
    app.add_flag("--force", o->force, "Replace an existing output");
    add_stage_option(app, "extract", "list-layers", *list);
    add_stage_option(app, "extract", "store-dtype", *dtype);
    add_stage_option(app, "extract", "pool", o->pool);
    add_stage_option(app, "extract", "dry-run", *dry);
    app.footer(
        "Examples:\n"
        "  actopo extract --model cnn.pt --dataset fashion-mnist:test --limit 2000 -o cnn-test.h5\n"
        "  actopo extract --model resnet.pt --layers layer1.0.conv2,fc --batch 128 -o acts.h5\n"
        "  actopo extract --model resnet18.pt --dataset imgs.h5 --layers blocks,'layer*.relu' -o blocks.h5\n"
        "  actopo extract --model lstm.pt --dataset seqs.h5 --layers 'lstm[1][0]',fc --logits '[0]' -o h.h5\n"
        "  actopo extract --model mine.pt --dataset mydata.h5 --list-layers\n"
        "  actopo extract --model resnet18.pt --dataset images.h5 --pool 4 --store-dtype float16 --dry-run\n"
        "A module called more than once by forward (in a loop, or shared) contributes the output of its last call\n"
        "(--calls all: every call, on a new axis 1); one inside an if is captured when it runs.");
    app.callback([o, layers, list, calls, dtype, dry] {
        o->all_calls = *calls == "all";
        if (*list) return print_layers(*o);
        o->store_dtype = actopo::parse_store_dtype(*dtype);
        o->layers.clear();
        for (const auto& l : actopo::split(*layers, ','))
            if (!actopo::trim(l).empty()) o->layers.push_back(actopo::trim(l));
        if (o->layers.empty()) throw actopo::UserError("--layers is empty (give module paths or all)");
        if (*dry) return print_plan(*o);
        if (o->output.empty()) throw actopo::UserError("extract needs an output file (-o activations.h5)");
        actopo::tune_allocator_for_extraction();
        auto r = actopo::extract_activations(*o);
        std::printf("%s: %zu inputs, %zu layers in %.1f s\n", o->output.c_str(), r.inputs, r.layers.size(), r.seconds);
        for (const auto& l : r.layers) std::printf("  %-24s %s\n", l.name.c_str(), actopo::shape_string(l.shape).c_str());
        for (const auto& [layer, count] : r.float16_overflow)
            std::fprintf(stderr, "actopo: warning: layer %s has %llu values beyond float16's range (|x| >= 65520), stored "
                         "as +-Inf (use --store-dtype float32)\n", layer.c_str(), static_cast<unsigned long long>(count));
        for (const auto& [layer, count] : r.nonfinite)  // warnings go to stderr, the summary to stdout
            std::fprintf(stderr, "actopo: warning: %s has %llu NaN/Inf values (recorded in the store)\n",
                         (layer[0] == '/' ? layer : "layer " + layer).c_str(), static_cast<unsigned long long>(count));
    });
}

actopo::cli::Registration reg{"extract", actopo::cli::program_command_summary("extract"), setup};

}  // namespace
