#pragma once
// Tensor helpers shared inside src/explain (brings LibTorch; src/explain/internal.hpp holds the torch-free ones).
#include <torch/script.h>

namespace actopo::explain_detail {

/// Separable Gaussian blur of x [..., H, W] over its last two axes (zero padding, kernel radius ceil(3 sigma));
/// sigma <= 0 gives a copy.
torch::Tensor gaussian_blur(const torch::Tensor& x, double sigma);

}  // namespace actopo::explain_detail
