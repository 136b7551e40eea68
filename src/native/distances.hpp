#pragma once
// Float32 distances of the native engine: the packed lower triangle d(1,0), d(2,0), d(2,1), ...
// (n(n-1)/2 floats: 200 MB at n = 10 000; larger inputs need the sparse path, see docs/native.md).
#include <cstdint>
#include <vector>

#include "actopo/diagrams.hpp"

namespace actopo::native {

struct DenseDistances {
    std::uint32_t n = 0;
    std::vector<float> lower;
    float operator()(std::uint32_t i, std::uint32_t j) const {
        if (i < j) std::swap(i, j);
        return i == j ? 0.0f : lower[std::size_t(i) * (i - 1) / 2 + j];
    }
};

/// The distances of any RipsInput (points: computed on `threads` threads; sparse edges: +inf where absent).
/// UserError on NaN or negative distances.
DenseDistances dense_distances(const RipsInput& input, int threads);
/// min over i of max over j of d(i, j): above it the Rips complex is a cone.
float enclosing_radius(const DenseDistances& d);

}  // namespace actopo::native
