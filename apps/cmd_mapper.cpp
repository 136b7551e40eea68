// `actopo mapper`: Mapper graphs of one or every layer of an activation store, their pictures, and the
// class hierarchy across layers.
#include <algorithm>
#include <functional>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "actopo/dataset.hpp"
#include "actopo/mapper.hpp"
#include "actopo/plot.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"
#include "command.hpp"
#include "thumbnails.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

struct Args {
    std::string input, layer, sampling = "avgpool", normalize = "none", lens = "l2norm", cover = "uniform", bounds, clusterer = "dbscan",
                metric = "euclidean", output, engine = "neato", attributions, color_by;
    std::size_t projection = actopo::kDefaultProjection, points = 0, intervals = 10, min_samples = 5, min_intersection = 1, exemplars = 5;
    std::uint64_t seed = 0;
    double overlap = 0.5, eps = 0, split_threshold = 0.5;
    bool eps_per_set = false;
    bool relu = false, force = false, no_pictures = false;
};

/// Per-point rows of a store's table (logits), matched through the input ids.
Matrix per_point_logits(const StoreReader& store, const PointCloud& cloud) {
    Matrix all = store.logits();
    if (all.cols == 0) return all;
    std::map<std::int64_t, std::size_t> row_of;
    auto index = store.index();
    for (std::size_t r = 0; r < index.size(); ++r) row_of[index[r]] = r;
    Matrix out(cloud.points.rows, all.cols);
    for (std::size_t i = 0; i < cloud.points.rows; ++i) {
        auto it = row_of.find(cloud.input_ids[i]);
        if (it == row_of.end()) throw UserError(store.path() + ": input id " + std::to_string(cloud.input_ids[i]) + " is not in /inputs/index");
        std::copy(all.row(it->second), all.row(it->second) + all.cols, out.row(i));
    }
    return out;
}

/// The per-input values of --color-by: a built-in from the store's tables, or a file. Sets `categorical`.
std::map<std::int64_t, double> input_values(const StoreReader& store, const std::string& spec, bool& categorical) {
    if (spec.rfind("file:", 0) == 0) {
        categorical = false;
        return mapper::read_input_values(spec.substr(5));
    }
    const auto index = store.index(), labels = store.labels(), predictions = store.predictions();
    categorical = spec == "label" || spec == "prediction";
    if (spec != "label" && !store.has_predictions())
        throw UserError("--color-by " + spec + ": " + store.path() + " has no /inputs/predictions");
    const Matrix logits = spec == "margin" ? store.logits() : Matrix();
    if (spec == "margin" && logits.cols < 2) throw UserError("--color-by margin: " + store.path() + " has no logits of 2 or more classes");
    std::map<std::int64_t, double> out;
    for (std::size_t r = 0; r < index.size(); ++r) {
        double v = 0;
        if (spec == "label") v = double(labels[r]);
        else if (spec == "prediction") v = double(predictions[r]);
        else if (spec == "correct") v = predictions[r] == labels[r];
        else {  // margin: the largest logit minus the second largest
            std::vector<float> row(logits.row(r), logits.row(r) + logits.cols);
            std::partial_sort(row.begin(), row.begin() + 2, row.end(), std::greater<float>());
            v = double(row[0]) - double(row[1]);
        }
        out[index[r]] = v;
    }
    return out;
}

std::vector<std::string> outputs_of(const std::string& json_path, bool pictures) {
    std::vector<std::string> out{json_path};
    const std::string stem = json_path.substr(0, json_path.size() - 5);
    for (const char* ext : {".graphml", ".dot"}) out.push_back(stem + ext);
    if (pictures)
        for (const char* ext : {".svg", ".png", ".html"}) out.push_back(stem + ext);
    return out;
}

void run(const Args& a) {
    StoreReader store(a.input);
    mapper::MapperOptions o;
    o.lens = a.lens;
    o.cover.kind = mapper::parse_cover(a.cover);
    o.cover.intervals = a.intervals;
    o.cover.overlap = a.overlap;
    if (!a.bounds.empty()) {
        auto parts = split(a.bounds, ',');
        try {
            if (parts.size() != 2) throw std::invalid_argument("");
            o.cover.lo = std::stod(parts[0]);
            o.cover.hi = std::stod(parts[1]);
        } catch (const std::exception&) {
            throw UserError("--bounds '" + a.bounds + "': expected two numbers lo,hi, e.g. --bounds 0,25");
        }
        o.cover.fixed_bounds = true;
    }
    o.cluster.kind = mapper::parse_clusterer(a.clusterer);
    o.cluster.metric = parse_metric(a.metric);
    o.cluster.min_samples = a.min_samples;
    o.cluster.eps = a.eps;
    o.cluster.eps_per_set = a.eps_per_set;
    o.cluster.seed = a.seed;
    o.min_intersection = a.min_intersection;
    // validate the cheap options before reading any layer
    mapper::build_cover(mapper::Lens{"check", 1, {0.0, 1.0}}, o.cover);

    std::vector<std::string> layers;
    if (a.layer == "all") {
        layers = store.layer_names();
    } else {
        layers = split(a.layer, ',');
        for (auto& l : layers) store.layer_shape(l = trim(l));  // UserError naming the closest layers
    }
    if (layers.empty()) throw UserError(a.input + " holds no layers");
    const bool many = layers.size() > 1;
    if (!many && (a.output.size() < 5 || a.output.substr(a.output.size() - 5) != ".json"))
        throw UserError("-o " + a.output + ": expected a .json name (pictures go next to it)");
    auto json_path = [&](const std::string& name) {
        if (!many) return a.output;
        if (a.output.size() > 5 && a.output.substr(a.output.size() - 5) == ".json")
            return a.output.substr(0, a.output.size() - 5) + "-" + safe_file_name(name) + ".json";
        return (fs::path(a.output) / (safe_file_name(name) + ".json")).string();
    };
    if (many && (a.output.size() <= 5 || a.output.substr(a.output.size() - 5) != ".json")) fs::create_directories(a.output);
    if (!a.force) {  // refuse before the work, not after it
        std::vector<std::string> targets;
        for (const auto& l : layers)
            for (const auto& t : outputs_of(json_path(l), !a.no_pictures)) targets.push_back(t);
        if (many) {
            const std::string h = json_path("hierarchy"), stem = h.substr(0, h.size() - 5);
            for (const auto& t : {h, stem + ".dot", stem + ".svg", stem + ".png"}) targets.push_back(t);
        }
        for (const auto& t : targets)
            if (fs::exists(t)) throw UserError(t + " exists (use --force to overwrite)");
    }

    SampleOptions so;
    so.method = parse_sampling(a.sampling);
    so.points = a.points;
    so.seed = a.seed;
    so.relu = a.relu;
    so.normalize = parse_normalization(a.normalize);
    so.projection = a.projection;
    const auto& names = store.info().class_names;
    std::map<std::int64_t, std::vector<std::uint8_t>> thumbs;
    if (!a.no_pictures) thumbs = cli::store_thumbnails(store);
    std::map<std::int64_t, double> values;
    bool categorical = false;
    if (!a.color_by.empty()) values = input_values(store, a.color_by, categorical);
    std::optional<mapper::AttributionMaps> attributions;  // read once, for every layer
    if (!a.attributions.empty()) {  // the file must be of the store's inputs
        attributions = mapper::read_attribution_maps(a.attributions);
        const AttributionFile& file = attributions->file;
        if (file.dataset != store.info().dataset || file.split != store.info().split)
            throw UserError("--attributions " + attributions->path + " explains dataset '" + file.dataset + ":" + file.split +
                            "', but " + a.input + " holds '" + store.info().dataset + ":" + store.info().split + "'");
    }
    std::vector<mapper::Dendrogram> dendrograms;
    for (const auto& layer : layers) {
        throw_if_cancelled();
        PointCloud cloud = sample_layer(store, layer, so);
        mapper::LensInputs li;
        li.metric = o.cluster.metric;
        Matrix logits;
        if (a.lens == "prediction" || a.lens == "margin") {
            logits = per_point_logits(store, cloud);
            li.logits = &logits;
        }
        auto lens = mapper::compute_lens(a.lens, cloud, li);
        auto g = mapper::build_graph(cloud, lens, o);
        if (a.exemplars > 0) mapper::add_exemplars(g, cloud, a.exemplars);
        if (attributions) mapper::add_attribution_means(g, *attributions);
        if (!a.color_by.empty()) mapper::colour_nodes(g, a.color_by, values, categorical);
        g.meta["input"] = a.input;
        g.meta["layer"] = layer;
        g.meta["sampling"] = a.sampling;
        g.meta["normalize"] = a.normalize;
        g.meta["relu"] = a.relu;
        g.meta["model"] = store.info().model;
        const std::string path = json_path(layer), stem = path.substr(0, path.size() - 5);
        const std::string title = fs::path(store.info().model).filename().string() + " " + layer + " (" + a.lens + ", " +
                                  std::to_string(a.intervals) + " intervals, overlap " + std::to_string(a.overlap).substr(0, 4) + ")";
        write_text_file(path, mapper::to_json(g, names).dump() + "\n", a.force);
        write_text_file(stem + ".graphml", mapper::to_graphml(g), a.force);
        const std::string dot = mapper::to_dot(g, names, title);
        write_text_file(stem + ".dot", dot, a.force);
        if (!a.no_pictures) {
            render_graphviz_figure(dot, a.engine, stem + ".svg", a.force);
            write_text_file(stem + ".html", mapper::to_html(g, names, title, thumbs), a.force);
        }
        std::printf("%s: %s, %s, %s, %s, mean purity %.3f -> %s\n", layer.c_str(), count_noun(g.nodes.size(), "node").c_str(),
                    count_noun(g.links.size(), "edge").c_str(), count_noun(g.components, "component").c_str(),
                    count_noun(g.cycles, "cycle").c_str(), g.mean_purity, path.c_str());
        dendrograms.push_back(mapper::class_hierarchy(g));
    }
    if (many) {
        const std::string path = json_path("hierarchy"), stem = path.substr(0, path.size() - 5);
        auto h = mapper::hierarchy_across_layers(layers, dendrograms, a.split_threshold, names);
        write_text_file(path, h.dump(1) + "\n", a.force);
        const std::string dot = mapper::dendrogram_dot(dendrograms.back(), names,
                                                       "class hierarchy of " + layers.back() + " (1 - class similarity)");
        write_text_file(stem + ".dot", dot, a.force);
        if (!a.no_pictures) {
            render_graphviz_figure(dot, "dot", stem + ".svg", a.force);
        }
        for (const auto& s : h["splits"])
            if (!s["split_layer"].is_null())
                std::printf("split: {%s} | {%s} at %s\n", join(s["group_names"][0].get<std::vector<std::string>>()).c_str(),
                             join(s["group_names"][1].get<std::vector<std::string>>()).c_str(),
                             s["split_layer"].get<std::string>().c_str());
    }
}

cli::Registration reg{"mapper", "Mapper graph of a layer (or every layer) and the class hierarchy", [](CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.footer(
        "Examples:\n"
        "  actopo mapper acts.h5 --layer fc1 --lens l2norm --intervals 10 --overlap 0.5 -o fc1.json\n"
        "  actopo mapper acts.h5 --layer all --relu --bounds 0,30 --clusterer dbscan -o results/mapper/cnn/\n"
        "  actopo mapper acts.h5 --layer conv2 --sampling top-l2 --points 2000 --seed 7 --lens pca2 \\\n"
        "      --cover balanced --intervals 6 --overlap 0.3 --metric cosine -o conv2.json\n"
        "  actopo mapper acts.h5 --layer relu3 --attributions attributions.h5:integrated-gradients --color-by margin \\\n"
        "      -o relu3.json    (the page shows exemplars and mean maps on hover; a click lists a node's input ids)\n"
        "Writes graph.json (schema: docs/mapper.md), .graphml, .dot, .svg, .png and an interactive .html next to\n"
        "it; with several layers one set per layer and hierarchy.json (+ its picture).");
    app.add_option("input", a->input, "Activation store (.h5)")->required();
    app.add_option("--layer", a->layer, "Layer key, a comma-separated list in model order, or all")->required();
    cli::add_stage_option(app, "sampling", "sampling", a->sampling);
    cli::add_stage_option(app, "sampling", "normalize", a->normalize);
    cli::add_stage_option(app, "sampling", "projection", a->projection);
    cli::add_stage_option(app, "mapper", "points", a->points);
    app.add_option("--seed", a->seed, "Seed of the subsample and of the points whose k-NN distances choose eps")->capture_default_str();
    cli::add_stage_option(app, "mapper", "relu", a->relu);
    cli::add_stage_option(app, "mapper", "lens", a->lens);
    cli::add_stage_option(app, "mapper", "intervals", a->intervals);
    cli::add_stage_option(app, "mapper", "overlap", a->overlap);
    cli::add_stage_option(app, "mapper", "cover", a->cover);
    app.add_option("--bounds", a->bounds, "lo,hi: fixed lens range shared across layers/models (uniform cover)");
    cli::add_stage_option(app, "mapper", "clusterer", a->clusterer);
    app.add_option("--min-samples", a->min_samples, "DBSCAN min_samples (the point included)")->capture_default_str();
    app.add_option("--eps", a->eps, "Fixed DBSCAN eps / single-linkage cut (default: one DBSCAN eps for the layer from its k-NN distances / the first gap)");
    app.add_flag("--eps-per-set", a->eps_per_set, "DBSCAN: a knee eps per cover set instead of one for the layer");
    app.add_option("--metric", a->metric, "euclidean | cosine")->capture_default_str();
    app.add_option("--min-intersection", a->min_intersection, "Shared points that make an edge")->capture_default_str();
    app.add_option("--split-threshold", a->split_threshold, "Class-group similarity below which groups count as split")
        ->capture_default_str();
    cli::add_stage_option(app, "trace", "exemplars", a->exemplars);
    cli::add_stage_option(app, "trace", "attributions", a->attributions);
    cli::add_stage_option(app, "trace", "color-by", a->color_by);
    app.add_option("--engine", a->engine, "Graphviz layout: neato | sfdp | dot")->capture_default_str();
    app.add_flag("--no-pictures", a->no_pictures, "Only JSON, GraphML and DOT");
    app.add_flag("--force", a->force, "Overwrite existing outputs");
    app.add_option("-o,--output", a->output, "graph.json (one layer) or a folder / prefix.json (several)")->required();
    app.callback([a] { run(*a); });
}};

}  // namespace
}  // namespace actopo
