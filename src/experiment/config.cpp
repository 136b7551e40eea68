// Reading an experiment file: every key checked against the schema (docs/experiments.md) before any work,
// each error one line "file:line: key: what was expected".
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include <yaml-cpp/yaml.h>

#include "actopo/coactivation.hpp"
#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/distances.hpp"
#include "actopo/experiment.hpp"
#include "actopo/mapper.hpp"
#include "actopo/metric.hpp"
#include "actopo/persistence.hpp"
#include "actopo/sample.hpp"
#include "actopo/similarity.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

/// Typed access to YAML nodes that names the file, line and key of every problem.
class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const {
        const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
        throw UserError(file_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + key + ": " + message);
    }

    /// A map whose keys are all in `allowed`.
    void keys(const YAML::Node& map, const std::string& where, const std::vector<std::string>& allowed) const {
        if (!map.IsMap()) fail(map, where, "expected a mapping (key: value lines), got " + kind(map));
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.as<std::string>();
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            auto close = closest_names(key, allowed, 1);
            const std::string at = where.empty() ? key : where + "." + key;
            fail(it->first, at,
                 "unknown key" + (close.empty() ? std::string() : " (did you mean '" + close.front() + "'?)") +
                     "; expected one of: " + join(allowed));
        }
    }

    std::string text(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, key, "expected a text value, got " + kind(n));
        return n.as<std::string>();
    }
    bool boolean(const YAML::Node& n, const std::string& key) const {
        bool value = false;
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value))
            fail(n, key, "expected true or false, got " + shown(n));
        return value;
    }
    long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
        long long value = 0;
        if (!n.IsScalar() || !YAML::convert<long long>::decode(n, value))
            fail(n, key, "expected a whole number, got " + shown(n));
        if (value < lo || value > hi)
            fail(n, key, "expected a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + shown(n));
        return value;
    }
    double number(const YAML::Node& n, const std::string& key, double lo, double hi) const {
        double value = 0;
        if (!n.IsScalar() || !YAML::convert<double>::decode(n, value) || !std::isfinite(value))
            fail(n, key, "expected a number, got " + shown(n));
        if (value < lo || value > hi)
            fail(n, key, "expected a number in [" + fmt(lo) + ", " + fmt(hi) + "], got " + shown(n));
        return value;
    }
    std::vector<std::string> texts(const YAML::Node& n, const std::string& key) const {
        if (n.IsScalar()) return {text(n, key)};
        if (!n.IsSequence()) fail(n, key, "expected a list, e.g. [a, b], got " + kind(n));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < n.size(); ++i) out.push_back(text(n[i], key + "[" + std::to_string(i) + "]"));
        return out;
    }
    std::vector<int> integers(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
        if (!n.IsSequence()) fail(n, key, "expected a list of numbers, e.g. [64, 32], got " + kind(n));
        std::vector<int> out;
        for (std::size_t i = 0; i < n.size(); ++i)
            out.push_back(int(integer(n[i], key + "[" + std::to_string(i) + "]", lo, hi)));
        return out;
    }
    /// One of `choices`.
    std::string choice(const YAML::Node& n, const std::string& key, const std::vector<std::string>& choices) const {
        const std::string value = text(n, key);
        if (std::find(choices.begin(), choices.end(), value) == choices.end())
            fail(n, key, "expected one of " + join(choices) + ", got '" + value + "'");
        return value;
    }
    /// Runs a library parser on the value, turning its UserError into one naming the file, line and key.
    template <class Parse>
    std::string checked(const YAML::Node& n, const std::string& key, Parse parse) const {
        const std::string value = text(n, key);
        try {
            parse(value);
        } catch (const UserError& e) {
            fail(n, key, e.what());
        }
        return value;
    }
    /// A path relative to the experiment file's folder, which must exist.
    std::string existing_path(const YAML::Node& n, const std::string& key) const {
        fs::path p = text(n, key);
        if (p.is_relative()) p = fs::path(file_).parent_path() / p;
        if (!fs::exists(p)) fail(n, key, p.string() + " does not exist");
        return fs::absolute(p).lexically_normal().string();
    }

private:
    static std::string kind(const YAML::Node& n) {
        if (n.IsMap()) return "a mapping";
        if (n.IsSequence()) return "a list";
        if (n.IsNull()) return "nothing";
        return "'" + n.as<std::string>() + "'";
    }
    static std::string shown(const YAML::Node& n) { return n.IsScalar() ? "'" + n.as<std::string>() + "'" : kind(n); }
    static std::string fmt(double v) {
        std::string s = std::to_string(v);
        s.erase(s.find_last_not_of('0') + 1);
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    }
    std::string file_;
};

bool valid_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    }) && name[0] != '.';
}

void read_dataset(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    if (n.IsScalar()) {
        c.dataset = r.choice(n, "dataset", {"fashion-mnist"});
        return;
    }
    r.keys(n, "dataset", {"name", "path", "split", "limit"});
    if (n["name"] && n["path"]) r.fail(n["path"], "dataset.path", "give either name (fashion-mnist) or path (.h5), not both");
    if (n["name"]) c.dataset = r.choice(n["name"], "dataset.name", {"fashion-mnist"});
    if (n["path"]) c.dataset = r.existing_path(n["path"], "dataset.path");
    if (n["split"]) {
        if (n["path"]) r.fail(n["split"], "dataset.split", "a .h5 dataset has no splits");
        c.split = r.choice(n["split"], "dataset.split", {"test", "train"});
    }
    if (n["limit"]) c.limit = std::size_t(r.integer(n["limit"], "dataset.limit", 0, 100000000));
}

ModelConfig read_model(const Reader& r, const YAML::Node& n, const std::string& where) {
    ModelConfig m;
    r.keys(n, where, {"name", "train", "path", "layers"});
    if (!n["name"]) r.fail(n, where + ".name", "missing: every model needs a name");
    m.name = r.text(n["name"], where + ".name");
    if (!valid_name(m.name)) r.fail(n["name"], where + ".name", "expected letters, digits, '-', '_' or '.', got '" + m.name + "'");
    if (bool(n["train"]) == bool(n["path"]))
        r.fail(n, where, "give either train: {arch: ...} or path: model.pt");
    if (n["path"]) m.path = r.existing_path(n["path"], where + ".path");
    if (n["layers"]) m.layers = r.texts(n["layers"], where + ".layers");
    if (n["train"]) {
        const YAML::Node t = n["train"];
        const std::string w = where + ".train";
        r.keys(t, w, {"arch", "widths", "epochs", "batch", "lr", "seed", "limit", "checkpoints"});
        if (!t["arch"]) r.fail(t, w + ".arch", "missing: mlp, cnn or resnet");
        m.arch = r.choice(t["arch"], w + ".arch", {"mlp", "cnn", "resnet"});
        if (t["widths"]) m.widths = r.integers(t["widths"], w + ".widths", 1, 65536);
        if (t["epochs"]) m.epochs = int(r.integer(t["epochs"], w + ".epochs", 1, 10000));
        if (t["batch"]) m.batch = int(r.integer(t["batch"], w + ".batch", 1, 1 << 20));
        if (t["lr"]) m.lr = r.number(t["lr"], w + ".lr", 1e-12, 10);
        if (t["seed"]) m.seed = std::uint64_t(r.integer(t["seed"], w + ".seed", 0, 1ll << 62));
        if (t["limit"]) m.train_limit = std::size_t(r.integer(t["limit"], w + ".limit", 0, 100000000));
        if (t["checkpoints"]) m.checkpoints = r.boolean(t["checkpoints"], w + ".checkpoints");
    }
    return m;
}

void read_sampling(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    r.keys(n, "sampling", {"method", "points"});
    if (n["method"]) c.sampling = r.checked(n["method"], "sampling.method", parse_sampling);
    if (n["points"]) c.points = std::size_t(r.integer(n["points"], "sampling.points", 0, 10000000));
}

void read_persistence(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.persistence = true;
    if (n.IsNull()) return;
    r.keys(n, "persistence", {"max_dim", "metric", "backend", "threshold", "coeff"});
    if (n["max_dim"]) c.max_dim = int(r.integer(n["max_dim"], "persistence.max_dim", 0, 8));
    if (n["metric"]) c.point_metric = r.choice(n["metric"], "persistence.metric", {"euclidean", "cosine", "correlation"});
    if (n["backend"]) c.backend = r.choice(n["backend"], "persistence.backend", backend_names());
    if (n["threshold"]) c.threshold = r.number(n["threshold"], "persistence.threshold", 0, 1e300);
    if (n["coeff"]) c.coeff = int(r.integer(n["coeff"], "persistence.coeff", 2, 65521));
}

/// "bottleneck", "sliced-wasserstein", "wasserstein" or "wasserstein-P" (P >= 1).
void check_distance_name(const Reader& r, const YAML::Node& n, const std::string& key) {
    const std::string name = r.text(n, key);
    if (name.rfind("wasserstein-", 0) == 0) {
        try {
            std::size_t used = 0;
            const double p = std::stod(name.substr(12), &used);
            if (used == name.size() - 12 && p >= 1) return;
        } catch (const std::exception&) {
        }
        r.fail(n, key, "expected wasserstein-P with a number P >= 1 (e.g. wasserstein-1), got '" + name + "'");
    }
    r.checked(n, key, parse_diagram_metric);
}

void read_distances(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    // (a YAML::Node assigned to another node rewrites the node it refers to, hence no reassignment here)
    if (n.IsMap()) {
        r.keys(n, "distances", {"metrics", "dims", "blocks"});
        if (!n["metrics"]) r.fail(n, "distances.metrics", "missing: e.g. [bottleneck, sliced-wasserstein]");
        if (n["dims"]) c.distance_dims = r.integers(n["dims"], "distances.dims", 0, 8);
        if (n["blocks"]) c.distance_blocks = std::size_t(r.integer(n["blocks"], "distances.blocks", 1, 100000));
    }
    const YAML::Node metrics = n.IsMap() ? n["metrics"] : n;
    c.distances = r.texts(metrics, "distances");
    for (std::size_t i = 0; i < c.distances.size(); ++i)
        check_distance_name(r, metrics.IsSequence() ? metrics[i] : metrics, "distances[" + std::to_string(i) + "]");
}

void read_mapper(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.mapper = true;
    if (n.IsNull()) return;
    r.keys(n, "mapper", {"lens", "intervals", "overlap", "clusterer", "cover", "relu", "points", "layers"});
    if (n["lens"]) c.lens = r.text(n["lens"], "mapper.lens");
    if (n["intervals"]) c.intervals = std::size_t(r.integer(n["intervals"], "mapper.intervals", 1, 10000));
    if (n["overlap"]) c.overlap = r.number(n["overlap"], "mapper.overlap", 1e-9, 1 - 1e-9);
    if (n["clusterer"]) c.clusterer = r.checked(n["clusterer"], "mapper.clusterer", mapper::parse_clusterer);
    if (n["cover"]) c.cover = r.checked(n["cover"], "mapper.cover", mapper::parse_cover);
    if (n["relu"]) c.mapper_relu = r.boolean(n["relu"], "mapper.relu");
    if (n["points"]) c.mapper_points = std::size_t(r.integer(n["points"], "mapper.points", 0, 100000000));
    if (n["layers"]) c.mapper_layers = r.texts(n["layers"], "mapper.layers");
}

void read_coactivation(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.coactivation = true;
    if (n.IsNull()) return;
    r.keys(n, "coactivation", {"correlation", "threshold", "signed", "layers"});
    if (n["correlation"]) c.correlation = r.checked(n["correlation"], "coactivation.correlation", parse_correlation);
    if (n["threshold"]) c.coactivation_threshold = r.number(n["threshold"], "coactivation.threshold", 1e-9, 1);
    if (n["signed"]) c.coactivation_signed = r.boolean(n["signed"], "coactivation.signed");
    if (n["layers"]) c.coactivation_layers = r.texts(n["layers"], "coactivation.layers");
}

void read_similarity(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    if (n.IsMap()) {
        r.keys(n, "similarity", {"metrics", "points"});
        if (!n["metrics"]) r.fail(n, "similarity.metrics", "missing: e.g. [cka, svcca]");
        if (n["points"]) c.similarity_points = std::size_t(r.integer(n["points"], "similarity.points", 0, 100000000));
    }
    const YAML::Node metrics = n.IsMap() ? n["metrics"] : n;
    c.similarity = r.texts(metrics, "similarity");
    for (std::size_t i = 0; i < c.similarity.size(); ++i)
        r.checked(metrics.IsSequence() ? metrics[i] : metrics, "similarity[" + std::to_string(i) + "]",
                  parse_similarity_metric);
}

}  // namespace

ExperimentConfig load_experiment(const std::string& path) {
    ExperimentConfig c;
    c.file = path;
    c.text = read_text_file(path);
    YAML::Node root;
    try {
        root = YAML::Load(c.text);
    } catch (const YAML::Exception& e) {
        throw UserError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
    }
    const Reader r(path);
    r.keys(root, "", {"name", "seed", "dataset", "models", "sampling", "persistence", "distances", "mapper",
                      "coactivation", "similarity", "compare", "report"});
    if (!root["name"]) r.fail(root, "name", "missing: the experiment's name (its results go to results/<name>/)");
    c.name = r.text(root["name"], "name");
    if (!valid_name(c.name)) r.fail(root["name"], "name", "expected letters, digits, '-', '_' or '.', got '" + c.name + "'");
    if (root["seed"]) c.seed = std::uint64_t(r.integer(root["seed"], "seed", 0, 1ll << 62));
    if (root["dataset"]) read_dataset(r, root["dataset"], c);
    if (!root["models"] || !root["models"].IsSequence() || root["models"].size() == 0)
        r.fail(root["models"] ? root["models"] : root, "models", "expected a list of models, e.g. - {name: cnn, train: {arch: cnn}}");
    std::set<std::string> names;
    for (std::size_t i = 0; i < root["models"].size(); ++i) {
        const std::string where = "models[" + std::to_string(i) + "]";
        c.models.push_back(read_model(r, root["models"][i], where));
        if (!names.insert(c.models.back().name).second)
            r.fail(root["models"][i]["name"], where + ".name", "another model is also named '" + c.models.back().name + "'");
    }
    if (root["sampling"]) read_sampling(r, root["sampling"], c);
    if (root["persistence"]) read_persistence(r, root["persistence"], c);
    if (root["distances"]) {
        if (!c.persistence) r.fail(root["distances"], "distances", "needs a persistence: section (diagrams to compare)");
        read_distances(r, root["distances"], c);
        if (c.distance_dims.empty()) c.distance_dims = {c.max_dim};
        for (int d : c.distance_dims)
            if (d > c.max_dim)
                r.fail(root["distances"], "distances.dims", "dimension " + std::to_string(d) + " is above persistence.max_dim " +
                                                               std::to_string(c.max_dim));
    }
    if (root["mapper"]) read_mapper(r, root["mapper"], c);
    if (root["coactivation"]) read_coactivation(r, root["coactivation"], c);
    if (root["similarity"]) read_similarity(r, root["similarity"], c);
    if (root["compare"]) {
        const YAML::Node n = root["compare"];
        if (n.IsMap()) {
            r.keys(n, "compare", {"permutations"});
            if (n["permutations"]) c.permutations = std::size_t(r.integer(n["permutations"], "compare.permutations", 1, 1000000));
        } else {
            c.compare = r.boolean(n, "compare");
        }
    }
    if (root["report"]) c.report = r.boolean(root["report"], "report");
    if (c.dataset == "fashion-mnist" && !fs::exists(fashion_mnist_dir()))
        r.fail(root["dataset"] ? root["dataset"] : root, "dataset",
               "Fashion-MNIST is not installed at " + fashion_mnist_dir() +
                   " (apt-get install dataset-fashion-mnist)");
    return c;
}

}  // namespace actopo
