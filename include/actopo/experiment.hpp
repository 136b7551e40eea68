#pragma once
// Experiments: one YAML file -> a graph of jobs -> every artefact in results/<name>/ (docs/experiments.md).
//   load_experiment()  - parses and checks the whole file before any work: an unknown key, a wrong type, a
//                        missing file is one UserError "file:line: key: what was expected".
//   plan_jobs()        - the stages (train, extract, persistence, distances, similarity, mapper, coactivation,
//                        explain with its quality and visualize pictures, compare, report) as jobs over models x
//                        metrics. A job is an `actopo` command line run in the results folder, with the files it
//                        reads and writes and the jobs it waits for.
//   run_jobs()         - runs the graph: independent jobs in parallel (forked workers; under mpirun, spread over
//                        the ranks by rank 0 as they become free), each cached under a key
//                        of its command line and the hashes of its input files, so a rerun redoes only what
//                        changed; an interrupted run continues with `resume`. Writes manifest.json (config, input
//                        hashes, versions, seeds, commands, output hashes; byte-identical for the same config)
//                        and timings.json (this run's wall times).
// The program supplies how a command line is executed (in-process in a forked child), so this library
// knows nothing of the command-line parser; tests supply their own.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actopo/options.hpp"

namespace actopo {

/// Every path of a results folder, results/<name>/ (docs/experiments.md). The planner, the runner and the report
/// take their paths from here and build none by hand. Paths are relative to the folder; in(rel) puts one inside it.
class ResultsLayout {
public:
    explicit ResultsLayout(std::string root = "") : root_(std::move(root)) {}
    const std::string& root() const { return root_; }
    /// `rel` inside the results folder.
    std::string in(const std::string& rel) const { return root_.empty() ? rel : root_ + "/" + rel; }

    // the run's own files
    std::string plan() const { return "experiment.json"; }
    std::string manifest() const { return "manifest.json"; }
    std::string timings() const { return "timings.json"; }
    std::string logs() const { return "logs"; }
    std::string cache() const { return ".cache"; }
    std::string state() const { return cache() + "/state.json"; }
    std::string digests() const { return cache() + "/digests.json"; }
    /// A job's file name: its id with '/' as '.' ("extract.cnn-s1").
    static std::string job_file(const std::string& job_id) {
        std::string name = job_id;
        for (auto& c : name)
            if (c == '/') c = '.';
        return name;
    }
    std::string log(const std::string& job_id) const { return logs() + "/" + job_file(job_id) + ".log"; }
    std::string record(const std::string& job_id) const { return cache() + "/" + job_file(job_id) + ".json"; }

    // the stages' outputs
    std::string model(const std::string& m) const { return "models/" + m + ".pt"; }
    std::string checkpoints(const std::string& m) const { return "models/" + m; }
    std::string checkpoint(const std::string& m, int epoch) const { return checkpoints(m) + "/epoch-" + std::to_string(epoch) + ".pt"; }
    /// The name of a model's checkpoint as a model of its own ("<m>-epoch-<k>": its store, its extract job).
    std::string checkpoint_name(const std::string& m, int epoch) const { return m + "-epoch-" + std::to_string(epoch); }
    std::string store(const std::string& m) const { return "stores/" + m + ".h5"; }
    std::string diagrams(const std::string& m) const { return "diagrams/" + m + ".h5"; }
    /// The picture of a layer's longest H1 loops that `actopo persistence --representatives` writes beside the
    /// diagrams (.png, .svg).
    std::string loops(const std::string& m, const std::string& layer, const std::string& ext = ".png") const {
        return "diagrams/" + m + "." + layer + ".loops" + ext;
    }
    /// A diagram distance matrix, named "<metric>-h<dim>"; its blocks when split; its heatmap (.svg, .png).
    std::string distances(const std::string& name, const std::string& ext = ".csv") const { return "distances/" + name + ext; }
    std::string distances_block(const std::string& name, std::size_t k) const {
        return distances(name, ".block-" + std::to_string(k) + ".csv");
    }
    std::string similarity(const std::string& metric, const std::string& ext = ".csv") const { return "similarity/" + metric + ext; }
    /// The folders of the layer x layer matrices the report shows.
    std::vector<std::string> matrix_folders() const { return {"distances", "similarity"}; }
    std::string mapper(const std::string& m) const { return "mapper/" + m + "/"; }
    std::string coactivation(const std::string& m, const std::string& ext = ".json") const { return "coactivation/" + m + ext; }
    std::string coactivation_checkpoints(const std::string& m) const { return coactivation(m, "-checkpoints.csv"); }
    /// A model's attribution maps (explain), their pictures (one "<method>.svg/.png" and "<method>-class-means"
    /// per method, named by safe_file_name) and their quality (quality.md, quality.csv, perturbation.svg, ...).
    std::string attributions(const std::string& m) const { return "explain/" + m + "/attributions.h5"; }
    std::string explain_pictures(const std::string& m) const { return "explain/" + m + "/pictures/"; }
    std::string explain_quality(const std::string& m) const { return "explain/" + m + "/quality/"; }
    /// The pictures of what a model has learnt (actopo visualize), a folder of grids (.png, .svg) per kind:
    /// "maximise" (activation maximisation of a layer's units or of the logits), "filters" (the first layer's),
    /// "maps" (a layer's activation maps for the first inputs).
    std::string explain_visualize(const std::string& m, const std::string& kind) const {
        return "explain/" + m + "/visualize/" + kind + "/";
    }
    std::string compare() const { return "compare/"; }
    std::string report() const { return "report/"; }
    std::string report_page() const { return "report/index.html"; }
    std::string report_figures() const { return "report/figures"; }
    /// A figure the report draws itself, without its extension ("<model>/<layer>-diagram" -> report/figures/...).
    std::string report_figure(const std::string& name) const { return report_figures() + "/" + name; }

private:
    std::string root_;
};

struct ModelConfig {
    std::string name;
    std::string path;                 // a TorchScript file given by the user (absolute); empty when trained
    // training (when path is empty)
    std::string arch;                 // mlp | cnn | resnet
    std::vector<int> widths;
    int epochs = 2, batch = 64;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    std::size_t train_limit = 0;
    bool checkpoints = false;         // keep epoch-<k>.pt and study them (coactivation across checkpoints)
    std::vector<std::string> layers;  // empty: every leaf layer
    OptionValues train_options;       // what the file's train: set (stage "train" of options.hpp)
};

struct ExperimentConfig {
    std::string file;                 // the YAML file
    std::string text;                 // its content
    std::map<std::string, int> lines; // line in the file of keys checked after reading ("models[1].layers" -> 6)
    /// What the file set of each stage's options (options.hpp: the stage's table), by stage; a stage the
    /// experiment has is present even when empty. The typed fields below are read from these.
    std::map<std::string, OptionValues> options;
    std::string name;
    std::uint64_t seed = 0;
    std::string dataset = "fashion-mnist";  // one of builtin_datasets() or an absolute .h5 path
    std::string split = "test";
    /// The datasets a file names instead of a .h5 path: Fashion-MNIST as images, and as sequences of its rows.
    static const std::vector<std::string>& builtin_datasets();
    bool builtin_dataset() const;
    std::size_t limit = 0;
    std::vector<ModelConfig> models;
    // sampling of every layer into a point cloud (persistence)
    std::string sampling = "avgpool";
    std::size_t points = 1000;
    // persistence (absent: no persistence, no distances)
    bool persistence = false;
    int max_dim = 1, coeff = 2;
    bool representatives = false;  // persistence.representatives or .min_persistence: loops traced to the inputs
    std::string point_metric = "euclidean", backend;
    std::optional<double> threshold;
    // distances between diagrams: metric names (bottleneck, wasserstein-P, sliced-wasserstein) x dims
    std::vector<std::string> distances;
    std::vector<int> distance_dims;
    std::size_t distance_blocks = 1;  // > 1: each matrix as this many jobs (pairs split evenly), then merged
    // mapper (absent: none)
    bool mapper = false;
    std::string lens = "l2norm", clusterer = "dbscan", cover = "uniform";
    std::size_t intervals = 10, mapper_points = 0;
    double overlap = 0.5;
    bool mapper_relu = true;
    std::vector<std::string> mapper_layers;
    // co-activation (absent: none)
    bool coactivation = false;
    std::string correlation = "spearman";
    double coactivation_threshold = 0.5;
    bool coactivation_signed = false;
    std::vector<std::string> coactivation_layers;
    // representational similarity metrics (cka, svcca, ...)
    std::vector<std::string> similarity;
    std::size_t similarity_points = 2000;
    // compare every layer x layer matrix (needs two or more)
    bool compare = true;
    std::size_t permutations = 999;
    // explanations (absent: none): options["explain"] (methods, target, limit, method options), when quality is
    // set options["explain-quality"], when visualize is set options["visualize"] (the decoder's path absolute) and
    // the kinds of picture it asks for (ResultsLayout::explain_visualize: maximise, filters, maps)
    bool explain = false;
    bool explain_quality = false;
    std::vector<std::string> visualize_kinds;
    bool report = true;
};

/// Reads and checks an experiment file. Relative paths in it are relative to the file's folder.
ExperimentConfig load_experiment(const std::string& path);

struct Job {
    std::string id;                       // "extract/cnn-s1"
    std::string stage;                    // "extract"
    std::vector<std::string> command;     // argv, command[0] == "actopo"; paths relative to the results folder
    std::vector<std::string> inputs;      // files read (absolute, or relative to the results folder when another
                                          // job writes them); their contents are part of the cache key
    std::vector<std::string> outputs;     // files (or folders, ending in '/') written, relative to the results folder
    std::vector<std::string> after;       // ids of the jobs whose outputs it reads
};

/// The jobs of an experiment in a valid order (every job after the jobs it waits for).
std::vector<Job> plan_jobs(const ExperimentConfig& config);

struct RunOptions {
    std::string results_dir;              // results/<name>
    unsigned jobs = 0;                    // parallel workers (0: the number of cores)
    bool resume = false;                  // continue an interrupted run
    bool force_all = false;               // recompute every job
    bool dry_run = false;                 // print the plan and what would run
};

/// Runs `command` (argv) with the current directory set to the results folder; returns its exit code.
/// Called in a forked child whose stdout and stderr go to the job's log.
using JobExecutor = std::function<int(const std::vector<std::string>& command)>;

struct JobRecord {
    std::string id;
    bool cached = false;
    double seconds = 0;
};
struct RunReport {
    std::vector<JobRecord> jobs;
    std::size_t ran = 0, cached = 0;
    double seconds = 0;
    bool coordinator = true;  // false on the MPI ranks other than 0 (they only ran jobs rank 0 gave them)
};

/// Runs the job graph of `config` into options.results_dir. UserError when a job fails (naming it and the last
/// line of its log), when the folder holds an unfinished run and `resume` is not set, or another run is active.
RunReport run_jobs(const ExperimentConfig& config, const std::vector<Job>& jobs, const RunOptions& options,
                   const JobExecutor& execute);

}  // namespace actopo
