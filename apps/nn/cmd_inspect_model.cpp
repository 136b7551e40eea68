// `actopo inspect MODEL.pt`: the layers of a TorchScript model, in words. The `actopo` program hands a model
// file here (apps/command.cpp); an activation store is described by apps/cmd_inspect.cpp.
#include <cstdio>
#include <fstream>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "command.hpp"

namespace {

/// `--check-layers`: exit 0 when the model loads and holds every named layer ("all": its leaf layers); else a
/// UserError naming the missing layer and the closest names. `actopo run` checks an experiment's models so.
void check_model_layers(const std::string& path, const std::string& list) {
    std::vector<std::string> layers;
    for (const auto& l : actopo::split(list, ','))
        if (!actopo::trim(l).empty()) layers.push_back(actopo::trim(l));
    if (layers.empty()) throw actopo::UserError("--check-layers is empty (give layer names or all)");
    actopo::LayerCapture capture(path, layers);  // loads the model; UserError for a layer it lacks
    if (capture.layers().empty()) throw actopo::UserError("'" + path + "' has no layers");
    std::printf("%s: %zu layers present: %s\n", path.c_str(), capture.layers().size(), actopo::join(capture.layers()).c_str());
}

void setup(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    auto layers = std::make_shared<std::string>();
    app.add_option("file", *path, "A TorchScript model (.pt)")->required();
    app.add_option("--check-layers", *layers,
                   "Only check that the model loads and holds these layers (comma-separated, or all): exit 1 with one "
                   "line naming a missing layer and the closest names");
    app.footer("Examples:\n  actopo inspect model.pt\n  actopo inspect model.pt --check-layers conv1,fc1");
    app.callback([path, layers] {
        std::ifstream in(*path, std::ios::binary);
        if (!in) throw actopo::UserError("'" + *path + "' does not exist or cannot be read");
        char magic[2] = {0, 0};
        in.read(magic, 2);
        if (magic[0] != 'P' || magic[1] != 'K')
            throw actopo::UserError("'" + *path + "' is not a TorchScript model (zip); stores are inspected by actopo inspect");
        if (!layers->empty()) return check_model_layers(*path, *layers);
        std::fputs(actopo::describe_model(*path).c_str(), stdout);
    });
}

actopo::cli::Registration reg{"inspect", actopo::cli::program_command_summary("inspect"), setup};

}  // namespace
