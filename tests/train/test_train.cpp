// Reference models: trained by actopo, then loaded by PyTorch itself (/usr/bin/python3, torch.jit.load), which
// must see the same submodule names and compute the same outputs and the same test accuracy.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/store.hpp"
#include "actopo/train.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

std::string temp_dir() {
    static const std::string dir = actopo_test::temp_dir("train").string();
    return dir;
}

// PyTorch's view of a model: its leaf module names, its logits on the first 64 test images against the
// store actopo extracted, and its accuracy on the whole Fashion-MNIST test split.
// The transformer (inputs: the images' rows, [N, 28, 28]) is also rebuilt from PyTorch's own nn.TransformerEncoder
// (post-norm, ReLU, feed-forward 2 x width, 4 heads, batch_first), with its class token and positions, loaded from
// the file's parameters by name (strict), and its logits compared on the first 1000 test images: `eagerdiff`.
const char* kOracle = R"(
import gzip, sys
import h5py, numpy as np, torch, torch.nn as nn
model_path, store_path, fm, arch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
m = torch.jit.load(model_path)
m.eval()
with gzip.open(fm + '/t10k-images-idx3-ubyte.gz') as f:
    x = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255
with gzip.open(fm + '/t10k-labels-idx1-ubyte.gz') as f:
    y = np.frombuffer(f.read()[8:], dtype=np.uint8).astype(np.int64)
if arch == 'transformer':  # its rows; the first 1000 images only (the whole split costs seconds more)
    x, y = x[:1000].reshape(-1, 28, 28), y[:1000]
with torch.no_grad():
    out = m(torch.from_numpy(x)).numpy()
store = h5py.File(store_path, 'r')
print('maxdiff', float(np.abs(out[:64] - store['inputs/logits'][:]).max()))
print('correct', int((out.argmax(1) == y).sum()))
print('leaves', ','.join(n for n, s in m.named_modules() if n and not list(s.children())))
if arch == 'transformer':
    sd = m.state_dict()
    d, layers = sd['embed.weight'].shape[0], len({k.split('.')[2] for k in sd if k.startswith('encoder.layers.')})
    class Tokens(nn.Module):
        def __init__(self):
            super().__init__()
            self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
            self.pos_embedding = nn.Parameter(torch.zeros(1, 29, d))
        def forward(self, x):
            return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embedding
    class Eager(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.tokens, self.fc = nn.Linear(28, d), Tokens(), nn.Linear(d, 10)
            layer = nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        def forward(self, x):
            return self.fc(self.encoder(self.tokens(self.embed(x)))[:, 0])
    e = Eager()
    e.load_state_dict(sd)
    e.eval()
    with torch.no_grad():
        print('eagerdiff', float(np.abs(e(torch.from_numpy(x)).numpy() - out).max()))
)";

std::map<std::string, std::string> pytorch_view(const std::string& model, const std::string& store, const std::string& arch) {
    std::string script = temp_dir() + "/oracle.py";
    std::ofstream(script) << kOracle;
    std::string cmd = "/usr/bin/python3 " + script + " " + model + " " + store + " /usr/share/datasets/fashion-mnist " + arch;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::map<std::string, std::string> out;
    char line[4096];
    while (std::fgets(line, sizeof line, p)) {
        std::istringstream in(line);
        std::string key, value;
        in >> key >> value;
        out[key] = value;
    }
    REQUIRE(pclose(p) == 0);  // python3 with torch, h5py and numpy must be there
    return out;
}

int actopo_cli(const std::string& args) {
    int status = std::system((std::string(ACTOPO_BINARY) + " " + args + " > /dev/null 2> " + temp_dir() + "/err").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TrainOptions tiny(const std::string& arch, const std::string& name) {
    TrainOptions o;
    o.arch = arch;
    o.epochs = 1;
    o.limit = 500;
    o.seed = 3;
    o.batch = 32;
    o.lr = 3e-3;
    o.output = temp_dir() + "/" + name;
    o.force = true;
    return o;
}

}  // namespace

TEST_CASE("models trained by actopo load in PyTorch with the same names and outputs", "[train]") {
    std::string encoder;
    for (const char* l : {"0", "1"})
        for (const char* sub : {"self_attn.out_proj", "norm1", "linear1", "relu", "linear2", "norm2"})
            encoder += "encoder.layers." + std::string(l) + "." + sub + ",";
    const std::map<std::string, std::string> expected_leaves{
        {"mlp", "flatten,fc1,relu1,fc2,relu2,fc3"},
        {"cnn", "conv1,relu1,pool1,conv2,relu2,pool2,flatten,fc1,relu3,fc2"},
        {"resnet", "conv1,relu,layer1.0.conv1,layer1.0.relu1,layer1.0.conv2,layer1.0.relu2,layer2.0.conv1,"
                   "layer2.0.relu1,layer2.0.conv2,layer2.0.relu2,layer2.0.downsample,avgpool,flatten,fc"},
        {"transformer", "embed,tokens," + encoder + "cls,fc"}};
    for (const auto& [arch, leaves] : expected_leaves) {
        INFO(arch);
        TrainOptions o = tiny(arch, arch + ".pt");
        const bool rows = arch == "transformer";  // sequences: the images' 28 rows of 28 pixels
        if (rows) {
            o.dataset = "fashion-mnist-rows";
            o.widths = {8, 8};  // two encoder layers of width 8 (4 heads of 2), fast enough for a test
        }
        TrainReport r = train_model(o);
        CHECK(join(r.layers, ",") == leaves);
        CHECK(r.train_inputs == 500);
        CHECK(r.test_inputs == 10000);
        CHECK(r.test_accuracy > 0.15);  // 500 images, one epoch: above the 10% of chance
        std::string store = temp_dir() + "/" + arch + ".h5";
        REQUIRE(actopo_cli("extract --model " + temp_dir() + "/" + arch + ".pt --dataset fashion-mnist" +
                           (rows ? "-rows" : "") + ":test --limit 64 --layers all --force -o " + store) == 0);
        auto py = pytorch_view(temp_dir() + "/" + arch + ".pt", store, arch);
        CHECK(py["leaves"] == leaves);
        CHECK(std::stod(py["maxdiff"]) <= 1e-5);
        if (rows) {
            CHECK(std::stod(py["eagerdiff"]) <= 1e-4);  // PyTorch's fused encoder kernel against ours
            StoreReader s(store);
            CHECK(s.layer_shape("encoder.layers.1.norm2") == std::vector<std::int64_t>{29, 8});  // the class token first
            CHECK(s.layer_shape("cls") == std::vector<std::int64_t>{8});
        }
        if (!rows) CHECK(std::stoi(py["correct"]) == int(std::lround(r.test_accuracy * 10000)));
        CHECK(StoreReader(store).layer_names().size() == r.layers.size());
    }
}

TEST_CASE("training is seeded (byte-identical files across runs), checkpoints every epoch", "[train]") {
    // tests/data/tiny_data.h5 (16 inputs of 8x8) is both the training and the test set: 4 shuffled batches an epoch
    const std::string dir = temp_dir(),
                      common = "train --arch cnn --dataset " + std::string(ACTOPO_SOURCE_DIR) +
                               "/tests/data/tiny_data.h5 --batch 4 --lr 0.003 --force ";
    // Different file names: the archive inside does not depend on the name (saved through a stream).
    REQUIRE(actopo_cli(common + "--epochs 2 --seed 5 --checkpoints " + dir + "/ckpt -o " + dir + "/seeded-a.pt") == 0);
    REQUIRE(actopo_cli(common + "--epochs 2 --seed 5 -o " + dir + "/seeded-b.pt") == 0);
    REQUIRE(actopo_cli(common + "--epochs 2 --seed 6 -o " + dir + "/seeded-c.pt") == 0);
    CHECK(sha256_file(dir + "/seeded-a.pt") == sha256_file(dir + "/seeded-b.pt"));
    CHECK(sha256_file(dir + "/seeded-a.pt") != sha256_file(dir + "/seeded-c.pt"));
    CHECK(sha256_file(dir + "/ckpt/epoch-2.pt") == sha256_file(dir + "/seeded-a.pt"));  // the last epoch's model
    CHECK(fs::exists(dir + "/ckpt/epoch-1.pt"));
    CHECK(fs::exists(dir + "/ckpt/epoch-2.pt"));
    CHECK_FALSE(fs::exists(dir + "/ckpt/epoch-3.pt"));
}

TEST_CASE("the transformer is seeded too, and takes sequences", "[train]") {
    // tests/extract/data/sequences.h5 (6 sequences of 5 tokens of 4 values, 3 classes) to learn and to score
    const std::string sequences = std::string(ACTOPO_SOURCE_DIR) + "/tests/extract/data/sequences.h5";
    auto seeded = [&](const std::string& name, std::uint64_t seed) {
        auto o = tiny("transformer", name);
        o.dataset = sequences;
        o.widths = {8};
        o.epochs = 2;
        o.batch = 2;
        o.seed = seed;
        train_model(o);
        return sha256_file(o.output);
    };
    const std::string a = seeded("t-a.pt", 5);
    CHECK(seeded("t-b.pt", 5) == a);
    CHECK(seeded("t-c.pt", 6) != a);
    // --epochs 0: the seeded initialisation, saved untrained and scored
    auto o = tiny("transformer", "untrained.pt");
    o.dataset = sequences;
    o.widths = {8};
    o.epochs = 0;
    const TrainReport untrained = train_model(o);
    CHECK(untrained.epochs.empty());
    CHECK(untrained.train_inputs == 0);
    CHECK(untrained.test_inputs == 6);
    CHECK(fs::exists(o.output));
    o = tiny("transformer", "bad.pt");
    o.dataset = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/tiny_data.h5";  // images [1, 8, 8]
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("needs sequence inputs [T, F]") && Catch::Contains("[1, 8, 8]"));
    o.dataset = sequences;
    o.widths = {16, 32};
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("all equal and divisible by 4") && Catch::Contains("got 16,32"));
    o.widths = {6};
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("all equal and divisible by 4"));
}

TEST_CASE("bad training options are one-line user errors", "[train]") {
    auto o = tiny("vit", "bad.pt");
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("unknown architecture 'vit'"));
    o = tiny("cnn", "bad.pt");
    o.widths = {8, 16};
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("--widths for cnn must be 3 positive integers"));
    o = tiny("mlp", "exists.pt");
    std::ofstream(o.output) << "keep me";
    o.force = false;
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("already exists"));
    CHECK(read_text_file(o.output) == "keep me");
    CHECK(actopo_cli("train --arch mlp --widths 12,x -o " + temp_dir() + "/w.pt") == 1);
    CHECK_THAT(read_text_file(temp_dir() + "/err"), Catch::Contains("'x' is not an integer"));
}
