// The stages of an experiment as `actopo` command lines: models x metrics, in dependency order. Every path
// comes from ResultsLayout; every stage option from the stage's table (options.hpp): a job gets the options the
// file set, and those whose experiment default differs from the command's.
#include <algorithm>
#include <filesystem>

#include "actopo/dataset.hpp"
#include "actopo/experiment.hpp"
#include "actopo/persistence.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;

const ResultsLayout kLayout;

std::string model_file(const ModelConfig& m) { return m.path.empty() ? kLayout.model(m.name) : m.path; }

/// The job's command gets the stage's options from the table.
void options(Job& j, const std::string& stage, const OptionValues& set, const std::vector<std::string>& skip = {}) {
    const auto args = option_arguments(stage_options(stage), set, skip);
    j.command.insert(j.command.end(), args.begin(), args.end());
}
const OptionValues& stage_set(const ExperimentConfig& c, const std::string& stage) {
    static const OptionValues none;
    const auto it = c.options.find(stage);
    return it != c.options.end() ? it->second : none;
}

/// similarity and mapper take the experiment's sampling method too (first-token for a transformer's layers), written
/// out when it is not the commands' default (so the jobs of an experiment that keeps avgpool are as they were).
void sampling_method(Job& j, const ExperimentConfig& c) {
    if (c.sampling != stage_options("sampling").at("sampling").default_value)
        j.command.insert(j.command.end(), {"--sampling", c.sampling});
}

/// The --dataset of the commands that read the inputs: fashion-mnist[-rows]:<split>, or the .h5 file.
std::string dataset_spec(const ExperimentConfig& c) { return c.builtin_dataset() ? c.dataset + ":" + c.split : c.dataset; }

/// The files of the dataset the experiment reads (part of every extraction's cache key).
std::vector<std::string> dataset_files(const ExperimentConfig& c) {
    if (!c.builtin_dataset()) return {c.dataset};
    const std::string prefix = c.split == "test" ? "t10k" : "train";
    return {fashion_mnist_dir() + "/" + prefix + "-images-idx3-ubyte.gz",
            fashion_mnist_dir() + "/" + prefix + "-labels-idx1-ubyte.gz"};
}

Job train_job(const ExperimentConfig& c, const ModelConfig& m) {
    Job j{"train/" + m.name, "train", {"actopo", "train"}, {}, {model_file(m)}, {}};
    // the reference models learn from Fashion-MNIST; a sequence model from its rows (the same images)
    if (c.dataset == "fashion-mnist-rows") j.command.insert(j.command.end(), {"--dataset", c.dataset});
    options(j, "train", m.train_options, {"checkpoints"});  // the command takes a folder for it
    auto& cmd = j.command;
    if (m.checkpoints) {
        cmd.insert(cmd.end(), {"--checkpoints", kLayout.checkpoints(m.name)});
        for (int k = 1; k <= m.epochs; ++k) j.outputs.push_back(kLayout.checkpoint(m.name, k));
    }
    cmd.insert(cmd.end(), {"--force", "-o", model_file(m)});
    return j;
}

Job extract_job(const ExperimentConfig& c, const ModelConfig& m, const std::string& model, const std::string& store,
                const std::string& id) {
    Job j{id, "extract", {"actopo", "extract", "--model", model, "--dataset", dataset_spec(c)},
          dataset_files(c), {store}, {}};
    options(j, "extract", stage_set(c, "extract"));
    j.command.insert(j.command.end(), {"--layers", m.layers.empty() ? "all" : join(m.layers, ","), "--force", "-o", store});
    j.inputs.push_back(model);
    if (m.path.empty()) j.after.push_back("train/" + m.name);
    return j;
}

std::string store_of(const ModelConfig& m) { return kLayout.store(m.name); }
std::string epoch_name(const ModelConfig& m, int k) { return kLayout.checkpoint_name(m.name, k); }

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
        if (m.path.empty()) add(train_job(c, m));
        add(extract_job(c, m, model_file(m), store_of(m), "extract/" + m.name));
        if (m.checkpoints)
            for (int k = 1; k <= m.epochs; ++k)
                add(extract_job(c, m, kLayout.checkpoint(m.name, k), kLayout.store(epoch_name(m, k)),
                                "extract/" + epoch_name(m, k)));
    }

    // persistence of every layer of every model, then the diagram distances over all (model, layer) pairs
    struct Matrix {
        std::string name, path, job;
    };
    std::vector<Matrix> matrices;  // every layer x layer matrix and the job that writes it, for compare
    if (c.persistence) {
        for (const auto& m : c.models) {
            Job j{"persistence/" + m.name, "persistence", {"actopo", "persistence", store_of(m), "--layer", "all"},
                  {store_of(m)}, {kLayout.diagrams(m.name)}, {"extract/" + m.name}};
            options(j, "sampling", stage_set(c, "sampling"));
            options(j, "persistence", stage_set(c, "persistence"), {"metric"});
            // the command's --metric also takes `precomputed`, so it is declared there; the default backend is
            // this machine's, written out so that the cache key names it
            j.command.insert(j.command.end(), {"--metric", c.point_metric, "--seed", seed});
            if (c.backend.empty()) j.command.insert(j.command.end(), {"--backend", default_backend()});
            // cocycles found on several threads may differ between runs (docs/persistence.md); artefacts must not
            if (c.representatives) j.command.insert(j.command.end(), {"--threads", "1"});
            j.command.insert(j.command.end(), {"--force", "-o", kLayout.diagrams(m.name)});
            add(std::move(j));
        }
        for (const auto& metric : c.distances)
            for (int dim : c.distance_dims) {
                const std::string name = metric + "-h" + std::to_string(dim), csv = kLayout.distances(name);
                std::vector<std::string> options;  // what the matrix is, the same for its blocks and the merge
                if (metric.rfind("wasserstein", 0) == 0)
                    options = {"--metric", "wasserstein", "--p", metric.size() > 12 ? metric.substr(12) : "1"};
                else
                    options = {"--metric", metric};
                options.insert(options.end(), {"--dim", std::to_string(dim)});
                auto matrix_job = [&](const std::string& id, const std::string& out, const std::string& block) {
                    Job j{id, "distances", {"actopo", "distances"}, {}, {out}, {}};
                    for (const auto& m : c.models) reads(j, kLayout.diagrams(m.name), "persistence/" + m.name);
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
                        const std::string out = kLayout.distances_block(name, k);
                        add(matrix_job("distances/" + name + "/block-" + std::to_string(k), out, part));
                        reads(j, out, jobs.back().id);
                    }
                    j.command.push_back("--merge");
                    j.command.insert(j.command.end(), options.begin(), options.end());
                    j.command.insert(j.command.end(), {"--force", "-o", csv});
                }
                j.outputs.insert(j.outputs.end(), {kLayout.distances(name, ".svg"), kLayout.distances(name, ".png")});
                matrices.push_back({name, csv, j.id});
                add(std::move(j));
            }
    }

    for (const auto& metric : c.similarity) {
        const std::string csv = kLayout.similarity(metric);
        Job j{"similarity/" + metric, "similarity", {"actopo", "similarity"}, {}, {csv}, {}};
        for (const auto& m : c.models) reads(j, store_of(m), "extract/" + m.name);
        if (c.models.size() > 1) j.command.push_back("--joint");
        j.command.insert(j.command.end(), {"--metric", metric});  // one job per metric
        options(j, "similarity", stage_set(c, "similarity"), {"metric"});
        sampling_method(j, c);
        j.command.insert(j.command.end(), {"--seed", seed, "--heatmap", kLayout.similarity(metric, ".svg"), "--force", "-o", csv});
        j.outputs.insert(j.outputs.end(), {kLayout.similarity(metric, ".svg"), kLayout.similarity(metric, ".png")});
        matrices.push_back({metric, csv, j.id});
        add(std::move(j));
    }

    if (c.mapper)
        for (const auto& m : c.models) {
            Job j{"mapper/" + m.name, "mapper", {"actopo", "mapper"}, {}, {kLayout.mapper(m.name)}, {}};
            reads(j, store_of(m), "extract/" + m.name);
            options(j, "mapper", stage_set(c, "mapper"));
            sampling_method(j, c);
            j.command.insert(j.command.end(), {"--seed", seed, "--force", "-o", kLayout.mapper(m.name)});
            add(std::move(j));
        }

    if (c.coactivation) {
        auto coactivation_options = [&](Job& j) {
            options(j, "coactivation", stage_set(c, "coactivation"));
            j.command.insert(j.command.end(), {"--seed", seed});
        };
        for (const auto& m : c.models) {
            const std::string id = "coactivation/" + m.name;
            Job j{id, "coactivation", {"actopo", "coactivation"}, {}, {}, {}};
            reads(j, store_of(m), "extract/" + m.name);
            coactivation_options(j);
            j.outputs = {kLayout.coactivation(m.name), kLayout.coactivation(m.name, ".svg"), kLayout.coactivation(m.name, "-top.csv")};
            j.command.insert(j.command.end(), {"--picture", j.outputs[1], "--top-csv", j.outputs[2], "--force", "-o", j.outputs[0]});
            add(std::move(j));
            if (!m.checkpoints) continue;
            const std::string csv = kLayout.coactivation_checkpoints(m.name);
            Job t{id + "-checkpoints", "coactivation", {"actopo", "coactivation"}, {}, {csv}, {}};
            for (int k = 1; k <= m.epochs; ++k)
                reads(t, kLayout.store(epoch_name(m, k)), "extract/" + epoch_name(m, k));
            coactivation_options(t);
            t.command.insert(t.command.end(), {"--force", "-o", csv});
            add(std::move(t));
        }
    }

    // attribution maps with their pictures, then (optionally) their quality, per model
    if (c.explain)
        for (const auto& m : c.models) {
            const std::string dataset = dataset_spec(c);
            auto explain_job = [&](const std::string& stage) {
                Job j{stage + "/" + m.name, stage, {"actopo", stage, "--model", model_file(m), "--dataset", dataset},
                      dataset_files(c), {}, {}};
                j.inputs.push_back(model_file(m));
                if (m.path.empty()) j.after.push_back("train/" + m.name);
                return j;
            };
            Job j = explain_job("explain");
            options(j, "explain", stage_set(c, "explain"));
            j.outputs = {kLayout.attributions(m.name), kLayout.explain_pictures(m.name)};
            j.command.insert(j.command.end(), {"--seed", seed, "--pictures", j.outputs[1], "--force", "-o", j.outputs[0]});
            add(std::move(j));
            // one `actopo visualize` per kind of picture asked for, each into its own folder, with its own options
            for (const std::string& kind : c.visualize_kinds) {
                const OptionValues& set = stage_set(c, "visualize");
                const std::vector<std::string> own = kind == "filters" ? std::vector<std::string>{"input-shape"}
                                                     : kind == "maps"  ? std::vector<std::string>{"layer", "inputs"}
                                                                       : std::vector<std::string>{};
                std::vector<std::string> skip{"filters", "activation-maps", "inputs"};
                if (!own.empty()) {
                    skip.clear();
                    for (const auto& spec : stage_options("visualize").specs)
                        if (std::find(own.begin(), own.end(), spec.name) == own.end()) skip.push_back(spec.name);
                }
                Job p = explain_job("visualize");
                p.id = "visualize/" + m.name + "/" + kind;
                options(p, "visualize", set, skip);
                if (kind != "maximise") p.command.push_back(kind == "filters" ? "--filters" : "--activation-maps");
                if (kind == "maximise" && set.count("decoder")) p.inputs.push_back(set.at("decoder"));
                p.outputs = {kLayout.explain_visualize(m.name, kind)};
                p.command.insert(p.command.end(), {"--seed", seed, "--force", "-o", p.outputs[0]});
                add(std::move(p));
            }
            if (!c.explain_quality) continue;
            Job q = explain_job("explain-quality");  // the same maps' options; its own inputs (limit) and measures
            options(q, "explain", stage_set(c, "explain"), {"limit", "batch", "picture-count"});
            options(q, "explain-quality", stage_set(c, "explain-quality"));
            q.outputs = {kLayout.explain_quality(m.name)};
            q.command.insert(q.command.end(), {"--seed", seed, "--force", "-o", q.outputs[0]});
            add(std::move(q));
        }

    if (c.compare && matrices.size() >= 2) {
        Job j{"compare", "compare", {"actopo", "compare"}, {}, {kLayout.compare()}, {}};
        for (const auto& m : matrices) {
            j.command.push_back(m.name + "=" + m.path);
            j.inputs.push_back(m.path);
            j.after.push_back(m.job);
        }
        options(j, "compare", stage_set(c, "compare"));
        j.command.insert(j.command.end(), {"--seed", seed, "--force", "-o", kLayout.compare()});
        add(std::move(j));
    }

    if (c.report) {
        Job j{"report", "report", {"actopo", "report", ".", "--force"}, {kLayout.plan()}, {kLayout.report()}, {}};
        for (const auto& other : jobs) {
            j.after.push_back(other.id);
            for (const auto& out : other.outputs) j.inputs.push_back(out);
        }
        add(std::move(j));
    }
    return jobs;
}

}  // namespace actopo
