// `actopo distances`: layer x layer (one store) or model:layer x model:layer (several) diagram distances,
// as CSV and a heatmap (SVG + PNG) beside it.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "actopo/plot.hpp"
#include "command.hpp"
#include "distance_args.hpp"

namespace actopo::cli {
namespace {

struct Args : DistanceArgs {
    Args() : DistanceArgs("sliced-wasserstein") {}
    std::vector<std::string> inputs;
    std::string sampling = "avgpool", normalize = "none", point_metric = "euclidean", backend = default_backend(), output;
    std::size_t points = 500, projection = actopo::kDefaultProjection;
    std::uint64_t seed = 0;
    int max_dim = -1, threads = 0;
    double threshold = -1;
    bool force = false, merge = false;
    std::string block;  // "K/N"
};

/// "K/N" (1 <= K <= N) -> block K-1 of N.
MatrixBlock parse_block(const std::string& text) {
    const auto parts = split(text, '/');
    try {
        std::size_t used_k = 0, used_n = 0;
        if (parts.size() == 2) {
            const long k = std::stol(parts[0], &used_k), n = std::stol(parts[1], &used_n);
            if (used_k == parts[0].size() && used_n == parts[1].size() && n >= 1 && k >= 1 && k <= n)
                return {std::size_t(k - 1), std::size_t(n)};
        }
    } catch (const std::exception&) {
    }
    throw UserError("--block '" + text + "': expected K/N with 1 <= K <= N, e.g. --block 2/4");
}

/// The heatmap's title: metric, dimension, and the parameters that change the numbers.
std::string title_of(const Args& a, const DistanceOptions& options, bool by_summary, DiagramMetric metric) {
    std::string title = (by_summary ? a.metric : diagram_metric_name(metric)) + " H" + std::to_string(a.dim);
    if (by_summary && a.metric != "entropy" && a.metric != "total-persistence") title += ", L" + a.lp;
    if (!by_summary && metric == DiagramMetric::wasserstein) {
        std::ostringstream p;
        p << ", p = " << options.p << (std::isinf(options.internal_p) ? "" : ", q = " + a.internal_p);
        title += p.str();
    }
    return title;
}

void run(Args& a) {
    if (a.output.empty()) throw UserError("distances needs an output file (-o matrix.csv)");
    const auto figures = figure_paths(std::filesystem::path(a.output).replace_extension("").string());
    for (const auto& path : {a.output, figures[0], figures[1]})
        if (std::filesystem::exists(path) && !a.force) throw UserError(path + " exists; use --force to overwrite it");
    a.parse_norms();
    const DistanceOptions& options = a.options;
    const bool by_summary = is_summary_name(a.metric);
    const DiagramMetric metric = by_summary ? DiagramMetric::bottleneck : parse_diagram_metric(a.metric);
    LayerDiagramOptions lo;
    lo.sampling.method = parse_sampling(a.sampling);
    lo.sampling.points = a.points;
    lo.sampling.seed = a.seed;
    lo.sampling.normalize = parse_normalization(a.normalize);
    lo.sampling.projection = a.projection;
    lo.metric = parse_metric(a.point_metric);
    lo.rips.max_dim = a.max_dim < 0 ? a.dim : a.max_dim;
    if (lo.rips.max_dim < a.dim)
        throw UserError("--dim " + std::to_string(a.dim) + " is above --max-dim " + std::to_string(a.max_dim));
    if (a.threshold >= 0) lo.rips.threshold = a.threshold;
    lo.backend = a.backend;
    lo.dim = a.dim;
    lo.threads = a.threads;
    const std::string metric_name = by_summary ? a.metric : diagram_metric_name(metric);
    NamedMatrix m;
    if (a.merge) {  // the inputs are blocks written with --block
        std::vector<NamedMatrix> blocks;
        for (const auto& path : a.inputs) blocks.push_back(read_named_matrix_csv(path));
        m = merge_matrix_blocks(blocks, a.inputs);
    } else {
        const MatrixBlock block = a.block.empty() ? MatrixBlock{} : parse_block(a.block);
        if (block.count > 1 && by_summary) throw UserError("--block applies to diagram distances, not to summaries");
        auto diagrams = layer_diagrams(a.inputs, lo);
        std::vector<std::string> names;
        std::vector<Diagram> ds;
        for (auto& d : diagrams) {
            names.push_back(d.name);
            ds.push_back(std::move(d.diagram));
        }
        m = by_summary ? summary_distance_matrix(names, ds, parse_summary_kind(a.metric), a.summary)
                       : diagram_distance_matrix(names, ds, metric, options, a.threads, block);
        if (block.count > 1) {  // a part of the matrix: no picture until the parts are merged
            write_text_file(a.output, to_csv(m), a.force);
            std::printf("%s: block %s of the %zu x %zu %s matrix of H%d (nan: pairs of other blocks)\n", a.output.c_str(),
                        a.block.c_str(), names.size(), names.size(), metric_name.c_str(), a.dim);
            return;
        }
    }
    write_text_file(a.output, to_csv(m), a.force);
    m = read_named_matrix_csv(a.output);  // the picture shows the file's numbers: the same whether merged or not
    write_heatmap(m, figures[0], title_of(a, options, by_summary, metric), a.force,
                  {MatrixMeaning::distance, metric_name + " distance of H" + std::to_string(a.dim) + " (0 = same diagram)"});
    std::printf("%s: %zu x %zu %s distances of H%d; heatmap %s, %s\n", a.output.c_str(), m.row_names.size(),
                m.row_names.size(), metric_name.c_str(), a.dim, figures[0].c_str(), figures[1].c_str());
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("inputs", a->inputs, "Activation stores (.h5) or diagram files (.csv, .json, .h5)")->required();
    app.add_option("-o,--output", a->output, "Matrix CSV to write; the heatmap goes beside it (.svg, .png)")->required();
    a->add_distance_options(app);
    add_stage_option(app, "sampling", "sampling", a->sampling);
    app.add_option("--points", a->points, "Points sampled per layer (0: all)")->capture_default_str()->check(CLI::NonNegativeNumber);
    add_stage_option(app, "sampling", "normalize", a->normalize);
    add_stage_option(app, "sampling", "projection", a->projection);
    app.add_option("--seed", a->seed, "Sampling seed")->capture_default_str();
    app.add_option("--point-metric", a->point_metric, "euclidean|cosine|correlation between activations")->capture_default_str();
    app.add_option("--max-dim", a->max_dim, "Compute H0..H_K (default: --dim)");
    app.add_option("--threshold", a->threshold, "Rips threshold (default: the enclosing radius)");
    app.add_option("--backend", a->backend, "native|gudhi|ripser")->capture_default_str();
    app.add_option("--threads", a->threads, "Threads for layers and pairs (0: all cores)")->capture_default_str();
    app.add_option("--block", a->block, "Compute only block K of N of the pairs (K/N), NaN elsewhere; --merge joins them");
    app.add_flag("--merge", a->merge, "The inputs are blocks (--block) of one matrix: write the whole matrix and heatmap");
    app.add_flag("--force", a->force, "Replace existing outputs");
    app.footer(
        "Examples:\n"
        "  actopo distances cnn-test.h5 --metric sliced-wasserstein --dim 1 --points 500 -o layers.csv\n"
        "  actopo distances mlp.h5 cnn.h5 --metric bottleneck --dim 0 --seed 7 -o models.csv\n"
        "  actopo distances a.csv b.csv c.csv --metric wasserstein --p 2 -o diagrams.csv\n"
        "  actopo distances cnn-test.h5 --metric landscape --levels 3 --lp 2 --dim 1 -o landscapes.csv\n"
        "  actopo distances d.h5 --metric bottleneck --block 1/2 -o part1.csv   # e.g. on two machines, then\n"
        "  actopo distances part1.csv part2.csv --merge --metric bottleneck -o whole.csv\n"
        "Rows are layers (one store) or model:layer (several). Writes the CSV and a heatmap (.svg, .png).");
    app.callback([a] { run(*a); });
}

Registration reg{"distances", "Layer x layer and model x model matrices of diagram distances, with a heatmap", setup};

}  // namespace
}  // namespace actopo::cli
