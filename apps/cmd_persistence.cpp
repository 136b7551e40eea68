// `actopo persistence`: Vietoris-Rips persistence diagrams of a layer, a point cloud or a distance matrix.
#include <filesystem>
#include <iostream>

#include "actopo/persistence.hpp"
#include "actopo/plot.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"
#include "command.hpp"
#include "thumbnails.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string input, layer, sampling = "avgpool", normalize = "none", format = "auto", metric, backend = default_backend(), output;
    std::size_t points = 1000, landmarks = 0, representatives = 0, projection = actopo::kDefaultProjection;
    double min_persistence = -1;
    std::uint64_t seed = 0;
    int max_dim = 1, coeff = 2, threads = 0;
    double threshold = -1, sparse = 0;
    bool no_collapse = false, force = false;
};

bool is_store(const std::string& path) {
    auto ext = std::filesystem::path(path).extension().string();
    return ext == ".h5" || ext == ".hdf5";
}

RipsOptions rips_options(const Args& a, const CLI::App& app) {
    RipsOptions o;
    o.max_dim = a.max_dim;
    o.coeff = a.coeff;
    o.threads = a.threads;
    o.collapse = !a.no_collapse;
    o.sparse_epsilon = a.sparse;
    if (app.count("--threshold")) o.threshold = a.threshold;
    o.representatives = a.representatives;
    if (app.count("--min-persistence")) o.min_persistence = a.min_persistence;
    return o;
}

/// Landmarks (when asked), persistence, and the metadata of how the input was made.
Diagrams compute(RipsInput input, std::map<std::string, std::string> meta, const Args& a, const RipsOptions& o) {
    std::vector<std::size_t> rows;
    if (a.landmarks > 0) {
        rows = maxmin_landmarks(input, a.landmarks, a.seed);
        input = select_vertices(input, rows);
        meta["landmarks"] = std::to_string(input.n);
        meta["seed"] = std::to_string(a.seed);
    }
    Diagrams d = compute_persistence(input, o, a.backend);
    if (!rows.empty()) relabel_representatives(d, rows, o.coeff);  // vertices are rows of the input again
    for (const auto& [k, v] : meta) d.meta[k] = v;
    d.meta["points"] = std::to_string(input.n);
    return d;
}

void report(const std::string& what, const Diagrams& d) {
    if (quiet()) return;
    std::cerr << what << ":";
    for (const auto& dg : d.dims) std::cerr << " H" << dg.dim << " " << dg.pairs.size();
    std::cerr << " intervals (" << d.meta.at("points") << " points, threshold " << d.meta.at("threshold") << ", "
              << d.meta.at("backend");
    if (d.meta.count("approximation_factor"))
        std::cerr << ", sparse Rips eps " << d.meta.at("sparse_epsilon") << ": within a factor " << d.meta.at("approximation_factor");
    std::cerr << ")\n";
}

/// The picture of a layer's loops: beside the output, <stem>.loops.png (several layers: <stem>.<layer>.loops.png).
std::string loops_picture(const std::string& output, const std::string& layer, bool several) {
    std::filesystem::path p(output);
    return (p.parent_path() / (p.stem().string() + (several ? "." + layer : "") + ".loops.png")).string();
}

/// The longest loops of a layer and the inputs on them, in words (stderr).
void report_loops(const std::string& layer, const Diagrams& d) {
    if (quiet() || d.dims.size() < 2) return;
    const auto& reps = d.dims[1].representatives;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, reps.size()); ++i)
        std::cerr << layer << ": loop " << i + 1 << " [" << reps[i].birth << ", " << reps[i].death << ") "
                  << reps[i].inputs.summary << "\n";
}

void run(const Args& a, const CLI::App& app) {
    if (std::filesystem::exists(a.output) && !a.force)
        throw UserError(a.output + " exists; use --force to overwrite it");
    const Metric metric = a.metric.empty() ? Metric::euclidean : parse_metric(a.metric);
    const RipsOptions o = rips_options(a, app);
    if (!is_store(a.input)) {
        if (!a.layer.empty()) throw UserError("--layer applies to an activation store (.h5), not " + a.input);
        const std::string format = a.format == "auto" ? guess_input_format(a.input) : a.format;
        const bool cloud = format == "point-cloud" || format == "csv";
        RipsInput input = read_rips_input(a.input, a.format, a.metric.empty() && !cloud ? Metric::precomputed : metric);
        const std::string kind = cloud && input.kind != RipsInput::Kind::points ? "distance" : format;
        Diagrams d = compute(std::move(input), {{"input", a.input}, {"format", kind}}, a, o);
        write_diagrams(d, a.output, a.force);
        report("wrote " + a.output, d);
        return;
    }
    if (a.layer.empty()) throw UserError(a.input + " is an activation store: name a layer with --layer (or all)");
    StoreReader store(a.input);
    std::vector<std::string> layers = a.layer == "all" ? store.layer_names() : split(a.layer, ',');
    for (auto& l : layers) store.layer_shape(l = trim(l));  // UserError naming the closest layers
    const bool several = layers.size() > 1;
    if (several && std::filesystem::path(a.output).extension() != ".h5")
        throw UserError("-o " + a.output + ": several layers go to one .h5 file (a group per layer)");
    if (o.wants_representatives() && !a.force)
        for (const auto& layer : layers)
            for (const auto& picture : figure_paths(loops_picture(a.output, layer, several)))
                if (std::filesystem::exists(picture)) throw UserError(picture + " exists; use --force to overwrite it");
    std::map<std::int64_t, std::vector<std::uint8_t>> thumbs;
    if (o.wants_representatives()) thumbs = store_thumbnails(store);
    std::map<std::string, std::pair<Matrix, std::vector<std::int64_t>>> projections;  // per layer: PCA, labels
    SampleOptions so;
    so.method = parse_sampling(a.sampling);
    so.points = a.points;
    so.seed = a.seed;
    so.normalize = parse_normalization(a.normalize);
    so.projection = a.projection;
    std::map<std::string, Diagrams> groups;
    Progress progress("persistence of " + count_noun(layers.size(), "layer"), layers.size());
    for (const auto& layer : layers) {
        throw_if_cancelled();
        PointCloud cloud = sample_layer(store, layer, so);
        std::map<std::string, std::string> meta{
            {"input", a.input}, {"layer", layer}, {"sampling", sampling_name(so.method)}, {"seed", std::to_string(a.seed)},
            {"normalize", normalization_name(so.normalize)}};
        Diagrams d = compute(RipsInput::from_points(cloud.points, metric), meta, a, o);
        if (o.wants_representatives()) {
            attach_inputs(d, cloud.input_ids, cloud.labels, cloud.predictions, store.info().class_names);
            report_loops(layer, d);
            projections[layer] = {pca_project(cloud.points, 2), cloud.labels};
        }
        if (several) report(layer, d);
        groups[layer] = std::move(d);
        progress.advance();
    }
    progress.finish();
    if (several) {
        write_diagram_groups(groups, a.output, a.force, layers);  // layers in the model's order
        if (!quiet()) std::cerr << "wrote " << a.output << ": " << count_noun(layers.size(), "layer") << "\n";
    } else {
        write_diagrams(groups.begin()->second, a.output, a.force, layers.front());
        report("wrote " + a.output, groups.begin()->second);
    }
    for (const auto& [layer, xy] : projections) {
        const std::string picture = loops_picture(a.output, layer, several);
        const auto& d = groups.at(layer);
        write_loops_plot(xy.first, xy.second, d.dims.size() > 1 ? d.dims[1].representatives : std::vector<Representative>{},
                         thumbs, picture, layer + ": the longest H1 loops on the first two principal components", a.force);
        if (!quiet()) std::cerr << "wrote " << picture << "\n";
    }
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("input", a->input, "Point cloud, distance matrix, or activation store (.h5 with --layer)")
        ->required()->check(CLI::ExistingFile);
    app.add_option("--layer", a->layer, "Layer of an activation store, a comma-separated list, or all (-o .h5)");
    add_stage_option(app, "sampling", "sampling", a->sampling);
    add_stage_option(app, "sampling", "points", a->points);
    add_stage_option(app, "sampling", "normalize", a->normalize);
    add_stage_option(app, "sampling", "projection", a->projection);
    app.add_option("--seed", a->seed, "Seed of the sampling and of the first landmark")->capture_default_str();
    app.add_option("--format", a->format,
                   "auto|point-cloud|csv|lower-distance|upper-distance|distance|dipha|sparse|binary")
        ->capture_default_str();
    app.add_option("--metric", a->metric,
                   "euclidean|cosine|correlation for points (default euclidean); precomputed for matrices");
    add_stage_option(app, "persistence", "max-dim", a->max_dim)->required();
    add_stage_option(app, "persistence", "threshold", a->threshold);
    add_stage_option(app, "persistence", "coeff", a->coeff);
    add_stage_option(app, "persistence", "backend", a->backend)->capture_default_str();
    add_stage_option(app, "persistence", "representatives", a->representatives);
    add_stage_option(app, "persistence", "min-persistence", a->min_persistence);
    add_stage_option(app, "persistence", "sparse", a->sparse);
    app.add_option("--landmarks", a->landmarks, "Max-min landmark subsample of this many points")->check(CLI::NonNegativeNumber);
    app.add_option("--threads", a->threads, "Threads (0: all cores; native backend)")->capture_default_str();
    app.add_flag("--no-collapse", a->no_collapse, "No edge collapse before the reduction (gudhi backend)");
    app.add_flag("--force", a->force, "Overwrite the output");
    app.add_option("-o,--output", a->output, "Diagrams: .csv, .json or .h5")->required();
    app.footer(
        "Examples:\n"
        "  actopo persistence cloud.csv --max-dim 1 -o diagrams.csv\n"
        "  actopo persistence rp2.lower_distance_matrix --format lower-distance --max-dim 2 --coeff 3 -o rp2.json\n"
        "  actopo persistence activations.h5 --layer fc1 --sampling avgpool --points 1000 --seed 7 \\\n"
        "      --max-dim 1 --backend ripser -o fc1.h5\n"
        "  actopo persistence activations.h5 --layer all --points 500 --max-dim 1 -o every-layer.h5\n"
        "  actopo persistence big.txt --landmarks 500 --max-dim 2 -o big.csv\n"
        "  actopo persistence big.txt --sparse 0.5 --max-dim 2 -o big-sparse.csv\n"
        "Memory: before computing, the size is estimated; set ACTOPO_MAX_MEMORY (e.g. 8G) to change the limit.\n"
        "See docs/persistence.md.");
    app.callback([a, &app] { run(*a, app); });
}

Registration reg{"persistence", "Vietoris-Rips persistence diagrams (native, gudhi or ripser backend)", setup};

}  // namespace
}  // namespace actopo::cli
