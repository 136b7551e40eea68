#pragma once
// The pivot table of one dimension, shared by the threads that reduce its columns: pivot simplex
// index -> (column that owns it, coefficient of the pivot in that column). Open addressing with linear
// probing over 16-byte slots, lock-free: a key is claimed by compare-and-swap and never removed; its
// owner may change (a column earlier in the processing order takes the pivot over, see cohomology.cpp).
// The capacity is fixed at construction from the number of columns (each owns at most one slot), load
// <= 3/4, so there is never a rehash. Keys are >= 0 (-1 marks an empty slot).
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "native/binomial.hpp"

namespace actopo::native {

class PivotMap {
public:
    /// A slot's value: (column << 32) | coefficient; `pending` while the claiming thread writes it.
    static constexpr std::uint64_t pending = ~std::uint64_t(0);
    static std::uint64_t pack(std::uint32_t column, std::uint32_t coeff) { return (std::uint64_t(column) << 32) | coeff; }
    static std::uint32_t column_of(std::uint64_t value) { return std::uint32_t(value >> 32); }
    static std::uint32_t coeff_of(std::uint64_t value) { return std::uint32_t(value); }

    struct Slot {
        std::atomic<index_t> key{-1};
        std::atomic<std::uint64_t> value{pending};
        /// The value, once the thread that claimed the key has written it (the next instruction after its
        /// claim). After a few spins the waiting thread yields: on a loaded machine the writer may have lost
        /// its core right between the two stores, and spinning would hold it off that core for a time slice.
        std::uint64_t load() const {
            std::uint64_t v;
            for (int spins = 0; (v = value.load(std::memory_order_acquire)) == pending; ++spins)
                if (spins >= 64) std::this_thread::yield();
            return v;
        }
    };

    /// Room for `columns` keys.
    explicit PivotMap(std::size_t columns = 0) {
        capacity_ = 16;
        while (3 * capacity_ < 4 * (columns + 1)) capacity_ *= 2;
        slots_.reset(new Slot[capacity_]);
    }

    /// The slot of key, or nullptr.
    const Slot* find(index_t key) const {
        for (std::size_t i = home(key);; i = (i + 1) & (capacity_ - 1)) {
            const index_t k = slots_[i].key.load(std::memory_order_acquire);
            if (k == key) return &slots_[i];
            if (k == -1) return nullptr;
        }
    }
    bool contains(index_t key) const { return find(key) != nullptr; }

    /// The slot of key. When the key was absent it is inserted with `value` and `inserted` is true; else
    /// the slot is left as it is (its value may then be changed with compare-and-swap).
    Slot& insert(index_t key, std::uint64_t value, bool& inserted) {
        for (std::size_t i = home(key);; i = (i + 1) & (capacity_ - 1)) {
            index_t k = slots_[i].key.load(std::memory_order_acquire);
            if (k == -1 && slots_[i].key.compare_exchange_strong(k, key, std::memory_order_acq_rel)) {
                slots_[i].value.store(value, std::memory_order_release);
                inserted = true;
                return slots_[i];
            }
            if (k == key) {
                inserted = false;
                return slots_[i];
            }
        }
    }

    /// Calls f(key, value) for every key (no thread may be inserting).
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < capacity_; ++i) {
            const index_t k = slots_[i].key.load(std::memory_order_relaxed);
            if (k != -1) f(k, slots_[i].value.load(std::memory_order_relaxed));
        }
    }

private:
    std::size_t home(index_t key) const { return std::size_t((std::uint64_t(key) * 0x9E3779B97F4A7C15ull) >> 17) & (capacity_ - 1); }
    std::unique_ptr<Slot[]> slots_;
    std::size_t capacity_ = 0;
};

}  // namespace actopo::native
