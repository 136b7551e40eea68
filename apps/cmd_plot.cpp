// `actopo plot`: a picture of what a single command wrote: a diagram file (persistence diagram and barcode),
// a layer x layer matrix (heatmap), a Mapper graph (nodes as class pie charts) or an attribution file (maps
// over their inputs, per-class means).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "actopo/core.hpp"
#include "actopo/mapper.hpp"
#include "actopo/persistence.hpp"
#include "actopo/plot.hpp"
#include "actopo/store.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
    std::string input, output, layer;
    std::size_t count = 16;
    bool force = false;
};

/// A CSV whose header starts with "name," is a layer x layer matrix (actopo distances, similarity).
bool is_matrix_csv(const std::string& path) {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    return first.rfind("name,", 0) == 0;
}

/// out.svg -> out-<layer>.svg (one figure per layer of a file of several)
std::string with_layer(const std::string& output, const std::string& layer) {
    const fs::path p(output);
    return (p.parent_path() / (p.stem().string() + "-" + safe_file_name(layer) + p.extension().string())).string();
}

void run(const Args& a) {
    const std::string ext = fs::path(a.input).extension().string();
    const std::string output = a.output.empty() ? (fs::path(a.input).replace_extension(".svg")).string() : a.output;
    std::vector<std::string> written;
    std::optional<nlohmann::json> json;  // a .json file, parsed once: a Mapper graph or diagrams
    if (ext == ".json") json = read_json_file(a.input, "persistence diagrams (actopo persistence) or a Mapper graph (actopo mapper)");
    if (ext == ".csv" && is_matrix_csv(a.input)) {
        const NamedMatrix m = read_named_matrix_csv(a.input);
        const MatrixMeaning meaning = guess_meaning(m);
        write_heatmap(m, output, fs::path(a.input).stem().string(), a.force,
                      {meaning, meaning == MatrixMeaning::similarity ? "similarity (1 = same)"
                                : meaning == MatrixMeaning::distance ? "distance (0 = same)" : ""});
        written = figure_paths(output);
    } else if (json && mapper::is_graph_json(*json)) {  // nodes as pie charts of their classes, as actopo mapper draws them
        std::vector<std::string> class_names;
        const mapper::Graph g = mapper::read_graph(*json, a.input, &class_names);
        const std::string title = fs::path(a.input).stem().string() + " " + g.meta.value("layer", "");
        written = render_graphviz_figure(mapper::to_dot(g, class_names, title), "neato", output, a.force);
    } else if (ext == ".h5" && is_attribution_file(a.input)) {  // of actopo explain
        const std::string folder = a.output.empty() ? fs::path(a.input).replace_extension("").string() + "-pictures" : a.output;
        written = draw_attribution_pictures(a.input, folder, a.count, a.force);
    } else if (ext == ".csv" || ext == ".json" || ext == ".h5") {
        std::vector<std::string> layers{a.layer};
        if (ext == ".h5" && a.layer.empty()) {
            try {
                layers = diagram_groups(a.input);
            } catch (const UserError&) {
                layers.clear();
            }
            if (layers.empty())
                throw UserError(a.input + ": neither diagrams (/diagrams/<layer>/dim<k>, actopo persistence) nor attributions "
                                "(format actopo-attributions, actopo explain) in it");
        }
        for (const auto& layer : layers) {
            const std::string out = layers.size() > 1 ? with_layer(output, layer) : output;
            write_diagram_plot(json ? diagrams_from_json(*json, a.input) : read_diagrams(a.input, layer), out,
                               fs::path(a.input).stem().string() + (layer.empty() ? "" : " " + layer), a.force);
            for (const auto& f : figure_paths(out)) written.push_back(f);
        }
    } else {
        throw UserError(a.input + ": expected a diagram file (.csv, .json, .h5), a matrix (.csv with a 'name' column), a "
                        "Mapper graph (.json) or an attribution file (.h5), got '" + ext + "'");
    }
    if (!quiet()) std::cerr << "wrote " << join(written) << "\n";
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("file", a->input, "A diagram file (.csv, .json, .h5 of actopo persistence), a layer x layer matrix (.csv), "
                                     "a Mapper graph (.json of actopo mapper) or an attribution file (.h5 of actopo explain)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("-o,--output", a->output, "The figure: .svg and .png side by side (default: the file's name with .svg); "
                                             "for an attribution file a folder (default: <file>-pictures/)");
    app.add_option("--inputs", a->count, "Attribution file: inputs shown per method")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--layer", a->layer, "The layer of a diagram file of several layers (default: every layer, one figure each)");
    app.add_flag("--force", a->force, "Overwrite existing figures");
    app.footer(
        "A diagram file gives the persistence diagram beside the barcode (the longest bars per dimension); a\n"
        "matrix gives a heatmap, bright where layers are alike; a Mapper graph its nodes as pie charts of their classes;\n"
        "an attribution file per method a grid of inputs with their maps and the mean map per class. Examples:\n"
        "  actopo plot diagrams/mlp.h5 --layer fc1 -o fc1.svg\n"
        "  actopo plot distances/sliced-wasserstein-h1.csv\n"
        "  actopo plot attributions.h5 --inputs 8 -o pictures/\n"
        "  actopo mapper acts.h5 --layer fc1 --no-pictures -o fc1.json && actopo plot fc1.json");
    app.callback([a] { run(*a); });
}

Registration reg{"plot", "Draw a diagram file, a layer x layer matrix, a Mapper graph or an attribution file as SVG and PNG", setup};

}  // namespace
}  // namespace actopo::cli
