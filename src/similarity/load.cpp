// Layers of an activation store -> inputs x features matrices (conv channels averaged over space, or another
// sampling of one point per input).
#include <algorithm>

#include "actopo/sample.hpp"
#include "actopo/similarity.hpp"
#include "actopo/store.hpp"

namespace actopo {

std::vector<LayerData> load_layers(const std::string& store_path, const std::vector<std::string>& layers,
                                   std::size_t points, std::uint64_t seed, const std::string& prefix, Sampling sampling) {
    if (!one_point_per_input(sampling))
        throw UserError("similarity compares layers input by input: --sampling " + sampling_name(sampling) +
                        " gives several points per input (use avgpool, flatten, top-l2, token-mean, first-token or last-token)");
    StoreReader store(store_path);
    const std::vector<std::string> names = layers.empty() ? store.layer_names() : layers;
    SampleOptions options;
    options.method = sampling;
    options.seed = seed;
    // The subset is chosen by input id (the `points` ids of smallest seeded hash), so that two stores of the
    // same inputs in another row order give the same subset; rows keep the store's order.
    std::vector<Eigen::Index> keep;
    if (points > 0 && points < store.size()) {
        const auto ids = store.index();
        std::vector<std::pair<std::uint64_t, std::size_t>> order;
        for (std::size_t i = 0; i < ids.size(); ++i) order.push_back({splitmix64(std::uint64_t(ids[i]) ^ splitmix64(seed)), i});
        std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(points), order.end());
        for (std::size_t k = 0; k < points; ++k) keep.push_back(Eigen::Index(order[k].second));
        std::sort(keep.begin(), keep.end());
    }
    std::vector<LayerData> out;
    for (const auto& name : names) {
        PointCloud cloud = sample_layer(store, name, options);  // UserError naming the layer if missing
        LayerData layer;
        layer.name = prefix + name;
        const auto all = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            cloud.points.data.data(), static_cast<Eigen::Index>(cloud.points.rows),
            static_cast<Eigen::Index>(cloud.points.cols));
        if (keep.empty()) {
            layer.values = all.cast<double>();
        } else {
            layer.values.resize(Eigen::Index(keep.size()), all.cols());
            std::vector<std::int64_t> ids;
            for (std::size_t k = 0; k < keep.size(); ++k) {
                layer.values.row(Eigen::Index(k)) = all.row(keep[k]).cast<double>();
                ids.push_back(cloud.input_ids[std::size_t(keep[k])]);
            }
            cloud.input_ids = std::move(ids);
        }
        if (!layer.values.allFinite())
            throw UserError(store_path + ": layer '" + name + "' has NaN or infinite activations");
        layer.input_ids = std::move(cloud.input_ids);
        out.push_back(std::move(layer));
    }
    return out;
}

}  // namespace actopo
