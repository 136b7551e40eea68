// Thumbnails of a store's inputs, for the pictures of `mapper` and `persistence --representatives`.
#include "thumbnails.hpp"

#include <algorithm>
#include <memory>

#include "actopo/dataset.hpp"

namespace actopo::cli {

std::map<std::int64_t, std::vector<std::uint8_t>> store_thumbnails(const StoreReader& store) {
    std::map<std::int64_t, std::vector<std::uint8_t>> out;
    if (store.info().dataset.rfind("fashion-mnist", 0) != 0) return out;
    std::unique_ptr<DatasetReader> data;
    try {
        data = open_dataset("fashion-mnist:" + (store.info().split.empty() ? std::string("test") : store.info().split));
    } catch (const UserError&) {
        return out;  // pictures without thumbnails rather than no pictures
    }
    if (data->sample_shape() != std::vector<std::int64_t>{1, 28, 28}) return out;
    std::vector<float> x(data->size() * 784);
    std::vector<std::int64_t> labels(data->size());
    data->read(0, data->size(), x.data(), labels.data());
    for (auto id : store.index()) {
        if (id < 0 || std::size_t(id) >= data->size()) continue;
        std::vector<std::uint8_t> px(784);
        for (std::size_t k = 0; k < 784; ++k)
            px[k] = std::uint8_t(std::clamp(x[std::size_t(id) * 784 + k], 0.0f, 1.0f) * 255.0f + 0.5f);
        out[id] = std::move(px);
    }
    return out;
}

}  // namespace actopo::cli
