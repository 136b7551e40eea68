// LayerCapture: rewrites a copy of the model's forward graph so that it also returns the outputs of the
// requested submodules. Calls to modules that contain a requested layer are inlined (repeatedly) until the
// requested module's own call, a prim::CallMethod node, sits in the top-level graph; its output is then added
// to the graph's returned tuple. Scripted and traced modules both keep such calls, so both work.
// An intervened layer's output v is replaced, for every later use, by v * keep + fill, where keep and fill are
// two extra inputs of the rewritten graph (ablation: docs/ablate.md).
#include <ATen/Parallel.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/alias_analysis.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "extract/torchscript.hpp"

namespace actopo {

using namespace torch::jit;

namespace {

// The module path a value refers to when it is a chain of prim::GetAttr from `self` ("" for self).
std::optional<std::string> module_path(Value* v, Value* self) {
    std::vector<std::string> parts;
    while (v != self) {
        Node* n = v->node();
        if (n->kind() != prim::GetAttr) return std::nullopt;
        parts.push_back(n->s(attr::name));
        v = n->input(0);
    }
    std::reverse(parts.begin(), parts.end());
    return join(parts, ".");
}

void collect_calls(Block* block, std::vector<Node*>& out) {
    for (Node* n : block->nodes()) {
        if (n->kind() == prim::CallMethod) out.push_back(n);
        for (Block* b : n->blocks()) collect_calls(b, out);
    }
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// A call of a module's forward: "forward", or "forward1", "forward2"... which torch.jit.trace emits for the
// second and later calls of the same module.
bool is_forward(const std::string& method) {
    if (!starts_with(method, "forward")) return false;
    for (std::size_t i = 7; i < method.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(method[i]))) return false;
    return true;
}

}  // namespace

struct LayerCapture::Impl {
    Module module;
    std::vector<LayerInfo> modules;
    std::vector<std::string> layers;
    std::vector<std::string> intervened;
    std::vector<torch::Tensor> keep, fill;  // per intervened layer: the extra graph inputs (1 and 0: intact)
    std::unique_ptr<GraphFunction> capture;
    std::vector<torch::Tensor> outputs;
    torch::Tensor logits;
    std::string model_path;
    std::size_t calls = 0;  // forward passes that succeeded: a later failure is not about the input shape

    std::size_t module_index(const std::string& name) const {
        for (std::size_t i = 0; i < modules.size(); ++i)
            if (modules[i].name == name) return i;
        return modules.size();
    }

    void list_modules() {
        for (const auto& m : module.named_modules()) {
            if (m.name.empty()) continue;
            LayerInfo info;
            info.name = m.name;
            info.type = extract_detail::module_type_name(m.value);
            info.leaf = m.value.children().size() == 0;
            modules.push_back(info);
        }
    }

    // Which module paths to capture: the leaves for "all", else the names given (checked).
    std::vector<std::string> resolve(const std::vector<std::string>& requested) const {
        std::vector<std::string> all_names, leaves;
        for (const auto& m : modules) {
            all_names.push_back(m.name);
            if (m.leaf) leaves.push_back(m.name);
        }
        if (requested.size() == 1 && requested[0] == "all") return leaves;
        std::vector<std::string> out;
        for (const auto& name : requested) {
            if (name == "all") throw UserError("--layers: 'all' cannot be combined with other layer names");
            if (module_index(name) == modules.size()) {
                auto near = closest_names(name, all_names);
                throw UserError("model '" + model_path + "' has no layer '" + name + "'" +
                                (near.empty() ? std::string() : " (closest: " + join(near) + ")") +
                                "; see actopo extract --list-layers");
            }
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
        return out;
    }

    void build(const std::vector<std::string>& requested, const std::vector<std::string>& intervene) {
        std::vector<std::string> wanted = resolve(requested);
        const bool all = requested.size() == 1 && requested[0] == "all";
        intervened = intervene.empty() ? intervene : resolve(intervene);
        const std::size_t captured_count = wanted.size();  // the intervened layers are found like captured ones
        for (const auto& name : intervened)
            if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) wanted.push_back(name);
        auto contains_wanted = [&](const std::string& path) {
            if (path.empty()) return true;
            for (const auto& w : wanted)
                if (starts_with(w, path + ".")) return true;
            return false;
        };
        auto is_wanted = [&](const std::string& path) {
            return std::find(wanted.begin(), wanted.end(), path) != wanted.end();
        };

        std::shared_ptr<Graph> graph = module.get_method("forward").graph()->copy();
        Value* self = graph->inputs()[0];
        std::map<std::string, std::vector<Value*>> produced;  // path -> output of each call, in graph order
        std::map<std::string, int> calls;

        // Inline, one call at a time, every call into a module that holds a wanted layer.
        for (bool changed = true; changed;) {
            changed = false;
            std::vector<Node*> nodes;
            collect_calls(graph->block(), nodes);
            for (Node* n : nodes) {
                auto path = module_path(n->input(0), self);
                if (!path || !contains_wanted(*path)) continue;
                bool call_of_forward = is_forward(n->s(attr::name));
                auto& callee = toGraphFunction(n->input(0)->type()->expect<c10::ClassType>()->getMethod(n->s(attr::name)));
                std::vector<Value*> before(n->outputs().begin(), n->outputs().end());
                std::vector<Value*> outs = inlineCallTo(n, &callee, callee.graph().get());
                // A recorded value that this call produced (a container's output) now lives in `outs`.
                for (auto& entry : produced)
                    for (Value*& v : entry.second)
                        for (std::size_t k = 0; k < before.size(); ++k)
                            if (v == before[k]) v = outs[k];
                if (call_of_forward && !path->empty()) {
                    ++calls[*path];
                    if (is_wanted(*path) && outs.size() == 1) produced[*path].push_back(outs[0]);
                }
                changed = true;
                break;
            }
        }
        std::vector<Node*> nodes;
        collect_calls(graph->block(), nodes);
        for (Node* n : nodes) {
            auto path = module_path(n->input(0), self);
            if (!path || !is_forward(n->s(attr::name)) || path->empty()) continue;
            ++calls[*path];
            if (is_wanted(*path) && n->outputs().size() == 1) produced[*path].push_back(n->output());
        }
        for (auto& m : modules) m.calls = calls.count(m.name) ? calls[m.name] : 0;

        // Each intervened layer's output v becomes v * keep + fill for every later use (a forward hook's view).
        std::map<Value*, Value*> replaced;
        for (const auto& name : intervened) {
            auto it = produced.find(name);
            const std::string layer = "layer '" + name + "' of model '" + model_path + "' ";
            if (calls[name] != 1 || it == produced.end() || it->second.size() != 1)
                throw UserError(layer + "is called " + std::to_string(calls[name]) +
                                " times by forward; an intervention needs a layer called exactly once");
            Value* v = it->second[0];
            if (v->node()->owningBlock() != graph->block() || !v->type()->cast<c10::TensorType>())
                throw UserError(layer + "is called inside an if or a loop of forward, or returns no tensor: cannot intervene on it");
            Value* keep_in = graph->addInput("keep")->setType(c10::TensorType::get());
            Value* fill_in = graph->addInput("fill")->setType(c10::TensorType::get());
            WithInsertPoint after(v->node()->next());
            Value* kept = graph->insert(aten::mul, {v, keep_in});
            Value* out = graph->insert(aten::add, {kept, fill_in});
            v->replaceAllUsesAfterNodeWith(out->node(), out);
            replaced[v] = out;
            keep.push_back(torch::ones({}));
            fill.push_back(torch::zeros({}));
        }
        wanted.resize(captured_count);

        // The value each wanted layer contributes: its last call at the top level of forward.
        std::vector<Value*> values;
        for (const auto& name : wanted) {
            auto reject = [&](const std::string& why) {
                if (!all) throw UserError("layer '" + name + "' of model '" + model_path + "' " + why);
                if (!quiet()) std::fprintf(stderr, "actopo: note: skipping layer '%s': %s\n", name.c_str(), why.c_str());
            };
            auto it = produced.find(name);
            if (it == produced.end() || it->second.empty()) {
                reject(calls[name] ? "returns more than one value" : "is never called by the model's forward");
                continue;
            }
            Value* v = nullptr;
            for (Value* candidate : it->second)
                if (candidate->node()->owningBlock() == graph->block() && (!v || candidate->node()->isAfter(v->node())))
                    v = candidate;
            if (!v) {
                reject("is called only inside an if or a loop of forward, which actopo cannot capture");
                continue;
            }
            if (!v->type()->cast<c10::TensorType>()) {
                reject("returns " + v->type()->repr_str() + ", not a tensor");
                continue;
            }
            layers.push_back(name);
            values.push_back(replaced.count(v) ? replaced[v] : v);
        }

        if (graph->outputs().size() != 1 || !graph->outputs()[0]->type()->cast<c10::TensorType>())
            throw UserError("model '" + model_path + "' returns " +
                            (graph->outputs().size() == 1 ? graph->outputs()[0]->type()->repr_str() : "several values") +
                            " from forward; expected one tensor of logits [N, classes]");

        // A captured tensor that a later in-place op changes (x += shortcut) is cloned where it is made.
        {
            AliasDb aliases(graph);
            std::vector<std::size_t> mutated;
            for (std::size_t i = 0; i < values.size(); ++i)
                if (aliases.hasWriters(values[i])) mutated.push_back(i);
            for (std::size_t i : mutated) {
                WithInsertPoint guard(values[i]->node()->next());
                values[i] = graph->insert(aten::clone, {values[i]});
            }
        }
        std::vector<Value*> returned{graph->outputs()[0]};
        returned.insert(returned.end(), values.begin(), values.end());
        graph->eraseOutput(0);
        WithInsertPoint at_end(graph->return_node());
        graph->registerOutput(graph->insertNode(graph->createTuple(returned))->output());
        // The simple executor: no profiling runs and re-optimisation on the first batches (which cost more
        // than they gain for a chain of ATen calls on the CPU).
        capture = std::make_unique<GraphFunction>("actopo_capture", graph, nullptr, ExecutorExecutionMode::SIMPLE);
    }

    // "its first layer 'conv1' expects [N, 3, H, W]" from the first parameterised leaf.
    std::string expected_input() const {
        for (const auto& m : module.named_modules()) {
            if (m.value.children().size() != 0) continue;
            for (const auto& p : m.value.named_parameters(false)) {
                if (p.name != "weight") continue;
                auto w = p.value;
                if (w.dim() == 4)
                    return "its first layer '" + m.name + "' expects [N, " + std::to_string(w.size(1)) + ", H, W]";
                if (w.dim() == 2)
                    return "its first layer '" + m.name + "' expects [N, " + std::to_string(w.size(1)) +
                           "] after flattening";
                return "";
            }
        }
        return "";
    }

    IValue call(Function& fn, const float* x, const std::vector<std::int64_t>& shape, bool intervene) {
        torch::NoGradGuard no_grad;
        torch::Tensor input = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32);
        std::vector<IValue> args{module._ivalue(), input};
        for (std::size_t i = 0; intervene && i < keep.size(); ++i) args.insert(args.end(), {keep[i], fill[i]});
        try {
            IValue out = fn(args);
            ++calls;
            return out;
        } catch (const std::exception& e) {  // c10::Error or the interpreter's JITException
            throw extract_detail::forward_error(model_path, fn, module, shape, calls, e, calls == 0 ? expected_input() : "");
        }
    }
};

LayerCapture::LayerCapture(const std::string& model_path, const std::vector<std::string>& layers, int threads,
                           const std::vector<std::string>& intervened)
    : impl_(std::make_unique<Impl>()) {
    if (threads > 0) at::set_num_threads(threads);
    impl_->model_path = model_path;
    impl_->module = extract_detail::load_torchscript(model_path);
    impl_->list_modules();
    impl_->build(layers.empty() ? std::vector<std::string>{"all"} : layers, intervened);
}

LayerCapture::~LayerCapture() = default;

const std::vector<LayerInfo>& LayerCapture::modules() const { return impl_->modules; }
const std::vector<std::string>& LayerCapture::layers() const { return impl_->layers; }
const std::vector<std::string>& LayerCapture::intervened() const { return impl_->intervened; }

void LayerCapture::set_intervention(std::size_t i, const std::vector<std::int64_t>& shape, const std::vector<float>& keep,
                                    const std::vector<float>& fill) {
    if (keep.empty() && fill.empty()) {
        impl_->keep.at(i) = torch::ones({});
        impl_->fill.at(i) = torch::zeros({});
        return;
    }
    std::vector<std::int64_t> batched{1};
    batched.insert(batched.end(), shape.begin(), shape.end());
    if (keep.size() != per_input_size(shape) || fill.size() != keep.size())
        throw std::invalid_argument("set_intervention: keep and fill must hold one value per element of the layer");
    impl_->keep.at(i) = torch::tensor(keep, torch::kFloat32).reshape(batched);
    impl_->fill.at(i) = torch::tensor(fill, torch::kFloat32).reshape(batched);
}

void LayerCapture::run(const float* x, const std::vector<std::int64_t>& shape) {
    auto result = impl_->call(*impl_->capture, x, shape, true).toTuple();
    const auto& elements = result->elements();
    const std::int64_t batch = shape.at(0);
    torch::Tensor logits = elements[0].toTensor();
    if (logits.dim() != 2 || logits.size(0) != batch)
        throw UserError("model '" + impl_->model_path + "' returns logits of shape " +
                        shape_string(logits.sizes().vec()) + " for a batch of " + std::to_string(batch) +
                        "; expected [" + std::to_string(batch) + ", classes]");
    // An output that is (a view of) the input, e.g. of an Identity or a Flatten first, is copied, so that the
    // caller may refill x while a writer still reads this batch.
    const char* x_begin = reinterpret_cast<const char*>(x);
    const std::size_t x_bytes = std::size_t(c10::multiply_integers(shape)) * sizeof(float);
    auto own = [&](torch::Tensor t) {
        t = t.to(torch::kFloat32).contiguous();
        const char* begin = static_cast<const char*>(t.data_ptr());
        if (begin < x_begin + x_bytes && x_begin < begin + std::size_t(t.numel()) * sizeof(float)) t = t.clone();
        return t;
    };
    impl_->logits = own(logits);
    impl_->outputs.clear();
    for (std::size_t i = 1; i < elements.size(); ++i) {
        torch::Tensor t = elements[i].toTensor();
        if (t.dim() == 0 || t.size(0) != batch)
            throw UserError("layer '" + impl_->layers[i - 1] + "' returns shape " + shape_string(t.sizes().vec()) +
                            ", whose first dimension is not the batch size " + std::to_string(batch));
        impl_->outputs.push_back(own(t));
    }
}

std::shared_ptr<const void> LayerCapture::keep_alive() const {
    auto held = std::make_shared<std::vector<torch::Tensor>>(impl_->outputs);
    held->push_back(impl_->logits);
    return held;
}

void LayerCapture::run_bare(const float* x, const std::vector<std::int64_t>& shape) {
    impl_->call(impl_->module.get_method("forward").function(), x, shape, false);
}

std::vector<std::int64_t> LayerCapture::layer_shape(std::size_t i) const {
    auto sizes = impl_->outputs.at(i).sizes().vec();
    return {sizes.begin() + 1, sizes.end()};
}
const float* LayerCapture::layer_data(std::size_t i) const { return impl_->outputs.at(i).data_ptr<float>(); }
std::int64_t LayerCapture::num_classes() const { return impl_->logits.defined() ? impl_->logits.size(1) : 0; }
const float* LayerCapture::logits() const { return impl_->logits.data_ptr<float>(); }
std::vector<std::int64_t> LayerCapture::predictions() const {
    torch::Tensor p = impl_->logits.argmax(1).contiguous();
    return {p.data_ptr<std::int64_t>(), p.data_ptr<std::int64_t>() + p.numel()};
}

}  // namespace actopo

#include "extract/capture_internals.hpp"

namespace actopo {
torch::jit::Module& CaptureInternals::module(LayerCapture& capture) { return capture.impl_->module; }
torch::jit::Function& CaptureInternals::capture_function(LayerCapture& capture) { return *capture.impl_->capture; }
}  // namespace actopo
