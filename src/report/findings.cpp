// The report's findings in words (findings.hpp).
#include "findings.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "actopo/plot.hpp"
#include "tables.hpp"

namespace actopo::report {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const ResultsLayout kLayout;
constexpr double kSignificance = 0.05;  // p-value below which an agreement is called one
constexpr double kClearGap = 0.10;      // a grouping is called clear when its gap is this share of the range

/// A layer x layer matrix is a similarity (CKA, SVCCA, PWCCA, RSA) or a distance (diagram distances, Procrustes)
/// by its diagonal, as its heatmap reads it.
bool is_similarity(const NamedMatrix& m) { return guess_meaning(m) == MatrixMeaning::similarity; }

/// A whole matrix's CSV (not one of the blocks of a split one).
bool is_matrix_file(const fs::path& p) {
    return p.extension() == ".csv" && p.filename().string().find(".block-") == std::string::npos;
}

/// "mlp:fc1" -> {"mlp", "fc1"}; a name without a model -> {"", name}.
std::pair<std::string, std::string> model_and_layer(const std::string& row) {
    const auto colon = row.find(':');
    return colon == std::string::npos ? std::pair<std::string, std::string>{"", row}
                                      : std::pair<std::string, std::string>{row.substr(0, colon), row.substr(colon + 1)};
}

/// A group of rows (ascending indices) in words: runs of consecutive layers of one model as "first to last".
std::string describe_group(const NamedMatrix& m, const std::vector<std::size_t>& rows) {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i;
        const auto model = model_and_layer(m.row_names[rows[i]]).first;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1 && model_and_layer(m.row_names[rows[j + 1]]).first == model) ++j;
        const std::string first = model_and_layer(m.row_names[rows[i]]).second, last = model_and_layer(m.row_names[rows[j]]).second;
        std::string run = j == i ? first : j == i + 1 ? first + ", " + last : first + " to " + last;
        parts.push_back(model.empty() ? run : model + " " + run);
        i = j + 1;
    }
    return "{" + join(parts, "; ") + "}";
}

/// Groups of layers of one matrix: average linkage on the dissimilarity, cut at the largest gap between
/// consecutive merge heights.
void layer_groups(const fs::path& dir, const std::string& rel, std::vector<Finding>& out) {
    NamedMatrix m;
    try {
        m = read_named_matrix_csv((dir / rel).string());
    } catch (const UserError&) {
        return;
    }
    const std::size_t n = m.row_names.size();
    if (n < 3 || m.col_names.size() != n) return;
    const std::string metric = fs::path(rel).stem().string();
    if (!std::all_of(m.values.begin(), m.values.end(), [](double v) { return std::isfinite(v); })) {
        out.push_back({"The " + metric + " matrix has values that are not finite (nan or inf); its groups of layers are not "
                       "summarised.", rel});
        return;
    }
    const bool similarity = is_similarity(m);
    std::vector<double> d(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const double v = 0.5 * (m.at(i, j) + m.at(j, i));
            d[i * n + j] = i == j ? 0.0 : similarity ? 1.0 - v : v;
        }
    const auto merges = average_linkage(d, n);
    const double range = merges.back().height - merges.front().height;
    const std::string by = "By " + metric + " (" + (similarity ? "a similarity" : "a distance") + "), ";
    if (!(range > 0)) {
        out.push_back({by + "all " + std::to_string(n) + " layers are equally far apart: no grouping.", rel});
        return;
    }
    // applying the first k merges leaves n - k groups; the cut after merge k has gap height[k] - height[k-1]
    std::size_t cut = 1;
    double gap = -1;
    for (std::size_t k = 1; k + 1 < n; ++k)
        if (merges[k].height - merges[k - 1].height > gap + 1e-12) gap = merges[k].height - merges[k - 1].height, cut = k;
    const double share = gap / range;
    if (share < kClearGap) {
        out.push_back({by + "the " + std::to_string(n) + " layers show no clear grouping: the largest gap between merges is " +
                           format_fixed(100 * share, 0) + " % of the range of merge heights.",
                       rel});
        return;
    }
    UnionFind sets(n);
    for (std::size_t k = 0; k < cut; ++k)
        for (auto item : merges[k].members) sets.unite(std::uint32_t(merges[k].members.front()), std::uint32_t(item));
    std::map<std::uint32_t, std::vector<std::size_t>> groups;  // root = smallest member: in row order
    for (std::size_t i = 0; i < n; ++i) groups[sets.find(std::uint32_t(i))].push_back(i);
    std::vector<std::string> described;
    std::vector<std::size_t> alone;  // layers in a group of their own
    std::size_t mixed = 0;
    std::set<std::string> models;
    for (const auto& [root, rows] : groups) {
        if (rows.size() == 1)
            alone.push_back(rows.front());
        else
            described.push_back(describe_group(m, rows));
        std::set<std::string> in;
        for (auto r : rows) in.insert(model_and_layer(m.row_names[r]).first), models.insert(model_and_layer(m.row_names[r]).first);
        mixed += in.size() > 1;
    }
    std::string text = by + "the " + std::to_string(n) + " layers fall into " + count_noun(groups.size(), "group") +
                       " (the gap before the next merge is " + format_fixed(100 * share, 0) + " % of the range of merge heights): " +
                       join(described, ", ");
    if (!alone.empty()) {
        const std::string each = describe_group(m, alone);
        text += (described.empty() ? "each layer alone: " : alone.size() == 1 ? "; one layer stands apart: " : "; these stand apart, each alone: ") +
                each.substr(1, each.size() - 2);
    }
    text += ".";
    if (models.size() > 1)
        text += mixed == 0 ? " Every group holds layers of one model only: here the models differ more than their layers do."
                           : " " + count_noun(mixed, "group mixes", "groups mix") + " layers of different models.";
    out.push_back({text, rel});
}

/// The matrix file of a metric of compare/agreement.csv, and whether it is a similarity.
struct MetricKind {
    std::string rel;
    bool similarity = false, topology = false;
};
std::map<std::string, MetricKind> metric_kinds(const fs::path& dir) {
    std::map<std::string, MetricKind> kinds;
    for (const auto& folder : kLayout.matrix_folders()) {
        if (!fs::exists(dir / folder)) continue;
        for (const auto& e : fs::directory_iterator(dir / folder)) {
            if (!is_matrix_file(e.path())) continue;
            MetricKind k{folder + "/" + e.path().filename().string(), false, folder == "distances"};
            try {
                k.similarity = is_similarity(read_named_matrix_csv(e.path().string()));
            } catch (const UserError&) {
                continue;
            }
            kinds[e.path().stem().string()] = k;
        }
    }
    return kinds;
}

void agreement(const fs::path& dir, std::vector<Finding>& out) {
    const std::string rel = kLayout.compare() + "agreement.csv";
    if (!fs::exists(dir / rel)) return;
    const auto rows = read_csv_rows(dir / rel);
    if (rows.size() < 2) return;
    const auto& head = rows.front();
    const auto col = [&](const std::string& name) { return std::size_t(std::find(head.begin(), head.end(), name) - head.begin()); };
    const std::size_t ca = col("metric_a"), cb = col("metric_b"), cr = col("spearman"), cp = col("p_value"), cn = col("pairs"),
                      cm = col("permutations");
    if (std::max({ca, cb, cr, cp, cn, cm}) >= head.size()) return;
    const auto kinds = metric_kinds(dir);
    bool any_cross = false;  // a topology metric beside a representation metric
    for (std::size_t r = 1; r < rows.size(); ++r)
        if (rows[r].size() == head.size() && kinds.count(rows[r][ca]) && kinds.count(rows[r][cb]))
            any_cross |= kinds.at(rows[r][ca]).topology != kinds.at(rows[r][cb]).topology;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (row.size() != head.size() || !kinds.count(row[ca]) || !kinds.count(row[cb])) continue;
        const auto &a = kinds.at(row[ca]), &b = kinds.at(row[cb]);
        if (any_cross && a.topology == b.topology) continue;
        double rho = 0, p = 1;
        try {
            rho = std::stod(row[cr]);
            p = std::stod(row[cp]);
        } catch (const std::exception&) {
            continue;
        }
        const auto name = [](const MetricKind& k, const std::string& metric) { return (k.topology ? "topology (" + metric + ")" : metric); };
        // a similarity and a distance that agree rank the pairs of layers in opposite orders
        const bool expected_sign = (a.similarity == b.similarity) ? rho > 0 : rho < 0;
        std::string verdict;
        if (!std::isfinite(rho))
            verdict = "cannot be compared (a constant matrix)";
        else if (p >= kSignificance)
            verdict = "show no significant agreement on which layers are alike";
        else if (expected_sign)
            verdict = std::abs(rho) >= 0.5 ? "agree on which layers are alike" : "agree weakly on which layers are alike";
        else
            verdict = "disagree: what one calls alike the other calls different";
        std::string text = name(a, row[ca]) + " and " + name(b, row[cb]) + " " + verdict + ": Spearman " + format_fixed(rho, 2) + " over " +
                           row[cn] + " pairs of layers, p = " + row[cp] + " (" + row[cm] + " permutations)";
        if (a.similarity != b.similarity) text += "; a similarity and a distance that agree correlate negatively";
        text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
        out.push_back({text + ".", kLayout.compare() + "agreement.svg"});
    }
}

/// "Trouser" or "Sneaker, Ankle boot"; a long list of classes as "the 8 other classes" when `rest` is true.
std::string classes_text(const std::vector<std::string>& names, bool rest) {
    if (rest && names.size() > 3) return "the " + std::to_string(names.size()) + " other classes";
    return join(names);
}

void hierarchy(const fs::path& dir, const std::string& model, std::vector<Finding>& out) {
    const std::string rel = kLayout.mapper(model) + "hierarchy.json";
    if (!fs::exists(dir / rel)) return;
    json h;
    try {
        h = json::parse(read_text_file((dir / rel).string()));
    } catch (const json::exception&) {
        return;
    }
    if (!h.contains("splits") || !h.contains("meta") || !h["meta"].contains("layers")) return;
    const auto layers = h["meta"]["layers"].get<std::vector<std::string>>();
    struct Split {
        std::size_t at;
        std::vector<std::string> small, large;
    };
    std::vector<Split> splits, never;
    for (const auto& s : h["splits"]) {
        if (!s.contains("group_names") || s["group_names"].size() != 2) continue;
        auto a = s["group_names"][0].get<std::vector<std::string>>(), b = s["group_names"][1].get<std::vector<std::string>>();
        if (s["split_layer"].is_null()) {  // the two groups in the file's order
            never.push_back({layers.size(), a, b});
            continue;
        }
        if (a.size() < b.size()) std::swap(a, b);
        const auto it = std::find(layers.begin(), layers.end(), s["split_layer"].get<std::string>());
        splits.push_back({std::size_t(it - layers.begin()), b, a});
    }
    std::stable_sort(splits.begin(), splits.end(), [](const Split& x, const Split& y) { return x.at < y.at; });
    std::string text = "In " + model + "'s Mapper graphs";
    if (splits.empty()) {
        text += ", no group of classes separates from another before the last layer";
    } else {
        std::vector<std::string> said;
        for (std::size_t k = 0; k < splits.size() && k < 3; ++k)
            said.push_back(classes_text(splits[k].small, false) + " from " + classes_text(splits[k].large, true) + " at " +
                           (splits[k].at < layers.size() ? layers[splits[k].at] : "?"));
        text += ", the first classes to separate are " + join(said, "; ");
    }
    std::stable_sort(never.begin(), never.end(), [](const Split& x, const Split& y) {
        return x.small.size() + x.large.size() < y.small.size() + y.large.size();
    });
    if (!never.empty()) {
        std::vector<std::string> together;
        for (std::size_t k = 0; k < never.size() && k < 2; ++k) {
            auto all = never[k].small;
            all.insert(all.end(), never[k].large.begin(), never[k].large.end());
            together.push_back("{" + join(all) + "}");
        }
        text += ". Still together at the last layer: " + join(together, ", ");
    }
    out.push_back({text + ".", kLayout.mapper(model) + "hierarchy.svg"});
}

void coactivation(const fs::path& dir, const std::string& model, std::vector<Finding>& out) {
    const std::string rel = kLayout.coactivation(model);
    if (!fs::exists(dir / rel)) return;
    json g;
    try {
        g = json::parse(read_text_file((dir / rel).string()));
    } catch (const json::exception&) {
        return;
    }
    if (!g.contains("classes") || !g["classes"].contains("groups")) return;
    std::vector<std::string> groups;
    for (const auto& group : g["classes"]["groups"]) groups.push_back("{" + join(group.get<std::vector<std::string>>()) + "}");
    std::string text = "In " + model + "'s co-activation graph (modularity " + format_fixed(g.value("modularity", 0.0), 2) + "), the classes " +
                       "share communities as " + join(groups, ", ");
    if (g["classes"].contains("spearman_with_confusion") && g["classes"]["spearman_with_confusion"].is_number()) {
        const double rho = g["classes"]["spearman_with_confusion"];
        text += std::string("; classes that fire together ") +
                (rho >= 0.5 ? "are largely" : rho >= 0.2 ? "are partly" : "are hardly") +
                " those the model confuses (Spearman " + format_fixed(rho, 2) + " between class co-activation and the confusion matrix)";
    }
    out.push_back({text + ".", kLayout.coactivation(model, ".svg")});
}

/// The explanation methods of a model side by side (explain-quality's quality.csv): the most selective (AOPC of
/// pixel flipping), the most stable (max-sensitivity), and which pass the model-randomisation check.
void explanations(const fs::path& dir, const std::string& model, std::vector<Finding>& out) {
    const std::string rel = kLayout.explain_quality(model) + "quality.csv";
    if (!fs::exists(dir / rel)) return;
    const auto rows = read_csv_rows(dir / rel);
    if (rows.size() < 2) return;
    const auto& head = rows.front();
    const auto col = [&](const std::string& name) { return std::size_t(std::find(head.begin(), head.end(), name) - head.begin()); };
    const std::size_t cm = col("method"), ca = col("aopc"), cs = col("max_sensitivity"), cr = col("randomised_rank_correlation");
    if (std::max({cm, ca, cs, cr}) >= head.size()) return;
    struct Row {
        std::string method;
        double aopc, sensitivity, randomised;
    };
    std::vector<Row> methods;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() != head.size()) continue;
        try {
            methods.push_back({rows[r][cm], std::stod(rows[r][ca]), std::stod(rows[r][cs]), std::stod(rows[r][cr])});
        } catch (const std::exception&) {
        }
    }
    if (methods.empty()) return;
    auto by = methods;
    std::stable_sort(by.begin(), by.end(), [](const Row& a, const Row& b) { return a.aopc > b.aopc; });
    std::string text = "In " + model + "'s explanations, the most selective method (largest AOPC when the most relevant "
                       "patches are removed first) is " + by[0].method + " (" + format_fixed(by[0].aopc, 2) + ")";
    if (by.size() > 1) text += ", then " + by[1].method + " (" + format_fixed(by[1].aopc, 2) + "); the least is " + by.back().method + " (" + format_fixed(by.back().aopc, 2) + ")";
    std::stable_sort(by.begin(), by.end(), [](const Row& a, const Row& b) { return a.sensitivity < b.sensitivity; });
    text += ". The most stable under small input changes (lowest max-sensitivity) is " + by[0].method + " (" + format_fixed(by[0].sensitivity, 3) + ")";
    // model randomisation (Adebayo et al.): a map that barely changes when the weights are re-initialised does
    // not depend on what the model learned
    std::vector<std::string> pass, fail;
    for (const auto& m : methods) {
        if (std::abs(m.randomised) < 0.3) pass.push_back(m.method);
        if (std::abs(m.randomised) > 0.7) fail.push_back(m.method);
    }
    text += ". Model randomisation check (rank correlation of the maps before and after re-initialising the weights): ";
    text += pass.empty() ? "no method passes (|rho| < 0.3)" : join(pass) + " pass (|rho| < 0.3)";
    if (!fail.empty()) text += "; " + join(fail) + " fail (|rho| > 0.7: their maps hardly depend on the trained weights)";
    out.push_back({text + ".", kLayout.explain_quality(model) + "perturbation.svg"});
}

}  // namespace

std::vector<Finding> findings(const fs::path& dir, const std::vector<std::string>& models) {
    std::vector<Finding> out;
    for (const auto& folder : kLayout.matrix_folders()) {
        if (!fs::exists(dir / folder)) continue;
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(dir / folder))
            if (is_matrix_file(e.path())) files.push_back(folder + "/" + e.path().filename().string());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) layer_groups(dir, f, out);
    }
    // a results file of an unexpected shape (another version, edited by hand) leaves its finding out
    const auto guarded = [&](const std::function<void()>& find) {
        try {
            find();
        } catch (const json::exception&) {
        }
    };
    guarded([&] { agreement(dir, out); });
    for (const auto& m : models) guarded([&] { hierarchy(dir, m, out); });
    for (const auto& m : models) guarded([&] { coactivation(dir, m, out); });
    for (const auto& m : models) guarded([&] { explanations(dir, m, out); });
    // figures are the SVG beside a matrix's CSV
    for (auto& f : out)
        if (f.figure.size() > 4 && f.figure.compare(f.figure.size() - 4, 4, ".csv") == 0) f.figure.replace(f.figure.size() - 4, 4, ".svg");
    return out;
}

}  // namespace actopo::report
