// `actopo compare`: several metrics' matrices over the same layers side by side, and how much they agree.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "actopo/compare.hpp"
#include "actopo/plot.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::vector<std::string> matrices;
    std::string output;
    std::size_t permutations = 999;
    std::uint64_t seed = 0;
    bool force = false;
};

void run(const Args& a) {
    std::vector<MetricMatrix> read;
    for (const auto& spec : a.matrices) read.push_back(read_metric_matrix(spec));
    const auto matrices = align_matrices(std::move(read));
    const auto agreements = pairwise_agreement(matrices, a.permutations, a.seed);
    std::filesystem::create_directories(a.output);
    const std::string dir = a.output + "/";
    write_text_file(dir + "table.csv", comparison_table_csv(matrices), a.force);
    write_text_file(dir + "agreement.csv", agreement_csv(agreements), a.force);
    std::vector<TitledMatrix> panels;
    for (const auto& m : matrices) panels.push_back({m.metric, m.matrix, {guess_meaning(m.matrix), m.metric}});
    write_heatmap_grid(panels, dir + "matrices.svg", "every metric over the same layers", a.force);
    write_heatmap(agreement_matrix(matrices, agreements), dir + "agreement.svg",
                  "Spearman agreement of metrics (upper triangles)", a.force, {MatrixMeaning::other, "Spearman correlation"});
    if (!quiet()) {
        std::cerr << "wrote " << dir << "{table.csv,agreement.csv,matrices.svg/png,agreement.svg/png}\n";
        for (const auto& g : agreements)
            std::cerr << "  " << std::setw(14) << g.a << " vs " << std::setw(14) << g.b << "  spearman "
                      << std::setw(7) << std::fixed << std::setprecision(3) << g.spearman << "  p "
                      << std::setprecision(4) << g.p_value << "\n";
    }
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("matrices", a->matrices, "Matrix CSVs over the same names, as PATH or NAME=PATH")->required();
    add_stage_option(app, "compare", "permutations", a->permutations);
    app.add_option("--seed", a->seed, "Seed of the permutations")->capture_default_str();
    app.add_flag("--force", a->force, "Overwrite the outputs");
    app.add_option("-o,--output", a->output, "Output folder")->required();
    app.footer(
        "Agreement: Spearman correlation of each pair of matrices' upper triangles, with a two-sided Mantel\n"
        "permutation p-value. A similarity (CKA) and a distance (Wasserstein) that agree correlate negatively.\n"
        "Examples:\n"
        "  actopo compare cka.csv svcca.csv wasserstein=dist-w1.csv -o compare/\n"
        "  actopo compare results/*/matrix-*.csv --permutations 9999 --seed 1 -o compare/\n"
        "See docs/similarity.md.");
    app.callback([a] { run(*a); });
}

Registration reg{"compare", "Every metric's layer x layer matrix side by side, and how much the metrics agree", setup};

}  // namespace
}  // namespace actopo::cli
