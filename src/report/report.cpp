// The experiment's HTML page (include/actopo/report.hpp).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "actopo/options.hpp"
#include "actopo/persistence.hpp"
#include "actopo/plot.hpp"
#include "actopo/report.hpp"
#include "actopo/store.hpp"
#include "aliases.hpp"
#include "depth.hpp"
#include "findings.hpp"
#include "tables.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const ResultsLayout kLayout;  // paths relative to the results folder
using report::read_csv_rows;

/// A figure of the results folder as seen from report/index.html, with a caption; nothing when absent.
class Page {
public:
    explicit Page(fs::path dir) : dir_(std::move(dir)) {}

    bool has(const std::string& rel) const { return fs::exists(dir_ / rel); }
    void raw(const std::string& html) { body_ << html; }
    void heading(const std::string& id, const std::string& title) {
        toc_.push_back({id, title});
        body_ << "<h2 id=\"" << id << "\">" << xml_escape(title) << "</h2>\n";
    }
    void text(const std::string& t) { body_ << "<p>" << xml_escape(t) << "</p>\n"; }
    /// <figure> of rel (an SVG/PNG inside the results folder), linking to `link` when given.
    void figure(const std::string& rel, const std::string& caption, const std::string& link = "", const std::string& cls = "") {
        if (!has(rel)) return;
        body_ << "<figure" << (cls.empty() ? "" : " class=\"" + cls + "\"") << ">";
        if (!link.empty()) body_ << "<a href=\"../" << link << "\">";
        body_ << "<img loading=\"lazy\" src=\"../" << rel << "\" alt=\"" << xml_escape(caption) << "\">";
        if (!link.empty()) body_ << "</a>";
        body_ << "<figcaption>" << xml_escape(caption) << "</figcaption></figure>\n";
    }
    /// An SVG shown live (its cells' tooltips work on hover), with links to the full figure and its numbers.
    void hover_figure(const std::string& rel, const std::string& caption, const std::string& numbers) {
        if (!has(rel)) return;
        body_ << "<figure class=\"small\"><object type=\"image/svg+xml\" data=\"../" << rel << "\" aria-label=\""
              << xml_escape(caption) << "\"></object><figcaption>" << xml_escape(caption)
              << " (hover a cell for its value; <a href=\"../" << rel << "\">full figure</a>";
        if (has(numbers)) body_ << ", <a href=\"../" << numbers << "\">numbers</a>";
        body_ << ")</figcaption></figure>\n";
    }
    void table(const std::vector<std::vector<std::string>>& rows, bool header = true) {
        if (rows.empty()) return;
        body_ << "<table>";
        for (std::size_t r = 0; r < rows.size(); ++r) {
            body_ << "<tr>";
            for (const auto& cell : rows[r])
                body_ << (header && r == 0 ? "<th>" : "<td>") << xml_escape(cell) << (header && r == 0 ? "</th>" : "</td>");
            body_ << "</tr>";
        }
        body_ << "</table>\n";
    }

    std::string html(const std::string& title, const std::string& subtitle) const {
        std::ostringstream out;
        out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << xml_escape(title)
            << "</title>\n<style>\n"
               "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:0 24px 48px;color:#222}\n"
               "h1{margin-bottom:0}h2{border-bottom:2px solid #ddd;padding-top:12px}h3{margin-bottom:4px}\n"
               ".sub{color:#666;margin-top:4px}nav a{margin-right:14px}\n"
               "figure{display:inline-block;vertical-align:top;margin:6px 12px 12px 0}\n"
               "figure img{max-width:640px;max-height:520px;border:1px solid #eee}\n"
               "figure object{display:block;max-width:420px;max-height:340px;border:1px solid #eee}\n"
               "figure.small img{max-width:420px;max-height:340px}figure.wide img{max-width:1300px;max-height:none}\n"
               "figcaption{font-size:13px;color:#555;max-width:640px}\n"
               "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;"
               "font-size:14px;text-align:left}th{background:#f4f4f4}\n"
               "pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:13px}\n"
               "summary{cursor:pointer;font-weight:600;margin:10px 0}.layers td{vertical-align:top}.findings li{margin:6px 0;max-width:1100px;line-height:1.4}\n"
               "</style></head><body>\n<h1>"
            << xml_escape(title) << "</h1><p class=\"sub\">" << xml_escape(subtitle) << "</p>\n<nav>";
        for (const auto& [id, t] : toc_) out << "<a href=\"#" << id << "\">" << xml_escape(t) << "</a>";
        out << "</nav>\n" << body_.str() << "</body></html>\n";
        return out.str();
    }

private:
    fs::path dir_;
    std::ostringstream body_;
    std::vector<std::pair<std::string, std::string>> toc_;
};

/// A layer's longest H1 loop (persistence.representatives) in one sentence, from the inputs on it as the
/// persistence command traced them (summary: "runs through Shirt (12), ...; 25 inputs, 3 misclassified"), with
/// the picture of the layer's loops (`loops`, a .png beside its .svg) when there is one.
void loop_sentence(Page& page, const Diagrams& d, const std::string& loops) {
    if (d.dims.size() < 2 || d.dims[1].representatives.empty()) return;
    const Representative& r = d.dims[1].representatives.front();
    if (r.inputs.summary.empty()) return;
    const std::string sentence = "Its longest H1 loop, alive from " + format_fixed(r.birth, 3) +
                                 (r.essential() ? " on (essential)" : " to " + format_fixed(r.death, 3)) + ", " + r.inputs.summary + ".";
    if (page.has(loops)) {
        std::string svg = loops;
        svg.replace(svg.size() - 4, 4, ".svg");
        page.figure(loops, sentence, page.has(svg) ? svg : loops, "small");
    } else {
        page.text(sentence);
    }
}

struct ModelInfo {
    std::string name;
    std::vector<std::string> layers, class_names;
    std::size_t inputs = 0;
    double accuracy = 0;
    std::vector<report::LayerAlias> repeated;  // layers that repeat an earlier one: shown once
};

ModelInfo read_model(const fs::path& store_path, const std::string& name) {
    StoreReader store(store_path.string());
    ModelInfo m{name, store.layer_names(), store.info().class_names, store.size(), 0, report::repeated_layers(store)};
    const auto labels = store.labels(), predictions = store.predictions();
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size() && i < predictions.size(); ++i) right += labels[i] == predictions[i];
    m.accuracy = labels.empty() ? 0 : double(right) / double(labels.size());
    return m;
}

void findings_section(Page& page, const fs::path& dir, const std::vector<ModelInfo>& models) {
    std::vector<std::string> names;
    for (const auto& m : models) names.push_back(m.name);
    auto found = report::findings(dir, names);
    for (const auto& m : models) {
        if (m.repeated.empty()) continue;
        std::vector<std::string> said;
        for (const auto& r : m.repeated) said.push_back(r.text());
        const bool copies = std::any_of(m.repeated.begin(), m.repeated.end(), [](const report::LayerAlias& r) { return !r.relu; });
        found.push_back({"In " + m.name + ", " + std::to_string(m.repeated.size()) + " of the " + std::to_string(m.layers.size()) +
                             " layers follow exactly from an earlier one: " + join(said, "; ") + "." +
                             (copies ? " A copy has the same row as its original in every matrix and is shown once below." : ""),
                         ""});
    }
    page.heading("findings", "Findings");
    if (found.empty()) {
        page.text("This experiment has no stage whose results can be summarised in words (layer x layer matrices, their "
                  "agreement, Mapper class hierarchies, co-activation graphs).");
        return;
    }
    page.raw("<ul class=\"findings\">\n");
    for (const auto& f : found) {
        page.raw("<li>" + xml_escape(f.text));
        if (!f.figure.empty() && page.has(f.figure)) page.raw(" <a href=\"../" + f.figure + "\">[figure]</a>");
        page.raw("</li>\n");
    }
    page.raw("</ul>\n");
}

void depth_section(Page& page, const fs::path& dir, const std::vector<ModelInfo>& models, bool force) {
    std::vector<report::ModelLayers> layers;
    for (const auto& m : models) layers.push_back({m.name, m.layers});
    const auto figures = report::write_depth_profiles(dir, layers, force);
    if (figures.empty()) return;
    page.heading("depth", "Depth profiles");
    page.text("Each measure per layer, one line per model; click a figure for its full size. The per-layer diagrams and "
              "Mapper graphs are under each model.");
    for (const auto& f : figures) page.figure(f.figure, f.caption, f.figure, "small");
}

void models_section(Page& page, const json& plan, const std::vector<ModelInfo>& models) {
    page.heading("models", "Models");
    std::vector<std::vector<std::string>> rows{{"model", "made by", "inputs", "accuracy on these inputs", "layers"}};
    for (const auto& m : models) {
        std::string made = "given";
        for (const auto& j : plan["jobs"])
            if (j["id"] == "train/" + m.name) made = j["command"].get<std::string>().substr(7);
        rows.push_back({m.name, made, std::to_string(m.inputs), format_fixed(100 * m.accuracy, 1) + " %", join(m.layers)});
    }
    page.table(rows);
}

void matrices_section(Page& page, const fs::path& dir) {
    std::vector<std::string> figures;
    for (const auto& folder : kLayout.matrix_folders())
        if (fs::exists(dir / folder))
            for (const auto& e : fs::directory_iterator(dir / folder))
                if (e.path().extension() == ".svg") figures.push_back(folder + "/" + e.path().filename().string());
    const std::string compare = kLayout.compare();
    if (figures.empty() && !page.has(compare + "agreement.csv")) return;
    std::sort(figures.begin(), figures.end());
    page.heading("matrices", "Layer x layer matrices");
    page.text("Rows and columns are model:layer (or layer with one model). Distances between persistence diagrams: 0 = "
              "same topology; CKA, SVCCA, PWCCA, RSA: 1 = same representation; Procrustes: 0 = same.");
    for (const auto& f : figures) {
        const std::string stem = f.substr(0, f.size() - 4);
        page.hover_figure(f, stem, stem + ".csv");
    }
    if (page.has(compare + "agreement.csv")) {
        page.heading("agreement", "Agreement between metrics");
        page.text("Spearman correlation of two metrics' matrices over the pairs of layers, with a Mantel permutation "
                  "p-value. A similarity and a distance that agree correlate negatively.");
        page.table(read_csv_rows(dir / (compare + "agreement.csv")));
        page.hover_figure(compare + "agreement.svg", "agreement (Spearman) between every pair of metrics",
                          compare + "agreement.csv");
        page.figure(compare + "matrices.svg", "every metric over the same layers", compare + "table.csv", "wide");
    }
}

void hierarchy_text(Page& page, const fs::path& path) {
    const json h = read_json_file(path.string(), "a class hierarchy (actopo mapper)");
    if (!h.contains("splits")) return;
    std::vector<std::vector<std::string>> rows{{"classes", "split from", "at layer"}};
    for (const auto& s : h["splits"]) {
        if (!s.contains("group_names")) continue;
        rows.push_back({join(s["group_names"][0].get<std::vector<std::string>>()),
                        join(s["group_names"][1].get<std::vector<std::string>>()),
                        s["split_layer"].is_null() ? "never (still together at the last layer)" : s["split_layer"].get<std::string>()});
    }
    page.table(rows);
}

void coactivation_text(Page& page, const fs::path& path) {
    const json g = read_json_file(path.string(), "a co-activation graph (actopo coactivation)");
    page.text("modularity " + format_fixed(g.value("modularity", 0.0)) + ", " + std::to_string(g.value("communities", 0)) +
              " communities, " + std::to_string(g["nodes"].size()) + " nodes, " + std::to_string(g["links"].size()) + " edges");
    if (g.contains("classes") && g["classes"].contains("groups")) {
        std::vector<std::vector<std::string>> rows{{"community", "classes in it"}};
        std::size_t k = 0;
        for (const auto& group : g["classes"]["groups"]) rows.push_back({std::to_string(++k), join(group.get<std::vector<std::string>>())});
        page.table(rows);
    }
}

void checkpoints_section(Page& page, const fs::path& dir, const std::string& model, bool force) {
    const std::string rel = kLayout.coactivation_checkpoints(model);
    if (!page.has(rel)) return;
    const auto rows = read_csv_rows(dir / rel);
    page.raw("<h3>" + xml_escape(model) + " across training checkpoints</h3>\n");
    std::vector<std::vector<std::string>> kept{rows.front()};
    Series accuracy{"accuracy", {}}, modularity{"modularity", {}}, entropy{"mean binned entropy / bins", {}};
    std::vector<std::string> epochs;
    const auto col = [&](const std::string& name) {
        auto it = std::find(rows.front().begin(), rows.front().end(), name);
        return std::size_t(it - rows.front().begin());
    };
    for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() < rows.front().size() || rows[r][col("layer")] != "(graph)") continue;
        kept.push_back(rows[r]);
        epochs.push_back(rows[r][col("store")]);
        accuracy.y.push_back(std::stod(rows[r][col("accuracy")]));
        modularity.y.push_back(std::stod(rows[r][col("modularity")]));
        entropy.y.push_back(std::stod(rows[r][col("mean_entropy_binned")]) / std::log2(10.0));
    }
    page.table(kept);
    if (epochs.size() < 2) return;
    ChartOptions o;
    o.title = model + ": co-activation graph across checkpoints";
    o.x_label = "checkpoint";
    o.categories = epochs;
    const std::string fig = kLayout.report_figure(model + "-checkpoints");
    write_chart({accuracy, modularity, entropy}, o, (dir / fig).string(), force);
    page.figure(fig + ".svg", "accuracy, modularity and normalised entropy per checkpoint (" + rel + ")", rel, "small");
}

/// The value of option `name` of `stage`'s table on the command line of the plan's job `job_id`, else the
/// table's experiment default (the planner leaves that out).
std::string job_option(const json& plan, const std::string& job_id, const std::string& stage, const std::string& name) {
    for (const auto& j : plan["jobs"]) {
        if (j["id"] != job_id) continue;
        std::istringstream words(j["command"].get<std::string>());
        for (std::string w; words >> w;)
            if (w == "--" + name && words >> w) return w;
    }
    return stage_options(stage).at(name).experiment_default();
}

/// A number of a CSV cell with 4 significant digits (the cell itself when it is not a number).
std::string significant(const std::string& cell) {
    try {
        std::size_t used = 0;
        const double v = std::stod(cell, &used);
        if (used != cell.size()) return cell;
        if (std::isnan(v)) return "-";
        char b[32];
        std::snprintf(b, sizeof b, "%.4g", v);
        return b;
    } catch (const std::exception&) {
        return cell;
    }
}

/// The grids (.svg, linking to the .png) that one `actopo visualize` job wrote into its folder, in name order.
void visualize_grids(Page& page, const fs::path& dir, const std::string& folder, const std::string& caption) {
    std::vector<std::string> grids;
    for (const auto& e : fs::directory_iterator(dir / folder))
        if (e.path().extension() == ".svg") grids.push_back(e.path().filename().string());
    std::sort(grids.begin(), grids.end());
    for (const auto& g : grids) {
        const std::string stem = folder + g.substr(0, g.size() - 4);
        page.figure(stem + ".svg", caption + " (" + stem.substr(folder.size()) + ")", stem + ".png");
    }
}

/// What a model has learnt, in pictures (explain.visualize): activation maximisation, the first layer's filters,
/// a layer's activation maps, each with a sentence saying what it shows.
void visualize_section(Page& page, const fs::path& dir, const json& plan, const std::string& model) {
    const std::string maximise = kLayout.explain_visualize(model, "maximise"), filters = kLayout.explain_visualize(model, "filters"),
                      maps = kLayout.explain_visualize(model, "maps");
    if (!page.has(maximise) && !page.has(filters) && !page.has(maps)) return;
    page.raw("<h4>What the units respond to</h4>\n");
    if (page.has(maximise)) {
        const std::string job = "visualize/" + model + "/maximise", layer = job_option(plan, job, "visualize", "layer");
        const bool logits = job_option(plan, job, "visualize", "target") == "class";
        page.text("Activation maximisation: for each " + (logits ? std::string("class logit") : "unit of layer " + layer) +
                  ", the input that drives it highest, found by gradient ascent from a seeded start with jitter, blur, L2 "
                  "decay and total variation keeping it smooth (" + job_option(plan, job, "visualize", "steps") +
                  " steps; docs/visualize.md). Each tile is titled with its unit and the activation it reached; a tile "
                  "that says \"never fired\" belongs to a unit that stayed at zero.");
        visualize_grids(page, dir, maximise, logits ? "the input that maximises each logit" : "the input that maximises each unit");
    }
    if (page.has(filters)) {
        page.text("The first layer's filters, one tile per output channel (blue for negative and red for positive weights, or "
                  "the filter's own colours for an RGB input; each tile scaled to its own largest weight): the patterns "
                  "the model's first layer looks for in the pixels.");
        visualize_grids(page, dir, filters, "first-layer filters");
    }
    if (page.has(maps)) {
        const std::string job = "visualize/" + model + "/maps";
        page.text("Layer " + job_option(plan, job, "visualize", "layer") + "'s activation maps for the first " +
                  job_option(plan, job, "visualize", "inputs") + " inputs: one row per input, the input first, then one "
                  "tile per channel, all on one colour scale, so that which channels fire where can be compared.");
        visualize_grids(page, dir, maps, "activation maps");
    }
}

/// A model's explanations: the quality table and curves (explain-quality), then each method's picture grid and
/// its per-class mean maps, then the visualize pictures.
void explain_section(Page& page, const fs::path& dir, const json& plan, const std::string& model) {
    const std::string pictures = kLayout.explain_pictures(model), quality = kLayout.explain_quality(model);
    if (!page.has(pictures) && !page.has(quality)) return;
    page.raw("<h3>Explanations</h3>\n");
    const std::string target = job_option(plan, "explain/" + model, "explain", "target");
    page.text("Attribution maps of " + (target == "label" ? std::string("each input's labelled class")
                                        : target == "predicted" ? std::string("each input's predicted class")
                                                                : "class " + target) + " (" + kLayout.attributions(model) + "; methods in docs/explain.md).");
    if (page.has(quality + "quality.csv")) {
        const auto rows = read_csv_rows(dir / (quality + "quality.csv"));
        std::vector<std::vector<std::string>> shown{{"method", "AOPC (higher: more selective)", "continuity (lower: smoother)",
                                                     "max-sensitivity (lower)", "infidelity (lower, 0-1)",
                                                     "rank correlation after randomising every layer (lower: passes)"}};
        for (std::size_t r = 1; r < rows.size(); ++r) {
            std::vector<std::string> row{rows[r].at(0)};
            for (std::size_t k = 1; k < rows[r].size(); ++k) row.push_back(significant(rows[r][k]));
            shown.push_back(row);
        }
        page.table(shown);
        page.figure(quality + "perturbation.svg", "pixel-flipping: the target logit as the most relevant patches are removed, "
                                                  "one line per method (a faster fall: a more selective method)",
                    quality + "curves.csv", "small");
        page.figure(quality + "randomisation.svg", "cascading model randomisation: rank correlation with the trained "
                                                   "model's maps as layers are re-initialised from the top",
                    quality + "quality.md", "small");
    }
    for (const auto& method : split(job_option(plan, "explain/" + model, "explain", "method"), ',')) {
        if (method.empty()) continue;
        const std::string stem = pictures + safe_file_name(method);
        page.figure(stem + ".svg", method + ": inputs with their maps", stem + ".png");
        page.figure(stem + "-class-means.svg", method + ": mean map per explained class", stem + "-class-means.png");
    }
    visualize_section(page, dir, plan, model);
}

}  // namespace

void write_report(const std::string& results_dir, bool force) {
    const fs::path dir(results_dir);
    const fs::path plan_path = dir / kLayout.plan();
    if (!fs::exists(plan_path))
        throw UserError(results_dir + ": no experiment.json here (expected the folder an `actopo run` wrote)");
    json plan = read_json_file(plan_path.string(), "the plan of an actopo run");
    const std::string target = (dir / kLayout.report_page()).string();
    if (fs::exists(target) && !force) throw UserError(target + " exists (use --force to overwrite)");
    fs::create_directories(dir / kLayout.report_figures());

    // the models, in the experiment's order (extract jobs of the final models, not of checkpoints)
    std::vector<ModelInfo> models;
    std::set<std::string> checkpoint_models;
    for (const auto& j : plan["jobs"]) {
        const std::string id = j["id"];
        if (id.rfind("train/", 0) == 0 && j["command"].get<std::string>().find("--checkpoints") != std::string::npos)
            checkpoint_models.insert(id.substr(6));
    }
    for (const auto& j : plan["jobs"]) {
        const std::string id = j["id"];
        if (id.rfind("extract/", 0) != 0) continue;
        const std::string name = id.substr(8);
        const bool is_checkpoint = std::any_of(checkpoint_models.begin(), checkpoint_models.end(), [&](const std::string& m) {
            return name.rfind(m + "-epoch-", 0) == 0;
        });
        if (!is_checkpoint) models.push_back(read_model(dir / kLayout.store(name), name));
    }

    Page page(dir);
    findings_section(page, dir, models);
    models_section(page, plan, models);
    depth_section(page, dir, models, force);
    matrices_section(page, dir);

    for (const auto& m : models) {
        page.heading("model-" + m.name, "Model " + m.name);
        const std::string mapper_dir = kLayout.mapper(m.name);
        if (page.has(mapper_dir + "hierarchy.json")) {
            page.raw("<h3>Class hierarchy</h3>\n");
            page.text("Classes the last layer's Mapper graph keeps together, merged by average linkage; the table says "
                      "from which layer on each pair of groups stays apart.");
            page.figure(mapper_dir + "hierarchy.svg", "class hierarchy of " + m.name, mapper_dir + "hierarchy.json", "small");
            hierarchy_text(page, dir / (mapper_dir + "hierarchy.json"));
        }
        const std::string co = kLayout.coactivation(m.name);
        if (page.has(co)) {
            page.raw("<h3>Co-activation graph</h3>\n");
            coactivation_text(page, dir / co);
            page.figure(kLayout.coactivation(m.name, ".svg"), "neurons and classes that fire together, coloured by community", co);
        }
        checkpoints_section(page, dir, m.name, force);
        explain_section(page, dir, plan, m.name);

        const fs::path diagrams = dir / kLayout.diagrams(m.name);
        const bool have_diagrams = fs::exists(diagrams), have_mapper = page.has(mapper_dir);
        if (!have_diagrams && !have_mapper) continue;
        page.raw("<details><summary>Layers: the persistence diagram and Mapper graph of each of the " +
                 count_noun(m.layers.size(), "layer") + "</summary>\n<table class=\"layers\"><tr><th>layer</th>" +
                 std::string(have_diagrams ? "<th>persistence diagram and barcode</th>" : "") +
                 (have_mapper ? "<th>Mapper graph (click for the interactive page)</th>" : "") + "</tr>\n");
        const auto groups = have_diagrams ? diagram_groups(diagrams.string()) : std::vector<std::string>{};
        for (const auto& layer : m.layers) {
            page.raw("<tr><td>" + xml_escape(layer));
            const auto alias = std::find_if(m.repeated.begin(), m.repeated.end(), [&](const report::LayerAlias& r) { return r.layer == layer; });
            if (alias != m.repeated.end() && !alias->relu) {  // a copy: its figures are the original's
                page.raw("</td><td colspan=\"2\">" + xml_escape(alias->text()) + ": shown once, in the row of " + xml_escape(alias->of) +
                         "</td></tr>\n");
                continue;
            }
            if (alias != m.repeated.end()) page.raw("<br><small>" + xml_escape(alias->text()) + "</small>");
            page.raw("</td>");
            if (have_diagrams) {
                page.raw("<td>");
                if (std::find(groups.begin(), groups.end(), layer) != groups.end()) {
                    const std::string fig = kLayout.report_figure(m.name + "/" + safe_file_name(layer) + "-diagram");
                    fs::create_directories((dir / fig).parent_path());
                    const Diagrams d = read_diagrams(diagrams.string(), layer);
                    write_diagram_plot(d, (dir / fig).string(), m.name + " " + layer, force);
                    std::string counts;
                    for (const auto& dg : d.dims) counts += " H" + std::to_string(dg.dim) + ": " + std::to_string(dg.pairs.size());
                    page.figure(fig + ".svg", counts, fig + ".png", "small");
                    loop_sentence(page, d, kLayout.loops(m.name, layer));
                }
                page.raw("</td>");
            }
            if (have_mapper) {
                page.raw("<td>");
                const std::string stem = mapper_dir + safe_file_name(layer);
                page.figure(stem + ".svg", "nodes are clusters coloured by class", stem + ".html", "small");
                page.raw("</td>");
            }
            page.raw("</tr>\n");
        }
        page.raw("</table></details>\n");
    }

    page.heading("config", "Experiment file");
    page.raw("<pre>" + xml_escape(plan.value("config", "")) + "</pre>\n");
    page.text("Every job's command and the hashes of its inputs and outputs: manifest.json; wall times: timings.json; "
              "each job's log: logs/.");
    write_text_file(target, page.html("actopo experiment " + plan.value("name", ""),
                                      count_noun(models.size(), "model") + ", seed " +
                                          std::to_string(plan.value("seed", 0)) + ", actopo " + version()),
                    true);
}

}  // namespace actopo
