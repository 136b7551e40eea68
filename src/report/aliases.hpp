#pragma once
// Layers of a store that repeat an earlier layer: the same values (pool2 and flatten: a reshape), or the
// earlier layer's values after ReLU (relu1 of fc1). The report shows such a layer once (private to the module).
#include <string>
#include <vector>

#include "actopo/store.hpp"

namespace actopo::report {

struct LayerAlias {
    std::string layer, of;  // `layer` repeats the earlier layer `of`
    bool relu = false;      // false: the same values; true: ReLU of `of`'s values
    std::string text() const { return layer + (relu ? " = ReLU(" + of + ")" : " = " + of + " (the same values)"); }
};

/// Every layer whose values (all inputs, in order, whatever the per-input shape) equal those of an earlier layer
/// of the store, or ReLU of them; found by hashing, then confirmed value by value. Reads each layer twice at
/// most, in blocks of inputs.
std::vector<LayerAlias> repeated_layers(const StoreReader& store);

}  // namespace actopo::report
