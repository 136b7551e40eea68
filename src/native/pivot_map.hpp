#pragma once
// Open-addressing hash map: pivot simplex index -> (column ordinal, coefficient of the pivot).
// Linear probing over 16-byte slots (key and value together), power-of-two capacity, load <= 3/4;
// sized once from the number of columns that can have a pivot, so it is rarely rehashed (a rehash
// holds the old and the new table at once). Keys are >= 0 (-1 marks an empty slot).
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
            if (slots_[i].key == key) return &slots_[i].value;
            if (slots_[i].key == -1) return nullptr;
        }
    }
    bool contains(index_t key) const { return find(key) != nullptr; }
    void insert(index_t key, PivotValue value) {  // key must not be present
        if (4 * (size_ + 1) > 3 * slots_.size()) rehash(slots_.size() * 2);
        std::size_t i = slot(key);
        while (slots_[i].key != -1) i = (i + 1) & mask_;
        slots_[i] = Slot{key, value};
        ++size_;
    }
    std::size_t size() const { return size_; }

private:
    struct Slot {
        index_t key = -1;
        PivotValue value;
    };
    static std::size_t capacity_for(std::size_t n) {
        std::size_t c = 16;
        while (3 * c < 4 * (n + 1)) c *= 2;
        return c;
    }
    std::size_t slot(index_t key) const {
        return std::size_t((std::uint64_t(key) * 0x9E3779B97F4A7C15ull) >> 17) & mask_;
    }
    void rehash(std::size_t capacity) {
        std::vector<Slot> old(capacity);
        old.swap(slots_);
        mask_ = capacity - 1;
        size_ = 0;
        for (const Slot& s : old)
            if (s.key != -1) insert(s.key, s.value);
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0, size_ = 0;
};

}  // namespace actopo::native
