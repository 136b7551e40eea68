#pragma once
// Pictures of what a trained model has learnt (`actopo visualize`; definitions in docs/visualize.md, the file
// layout in docs/formats.md):
//   visualize_units       - activation maximisation: for each unit of a layer (a neuron, a conv channel) or each
//                           class logit, the input that maximises it, by regularised gradient ascent in pixel space
//                           (L2 decay, jitter, blur, total variation), all units as one batch, seeded. Writes a
//                           grid picture (each tile titled with its unit and the activation reached) and an HDF5
//                           file of the images, activations and the per-step activation trace. In code space (a
//                           decoder g trained on the data): the code z is optimised and the image is g(z).
//   draw_filters          - the first layer's filters as an image grid.
//   draw_activation_maps  - a layer's activation maps for a few inputs: one row per input, one tile per channel.
// No LibTorch types cross this header.
#include <cstdint>
#include <string>
#include <vector>

namespace actopo {

/// The ascent's options (the visualize table of options.hpp declares each one for the command line).
struct AscentOptions {
    int steps = 256;
    double lr = 0.05;          // step size: x += lr * g / rms(g), per image
    double l2 = 1e-3;          // weight of -l2 * sum(x^2)
    int jitter = 2;            // each step the image is rolled by a seeded shift in [-jitter, jitter]^2 pixels
    double blur_sigma = 0.5;   // Gaussian blur of the image every `blur_every` steps (0: none)
    int blur_every = 4;
    double tv = 1e-3;          // weight of -tv * total variation (sum of |neighbour differences|)
    double lo = 0, hi = 1;     // the input range: the start is drawn in it and each step clamps to it
    std::uint64_t seed = 0;    // the start images and the jitter
    std::size_t internal_batch = 256;  // units optimised together in one pass (bounds the memory)
};

struct VisualizeOptions {
    std::string model;
    std::string layer;          // module path; empty with target "class": the logits
    std::string target = "unit";  // unit (a layer's neurons / channels) | class (the logits)
    std::string units;          // "0-15", "0,3,7", "" = every unit
    std::vector<std::int64_t> input_shape;  // per input [C, H, W]; empty: the dataset's
    std::string dataset = "fashion-mnist:test";  // the input shape when none is given; the inputs of activation maps
    std::string decoder;        // code space: a TorchScript file with decode(z) and code_size (actopo train --arch autoencoder)
    AscentOptions ascent;
    std::string output;         // folder
    bool force = false;
    int threads = 0;
};

struct UnitImages {
    std::string layer;                       // "logits" for target class
    std::vector<std::int64_t> units;
    std::vector<std::int64_t> image_shape;   // per image [C, H, W]
    std::vector<float> images;               // units * prod(image_shape)
    std::vector<float> initial, reached;     // the unit's activation of the start and of the final image, per unit
    std::vector<float> trace;                // units * steps: the activation (of the jittered image) at each step
    std::vector<float> codes;                // code space: units * code_size, the code of each image
};

/// Parses "0-15", "3,5,9-11" (UserError naming the text when it is not such a list).
std::vector<std::int64_t> parse_units(const std::string& text);

/// Runs the ascent without writing anything (the library call behind visualize_units). UserError for a layer the
/// model lacks (naming the closest), units out of range, a bad option.
UnitImages maximise_units(const VisualizeOptions& options);

/// `actopo visualize`: maximise_units, then <output>/<layer>.h5 and <layer>.svg/.png (temporary names, renamed
/// when complete; nothing written on a user error). Returns the files written.
std::vector<std::string> visualize_units(const VisualizeOptions& options);

/// The first parameterised layer's weights as a grid (conv filters [O, I, k, k]: one tile per output channel, RGB
/// for 3 input channels else the mean over input channels; a linear layer's rows reshaped to the input shape).
std::vector<std::string> draw_filters(const VisualizeOptions& options);

/// The activation maps of options.layer for the first `inputs` inputs of options.dataset: a grid with one row per
/// input (the input first, then one tile per channel, one colour scale for the whole grid).
std::vector<std::string> draw_activation_maps(const VisualizeOptions& options, std::size_t inputs);

}  // namespace actopo
