// Layers of an activation store -> inputs x features matrices (conv channels averaged over space).
#include "actopo/sample.hpp"
#include "actopo/similarity.hpp"
#include "actopo/store.hpp"

namespace actopo {

std::vector<LayerData> load_layers(const std::string& store_path, const std::vector<std::string>& layers,
                                   std::size_t points, std::uint64_t seed, const std::string& prefix) {
    StoreReader store(store_path);
    const std::vector<std::string> names = layers.empty() ? store.layer_names() : layers;
    SampleOptions options;
    options.method = Sampling::avgpool;
    options.points = points < store.size() ? points : 0;
    options.seed = seed;
    std::vector<LayerData> out;
    for (const auto& name : names) {
        PointCloud cloud = sample_layer(store, name, options);  // UserError naming the layer if missing
        LayerData layer;
        layer.name = prefix + name;
        layer.values = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                           cloud.points.data.data(), static_cast<Eigen::Index>(cloud.points.rows),
                           static_cast<Eigen::Index>(cloud.points.cols))
                           .cast<double>();
        if (!layer.values.allFinite())
            throw UserError(store_path + ": layer '" + name + "' has NaN or infinite activations");
        layer.input_ids = std::move(cloud.input_ids);
        out.push_back(std::move(layer));
    }
    return out;
}

}  // namespace actopo
