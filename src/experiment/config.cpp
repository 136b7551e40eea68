// Reading an experiment file: every key checked against the schema (docs/experiments.md) before any work,
// each error one line "file:line: key: what was expected". A stage's section is checked against the stage's
// option table (options.hpp), the same checks the command line makes.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/experiment.hpp"
#include "actopo/options.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

/// Typed access to YAML nodes that names the file, line and key of every problem.
class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    /// The node's line in the file (1-based; 0 when it is not in the file).
    static int line(const YAML::Node& node) { return node.IsDefined() ? node.Mark().line + 1 : 0; }

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& message) const {
        const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
        // the key path, or the file itself for its top level (an empty file, a list)
        throw UserError(file_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + (key.empty() ? "the file" : key) +
                        ": " + message);
    }

    /// A map whose keys are all in `allowed`, each once.
    void keys(const YAML::Node& map, const std::string& where, const std::vector<std::string>& allowed) const {
        if (!map.IsMap()) fail(map, where, "expected a mapping (key: value lines), got " + kind(map));
        std::map<std::string, int> seen;  // key -> its line
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.IsScalar() ? it->first.as<std::string>() : std::string("?");
            const auto [first, fresh] = seen.emplace(key, it->first.Mark().line + 1);
            if (!fresh)  // yaml-cpp keeps both and answers the first: refuse rather than ignore one silently
                fail(it->first, where.empty() ? key : where + "." + key,
                     "duplicate key (first given on line " + std::to_string(first->second) + ")");
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
    std::vector<std::string> texts(const YAML::Node& n, const std::string& key) const {
        if (n.IsScalar()) return {text(n, key)};
        if (!n.IsSequence()) fail(n, key, "expected a list, e.g. [a, b], got " + kind(n));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < n.size(); ++i) out.push_back(text(n[i], key + "[" + std::to_string(i) + "]"));
        return out;
    }
    /// One of `choices`.
    std::string choice(const YAML::Node& n, const std::string& key, const std::vector<std::string>& choices) const {
        const std::string value = text(n, key);
        if (std::find(choices.begin(), choices.end(), value) == choices.end())
            fail(n, key, "expected one of " + join(choices) + ", got '" + value + "'");
        return value;
    }
    /// One value of a stage's option checked against its spec (the same checks as the command line's), as text;
    /// lists comma-joined, each item checked and named "key[i]".
    std::string option(const YAML::Node& n, const std::string& key, const OptionSpec& spec) const {
        auto one = [&](const YAML::Node& item, const std::string& at) {
            std::string value;
            if (spec.type == OptionType::flag) value = boolean(item, at) ? "true" : "false";
            else value = text(item, at);
            if (value.find(',') != std::string::npos && (spec.type == OptionType::texts || spec.type == OptionType::integers))
                fail(item, at, "a list item holds no comma, got '" + value + "'");
            const std::string problem = option_problem(spec, value);
            if (!problem.empty()) fail(item, at, problem);
            return canonical_value(spec, value);
        };
        if (spec.type == OptionType::integers && !n.IsSequence())
            fail(n, key, "expected a list of numbers, e.g. [64, 32], got " + kind(n));
        if ((spec.type == OptionType::texts || spec.type == OptionType::integers) && !n.IsScalar()) {
            if (!n.IsSequence()) fail(n, key, "expected a list, e.g. [a, b], got " + kind(n));
            std::vector<std::string> items;
            for (std::size_t i = 0; i < n.size(); ++i) items.push_back(one(n[i], key + "[" + std::to_string(i) + "]"));
            return join(items, ",");
        }
        return one(n, key);
    }
    /// A stage's section: every key one of the table's (or of `keys`, when the section has more), each value
    /// checked; what it sets, by option name.
    OptionValues options(const YAML::Node& n, const std::string& where, const StageOptions& table,
                         const std::vector<std::string>& keys_allowed = {}) const {
        keys(n, where, keys_allowed.empty() ? table.keys() : keys_allowed);
        OptionValues out;
        for (const auto& spec : table.specs) {
            if (!spec.yaml || !n[spec.key()]) continue;
            std::string value = option(n[spec.key()], where + "." + spec.key(), spec);
            if (!value.empty()) out[spec.name] = std::move(value);
        }
        return out;
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
    std::string file_;
};

/// Longest experiment or model name: each becomes a file name (results/<name>/, models/<m>.pt, ...), with room
/// for the suffixes and temporary names added to it.
constexpr std::size_t kMaxNameLength = 100;

/// A stage's values as read: what the file set, else the table's experiment default, typed.
struct Values {
    std::string stage;
    const OptionValues& set;

    bool has(const std::string& name) const { return set.count(name) > 0; }
    std::string text(const std::string& name) const {
        const auto it = set.find(name);
        return it != set.end() ? it->second : stage_options(stage).at(name).experiment_default();
    }
    long long integer(const std::string& name) const { return std::stoll(text(name)); }
    double real(const std::string& name) const { return std::stod(text(name)); }
    bool flag(const std::string& name) const { return text(name) == "true"; }
    std::vector<std::string> texts(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& item : split(text(name), ','))
            if (!item.empty()) out.push_back(item);
        return out;
    }
    std::vector<int> integers(const std::string& name) const {
        std::vector<int> out;
        for (const auto& item : texts(name)) out.push_back(int(std::stoll(item)));
        return out;
    }
};

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= kMaxNameLength && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    }) && name[0] != '.';
}

std::string name_problem(const std::string& name) {
    if (name.size() > kMaxNameLength)
        return "expected a name of at most " + std::to_string(kMaxNameLength) + " characters (it names files), got one of " +
               std::to_string(name.size());
    return "expected letters, digits, '-', '_' or '.', got '" + name + "'";
}

void read_dataset(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    if (n.IsScalar()) {
        c.dataset = r.choice(n, "dataset", ExperimentConfig::builtin_datasets());
        return;
    }
    std::vector<std::string> keys{"name", "path", "split"};  // where the inputs come from, then extract's options
    for (const auto& k : stage_options("extract").keys()) keys.push_back(k);
    r.keys(n, "dataset", keys);
    if (n["name"] && n["path"]) r.fail(n["path"], "dataset.path", "give either name (fashion-mnist) or path (.h5), not both");
    if (n["name"]) c.dataset = r.choice(n["name"], "dataset.name", ExperimentConfig::builtin_datasets());
    if (n["path"]) c.dataset = r.existing_path(n["path"], "dataset.path");
    if (n["split"]) {
        if (n["path"]) r.fail(n["split"], "dataset.split", "a .h5 dataset has no splits");
        c.split = r.choice(n["split"], "dataset.split", {"test", "train"});
    }
    c.options["extract"] = r.options(n, "dataset", stage_options("extract"), keys);
}

ModelConfig read_model(const Reader& r, const YAML::Node& n, const std::string& where, std::map<std::string, int>& lines) {
    ModelConfig m;
    lines[where] = r.line(n);
    r.keys(n, where, {"name", "train", "path", "layers"});
    if (!n["name"]) r.fail(n, where + ".name", "missing: every model needs a name");
    m.name = r.text(n["name"], where + ".name");
    if (!valid_name(m.name)) r.fail(n["name"], where + ".name", name_problem(m.name));
    if (bool(n["train"]) == bool(n["path"]))
        r.fail(n, where, "give either train: {arch: ...} or path: model.pt");
    if (n["path"]) {
        m.path = r.existing_path(n["path"], where + ".path");
        lines[where + ".path"] = r.line(n["path"]);
    }
    if (n["layers"]) {
        m.layers = r.texts(n["layers"], where + ".layers");
        lines[where + ".layers"] = r.line(n["layers"]);
    }
    if (n["train"]) {
        const YAML::Node t = n["train"];
        const std::string w = where + ".train";
        m.train_options = r.options(t, w, stage_options("train"));
        if (!t["arch"]) r.fail(t, w + ".arch", "missing: mlp, cnn or resnet");
        const Values v{"train", m.train_options};
        m.arch = v.text("arch");
        m.widths = v.integers("widths");
        m.epochs = int(v.integer("epochs"));
        m.batch = int(v.integer("batch"));
        m.lr = v.real("lr");
        m.seed = std::uint64_t(v.integer("seed"));
        m.train_limit = std::size_t(v.integer("limit"));
        m.checkpoints = v.flag("checkpoints");
    }
    return m;
}

void read_sampling(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.options["sampling"] = r.options(n, "sampling", stage_options("sampling"));
}

void read_persistence(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.persistence = true;
    c.options["persistence"] = n.IsNull() ? OptionValues{} : r.options(n, "persistence", stage_options("persistence"));
    const Values v{"persistence", c.options["persistence"]};
    c.max_dim = int(v.integer("max-dim"));
    c.point_metric = v.text("metric");
    c.backend = v.text("backend");
    if (v.has("threshold")) c.threshold = v.real("threshold");
    c.coeff = int(v.integer("coeff"));
    c.representatives = v.integer("representatives") > 0 || v.has("min-persistence");
    if (c.representatives && !c.backend.empty() && c.backend != "native") {
        const std::string key = v.has("min-persistence") ? "min_persistence" : "representatives";
        r.fail(n[key], "persistence." + key, "representatives are computed by the native backend only, not by backend " +
                                                  c.backend + "; use backend: native");
    }
    if (v.has("sparse") && c.backend == "ripser")
        r.fail(n["sparse"], "persistence.sparse", "sparse Rips is computed by the native and gudhi backends, not by backend ripser");
}

/// `distances:` and `similarity:` are a list of metrics or a mapping with the list under `metrics` (the key of
/// each item: "distances[1]" in the list form, "distances.metrics[1]" in the mapping).
OptionValues read_metric_section(const Reader& r, const YAML::Node& n, const std::string& stage, const std::string& list_option) {
    const StageOptions& table = stage_options(stage);
    if (!n.IsMap()) return {{list_option, r.option(n, stage, table.at(list_option))}};
    OptionValues values = r.options(n, stage, table);
    if (!values.count(list_option)) r.fail(n, stage + "." + table.at(list_option).key(), "missing: e.g. " +
                                                  std::string(stage == "distances" ? "[bottleneck, sliced-wasserstein]" : "[cka, svcca]"));
    return values;
}

void read_distances(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.options["distances"] = read_metric_section(r, n, "distances", "metrics");
    const Values v{"distances", c.options["distances"]};
    c.distances = v.texts("metrics");
    c.distance_dims = v.integers("dims");
    c.distance_blocks = std::size_t(v.integer("blocks"));
}

void read_mapper(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.mapper = true;
    c.options["mapper"] = n.IsNull() ? OptionValues{} : r.options(n, "mapper", stage_options("mapper"));
    const Values v{"mapper", c.options["mapper"]};
    c.lens = v.text("lens");
    c.intervals = std::size_t(v.integer("intervals"));
    c.overlap = v.real("overlap");
    c.clusterer = v.text("clusterer");
    c.cover = v.text("cover");
    c.mapper_relu = v.flag("relu");
    c.mapper_points = std::size_t(v.integer("points"));
    if (v.has("layer")) c.mapper_layers = v.texts("layer");
}

void read_coactivation(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.coactivation = true;
    c.options["coactivation"] = n.IsNull() ? OptionValues{} : r.options(n, "coactivation", stage_options("coactivation"));
    const Values v{"coactivation", c.options["coactivation"]};
    c.correlation = v.text("correlation");
    c.coactivation_threshold = v.real("threshold");
    c.coactivation_signed = v.flag("signed");
    c.coactivation_layers = v.texts("layers");
}

void read_similarity(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.options["similarity"] = read_metric_section(r, n, "similarity", "metric");
    const Values v{"similarity", c.options["similarity"]};
    c.similarity = v.texts("metric");
    c.similarity_points = std::size_t(v.integer("points"));
}

/// `explain.visualize:` a mapping of the visualize table's keys: activation maximisation of `layer` (or of the logits,
/// target: class), `filters: true`, `activation_maps: true` (of `layer`); at least one of them.
void read_visualize(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    const std::string where = "explain.visualize";
    if (!n.IsMap())
        r.fail(n, where, "expected a mapping of actopo visualize's options, e.g. {layer: conv1, filters: true, "
                         "activation_maps: true}");
    OptionValues set = r.options(n, where, stage_options("visualize"));
    if (n["layer"]) c.lines[where + ".layer"] = r.line(n["layer"]);  // checked against the models before any job
    if (n["decoder"]) set["decoder"] = r.existing_path(n["decoder"], where + ".decoder");
    const Values v{"visualize", set};
    const bool layer = !v.text("layer").empty();
    if (v.flag("activation-maps") && !layer)
        r.fail(n, where + ".layer", "missing: activation_maps draws a layer's maps, so give the layer (e.g. layer: conv1)");
    if (layer || v.text("target") == "class") c.visualize_kinds.push_back("maximise");
    if (v.flag("filters")) c.visualize_kinds.push_back("filters");
    if (v.flag("activation-maps")) c.visualize_kinds.push_back("maps");
    if (c.visualize_kinds.empty())
        r.fail(n, where, "nothing to draw: give a layer (its units' activation maximisation), target: class (the logits'), "
                         "filters: true or activation_maps: true");
    c.options["visualize"] = std::move(set);
}

/// `explain:` the explain table's keys, `quality` (true, or a mapping of the explain-quality table's keys) and
/// `visualize` (read_visualize).
void read_explain(const Reader& r, const YAML::Node& n, ExperimentConfig& c) {
    c.explain = true;
    if (n.IsNull()) {
        c.options["explain"] = {};
        return;
    }
    std::vector<std::string> keys = stage_options("explain").keys();
    keys.insert(keys.end(), {"quality", "visualize"});
    c.options["explain"] = r.options(n, "explain", stage_options("explain"), keys);
    if (n["layer"]) c.lines["explain.layer"] = r.line(n["layer"]);  // checked against the models before any job
    if (n["visualize"]) read_visualize(r, n["visualize"], c);
    if (!n["quality"]) return;
    const YAML::Node q = n["quality"];
    if (q.IsMap()) {
        c.explain_quality = true;
        c.options["explain-quality"] = r.options(q, "explain.quality", stage_options("explain-quality"));
    } else {
        c.explain_quality = r.boolean(q, "explain.quality");
        if (c.explain_quality) c.options["explain-quality"] = {};
    }
}

}  // namespace

const std::vector<std::string>& ExperimentConfig::builtin_datasets() {
    static const std::vector<std::string> names{"fashion-mnist", "fashion-mnist-rows"};
    return names;
}
bool ExperimentConfig::builtin_dataset() const {
    const auto& names = builtin_datasets();
    return std::find(names.begin(), names.end(), dataset) != names.end();
}

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
                      "coactivation", "similarity", "explain", "compare", "report"});
    if (!root["name"]) r.fail(root, "name", "missing: the experiment's name (its results go to results/<name>/)");
    c.name = r.text(root["name"], "name");
    if (!valid_name(c.name)) r.fail(root["name"], "name", name_problem(c.name));
    if (root["seed"]) c.seed = std::uint64_t(r.integer(root["seed"], "seed", 0, 1ll << 62));
    if (root["dataset"]) read_dataset(r, root["dataset"], c);
    if (!root["models"] || !root["models"].IsSequence() || root["models"].size() == 0)
        r.fail(root["models"] ? root["models"] : root, "models", "expected a list of models, e.g. - {name: cnn, train: {arch: cnn}}");
    std::set<std::string> names;
    for (std::size_t i = 0; i < root["models"].size(); ++i) {
        const std::string where = "models[" + std::to_string(i) + "]";
        c.models.push_back(read_model(r, root["models"][i], where, c.lines));
        if (!names.insert(c.models.back().name).second)
            r.fail(root["models"][i]["name"], where + ".name", "another model is also named '" + c.models.back().name + "'");
    }
    if (root["sampling"]) read_sampling(r, root["sampling"], c);
    const Values sampling{"sampling", c.options["sampling"]}, extract{"extract", c.options["extract"]};
    c.sampling = sampling.text("sampling");
    c.points = std::size_t(sampling.integer("points"));
    c.limit = std::size_t(extract.integer("limit"));
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
    if (root["explain"]) read_explain(r, root["explain"], c);
    if (root["compare"]) {
        const YAML::Node n = root["compare"];
        if (n.IsMap()) {
            c.options["compare"] = r.options(n, "compare", stage_options("compare"));
            c.permutations = std::size_t(Values{"compare", c.options["compare"]}.integer("permutations"));
        } else {
            c.compare = r.boolean(n, "compare");
        }
    }
    if (c.compare) c.options.emplace("compare", OptionValues{});
    if (root["report"]) c.report = r.boolean(root["report"], "report");
    if (!c.similarity.empty() && (c.sampling == "spatial" || c.sampling == "tokens"))
        r.fail(root["sampling"], "sampling.method",
               "similarity compares layers input by input: a sampling of one point per input (not " + c.sampling + ")");
    if (c.builtin_dataset() && !fs::exists(fashion_mnist_dir()))
        r.fail(root["dataset"] ? root["dataset"] : root, "dataset",
               "Fashion-MNIST is not installed at " + fashion_mnist_dir() +
                   " (apt-get install dataset-fashion-mnist)");
    return c;
}

}  // namespace actopo
