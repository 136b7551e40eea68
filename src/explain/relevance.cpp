// Modified backward passes over the TorchScript graph (src/explain/relevance.hpp; definitions: docs/explain.md).
//
// The graph: the forward inlined; non-tensor module attributes (strides, flags, padding modes) made constants and
// folded, so that the branches of torch.nn's modules disappear; in-place tensor ops made functional. The values
// derived from the input (tainted) define the steps: each operation on them, classified by what its rule needs.
// A weighted step (linear, conv1d/2d) keeps its layer's weight and bias, with a BatchNorm that alone reads its
// output merged in (canonisation). One run of the graph per batch returns, besides the logits, every value a step
// reads; the walk goes from the output to the input, each step turning the relevance (or gradient, or multiplier)
// of its output into that of its inputs. A rule at a weighted step is a modified gradient: z = the step run with
// the rule's weights, s = R / z, c = the layer's backward of s with those weights (its formula for linear and
// conv1d/2d, a stride-1 convolution's as a forward convolution with flipped weights; autograd otherwise), R_in = a * c.
#include "explain/relevance.hpp"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/runtime/graph_iterator.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "actopo/core.hpp"
#include "actopo/options.hpp"
#include "actopo/store.hpp"
#include "extract/torchscript.hpp"

namespace actopo::explain_detail {

using c10::IValue;
using torch::Tensor;
using torch::jit::Node;
using torch::jit::Value;

namespace {

enum class Kind {
    weighted,    // linear, conv1d/2d (weight and bias from the module; a following BatchNorm merged in)
    affine,      // a BatchNorm with no layer to merge into: x * scale + shift per channel
    relu,        // relu
    activation,  // other element-wise activations
    maxpool,     // max pooling: winner takes all
    linear,      // average pooling, mean, sum, multiplication or division by a constant: linear, no bias
    rearrange,   // flatten, view, reshape, dropout, cat, ...: each output is one input
    add,         // addition of two tensors (residuals) or of a constant
    other        // no rule: the gradient walks differentiate it, the others refuse
};

const std::set<std::string> kActivations{"aten::leaky_relu", "aten::elu",      "aten::gelu",     "aten::sigmoid",
                                         "aten::tanh",       "aten::silu",     "aten::hardtanh", "aten::softplus",
                                         "aten::selu",       "aten::celu",     "aten::hardswish", "aten::hardsigmoid",
                                         "aten::mish",       "aten::relu6",    "aten::leaky_relu_", "aten::elu_",
                                         "aten::sigmoid_",   "aten::tanh_",    "aten::silu_",    "aten::hardtanh_",
                                         "aten::selu_",      "aten::celu_",    "aten::hardswish_", "aten::hardsigmoid_",
                                         "aten::mish_"};
const std::set<std::string> kMaxPools{"aten::max_pool1d", "aten::max_pool2d", "aten::adaptive_max_pool1d",
                                      "aten::adaptive_max_pool2d", "aten::max_pool2d_with_indices"};
const std::set<std::string> kLinear{"aten::avg_pool1d", "aten::avg_pool2d", "aten::adaptive_avg_pool1d",
                                    "aten::adaptive_avg_pool2d", "aten::mean", "aten::sum"};
const std::set<std::string> kRearrange{"aten::flatten",  "aten::view",          "aten::reshape",     "aten::squeeze",
                                       "aten::unsqueeze", "aten::contiguous",   "aten::permute",     "aten::transpose",
                                       "aten::t",         "aten::dropout",      "aten::dropout_",    "aten::feature_dropout",
                                       "aten::alpha_dropout", "aten::clone",    "aten::cat",         "aten::select",
                                       "aten::slice",     "aten::narrow",       "aten::feature_alpha_dropout"};
const std::set<std::string> kRules{"lrp-0", "epsilon", "gamma", "alpha1-beta0", "zb", "flat", "w-squared"};
const std::vector<std::string> kLrpComposites{"lrp-0", "epsilon", "gamma", "alpha1-beta0", "flat", "epsilon-gamma-box",
                                              "epsilon-plus"};

bool is_tensor(const Value* v) { return v->type()->isSubtypeOf(*c10::TensorType::get()); }
bool is_tensor_list(const Value* v) {
    auto l = v->type()->cast<c10::ListType>();
    return l && l->getElementType()->isSubtypeOf(*c10::TensorType::get());
}

// z + e sign(z), sign(0) = 1: the stabilised denominator of every rule.
Tensor stabilise(const Tensor& z, double e) { return z + (2 * (z >= 0).to(z.scalar_type()) - 1) * e; }
constexpr double kTiny = 1e-9;  // the stabiliser of the rules that have none of their own (it only avoids 0 / 0)

// R / (z + e sign(z)) in one pass when both are contiguous float32 of one shape (the common case), else by tensor ops.
Tensor divide_stabilised(const Tensor& R, const Tensor& z, double e) {
    if (R.scalar_type() != torch::kFloat32 || z.scalar_type() != torch::kFloat32 || !R.is_contiguous() ||
        !z.is_contiguous() || R.sizes() != z.sizes())
        return R / stabilise(z, e);
    Tensor out = torch::empty_like(R);
    const float* r = R.data_ptr<float>();
    const float* d = z.data_ptr<float>();
    float* o = out.data_ptr<float>();
    const float ef = float(e);
    for (std::int64_t i = 0, n = R.numel(); i < n; ++i) o[i] = r[i] / (d[i] >= 0 ? d[i] + ef : d[i] - ef);
    return out;
}

struct Step {
    Node* node = nullptr;
    Kind kind = Kind::other;
    mutable std::optional<torch::jit::Operation> op;  // the node's operation (run again by the rules)
    std::vector<Value*> in;  // the tainted tensor inputs (elements of a tainted list in order), no repeats
    Value* out = nullptr;    // the tainted output whose relevance the step distributes
    std::string layer, type; // weighted: module path and type; affine: the BatchNorm's path
    Tensor weight, bias;     // weighted: canonised; affine: scale and shift per channel
    Node* merged = nullptr;  // weighted: the BatchNorm merged in
    bool first = false;      // weighted: the input layer (the first weighted step)
    // weighted: what the rules derive from the weights once per model (modified weights, their flipped copies for
    // the backward as a forward convolution, zb's bound rows), by a key naming them
    mutable std::map<std::string, Tensor> derived;
    template <class Make>
    const Tensor& once(const std::string& key, Make make) const {
        auto it = derived.find(key);
        if (it == derived.end()) it = derived.emplace(key, make()).first;
        return it->second;
    }
};

}  // namespace

bool is_relevance_method(const std::string& m) {
    if (m == "lrp" || m == "deep-taylor" || m == "deeplift" || m == "guided-backprop" || m == "deconvnet") return true;
    if (m.rfind("lrp-", 0) != 0) return false;
    const std::string rule = m == "lrp-0" ? m : m.substr(4);
    return std::find(kLrpComposites.begin(), kLrpComposites.end(), rule) != kLrpComposites.end();
}

struct RelevanceGraph::Impl {
    std::string path;
    IValue self;
    std::shared_ptr<torch::jit::Graph> graph;
    std::unique_ptr<torch::jit::GraphFunction> fn;
    Value* input = nullptr;
    Value* output = nullptr;
    std::vector<Step> steps;                      // graph order
    std::vector<Value*> returned;                 // the values the run returns after the logits
    std::unordered_map<const Value*, IValue> env; // the last run's values
    std::unordered_set<const Value*> tainted;
    std::string no_rule;    // the first operation without a rule, in words ("" when every one has one)
    std::string no_walk;    // why no backward walk can follow the graph ("" when one can)
    bool canonisation_checked = false;
    std::vector<std::pair<std::string, std::vector<double>>> sums;  // relevance_layer_sums
    bool record_sums = false;

    IValue value(const Value* v) const {
        auto it = env.find(v);
        if (it != env.end()) return it->second;
        auto c = torch::jit::toIValue(v);
        if (!c) throw std::logic_error("relevance graph: value %" + v->debugName() + " was not kept");
        return *c;
    }
    Tensor tensor(const Value* v) const { return value(v).toTensor(); }

    std::string place(std::size_t k) const {
        std::string after;
        for (std::size_t j = 0; j < k; ++j)
            if (steps[j].kind == Kind::weighted) after = steps[j].layer;
        return "operation " + std::to_string(k + 1) + " of " + std::to_string(steps.size()) + " on the input" +
               (after.empty() ? " (before any layer with weights)" : " (after layer '" + after + "')");
    }

    void build(const torch::jit::Module& module) {
        self = module._ivalue();
        graph = module.get_method("forward").graph()->copy();
        torch::jit::Inline(*graph);
        if (graph->inputs().size() != 2 || graph->outputs().size() != 1)
            throw UserError("model '" + path + "': forward must take one input tensor and return the logits");
        // module attributes: objects by path, tensors kept (weights), everything else a constant
        std::unordered_map<const Value*, IValue> objects{{graph->inputs()[0], self}};
        std::unordered_map<const Value*, std::string> paths{{graph->inputs()[0], ""}};
        std::unordered_map<const Value*, std::pair<std::string, std::string>> owner;  // weight value -> (path, type)
        std::unordered_map<const Value*, Tensor> attributes;
        std::vector<Node*> folded;
        for (auto it = torch::jit::DepthFirstGraphNodeIterator(graph); Node* n = it.next();) {
            if (n->kind() != c10::prim::GetAttr) continue;
            auto o = objects.find(n->input());
            if (o == objects.end()) continue;
            const std::string name = n->s(c10::attr::name);
            auto object = o->second.toObject();
            IValue v = object->getAttr(name);
            const std::string p = paths[n->input()].empty() ? name : paths[n->input()] + "." + name;
            if (v.isObject()) {
                objects[n->output()] = v;
                paths[n->output()] = p;
            } else if (v.isTensor()) {
                attributes[n->output()] = v.toTensor();
                owner[n->output()] = {paths[n->input()], extract_detail::module_type_name(torch::jit::Module(object))};
            } else {
                torch::jit::WithInsertPoint guard(n);
                if (auto c = torch::jit::tryInsertConstant(*graph, v, c10::nullopt, n->scope());
                    c && (*c)->type()->isSubtypeOf(*n->output()->type())) {
                    n->output()->replaceAllUsesWith(*c);
                    folded.push_back(n);
                }
            }
        }
        for (Node* n : folded) n->destroy();
        for (int pass = 0; pass < 3 && torch::jit::ConstantPropagation(graph); ++pass) {}
        torch::jit::RemoveTensorMutation(graph);
        torch::jit::EliminateDeadCode(graph);
        // max pooling keeps the indices of its maxima, which its backward reads (instead of pooling again)
        const auto max_pool = c10::Symbol::fromQualString("aten::max_pool2d"),
                   with_indices = c10::Symbol::fromQualString("aten::max_pool2d_with_indices");
        for (auto it = graph->nodes().begin(); it != graph->nodes().end();) {
            Node* n = *it++;
            if (n->kind() != max_pool || n->inputs().size() != 6) continue;
            Node* m = graph->create(with_indices, n->inputs(), 2);
            m->output(0)->setType(n->output()->type());
            m->output(1)->setType(c10::TensorType::get());
            m->insertBefore(n);
            if (!m->maybeSchema()) {
                m->destroy();
                continue;
            }
            n->output()->replaceAllUsesWith(m->output(0));
            n->destroy();
        }
        input = graph->inputs()[1];
        output = graph->outputs()[0];

        // the steps: the operations on values derived from the input
        tainted = {input};
        for (Node* n : graph->nodes()) {
            bool reads = false;
            for (Value* v : n->inputs()) reads = reads || tainted.count(v);
            if (!n->blocks().empty()) {
                // a branch or loop that computes tensors from the input (one that only checks its shape and raises
                // does not matter)
                bool inside = false, tensors = false;
                std::vector<torch::jit::Block*> blocks(n->blocks().begin(), n->blocks().end());
                while (!blocks.empty()) {
                    torch::jit::Block* b = blocks.back();
                    blocks.pop_back();
                    for (Node* m : b->nodes()) {
                        for (Value* v : m->inputs()) inside = inside || tainted.count(v);
                        blocks.insert(blocks.end(), m->blocks().begin(), m->blocks().end());
                    }
                }
                for (Value* o : n->outputs()) tensors = tensors || is_tensor(o) || is_tensor_list(o);
                if ((reads || inside) && tensors) {
                    no_walk = "the forward branches or loops on its input (" + std::string(n->kind().toQualString()) +
                              "); the modified backward passes follow straight-line graphs only";
                    return;
                }
                continue;
            }
            if (!reads) continue;
            if (n->kind() == c10::prim::ListConstruct) {
                if (is_tensor_list(n->output())) tainted.insert(n->output());
                continue;
            }
            Value* out = nullptr;
            for (Value* o : n->outputs())
                if (is_tensor(o) || is_tensor_list(o)) {
                    tainted.insert(o);
                    if (!out && is_tensor(o)) out = o;
                }
            if (!out) {
                if (n->outputs().size() && is_tensor_list(n->output()))
                    no_walk = "operation " + std::string(n->kind().toQualString()) +
                              " returns a list of tensors derived from the input; the modified backward passes "
                              "cannot follow it";
                continue;  // sizes and other plain values
            }
            Step s;
            s.node = n;
            s.out = out;
            s.op = n->getOperation();
            for (Value* v : n->inputs()) {
                if (!tainted.count(v)) continue;
                auto once = [&](Value* t) {
                    if (std::find(s.in.begin(), s.in.end(), t) == s.in.end()) s.in.push_back(t);
                };
                if (is_tensor(v)) {
                    once(v);
                } else {
                    Node* list = v->node();
                    if (list->kind() != c10::prim::ListConstruct) {
                        no_walk = "operation " + std::string(n->kind().toQualString()) +
                                  " reads a list of tensors that is not built in the graph";
                        return;
                    }
                    for (Value* e : list->inputs())
                        if (tainted.count(e)) once(e);
                }
            }
            classify(s, attributes, owner);
            steps.push_back(std::move(s));
        }
        if (!tainted.count(output) || !is_tensor(output)) {
            no_walk = "its output is not a tensor computed from its input";
            return;
        }
        canonise();
        for (auto& s : steps)
            if (s.kind == Kind::weighted) {
                s.first = true;
                break;
            }
        for (std::size_t k = 0; k < steps.size() && no_rule.empty(); ++k)
            if (steps[k].kind == Kind::other)
                no_rule = "operation " + std::string(steps[k].node->kind().toQualString()) + " (" + place(k) +
                          ") has no relevance rule";

        // one run returns the logits and every value a step reads
        std::vector<Value*> keep;
        std::unordered_set<const Value*> seen;
        auto want = [&](Value* v) {
            if (v->node()->kind() == c10::prim::Constant || !seen.insert(v).second) return;
            keep.push_back(v);
        };
        for (const auto& s : steps) {
            for (Value* v : s.node->inputs()) {
                want(v);
                if (tainted.count(v) && !is_tensor(v))
                    for (Value* e : v->node()->inputs()) want(e);
            }
            want(s.out);
            if (s.merged) want(s.node->output());
            if (s.node->kind() == with_indices) want(s.node->output(1));
        }
        std::vector<Value*> outs{output};
        outs.insert(outs.end(), keep.begin(), keep.end());
        Node* tuple = graph->createTuple(outs);
        graph->appendNode(tuple);
        graph->eraseOutput(0);
        graph->registerOutput(tuple->output());
        returned = keep;
        fn = std::make_unique<torch::jit::GraphFunction>("actopo_relevance_forward", graph, nullptr,
                                                          torch::jit::ExecutorExecutionMode::SIMPLE);
    }

    void classify(Step& s, const std::unordered_map<const Value*, Tensor>& attributes,
                  const std::unordered_map<const Value*, std::pair<std::string, std::string>>& owner) {
        Node* n = s.node;
        const std::string k = n->kind().toQualString();
        const bool one = s.in.size() == 1 && n->inputs().size() > 0 && n->input(0) == s.in[0];
        auto attribute = [&](std::size_t i, Tensor& t) {
            if (i >= n->inputs().size()) return false;
            auto a = attributes.find(n->input(i));
            if (a != attributes.end()) {
                t = a->second;
                return true;
            }
            auto c = torch::jit::toIValue(n->input(i));
            return c && c->isNone();
        };
        if ((k == "aten::linear" || k == "aten::conv1d" || k == "aten::conv2d" || k == "aten::_convolution") && one) {
            if (k == "aten::_convolution") {
                auto transposed = torch::jit::toIValue(n->input(6));
                if (!transposed || !transposed->isBool() || transposed->toBool()) return;
            }
            if (!attribute(1, s.weight) || !s.weight.defined() || !attribute(2, s.bias)) return;
            auto o = owner.at(n->input(1));
            s.layer = o.first;
            s.type = o.second;
            s.kind = Kind::weighted;
        } else if (k == "aten::batch_norm" && one) {
            Tensor gamma, beta, mean, var;
            auto training = torch::jit::toIValue(n->input(5));
            auto eps = torch::jit::toIValue(n->input(7));
            if (!attribute(1, gamma) || !attribute(2, beta) || !attribute(3, mean) || !attribute(4, var) ||
                !mean.defined() || !var.defined() || !training || !training->isBool() || training->toBool() || !eps)
                return;
            s.weight = (gamma.defined() ? gamma : torch::ones_like(var)) / torch::sqrt(var + eps->toDouble());
            s.bias = (beta.defined() ? beta : torch::zeros_like(mean)) - mean * s.weight;
            auto o = owner.find(n->input(1));
            if (o == owner.end()) o = owner.find(n->input(3));
            s.layer = o->second.first;
            s.type = o->second.second;
            s.kind = Kind::affine;
        } else if ((k == "aten::relu" || k == "aten::relu_") && one) {
            s.kind = Kind::relu;
        } else if (kActivations.count(k) && one) {
            s.kind = Kind::activation;
        } else if (kMaxPools.count(k) && one) {
            s.kind = Kind::maxpool;
        } else if ((kLinear.count(k) || k == "aten::mul" || k == "aten::div") && one) {
            s.kind = Kind::linear;
        } else if (kRearrange.count(k)) {
            s.kind = Kind::rearrange;
        } else if (k == "aten::add" || k == "aten::add_") {
            s.kind = Kind::add;
        }
    }

    // BatchNorm after a weighted layer whose output only it reads: merged into the layer's weight and bias.
    void canonise() {
        std::unordered_map<const Value*, std::size_t> producer;
        for (std::size_t k = 0; k < steps.size(); ++k) producer[steps[k].out] = k;
        std::vector<Step> kept;
        std::vector<bool> drop(steps.size(), false);
        for (std::size_t k = 0; k < steps.size(); ++k) {
            Step& bn = steps[k];
            if (bn.kind != Kind::affine) continue;
            auto p = producer.find(bn.in[0]);
            // the layer's output feeds no other tensor computation (BatchNorm's own shape check reads its size)
            bool alone = true;
            for (const auto& use : bn.in[0]->uses())
                if (use.user != bn.node)
                    for (const Value* o : use.user->outputs()) alone = alone && !is_tensor(o) && !is_tensor_list(o);
            if (p == producer.end() || steps[p->second].kind != Kind::weighted || steps[p->second].merged || !alone)
                continue;
            Step& layer = steps[p->second];
            std::vector<std::int64_t> view(std::size_t(layer.weight.dim()), 1);
            view[0] = -1;
            layer.weight = layer.weight * bn.weight.view(view);
            layer.bias = (layer.bias.defined() ? layer.bias * bn.weight : torch::zeros_like(bn.bias)) + bn.bias;
            layer.merged = bn.node;
            layer.out = bn.out;
            drop[k] = true;
        }
        for (std::size_t k = 0; k < steps.size(); ++k)
            if (!drop[k]) kept.push_back(std::move(steps[k]));
        steps = std::move(kept);
    }

    // ----------------------------------------------------------------------------------------- running
    void run(const Tensor& X) {
        torch::NoGradGuard no_grad;
        IValue r;
        try {
            r = (*fn)({self, X});
        } catch (const std::exception& e) {
            throw UserError("model '" + path + "' fails on inputs " + shape_string(X.sizes().vec()) + ": " +
                            extract_detail::error_summary(e));
        }
        const auto& el = r.toTupleRef().elements();
        env.clear();
        env[output] = el[0];
        for (std::size_t i = 0; i < returned.size(); ++i) env[returned[i]] = el[i + 1];
        if (!canonisation_checked) check_canonisation();
    }

    // The step's operation run again, tainted inputs replaced by `leaves` (absent ones keep their values); a weighted
    // step reads `w` and `b` (undefined b: none) when `weights`, else its canonised weight and bias.
    Tensor rerun(const Step& s, const std::unordered_map<const Value*, Tensor>& leaves, const Tensor& w = {},
                 const Tensor& b = {}, bool weights = false) const {
        torch::jit::Stack stack;
        auto tensor_of = [&](const Value* v) {
            auto l = leaves.find(v);
            return l != leaves.end() ? l->second : tensor(v);
        };
        for (std::size_t i = 0; i < s.node->inputs().size(); ++i) {
            const Value* v = s.node->input(i);
            if (s.kind == Kind::weighted && (i == 1 || i == 2)) {
                const Tensor& t = i == 1 ? (weights ? w : s.weight) : (weights ? b : s.bias);
                stack.emplace_back(t.defined() ? IValue(t) : IValue());
            } else if (tainted.count(v) && is_tensor(v)) {
                stack.emplace_back(tensor_of(v));
            } else if (tainted.count(v)) {
                c10::List<Tensor> list;
                for (const Value* e : v->node()->inputs()) list.push_back(tensor_of(e));
                stack.emplace_back(list);
            } else {
                stack.push_back(value(v));
            }
        }
        (*s.op)(stack);
        return stack.at(0).toTensor();
    }

    // The vector-Jacobian product of the step at the run's values: the gradient of each input for the output's g.
    std::vector<Tensor> vjp(const Step& s, const Tensor& g) const {
        std::unordered_map<const Value*, Tensor> leaves;
        std::vector<Tensor> xs;
        for (const Value* v : s.in) xs.push_back(leaves[v] = tensor(v).detach().requires_grad_(true));
        torch::AutoGradMode on(true);
        Tensor y = rerun(s, leaves);
        auto gs = torch::autograd::grad({y}, xs, {g}, false, false, true);
        for (std::size_t i = 0; i < gs.size(); ++i)
            if (!gs[i].defined()) gs[i] = torch::zeros_like(xs[i]);
        return gs;
    }

    // The vjp of a step that moves values without computing new ones: max pooling with the indices of the run's
    // maxima, reshapes as the reshape back, dropout in eval mode as itself; anything else by autograd (vjp).
    std::vector<Tensor> pass_back(const Step& s, const Tensor& g) const {
        const Node* n = s.node;
        const std::string k = n->kind().toQualString();
        if (s.in.size() != 1 || n->input(0) != s.in[0]) return vjp(s, g);
        if (k == "aten::max_pool2d_with_indices") {
            const IValue kernel = value(n->input(1)), stride = value(n->input(2)), padding = value(n->input(3)),
                         dilation = value(n->input(4)), ceil = value(n->input(5));
            if (kernel.isIntList() && stride.isIntList() && padding.isIntList() && dilation.isIntList() && ceil.isBool())
                return {at::max_pool2d_with_indices_backward(g, tensor(s.in[0]), kernel.toIntVector(), stride.toIntVector(),
                                                             padding.toIntVector(), dilation.toIntVector(), ceil.toBool(),
                                                             tensor(n->output(1)))};
        }
        if (k == "aten::flatten" || k == "aten::view" || k == "aten::reshape" || k == "aten::squeeze" ||
            k == "aten::unsqueeze" || k == "aten::contiguous" || k == "aten::clone")
            return {g.reshape(tensor(s.in[0]).sizes())};
        if (k == "aten::dropout" || k == "aten::feature_dropout" || k == "aten::alpha_dropout" ||
            k == "aten::feature_alpha_dropout") {
            const auto train = torch::jit::toIValue(n->input(2));
            if (train && train->isBool() && !train->toBool()) return {g};
        }
        return vjp(s, g);
    }

    // The vjps of a weighted step run with each weight of Ws (default: its canonised weight), W^T g, for g with the
    // first g.size(0) rows of the run (the step is linear in its input, so the input's values do not matter): linear
    // as a product with the weights side by side; conv1d/2d with stride 1 and one group as one forward convolution
    // of g with the weights transposed, flipped and stacked (padding d (k - 1) - p: the "full" correlation), which
    // `key` caches per model; other convolutions by their backward formula, anything else by autograd.
    std::vector<Tensor> weighted_vjp(const Step& s, const Tensor& g, const std::vector<Tensor>& Ws = {},
                                     const std::string& key = "W") const {
        const std::vector<Tensor> W = Ws.empty() ? std::vector<Tensor>{s.weight} : Ws;
        const std::int64_t parts = std::int64_t(W.size());
        const std::string k = s.node->kind().toQualString();
        if (k == "aten::linear") {
            if (parts == 1) return {g.matmul(W[0])};
            return g.matmul(s.once("vjp " + key, [&] { return torch::cat(W, 1); })).chunk(parts, -1);
        }
        const Tensor a = tensor(s.in[0]).narrow(0, 0, g.size(0));
        if (k == "aten::conv1d" || k == "aten::conv2d") {
            const IValue stride = value(s.node->input(3)), padding = value(s.node->input(4)),
                         dilation = value(s.node->input(5)), groups = value(s.node->input(6));
            if (stride.isIntList() && padding.isIntList() && dilation.isIntList() && groups.isInt()) {
                const auto st = stride.toIntVector(), pad = padding.toIntVector(), dil = dilation.toIntVector();
                const std::size_t dims = std::size_t(W[0].dim()) - 2;
                std::vector<std::int64_t> full(dims), flip(dims);
                bool forward = groups.toInt() == 1 && st.size() == dims && pad.size() == dims && dil.size() == dims;
                for (std::size_t d = 0; forward && d < dims; ++d) {
                    full[d] = dil[d] * (W[0].size(std::int64_t(d) + 2) - 1) - pad[d];
                    flip[d] = std::int64_t(d) + 2;
                    forward = st[d] == 1 && full[d] >= 0;
                }
                if (forward) {
                    const Tensor& F = s.once("vjp " + key, [&] {
                        std::vector<Tensor> t;
                        for (const auto& w : W) t.push_back(w.transpose(0, 1).flip(flip));
                        return torch::cat(t).contiguous();
                    });
                    Tensor c = at::convolution(g, F, c10::nullopt, std::vector<std::int64_t>(dims, 1), full, dil, false,
                                               std::vector<std::int64_t>(dims, 0), 1);
                    return parts == 1 ? std::vector<Tensor>{c} : c.chunk(parts, 1);
                }
                std::vector<Tensor> r;
                for (const auto& w : W)
                    r.push_back(std::get<0>(at::convolution_backward(g, a, w, c10::nullopt, st, pad, dil, false,
                                                                     std::vector<std::int64_t>(st.size(), 0),
                                                                     groups.toInt(), {true, false, false})));
                return r;
            }
        }
        std::vector<Tensor> r;
        for (const auto& w : W) {
            torch::AutoGradMode on(true);
            Tensor x = a.detach().requires_grad_(true);
            r.push_back(torch::autograd::grad({rerun(s, {{s.in[0], x}}, w, {}, true)}, {x}, {g})[0]);
        }
        return r;
    }

    // BatchNorm merged into its layer must not change what the layer computes (canonisation keeps the outputs).
    void check_canonisation() {
        canonisation_checked = true;
        for (const auto& s : steps) {
            if (!s.merged) continue;
            Tensor merged = rerun(s, {});
            Tensor original = tensor(s.out);
            const double gap = (merged - original).abs().max().item<double>();
            const double scale = std::max(1.0, original.abs().max().item<double>());
            if (!(gap <= 1e-4 * scale))
                throw std::logic_error("relevance graph: layer '" + s.layer + "' with its BatchNorm merged differs from "
                                       "the original by " + std::to_string(gap));
        }
    }

    // ----------------------------------------------------------------------------------------- rules
    // LRP at a weighted step: relevance R of its output to its input a, by `rule`; lo and hi: zb's bounds
    // (broadcastable to a's rows). Each rule is z = the step run with the rule's weights, s = R / z, c = the
    // step's backward of s with those weights (weighted_vjp), R_in = a * c; no autograd. The rule's weights (and
    // zb's bound rows) are derived once per model.
    Tensor weighted_rule(const Step& s, const std::string& rule, const Tensor& a, const Tensor& R, const MethodOptions& o,
                         const Tensor& lo, const Tensor& hi) const {
        torch::NoGradGuard no_grad;
        const Value* in = s.in[0];
        auto f = [&](const Tensor& x, const Tensor& w, const Tensor& b) { return rerun(s, {{in, x}}, w, b, true); };
        const Tensor& W = s.weight;
        const Tensor& Wp = s.once("W+", [&] { return W.clamp_min(0); });
        const Tensor& Wn = s.once("W-", [&] { return W.clamp_max(0); });
        if (rule == "lrp-0" || rule == "epsilon" || rule == "gamma") {
            // the layer's own weights and no BatchNorm merged in: z is its output in the run
            if (rule != "gamma") {
                const Tensor z = !s.merged ? tensor(s.out) : f(a, W, s.bias);
                return a * weighted_vjp(s, divide_stabilised(R, z, rule == "epsilon" ? o.epsilon : kTiny))[0];
            }
            const std::string key = "gamma " + format_number(o.gamma, 17);
            const Tensor& w = s.once(key, [&] { return W + o.gamma * Wp; });
            const Tensor& b = s.bias.defined() ? s.once(key + " bias", [&] {
                return s.bias + o.gamma * s.bias.clamp_min(0);
            }) : s.bias;
            return a * weighted_vjp(s, divide_stabilised(R, f(a, w, b), kTiny), {w}, key)[0];
        }
        if (rule == "alpha1-beta0") {
            const Tensor p = a.clamp_min(0), n = a.clamp_max(0);
            const auto c = weighted_vjp(s, divide_stabilised(R, f(p, Wp, {}) + f(n, Wn, {}), kTiny), {Wp, Wn}, "W+ W-");
            return p * c[0] + n * c[1];
        }
        if (rule == "zb") {
            // z = W x - W+ l - W- h with l, h constant per input: W+ l = l (W+ 1), one row for all inputs (also
            // at a padded border, the step being linear) and per model; W x = the layer's output in the run less its
            // bias (no BatchNorm merged in); W^T = W+^T + W-^T
            std::vector<std::int64_t> view(std::size_t(a.dim()), 1);
            view[0] = lo.numel() == 1 ? 1 : a.size(0);
            const Tensor l = lo.view(view), h = hi.view(view);
            const std::string shape = shape_string(std::vector<std::int64_t>(a.sizes().begin() + 1, a.sizes().end()));
            const Tensor& up = s.once("zb W+ 1 " + shape, [&] { return f(torch::ones_like(a.narrow(0, 0, 1)), Wp, {}); });
            const Tensor& down = s.once("zb W- 1 " + shape, [&] { return f(torch::ones_like(a.narrow(0, 0, 1)), Wn, {}); });
            Tensor Wx;
            if (s.merged) {
                Wx = f(a, W, {});
            } else if (s.bias.defined()) {
                std::vector<std::int64_t> per_channel(std::size_t(tensor(s.out).dim()), 1);
                per_channel[s.node->kind() == c10::Symbol::fromQualString("aten::linear") ? per_channel.size() - 1 : 1] = -1;
                Wx = tensor(s.out) - s.bias.view(per_channel);
            } else {
                Wx = tensor(s.out);
            }
            const auto c = weighted_vjp(s, divide_stabilised(R, Wx - l * up - h * down, kTiny), {Wp, Wn}, "W+ W-");
            return (a - l) * c[0] + (a - h) * c[1];
        }
        if (rule == "flat" || rule == "w-squared") {
            const Tensor& V = s.once(rule, [&] { return rule == "flat" ? torch::ones_like(W) : W * W; });
            return weighted_vjp(s, divide_stabilised(R, f(torch::ones_like(a), V, {}), kTiny), {V}, rule)[0];
        }
        throw std::logic_error("relevance graph: unknown rule " + rule);
    }

    // DeepLIFT's Rescale rule at a ReLU in one pass, for contiguous float32 x holding `rows` rows of inputs and then
    // one baseline row for all of them or one per input: m = R (relu(x) - relu(x')) / (x - x'), the gradient R [x > 0]
    // where |x - x'| <= 1e-6; the baselines' rows 0. Undefined for other layouts (the caller's tensor ops then).
    static Tensor rescale_relu(const Tensor& R, const Tensor& x, std::int64_t rows) {
        const std::int64_t n = x.size(0), base = n - rows;
        if (x.scalar_type() != torch::kFloat32 || R.scalar_type() != torch::kFloat32 || !x.is_contiguous() ||
            !R.is_contiguous() || R.sizes() != x.sizes() || (base != 1 && base != rows) || rows == 0)
            return {};
        const std::int64_t per = x.numel() / n;
        Tensor m = torch::empty_like(R);
        m.narrow(0, rows, base).zero_();
        for (std::int64_t row = 0; row < rows; ++row) {
            const float *r = R.data_ptr<float>() + row * per, *a = x.data_ptr<float>() + row * per,
                        *b = x.data_ptr<float>() + (base == 1 ? rows : rows + row) * per;
            float* out = m.data_ptr<float>() + row * per;
            for (std::int64_t i = 0; i < per; ++i) {
                const float xi = a[i], xb = b[i], dx = xi - xb;
                out[i] = std::abs(dx) <= 1e-6f ? (xi > 0 ? r[i] : 0.0f)
                                               : r[i] * ((xi > 0 ? xi : 0.0f) - (xb > 0 ? xb : 0.0f)) / dx;
            }
        }
        return m;
    }

    // ----------------------------------------------------------------------------------------- the walk
    enum class Walk { lrp, deeplift, guided, deconv };

    // The signal at the input for the signal `start` at the output (same rows as the last run). rules: one per
    // weighted step (lrp). rows: deeplift's rows of x (the run holds x then the baselines).
    Tensor walk(Walk mode, const Tensor& start, const std::vector<std::string>& rules, const MethodOptions& o,
                const Tensor& lo, const Tensor& hi, std::int64_t rows) {
        std::unordered_map<const Value*, Tensor> signal{{output, start}};
        auto add = [&](const Value* v, const Tensor& r) {
            auto it = signal.find(v);
            if (it == signal.end()) signal.emplace(v, r);
            else it->second = it->second + r;
        };
        if (record_sums) sums.clear();
        // deeplift: the run holds the rows of x, then the baselines' rows (one row when every input has the same)
        const std::int64_t base_rows = mode == Walk::deeplift ? tensor(input).size(0) - rows : 0;
        auto zero_baseline_rows = [&](const Tensor& m) {
            auto sizes = m.sizes().vec();
            sizes[0] = base_rows;
            return torch::cat({m, torch::zeros(sizes, m.options())});
        };
        std::size_t w = rules.size();
        for (std::size_t k = steps.size(); k-- > 0;) {
            const Step& s = steps[k];
            if (s.kind == Kind::weighted) --w;
            auto it = signal.find(s.out);
            if (it == signal.end()) continue;
            const Tensor R = it->second;
            signal.erase(it);
            std::vector<Tensor> r;
            const bool lrp = mode == Walk::lrp;
            switch (s.kind) {
            case Kind::weighted:
                if (lrp) {
                    r = {weighted_rule(s, rules[w], tensor(s.in[0]), R, o, lo, hi)};
                } else if (mode == Walk::deeplift) {
                    // the baselines' rows carry no signal (their multipliers are never read): W^T g of x's rows only
                    r = {zero_baseline_rows(weighted_vjp(s, R.narrow(0, 0, rows))[0])};
                } else {
                    r = weighted_vjp(s, R);
                }
                break;
            case Kind::affine: {
                if (!lrp) {
                    r = vjp(s, R);
                    break;
                }
                Tensor a = tensor(s.in[0]);
                std::vector<std::int64_t> view(std::size_t(a.dim()), 1);
                if (a.dim() > 1) view[1] = -1;
                Tensor scale = s.weight.view(view), z = a * scale + s.bias.view(view);
                r = {a * scale * R / stabilise(z, kTiny)};
                break;
            }
            case Kind::relu:
            case Kind::activation:
                if (lrp) {
                    r = {R};
                } else if (mode == Walk::guided && s.kind == Kind::relu) {
                    r = {R.clamp_min(0) * (tensor(s.in[0]) > 0)};
                } else if (mode == Walk::deconv && s.kind == Kind::relu) {
                    r = {R.clamp_min(0)};
                } else if (mode == Walk::deeplift) {
                    // Rescale: (y - y') / (x - x') on the rows of x, the gradient where x and x' nearly agree
                    Tensor x = tensor(s.in[0]), y = tensor(s.out);
                    if (s.kind == Kind::relu && (r = {rescale_relu(R, x, rows)}, r[0].defined())) break;
                    Tensor g = s.kind == Kind::relu ? R * (x > 0) : vjp(s, R)[0];
                    Tensor dx = x.narrow(0, 0, rows) - x.narrow(0, rows, base_rows);
                    Tensor dy = y.narrow(0, 0, rows) - y.narrow(0, rows, base_rows);
                    Tensor near = dx.abs() <= 1e-6;
                    Tensor m = torch::where(near, g.narrow(0, 0, rows),
                                            R.narrow(0, 0, rows) * dy / torch::where(near, torch::ones_like(dx), dx));
                    r = {zero_baseline_rows(m)};
                } else {
                    r = vjp(s, R);
                }
                break;
            case Kind::linear:
                if (lrp) {
                    torch::AutoGradMode on(true);
                    Tensor a = tensor(s.in[0]), x = a.detach().requires_grad_(true);
                    Tensor z = rerun(s, {{s.in[0], x}});
                    r = {a * torch::autograd::grad({z}, {x}, {R / stabilise(z.detach(), kTiny)})[0]};
                } else {
                    r = vjp(s, R);
                }
                break;
            case Kind::add:
                if (lrp) {
                    // each term's share of the sum: x_i / z * R (a constant term absorbs its own)
                    Tensor S = R / stabilise(tensor(s.out), kTiny);
                    const IValue alpha = s.node->inputs().size() > 2 ? value(s.node->input(2)) : IValue(1);
                    for (const Value* v : s.in) {
                        Tensor t = tensor(v);
                        if (v == s.node->input(1) && v != s.node->input(0)) t = t * alpha.toScalar();
                        if (v == s.node->input(1) && v == s.node->input(0)) t = t * (1 + alpha.toScalar().toDouble());
                        r.push_back((t * S).sum_to_size(t.sizes()));
                    }
                } else {
                    r = vjp(s, R);
                }
                break;
            case Kind::maxpool:
            case Kind::rearrange:
            case Kind::other:
                r = pass_back(s, R);
                break;
            }
            for (std::size_t i = 0; i < s.in.size(); ++i) add(s.in[i], r[i]);
            if (record_sums && lrp && s.kind != Kind::relu && s.kind != Kind::activation && s.kind != Kind::rearrange)
                record(std::string(s.node->kind().toQualString()) + (s.layer.empty() ? "" : " " + s.layer), signal);
        }
        if (record_sums) {
            std::reverse(sums.begin(), sums.end());
            record("output", {{output, start}});
        }
        auto it = signal.find(input);
        return it == signal.end() ? torch::zeros_like(tensor(input)) : it->second;
    }

    // The relevance held by every value the walk has reached but not yet passed on (a cut through the graph),
    // summed per input.
    void record(const std::string& name, const std::unordered_map<const Value*, Tensor>& held) {
        Tensor t;
        for (const auto& [v, r] : held) {
            Tensor row = r.reshape({r.size(0), -1}).to(torch::kFloat64).sum(1);
            t = t.defined() ? t + row : row;
        }
        t = t.contiguous();
        sums.emplace_back(name, std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel()));
    }

    // ----------------------------------------------------------------------------------------- options
    std::map<std::string, std::string> layer_rules(const std::string& method, const std::string& spec) const {
        std::map<std::string, std::string> rules;
        std::string names;
        for (const auto& s : steps)
            if (s.kind == Kind::weighted) names += (names.empty() ? "" : ", ") + s.layer + " (" + s.type + ")";
        for (const std::string& item : split(spec, ',')) {
            if (item.empty()) continue;
            const auto eq = item.find('=');
            const std::string key = item.substr(0, eq), rule = eq == std::string::npos ? "" : item.substr(eq + 1);
            if (eq == std::string::npos || key.empty() || !kRules.count(rule))
                throw UserError(method + ": --layer-rules entry '" + item + "' is not <layer or type>=<rule> with a rule "
                                "among lrp-0, epsilon, gamma, alpha1-beta0, zb, flat, w-squared");
            bool found = false;
            for (const auto& s : steps)
                if (s.kind == Kind::weighted && (s.layer == key || s.type == key)) {
                    found = true;
                    if (rule == "zb" && !s.first)
                        throw UserError(method + ": --layer-rules gives zb to layer '" + s.layer + "', but zb applies "
                                        "to the input layer only (model '" + path + "' starts with '" + first_layer() + "')");
                }
            if (!found)
                throw UserError(method + ": --layer-rules names '" + key + "', which is neither a layer nor a layer type "
                                "of model '" + path + "' (its layers with weights: " + names + ")");
            rules[key] = rule;
        }
        return rules;
    }

    std::string first_layer() const {
        for (const auto& s : steps)
            if (s.first) return s.layer;
        return "";
    }

    // One rule per weighted step, input to output.
    std::vector<std::string> rules_of(const std::string& method, const MethodOptions& o) const {
        const std::string composite = method == "deep-taylor" ? "" : method == "lrp" ? o.lrp_rule
                                      : method == "lrp-0"       ? method : method.substr(4);
        if (method != "deep-taylor" &&
            std::find(kLrpComposites.begin(), kLrpComposites.end(), composite) == kLrpComposites.end())
            throw UserError("lrp: unknown --lrp-rule '" + composite + "' (expected one of " + join(kLrpComposites) + ")");
        const auto overrides = layer_rules(method, o.layer_rules);
        std::vector<std::string> rules;
        for (const auto& s : steps) {
            if (s.kind != Kind::weighted) continue;
            const bool conv = s.node->kind() != c10::Symbol::fromQualString("aten::linear");
            std::string rule;
            if (overrides.count(s.layer)) rule = overrides.at(s.layer);
            else if (overrides.count(s.type)) rule = overrides.at(s.type);
            else if (method == "deep-taylor") rule = s.first ? "zb" : "alpha1-beta0";
            else if (composite == "epsilon-gamma-box") rule = s.first ? "zb" : conv ? "gamma" : "epsilon";
            else if (composite == "epsilon-plus") rule = conv ? "alpha1-beta0" : "epsilon";
            else rule = composite;
            rules.push_back(rule);
        }
        return rules;
    }

    // zb's bounds for rows X: each input's min and max (data) or the given LO,HI, which must contain every input.
    std::pair<Tensor, Tensor> bounds(const std::string& method, const Tensor& X, const std::vector<std::int64_t>& index,
                                     std::size_t first, const std::string& spec) const {
        const std::int64_t R = X.size(0);
        if (spec == "data") return {X.reshape({R, -1}).amin(1), X.reshape({R, -1}).amax(1)};
        const std::string problem = option_problem(stage_options("explain").at("bounds"), spec);
        if (!problem.empty()) throw UserError(method + ": --bounds: " + problem);
        const auto parts = split(spec, ',');
        const double lo = std::stod(parts.at(0)), hi = std::stod(parts.at(1));
        Tensor mn = X.reshape({R, -1}).amin(1), mx = X.reshape({R, -1}).amax(1);
        for (std::int64_t i = 0; i < R; ++i) {
            const double a = mn[i].item<double>(), b = mx[i].item<double>();
            if (a < lo || b > hi)
                throw UserError(method + ": --bounds " + spec + " do not contain input " +
                                std::to_string(index[first + std::size_t(i)]) + " (its values range from " +
                                std::to_string(a) + " to " + std::to_string(b) + "); nothing was written");
        }
        return {torch::full({1}, lo), torch::full({1}, hi)};
    }
};

RelevanceGraph::RelevanceGraph(const torch::jit::Module& module, const std::string& model_path)
    : impl_(std::make_unique<Impl>()) {
    impl_->path = model_path;
    impl_->build(module);
}

RelevanceGraph::~RelevanceGraph() = default;

Tensor RelevanceGraph::attribute(const std::string& method, const Tensor& X, const Tensor& T,
                                 const std::vector<std::int64_t>& index, const MethodOptions& o, const Tensor& baseline,
                                 Tensor* delta, const Check& check) {
    Impl& im = *impl_;
    if (!im.no_walk.empty()) throw UserError(method + ": model '" + im.path + "' cannot be walked backwards: " + im.no_walk);
    const bool guided = method == "guided-backprop" || method == "deconvnet";
    if (!guided && !im.no_rule.empty())
        throw UserError(method + ": model '" + im.path + "': " + im.no_rule + "; gradient, saliency, gradient-x-input, "
                        "integrated-gradients, smoothgrad, occlusion, the CAM family, guided-backprop and deconvnet "
                        "still work");
    const bool lrp = method.rfind("lrp", 0) == 0 || method == "deep-taylor", deeplift = method == "deeplift";
    std::vector<std::string> rules;
    if (lrp) rules = im.rules_of(method, o);
    const bool zb = std::find(rules.begin(), rules.end(), "zb") != rules.end();
    const Impl::Walk mode = lrp ? Impl::Walk::lrp : deeplift ? Impl::Walk::deeplift
                            : method == "guided-backprop" ? Impl::Walk::guided : Impl::Walk::deconv;
    const std::int64_t n = X.size(0), step = std::int64_t(std::max<std::size_t>(1, o.internal_batch));
    std::vector<Tensor> maps, deltas;
    for (std::int64_t first = 0; first < n; first += step) {
        throw_if_cancelled();
        const std::int64_t count = std::min(step, n - first);
        Tensor x = X.narrow(0, first, count), t = T.narrow(0, first, count);
        Tensor lo, hi;
        if (zb) std::tie(lo, hi) = im.bounds(method, x, index, std::size_t(first), o.bounds);
        Tensor b = deeplift ? baseline.narrow(0, first, count) : Tensor();
        // one baseline row runs for all inputs when they share it (the zero and the mean baselines)
        const std::int64_t base_rows = !deeplift ? 0 : count > 1 && b.narrow(0, 1, count - 1).eq(b.narrow(0, 0, 1)).all().item<bool>() ? 1 : count;
        im.run(deeplift ? torch::cat({x, b.narrow(0, 0, base_rows)}) : x);
        Tensor out = im.tensor(im.output);
        check(out.narrow(0, 0, count), t);
        Tensor onehot = torch::zeros_like(out);
        onehot.narrow(0, 0, count).scatter_(1, t.view({-1, 1}), 1);
        Tensor start = lrp ? onehot * out : onehot;
        Tensor m = im.walk(mode, start, rules, o, lo, hi, count);
        if (deeplift) {
            Tensor c = m.narrow(0, 0, count) * (x - b);
            auto f = [&](std::int64_t from, std::int64_t n) {
                return out.narrow(0, from, n).expand({count, out.size(1)}).gather(1, t.view({-1, 1})).view({-1}).to(torch::kFloat64);
            };
            deltas.push_back(c.reshape({count, -1}).to(torch::kFloat64).sum(1) - (f(0, count) - f(count, base_rows)));
            m = c;
        }
        maps.push_back(m.detach());
        im.record_sums = false;
    }
    if (delta) *delta = (deltas.size() == 1 ? deltas[0] : torch::cat(deltas)).to(torch::kFloat32);
    return maps.size() == 1 ? maps[0] : torch::cat(maps);
}

std::vector<std::pair<std::string, std::vector<double>>> relevance_layer_sums(
    const std::string& model_path, const std::string& method, const float* x, const std::vector<std::int64_t>& shape,
    const std::vector<std::int64_t>& targets, const MethodOptions& o) {
    torch::jit::Module module = extract_detail::load_torchscript(model_path);
    for (auto p : module.parameters()) p.requires_grad_(false);
    RelevanceGraph g(module, model_path);
    Tensor X = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32).clone();
    Tensor T = torch::tensor(targets, torch::kInt64);
    std::vector<std::int64_t> index(targets.size());
    MethodOptions one = o;
    one.internal_batch = std::size_t(shape.at(0));
    g.impl_->record_sums = true;
    g.attribute(method, X, T, index, one, Tensor(), nullptr, [](const Tensor&, const Tensor&) {});
    return g.impl_->sums;
}

}  // namespace actopo::explain_detail
