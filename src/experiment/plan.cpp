// The stages of an experiment as `actopo` command lines: models x metrics, in dependency order.
// Layout of the results folder (docs/experiments.md):
//   models/<m>.pt  models/<m>/epoch-<k>.pt  stores/<m>.h5  stores/<m>-epoch-<k>.h5  diagrams/<m>.h5
//   distances/<metric>-h<k>.csv  similarity/<metric>.csv  mapper/<m>/  coactivation/<m>.json
//   coactivation/<m>-checkpoints.csv  compare/  report/index.html
#include <filesystem>
#include <sstream>

#include "actopo/dataset.hpp"
#include "actopo/experiment.hpp"
#include "actopo/persistence.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

std::string num(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

std::string joined(const std::vector<std::string>& items) { return join(items, ","); }

std::string model_file(const ModelConfig& m) { return m.path.empty() ? "models/" + m.name + ".pt" : m.path; }

/// The files of the dataset the experiment reads (part of every extraction's cache key).
std::vector<std::string> dataset_files(const ExperimentConfig& c) {
    if (c.dataset != "fashion-mnist") return {c.dataset};
    const std::string prefix = c.split == "test" ? "t10k" : "train";
    return {fashion_mnist_dir() + "/" + prefix + "-images-idx3-ubyte.gz",
            fashion_mnist_dir() + "/" + prefix + "-labels-idx1-ubyte.gz"};
}

Job train_job(const ModelConfig& m) {
    Job j{"train/" + m.name, "train", {"actopo", "train", "--arch", m.arch}, {}, {model_file(m)}, {}};
    auto& cmd = j.command;
    if (!m.widths.empty()) {
        std::vector<std::string> w;
        for (int x : m.widths) w.push_back(std::to_string(x));
        cmd.insert(cmd.end(), {"--widths", joined(w)});
    }
    cmd.insert(cmd.end(), {"--epochs", std::to_string(m.epochs), "--batch", std::to_string(m.batch), "--lr", num(m.lr),
                           "--seed", std::to_string(m.seed)});
    if (m.train_limit > 0) cmd.insert(cmd.end(), {"--limit", std::to_string(m.train_limit)});
    if (m.checkpoints) {
        cmd.insert(cmd.end(), {"--checkpoints", "models/" + m.name});
        for (int k = 1; k <= m.epochs; ++k) j.outputs.push_back("models/" + m.name + "/epoch-" + std::to_string(k) + ".pt");
    }
    cmd.insert(cmd.end(), {"--force", "-o", model_file(m)});
    return j;
}

Job extract_job(const ExperimentConfig& c, const ModelConfig& m, const std::string& model, const std::string& store,
                const std::string& id) {
    Job j{id, "extract", {"actopo", "extract", "--model", model, "--dataset",
                          c.dataset == "fashion-mnist" ? "fashion-mnist:" + c.split : c.dataset},
          dataset_files(c), {store}, {}};
    if (c.limit > 0) j.command.insert(j.command.end(), {"--limit", std::to_string(c.limit)});
    j.command.insert(j.command.end(), {"--layers", m.layers.empty() ? "all" : joined(m.layers), "--force", "-o", store});
    j.inputs.push_back(model);
    if (m.path.empty()) j.after.push_back("train/" + m.name);
    return j;
}

std::string store_of(const ModelConfig& m) { return "stores/" + m.name + ".h5"; }
std::string epoch_name(const ModelConfig& m, int k) { return m.name + "-epoch-" + std::to_string(k); }

/// The job reads `path`, which the job `producer` writes: on its command line, in its key, after that job.
void reads(Job& j, const std::string& path, const std::string& producer) {
    j.command.push_back(path);
    j.inputs.push_back(path);
    j.after.push_back(producer);
}

}  // namespace

std::vector<Job> plan_jobs(const ExperimentConfig& c) {
    std::vector<Job> jobs;
    const std::string seed = std::to_string(c.seed);
    auto add = [&jobs](Job j) { jobs.push_back(std::move(j)); };

    for (const auto& m : c.models) {
        if (m.path.empty()) add(train_job(m));
        add(extract_job(c, m, model_file(m), store_of(m), "extract/" + m.name));
        if (m.checkpoints)
            for (int k = 1; k <= m.epochs; ++k)
                add(extract_job(c, m, "models/" + m.name + "/epoch-" + std::to_string(k) + ".pt",
                                "stores/" + epoch_name(m, k) + ".h5", "extract/" + epoch_name(m, k)));
    }

    // persistence of every layer of every model, then the diagram distances over all (model, layer) pairs
    struct Matrix {
        std::string name, path, job;
    };
    std::vector<Matrix> matrices;  // every layer x layer matrix and the job that writes it, for compare
    if (c.persistence) {
        for (const auto& m : c.models) {
            Job j{"persistence/" + m.name, "persistence", {"actopo", "persistence", store_of(m), "--layer", "all",
                  "--sampling", c.sampling, "--points", std::to_string(c.points), "--seed", seed,
                  "--max-dim", std::to_string(c.max_dim), "--metric", c.point_metric,
                  "--backend", c.backend.empty() ? default_backend() : c.backend, "--coeff", std::to_string(c.coeff)},
                  {store_of(m)}, {"diagrams/" + m.name + ".h5"}, {"extract/" + m.name}};
            if (c.threshold) j.command.insert(j.command.end(), {"--threshold", num(*c.threshold)});
            j.command.insert(j.command.end(), {"--force", "-o", "diagrams/" + m.name + ".h5"});
            add(std::move(j));
        }
        for (const auto& metric : c.distances)
            for (int dim : c.distance_dims) {
                const std::string name = metric + "-h" + std::to_string(dim), csv = "distances/" + name + ".csv";
                std::vector<std::string> options;  // what the matrix is, the same for its blocks and the merge
                if (metric.rfind("wasserstein", 0) == 0)
                    options = {"--metric", "wasserstein", "--p", metric.size() > 12 ? metric.substr(12) : "1"};
                else
                    options = {"--metric", metric};
                options.insert(options.end(), {"--dim", std::to_string(dim)});
                auto matrix_job = [&](const std::string& id, const std::string& out, const std::string& block) {
                    Job j{id, "distances", {"actopo", "distances"}, {}, {out}, {}};
                    for (const auto& m : c.models) reads(j, "diagrams/" + m.name + ".h5", "persistence/" + m.name);
                    j.command.insert(j.command.end(), options.begin(), options.end());
                    if (!block.empty()) j.command.insert(j.command.end(), {"--block", block});
                    j.command.insert(j.command.end(), {"--force", "-o", out});
                    return j;
                };
                Job j;
                if (c.distance_blocks <= 1) {
                    j = matrix_job("distances/" + name, csv, "");
                } else {  // blocks as separate jobs (for MPI ranks), then one job merges them
                    j = Job{"distances/" + name, "distances", {"actopo", "distances"}, {}, {csv}, {}};
                    for (std::size_t k = 1; k <= c.distance_blocks; ++k) {
                        const std::string part = std::to_string(k) + "/" + std::to_string(c.distance_blocks);
                        const std::string out = "distances/" + name + ".block-" + std::to_string(k) + ".csv";
                        add(matrix_job("distances/" + name + "/block-" + std::to_string(k), out, part));
                        reads(j, out, jobs.back().id);
                    }
                    j.command.push_back("--merge");
                    j.command.insert(j.command.end(), options.begin(), options.end());
                    j.command.insert(j.command.end(), {"--force", "-o", csv});
                }
                j.outputs.insert(j.outputs.end(), {"distances/" + name + ".svg", "distances/" + name + ".png"});
                matrices.push_back({name, csv, j.id});
                add(std::move(j));
            }
    }

    for (const auto& metric : c.similarity) {
        const std::string csv = "similarity/" + metric + ".csv";
        Job j{"similarity/" + metric, "similarity", {"actopo", "similarity"}, {}, {csv}, {}};
        for (const auto& m : c.models) reads(j, store_of(m), "extract/" + m.name);
        if (c.models.size() > 1) j.command.push_back("--joint");
        j.command.insert(j.command.end(), {"--metric", metric, "--points", std::to_string(c.similarity_points), "--seed",
                                           seed, "--heatmap", "similarity/" + metric + ".svg", "--force", "-o", csv});
        j.outputs.insert(j.outputs.end(), {"similarity/" + metric + ".svg", "similarity/" + metric + ".png"});
        matrices.push_back({metric, csv, j.id});
        add(std::move(j));
    }

    if (c.mapper)
        for (const auto& m : c.models) {
            Job j{"mapper/" + m.name, "mapper", {"actopo", "mapper"}, {}, {"mapper/" + m.name + "/"}, {}};
            reads(j, store_of(m), "extract/" + m.name);
            j.command.insert(j.command.end(), {"--layer", c.mapper_layers.empty() ? "all" : joined(c.mapper_layers),
                                               "--lens", c.lens, "--intervals", std::to_string(c.intervals), "--overlap",
                                               num(c.overlap), "--cover", c.cover, "--clusterer", c.clusterer,
                                               "--points", std::to_string(c.mapper_points), "--seed", seed});
            if (c.mapper_relu) j.command.push_back("--relu");
            j.command.insert(j.command.end(), {"--force", "-o", "mapper/" + m.name + "/"});
            add(std::move(j));
        }

    if (c.coactivation) {
        auto options = [&](Job& j) {
            if (!c.coactivation_layers.empty()) j.command.insert(j.command.end(), {"--layers", joined(c.coactivation_layers)});
            j.command.insert(j.command.end(), {"--correlation", c.correlation, "--threshold", num(c.coactivation_threshold),
                                               "--seed", seed});
            if (c.coactivation_signed) j.command.push_back("--signed");
        };
        for (const auto& m : c.models) {
            const std::string stem = "coactivation/" + m.name;
            Job j{stem, "coactivation", {"actopo", "coactivation"}, {}, {}, {}};
            reads(j, store_of(m), "extract/" + m.name);
            options(j);
            j.command.insert(j.command.end(), {"--picture", stem + ".svg", "--top-csv", stem + "-top.csv", "--force", "-o",
                                               stem + ".json"});
            j.outputs = {stem + ".json", stem + ".svg", stem + "-top.csv"};
            add(std::move(j));
            if (!m.checkpoints) continue;
            Job t{stem + "-checkpoints", "coactivation", {"actopo", "coactivation"}, {}, {stem + "-checkpoints.csv"}, {}};
            for (int k = 1; k <= m.epochs; ++k)
                reads(t, "stores/" + epoch_name(m, k) + ".h5", "extract/" + epoch_name(m, k));
            options(t);
            t.command.insert(t.command.end(), {"--force", "-o", stem + "-checkpoints.csv"});
            add(std::move(t));
        }
    }

    if (c.compare && matrices.size() >= 2) {
        Job j{"compare", "compare", {"actopo", "compare"}, {}, {"compare/"}, {}};
        for (const auto& m : matrices) {
            j.command.push_back(m.name + "=" + m.path);
            j.inputs.push_back(m.path);
            j.after.push_back(m.job);
        }
        j.command.insert(j.command.end(), {"--permutations", std::to_string(c.permutations), "--seed", seed, "--force",
                                           "-o", "compare/"});
        add(std::move(j));
    }

    if (c.report) {
        Job j{"report", "report", {"actopo", "report", ".", "--force"}, {"experiment.json"}, {"report/"}, {}};
        for (const auto& other : jobs) {
            j.after.push_back(other.id);
            for (const auto& out : other.outputs) j.inputs.push_back(out);
        }
        add(std::move(j));
    }
    return jobs;
}

}  // namespace actopo
