#pragma once
// Vietoris-Rips persistence behind one interface, with three backends:
//   native  - actopo's own engine (include/actopo/native.hpp)
//   gudhi   - GUDHI in-process (Rips complex; edge collapse when thresholded; sparse Rips with epsilon)
//   ripser  - Debian's `ripser` / `ripser-coeff` executables, fed a distance matrix, output parsed
// plus reading every input format Ripser reads, landmark subsampling, a size planner, and
// diagram files (CSV, JSON, HDF5; see docs/formats.md).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actopo/diagrams.hpp"

namespace actopo {

class PersistenceBackend {
public:
    virtual ~PersistenceBackend() = default;
    virtual std::string name() const = 0;
    virtual Diagrams compute(const RipsInput& input, const RipsOptions& options) const = 0;
};

/// "native" | "gudhi" | "ripser"; UserError otherwise.
std::unique_ptr<PersistenceBackend> make_backend(const std::string& name);
std::vector<std::string> backend_names();
/// The backend used when none is named.
std::string default_backend();

/// Plans, checks the size against memory, computes with `backend`, fills meta (metric, threshold, coeff,
/// backend, version). UserError with the estimate and the options that would fit when too large.
Diagrams compute_persistence(const RipsInput& input, const RipsOptions& options, const std::string& backend);

/// Input file formats: point-cloud (whitespace/CSV), lower-distance, upper-distance, distance, dipha,
/// sparse, binary (Ripser's formats), csv (= point cloud). UserError naming the file, row and column.
/// format "" or "auto": guessed from the name (guess_input_format). Distance formats take metric
/// precomputed (or euclidean, the default); non-metric distances only warn on stderr.
RipsInput read_rips_input(const std::string& path, const std::string& format, Metric metric);
std::string guess_input_format(const std::string& path);
std::vector<std::string> input_formats();

/// Max-min (farthest point) landmarks: `count` row indices, first chosen by `seed`.
std::vector<std::size_t> maxmin_landmarks(const RipsInput& input, std::size_t count, std::uint64_t seed);
/// The input restricted to the given vertices (in that order), keeping its distances exactly.
RipsInput select_vertices(const RipsInput& input, const std::vector<std::size_t>& rows);

/// Renames the vertices of the representatives after a computation on select_vertices(input, rows): vertex v
/// becomes rows[v]; simplices are sorted largest vertex first again, their coefficients (Z/p) signed so that
/// the cocycle stays the same.
void relabel_representatives(Diagrams& diagrams, const std::vector<std::size_t>& rows, int p);

/// Traces each representative to the inputs on it: `ids`, `labels`, `predictions` give, per vertex (row of
/// the point cloud), its input's dataset id, class and the model's prediction (-1: none); `class_names` (may
/// be empty) name the classes. Fills Representative::inputs for the vertices of the cycle (the birth
/// simplex when there is no cycle), with a summary such as "runs through Shirt (12), T-shirt/top (8),
/// Pullover (5); 3 misclassified" counting each input once.
void attach_inputs(Diagrams& diagrams, const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& labels,
                   const std::vector<std::int64_t>& predictions, const std::vector<std::string>& class_names);

/// Estimated number of simplices of dimension <= max_dim + 1 at the threshold, and the bytes `backend`
/// needs for them (a sampled estimate, see docs/persistence.md).
struct SizeEstimate {
    double simplices = 0;
    double bytes = 0;
};
SizeEstimate estimate_size(const RipsInput& input, const RipsOptions& options,
                           const std::string& backend = "gudhi");
/// The memory a computation may use: $ACTOPO_MAX_MEMORY (e.g. "4G") if set, else 80% of MemAvailable.
double available_memory_bytes();

/// Diagram files: the format follows the extension (.csv, .json, .h5); atomic, refuses to overwrite
/// unless force. For .h5, `group` names the layer (/diagrams/<group>/dim<k>).
void write_diagrams(const Diagrams& diagrams, const std::string& path, bool force,
                    const std::string& group = "diagram");
/// Reads a .csv/.json/.h5 diagram file; for .h5 an empty group means the only group in the file.
Diagrams read_diagrams(const std::string& path, const std::string& group = "");
/// The diagrams of a .json diagram file already parsed (read_json_file); UserError naming `path` when a field
/// is missing or a pair is not a (birth, death).
Diagrams diagrams_from_json(const nlohmann::json& file, const std::string& path);
/// Diagrams of several layers in one HDF5 file (/diagrams/<layer>/dim<k>); atomic, refuses to overwrite
/// unless force. `order` (e.g. the model's layer order) is kept in /diagrams_order for diagram_groups.
void write_diagram_groups(const std::map<std::string, Diagrams>& layers, const std::string& path, bool force,
                          const std::vector<std::string>& order = {});
/// The groups (layers) of an HDF5 diagram file: in the order the file records, else sorted.
std::vector<std::string> diagram_groups(const std::string& path);

}  // namespace actopo
