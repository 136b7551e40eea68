// `actopo coactivation`: the co-activation graph of a model's neurons and classes; communities, centrality,
// class similarity, entropy. With several stores: one summary table (modularity, entropy, accuracy per store).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "actopo/coactivation.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::vector<std::string> stores, layers;
    std::string sampling = "avgpool", correlation = "spearman", edges = "all", community = "louvain", output, graphml, picture, top_csv;
    double threshold = 0.5;
    bool signed_threshold = false, no_classes = false, force = false;
    std::size_t points = 0, bins = 10, top = 10, drawn_edges = 4000;
    std::uint64_t seed = 0;
};

CoactivationOptions options_of(const Args& a) {
    CoactivationOptions o;
    o.layers = a.layers;
    o.correlation = parse_correlation(a.correlation);
    o.threshold = a.threshold;
    o.absolute = !a.signed_threshold;
    if (a.edges != "all" && a.edges != "within" && a.edges != "between")
        throw UserError("--edges '" + a.edges + "': expected all, within or between");
    o.within = a.edges != "between";
    o.between = a.edges != "within";
    o.class_nodes = !a.no_classes;
    o.community = parse_community_method(a.community);
    o.seed = a.seed;
    o.points = a.points;
    o.sampling = parse_sampling(a.sampling);
    o.entropy_bins = a.bins;
    return o;
}

std::string meta_json(const Args& a, const std::string& store) {
    nlohmann::json m = {{"input", store},           {"layers", a.layers},       {"correlation", a.correlation},
                        {"threshold", a.threshold}, {"absolute", !a.signed_threshold}, {"edges", a.edges},
                        {"class_nodes", !a.no_classes}, {"community", a.community}, {"seed", a.seed},
                        {"points", a.points}, {"sampling", a.sampling},       {"entropy_bins", a.bins},   {"actopo_version", version()}};
    return m.dump();
}

void warn_dropped(const std::string& store, const std::vector<std::string>& dropped) {
    if (dropped.empty()) return;
    std::vector<std::string> shown(dropped.begin(), dropped.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(dropped.size(), 12)));
    std::cerr << "actopo: warning: " << store << ": dropped " << dropped.size()
              << " constant neurons (zero variance over the inputs): " << join(shown)
              << (dropped.size() > shown.size() ? ", ..." : "") << " (all listed under \"dropped\" in the JSON)\n";
}

void run_one(const Args& a, const CoactivationOptions& o) {
    if (std::filesystem::exists(a.output) && !a.force) throw UserError(a.output + " exists; use --force to overwrite it");
    const CoactivationResult r = analyse_store(a.stores[0], o);
    warn_dropped(a.stores[0], r.dropped);
    write_text_file(a.output, graph_json(r, meta_json(a, a.stores[0])), a.force);
    if (!a.graphml.empty()) write_text_file(a.graphml, graph_graphml(r.graph), a.force);
    if (!a.top_csv.empty()) write_text_file(a.top_csv, top_nodes_csv(r.graph, a.top), a.force);
    if (!a.picture.empty()) render_graph(r.graph, a.picture, a.drawn_edges, a.force);
    if (quiet()) return;
    std::cerr << "wrote " << a.output << ": " << r.graph.nodes.size() << " nodes, " << r.graph.edges.size() << " edges, "
              << r.graph.communities << " communities, modularity " << std::fixed << std::setprecision(3)
              << r.graph.modularity << "\n";
    for (std::size_t g = 0; g < r.classes.groups.size(); ++g)
        std::cerr << "  classes sharing a community: " << join(r.classes.groups[g]) << "\n";
    if (!a.no_classes)
        std::cerr << "  agreement with the confusion matrix (Spearman over class pairs): logit co-activation "
                  << r.classes.spearman_with_confusion << ", neuron profiles " << r.classes.profile_spearman_with_confusion
                  << "; accuracy " << r.classes.accuracy << "\n";
}

void run_many(const Args& a, const CoactivationOptions& o) {
    std::ostringstream csv;
    csv.precision(6);
    csv << "store,layer,accuracy,neurons,dropped,edges,communities,modularity,mean_entropy_binary,mean_entropy_binned,"
           "spearman_with_confusion,profile_spearman_with_confusion\n";
    Progress progress("coactivation stores", a.stores.size());
    for (const auto& store : a.stores) {
        const CoactivationResult r = analyse_store(store, o);
        warn_dropped(store, r.dropped);
        double hb = 0, hn = 0;
        std::size_t neurons = 0, dropped = 0;
        for (const auto& l : r.layers) {
            hb += l.mean_entropy_binary * static_cast<double>(l.neurons);
            hn += l.mean_entropy_binned * static_cast<double>(l.neurons);
            neurons += l.neurons;
            dropped += l.dropped;
        }
        csv << store << ",(graph)," << r.classes.accuracy << "," << neurons << "," << dropped << "," << r.graph.edges.size()
            << "," << r.graph.communities << "," << r.graph.modularity << "," << hb / static_cast<double>(neurons) << ","
            << hn / static_cast<double>(neurons) << "," << r.classes.spearman_with_confusion << ","
            << r.classes.profile_spearman_with_confusion << "\n";
        for (const auto& l : r.layers)
            csv << store << "," << l.layer << "," << r.classes.accuracy << "," << l.neurons << "," << l.dropped << ","
                << l.edges << ",," << l.modularity << "," << l.mean_entropy_binary << "," << l.mean_entropy_binned << ",,\n";
        progress.advance();
    }
    progress.finish();
    write_text_file(a.output, csv.str(), a.force);
    if (!quiet()) std::cerr << "wrote " << a.output << ": " << a.stores.size() << " stores\n";
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("stores", a->stores, "Activation store(s); several: one summary table")->required()->check(CLI::ExistingFile);
    add_stage_option(app, "coactivation", "layers", a->layers);
    add_stage_option(app, "sampling", "sampling", a->sampling);
    add_stage_option(app, "coactivation", "correlation", a->correlation);
    add_stage_option(app, "coactivation", "threshold", a->threshold);
    add_stage_option(app, "coactivation", "signed", a->signed_threshold);
    app.add_option("--edges", a->edges, "all|within|between (layers; class nodes form the layer 'classes')")
        ->capture_default_str();
    app.add_flag("--no-classes", a->no_classes, "No class nodes");
    app.add_option("--community", a->community, "louvain|leiden")->capture_default_str();
    app.add_option("--seed", a->seed, "Seed of the community detection and of --points")->capture_default_str();
    app.add_option("--points", a->points, "Seeded subset of inputs (0: all)")->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--bins", a->bins, "Bins of the binned entropy")->capture_default_str();
    app.add_option("--graphml", a->graphml, "Also write GraphML");
    app.add_option("--picture", a->picture, "Also draw the graph with Graphviz sfdp (.svg, .png or .pdf)");
    app.add_option("--drawn-edges", a->drawn_edges, "Strongest edges drawn in the picture")->capture_default_str();
    app.add_option("--top", a->top, "Top neurons per centrality in --top-csv")->capture_default_str();
    app.add_option("--top-csv", a->top_csv, "Also write the top neurons per centrality");
    app.add_flag("--force", a->force, "Overwrite the outputs");
    app.add_option("-o,--output", a->output, "graph.json (one store) or summary.csv (several stores)")->required();
    app.footer(
        "Nodes: neurons (a conv channel averaged over space) and one node per class (its logit). Constant neurons\n"
        "are dropped with a warning naming them. Betweenness uses 1 - |r| as edge length.\n"
        "Examples:\n"
        "  actopo coactivation cnn-test.h5 --layers conv2,fc1 --threshold 0.5 -o graph.json \\\n"
        "      --graphml graph.graphml --picture graph.svg --top-csv top.csv\n"
        "  actopo coactivation cnn-test.h5 --correlation pearson --signed --community leiden --seed 3 -o g.json\n"
        "  actopo coactivation ckpt-1.h5 ckpt-2.h5 ckpt-3.h5 --layers fc1 -o evolution.csv\n"
        "See docs/coactivation.md.");
    app.callback([a] {
        const CoactivationOptions o = options_of(*a);
        if (a->stores.size() == 1) {
            run_one(*a, o);
        } else {
            if (!a->graphml.empty() || !a->picture.empty() || !a->top_csv.empty())
                throw UserError("--graphml, --picture and --top-csv apply to one store; several stores write a summary table");
            run_many(*a, o);
        }
    });
}

Registration reg{"coactivation", "Co-activation graph: neuron communities, centrality, class similarity, entropy", setup};

}  // namespace
}  // namespace actopo::cli
