#pragma once
// Explanations: attribution maps of a TorchScript classifier's output with respect to its input
// (definitions in docs/explain.md, file layout in docs/formats.md).
//   Explainer            - a loaded model that computes one method's maps for a batch of inputs.
//   explain_attributions - `actopo explain`: a dataset streamed batch by batch into attributions.h5.
//   explain_quality      - `actopo explain-quality`: selectivity (pixel-flipping, AOPC), continuity,
//                          infidelity, max-sensitivity and the model-randomisation check, method by method.
// No LibTorch types cross this header.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actopo/options.hpp"
#include "actopo/store.hpp"

namespace actopo {

/// The options of every method (each method reads the ones it needs; all are recorded in the output).
struct MethodOptions {
    // integrated-gradients
    std::string baseline = "zero";     // zero | mean | blur | uniform
    int steps = 50;
    std::string rule = "midpoint";     // midpoint (Riemann) | gauss-legendre
    double blur_sigma = 3.0;           // pixels, for baseline blur
    // smoothgrad (a noise tunnel over any other method)
    double noise = 0.15;               // sigma = noise * (max x - min x), per input
    int samples = 50;
    std::string variant = "mean";      // mean | squared | variance
    // CAM family
    std::string layer;                 // a convolutional layer (module path); empty: the last one
    // occlusion
    int window = 4;
    int stride = 2;
    double occlusion_value = 0.0;
    // LRP (lrp, lrp-<rule>) and deep-taylor; deeplift takes the baseline of integrated-gradients
    std::string lrp_rule = "epsilon-gamma-box";  // lrp-0 | epsilon | gamma | alpha1-beta0 | flat | epsilon-gamma-box | epsilon-plus
    double epsilon = 0.25;             // the epsilon rule's stabiliser
    double gamma = 0.25;               // the gamma rule's weight on positive weights
    std::string layer_rules;           // per-layer rules: "<layer path or type>=<rule>,...", e.g. "conv1=zb,Linear=epsilon"
    std::string bounds = "data";       // zb's input bounds: data (each input's min and max) | LO,HI
    // all
    std::uint64_t seed = 0;            // noise of smoothgrad and of the uniform baseline, per input index
    std::size_t internal_batch = 256;  // model inputs per forward/backward pass (bounds the memory)
};

/// The methods `explain` knows are explain_methods() (options.hpp, the explain table's `method` values).
/// `smoothgrad` alone is the noise tunnel over `gradient`; `smoothgrad:<method>` over any other method.
/// Checks a method name (UserError naming the closest names when unknown).
void check_method(const std::string& method);

/// One batch of maps.
struct Attribution {
    std::vector<std::int64_t> shape;  // per-input shape of the map (the input's, or [1, H, W] for one channel)
    std::vector<float> values;        // batch * prod(shape)
    std::vector<float> delta;         // integrated-gradients: sum of the map - (f(x) - f(baseline)), per input
    std::vector<std::int64_t> cam_shape;  // CAM family: [H', W'] of the layer
    std::vector<float> cam;           // CAM family: batch * H' * W', before upsampling
    std::string layer;                // CAM family: the layer used
};

class Explainer {
public:
    /// Loads the model (UserError when missing or not TorchScript). `threads` <= 0 keeps torch's default.
    explicit Explainer(const std::string& model_path, int threads = 0);
    ~Explainer();
    Explainer(const Explainer&) = delete;
    Explainer& operator=(const Explainer&) = delete;

    const std::string& model_path() const;
    /// The model's logits for a batch x = [B, ...] (B x C floats, C = num_classes afterwards).
    std::vector<float> logits(const float* x, const std::vector<std::int64_t>& shape);
    std::int64_t num_classes() const;  // 0 before the first batch

    /// The maps of `method` for x = [B, ...] and one target class per input. `index` gives each input's row
    /// in its dataset (the noise of smoothgrad and of a uniform baseline is seeded by it, so maps do not
    /// depend on batching). `mean_input` is the baseline "mean" (prod(shape[1:]) floats).
    Attribution attribute(const std::string& method, const float* x, const std::vector<std::int64_t>& shape,
                          const std::vector<std::int64_t>& targets, const std::vector<std::int64_t>& index,
                          const MethodOptions& options, const std::vector<float>& mean_input = {});

    /// Re-initialises the parameters of the top `count` parameterised leaf layers (from the output down)
    /// with seeded random values (the model-randomisation check); returns their names.
    std::vector<std::string> randomize_top_layers(std::size_t count, std::uint64_t seed);
    /// The parameterised leaf layers, input to output.
    std::vector<std::string> parameterised_layers() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct ExplainOptions {
    std::string model;
    std::string dataset = "fashion-mnist:test";
    std::size_t limit = 0;
    std::vector<std::string> methods{"saliency"};
    std::string target = "predicted";  // label | predicted | <class index>
    MethodOptions method;
    std::size_t batch = 32;            // dataset inputs per step
    std::string output;                // attributions.h5
    std::string pictures;              // folder for the pictures ("" = none)
    std::size_t picture_count = 8;     // inputs per grid
    bool force = false;
    int threads = 0;
};

struct ExplainReport {
    std::size_t inputs = 0;
    std::map<std::string, double> seconds;          // per method
    std::map<std::string, double> mean_abs_delta;   // integrated-gradients
    std::vector<std::string> pictures;              // files written
    double total_seconds = 0;
};

/// Streams the dataset through every method into options.output (temporary name, renamed when complete;
/// nothing under the output name on any error). UserError, naming the method, layer or value, for a bad
/// method, target, layer, model output, NaN input or NaN map.
ExplainReport explain_attributions(const ExplainOptions& options);

// The attribution file is read back by read_attribution_file() and read_attributions() (actopo/store.hpp).

// Its pictures are drawn by draw_attribution_pictures() (actopo/plot.hpp), also by `actopo plot`.

struct QualityOptions {
    std::string model;
    std::string dataset = "fashion-mnist:test";
    std::size_t limit = 100;
    std::vector<std::string> methods{"saliency", "gradient-x-input", "integrated-gradients"};
    std::string target = "predicted";
    MethodOptions method;
    std::size_t patch = 4;              // pixel-flipping: square patches of patch x patch pixels
    std::size_t flip_steps = 20;        // patches removed, one by one (the perturbation curve has steps + 1 points)
    double flip_value = 0.0;            // what a removed patch is filled with
    double radius = 0.05;               // continuity / max-sensitivity: perturbation radius (x range units)
    std::size_t perturbations = 10;     // continuity / max-sensitivity / infidelity samples per input
    bool randomisation = true;          // the cascading model-randomisation check
    std::string output;                 // folder: quality.md, quality.csv, curves.csv, perturbation.svg/png
    bool force = false;
    int threads = 0;
};

struct MethodQuality {
    std::string method;
    std::vector<double> curve;          // mean f_c after k patches removed, k = 0..flip_steps
    double aopc = 0;                    // area over the perturbation curve
    double continuity = 0;              // max ||R(x) - R(x')||_1 / ||x - x'||_2, mean over inputs
    double infidelity = 0;              // mean over inputs and perturbations
    double max_sensitivity = 0;         // mean over inputs
    std::vector<std::string> randomised;    // layers re-initialised, cumulative from the top
    std::vector<double> rank_correlation;   // mean Spearman correlation with the trained model's maps, per step
};

struct QualityReport {
    std::vector<MethodQuality> methods;
    std::size_t inputs = 0;
    std::vector<std::string> files;
};

QualityReport explain_quality(const QualityOptions& options);

}  // namespace actopo
