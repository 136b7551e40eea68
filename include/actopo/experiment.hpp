#pragma once
// Experiments: one YAML file -> a graph of jobs -> every artefact in results/<name>/ (docs/experiments.md).
//   load_experiment()  - parses and checks the whole file before any work: an unknown key, a wrong type, a
//                        missing file is one UserError "file:line: key: what was expected".
//   plan_jobs()        - the stages (train, extract, persistence, distances, similarity, mapper, coactivation,
//                        compare, report) as jobs over models x metrics. A job is an `actopo` command line run in
//                        the results folder, with the files it reads and writes and the jobs it waits for.
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

namespace actopo {

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
};

struct ExperimentConfig {
    std::string file;                 // the YAML file
    std::string text;                 // its content
    std::string name;
    std::uint64_t seed = 0;
    std::string dataset = "fashion-mnist";  // "fashion-mnist" or an absolute .h5 path
    std::string split = "test";
    std::size_t limit = 0;
    std::vector<ModelConfig> models;
    // sampling of every layer into a point cloud (persistence)
    std::string sampling = "avgpool";
    std::size_t points = 1000;
    // persistence (absent: no persistence, no distances)
    bool persistence = false;
    int max_dim = 1, coeff = 2;
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
