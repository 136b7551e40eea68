// LayerCapture: rewrites a copy of the model's forward graph so that it also returns the outputs of the
// requested submodules. Calls to modules that contain a requested layer are inlined (repeatedly) until the
// requested module's own calls, prim::CallMethod nodes, sit in forward's graph (at its top level, or inside the
// blocks of an if or a loop). The element an address picks is taken from each call's output; a call at the top
// level is returned as it is, calls inside blocks append to a list that the graph returns (last call, or all
// stacked), with the number of calls each layer made. Scripted and traced modules both keep such calls.
// With CaptureOptions::pool, each stored call's output is average-pooled (actopo::average_pool, an operator registered
// here) right where it is made, so that only the pooled copy outlives the batch's forward pass.
// An intervened layer's output v is replaced, for every later use, by v * keep + fill, where keep and fill are
// two extra inputs of the rewritten graph (ablation: docs/ablate.md).
#include <ATen/Parallel.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/alias_analysis.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/library.h>

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
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

// A call of a module's forward: "forward"; "forward1", "forward2"... which torch.jit.trace emits for the second
// and later calls of the same module; "forward__0", "forward__1"... the overloads of a scripted forward (nn.LSTM's).
bool is_forward(const std::string& method) {
    if (!starts_with(method, "forward")) return false;
    std::size_t i = 7;
    if (method.compare(i, 2, "__") == 0 && method.size() > 9) i += 2;
    for (; i < method.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(method[i]))) return false;
    return true;
}

// Where to insert code that uses v right after it is made (a graph or block input: the start of its block).
Node* after_definition(Value* v) {
    Node* n = v->node();
    return n->kind() == prim::Param ? n->owningBlock()->nodes().front() : n->next();
}

// An element of a module's output: a position [i] in a tuple or a list, or a key ["k"] of a dict or a named tuple.
struct Step {
    bool is_key = false;
    std::int64_t index = 0;
    std::string key;
};

std::string address_string(const std::vector<Step>& steps) {
    std::string out;
    for (const auto& s : steps) out += s.is_key ? "[\"" + s.key + "\"]" : "[" + std::to_string(s.index) + "]";
    return out;
}

// "[1][0]", "['aux']", "[\"aux\"]" -> steps; UserError naming `what` when the text is no address.
std::vector<Step> parse_address(const std::string& text, const std::string& what) {
    std::vector<Step> steps;
    const std::string bad = what + ": '" + text + "' is not an address (expected elements such as [0], [1][0] or [\"key\"])";
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '[') throw UserError(bad);
        const std::size_t end = text.find(']', i);
        if (end == std::string::npos) throw UserError(bad);
        std::string inner = trim(text.substr(i + 1, end - i - 1));
        Step s;
        if (inner.size() >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner.back() == inner[0]) {
            s.is_key = true;
            s.key = inner.substr(1, inner.size() - 2);
        } else {
            if (inner.empty() || inner.find_first_not_of("-0123456789") != std::string::npos) throw UserError(bad);
            try {
                s.index = std::stoll(inner);
            } catch (const std::exception&) {
                throw UserError(bad);
            }
        }
        steps.push_back(s);
        i = end + 1;
    }
    return steps;
}

// Inserted checks that fail at run time raise a message that starts with this marker; call() turns it into a
// UserError (the rest of the message).
const std::string kCheckMarker = "actopo-check: ";

// At the insert point: unless `ok`, raise `message`.
void raise_unless(Graph& g, Value* ok, const std::string& message) {
    Node* branch = g.insertNode(g.create(prim::If, {ok}, 0));
    branch->addBlock();
    Block* fail = branch->addBlock();
    WithInsertPoint in(fail);
    Value* text = g.insertConstant(kCheckMarker + message);
    g.insertNode(g.create(prim::RaiseException, {text, g.insertConstant(IValue())}, 0));
}

bool is_rnn(const std::string& type) { return type == "LSTM" || type == "GRU" || type == "RNN"; }

void collect_kind(Block* block, Symbol kind, std::vector<Node*>& out) {
    for (Node* n : block->nodes()) {
        if (n->kind() == kind) out.push_back(n);
        for (Block* b : n->blocks()) collect_kind(b, kind, out);
    }
}

// PyTorch's fused fast paths of nn.TransformerEncoderLayer (torch._transformer_encoder_layer_fwd, taken in evaluation
// mode without gradients) and of nn.TransformerEncoder (a padded batch made a nested tensor) call none of the
// layer's sublayers. In an inlined scripted forward each sits in an `if` whose other way is PyTorch's standard path
// (the one taken in training mode or with gradients on): that `if` is decided for the standard path, so the
// sublayers run. Returns the encoder layers so switched (their module paths), and in `traced` those whose fused
// call sits in no `if` (a model traced on the fast path: its sublayers were never recorded).
std::vector<std::string> standard_transformer_path(Graph& graph, Value* self, std::vector<std::string>& traced) {
    std::vector<std::string> switched;
    for (const char* op : {"aten::_transformer_encoder_layer_fwd", "aten::_nested_tensor_from_mask"}) {
        std::vector<Node*> fused;
        collect_kind(graph.block(), Symbol::fromQualString(op), fused);
        for (Node* n : fused) {
            std::string layer = "a TransformerEncoderLayer";
            if (n->inputs().size() > 3 && n->input(3)->node()->kind() == prim::GetAttr) {  // in_proj_weight of self_attn
                auto path = module_path(n->input(3)->node()->input(0), self);
                if (path && path->find('.') != std::string::npos) layer = path->substr(0, path->rfind('.'));
            }
            Node* branch = n->owningBlock()->owningNode();
            const bool is_layer = n->kind() == Symbol::fromQualString("aten::_transformer_encoder_layer_fwd");
            if (!branch || branch->kind() != prim::If) {
                if (is_layer) traced.push_back(layer);
                continue;
            }
            const bool fast_is_then = n->owningBlock() == branch->blocks()[0];
            WithInsertPoint before(branch);
            branch->replaceInput(0, graph.insertConstant(!fast_is_then));
            if (is_layer) switched.push_back(layer);
        }
    }
    return switched;
}

// Average-pools `planes` planes of h x w floats KxK with stride K into ceil(h/K) x ceil(w/K); a window cut by the
// right or bottom edge averages the values it covers. Each window is summed row by row, each row's part left to
// right, and the sum divided by the window's cells.
template <std::size_t K>
void average_pool_planes(const float* in, std::size_t planes, std::size_t h, std::size_t w, std::size_t k, float* out) {
    const std::size_t kk = K ? K : k, oh = (h + kk - 1) / kk, ow = (w + kk - 1) / kk, full = w / kk;
    std::vector<float> sums(ow);
    for (std::size_t p = 0; p < planes; ++p) {
        const float* plane = in + p * h * w;
        float* dst = out + p * oh * ow;
        for (std::size_t r = 0; r < oh; ++r) {
            std::fill(sums.begin(), sums.end(), 0.0f);
            const std::size_t r0 = r * kk, r1 = std::min(h, r0 + kk);
            for (std::size_t y = r0; y < r1; ++y) {
                const float* row = plane + y * w;
                for (std::size_t c = 0; c < full; ++c) {  // whole windows: K known at compile time vectorises
                    float s = 0;
                    for (std::size_t x = 0; x < kk; ++x) s += row[c * kk + x];
                    sums[c] += s;
                }
                for (std::size_t c = full; c < ow; ++c) {  // the window cut by the right edge
                    float s = 0;
                    for (std::size_t x = c * kk; x < w; ++x) s += row[x];
                    sums[c] += s;
                }
            }
            for (std::size_t c = 0; c < ow; ++c)
                dst[r * ow + c] = sums[c] / float((r1 - r0) * (std::min(w, c * kk + kk) - c * kk));
        }
    }
}

// actopo::average_pool(x, k): the --pool rule. A [N, C, H, W] tensor other than [N, C, 1, 1] becomes float32
// [N, C, ceil(H/K), ceil(W/K)] (torch's avg_pool2d(K, K, ceil_mode=True), with a fixed summation order); any other
// tensor is returned as it is, which is why the schema says the output may alias x.
torch::Tensor average_pool_op(const torch::Tensor& x, std::int64_t k) {
    if (x.dim() != 4 || x.size(2) * x.size(3) <= 1 || k <= 1) return x;
    const torch::Tensor in = x.to(torch::kFloat32).contiguous();
    const std::size_t h = std::size_t(x.size(2)), w = std::size_t(x.size(3)), kk = std::size_t(k);
    torch::Tensor out = torch::empty({x.size(0), x.size(1), std::int64_t((h + kk - 1) / kk), std::int64_t((w + kk - 1) / kk)},
                                     torch::kFloat32);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const std::size_t oh = std::size_t(out.size(2)), ow = std::size_t(out.size(3));
    at::parallel_for(0, x.size(0) * x.size(1), 16, [&](std::int64_t begin, std::int64_t end) {
        const std::size_t first = std::size_t(begin), planes = std::size_t(end - begin);
        const float* a = src + first * h * w;
        float* b = dst + first * oh * ow;
        if (kk == 2) average_pool_planes<2>(a, planes, h, w, kk, b);
        else if (kk == 4) average_pool_planes<4>(a, planes, h, w, kk, b);
        else average_pool_planes<0>(a, planes, h, w, kk, b);
    });
    return out;
}

TORCH_LIBRARY(actopo, m) {
    m.def("average_pool(Tensor(a) x, int k) -> Tensor(a)", &average_pool_op);
}

}  // namespace

struct LayerCapture::Impl {
    Module module;
    std::vector<LayerInfo> modules;
    CaptureOptions options;
    std::vector<std::string> candidates;  // the layers the graph returns, in order
    std::vector<std::size_t> candidate_module;  // index in `modules` of candidate i's module
    std::vector<bool> named;              // candidate i was named (not found by all): an error when it does not run
    std::vector<std::size_t> active;      // after the first batch: the candidates it called, in order (layers())
    std::vector<std::string> layers;      // their names
    bool settled = false;                 // the first batch ran
    std::vector<std::string> intervened;
    std::vector<torch::Tensor> keep, fill;  // per intervened layer: the extra graph inputs (1 and 0: intact)
    std::unique_ptr<GraphFunction> capture;
    std::vector<torch::Tensor> outputs;
    torch::Tensor logits;
    std::string model_path;
    std::size_t calls = 0;  // forward passes that succeeded: a later failure is not about the input shape
    std::string output_problem;  // why forward's output gives no logits (a tuple without --logits), for run()

    std::vector<std::vector<std::int64_t>> source_shapes;  // pooling: per layer, its per-input shape before pooling

    // Pooling (CaptureOptions::pool) applies when each layer stores one call.
    bool pooling() const { return options.pool > 1 && !options.all_calls; }

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

    // A layer asked for: its name in the store, the module, the element of its output ("" steps: the default),
    // and whether it was named (not found by all, a glob, a type or blocks: a named layer that cannot be captured
    // is an error, a found one is left out with a note).
    struct Request {
        std::string name, path;
        std::vector<Step> steps;
        bool named = true;
        bool attention = false;  // an nn.MultiheadAttention found by all: captured unless forward calls a sublayer of it
    };

    // The paths a selector stands for, in module order: "all" (every leaf), "blocks" (every non-leaf direct child of
    // a Sequential, ModuleList or ModuleDict, outermost only), "type:Class", a glob (* and ?, matching dots too), or
    // one module path. UserError when it matches nothing.
    std::vector<std::string> select(const std::string& selector, std::vector<std::string>& all_names) const {
        std::vector<std::string> out;
        auto is_container = [](const std::string& type) {
            return type == "Sequential" || type == "ModuleList" || type == "ModuleDict";
        };
        const std::string model = "model '" + model_path + "'";
        if (selector == "all") {  // with nn.MultiheadAttention, which applies its out_proj's weights without calling it
            for (const auto& m : modules)
                if (m.leaf || m.type == "MultiheadAttention") out.push_back(m.name);
        } else if (selector == "blocks") {
            for (const auto& m : modules) {
                const std::size_t dot = m.name.rfind('.');
                if (m.leaf || dot == std::string::npos) continue;
                const std::size_t parent = module_index(m.name.substr(0, dot));
                const bool inside = std::any_of(out.begin(), out.end(), [&](const std::string& b) { return starts_with(m.name, b + "."); });
                if (parent < modules.size() && is_container(modules[parent].type) && !inside) out.push_back(m.name);
            }
            if (out.empty())
                throw UserError("--layers blocks: " + model + " has no block (a submodule with submodules inside a "
                                "Sequential, ModuleList or ModuleDict)");
        } else if (starts_with(selector, "type:")) {
            const std::string type = selector.substr(5);
            std::vector<std::string> types;
            for (const auto& m : modules) {
                if (m.type == type) out.push_back(m.name);
                if (std::find(types.begin(), types.end(), m.type) == types.end()) types.push_back(m.type);
            }
            if (out.empty())
                throw UserError("--layers " + selector + ": " + model + " has no module of class '" + type + "' (its classes: " +
                                join(types) + ")");
        } else if (selector.find_first_of("*?") != std::string::npos) {
            for (const auto& m : modules)
                if (fnmatch(selector.c_str(), m.name.c_str(), 0) == 0) out.push_back(m.name);
            if (out.empty()) {
                auto near = closest_names(selector, all_names);
                throw UserError("--layers " + selector + ": matches no module of " + model +
                                (near.empty() ? std::string() : " (closest: " + join(near) + ")") + "; see actopo extract --list-layers");
            }
        } else {
            if (module_index(selector) == modules.size()) {
                auto near = closest_names(selector, all_names);
                throw UserError(model + " has no layer '" + selector + "'" +
                                (near.empty() ? std::string() : " (closest: " + join(near) + ")") +
                                "; see actopo extract --list-layers");
            }
            out.push_back(selector);
        }
        return out;
    }

    // What to capture: each requested selector (see select()), with an optional address after it.
    std::vector<Request> resolve(const std::vector<std::string>& requested) const {
        std::vector<std::string> all_names;
        for (const auto& m : modules) all_names.push_back(m.name);
        std::vector<Request> out;
        for (const auto& text : requested) {
            if (text == "all" && requested.size() > 1)
                throw UserError("--layers: 'all' cannot be combined with other layer names");
            const std::size_t bracket = text.find('[');
            const std::string selector = trim(text.substr(0, bracket));
            std::vector<Step> steps;
            if (bracket != std::string::npos) steps = parse_address(text.substr(bracket), "layer '" + text + "'");
            const std::vector<std::string> paths = select(selector, all_names);
            const bool named = paths.size() == 1 && paths[0] == selector;
            for (const auto& path : paths) {
                Request r{path + address_string(steps), path, steps, named,
                          selector == "all" && !modules[module_index(path)].leaf};
                if (std::none_of(out.begin(), out.end(), [&](const Request& o) { return o.name == r.name; })) out.push_back(r);
            }
        }
        return out;
    }

    // Code, at the insert point, that picks `steps` out of v: the tensor they address. No steps: the default
    // element, [0] of a tuple or a list, repeatedly. A step past an Optional checks that it is not None; a list
    // index or a dict key is checked when the batch runs. Element [1] of an LSTM, GRU or RNN (the hidden states,
    // [layers * directions, N, H]) gets its batch axis first. `dry`: only checks the types (inserts nothing).
    // UserError (naming `who`) for an address that does not fit. `defaulted`: the default address taken, if any.
    Value* pick(Graph& g, Value* v, const std::vector<Step>& steps, const std::string& who, bool rnn, bool dry,
                std::string* defaulted = nullptr) const {
        TypePtr t = v->type();
        std::vector<Step> taken;
        bool hidden = false;
        for (std::size_t k = 0;; ) {
            if (auto opt = t->cast<c10::OptionalType>()) {
                t = opt->getElementType();
                if (!dry) {
                    raise_unless(g, g.insert(aten::__isnot__, {v, g.insertConstant(IValue())}), who + " is None on this batch");
                    v = g.insertUncheckedCast(v, t);
                }
                continue;
            }
            const bool given = k < steps.size();
            if (!given && t->cast<c10::TensorType>()) break;
            const std::string returns = who + " returns " + t->repr_str();
            if (!given && !t->cast<c10::TupleType>() && !t->cast<c10::ListType>())
                throw UserError(returns + (t->cast<c10::DictType>() ? ": name one of its entries, e.g. [\"key\"]" : ", not a tensor"));
            Step s = given ? steps[k] : Step{};
            ++k;
            if (auto tuple = t->cast<c10::TupleType>()) {
                const auto n = std::int64_t(tuple->elements().size());
                std::int64_t i = s.index;
                if (s.is_key) {
                    i = -1;
                    if (tuple->schema())
                        for (std::size_t f = 0; f < tuple->schema()->arguments().size(); ++f)
                            if (tuple->schema()->arguments()[f].name() == s.key) i = std::int64_t(f);
                    if (i < 0)
                        throw UserError(returns + (tuple->schema() ? ", which has no field \"" + s.key + "\""
                                                                   : ", a tuple without names: address its elements by "
                                                                     "position, e.g. [0] (torch.jit.trace turns a dict into a tuple)"));
                } else if (i < 0) {
                    i += n;
                }
                if (i < 0 || i >= n)
                    throw UserError(returns + ": index " + std::to_string(s.index) + " is out of range (" +
                                    std::to_string(n) + " elements)");
                if (!dry) v = g.insertNode(g.createTupleIndex(v, g.insertConstant(i), tuple->elements()[i]))->output();
                t = tuple->elements()[i];
                s.index = i;
            } else if (t->cast<c10::ListType>()) {
                if (s.is_key) throw UserError(returns + ": address a list by position, e.g. [0]");
                if (!dry) {
                    Value* len = g.insert(aten::len, {v});
                    Value* ok = s.index >= 0 ? g.insert(aten::lt, {s.index, len}) : g.insert(aten::le, {-s.index, len});
                    raise_unless(g, ok, who + ": index " + std::to_string(s.index) + " is out of range of the list it returns");
                    v = g.insert(aten::__getitem__, {v, s.index});
                }
                t = t->cast<c10::ListType>()->getElementType();
            } else if (auto dict = t->cast<c10::DictType>()) {
                if (!s.is_key || dict->getKeyType()->kind() != c10::TypeKind::StringType)
                    throw UserError(returns + ": address its entries by key, e.g. [\"key\"]");
                if (!dry) {
                    raise_unless(g, g.insert(aten::__contains__, {v, s.key}), who + ": the dict it returns has no key \"" + s.key + "\"");
                    v = g.insert(aten::__getitem__, {v, s.key});
                }
                t = dict->getValueType();
            } else {
                throw UserError(returns + ", not a tuple, list or dict, so '" + address_string({s}) +
                                "' addresses nothing (a traced module returns only the outputs its caller used)");
            }
            if (rnn && taken.empty() && !s.is_key && s.index == 1) hidden = true;
            taken.push_back(s);
            if (!given && defaulted) *defaulted = address_string(taken);
        }
        if (hidden && !dry) v = g.insert(aten::transpose, {v, std::int64_t(0), std::int64_t(1)});
        return v;
    }

    // One call of a wanted module: its output (pooled when asked), whether it sits inside an if or a loop of forward,
    // and (when pooling) the sizes of the output before pooling.
    struct Site {
        Value* value;
        bool nested;
        Value* sizes = nullptr;
    };

    void build(const std::vector<std::string>& requested, const std::vector<std::string>& intervene) {
        const std::vector<Request> requests = resolve(requested);
        for (const auto& r : intervene.empty() ? std::vector<Request>{} : resolve(intervene)) {
            if (!r.steps.empty()) throw UserError("layer '" + r.name + "': an intervention takes a module path, not an address");
            intervened.push_back(r.path);
        }
        std::vector<std::string> wanted;  // the module paths whose calls are found (captured or intervened)
        for (const auto& r : requests)
            if (std::find(wanted.begin(), wanted.end(), r.path) == wanted.end()) wanted.push_back(r.path);
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
        std::map<std::string, std::vector<Value*>> produced;  // path -> output of each call (inlined or not)
        std::map<std::string, int> sites, nested_sites;       // every module's calls in forward, and those nested

        // Inline, one call at a time, every call into a module that holds a wanted layer.
        for (bool changed = true; changed;) {
            changed = false;
            std::vector<Node*> nodes;
            collect_calls(graph->block(), nodes);
            for (Node* n : nodes) {
                auto path = module_path(n->input(0), self);
                if (!path || !contains_wanted(*path)) continue;
                bool call_of_forward = is_forward(n->s(attr::name));
                const bool nested = n->owningBlock() != graph->block();
                auto& callee = toGraphFunction(n->input(0)->type()->expect<c10::ClassType>()->getMethod(n->s(attr::name)));
                std::vector<Value*> before(n->outputs().begin(), n->outputs().end());
                std::vector<Value*> outs = inlineCallTo(n, &callee, callee.graph().get());
                // A recorded value that this call produced (a container's output) now lives in `outs`.
                for (auto& entry : produced)
                    for (Value*& v : entry.second)
                        for (std::size_t k = 0; k < before.size(); ++k)
                            if (v == before[k]) v = outs[k];
                if (call_of_forward && !path->empty()) {
                    ++sites[*path];
                    nested_sites[*path] += nested;
                    if (is_wanted(*path) && outs.size() == 1) produced[*path].push_back(outs[0]);
                }
                changed = true;
                break;
            }
        }
        std::vector<std::string> fused_traced;
        const auto switched = standard_transformer_path(*graph, self, fused_traced);
        if (!switched.empty() && !quiet())
            std::fprintf(stderr, "actopo: note: %zu nn.TransformerEncoderLayer(s) run PyTorch's standard path instead of its "
                         "fused fast path, so that their sublayers run (as in training mode or with gradients on): %s\n",
                         switched.size(), join(switched).c_str());
        if (!fused_traced.empty() && !quiet())
            std::fprintf(stderr, "actopo: note: %zu nn.TransformerEncoderLayer(s) were traced on PyTorch's fused fast path, "
                         "which calls none of their sublayers (trace with gradients on, not under torch.no_grad(), to keep "
                         "them): %s\n", fused_traced.size(), join(fused_traced).c_str());
        std::vector<Node*> nodes;
        collect_calls(graph->block(), nodes);
        for (Node* n : nodes) {
            auto path = module_path(n->input(0), self);
            if (!path || !is_forward(n->s(attr::name)) || path->empty()) continue;
            ++sites[*path];
            nested_sites[*path] += n->owningBlock() != graph->block();
            if (is_wanted(*path) && n->outputs().size() == 1) produced[*path].push_back(n->output());
        }
        for (auto& m : modules) {
            m.calls = sites.count(m.name) ? sites[m.name] : 0;
            m.nested_calls = nested_sites.count(m.name) ? nested_sites[m.name] : 0;
        }

        // Each intervened layer's output v becomes v * keep + fill for every later use (a forward hook's view).
        std::map<Value*, Value*> replaced;
        for (const auto& name : intervened) {
            auto it = produced.find(name);
            const std::string layer = "layer '" + name + "' of model '" + model_path + "' ";
            if (sites[name] != 1 || it == produced.end() || it->second.size() != 1)
                throw UserError(layer + "is called " + std::to_string(sites[name]) +
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

        // The calls each requested layer contributes: the tensor its address picks, where each call is (inside an
        // if or a loop too).
        // name, module path, the calls whose output can be stored, the calls in forward's code
        std::vector<std::tuple<std::string, std::string, std::vector<Site>, std::size_t>> chosen;
        std::map<std::string, std::vector<std::string>> skipped;  // why -> layers (all: one note per reason)
        std::vector<std::string> defaulted;                        // layers stored as their default element
        std::vector<bool> chosen_named;
        for (const auto& r : requests) {
            const std::string who = "layer '" + r.name + "' of model '" + model_path + "'";
            auto reject = [&](const std::string& named_why, const std::string& why) {
                if (r.named) throw UserError(who + " " + named_why);
                skipped[why].push_back(r.name);
            };
            if (r.attention && std::any_of(sites.begin(), sites.end(), [&](const auto& site) {
                    return site.second > 0 && starts_with(site.first, r.path + ".");
                }))
                continue;  // its sublayers run (an attention of the model's own making): they are captured instead
            auto it = produced.find(r.path);
            if (it == produced.end() || it->second.empty()) {
                if (sites[r.path]) reject("returns more than one value", "return more than one value");
                else reject("is never called by the model's forward", "forward never calls");
                continue;
            }
            const bool rnn = is_rnn(modules[module_index(r.path)].type);
            std::string taken;
            try {
                pick(*graph, it->second.front(), r.steps, who, rnn, true, &taken);
            } catch (const UserError&) {
                if (r.named) throw;
                skipped["return no tensor"].push_back(r.name + " (" + it->second.front()->type()->repr_str() + ")");
                continue;
            }
            if (!taken.empty()) defaulted.push_back(r.name + " as " + r.name + taken);
            // Every call at the top level of forward and one stored: only the last call's output is needed.
            std::vector<Value*> sites = it->second;
            const bool any_nested = std::any_of(sites.begin(), sites.end(), [&](Value* v) { return v->node()->owningBlock() != graph->block(); });
            if (!any_nested && !options.all_calls)
                sites = {*std::max_element(sites.begin(), sites.end(), [](Value* a, Value* b) { return b->node()->isAfter(a->node()); })};
            std::vector<Site> calls_of;
            for (Value* v : sites) {
                Value* value = replaced.count(v) ? replaced[v] : v;
                WithInsertPoint after(after_definition(value));
                Site site{pick(*graph, value, r.steps, who, rnn, false), v->node()->owningBlock() != graph->block()};
                if (pooling()) {  // pooled where it is made: the full-size map dies when forward is done with it
                    site.sizes = graph->insert(aten::size, {site.value});
                    site.value = graph->insert(Symbol::fromQualString("actopo::average_pool"), {site.value, options.pool});
                }
                calls_of.push_back(site);
            }
            chosen.emplace_back(r.name, r.path, std::move(calls_of), it->second.size());
            chosen_named.push_back(r.named);
        }
        for (const auto& [why, names] : skipped)
            if (!quiet())
                std::fprintf(stderr, "actopo: note: not capturing %zu layer(s) that %s: %s\n", names.size(), why.c_str(),
                             join(names).c_str());
        if (!defaulted.empty() && !quiet())
            std::fprintf(stderr, "actopo: note: %zu layer(s) return a tuple or a list; each is stored as its first element "
                         "(name another with an address, e.g. lstm[1][0]): %s\n", defaulted.size(), join(defaulted).c_str());

        // The model's logits: forward's output, or the element options.logits addresses.
        {
            Value* out = graph->outputs()[0];
            const std::string who = "the output of model '" + model_path + "'";
            if (options.logits.empty() && !out->type()->cast<c10::TensorType>())  // reported by run(), not here
                output_problem = "model '" + model_path + "' returns " + out->type()->repr_str() +  // (inspect works)
                                 " from forward; choose its logits with --logits, e.g. --logits [0] or --logits name";
            std::vector<Step> steps;
            if (!options.logits.empty()) {
                const std::string& a = options.logits;
                const std::size_t bracket = a.find('[');
                if (bracket != 0) steps.push_back(Step{true, 0, trim(a.substr(0, bracket))});
                if (bracket != std::string::npos) {
                    auto rest = parse_address(a.substr(bracket), "--logits");
                    steps.insert(steps.end(), rest.begin(), rest.end());
                }
            }
            if (output_problem.empty()) {
                pick(*graph, out, steps, who, false, true);
                WithInsertPoint at_end(graph->return_node());
                graph->return_node()->replaceInput(0, pick(*graph, out, steps, who, false, false));
            }
        }

        // A captured tensor that a later in-place op changes (x += shortcut) is cloned where it is made.
        {
            AliasDb aliases(graph);
            std::vector<Site*> mutated;
            for (auto& [name, path, calls_of, calls] : chosen)
                for (Site& s : calls_of)
                    if (aliases.hasWriters(s.value)) mutated.push_back(&s);
            for (Site* s : mutated) {
                WithInsertPoint guard(after_definition(s->value));
                s->value = graph->insert(aten::clone, {s->value});
            }
        }
        std::vector<Value*> returned{graph->outputs()[0]}, counts, sizes;
        const auto int_list = c10::ListType::ofInts();
        for (std::size_t c = 0; c < chosen.size(); ++c) {
            auto& [name, path, calls_of, calls] = chosen[c];
            const bool any_nested = std::any_of(calls_of.begin(), calls_of.end(), [](const Site& s) { return s.nested; });
            Value* value = nullptr;
            Value* count = nullptr;
            Value* size = nullptr;  // pooling: the sizes of the stored call's output before pooling
            WithInsertPoint at_end(graph->return_node());
            if (!any_nested) {  // every call at the top level: the last one, or all of them stacked
                if (options.all_calls) {
                    std::vector<Value*> values;
                    for (const Site& s : calls_of) values.push_back(s.value);
                    Value* list = graph->insertNode(graph->createList(c10::TensorType::get(), values))->output();
                    value = graph->insert(aten::stack, {list, 1});
                } else {  // the last call, the only one kept
                    value = calls_of.front().value;
                    size = calls_of.front().sizes;
                }
                count = graph->insertConstant(std::int64_t(calls));
            } else {  // some call inside an if or a loop: every call appends to a list, in the order they run
                Value* list;
                Value* size_list = nullptr;
                {
                    WithInsertPoint at_start(graph->block()->nodes().front());
                    list = graph->insertNode(graph->createList(c10::TensorType::get(), {}))->output();
                    if (pooling()) size_list = graph->insertNode(graph->createList(int_list, {}))->output();
                }
                for (const Site& s : calls_of) {
                    WithInsertPoint after(after_definition(s.value));
                    graph->insert(aten::append, {list, s.value});
                    if (size_list) graph->insert(aten::append, {size_list, s.sizes});
                }
                count = graph->insert(aten::len, {list});
                // No call in this batch: an empty tensor [0] (no layer output has 0 rows) that run() reports.
                Value* none = graph->insert(aten::eq, {count, std::int64_t(0)});
                Node* branch = graph->insertNode(graph->create(prim::If, {none}, size_list ? 2 : 1));
                branch->output(0)->setType(c10::TensorType::get());
                if (size_list) branch->output(1)->setType(int_list);
                Block* empty = branch->addBlock();
                Block* some = branch->addBlock();
                {
                    WithInsertPoint in(empty);
                    empty->registerOutput(graph->insert(aten::zeros, {c10::List<std::int64_t>({0})}));
                    if (size_list) empty->registerOutput(graph->insertNode(graph->createList(c10::IntType::get(), {}))->output());
                }
                {
                    WithInsertPoint in(some);
                    some->registerOutput(options.all_calls ? graph->insert(aten::stack, {list, 1})
                                                           : graph->insert(aten::__getitem__, {list, std::int64_t(-1)}));
                    if (size_list) some->registerOutput(graph->insert(aten::__getitem__, {size_list, std::int64_t(-1)}));
                }
                value = branch->output(0);
                if (size_list) size = branch->output(1);
            }
            if (size) sizes.push_back(size);
            candidates.push_back(name);
            candidate_module.push_back(module_index(path));
            named.push_back(chosen_named[c]);
            returned.push_back(value);
            counts.push_back(count);
        }
        graph->eraseOutput(0);
        WithInsertPoint at_end(graph->return_node());
        returned.push_back(graph->insertNode(graph->createList(c10::IntType::get(), counts))->output());
        if (pooling()) returned.push_back(graph->insertNode(graph->createList(int_list, sizes))->output());
        graph->registerOutput(graph->insertNode(graph->createTuple(returned))->output());
        layers = candidates;
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

    // forward's arguments after self.
    std::vector<c10::Argument> arguments() const {
        const auto& a = module.get_method("forward").function().getSchema().arguments();
        return {a.begin() + 1, a.end()};
    }

    // The inputs of forward: `given` for its first arguments, then each other argument's array of `data` (by the
    // argument's name), else its default; UserError naming a required argument that nothing gives.
    std::vector<IValue> complete(std::vector<IValue> given, const DatasetReader* data, std::size_t first,
                                 std::size_t count) const {
        const auto args = arguments();
        std::vector<std::string> names;
        for (const auto& a : args) names.push_back(a.name());
        for (std::size_t i = given.size(); i < args.size(); ++i) {
            auto array = data ? data->input_array(args[i].name()) : std::nullopt;
            if (array) {
                given.push_back(read_input(*data, *array, first, count));
            } else if (args[i].default_value()) {
                given.push_back(*args[i].default_value());
            } else {
                throw UserError("model '" + model_path + "' has forward(" + join(names) + "); " +
                                (data ? "dataset '" + data->name() + "'" : std::string("the dataset")) + " has no /" +
                                args[i].name() + " for its argument " + std::to_string(i + 1) + ", '" + args[i].name() +
                                "' (/x gives the first, other arrays their argument by name)");
            }
        }
        return given;
    }

    static torch::Tensor read_input(const DatasetReader& data, const InputArray& a, std::size_t first, std::size_t count) {
        std::vector<std::int64_t> shape{std::int64_t(count)};
        shape.insert(shape.end(), a.shape.begin(), a.shape.end());
        const auto dtype = a.type == InputArray::Type::int64   ? torch::kInt64
                         : a.type == InputArray::Type::boolean ? torch::kBool
                                                               : torch::kFloat32;
        torch::Tensor t = torch::empty(shape, dtype);
        data.read_array(a.name, first, count, t.data_ptr());
        return t;
    }

    // When the first input's dtype does not fit the model's first layer: why, in words ("" when it fits or unknown).
    std::string dtype_problem(const IValue& x) const {
        if (!x.isTensor()) return "";
        const auto dtype = x.toTensor().scalar_type();
        const std::string name = dtype == torch::kFloat32 ? "float32" : dtype == torch::kFloat64 ? "float64"
                               : dtype == torch::kInt64   ? "int64"   : dtype == torch::kInt32   ? "int32"
                                                          : c10::toString(dtype);
        for (const auto& m : module.named_modules()) {
            if (m.value.children().size() != 0 || m.value.named_parameters(false).size() == 0) continue;
            const std::string type = extract_detail::module_type_name(m.value);
            const std::string layer = "its first layer '" + m.name + "' (" + type + ")";
            const bool embedding = type == "Embedding" || type == "EmbeddingBag";
            if (embedding && at::isFloatingType(dtype))
                return "/x is " + name + ", but " + layer +
                       " takes integer token ids: store /x as int64";
            if (!embedding && !at::isFloatingType(dtype))
                return "/x is " + name + " (integer ids), but " + layer +
                       " takes float32 inputs: store /x as float32";
            return "";
        }
        return "";
    }

    IValue call(Function& fn, std::vector<IValue> inputs, bool intervene) {
        torch::NoGradGuard no_grad;
        const torch::Tensor x = inputs.at(0).toTensor();
        std::vector<IValue> args{module._ivalue()};
        args.insert(args.end(), inputs.begin(), inputs.end());
        for (std::size_t i = 0; intervene && i < keep.size(); ++i) args.insert(args.end(), {keep[i], fill[i]});
        try {
            IValue out = fn(args);
            ++calls;
            return out;
        } catch (const std::exception& e) {  // c10::Error or the interpreter's JITException
            const std::string what = e.what();
            const std::size_t check = what.find(kCheckMarker);  // an inserted check: its message alone
            if (check != std::string::npos) {
                const std::string message = what.substr(check + kCheckMarker.size());
                throw UserError(trim(message.substr(0, message.find('\n'))) + " (batch " + std::to_string(calls + 1) + ")");
            }
            const std::string dtype = calls == 0 ? dtype_problem(inputs[0]) : "";
            if (!dtype.empty()) throw UserError("model '" + model_path + "' cannot take these inputs: " + dtype);
            throw extract_detail::forward_error(model_path, fn, module, x.sizes().vec(), calls, e,
                                                calls == 0 ? expected_input() : "");
        }
    }

    // Runs the capture graph on forward's inputs and keeps this batch's logits and layers; `x`, when given, is
    // memory of the caller's that the next batch overwrites (a layer that shares it is copied).
    void run(std::vector<IValue> inputs, const float* x);
};

LayerCapture::LayerCapture(const std::string& model_path, const std::vector<std::string>& layers, int threads,
                           const std::vector<std::string>& intervened, const CaptureOptions& options)
    : impl_(std::make_unique<Impl>()) {
    if (threads > 0) at::set_num_threads(threads);
    impl_->model_path = model_path;
    impl_->options = options;
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
    torch::Tensor input = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32);
    impl_->run(impl_->complete({input}, nullptr, 0, 0), x);
}

void LayerCapture::run(const DatasetReader& data, std::size_t first, std::size_t count, std::int64_t* labels) {
    data.read(first, count, nullptr, labels);
    auto x = data.input_array("x");
    if (!x) throw UserError("dataset '" + data.name() + "' has no /x");
    impl_->run(impl_->complete({Impl::read_input(data, *x, first, count)}, &data, first, count), nullptr);
}

void LayerCapture::Impl::run(std::vector<IValue> inputs, const float* x) {
    Impl& im = *this;
    const std::vector<std::int64_t> shape = inputs.at(0).toTensor().sizes().vec();
    if (!im.output_problem.empty()) throw UserError(im.output_problem);
    auto result = im.call(*im.capture, inputs, true).toTuple();
    const auto& elements = result->elements();
    const std::int64_t batch = shape.at(0);
    torch::Tensor logits = elements[0].toTensor();
    if (logits.dim() != 2 || logits.size(0) != batch)
        throw UserError("model '" + im.model_path + "' returns logits of shape " +
                        shape_string(logits.sizes().vec()) + " for a batch of " + std::to_string(batch) +
                        "; expected [" + std::to_string(batch) + ", classes]");
    // Calls of each candidate layer in this batch (a call inside an if or a loop may not run).
    const auto counts = elements.at(1 + im.candidates.size()).toIntVector();
    for (std::size_t c = 0; c < im.candidates.size(); ++c)
        im.modules[im.candidate_module[c]].last_calls = int(counts[c]);
    const std::string model = "model '" + im.model_path + "'";
    if (!im.settled) {  // the first batch decides which layers the store holds
        std::vector<std::string> skipped;
        for (std::size_t c = 0; c < im.candidates.size(); ++c) {
            if (counts[c] > 0) {
                im.active.push_back(c);
                continue;
            }
            if (im.named[c])
                throw UserError("layer '" + im.candidates[c] + "' of " + model + " was not called by forward on the first "
                                "batch: its calls sit inside an if or a loop that did not run (see --list-layers)");
            skipped.push_back(im.candidates[c]);
        }
        if (!skipped.empty() && !quiet())
            std::fprintf(stderr, "actopo: note: %zu layer(s) not called by forward on the first batch (their calls sit "
                         "inside an if or a loop that did not run), not stored: %s\n", skipped.size(), join(skipped).c_str());
        im.layers.clear();
        for (std::size_t c : im.active) im.layers.push_back(im.candidates[c]);
        im.settled = true;
    }
    // An output that is (a view of) the input, e.g. of an Identity or a Flatten first, is copied, so that the
    // caller may refill x while a writer still reads this batch.
    const char* x_begin = reinterpret_cast<const char*>(x);
    const std::size_t x_bytes = x ? std::size_t(c10::multiply_integers(shape)) * sizeof(float) : 0;
    auto own = [&](torch::Tensor t) {
        t = t.to(torch::kFloat32).contiguous();
        const char* begin = static_cast<const char*>(t.data_ptr());
        if (begin < x_begin + x_bytes && x_begin < begin + std::size_t(t.numel()) * sizeof(float)) t = t.clone();
        return t;
    };
    std::vector<torch::Tensor> outputs;
    im.source_shapes.clear();
    for (std::size_t k = 0; k < im.active.size(); ++k) {
        const std::size_t c = im.active[k];
        const std::string& name = im.candidates[c];
        if (counts[c] == 0)
            throw UserError("layer '" + name + "' of " + model + " was called on the first batch but not on batch " +
                            std::to_string(im.calls) + ": its calls sit inside an if or a loop that depends on the inputs");
        torch::Tensor t = elements[1 + c].toTensor();
        if (t.dim() == 0 || t.size(0) != batch)
            throw UserError("layer '" + name + "' returns shape " + shape_string(t.sizes().vec()) +
                            ", whose first dimension is not the batch size " + std::to_string(batch));
        if (im.options.all_calls && !im.outputs.empty() && t.sizes().slice(1) != im.outputs[k].sizes().slice(1))
            throw UserError("layer '" + name + "' of " + model + " returns shape " + shape_string(t.sizes().vec()) +
                            " on batch " + std::to_string(im.calls) + " after " + shape_string(im.outputs[k].sizes().vec()) +
                            " (--calls all: the number of calls changed)");
        outputs.push_back(own(t));
        if (im.pooling()) {
            const auto sizes = elements.at(2 + im.candidates.size()).toList().get(c).toIntVector();
            im.source_shapes.emplace_back(sizes.begin() + 1, sizes.end());
        }
    }
    im.logits = own(logits);
    im.outputs = std::move(outputs);
}

std::shared_ptr<const void> LayerCapture::keep_alive() const {
    auto held = std::make_shared<std::vector<torch::Tensor>>(impl_->outputs);
    held->push_back(impl_->logits);
    return held;
}

void LayerCapture::run_bare(const float* x, const std::vector<std::int64_t>& shape) {
    torch::Tensor input = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32);
    impl_->call(impl_->module.get_method("forward").function(), impl_->complete({input}, nullptr, 0, 0), false);
}

std::vector<std::int64_t> LayerCapture::layer_shape(std::size_t i) const {
    auto sizes = impl_->outputs.at(i).sizes().vec();
    return {sizes.begin() + 1, sizes.end()};
}
std::vector<std::int64_t> LayerCapture::layer_source_shape(std::size_t i) const {
    return impl_->pooling() ? impl_->source_shapes.at(i) : layer_shape(i);
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
