#pragma once
// Depth profiles for the report: one chart per measure, layers along the x axis and one line per model
// (private to the report module).
#include <filesystem>
#include <string>
#include <vector>

namespace actopo::report {

struct ModelLayers {
    std::string name;
    std::vector<std::string> layers;  // in the model's order
};

struct ProfileFigure {
    std::string figure;   // relative to the results folder (.svg; a .png beside it)
    std::string caption;
};

/// Writes, for every measure the results hold, a chart of it per layer: H1 features and their total
/// persistence (diagrams/), Mapper mean purity (mapper/), CKA to the model's last layer (similarity/cka.csv),
/// co-activation modularity and mean binned entropy per layer (coactivation/). With one model, or models of one
/// depth, the x axis names the layers; otherwise it is the relative depth (0 = first layer, 1 = last).
std::vector<ProfileFigure> write_depth_profiles(const std::filesystem::path& dir, const std::vector<ModelLayers>& models,
                                                bool force);

}  // namespace actopo::report
