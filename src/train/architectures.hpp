#pragma once
// The reference architectures, built directly as TorchScript modules (torch::jit::Module + define()), so
// that the trained model is saved exactly as PyTorch would load it: every layer is a submodule with its own
// forward, named as a PyTorch user expects (conv1, relu1, fc1, layer1.0.conv1, layer2.0.downsample ...).
#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

namespace actopo::train_detail {

/// An untrained module of `arch` (mlp | cnn | resnet | autoencoder) for inputs of per-sample shape [C, H, W] (transformer:
/// sequences [T, F]) and
/// `classes` outputs. Parameters are initialised from torch's global generator (seed it first) and
/// require gradients. UserError for an unknown arch or widths that do not fit it.
torch::jit::Module build_architecture(const std::string& arch, const std::vector<int>& widths,
                                      const std::vector<std::int64_t>& sample_shape, std::int64_t classes);

}  // namespace actopo::train_detail
