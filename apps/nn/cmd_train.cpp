// `actopo train`: the reference models (MLP, CNN, ResNet, autoencoder, transformer) trained in C++ and saved as TorchScript.
#include <cstdio>

#include "actopo/core.hpp"
#include "actopo/train.hpp"
#include "command.hpp"

namespace {

void print_epoch(const actopo::EpochReport& e) {
    if (e.test_loss > 0) {  // an autoencoder
        std::printf("epoch %d: reconstruction loss %.5f, test %.5f (%.1f s)\n", e.epoch, e.loss, e.test_loss, e.seconds);
        std::fflush(stdout);
        return;
    }
    std::printf("epoch %d: loss %.4f, train accuracy %.2f%%, test accuracy %.2f%% (%.1f s)\n", e.epoch, e.loss,
                100 * e.train_accuracy, 100 * e.test_accuracy, e.seconds);
    std::fflush(stdout);
}

void setup(CLI::App& app) {
    using actopo::cli::add_stage_option;
    auto o = std::make_shared<actopo::TrainOptions>();
    add_stage_option(app, "train", "arch", o->arch);
    app.add_option("--dataset", o->dataset, "Dataset: fashion-mnist or fashion-mnist-rows (train split to learn, test split to "
                   "score) or data.h5")->capture_default_str();
    add_stage_option(app, "train", "epochs", o->epochs);
    add_stage_option(app, "train", "batch", o->batch);
    add_stage_option(app, "train", "lr", o->lr);
    add_stage_option(app, "train", "seed", o->seed);
    add_stage_option(app, "train", "widths", o->widths);
    app.add_option("--checkpoints", o->checkpoints_dir, "Save DIR/epoch-<k>.pt after every epoch");
    add_stage_option(app, "train", "limit", o->limit);
    app.add_option("--threads", o->threads, "Intra-op threads")->capture_default_str();
    app.add_option("-o,--output", o->output, "TorchScript file to write")->required();
    app.add_flag("--force", o->force, "Replace an existing output");
    app.footer(
        "Examples:\n"
        "  actopo train --arch cnn --epochs 2 --limit 20000 --seed 1 -o cnn.pt\n"
        "  actopo train --arch mlp --widths 256,128,64 --epochs 3 --checkpoints ckpt/ -o mlp.pt\n"
        "  actopo train --arch resnet --widths 8,16 --epochs 2 -o resnet.pt\n"
        "  actopo train --arch autoencoder --widths 16 --epochs 2 -o decoder.pt   (for visualize --decoder)\n"
        "  actopo train --arch transformer --dataset fashion-mnist-rows --widths 64,64 --epochs 2 -o seq.pt\n"
        "The model takes pixels in [0, 1], shape [N, 1, 28, 28] (transformer: [N, 28, 28], 28 rows of 28 pixels),\n"
        "and returns logits; load it in PyTorch with torch.jit.load('cnn.pt').");
    app.callback([o] {
        auto r = actopo::train_model(*o, print_epoch);
        const std::string trained = r.epochs.empty() ? "untrained (the seeded initialisation)"  // --epochs 0
                                                     : "trained on " + std::to_string(r.train_inputs) + " inputs";
        if (o->arch == "autoencoder")
            std::printf("%s: %zu parameters, %s, test reconstruction error %.5f per pixel on %zu inputs\n",
                        o->output.c_str(), r.parameters, trained.c_str(), r.test_loss, r.test_inputs);
        else
            std::printf("%s: %zu parameters, %s, test accuracy %.2f%% on %zu inputs\n", o->output.c_str(), r.parameters,
                        trained.c_str(), 100 * r.test_accuracy, r.test_inputs);
        std::printf("layers: %s\n", actopo::join(r.layers).c_str());
    });
}

actopo::cli::Registration reg{"train", actopo::cli::program_command_summary("train"), setup};

}  // namespace
