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

using namespace actopo;
namespace fs = std::filesystem;

namespace {

std::string temp_dir() {
    static const std::string dir = [] {
        auto d = fs::temp_directory_path() / ("actopo-test-train-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d.string();
    }();
    return dir;
}

// PyTorch's view of a model: its leaf module names, its logits on the first 64 test images against the
// store actopo extracted, and its accuracy on the whole Fashion-MNIST test split.
const char* kOracle = R"(
import gzip, sys
import h5py, numpy as np, torch
model_path, store_path, fm = sys.argv[1], sys.argv[2], sys.argv[3]
m = torch.jit.load(model_path)
m.eval()
with gzip.open(fm + '/t10k-images-idx3-ubyte.gz') as f:
    x = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255
with gzip.open(fm + '/t10k-labels-idx1-ubyte.gz') as f:
    y = np.frombuffer(f.read()[8:], dtype=np.uint8).astype(np.int64)
with torch.no_grad():
    out = m(torch.from_numpy(x)).numpy()
store = h5py.File(store_path, 'r')
print('maxdiff', float(np.abs(out[:64] - store['inputs/logits'][:]).max()))
print('correct', int((out.argmax(1) == y).sum()))
print('leaves', ','.join(n for n, s in m.named_modules() if n and not list(s.children())))
)";

std::map<std::string, std::string> pytorch_view(const std::string& model, const std::string& store) {
    std::string script = temp_dir() + "/oracle.py";
    std::ofstream(script) << kOracle;
    std::string cmd = "/usr/bin/python3 " + script + " " + model + " " + store + " /usr/share/datasets/fashion-mnist";
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
    const std::map<std::string, std::string> expected_leaves{
        {"mlp", "flatten,fc1,relu1,fc2,relu2,fc3"},
        {"cnn", "conv1,relu1,pool1,conv2,relu2,pool2,flatten,fc1,relu3,fc2"},
        {"resnet", "conv1,relu,layer1.0.conv1,layer1.0.relu1,layer1.0.conv2,layer1.0.relu2,layer2.0.conv1,"
                   "layer2.0.relu1,layer2.0.conv2,layer2.0.relu2,layer2.0.downsample,avgpool,flatten,fc"}};
    for (const auto& [arch, leaves] : expected_leaves) {
        INFO(arch);
        TrainReport r = train_model(tiny(arch, arch + ".pt"));
        CHECK(join(r.layers, ",") == leaves);
        CHECK(r.train_inputs == 500);
        CHECK(r.test_inputs == 10000);
        CHECK(r.test_accuracy > 0.15);  // 500 images, one epoch: above the 10% of chance
        std::string store = temp_dir() + "/" + arch + ".h5";
        REQUIRE(actopo_cli("extract --model " + temp_dir() + "/" + arch + ".pt --dataset fashion-mnist:test "
                           "--limit 64 --layers all --force -o " + store) == 0);
        auto py = pytorch_view(temp_dir() + "/" + arch + ".pt", store);
        CHECK(py["leaves"] == leaves);
        CHECK(std::stod(py["maxdiff"]) <= 1e-5);
        CHECK(std::stoi(py["correct"]) == int(std::lround(r.test_accuracy * 10000)));
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

TEST_CASE("bad training options are one-line user errors", "[train]") {
    auto o = tiny("transformer", "bad.pt");
    CHECK_THROWS_WITH(train_model(o), Catch::Contains("unknown architecture 'transformer'"));
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
