// `actopo ablate`: the model run with units of its layers set to zero or their mean (the TorchScript graph rewritten
// as extraction does), per-class accuracy and logit change against the intact model and a random-unit baseline.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/ablate.hpp"
#include "actopo/coactivation.hpp"
#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/mapper.hpp"
#include "actopo/plot.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"
#include "command.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

struct Args {
    AblateOptions o;
    std::vector<std::string> neurons;
    std::string community, mapper_node, fill = "zero", output;
    std::size_t top_units = 10;
    bool force = false;
};

/// "graph.json:7" -> {"graph.json", 7}. UserError naming the option when it is not that.
std::pair<std::string, std::int64_t> file_and_id(const std::string& option, const std::string& text) {
    const auto colon = text.rfind(':');
    const std::string id = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (colon == 0 || id.empty() || id.size() > 12 || id.find_first_not_of("0123456789") != std::string::npos)
        throw UserError(option + " '" + text + "': expected graph.json:<id> with a whole number id, e.g. graph.json:3");
    return {text.substr(0, colon), std::stoll(id)};
}

/// A graph's store must come from this model and these inputs. (The store may be gone: then nothing to compare.)
void check_store(const std::string& graph, const std::string& store_path, const AblateOptions& o, bool required) {
    if (store_path.empty() || !fs::exists(store_path)) {
        if (required)
            throw UserError(graph + ": its store '" + store_path + "' (meta.input) does not exist; the node's units are read from it");
        return;
    }
    StoreReader store(store_path);
    if (store.info().model_sha256 != sha256_file(o.model))
        throw UserError(graph + " was made from store '" + store_path + "' of model '" + store.info().model +
                        "', whose sha256 differs from --model '" + o.model + "'");
    auto data = open_dataset(o.dataset, o.limit);
    if (store.info().dataset != data->name() || store.info().split != data->split())
        throw UserError(graph + " was made from store '" + store_path + "' of dataset '" + store.info().dataset +
                        (store.info().split.empty() ? "" : ":" + store.info().split) + "', not of --dataset '" + o.dataset + "'");
}

std::string number(double v, int digits = 6) {
    return std::isfinite(v) ? format_number(v, digits) : "";
}
/// A CSV field: quoted when it holds a comma or a quote.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}
nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void run(Args& a) {
    AblateOptions& o = a.o;
    o.fill = parse_ablation_fill(a.fill);
    const int kinds = !a.neurons.empty() + !a.community.empty() + !a.mapper_node.empty();
    if (kinds != 1) throw UserError("ablate: give exactly one of --neurons, --community, --mapper-node");
    if (a.output.size() < 5 || a.output.substr(a.output.size() - 5) != ".json")
        throw UserError("-o " + a.output + ": expected a .json name (the .csv and the chart go next to it)");
    const std::string stem = a.output.substr(0, a.output.size() - 5);
    std::vector<std::string> outputs{a.output, stem + ".csv"};
    for (const auto& f : figure_paths(stem)) outputs.push_back(f);
    if (!a.force)
        for (const auto& f : outputs)
            if (fs::exists(f)) throw UserError(f + " exists (use --force to overwrite)");

    nlohmann::json what;
    std::string title;
    if (!a.neurons.empty()) {
        for (const auto& text : a.neurons)
            for (const auto& [layer, units] : parse_layer_units(text)) {
                auto& into = o.units[layer];
                into.insert(into.end(), units.begin(), units.end());
                std::sort(into.begin(), into.end());
                into.erase(std::unique(into.begin(), into.end()), into.end());
            }
        what = {{"kind", "neurons"}};
        title = "--neurons " + join(a.neurons, " ");
    } else if (!a.community.empty()) {
        const auto [graph, id] = file_and_id("--community", a.community);
        const CommunityRecord c = read_community(graph, id);
        check_store(graph, c.store, o, false);
        o.units = c.units;
        what = {{"kind", "community"}, {"graph", graph}, {"community", id}, {"classes", c.classes},
                {"class_names", c.class_names}};
        title = "community " + std::to_string(id) + (c.class_names.empty() ? "" : " {" + join(c.class_names) + "}");
    } else {
        const auto [graph, id] = file_and_id("--mapper-node", a.mapper_node);
        const mapper::NodeRecord node = mapper::read_node(graph, std::size_t(id));
        check_store(graph, node.store, o, true);
        StoreReader store(node.store);
        SampleOptions avg;
        avg.method = Sampling::avgpool;
        const PointCloud units = sample_layer(store, node.layer, avg);
        const auto top = mapper::distinguishing_units(units, node.members, a.top_units);
        if (top.empty()) throw UserError(graph + ": node " + std::to_string(id) + " has no unit that varies in layer '" + node.layer + "'");
        nlohmann::json z = nlohmann::json::array();
        for (const auto& [u, score] : top) {
            o.units[node.layer].push_back(u);
            z.push_back({{"unit", u}, {"z", score}});
        }
        std::sort(o.units[node.layer].begin(), o.units[node.layer].end());
        o.focus = node.members;
        o.focus_name = "node " + std::to_string(id) + " members";
        what = {{"kind", "mapper-node"}, {"graph", graph}, {"node", id}, {"store", node.store}, {"distinguishing", z}};
        title = "Mapper node " + std::to_string(id) + " of " + node.layer + ": its " + std::to_string(top.size()) + " distinguishing units";
    }

    const AblationReport r = ablate(o);

    nlohmann::json units = nlohmann::json::object();
    for (const auto& [layer, list] : o.units) units[layer] = list;
    nlohmann::json rows = nlohmann::json::array();
    std::ostringstream csv;
    csv << "group,label,inputs,intact_accuracy,ablated_accuracy,drop,logit_change,baseline_mean,baseline_sd,baseline_p95,p_value\n";
    for (const auto& row : r.rows) {
        rows.push_back({{"group", row.name}, {"label", row.label}, {"inputs", row.inputs},
                        {"intact_accuracy", json_number(row.intact_accuracy)}, {"ablated_accuracy", json_number(row.ablated_accuracy)},
                        {"drop", json_number(row.drop)}, {"logit_change", json_number(row.logit_change)},
                        {"baseline_mean", json_number(row.baseline_mean)}, {"baseline_sd", json_number(row.baseline_sd)},
                        {"baseline_p95", json_number(row.baseline_p95)}, {"p_value", json_number(row.p_value)}});
        csv << csv_field(row.name) << ',' << row.label << ',' << row.inputs << ',' << number(row.intact_accuracy) << ','
            << number(row.ablated_accuracy) << ',' << number(row.drop) << ',' << number(row.logit_change) << ','
            << number(row.baseline_mean) << ',' << number(row.baseline_sd) << ',' << number(row.baseline_p95) << ','
            << number(row.p_value) << '\n';
    }
    nlohmann::json j = {{"meta", {{"model", o.model}, {"model_sha256", sha256_file(o.model)}, {"dataset", o.dataset},
                                  {"limit", o.limit}, {"inputs", r.inputs}, {"fill", a.fill}, {"baseline_draws", o.draws},
                                  {"seed", o.seed}, {"actopo_version", version()}}},
                        {"ablated", what}, {"units", units}, {"layer_widths", r.widths}, {"rows", rows}};

    // the chart: per group, the drop in accuracy (percentage points) of these units beside the random ones
    ChartOptions chart;
    chart.title = title + ", " + a.fill + " (" + std::to_string(r.draws) + " random draws)";
    chart.y_label = "accuracy drop (percentage points)";
    chart.bars = true;
    Series observed{"these units", {}}, mean{"random units: mean", {}}, p95{"random units: 95th percentile", {}};
    for (const auto& row : r.rows) {
        chart.categories.push_back(row.name);
        observed.y.push_back(100 * row.drop);
        mean.y.push_back(100 * row.baseline_mean);
        p95.y.push_back(100 * row.baseline_p95);
    }
    std::vector<Series> series{observed};
    if (r.draws > 0) series.insert(series.end(), {mean, p95});
    write_text_file(a.output, j.dump(1) + "\n", a.force);
    write_text_file(stem + ".csv", csv.str(), a.force);
    write_chart(series, chart, stem, a.force);

    std::printf("%-22s %7s %8s %8s %8s %9s %9s %7s\n", "group", "inputs", "intact", "ablated", "drop", "baseline", "logit", "p");
    for (const auto& row : r.rows)
        std::printf("%-22s %7zu %7.2f%% %7.2f%% %+7.2f %+8.2f %+9.3f %7s\n", row.name.c_str(), row.inputs,
                    100 * row.intact_accuracy, 100 * row.ablated_accuracy, 100 * row.drop, 100 * row.baseline_mean,
                    row.logit_change, number(row.p_value, 3).c_str());
    std::printf("-> %s, %s.csv, %s.png (%.1f s)\n", a.output.c_str(), stem.c_str(), stem.c_str(), r.seconds);
}

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("--model", a->o.model, "TorchScript model file (scripted or traced)")->required();
    app.add_option("--dataset", a->o.dataset, "fashion-mnist[:test|:train] or data.h5 (/x float32, /labels int64)")->capture_default_str();
    cli::add_stage_option(app, "ablate", "limit", a->o.limit);
    app.add_option("--neurons", a->neurons, "layer:u,v,... units to ablate (a conv layer's channels); may be repeated");
    app.add_option("--community", a->community, "graph.json:C - the neurons of community C of an actopo coactivation graph");
    app.add_option("--mapper-node", a->mapper_node, "graph.json:ID - the distinguishing units of node ID of an actopo mapper graph");
    cli::add_stage_option(app, "ablate", "top-units", a->top_units);
    cli::add_stage_option(app, "ablate", "fill", a->fill);
    cli::add_stage_option(app, "ablate", "baseline-draws", a->o.draws);
    cli::add_stage_option(app, "ablate", "seed", a->o.seed);
    app.add_option("--batch", a->o.batch, "Inputs per forward pass")->capture_default_str();
    app.add_option("--threads", a->o.threads, "Intra-op threads (0: LibTorch's default)");
    app.add_option("-o,--output", a->output, "report.json (report.csv and report.png/.svg beside it)")->required();
    app.add_flag("--force", a->force, "Overwrite existing outputs");
    app.footer(
        "Examples:\n"
        "  actopo ablate --model cnn.pt --dataset fashion-mnist:test --neurons fc1:3,17,42 -o fc1.json\n"
        "  actopo ablate --model cnn.pt --limit 2000 --community coact.json:2 --baseline-draws 100 -o c2.json\n"
        "  actopo ablate --model cnn.pt --limit 2000 --mapper-node relu3.json:14 --top-units 5 --fill mean -o n14.json\n"
        "A unit is an index along the layer's first per-input axis (a conv layer's channel). The baseline ablates\n"
        "random units of the same layers and counts; p = (1 + draws dropping at least as much) / (1 + draws).");
    app.callback([a] { run(*a); });
}

cli::Registration reg{"ablate", cli::program_command_summary("ablate"), setup};

}  // namespace
}  // namespace actopo
