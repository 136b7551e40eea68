// Every stage's options, declared once (include/actopo/options.hpp).
#include "actopo/options.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "actopo/core.hpp"

namespace actopo {
namespace {

/// A number as the messages show it: 0.5, 1e-12, 100000000.
std::string shown(double v) { return format_number(v, 12); }

OptionSpec make(std::string name, OptionType type, std::string default_value, std::string help) {
    OptionSpec s;
    s.name = std::move(name);
    s.type = type;
    s.default_value = std::move(default_value);
    s.help = std::move(help);
    return s;
}
OptionSpec integer(std::string name, std::string def, double lo, double hi, std::string help) {
    OptionSpec s = make(std::move(name), OptionType::integer, std::move(def), std::move(help));
    s.min = lo;
    s.max = hi;
    return s;
}
OptionSpec real(std::string name, std::string def, double lo, double hi, std::string help) {
    OptionSpec s = make(std::move(name), OptionType::real, std::move(def), std::move(help));
    s.min = lo;
    s.max = hi;
    return s;
}
OptionSpec text(std::string name, std::string def, std::vector<std::string> choices, std::string help) {
    OptionSpec s = make(std::move(name), OptionType::text, std::move(def), std::move(help));
    s.choices = std::move(choices);
    return s;
}
OptionSpec flag(std::string name, std::string help) { return make(std::move(name), OptionType::flag, "false", std::move(help)); }
OptionSpec texts(std::string name, std::vector<std::string> choices, std::string help) {
    OptionSpec s = make(std::move(name), OptionType::texts, "", std::move(help));
    s.choices = std::move(choices);
    return s;
}
OptionSpec integers(std::string name, double lo, double hi, std::string help) {
    OptionSpec s = make(std::move(name), OptionType::integers, "", std::move(help));
    s.min = lo;
    s.max = hi;
    return s;
}
OptionSpec yaml_only(OptionSpec s) {
    s.cli = false;
    return s;
}
OptionSpec cli_only(OptionSpec s) {
    s.yaml = false;
    return s;
}
std::string prime_check(const std::string& value) {
    const long long p = std::stoll(value);
    bool prime = p >= 2;
    for (long long d = 2; prime && d * d <= p; ++d) prime = p % d != 0;
    return prime ? "" : "expected a prime number (2, 3, 5, 7, ...) for the coefficient field Z/p, got '" + value + "'";
}

/// bottleneck, sliced-wasserstein, wasserstein, or wasserstein-P with P >= 1 (a job's --metric wasserstein --p P).
std::string distance_check(const std::string& name) {
    if (name == "bottleneck" || name == "sliced-wasserstein" || name == "wasserstein") return "";
    if (name.rfind("wasserstein-", 0) == 0) {
        try {
            std::size_t used = 0;
            const double p = std::stod(name.substr(12), &used);
            if (used == name.size() - 12 && p >= 1 && std::isfinite(p)) return "";
        } catch (const std::exception&) {
        }
        return "expected wasserstein-P with a number P >= 1 (e.g. wasserstein-1), got '" + name + "'";
    }
    return "expected one of bottleneck, sliced-wasserstein, wasserstein, wasserstein-P (P >= 1), got '" + name + "'";
}

/// The attribution methods: the base ones, the noise tunnel over the gradient, and over each base method.
const std::vector<std::string>& base_explain_methods() {
    static const std::vector<std::string> base{"gradient", "saliency", "saliency-max", "gradient-x-input",
                                               "integrated-gradients", "cam", "grad-cam", "grad-cam++", "occlusion",
                                               // the modified backward passes (src/explain/relevance.cpp)
                                               "lrp", "lrp-0", "lrp-epsilon", "lrp-gamma", "lrp-alpha1-beta0", "lrp-flat",
                                               "lrp-epsilon-gamma-box", "lrp-epsilon-plus", "deep-taylor", "deeplift",
                                               "guided-backprop", "deconvnet", "guided-grad-cam"};
    return base;
}

std::string explain_method_check(const std::string& method) {
    const auto& all = explain_methods();
    if (std::find(all.begin(), all.end(), method) != all.end()) return "";
    const auto near = closest_names(method, all);
    return "unknown method '" + method + "'" + (near.empty() ? "" : " (closest: " + join(near) + ")") +
           "; the methods: " + join(base_explain_methods()) + ", smoothgrad[:<method>]";
}

/// --layer-rules: comma-separated <layer path or type>=<rule> (the layers themselves are checked against the model).
std::string layer_rules_check(const std::string& spec) {
    static const std::vector<std::string> rules{"lrp-0", "epsilon", "gamma", "alpha1-beta0", "zb", "flat", "w-squared"};
    if (spec.empty()) return "";
    for (const std::string& item : split(spec, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || std::find(rules.begin(), rules.end(), item.substr(eq + 1)) == rules.end())
            return "expected <layer or type>=<rule>,... with a rule among " + join(rules) + ", got '" + item + "'";
    }
    return "";
}

/// --bounds: data, or LO,HI with LO < HI.
std::string bounds_check(const std::string& spec) {
    if (spec == "data") return "";
    const auto parts = split(spec, ',');
    try {
        std::size_t u0 = 0, u1 = 0;
        if (parts.size() == 2) {
            const double lo = std::stod(parts[0], &u0), hi = std::stod(parts[1], &u1);
            if (u0 == parts[0].size() && u1 == parts[1].size() && lo < hi) return "";
        }
    } catch (const std::exception&) {
    }
    return "expected data or LO,HI with LO < HI (e.g. 0,1), got '" + spec + "'";
}

/// A Mapper lens spec: a lens name, knn[:K] with K >= 1, neuron:I with I >= 0, or file:PATH (the values
/// themselves are checked against the cloud by mapper::compute_lens).
std::string lens_check(const std::string& spec) {
    static const std::vector<std::string> names{"l2norm", "l1norm", "mean",       "max",        "knn",
                                                "eccentricity", "pca", "pca2", "prediction", "margin"};
    if (std::find(names.begin(), names.end(), spec) != names.end()) return "";
    const auto colon = spec.find(':');
    const std::string head = spec.substr(0, colon), tail = colon == std::string::npos ? "" : spec.substr(colon + 1);
    const bool whole = !tail.empty() && tail.find_first_not_of("0123456789") == std::string::npos && tail.size() < 10;
    if (head == "knn" && whole && std::stoll(tail) >= 1) return "";
    if (head == "neuron" && whole) return "";
    if (head == "file" && !tail.empty()) return "";
    return "expected one of l2norm, l1norm, mean, max, knn[:K], eccentricity, pca, pca2, neuron:I, prediction, margin, "
           "file:PATH, got '" + spec + "'";
}

std::vector<StageOptions> make_tables() {
    std::vector<StageOptions> t;

    // how a layer becomes a point cloud (persistence); the experiment's `sampling:` section
    {
        StageOptions s{"sampling", {}};
        OptionSpec method = text("sampling", "avgpool",
                                 {"flatten", "avgpool", "top-l2", "spatial", "tokens", "token-mean", "first-token", "last-token"},
                                 "flatten|avgpool|top-l2|spatial, or for a sequence layer [T, D] tokens|token-mean|"
                                 "first-token|last-token (docs/sampling.md)");
        method.yaml_key = "method";
        OptionSpec normalize = text("normalize", "none", {"none", "standardize", "mean-distance", "diameter"},
                                    "Scale of each layer's cloud: none | standardize (per coordinate) | mean-distance "
                                    "(mean distance 1) | diameter (largest distance 1)");
        normalize.run_default = "mean-distance";  // an experiment compares layers of different scale
        OptionSpec projection = integer("projection", "16384", 0, 1 << 24,
                                        "flatten: points of more values are randomly projected to this many dimensions "
                                        "(a multiple of 4; 0: never; docs/sampling.md)");
        projection.check = [](const std::string& v) {
            return std::stoll(v) % 4 == 0 ? "" : "expected a multiple of 4 (or 0), got '" + v + "'";
        };
        s.specs = {method, integer("points", "1000", 0, 1e7, "Points sampled from a store layer (0: all)"), normalize,
                   projection};
        t.push_back(s);
    }
    {
        StageOptions s{"persistence", {}};
        OptionSpec max_dim = integer("max-dim", "", 0, 8, "Compute H0..H_K");
        max_dim.run_default = "1";  // the command requires it
        OptionSpec coeff = integer("coeff", "2", 2, 65521, "Prime p of the coefficient field Z/p");
        coeff.check = prime_check;
        OptionSpec threshold = real("threshold", "", 0, std::numeric_limits<double>::infinity(),
                                    "Largest edge length (default: the enclosing radius)");
        OptionSpec sparse = real("sparse", "", 0, 1,
                                 "Sparse Rips with this epsilon: diagram within a factor 1/(1 - eps) of the exact one "
                                 "(native or gudhi backend; default: exact)");
        sparse.open_min = sparse.open_max = true;
        s.specs = {max_dim,
                   // the command also takes `precomputed` (distance matrices) and declares its own --metric
                   yaml_only(text("metric", "euclidean", {"euclidean", "cosine", "correlation"},
                                  "Distance between activation vectors")),
                   text("backend", "", {"native", "gudhi", "ripser"}, "native|gudhi|ripser"), threshold, coeff,
                   integer("representatives", "0", 0, 1e6,
                           "Representatives (cocycles, H1 loops) of the K longest classes of each dimension >= 1 "
                           "(native backend; 0: none, or every class with --min-persistence)"),
                   real("min-persistence", "", 0, std::numeric_limits<double>::infinity(),
                        "Representatives of the classes at least this long (native backend)"),
                   sparse};
        t.push_back(s);
    }
    {  // the experiment's `distances:` section: which matrices (each a job of `actopo distances`)
        StageOptions s{"distances", {}};
        OptionSpec metrics = yaml_only(texts("metrics", {}, "bottleneck, sliced-wasserstein, wasserstein, wasserstein-P"));
        metrics.check = distance_check;
        s.specs = {metrics, yaml_only(integers("dims", 0, 8, "Homology dimensions compared (default: [max_dim])")),
                   yaml_only(integer("blocks", "1", 1, 100000, "Each matrix as this many jobs (pairs split evenly), then merged"))};
        t.push_back(s);
    }
    {
        StageOptions s{"mapper", {}};
        OptionSpec overlap = real("overlap", "0.5", 0, 1, "Overlap fraction of neighbouring intervals, in (0, 1)");
        overlap.open_min = overlap.open_max = true;
        OptionSpec relu = flag("relu", "max(x, 0) before everything (TopoAct's recipe)");
        relu.run_default = "true";
        OptionSpec layers = yaml_only(texts("layer", {}, "Layer key, a comma-separated list in model order, or all"));
        layers.yaml_key = "layers";
        layers.run_default = "all";
        OptionSpec lens = text("lens", "l2norm", {},
                               "l2norm | l1norm | mean | max | knn[:K] | eccentricity | pca | pca2 | neuron:I | "
                               "prediction | margin | file:PATH");
        lens.check = lens_check;
        s.specs = {lens,
                   integer("intervals", "10", 1, 10000, "Intervals per lens dimension"),
                   overlap,
                   text("clusterer", "dbscan", {"dbscan", "single-linkage"}, "dbscan | single-linkage"),
                   text("cover", "uniform", {"uniform", "balanced"}, "uniform | balanced (quantile intervals)"),
                   relu,
                   integer("points", "0", 0, 1e8, "Seeded subsample of this many points (0: all)"),
                   layers};
        t.push_back(s);
    }
    {
        StageOptions s{"coactivation", {}};
        OptionSpec threshold = real("threshold", "0.5", 0, 1, "Keep edges with |r| >= T (with --signed: r >= T), T in (0, 1]");
        threshold.open_min = true;
        s.specs = {text("correlation", "spearman", {"spearman", "pearson"}, "spearman|pearson"), threshold,
                   flag("signed", "Threshold the signed correlation (drop strong negative ones)"),
                   texts("layers", {}, "Layers (comma-separated; default: every layer)")};
        t.push_back(s);
    }
    {
        StageOptions s{"similarity", {}};
        OptionSpec metric = texts("metric", {"cka", "linear-cka", "rbf-cka", "debiased-cka", "svcca", "pwcca", "procrustes",
                                             "procrustes-squared", "procrustes-angular", "rsa"},
                                  "cka (= linear-cka)|rbf-cka|debiased-cka|svcca|pwcca|procrustes-squared (= procrustes)|"
                                  "procrustes-angular|rsa");
        metric.default_value = "cka";
        metric.yaml_key = "metrics";
        s.specs = {metric, integer("points", "2000", 0, 1e8, "Seeded subset of inputs, the same for every layer (0: all)")};
        t.push_back(s);
    }
    {
        StageOptions s{"compare", {}};
        s.specs = {integer("permutations", "999", 1, 1e6, "Permutations of the Mantel test")};
        t.push_back(s);
    }
    {  // an experiment's `models[].train:`
        StageOptions s{"train", {}};
        s.specs = {text("arch", "cnn", {"mlp", "cnn", "resnet", "autoencoder", "transformer"},
                        "Architecture: mlp, cnn, resnet, autoencoder (a decoder for visualize --decoder), or transformer "
                        "(sequences: --dataset fashion-mnist-rows)"),
                   integers("widths", 1, 65536,
                            "Comma-separated widths: mlp hidden layers (256,128), cnn conv1,conv2,fc1 (8,16,64), resnet "
                            "stages (8,16), autoencoder code size (16), transformer encoder layers (64,64: equal, "
                            "divisible by 4)"),
                   integer("epochs", "2", 0, 10000, "Passes over the training inputs (0: save the seeded initialisation, untrained)"),
                   integer("batch", "64", 1, 1 << 20, "Mini-batch size"),
                   real("lr", "0.001", 1e-12, 10, "Adam learning rate"),
                   integer("seed", "1", 0, double(1ll << 62), "Seed of the initialisation and the shuffling"),
                   integer("limit", "0", 0, 1e8, "Train on the first N training inputs only (0: all)"),
                   // the command takes a folder (--checkpoints DIR); the experiment says whether to keep them
                   yaml_only(flag("checkpoints", "Keep epoch-<k>.pt and study them"))};
        t.push_back(s);
    }
    {  // `actopo explain` and an experiment's `explain:` (explain-quality declares the method options from here too)
        StageOptions s{"explain", {}};
        OptionSpec method = texts("method", {},
                                  "Comma-separated methods: gradient, saliency, saliency-max, gradient-x-input, "
                                  "integrated-gradients, cam, grad-cam, grad-cam++, occlusion, lrp (--lrp-rule), lrp-<rule>, "
                                  "deep-taylor, deeplift, guided-backprop, deconvnet, guided-grad-cam, smoothgrad (over "
                                  "gradient) or smoothgrad:<method>");
        method.default_value = "saliency";
        method.yaml_key = "methods";
        method.check = explain_method_check;
        OptionSpec target = text("target", "predicted", {}, "Class to explain: label, predicted or a class index");
        target.check = [](const std::string& v) -> std::string {
            if (v == "label" || v == "predicted" || (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos))
                return "";
            return "expected label, predicted or a class index (0, 1, ...), got '" + v + "'";
        };
        OptionSpec limit = integer("limit", "0", 0, 1e8, "The first N inputs only (0: all)");
        limit.run_default = "100";  // an experiment explains a sample, not the whole split
        OptionSpec blur = real("blur-sigma", "3", 0, 1e4, "integrated-gradients --baseline blur: Gaussian sigma in pixels");
        blur.open_min = true;
        OptionSpec seed = integer("seed", "0", 0, double(1ll << 62), "Seed of smoothgrad's noise and the uniform baseline");
        OptionSpec layer_rules = text("layer-rules", "", {}, "lrp, deep-taylor: per-layer rules <layer or type>=<rule>,... "
                                      "(rules lrp-0, epsilon, gamma, alpha1-beta0, zb, flat, w-squared; e.g. conv1=zb,Linear=epsilon)");
        layer_rules.check = layer_rules_check;
        OptionSpec bounds = text("bounds", "data", {}, "lrp zb rule, deep-taylor: input bounds, data (each input's min and "
                                 "max) or LO,HI");
        bounds.check = bounds_check;
        seed.yaml = false;  // an experiment's own seed
        s.specs = {method,
                   target,
                   limit,
                   text("layer", "", {}, "cam, grad-cam, grad-cam++: a convolutional layer (default: the last one)"),
                   text("baseline", "zero", {"zero", "mean", "blur", "uniform"}, "integrated-gradients: zero | mean | blur | uniform"),
                   integer("steps", "50", 1, 1e6, "integrated-gradients: integration steps"),
                   text("rule", "midpoint", {"midpoint", "gauss-legendre"}, "integrated-gradients: midpoint (Riemann) | gauss-legendre"),
                   blur,
                   real("noise", "0.15", 0, 100, "smoothgrad: noise sigma as a fraction of (max x - min x)"),
                   integer("samples", "50", 1, 1e6, "smoothgrad: noisy copies per input"),
                   text("variant", "mean", {"mean", "squared", "variance"}, "smoothgrad: mean | squared | variance (VarGrad)"),
                   integer("window", "4", 1, 1e6, "occlusion: window size in pixels"),
                   integer("stride", "2", 1, 1e6, "occlusion: window stride in pixels"),
                   real("occlusion-value", "0", -1e30, 1e30, "occlusion: the value the window is filled with"),
                   text("lrp-rule", "epsilon-gamma-box", {"lrp-0", "epsilon", "gamma", "alpha1-beta0", "flat",
                                                          "epsilon-gamma-box", "epsilon-plus"},
                        "lrp: one rule for every layer, or a composite: epsilon-gamma-box (zb at the input, gamma on "
                        "convolutions, epsilon on dense layers), epsilon-plus (z+ on convolutions, epsilon on dense layers)"),
                   real("epsilon", "0.25", 0, 1e30, "lrp epsilon rule: the stabiliser added to z with its sign"),
                   real("gamma", "0.25", 0, 1e30, "lrp gamma rule: the extra weight of positive weights"),
                   layer_rules,
                   bounds,
                   seed,
                   integer("internal-batch", "256", 1, 1e8, "Model inputs per forward/backward pass (bounds memory)"),
                   integer("batch", "32", 1, 1e6, "Dataset inputs per step"),
                   integer("picture-count", "8", 1, 1000, "Inputs per picture grid")};
        t.push_back(s);
    }
    {  // `actopo explain-quality` and an experiment's `explain.quality:`
        StageOptions s{"explain-quality", {}};
        OptionSpec radius = real("radius", "0.05", 0, 1e6, "Continuity, max-sensitivity, infidelity: perturbation size (x range units)");
        radius.open_min = true;
        s.specs = {integer("limit", "100", 1, 1e8, "The first N inputs"),
                   integer("patch", "4", 1, 1e4, "Pixel-flipping: patch size in pixels"),
                   integer("flip-steps", "20", 1, 1e6, "Pixel-flipping: patches removed"),
                   real("flip-value", "0", -1e30, 1e30, "Pixel-flipping: value of a removed patch"),
                   radius,
                   integer("perturbations", "10", 1, 1e5, "Perturbed copies per input")};
        t.push_back(s);
    }
    {  // `actopo visualize`: activation maximisation, filters, activation maps
        StageOptions s{"visualize", {}};
        OptionSpec units = text("units", "", {}, "Units to maximise: 0-15, 3,5,9-11 (default: every unit of the layer)");
        units.check = [](const std::string& v) -> std::string {
            if (!v.empty() && v.find_first_not_of("0123456789,-") == std::string::npos) return "";
            return "expected unit numbers and ranges such as 0-15 or 3,5,9-11, got '" + v + "'";
        };
        OptionSpec lr = real("lr", "0.05", 0, 1e6, "Step size: x += lr * gradient / rms(gradient), per image");
        lr.open_min = true;
        OptionSpec seed = integer("seed", "0", 0, double(1ll << 62), "Seed of the start images and the jitter");
        seed.yaml = false;  // an experiment's own seed
        s.specs = {text("layer", "", {}, "Layer (module path) whose units are maximised, or whose maps are drawn"),
                   text("target", "unit", {"unit", "class"}, "unit: the layer's neurons or channels | class: the logits"),
                   units,
                   integer("steps", "256", 1, 1e6, "Gradient ascent steps"),
                   lr,
                   real("l2", "0.001", 0, 1e6, "L2 decay: the objective is activation - l2 * sum(x^2) - tv * TV(x)"),
                   integer("jitter", "2", 0, 1000, "Each step rolls the image by a seeded shift of up to this many pixels"),
                   real("blur-sigma", "0.5", 0, 1000, "Gaussian blur (pixels) of the image every --blur-every steps (0: none)"),
                   integer("blur-every", "4", 1, 1e6, "Steps between blurs"),
                   real("tv", "0.001", 0, 1e6, "Total-variation weight (sum of |differences| of neighbouring pixels)"),
                   real("input-min", "0", -1e30, 1e30, "Smallest input value: the start is drawn in the range, each step clamps to it"),
                   real("input-max", "1", -1e30, 1e30, "Largest input value"),
                   integers("input-shape", 1, 1 << 20, "Per-input shape C,H,W (default: the dataset's)"),
                   seed,
                   integer("internal-batch", "256", 1, 1e8, "Units optimised together in one pass (bounds memory)"),
                   text("decoder", "", {}, "Code space: a decoder (actopo train --arch autoencoder) whose code is optimised"),
                   flag("filters", "Draw the first layer's filters instead"),
                   flag("activation-maps", "Draw --layer's activation maps for the first --inputs inputs instead"),
                   integer("inputs", "4", 1, 1000, "Activation maps: inputs shown (one row each)")};
        t.push_back(s);
    }
    {  // `actopo mapper`'s way back to the inputs (command line only)
        StageOptions s{"trace", {}};
        OptionSpec color = text("color-by", "", {}, "Also colour nodes by a per-input value: label | prediction | correct | margin | file:PATH "
                                                    "(CSV or NPY, one value per input id)");
        color.check = [](const std::string& v) -> std::string {
            if (v == "label" || v == "prediction" || v == "correct" || v == "margin" || (v.rfind("file:", 0) == 0 && v.size() > 5))
                return "";
            return "expected label, prediction, correct, margin or file:PATH, got '" + v + "'";
        };
        s.specs = {integer("exemplars", "5", 0, 1e6, "Members nearest each node's centre kept as its exemplars (0: none)"),
                   text("attributions", "", {}, "attributions.h5[:method] of the same inputs: each node's mean map (default: the file's first method)"),
                   color};
        for (auto& spec : s.specs) spec.yaml = false;
        t.push_back(s);
    }
    {  // `actopo ablate`
        StageOptions s{"ablate", {}};
        s.specs = {text("fill", "zero", {"zero", "mean"}, "What the ablated units become: zero, or their mean over the dataset given"),
                   integer("baseline-draws", "100", 0, 1e6, "Random unit sets of the same layers and counts (the permutation baseline)"),
                   integer("top-units", "10", 1, 1e6, "--mapper-node: ablate the node's this many most distinguishing units"),
                   integer("seed", "0", 0, double(1ll << 62), "Seed of the random unit sets"),
                   integer("limit", "0", 0, 1e8, "The first N inputs only (0: all)")};
        t.push_back(s);
    }
    {  // an experiment's `dataset:` (its other keys say where the inputs come from)
        StageOptions s{"extract", {}};
        OptionSpec calls = text("calls", "last", {"last", "all"},
                                "A module that forward calls several times (in a loop, or shared): last stores its last "
                                "call, all every call stacked on a new axis 1 [N, calls, ...]");
        OptionSpec logits = text("logits", "", {},
                                 "Where the logits are when forward returns a tuple, list or dict: an address ([0], "
                                 "[\"logits\"]) or a key (logits)");
        calls.yaml = logits.yaml = false;
        // the model, the dataset, the output and --force are every command's own; an experiment names each model's
        // layers in `models[].layers`, and its jobs keep the command's batch, threads and compression
        OptionSpec layers = cli_only(text(
            "layers", "all", {},
            "Comma-separated module paths (layer1.0.conv2,fc), globs (layer*.relu), type:Conv2d, blocks (the children "
            "of every Sequential/ModuleList), each with an optional address of an element of its output (lstm[1][0], "
            "branch[\"aux\"]); or all (every leaf)"));
        s.specs = {layers,
                   integer("limit", "0", 0, 1e8, "The first N inputs only (0: all)"),
                   cli_only(integer("batch", "256", 1, 1 << 20, "Inputs per forward pass")),
                   cli_only(integer("threads", "0", 0, 4096, "Intra-op threads (0: LibTorch's default)")),
                   cli_only(integer("compression", "0", 0, 9,
                                    "0: store uncompressed (fastest); 1-9: byte shuffle + deflate at that level (1: "
                                    "about 40% smaller, several times slower)")),
                   text("store-dtype", "float32", {"float32", "float16"},
                        "How activations are stored: float32, or float16 (half the bytes, about 3 significant digits; "
                        "read back as float32)"),
                   integer("pool", "1", 1, 1024,
                           "Average-pool every [C, H, W] layer KxK (stride K) before storing it (1: no pooling)"),
                   cli_only(flag("dry-run", "Print each layer's stored shape and size and the total, write nothing")),
                   calls, logits,
                   cli_only(flag("list-layers", "Print the leaf layers with their output shapes and exit"))};
        t.push_back(s);
    }
    return t;
}

const std::vector<StageOptions>& tables() {
    static const std::vector<StageOptions> t = make_tables();
    return t;
}

}  // namespace

const std::vector<std::string>& explain_methods() {
    static const std::vector<std::string> all = [] {
        std::vector<std::string> v = base_explain_methods();
        v.push_back("smoothgrad");
        for (const auto& b : base_explain_methods()) v.push_back("smoothgrad:" + b);
        return v;
    }();
    return all;
}

std::string OptionSpec::key() const {
    if (!yaml_key.empty()) return yaml_key;
    std::string k = name;
    std::replace(k.begin(), k.end(), '-', '_');
    return k;
}

const OptionSpec* StageOptions::find(const std::string& name) const {
    for (const auto& s : specs)
        if (s.name == name || (s.yaml && s.key() == name)) return &s;
    return nullptr;
}

const OptionSpec& StageOptions::at(const std::string& name) const {
    if (const OptionSpec* s = find(name)) return *s;
    throw std::logic_error("stage " + stage + " has no option " + name);
}

std::vector<std::string> StageOptions::keys() const {
    std::vector<std::string> out;
    for (const auto& s : specs)
        if (s.yaml) out.push_back(s.key());
    return out;
}

const StageOptions& stage_options(const std::string& stage) {
    for (const auto& t : tables())
        if (t.stage == stage) return t;
    throw std::logic_error("no option table for stage " + stage);
}

const std::vector<std::string>& option_stages() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& t : tables()) out.push_back(t.stage);
        return out;
    }();
    return names;
}

std::string option_problem(const OptionSpec& spec, const std::string& value) {
    const std::string got = ", got '" + value + "'";
    switch (spec.type) {
        case OptionType::integer:
        case OptionType::integers: {
            long long v = 0;
            try {
                std::size_t used = 0;
                v = std::stoll(value, &used);
                if (used != value.size()) throw std::invalid_argument(value);
            } catch (const std::exception&) {  // a list's item is named as the item of the list it is
                if (spec.type == OptionType::integers) return "'" + value + "' is not an integer (expected whole numbers, e.g. 64,32)";
                return "expected a whole number" + got;
            }
            if (double(v) < spec.min || double(v) > spec.max) {
                if (std::isinf(spec.max)) return "expected a whole number >= " + shown(spec.min) + got;
                return "expected a number from " + std::to_string(static_cast<long long>(spec.min)) + " to " +
                       std::to_string(static_cast<long long>(spec.max)) + got;
            }
            break;
        }
        case OptionType::real: {
            double v = 0;
            try {
                std::size_t used = 0;
                v = std::stod(value, &used);
                if (used != value.size() || !std::isfinite(v)) throw std::invalid_argument(value);
            } catch (const std::exception&) {
                return "expected a number" + got;
            }
            const bool low = spec.open_min ? v <= spec.min : v < spec.min;
            const bool high = spec.open_max ? v >= spec.max : v > spec.max;
            if (low || high) {
                if (std::isinf(spec.max)) return "expected a number " + std::string(spec.open_min ? "> " : ">= ") + shown(spec.min) + got;
                return "expected a number in " + std::string(spec.open_min ? "(" : "[") + shown(spec.min) + ", " +
                       shown(spec.max) + (spec.open_max ? ")" : "]") + got;
            }
            break;
        }
        case OptionType::flag:
            if (value != "true" && value != "false") return "expected true or false" + got;
            break;
        case OptionType::text:
        case OptionType::texts:
            if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end())
                return "expected one of " + join(spec.choices) + got;
            break;
    }
    return spec.check ? spec.check(value) : "";
}

std::string canonical_value(const OptionSpec& spec, const std::string& value) {
    if (spec.type == OptionType::integer || spec.type == OptionType::integers) return std::to_string(std::stoll(value));
    if (spec.type != OptionType::real) return value;
    return format_exact(std::stod(value));
}

std::vector<std::string> option_arguments(const StageOptions& table, const OptionValues& set,
                                          const std::vector<std::string>& skip) {
    std::vector<std::string> out;
    for (const auto& spec : table.specs) {
        if (std::find(skip.begin(), skip.end(), spec.name) != skip.end()) continue;
        const auto it = set.find(spec.name);
        std::string value;
        if (it != set.end()) value = it->second;
        else if (!spec.run_default.empty() && spec.run_default != spec.default_value) value = spec.run_default;
        else continue;
        if (spec.type == OptionType::flag) {
            if (value == "true") out.push_back("--" + spec.name);
        } else {
            out.insert(out.end(), {"--" + spec.name, value});
        }
    }
    return out;
}

OptionValues resolved_options(const StageOptions& table, const OptionValues& set) {
    OptionValues out;
    for (const auto& spec : table.specs) {
        if (!spec.yaml) continue;  // the planner writes it itself (explain's --seed: the experiment's seed)
        const auto it = set.find(spec.name);
        const std::string value = it != set.end() ? it->second : spec.experiment_default();
        if (!value.empty()) out[spec.name] = value;
    }
    return out;
}

}  // namespace actopo
