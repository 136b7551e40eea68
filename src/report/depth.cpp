// Depth profiles (depth.hpp).
#include "depth.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "actopo/persistence.hpp"
#include "actopo/plot.hpp"

namespace actopo::report {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const ResultsLayout kLayout;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

json read_json(const fs::path& path) {
    try {
        return fs::exists(path) ? json::parse(read_text_file(path.string())) : json();
    } catch (const json::exception&) {
        return json();
    }
}

/// A measure: its values over a model's layers (NaN where the results do not have it).
struct Measure {
    std::string key, title, y_label;
    std::function<std::vector<double>(const ModelLayers&)> values;
};

std::vector<Measure> measures(const fs::path& dir, std::size_t model_count) {
    const auto persistence = [dir](const ModelLayers& m, bool total) {
        std::vector<double> v(m.layers.size(), kMissing);
        const fs::path file = dir / kLayout.diagrams(m.name);
        if (!fs::exists(file)) return v;
        const auto groups = diagram_groups(file.string());
        for (std::size_t l = 0; l < m.layers.size(); ++l) {
            if (std::find(groups.begin(), groups.end(), m.layers[l]) == groups.end()) continue;
            double count = 0, sum = 0;
            for (const auto& d : read_diagrams(file.string(), m.layers[l]).dims)
                if (d.dim == 1)
                    for (const auto& p : d.pairs) count += 1, sum += std::isfinite(p.death) ? p.death - p.birth : 0;
            v[l] = total ? sum : count;
        }
        return v;
    };
    // a value per layer from the co-activation graph's "layers" rows
    const auto coactivation_per_layer = [dir](const ModelLayers& m, const std::string& key) {
        std::vector<double> v(m.layers.size(), kMissing);
        const json g = read_json(dir / kLayout.coactivation(m.name));
        if (g.contains("layers") && g["layers"].is_array())
            for (const auto& row : g["layers"])
                for (std::size_t l = 0; l < m.layers.size(); ++l)
                    if (row.value("layer", "") == m.layers[l] && row.contains(key)) v[l] = row[key].get<double>();
        return v;
    };
    return {
        {"h1-count", "H1 features per layer", "H1 intervals", [=](const ModelLayers& m) { return persistence(m, false); }},
        {"h1-total", "H1 total persistence per layer", "sum of H1 lifetimes", [=](const ModelLayers& m) { return persistence(m, true); }},
        {"mapper-purity", "Mapper: mean class purity of the nodes", "mean purity",
         [dir](const ModelLayers& m) {
             std::vector<double> v(m.layers.size(), kMissing);
             for (std::size_t l = 0; l < m.layers.size(); ++l) {
                 const json g = read_json(dir / (kLayout.mapper(m.name) + safe_file_name(m.layers[l]) + ".json"));
                 if (g.contains("stats") && g["stats"].contains("mean_purity")) v[l] = g["stats"]["mean_purity"].get<double>();
             }
             return v;
         }},
        {"cka-to-last", "CKA of each layer to the model's last layer", "linear CKA",
         [dir, model_count](const ModelLayers& m) {
             std::vector<double> v(m.layers.size(), kMissing);
             const fs::path file = dir / kLayout.similarity("cka");
             if (!fs::exists(file) || m.layers.empty()) return v;
             const NamedMatrix cka = read_named_matrix_csv(file.string());
             const auto index = [&](const std::string& layer) {
                 const std::string name = model_count > 1 ? m.name + ":" + layer : layer;
                 const auto it = std::find(cka.row_names.begin(), cka.row_names.end(), name);
                 return it == cka.row_names.end() ? cka.row_names.size() : std::size_t(it - cka.row_names.begin());
             };
             const std::size_t last = index(m.layers.back());
             if (last == cka.row_names.size()) return v;
             for (std::size_t l = 0; l < m.layers.size(); ++l)
                 if (index(m.layers[l]) < cka.row_names.size()) v[l] = cka.at(index(m.layers[l]), last);
             return v;
         }},
        {"modularity", "Co-activation: modularity of each layer's neuron graph", "modularity",
         [=](const ModelLayers& m) { return coactivation_per_layer(m, "modularity"); }},
        {"entropy", "Co-activation: mean binned entropy of the neurons", "bits",
         [=](const ModelLayers& m) { return coactivation_per_layer(m, "mean_entropy_binned"); }},
    };
}

}  // namespace

std::vector<ProfileFigure> write_depth_profiles(const fs::path& dir, const std::vector<ModelLayers>& models, bool force) {
    std::vector<ProfileFigure> out;
    if (models.empty()) return out;
    // one shared axis of layer names when every model has the same layers
    bool same_layers = true;
    for (const auto& m : models) same_layers &= m.layers == models.front().layers;
    for (const auto& measure : measures(dir, models.size())) {
        std::vector<Series> series;
        bool any = false;
        for (const auto& m : models) {
            Series s{m.name, measure.values(m), {}};
            for (double v : s.y) any |= std::isfinite(v);
            if (!same_layers)
                for (std::size_t l = 0; l < m.layers.size(); ++l)
                    s.x.push_back(m.layers.size() > 1 ? double(l) / double(m.layers.size() - 1) : 0.0);
            series.push_back(std::move(s));
        }
        if (!any) continue;
        ChartOptions o;
        o.title = measure.title;
        o.y_label = measure.y_label;
        o.markers = true;
        if (same_layers)
            o.categories = models.front().layers;
        else
            o.x_label = "relative depth (0 = first layer, 1 = last)";
        const std::string figure = kLayout.report_figure("depth-" + measure.key);
        write_chart(series, o, (dir / figure).string(), force);
        out.push_back({figure + ".svg", measure.title});
    }
    return out;
}

}  // namespace actopo::report
