#include "train/architectures.hpp"

#include <cmath>
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/store.hpp"
#include "actopo/train.hpp"

namespace actopo {

std::vector<int> default_widths(const std::string& arch) {
    if (arch == "mlp") return {256, 128};
    if (arch == "cnn") return {8, 16, 64};
    if (arch == "resnet") return {8, 16};
    if (arch == "autoencoder") return {16};
    if (arch == "transformer") return {64, 64};
    throw UserError("unknown architecture '" + arch + "' (expected mlp, cnn, resnet, autoencoder or transformer)");
}

namespace train_detail {
namespace {

using torch::jit::Module;

// Makes modules whose TorchScript classes share one compilation unit and never clash by name.
class Factory {
public:
    Module make(const std::string& kind) {
        return Module(c10::QualifiedName("__torch__.actopo.m" + std::to_string(counter_++) + "." + kind), cu_);
    }

    // PyTorch's default initialisation for Linear/Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both.
    static torch::Tensor uniform(at::IntArrayRef shape, std::int64_t fan_in) {
        double bound = 1.0 / std::sqrt(double(fan_in));
        return (torch::rand(shape) * 2 - 1).mul_(bound).requires_grad_(true);
    }

    Module linear(std::int64_t in, std::int64_t out, bool zero_bias = false) {
        Module m = make("Linear");
        m.register_parameter("weight", uniform({out, in}, in), false);
        m.register_parameter("bias", zero_bias ? torch::zeros({out}).requires_grad_(true) : uniform({out}, in), false);
        m.define("def forward(self, x):\n    return torch.linear(x, self.weight, self.bias)\n");
        return m;
    }

    Module conv(std::int64_t in, std::int64_t out, int kernel, int stride, int padding) {
        Module m = make("Conv2d");
        std::int64_t fan_in = in * kernel * kernel;
        m.register_parameter("weight", uniform({out, in, kernel, kernel}, fan_in), false);
        m.register_parameter("bias", uniform({out}, fan_in), false);
        std::string s = std::to_string(stride), p = std::to_string(padding);
        m.define("def forward(self, x):\n    return torch.conv2d(x, self.weight, self.bias, [" + s + ", " + s +
                 "], [" + p + ", " + p + "])\n");
        return m;
    }

    Module simple(const std::string& kind, const std::string& expression) {
        Module m = make(kind);
        m.define("def forward(self, x):\n    return " + expression + "\n");
        return m;
    }
    // ConvTranspose2d with kernel 4, stride 2, padding 1: doubles H and W.
    Module deconv(std::int64_t in, std::int64_t out) {
        Module m = make("ConvTranspose2d");
        m.register_parameter("weight", uniform({in, out, 4, 4}, out * 16), false);
        m.register_parameter("bias", uniform({out}, out * 16), false);
        m.define("def forward(self, x):\n    return torch.conv_transpose2d(x, self.weight, self.bias, [2, 2], [1, 1])\n");
        return m;
    }
    Module unflatten(const std::vector<std::int64_t>& shape) {
        std::string dims;
        for (auto d : shape) dims += ", " + std::to_string(d);
        return simple("Unflatten", "torch.reshape(x, [x.size(0)" + dims + "])");
    }
    Module relu() { return simple("ReLU", "torch.relu(x)"); }
    Module maxpool() { return simple("MaxPool2d", "torch.max_pool2d(x, [2, 2], [2, 2])"); }
    Module flatten() { return simple("Flatten", "torch.flatten(x, 1)"); }
    Module avgpool() { return simple("AdaptiveAvgPool2d", "torch.adaptive_avg_pool2d(x, [1, 1])"); }

    // A container that applies its children one after the other (like nn.Sequential, with names).
    Module sequential(const std::string& kind, const std::vector<std::pair<std::string, Module>>& children) {
        Module m = make(kind);
        std::string body = "def forward(self, x):\n";
        for (const auto& [name, child] : children) {
            m.register_module(name, child);
            body += "    x = " + attr(name) + ".forward(x)\n";
        }
        m.define(body + "    return x\n");
        return m;
    }

    // A ResNet basic block without normalisation: relu2(conv2(relu1(conv1(x))) + shortcut(x)).
    Module basic_block(std::int64_t in, std::int64_t out, int stride) {
        Module m = make("BasicBlock");
        m.register_module("conv1", conv(in, out, 3, stride, 1));
        m.register_module("relu1", relu());
        m.register_module("conv2", conv(out, out, 3, 1, 1));
        m.register_module("relu2", relu());
        std::string shortcut = "x";
        if (stride != 1 || in != out) {
            m.register_module("downsample", conv(in, out, 1, stride, 0));
            shortcut = "self.downsample.forward(x)";
        }
        m.define("def forward(self, x):\n    out = self.relu1.forward(self.conv1.forward(x))\n    out = self.conv2.forward(out)\n"
                 "    return self.relu2.forward(out + " + shortcut + ")\n");
        return m;
    }

    // nn.LayerNorm over the last axis of width d (weight 1, bias 0, eps 1e-5).
    Module layer_norm(std::int64_t d) {
        Module m = make("LayerNorm");
        m.register_parameter("weight", torch::ones({d}).requires_grad_(true), false);
        m.register_parameter("bias", torch::zeros({d}).requires_grad_(true), false);
        m.define("def forward(self, x):\n    return torch.layer_norm(x, [" + std::to_string(d) +
                 "], self.weight, self.bias, 1e-05)\n");
        return m;
    }

    // Self-attention as nn.MultiheadAttention(d, heads, batch_first=True) computes it, with its parameter names
    // (in_proj_weight [3d, d] and in_proj_bias for q, k, v; the output projection out_proj) and initialisation
    // (Xavier-uniform in_proj_weight, zero biases): softmax(q k^T / sqrt(d / heads)) v per head. Returns the
    // attention output [N, T, d] alone (PyTorch's module returns it with the averaged attention weights).
    Module self_attention(std::int64_t d, std::int64_t heads) {
        Module m = make("MultiheadAttention");
        const double bound = std::sqrt(6.0 / double(d + 3 * d));
        m.register_parameter("in_proj_weight", ((torch::rand({3 * d, d}) * 2 - 1) * bound).requires_grad_(true), false);
        m.register_parameter("in_proj_bias", torch::zeros({3 * d}).requires_grad_(true), false);
        m.register_module("out_proj", linear(d, d, true));
        const std::string D = std::to_string(d), H = std::to_string(heads), E = std::to_string(d / heads);
        const std::string scale = format_number(std::sqrt(double(d / heads)), 17);  // to the last bit
        m.define("def forward(self, x):\n"
                 "    n = x.size(0)\n"
                 "    t = x.size(1)\n"
                 "    qkv = torch.linear(x, self.in_proj_weight, self.in_proj_bias)\n"
                 "    q = torch.narrow(qkv, 2, 0, " + D + ").reshape([n, t, " + H + ", " + E + "]).transpose(1, 2)\n"
                 "    k = torch.narrow(qkv, 2, " + D + ", " + D + ").reshape([n, t, " + H + ", " + E + "]).transpose(1, 2)\n"
                 "    v = torch.narrow(qkv, 2, " + std::to_string(2 * d) + ", " + D + ").reshape([n, t, " + H + ", " + E +
                 "]).transpose(1, 2)\n"
                 "    a = torch.softmax(torch.matmul(q / " + scale + ", k.transpose(2, 3)), -1)\n"
                 "    o = torch.matmul(a, v).transpose(1, 2).reshape([n, t, " + D + "])\n"
                 "    return self.out_proj.forward(o)\n");
        return m;
    }

    // nn.TransformerEncoderLayer(d, heads, dim_feedforward=2d, dropout=0, batch_first=True), post-norm as PyTorch's
    // default: x = norm1(x + self_attn(x)); x = norm2(x + linear2(relu(linear1(x)))).
    Module encoder_layer(std::int64_t d, std::int64_t heads) {
        Module m = make("TransformerEncoderLayer");
        m.register_module("self_attn", self_attention(d, heads));
        m.register_module("norm1", layer_norm(d));
        m.register_module("linear1", linear(d, 2 * d));
        m.register_module("relu", relu());
        m.register_module("linear2", linear(2 * d, d));
        m.register_module("norm2", layer_norm(d));
        m.define("def forward(self, x):\n"
                 "    x = self.norm1.forward(x + self.self_attn.forward(x))\n"
                 "    return self.norm2.forward(x + self.linear2.forward(self.relu.forward(self.linear1.forward(x))))\n");
        return m;
    }

    // Prepends a learned class token to a sequence [N, T, d] and adds learned positions: [N, T + 1, d]
    // (parameters cls_token [1, 1, d], zero at first, and pos_embedding [1, T + 1, d], N(0, 0.02) as in ViT).
    Module class_token(std::int64_t tokens, std::int64_t d) {
        Module m = make("ClassToken");
        m.register_parameter("cls_token", torch::zeros({1, 1, d}).requires_grad_(true), false);
        m.register_parameter("pos_embedding", (torch::randn({1, tokens + 1, d}) * 0.02).requires_grad_(true), false);
        m.define("def forward(self, x):\n"
                 "    cls = self.cls_token.expand([x.size(0), 1, " + std::to_string(d) + "])\n"
                 "    return torch.cat([cls, x], 1) + self.pos_embedding\n");
        return m;
    }

    // Children named "0", "1" ... are reached with getattr, as TorchScript has no `self.0`.
    static std::string attr(const std::string& name) {
        bool numeric = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0]));
        return numeric ? "getattr(self, \"" + name + "\")" : "self." + name;
    }

private:
    std::shared_ptr<torch::jit::CompilationUnit> cu_ = std::make_shared<torch::jit::CompilationUnit>();
    int counter_ = 0;
};

constexpr int kHeads = 4;            // attention heads of the transformer's encoder layers
constexpr int kMaxWidth = 1 << 16;  // a layer of more units than this is a typo (and would not fit in memory)

void require_widths(const std::string& arch, const std::vector<int>& widths, std::size_t count) {
    bool ok = count == 0 ? !widths.empty() : widths.size() == count;
    for (int w : widths) ok = ok && w > 0 && w <= kMaxWidth;
    if (!ok)
        throw UserError("--widths for " + arch + " must be " +
                        (count == 0 ? std::string("one or more") : std::to_string(count)) +
                        " positive integers of at most " + std::to_string(kMaxWidth) + " (default " + [&] {
                            std::string s;
                            for (int w : default_widths(arch)) s += (s.empty() ? "" : ",") + std::to_string(w);
                            return s;
                        }() + ")");
}

}  // namespace

torch::jit::Module build_architecture(const std::string& arch, const std::vector<int>& widths_in,
                                      const std::vector<std::int64_t>& sample_shape, std::int64_t classes) {
    std::vector<int> widths = widths_in.empty() ? default_widths(arch) : widths_in;
    Factory f;
    std::vector<std::pair<std::string, Module>> layers;
    if (arch == "transformer") {
        // Tokens [T, F] -> embed (linear, per token) -> tokens (class token first, learned positions) -> encoder
        // layers -> cls (the class token's output) -> fc.
        require_widths(arch, widths, 0);
        for (int w : widths)
            if (w != widths[0] || w % kHeads != 0)
                throw UserError("--widths for transformer: one width per encoder layer, all equal and divisible by " +
                                std::to_string(kHeads) + " (the heads), e.g. 64,64; got " + [&] {
                                    std::string s;
                                    for (int v : widths) s += (s.empty() ? "" : ",") + std::to_string(v);
                                    return s;
                                }());
        if (sample_shape.size() != 2)
            throw UserError("the transformer architecture needs sequence inputs [T, F] (e.g. --dataset fashion-mnist-rows: "
                            "28 rows of 28 pixels); the dataset gives " + shape_string(sample_shape));
        const std::int64_t d = widths[0];
        std::vector<std::pair<std::string, Module>> blocks;
        for (std::size_t i = 0; i < widths.size(); ++i) blocks.emplace_back(std::to_string(i), f.encoder_layer(d, kHeads));
        layers = {{"embed", f.linear(sample_shape[1], d)},
                  {"tokens", f.class_token(sample_shape[0], d)},
                  {"encoder", f.sequential("TransformerEncoder", {{"layers", f.sequential("ModuleList", blocks)}})},
                  {"cls", f.simple("ClassTokenOutput", "torch.select(x, 1, 0)")},
                  {"fc", f.linear(d, classes)}};
        return f.sequential("Transformer", layers);
    }
    if (sample_shape.size() != 3)
        throw UserError("the " + arch + " architecture needs image inputs [C, H, W]; the dataset gives " +
                        shape_string(sample_shape));
    const std::int64_t c = sample_shape[0], h = sample_shape[1], w = sample_shape[2];
    if (arch == "mlp") {
        require_widths(arch, widths, 0);
        layers.emplace_back("flatten", f.flatten());
        std::int64_t in = c * h * w;
        for (std::size_t i = 0; i < widths.size(); ++i) {
            layers.emplace_back("fc" + std::to_string(i + 1), f.linear(in, widths[i]));
            layers.emplace_back("relu" + std::to_string(i + 1), f.relu());
            in = widths[i];
        }
        layers.emplace_back("fc" + std::to_string(widths.size() + 1), f.linear(in, classes));
        return f.sequential("MLP", layers);
    }
    if (arch == "cnn") {
        require_widths(arch, widths, 3);
        layers = {{"conv1", f.conv(c, widths[0], 3, 1, 1)}, {"relu1", f.relu()},
                  {"pool1", f.maxpool()},                    {"conv2", f.conv(widths[0], widths[1], 3, 1, 1)},
                  {"relu2", f.relu()},                       {"pool2", f.maxpool()},
                  {"flatten", f.flatten()},                  {"fc1", f.linear(widths[1] * (h / 4) * (w / 4), widths[2])},
                  {"relu3", f.relu()},                       {"fc2", f.linear(widths[2], classes)}};
        return f.sequential("CNN", layers);
    }
    if (arch == "resnet") {
        require_widths(arch, widths, 0);
        // A strided stem, then one basic block per stage; stages after the first halve the resolution.
        layers = {{"conv1", f.conv(c, widths[0], 3, 2, 1)}, {"relu", f.relu()}};
        std::int64_t in = widths[0];
        for (std::size_t s = 0; s < widths.size(); ++s) {
            Module block = f.basic_block(in, widths[s], s == 0 ? 1 : 2);
            layers.emplace_back("layer" + std::to_string(s + 1), f.sequential("Stage", {{"0", block}}));
            in = widths[s];
        }
        layers.emplace_back("avgpool", f.avgpool());
        layers.emplace_back("flatten", f.flatten());
        layers.emplace_back("fc", f.linear(in, classes));
        return f.sequential("ResNet", layers);
    }
    if (arch == "autoencoder") {
        // encoder: two strided convolutions (H/4 x W/4) and a linear layer to the code; decoder: the mirror image
        // with transposed convolutions and a sigmoid (pixels in [0, 1]). Methods encode(x) and decode(z), and the
        // attribute code_size, for `actopo visualize --decoder`.
        require_widths(arch, widths, 1);
        if (h % 4 != 0 || w % 4 != 0)
            throw UserError("the autoencoder needs image sides divisible by 4; the dataset gives " + shape_string(sample_shape));
        const std::int64_t code = widths[0], hidden = 32 * (h / 4) * (w / 4);
        Module encoder = f.sequential("Encoder", {{"conv1", f.conv(c, 16, 3, 2, 1)}, {"relu1", f.relu()},
                                                  {"conv2", f.conv(16, 32, 3, 2, 1)}, {"relu2", f.relu()},
                                                  {"flatten", f.flatten()}, {"fc", f.linear(hidden, code)}});
        Module decoder = f.sequential("Decoder", {{"fc", f.linear(code, hidden)}, {"relu1", f.relu()},
                                                  {"unflatten", f.unflatten({32, h / 4, w / 4})},
                                                  {"deconv1", f.deconv(32, 16)}, {"relu2", f.relu()},
                                                  {"deconv2", f.deconv(16, c)}, {"sigmoid", f.simple("Sigmoid", "torch.sigmoid(x)")}});
        Module m = f.make("Autoencoder");
        m.register_module("encoder", encoder);
        m.register_module("decoder", decoder);
        m.register_attribute("code_size", c10::IntType::get(), code);
        m.define("def forward(self, x):\n    return self.decoder.forward(self.encoder.forward(x))\n"
                 "def encode(self, x):\n    return self.encoder.forward(x)\n"
                 "def decode(self, z):\n    return self.decoder.forward(z)\n");
        return m;
    }
    default_widths(arch);  // throws the unknown-architecture error
    return {};
}

}  // namespace train_detail
}  // namespace actopo
