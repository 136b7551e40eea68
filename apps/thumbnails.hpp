#pragma once
// Thumbnails of a store's inputs (input id -> 28x28 grey bytes), read from the dataset the store was made from.
#include <cstdint>
#include <map>
#include <vector>

#include "actopo/store.hpp"

namespace actopo::cli {

/// 28x28 grey pictures of the inputs when the store was made from Fashion-MNIST; empty otherwise (also when
/// the dataset is not installed: pictures without thumbnails rather than no pictures).
std::map<std::int64_t, std::vector<std::uint8_t>> store_thumbnails(const StoreReader& store);

}  // namespace actopo::cli
