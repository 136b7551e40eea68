#pragma once
// Loading a TorchScript file with one-line user errors (missing, corrupt, not TorchScript), and the helpers
// the extraction and inspection code share. Only src/extract includes this (it brings LibTorch).
#include <torch/script.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo::extract_detail {

/// Loads a TorchScript module on the CPU, in eval mode. UserError naming the file when it cannot.
torch::jit::Module load_torchscript(const std::string& path);

/// The class of a module as a user would name it: "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d"
/// and "__torch__.actopo.m3.Conv2d" both give "Conv2d".
std::string module_type_name(const torch::jit::Module& module);

/// One line from a LibTorch error: the first line of its message without the C++ backtrace, or, for an
/// error raised inside the TorchScript interpreter, its final "RuntimeError: ..." text.
std::string error_summary(const std::exception& error);

/// The user error for a forward (`fn` of `module`) that threw `error` on a batch of `shape`. `earlier`: how many
/// batches of that shape ran before (nullopt: not counted). The model raised on these inputs' values when earlier
/// batches ran or when zeros of the shape run (tried here); otherwise it cannot take the shape, and `expected`
/// (e.g. "its first layer 'fc' expects [N, 784] after flattening") may say what it wants.
UserError forward_error(const std::string& model_path, torch::jit::Function& fn, torch::jit::Module& module,
                        const std::vector<std::int64_t>& shape, std::optional<std::size_t> earlier,
                        const std::exception& error, const std::string& expected = "");

}  // namespace actopo::extract_detail
