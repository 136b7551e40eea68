#pragma once
// What src/explain needs of a LayerCapture beyond the public API: its loaded module and the rewritten forward
// graph that returns (logits, captured layers...), to run with gradients on. Brings LibTorch.
#include <torch/script.h>

#include "actopo/extract.hpp"

namespace actopo {

struct CaptureInternals {
    static torch::jit::Module& module(LayerCapture& capture);
    /// Called as fn({module._ivalue(), x}); returns a tuple (logits, layer 0, layer 1, ..., calls): a layer whose
    /// calls sit inside an if or a loop is an empty tensor [0] when none ran; calls (int[]) counts each layer's calls.
    /// With CaptureOptions::pool, the layers are pooled and a last element (int[][]) holds their sizes before pooling.
    static torch::jit::Function& capture_function(LayerCapture& capture);
};

}  // namespace actopo
