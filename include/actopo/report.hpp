#pragma once
// The HTML report of an experiment: one page, report/index.html inside the results folder, that opens from
// the file system (no server). It shows the models and their accuracy on the experiment's inputs; per layer the
// persistence diagram and barcode and the Mapper graph; every layer x layer matrix as a heatmap; how much the
// metrics agree; the class hierarchy; the co-activation graph with its communities; modularity and entropy
// across training checkpoints. Figures it draws itself go to report/figures/ (SVG + PNG, Cairo).
// Sections whose outputs are absent (a stage the experiment did not ask for) are left out.
#include <string>

namespace actopo {

/// Reads results_dir/experiment.json and the stages' outputs; writes results_dir/report/index.html atomically.
/// UserError when results_dir holds no experiment.json or an output cannot be read (naming it).
void write_report(const std::string& results_dir, bool force);

}  // namespace actopo
