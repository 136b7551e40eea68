#pragma once
// Reference models: `actopo train`.
//   train_model() builds an MLP, a small CNN, a small ResNet (with skip connections) or an autoencoder (trained to
//   reproduce its input, with encode/decode methods for `actopo visualize --decoder`) for a dataset of
//   images, or a small transformer encoder (class token, learned positions) for a dataset of sequences, trains it with Adam on the dataset's training split, evaluates it on the test split, and saves
//   it as TorchScript that PyTorch's torch.jit.load reads, with PyTorch-style submodule names
//   (fc1, conv1, layer1.0.conv1, ...). Everything is seeded: the same options give the same model.
// No LibTorch types cross this header.
#include <cstdint>
#include <string>
#include <vector>

namespace actopo {

struct TrainOptions {
    std::string arch = "cnn";               // mlp | cnn | resnet | autoencoder | transformer
    std::string dataset = "fashion-mnist";  // trained on its train split, tested on its test split
    int epochs = 2;                         // 0: the seeded initialisation is saved untrained (and scored)
    int batch = 64;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    std::vector<int> widths;                // mlp: hidden widths; cnn: conv1,conv2,fc1 channels; resnet: stage widths;
                                            // transformer: the width of each encoder layer (all equal)
    std::string checkpoints_dir;            // when set: <dir>/epoch-<k>.pt after every epoch
    std::size_t limit = 0;                  // > 0: train on the first `limit` training inputs only
    std::string output;                     // the TorchScript file
    bool force = false;
    int threads = 1;                        // intra-op threads (1 is fastest for these small models)
};

struct EpochReport {
    int epoch = 0;
    double loss = 0, train_accuracy = 0, test_accuracy = 0, seconds = 0;
    double test_loss = 0;                   // autoencoder: mean squared reconstruction error per test pixel
};

struct TrainReport {
    std::vector<EpochReport> epochs;
    double test_accuracy = 0;               // after the last epoch, on the whole test split
    double test_loss = 0;                   // autoencoder: its reconstruction error there (no accuracy)
    std::size_t parameters = 0, train_inputs = 0, test_inputs = 0;
    std::vector<std::string> layers;        // leaf submodule paths, in forward order
};

/// The default widths of an architecture (what --widths replaces). UserError for an unknown arch.
std::vector<int> default_widths(const std::string& arch);

/// Trains and saves the model; `on_epoch` (may be empty) hears about each epoch as it ends.
/// UserError for unknown arch, bad widths, missing dataset, or an existing output without force.
TrainReport train_model(const TrainOptions& options, void (*on_epoch)(const EpochReport&) = nullptr);

}  // namespace actopo
