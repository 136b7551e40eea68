#pragma once
// Modified backward passes over a model's TorchScript graph (definitions: docs/explain.md, from
// /work/shared/papers.md "Explanations"): LRP and its composites, deep Taylor decomposition, DeepLIFT (Rescale),
// guided backpropagation and deconvnet. The graph is built once per model: the forward inlined, module attributes
// folded to constants, in-place ops made functional, BatchNorm merged into the layer before it (canonisation);
// each batch runs it once, keeping the activations every rule reads, then walks it backwards applying each
// operation's rule. No LibTorch header here (the tests call relevance_layer_sums); src/explain includes LibTorch itself.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actopo/explain.hpp"

namespace at {
class Tensor;
}
namespace torch::jit {
struct Module;
}

namespace actopo::explain_detail {

/// lrp, lrp-<rule>, deep-taylor, deeplift, guided-backprop, deconvnet (guided-grad-cam combines
/// guided-backprop with grad-cam in the explainer).
bool is_relevance_method(const std::string& method);

std::vector<std::pair<std::string, std::vector<double>>> relevance_layer_sums(
    const std::string& model_path, const std::string& method, const float* x, const std::vector<std::int64_t>& shape,
    const std::vector<std::int64_t>& targets, const MethodOptions& o);

class RelevanceGraph {
public:
    /// Builds the graph of `module`'s forward (`model_path` names it in messages). Operations without a rule do not
    /// fail here: the methods that need one refuse with one line naming it.
    RelevanceGraph(const torch::jit::Module& module, const std::string& model_path);
    ~RelevanceGraph();

    /// `check(logits, targets)` validates the model output and the targets of each pass.
    using Check = std::function<void(const at::Tensor& logits, const at::Tensor& targets)>;

    /// The map of `method` for rows X [R, ...] and targets T [R], in passes of o.internal_batch rows. `index`: the
    /// rows' dataset rows (messages). deeplift reads `baseline` (X's shape) and sets `delta` [R] = sum of the map -
    /// (f_c(x) - f_c(baseline)).
    at::Tensor attribute(const std::string& method, const at::Tensor& X, const at::Tensor& T,
                            const std::vector<std::int64_t>& index, const MethodOptions& o,
                            const at::Tensor& baseline, at::Tensor* delta, const Check& check);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    friend std::vector<std::pair<std::string, std::vector<double>>> relevance_layer_sums(
        const std::string&, const std::string&, const float*, const std::vector<std::int64_t>&,
        const std::vector<std::int64_t>&, const MethodOptions&);
};

/// For the tests of conservation: `method` (an LRP one) on inputs x [shape] of the model at `model_path`, and after
/// each step of the walk that changes relevance (weighted, pooling, addition, ...), the relevance held by the cut
/// through the graph there (every value reached but not yet passed on), summed per input: one row per step, output
/// to input order reversed (input side first), then the start relevance ("output"), each with one sum per input.
std::vector<std::pair<std::string, std::vector<double>>> relevance_layer_sums(
    const std::string& model_path, const std::string& method, const float* x, const std::vector<std::int64_t>& shape,
    const std::vector<std::int64_t>& targets, const MethodOptions& o);

}  // namespace actopo::explain_detail
