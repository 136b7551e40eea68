// `actopo similarity`: layer x layer representational similarity (CKA, SVCCA, PWCCA, Procrustes, RSA).
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actopo/plot.hpp"
#include "actopo/similarity.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::vector<std::string> stores, layers, other_layers;
    std::string metric = "cka", output, heatmap, sampling = "avgpool";
    std::size_t points = 2000;
    std::uint64_t seed = 0;
    bool force = false, joint = false;
};

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

void run(const Args& a) {
    if (a.stores.size() > 2 && !a.joint)
        throw UserError("similarity takes one store (layer x layer), two (layers of A x layers of B), or several with "
                        "--joint (one square matrix over every store's layers)");
    const SimilarityMetric metric = parse_similarity_metric(a.metric);
    if (std::filesystem::exists(a.output) && !a.force) throw UserError(a.output + " exists; use --force to overwrite it");
    const bool named = a.stores.size() > 1;  // rows named store:layer
    std::vector<LayerData> rows;
    for (std::size_t i = 0; i < (a.joint ? a.stores.size() : 1); ++i)
        for (auto& l : load_layers(a.stores[i], a.layers, a.points, a.seed, named ? stem(a.stores[i]) + ":" : "",
                                   parse_sampling(a.sampling)))
            rows.push_back(std::move(l));
    const bool two = a.stores.size() == 2 && !a.joint;
    const auto cols = two ? load_layers(a.stores[1], a.other_layers.empty() ? a.layers : a.other_layers, a.points,
                                        a.seed, stem(a.stores[1]) + ":", parse_sampling(a.sampling))
                          : rows;
    std::vector<std::string> warnings;
    const NamedMatrix m = similarity_matrix(rows, cols, metric, &warnings);
    for (const auto& w : warnings) std::cerr << "actopo: warning: " << w << "\n";
    write_text_file(a.output, to_csv(m), a.force);
    // what the matrix holds and its caveats, next to it (the CSV itself stays a plain matrix)
    nlohmann::json meta{{"metric", similarity_metric_name(metric)},
                        {"inputs", rows.front().values.rows()},
                        {"stores", a.stores},
                        {"warnings", warnings}};
    write_text_file(a.output + ".meta.json", meta.dump(2) + "\n", true);
    if (!a.heatmap.empty())
    {
        const bool distance = metric == SimilarityMetric::procrustes || metric == SimilarityMetric::procrustes_angular;
        write_heatmap(m, a.heatmap, similarity_metric_name(metric) + " (" + std::to_string(rows.front().values.rows()) + " inputs)",
                      a.force,
                      {distance ? MatrixMeaning::distance : MatrixMeaning::similarity,
                       similarity_metric_name(metric) + (distance ? " (0 = same shape)" : " (1 = same representation)")});
    }
    if (!quiet())
        std::cerr << "wrote " << a.output << ": " << m.row_names.size() << " x " << m.col_names.size() << " "
                  << similarity_metric_name(metric) << " over " << rows.front().values.rows() << " inputs\n";
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("stores", a->stores, "One activation store (layer x layer) or two (A's layers x B's layers)")
        ->required()->check(CLI::ExistingFile);
    add_stage_option(app, "similarity", "metric", a->metric);
    app.add_option("--layers", a->layers, "Layers (comma-separated; default: every layer)")->delimiter(',');
    app.add_option("--other-layers", a->other_layers, "Layers of the second store (default: --layers)")->delimiter(',');
    add_stage_option(app, "similarity", "points", a->points);
    add_stage_option(app, "sampling", "sampling", a->sampling);
    app.add_option("--seed", a->seed, "Seed of the subset")->capture_default_str();
    app.add_option("--heatmap", a->heatmap, "Also draw the matrix (.svg and .png)");
    app.add_flag("--joint", a->joint, "Several stores: one square matrix over all their layers (names store:layer)");
    app.add_flag("--force", a->force, "Overwrite the outputs");
    app.add_option("-o,--output", a->output, "Matrix CSV (header row, first column of names)")->required();
    app.footer(
        "A conv layer's channels are averaged over space (avgpool). procrustes-squared (2 - 2||Xn^T Yn||_*, not a\n"
        "metric) and procrustes-angular (arccos ||Xn^T Yn||_*, a metric) are distances (0 = same); also writes\n"
        "OUTPUT.meta.json (metric, inputs, warnings such as SVCCA keeping a large share of N dimensions);\n"
        "the others are similarities (1 = same). rbf-cka and rsa build inputs x inputs matrices: keep --points moderate.\n"
        "Examples:\n"
        "  actopo similarity cnn-test.h5 --metric cka -o cka.csv --heatmap cka.svg\n"
        "  actopo similarity cnn-test.h5 --layers conv1,conv2,fc1 --metric svcca --points 5000 -o svcca.csv\n"
        "  actopo similarity narrow.h5 wide.h5 --metric cka -o cross.csv\n"
        "  actopo similarity mlp-s1.h5 mlp-s2.h5 cnn-s1.h5 --joint --metric cka -o all-layers.csv\n"
        "See docs/similarity.md.");
    app.callback([a] { run(*a); });
}

Registration reg{"similarity", "Layer x layer representational similarity (CKA, SVCCA, PWCCA, Procrustes, RSA)", setup};

}  // namespace
}  // namespace actopo::cli
