#pragma once
// Loading a TorchScript file with one-line user errors (missing, corrupt, not TorchScript), and the helpers
// the extraction and inspection code share. Only src/extract includes this (it brings LibTorch).
#include <torch/script.h>

#include <string>

namespace actopo::extract_detail {

/// Loads a TorchScript module on the CPU, in eval mode. UserError naming the file when it cannot.
torch::jit::Module load_torchscript(const std::string& path);

/// The class of a module as a user would name it: "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d"
/// and "__torch__.actopo.m3.Conv2d" both give "Conv2d".
std::string module_type_name(const torch::jit::Module& module);

/// One line from a LibTorch error: the first line of its message without the C++ backtrace, or, for an
/// error raised inside the TorchScript interpreter, its final "RuntimeError: ..." text.
std::string error_summary(const std::exception& error);

}  // namespace actopo::extract_detail
