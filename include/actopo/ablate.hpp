#pragma once
// Interventions: run a model with chosen units of its layers overwritten and measure, per class, what the model
// loses against the intact model and against random units of the same layers (docs/ablate.md).
//   LayerUnits        - layer (module path) -> unit indices; a unit is an index along the layer's first per-input
//                       axis (a conv layer's channel, a linear layer's neuron), as in the co-activation graph.
//   parse_layer_units - "fc1:3,5,7" (the --neurons syntax).
//   ablate()          - the intact pass, the ablated pass, and `draws` seeded random unit sets (the permutation
//                       baseline); the layers are rewritten in the TorchScript graph by LayerCapture.
// No LibTorch types cross this header.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace actopo {

using LayerUnits = std::map<std::string, std::vector<std::int64_t>>;

/// "layer:u,v,w" -> {layer: [u, v, w]} (sorted, without repeats). UserError naming the text when it is not that.
LayerUnits parse_layer_units(const std::string& text);

enum class AblationFill { zero, mean };  // mean: each element's mean over the dataset given (the intact model)
AblationFill parse_ablation_fill(const std::string& name);  // "zero" | "mean"

struct AblateOptions {
    std::string model;                        // TorchScript file
    std::string dataset = "fashion-mnist:test";
    std::size_t limit = 0;                    // > 0: the first `limit` inputs
    std::size_t batch = 256;
    LayerUnits units;                         // what is ablated (at least one unit)
    AblationFill fill = AblationFill::zero;
    std::size_t draws = 100;                  // random unit sets of the baseline (0: none)
    std::uint64_t seed = 0;
    std::vector<std::int64_t> focus;          // input ids reported as a row of their own (a Mapper node's members)
    std::string focus_name = "members";
    int threads = 0;
};

/// One group of inputs (a class, all inputs, or the focus ids). Accuracies are fractions; drop = intact - ablated.
struct AblationRow {
    std::string name;                         // class name, "all", or focus_name
    std::int64_t label = -1;                  // the class (-1 for "all" and the focus row)
    std::size_t inputs = 0;
    double intact_accuracy = 0, ablated_accuracy = 0, drop = 0;
    double logit_change = 0;                  // mean over the group of (ablated - intact) logit of the true class
    double baseline_mean = 0, baseline_sd = 0;  // drop under the random unit sets (NaN without draws)
    double baseline_p95 = 0;                  // 95th percentile of those drops (nearest rank)
    double p_value = 0;                       // (1 + #{draws with drop >= this drop}) / (1 + draws); NaN without draws
};

struct AblationReport {
    std::vector<AblationRow> rows;            // classes by label, then "all", then the focus row (when given)
    std::map<std::string, std::int64_t> widths;  // units of each ablated layer
    std::size_t inputs = 0, draws = 0;
    double seconds = 0;
};

/// UserError (one line) for a missing model or dataset, an unknown layer, a layer called more than once, a unit
/// outside the layer, no unit at all, or a focus id outside the dataset. Shows progress on stderr.
AblationReport ablate(const AblateOptions& options);

}  // namespace actopo
