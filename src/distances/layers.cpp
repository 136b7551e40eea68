// The diagrams behind a layer x layer or model x model matrix: every layer of each activation store
// (sampled, then Rips persistence, layers in parallel), or the diagrams of diagram files.
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "actopo/store.hpp"

namespace actopo {
namespace {

struct Job {
    std::string prefix, layer;
    RipsInput input;     // from a store
    Diagrams diagrams;   // or read from a file
    bool from_file = false;
};

bool has_diagram_groups(const std::string& path) {
    try {
        return !diagram_groups(path).empty();
    } catch (const UserError&) {
        return false;
    }
}

}  // namespace

std::vector<NamedDiagram> layer_diagrams(const std::vector<std::string>& inputs, const LayerDiagramOptions& o) {
    if (inputs.empty()) throw UserError("no input: give activation stores (.h5) or diagram files");
    const bool several = inputs.size() > 1;
    std::vector<Job> jobs;
    std::vector<std::string> prefixes;
    for (const auto& path : inputs) {
        if (!std::filesystem::exists(path)) throw UserError(path + ": no such file");
        std::string stem = std::filesystem::path(path).stem().string();
        if (std::find(prefixes.begin(), prefixes.end(), stem) != prefixes.end())
            throw UserError(path + ": another input is also named '" + stem +
                            "'; rename one so that the matrix rows can be told apart");
        prefixes.push_back(stem);
        const std::string ext = std::filesystem::path(path).extension().string();
        const bool h5 = ext == ".h5" || ext == ".hdf5";
        if (h5 && !has_diagram_groups(path)) {
            StoreReader store(path);
            if (store.layer_names().empty()) throw UserError(path + ": the activation store has no layers");
            for (const auto& layer : store.layer_names()) {
                throw_if_cancelled();
                PointCloud cloud = sample_layer(store, layer, o.sampling);
                Job j;
                j.prefix = stem;
                j.layer = layer;
                j.input = RipsInput::from_points(std::move(cloud.points), o.metric);
                jobs.push_back(std::move(j));
            }
        } else if (h5) {
            for (const auto& group : diagram_groups(path)) {
                Job j{stem, group, {}, read_diagrams(path, group), true};
                jobs.push_back(std::move(j));
            }
        } else {
            Job j{stem, stem, {}, read_diagrams(path), true};
            jobs.push_back(std::move(j));
        }
    }
    std::size_t computed = 0;
    for (const auto& j : jobs) computed += !j.from_file;
    RipsOptions rips = o.rips;
    rips.max_dim = std::max(rips.max_dim, o.dim);
    std::size_t nthreads = o.threads > 0 ? std::size_t(o.threads) : std::max(1u, std::thread::hardware_concurrency());
    nthreads = std::max<std::size_t>(1, std::min(nthreads, computed));
    if (computed > 0) {
        rips.threads = 1;  // parallel over layers instead
        Progress progress("persistence of " + count_noun(computed, "layer"), computed);
        std::mutex mutex;
        parallel_for(jobs.size(), unsigned(nthreads), [&](std::size_t k) {
            if (jobs[k].from_file) return;
            throw_if_cancelled();
            jobs[k].diagrams = compute_persistence(jobs[k].input, rips, o.backend);
            jobs[k].input = RipsInput{};
            std::lock_guard<std::mutex> lock(mutex);
            progress.advance();
        });
        progress.finish();
    }
    std::vector<NamedDiagram> out;
    for (auto& j : jobs) {
        std::string name = several ? j.prefix + ":" + j.layer : j.layer;
        try {
            out.push_back({name, j.diagrams.dim(o.dim)});
        } catch (const UserError& e) {
            throw UserError(name + ": " + e.what());
        }
    }
    return out;
}

}  // namespace actopo
