#pragma once
// Open-addressing hash map: pivot simplex index -> (column ordinal, coefficient of the pivot).
// Linear probing, power-of-two capacity, load <= 1/2; keys are >= 0 (-1 marks an empty slot).
#include <cstdint>
#include <vector>

#include "native/binomial.hpp"

namespace actopo::native {

struct PivotValue {
    std::uint32_t column = 0;  // ordinal of the column (in processing order) that owns this pivot
    std::uint32_t coeff = 0;   // coefficient of the pivot in that reduced column
};

class PivotMap {
public:
    explicit PivotMap(std::size_t expected = 0) { rehash(capacity_for(expected)); }
    const PivotValue* find(index_t key) const {
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            if (keys_[i] == key) return &values_[i];
            if (keys_[i] == -1) return nullptr;
        }
    }
    bool contains(index_t key) const { return find(key) != nullptr; }
    void insert(index_t key, PivotValue value) {  // key must not be present
        if (2 * (size_ + 1) > keys_.size()) rehash(keys_.size() * 2);
        std::size_t i = slot(key);
        while (keys_[i] != -1) i = (i + 1) & mask_;
        keys_[i] = key;
        values_[i] = value;
        ++size_;
    }

private:
    static std::size_t capacity_for(std::size_t n) {
        std::size_t c = 16;
        while (c < 2 * n + 2) c *= 2;
        return c;
    }
    std::size_t slot(index_t key) const {
        return std::size_t((std::uint64_t(key) * 0x9E3779B97F4A7C15ull) >> 17) & mask_;
    }
    void rehash(std::size_t capacity) {
        std::vector<index_t> old_keys(capacity, -1);
        std::vector<PivotValue> old_values(capacity);
        old_keys.swap(keys_);
        old_values.swap(values_);
        mask_ = capacity - 1;
        size_ = 0;
        for (std::size_t i = 0; i < old_keys.size(); ++i)
            if (old_keys[i] != -1) insert(old_keys[i], old_values[i]);
    }
    std::vector<index_t> keys_;
    std::vector<PivotValue> values_;
    std::size_t mask_ = 0, size_ = 0;
};

}  // namespace actopo::native
