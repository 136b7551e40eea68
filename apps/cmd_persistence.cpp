// `actopo persistence`: Vietoris-Rips persistence diagrams of a layer, a point cloud or a distance matrix.
#include <filesystem>
#include <iostream>

#include "actopo/persistence.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string input, layer, sampling = "avgpool", format = "auto", metric, backend = default_backend(), output;
    std::size_t points = 1000, landmarks = 0;
    std::uint64_t seed = 0;
    int max_dim = 1, coeff = 2, threads = 0;
    double threshold = -1, sparse = 0;
    bool no_collapse = false, force = false;
};

bool is_store(const std::string& path) {
    auto ext = std::filesystem::path(path).extension().string();
    return ext == ".h5" || ext == ".hdf5";
}

void run(const Args& a, const CLI::App& app) {
    if (std::filesystem::exists(a.output) && !a.force)
        throw UserError(a.output + " exists; use --force to overwrite it");
    Progress progress("persistence", 3);
    RipsInput input;
    std::map<std::string, std::string> meta{{"input", a.input}};
    const Metric metric = a.metric.empty() ? Metric::euclidean : parse_metric(a.metric);
    if (is_store(a.input)) {
        if (a.layer.empty()) throw UserError(a.input + " is an activation store: name a layer with --layer");
        StoreReader store(a.input);
        SampleOptions so;
        so.method = parse_sampling(a.sampling);
        so.points = a.points;
        so.seed = a.seed;
        PointCloud cloud = sample_layer(store, a.layer, so);
        input = RipsInput::from_points(std::move(cloud.points), metric);
        meta["layer"] = a.layer;
        meta["sampling"] = sampling_name(so.method);
        meta["seed"] = std::to_string(a.seed);
    } else {
        if (!a.layer.empty()) throw UserError("--layer applies to an activation store (.h5), not " + a.input);
        const std::string format = a.format == "auto" ? guess_input_format(a.input) : a.format;
        const bool cloud = format == "point-cloud" || format == "csv";
        input = read_rips_input(a.input, a.format, a.metric.empty() && !cloud ? Metric::precomputed : metric);
        meta["format"] = cloud && input.kind != RipsInput::Kind::points ? "distance" : format;
    }
    progress.advance();
    if (a.landmarks > 0) {
        input = select_vertices(input, maxmin_landmarks(input, a.landmarks, a.seed));
        meta["landmarks"] = std::to_string(input.n);
        meta["seed"] = std::to_string(a.seed);
    }
    RipsOptions o;
    o.max_dim = a.max_dim;
    o.coeff = a.coeff;
    o.threads = a.threads;
    o.collapse = !a.no_collapse;
    o.sparse_epsilon = a.sparse;
    if (app.count("--threshold")) o.threshold = a.threshold;
    Diagrams d = compute_persistence(input, o, a.backend);
    progress.advance();
    for (const auto& [k, v] : meta) d.meta[k] = v;
    write_diagrams(d, a.output, a.force, a.layer.empty() ? "diagram" : a.layer);
    progress.finish();
    if (!quiet()) {
        std::cerr << "wrote " << a.output << ":";
        for (const auto& dg : d.dims) std::cerr << " H" << dg.dim << " " << dg.pairs.size();
        std::cerr << " intervals (" << input.n << " points, threshold " << d.meta["threshold"] << ", "
                  << d.meta["backend"] << ")\n";
    }
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("input", a->input, "Point cloud, distance matrix, or activation store (.h5 with --layer)")
        ->required()->check(CLI::ExistingFile);
    app.add_option("--layer", a->layer, "Layer of an activation store");
    app.add_option("--sampling", a->sampling, "flatten|avgpool|top-l2|spatial (stores)")->capture_default_str();
    app.add_option("--points", a->points, "Points sampled from a store layer (0: all)")->capture_default_str();
    app.add_option("--seed", a->seed, "Seed of the sampling and of the first landmark")->capture_default_str();
    app.add_option("--format", a->format,
                   "auto|point-cloud|csv|lower-distance|upper-distance|distance|dipha|sparse|binary")
        ->capture_default_str();
    app.add_option("--metric", a->metric,
                   "euclidean|cosine|correlation for points (default euclidean); precomputed for matrices");
    app.add_option("--max-dim", a->max_dim, "Compute H0..H_K")->required();
    app.add_option("--threshold", a->threshold, "Largest edge length (default: the enclosing radius)");
    app.add_option("--coeff", a->coeff, "Prime p of the coefficient field Z/p")->capture_default_str();
    app.add_option("--backend", a->backend, "native|gudhi|ripser")->capture_default_str();
    app.add_option("--landmarks", a->landmarks, "Max-min landmark subsample of this many points");
    app.add_option("--sparse", a->sparse, "Sparse Rips approximation with this epsilon (gudhi backend)");
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
        "  actopo persistence big.txt --landmarks 500 --max-dim 2 -o big.csv\n"
        "Memory: before computing, the size is estimated; set ACTOPO_MAX_MEMORY (e.g. 8G) to change the limit.\n"
        "See docs/persistence.md.");
    app.callback([a, &app] { run(*a, app); });
}

Registration reg{"persistence", "Vietoris-Rips persistence diagrams (native, gudhi or ripser backend)", setup};

}  // namespace
}  // namespace actopo::cli
