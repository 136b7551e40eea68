// `actopo inspect`: what is inside an activation store, in words (a TorchScript model: actopo-nn, nn/cmd_inspect_model.cpp).
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/store.hpp"
#include "command.hpp"

namespace {

std::string describe_store(const std::string& path) {
    actopo::StoreReader store(path);
    const auto& info = store.info();
    std::ostringstream out;
    out << path << ": activation store, " << actopo::count_noun(store.size(), "input") << ", "
        << actopo::count_noun(store.layer_names().size(), "layer") << "\n";
    auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("unknown") : s; };
    out << "  model    " << or_unknown(info.model)
        << (info.model_sha256.empty() ? std::string() : " (sha256 " + info.model_sha256 + ")") << "\n";
    out << "  dataset  " << or_unknown(info.dataset) << (info.split.empty() ? "" : ":" + info.split) << "\n";
    if (info.actopo_version.empty())  // written by another tool (h5py, ...): no actopo attributes
        out << "  created  " << or_unknown(info.created) << " (not by actopo: the file has no actopo_version)\n";
    else
        out << "  created  " << or_unknown(info.created) << " by actopo " << info.actopo_version << "\n";
    auto labels = store.labels();
    auto predictions = store.predictions();
    std::map<std::int64_t, std::size_t> per_class;
    std::size_t correct = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        ++per_class[labels[i]];
        if (i < predictions.size() && predictions[i] == labels[i]) ++correct;
    }
    out << "  classes  ";
    bool first = true;
    for (const auto& [label, count] : per_class) {
        std::string name = label >= 0 && std::size_t(label) < info.class_names.size() ? info.class_names[label]
                                                                                       : std::to_string(label);
        out << (first ? "" : ", ") << name << " " << count;
        first = false;
    }
    out << "\n";
    if (!store.has_predictions())
        out << "  accuracy unknown (the store has no /inputs/predictions)\n";
    else if (!labels.empty())
        out << "  accuracy " << std::fixed << std::setprecision(2) << 100.0 * double(correct) / double(labels.size())
            << "% (predictions vs labels)\n";
    out << "  layers (per-input shape, values per input, NaN/Inf):\n";
    for (const auto& name : store.layer_names()) {
        auto shape = store.layer_shape(name);
        const std::int64_t pool = store.layer_pool(name);
        const bool half = store.layer_dtype(name) == actopo::StoreDtype::float16;
        out << "    " << name << "  " << actopo::shape_string(shape) << "  " << actopo::per_input_size(shape) << "  "
            << store.layer_nonfinite(name) << (half ? "  float16" : "")
            << (pool > 1 ? "  pooled " + std::to_string(pool) + "x" + std::to_string(pool) : "") << "\n";
    }
    return out.str();
}

/// `--check-layers`: exit 0 when the store holds every named layer (or, for "all", any layer); else a UserError
/// naming the missing layer and the closest names (a model: actopo-nn, nn/cmd_inspect_model.cpp, the same way).
void check_store_layers(const std::string& path, const std::string& list) {
    std::vector<std::string> layers;
    for (const auto& l : actopo::split(list, ','))
        if (!actopo::trim(l).empty()) layers.push_back(actopo::trim(l));
    if (layers.empty()) throw actopo::UserError("--check-layers is empty (give layer names or all)");
    actopo::StoreReader store(path);
    if (layers == std::vector<std::string>{"all"}) layers = store.layer_names();
    for (const auto& l : layers) store.layer_shape(l);  // UserError naming the closest layers
    if (layers.empty()) throw actopo::UserError("'" + path + "' has no layers");
    std::printf("%s: %zu layers present: %s\n", path.c_str(), layers.size(), actopo::join(layers).c_str());
}

void setup(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    auto layers = std::make_shared<std::string>();
    app.add_option("file", *path, "An activation store (.h5) or a TorchScript model (.pt)")->required();
    app.add_option("--check-layers", *layers,
                   "Only check that the file loads and holds these layers (comma-separated, or all): exit 1 with one "
                   "line naming a missing layer and the closest names");
    app.footer(
        "Examples:\n"
        "  actopo inspect activations.h5\n"
        "  actopo inspect model.pt\n"
        "  actopo inspect model.pt --check-layers conv1,fc1");
    app.callback([path, layers] {
        std::ifstream in(*path, std::ios::binary);
        if (!in) throw actopo::UserError("'" + *path + "' does not exist or cannot be read");
        char magic[4] = {0, 0, 0, 0};
        in.read(magic, 4);
        const bool store = magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F';
        if (store && !layers->empty())
            check_store_layers(*path, *layers);
        else if (store)
            std::fputs(describe_store(*path).c_str(), stdout);
        else
            throw actopo::UserError("'" + *path + "' is neither an activation store (HDF5) nor a TorchScript model (zip)");
    });
}

actopo::cli::Registration reg{"inspect", actopo::cli::program_command_summary("inspect"), setup};

}  // namespace
