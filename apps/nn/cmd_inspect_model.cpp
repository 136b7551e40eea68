// `actopo inspect MODEL.pt`: the layers of a TorchScript model, in words. The `actopo` program hands a model
// file here (apps/command.cpp); an activation store is described by apps/cmd_inspect.cpp.
#include <cstdio>
#include <fstream>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "command.hpp"

namespace {

void setup(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    app.add_option("file", *path, "A TorchScript model (.pt)")->required();
    app.footer("Examples:\n  actopo inspect model.pt");
    app.callback([path] {
        std::ifstream in(*path, std::ios::binary);
        if (!in) throw actopo::UserError("'" + *path + "' does not exist or cannot be read");
        char magic[2] = {0, 0};
        in.read(magic, 2);
        if (magic[0] != 'P' || magic[1] != 'K')
            throw actopo::UserError("'" + *path + "' is not a TorchScript model (zip); stores are inspected by actopo inspect");
        std::fputs(actopo::describe_model(*path).c_str(), stdout);
    });
}

actopo::cli::Registration reg{"inspect", actopo::cli::program_command_summary("inspect"), setup};

}  // namespace
