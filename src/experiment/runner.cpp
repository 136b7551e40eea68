// Running an experiment's job graph: forked workers, a cache keyed by command line + input hashes,
// resume after an interruption, the manifest.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "actopo/core.hpp"
#include "actopo/experiment.hpp"
#include "pool.hpp"

namespace actopo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// sha256 of files, remembered by (size, modification time) so a store is hashed once, not on every rerun.
class Digests {
public:
    explicit Digests(json known) : known_(std::move(known)) {}

    /// A file's sha256, or of a folder: sha256 over its files' relative paths and hashes, sorted.
    /// `fresh`: hash again even when size and time are unchanged (a job may rewrite a file within one clock tick).
    std::string of(const fs::path& path, bool fresh = false) {
        if (fs::is_directory(path)) {
            std::vector<std::string> lines;
            for (const auto& e : fs::recursive_directory_iterator(path))
                if (e.is_regular_file()) lines.push_back(fs::relative(e.path(), path).string() + " " + of(e.path(), fresh));
            std::sort(lines.begin(), lines.end());
            return sha256_string(join(lines, "\n"));
        }
        if (!fs::exists(path)) throw UserError(path.string() + ": an input of the experiment is missing");
        const std::string stamp = std::to_string(fs::file_size(path)) + ":" +
                                  std::to_string(fs::last_write_time(path).time_since_epoch().count());
        const std::string key = fs::absolute(path).lexically_normal().string();
        auto it = known_.find(key);
        if (!fresh && it != known_.end() && (*it)["stamp"] == stamp) return (*it)["sha256"];
        const std::string sha = sha256_file(path.string());
        known_[key] = {{"stamp", stamp}, {"sha256", sha}};
        return sha;
    }
    const json& known() const { return known_; }

private:
    json known_;
};

json read_json_or(const fs::path& path, json fallback) {
    if (!fs::exists(path)) return fallback;
    try {
        return json::parse(read_text_file(path.string()));
    } catch (const json::exception&) {
        return fallback;  // a damaged cache record means: recompute
    }
}

std::string last_line(const fs::path& log) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line))
        if (!trim(line).empty()) last = trim(line);
    return last;
}

/// A process that exists and is not a zombie (one killed whose parent has not reaped it writes nothing).
bool process_alive(long pid) {
    if (pid <= 0 || (kill(pid_t(pid), 0) != 0 && errno != EPERM)) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');  // "pid (name) state ...": the name may hold spaces and parentheses
    return paren == std::string::npos || paren + 2 >= text.size() || (text[paren + 2] != 'Z' && text[paren + 2] != 'X');
}

/// Runs `command` with `execute` in a forked child (as a job runs, but before any job); its exit code, with what it
/// printed (stdout and stderr) in `output`.
int run_captured(const std::vector<std::string>& command, const JobExecutor& execute, std::string& output) {
    int fds[2];
    if (pipe(fds) != 0) throw UserError("cannot start a process to check the experiment: out of file descriptors?");
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = fork();
    if (pid < 0) throw UserError("cannot start a process to check the experiment: out of processes?");
    if (pid == 0) {
        ::close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        ::close(fds[1]);
        detail::execute_and_exit(execute, command);
    }
    ::close(fds[1]);
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) output.append(buf, std::size_t(n));
        else if (n == 0 || errno != EINTR) break;
    }
    ::close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return detail::exit_code(status);
}

/// The last non-empty line of a command's output, without the program's "actopo: " prefix.
std::string last_message(const std::string& output) {
    std::string last;
    for (const auto& line : split(output, '\n'))
        if (!trim(line).empty()) last = trim(line);
    return last.rfind("actopo: ", 0) == 0 ? last.substr(8) : last;
}

/// A folder that `actopo run` can write results into: the nearest existing folder on its way must be a folder
/// this user may write in. UserError naming the path otherwise.
void check_results_folder(const fs::path& dir) {
    const fs::path target = fs::absolute(dir).lexically_normal();
    for (fs::path p = target;; p = p.parent_path()) {
        std::error_code ec;
        const auto status = fs::status(p, ec);
        if (fs::exists(status)) {
            if (!fs::is_directory(status))
                throw UserError(p.string() + ": is a file, not a folder (the results go to " + target.string() +
                                "; choose another --results)");
            if (::access(p.c_str(), W_OK | X_OK) != 0)
                throw UserError(p.string() + ": this folder is not writable (the results go to " + target.string() +
                                "; choose another --results)");
            return;
        }
        if (p == p.parent_path() || p.empty()) return;
    }
}

/// The name's pid when it is a temporary of AtomicOutput (".<target>.tmp-<pid>"), else 0.
long temporary_owner(const std::string& name) {
    const auto at = name.rfind(".tmp-");
    if (name.empty() || name[0] != '.' || at == std::string::npos || at + 5 >= name.size()) return 0;
    const std::string digits = name.substr(at + 5);
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return 0;
    return std::stol(digits);
}

/// Versions of the Debian packages the results depend on (dpkg-query), for the manifest.
json package_versions() {
    json out = json::object();
    ProcessResult run;
    try {
        run = run_process({"dpkg-query", "-W", "-f=${Package} ${Version}\n", "libtorch-dev", "libgudhi-dev",
                           "libhdf5-dev", "libeigen3-dev", "libboost-dev", "libigraph-dev", "graphviz", "ripser",
                           "libyaml-cpp-dev", "libcairo2-dev"});
    } catch (const EnvironmentError&) {
        return out;  // not a Debian system: no versions to record
    }
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) {
        auto parts = split(trim(line), ' ');
        if (parts.size() == 2) out[parts[0]] = parts[1];
    }
    return out;
}

class Runner {
public:
    Runner(const ExperimentConfig& config, const std::vector<Job>& jobs, const RunOptions& options,
           const JobExecutor& execute)
        : config_(config), jobs_(jobs), o_(options), dir_(options.results_dir),
          layout_(options.results_dir), digests_(read_json_or(layout_.in(layout_.digests()), json::object())) {
        context_.jobs = &jobs_;
        context_.dir = dir_;
        context_.execute = execute;
    }

    RunReport run() {
        check_graph();
        if (o_.dry_run) {
            check_experiment();
            return dry_run();
        }
        if (detail::mpi_distributed() && detail::mpi_rank() != 0) {  // a worker rank: run what rank 0 sends
            detail::serve_jobs(context_);
            report_.coordinator = false;
            return report_;
        }
        // made first: with MPI its destructor releases the other ranks however this run ends
        auto pool = detail::mpi_distributed() ? detail::make_mpi_pool(context_) : detail::make_local_pool(context_, workers());
        check_experiment();  // everything that can be known before a job runs
        try {
            fs::create_directories(layout_.in(layout_.cache()));
            fs::create_directories(layout_.in(layout_.logs()));
        } catch (const fs::filesystem_error& e) {
            throw UserError(dir_.string() + ": cannot make the results folder (" + e.code().message() + ")");
        }
        claim();
        remove_stale_temporaries();
        write_text_file(layout_.in(layout_.plan()), plan_json().dump(1) + "\n", true);
        const auto start = std::chrono::steady_clock::now();
        const std::string started = iso_time_now();
        schedule(*pool);
        report_.seconds = seconds_since(start);
        save_digests();
        if (!failure_.empty() || cancel_requested()) {
            // interrupted: the next run refuses without --resume; a failed job: the next run may simply start
            set_state(failure_.empty() ? "interrupted" : "failed");
            if (!failure_.empty()) throw UserError(failure_);
            throw Cancelled();
        }
        write_text_file(layout_.in(layout_.manifest()), manifest().dump(1) + "\n", true);
        json timings{{"started", started}, {"finished", iso_time_now()}, {"seconds", report_.seconds},
                     {"workers", pool->describe()}, {"jobs", json::array()}};
        for (const auto& r : report_.jobs)
            timings["jobs"].push_back({{"id", r.id}, {"cached", r.cached}, {"seconds", r.seconds}});
        write_text_file(layout_.in(layout_.timings()), timings.dump(1) + "\n", true);
        set_state("complete");
        say("run " + config_.name + ": " + std::to_string(report_.ran) + " jobs ran, " + std::to_string(report_.cached) +
            " cached, " + std::to_string(int(report_.seconds + 0.5)) + " s; manifest " + layout_.in(layout_.manifest()));
        return report_;
    }

private:
    enum class Status { waiting, running, done, failed };

    unsigned workers() const { return o_.jobs > 0 ? o_.jobs : std::max(1u, std::thread::hardware_concurrency()); }
    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }
    void say(const std::string& line) const {
        if (!quiet()) std::cerr << line << std::endl;
    }
    std::string counter() const {
        const std::string total = std::to_string(jobs_.size());
        std::string k = std::to_string(finished_);
        return "[" + std::string(total.size() - std::min(total.size(), k.size()), ' ') + k + "/" + total + "]";
    }

    void check_graph() {
        for (std::size_t i = 0; i < jobs_.size(); ++i) {
            index_[jobs_[i].id] = i;
            for (const auto& a : jobs_[i].after)
                if (!index_.count(a)) throw std::logic_error("job " + jobs_[i].id + " waits for unknown or later job " + a);
        }
    }

    RunReport dry_run() {
        for (const auto& j : jobs_) {
            const bool cached = !o_.force_all && fs::exists(record_path(j));
            std::cout << (cached ? "cached? " : "run     ") << j.id << ": " << join(j.command, " ") << "\n";
        }
        return report_;
    }

    /// What can be checked before any job: the results folder is usable, and every given model loads and holds
    /// the layers the file names, in `layers:` and in explain's `layer` and `visualize.layer` (through the program's
    /// own `inspect MODEL --check-layers L`, once per model, so this library needs no LibTorch). UserError
    /// "file:line: key: what is wrong", the key being the one that names the missing layer.
    void check_experiment() {
        check_results_folder(dir_);
        std::vector<std::pair<std::string, std::string>> named;  // (key, layer) of the explain stages
        for (const auto& [stage, key] : {std::pair{"explain", "explain.layer"}, {"visualize", "explain.visualize.layer"}}) {
            const auto options = config_.options.find(stage);
            if (options == config_.options.end()) continue;
            const auto layer = options->second.find("layer");
            if (layer != options->second.end() && !layer->second.empty()) named.emplace_back(key, layer->second);
        }
        for (std::size_t i = 0; i < config_.models.size(); ++i) {
            const ModelConfig& m = config_.models[i];
            if (m.path.empty()) continue;
            std::vector<std::string> layers = m.layers;
            for (const auto& n : named) layers.push_back(n.second);
            std::string output;
            const std::vector<std::string> command{"actopo", "inspect", m.path, "--check-layers",
                                                   layers.empty() ? "all" : join(layers, ",")};
            const int code = run_captured(command, context_.execute, output);
            if (code == 0) continue;
            const std::string message = last_message(output);
            const std::string where = "models[" + std::to_string(i) + "]";
            // a layer it lacks is the fault of the key naming it; a model that does not load, of `path:`
            std::string key = where + ".path";
            const auto missing = message.find("has no layer '");
            if (missing != std::string::npos) {
                const std::size_t from = missing + 14, to = message.find('\'', from);
                const std::string layer = message.substr(from, to == std::string::npos ? std::string::npos : to - from);
                key = where + ".layers";
                for (const auto& n : named)
                    if (n.second == layer && std::find(m.layers.begin(), m.layers.end(), layer) == m.layers.end()) key = n.first;
            }
            const auto line = config_.lines.find(key);
            throw UserError(config_.file + (line != config_.lines.end() ? ":" + std::to_string(line->second) : "") + ": " +
                            key + ": " + (message.empty() ? "cannot be loaded (exit " + std::to_string(code) + ")" : message));
        }
    }

    /// Temporaries (".<name>.tmp-<pid>") that killed jobs left behind: removed once no process of theirs runs.
    void remove_stale_temporaries() {
        std::vector<fs::path> stale;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(dir_, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            const long pid = temporary_owner(it->path().filename().string());
            if (pid > 0 && !process_alive(pid)) stale.push_back(it->path());
        }
        for (const auto& p : stale) fs::remove_all(p, ec);
    }

    /// Marks the folder as being written by this process; refuses an unfinished run without --resume.
    void claim() {
        const fs::path state = layout_.in(layout_.state());
        json s = read_json_or(state, json::object());
        if (s.value("state", "") == "interrupted" && !o_.resume)
            throw UserError(dir_.string() + ": the last run stopped before finishing (interrupted; started " +
                            s.value("started", "?") + "); add --resume to continue it (finished jobs are kept)");
        if (s.value("state", "") == "running") {
            const long pid = s.value("pid", 0L);
            if (pid != long(getpid()) && process_alive(pid))
                throw UserError(dir_.string() + ": another run (process " + std::to_string(pid) +
                                ") is writing this folder; wait for it to finish");
            if (!o_.resume)
                throw UserError(dir_.string() + ": the last run stopped before finishing (started " +
                                s.value("started", "?") + "); add --resume to continue it (finished jobs are kept)");
        }
        started_ = iso_time_now();
        set_state("running");
    }
    void set_state(const std::string& state) {
        json s{{"state", state}, {"pid", long(getpid())}, {"started", started_}};
        write_text_file(layout_.in(layout_.state()), s.dump() + "\n", true);
    }
    void save_digests() { write_text_file(layout_.in(layout_.digests()), digests_.known().dump() + "\n", true); }

    /// A job's file: absolute as given, else inside the results folder.
    fs::path resolve(const std::string& p) const { return fs::path(p).is_absolute() ? fs::path(p) : dir_ / p; }

    /// sha256 of the tool version, the command line and the digests of the input files.
    std::string key_of(const Job& job) {
        std::string text = "actopo " + version() + "\n" + join(job.command, "\x1f") + "\n";
        for (const auto& in : job.inputs) text += in + " " + digests_.of(resolve(in)) + "\n";
        return sha256_string(text);
    }

    fs::path record_path(const Job& job) const { return layout_.in(layout_.record(job.id)); }

    /// True when the job's record has this key and every output still has the digest it had; then the key and
    /// the outputs' digests are kept for the manifest.
    bool cached(const Job& job, const std::string& key) {
        if (o_.force_all) return false;
        json rec = read_json_or(record_path(job), json::object());
        if (rec.value("key", "") != key) return false;
        for (const auto& out : job.outputs) {
            const fs::path p = resolve(out);
            if (!fs::exists(p) || !rec["outputs"].contains(out) || rec["outputs"][out] != digests_.of(p)) return false;
        }
        keys_[job.id] = key;
        outputs_[job.id] = rec["outputs"];
        return true;
    }

    /// After the job succeeded: its outputs' digests, with the key it ran under, into its cache record.
    void record(const Job& job) {
        const std::string& key = keys_.at(job.id);
        json outs = json::object();
        for (const auto& out : job.outputs) {
            const fs::path p = resolve(out);
            if (!fs::exists(p) || (fs::is_directory(p) && fs::is_empty(p)))
                throw UserError("job " + job.id + " finished without writing " + out);
            outs[out] = digests_.of(p, true);
        }
        write_text_file(record_path(job).string(), json{{"key", key}, {"outputs", outs}}.dump(1) + "\n", true);
        outputs_[job.id] = outs;
    }

    void schedule(detail::WorkerPool& pool) {
        std::vector<Status> status(jobs_.size(), Status::waiting);
        std::map<std::size_t, std::chrono::steady_clock::time_point> started;
        say("run " + config_.name + ": " + std::to_string(jobs_.size()) + " jobs, " + pool.describe() +
            ", results in " + dir_.string());
        auto ready = [&](std::size_t i) {
            if (status[i] != Status::waiting) return false;
            for (const auto& a : jobs_[i].after)
                if (status[index_.at(a)] != Status::done) return false;
            return true;
        };
        for (;;) {
            bool launched_or_cached = false;
            for (std::size_t i = 0; i < jobs_.size() && failure_.empty() && !cancel_requested(); ++i) {
                if (pool.busy() >= pool.slots()) break;
                if (!ready(i)) continue;
                const std::string key = key_of(jobs_[i]);
                if (cached(jobs_[i], key)) {
                    status[i] = Status::done;
                    ++finished_;
                    ++report_.cached;
                    report_.jobs.push_back({jobs_[i].id, true, 0});
                    say(counter() + " cached   " + jobs_[i].id);
                    launched_or_cached = true;
                    continue;
                }
                keys_[jobs_[i].id] = key;
                std::remove(record_path(jobs_[i]).c_str());  // stale until this run records it
                pool.start(i);
                started[i] = std::chrono::steady_clock::now();
                status[i] = Status::running;
                say(counter() + " started  " + jobs_[i].id);
                launched_or_cached = true;
            }
            if (launched_or_cached) continue;
            const auto finished = pool.wait();
            if (!finished) break;
            const std::size_t i = finished->job;
            const Job& job = jobs_[i];
            const double secs = seconds_since(started.at(i));
            if (finished->code == 0) {
                try {
                    record(job);
                } catch (const UserError& e) {
                    status[i] = Status::failed;
                    if (failure_.empty()) failure_ = e.what();
                    continue;
                }
                status[i] = Status::done;
                ++finished_;
                ++report_.ran;
                report_.jobs.push_back({job.id, false, secs});
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.1f", secs);
                say(counter() + " done     " + job.id + " (" + buf + " s)");
            } else {
                status[i] = Status::failed;
                const fs::path log = context_.log(i);
                if (failure_.empty() && !(cancel_requested() && finished->code == 130))
                    failure_ = "job " + job.id + " failed (exit " + std::to_string(finished->code) + "): " + last_line(log) +
                               " (log: " + log.string() + ")";
            }
        }
    }

    json plan_json() const {
        json j{{"name", config_.name}, {"seed", config_.seed}, {"config", config_.text},
               {"config_file", fs::path(config_.file).filename().string()}, {"jobs", json::array()}};
        for (const auto& job : jobs_)
            j["jobs"].push_back({{"id", job.id}, {"stage", job.stage}, {"command", join(job.command, " ")},
                                 {"outputs", job.outputs}, {"after", job.after}});
        return j;
    }

    /// Every stage's parameters as the experiment runs them (what the file set, else the table's defaults).
    json parameters() const {
        json p = json::object();
        for (const auto& stage : option_stages()) {
            const auto it = config_.options.find(stage);
            if (it != config_.options.end()) p[stage] = resolved_options(stage_options(stage), it->second);
        }
        for (const auto& model : config_.models)
            if (model.path.empty()) p["train/" + model.name] = resolved_options(stage_options("train"), model.train_options);
        return p;
    }

    json manifest() {
        json m{{"format", "actopo-manifest"},
               {"version", 1},
               {"experiment", config_.name},
               {"config_file", fs::path(config_.file).filename().string()},
               {"config_sha256", sha256_string(config_.text)},
               {"config", config_.text},
               {"actopo_version", version()},
               {"packages", package_versions()},
               {"seeds", {{"experiment", config_.seed}}},
               {"parameters", parameters()},
               {"inputs", json::object()},
               {"jobs", json::array()},
               {"timings", "timings.json"}};
        for (const auto& model : config_.models)
            if (model.path.empty()) m["seeds"]["train/" + model.name] = model.seed;
        for (const auto& job : jobs_) {
            for (const auto& in : job.inputs)
                if (fs::path(in).is_absolute()) m["inputs"][in] = digests_.of(in);
            m["jobs"].push_back({{"id", job.id}, {"command", join(job.command, " ")}, {"key", keys_[job.id]},
                                 {"outputs", outputs_[job.id]}});
        }
        return m;
    }

    const ExperimentConfig& config_;
    const std::vector<Job>& jobs_;
    RunOptions o_;
    fs::path dir_;
    ResultsLayout layout_;
    Digests digests_;
    detail::PoolContext context_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> keys_;
    std::map<std::string, json> outputs_;
    RunReport report_;
    std::size_t finished_ = 0;
    std::string failure_;
    std::string started_;  // when this run claimed the folder
};

}  // namespace

RunReport run_jobs(const ExperimentConfig& config, const std::vector<Job>& jobs, const RunOptions& options,
                   const JobExecutor& execute) {
    return Runner(config, jobs, options, execute).run();
}

}  // namespace actopo
