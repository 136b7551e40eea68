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

/// The first line of a LibTorch error, without its C++ backtrace.
std::string first_line(const c10::Error& error);

}  // namespace actopo::extract_detail
