// Forked workers, and with MPI the ranks of an mpirun (pool.hpp).
#include "pool.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <thread>

#ifdef ACTOPO_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only (no C++ bindings to link)
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

#include "actopo/core.hpp"

namespace actopo::detail {

namespace fs = std::filesystem;

std::string job_file_name(const std::string& job_id) { return ResultsLayout::job_file(job_id); }

std::filesystem::path PoolContext::log(std::size_t i) const { return ResultsLayout(dir.string()).in(ResultsLayout().log((*jobs)[i].id)); }

pid_t fork_job(const Job& job, const fs::path& dir, const fs::path& log, const JobExecutor& execute) {
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = fork();
    if (pid < 0) throw UserError("cannot start a worker process for job " + job.id + ": out of processes?");
    if (pid > 0) return pid;
    // the child: output to the job's log, working inside the results folder
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        ::close(fd);
    }
    if (chdir(dir.c_str()) != 0) _exit(2);
    // stores record their creation time: fixed, so that the same experiment gives the same bytes
    setenv("SOURCE_DATE_EPOCH", std::getenv("SOURCE_DATE_EPOCH") ? std::getenv("SOURCE_DATE_EPOCH") : "0", 1);
    std::cerr << "$ " << join(job.command, " ") << std::endl;
    execute_and_exit(execute, job.command);
}

void execute_and_exit(const JobExecutor& execute, const std::vector<std::string>& command) {
    int rc = 2;
    try {
        rc = execute(command);
    } catch (const std::exception& e) {
        std::cerr << "actopo: " << e.what() << std::endl;
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    _exit(rc);
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

namespace {

/// Forked children on this machine.
class LocalPool : public WorkerPool {
public:
    LocalPool(PoolContext context, unsigned workers) : c_(std::move(context)), workers_(workers) {}
    unsigned slots() const override { return workers_; }
    unsigned busy() const override { return unsigned(running_.size()); }
    void start(std::size_t i) override { running_[fork_job((*c_.jobs)[i], c_.dir, c_.log(i), c_.execute)] = i; }
    std::optional<Finished> wait() override { return reap(true); }
    std::string describe() const override { return std::to_string(workers_) + " workers"; }

    /// Non-blocking: a finished child, if any.
    std::optional<Finished> poll() { return reap(false); }

private:
    /// A finished child of this pool (waiting for one when `block`); nothing when none is running or, without
    /// `block`, none has finished yet.
    std::optional<Finished> reap(bool block) {
        while (!running_.empty()) {
            int status = 0;
            const pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
            if (pid < 0 && errno == EINTR) continue;
            if (pid <= 0) return std::nullopt;
            auto it = running_.find(pid);
            if (it == running_.end()) continue;  // not a job of ours
            const std::size_t i = it->second;
            running_.erase(it);
            return Finished{i, exit_code(status)};
        }
        return std::nullopt;
    }

    PoolContext c_;
    unsigned workers_;
    std::map<pid_t, std::size_t> running_;
};

#ifdef ACTOPO_WITH_MPI
constexpr int kJobTag = 1, kDoneTag = 2;
constexpr long long kStop = -1;

struct MpiSession {
    bool distributed = false;
    int rank = 0, size = 1;
    MpiSession() {
        // only under mpirun: a plain `actopo` must not start MPI (it may have none configured)
        if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE") && !std::getenv("PMIX_RANK")) return;
        int ready = 0;
        MPI_Initialized(&ready);
        if (!ready) MPI_Init(nullptr, nullptr);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        distributed = size > 1;
        if (!distributed) {
            MPI_Finalize();
            return;
        }
        std::atexit([] {
            int done = 0;
            MPI_Finalized(&done);
            if (!done) MPI_Finalize();
        });
    }
};
MpiSession& session() {
    static MpiSession s;
    return s;
}

/// Rank 0: one local forked worker plus one job at a time on every other rank.
class MpiPool : public WorkerPool {
public:
    explicit MpiPool(const PoolContext& context) : local_(context, 1) {
        for (int r = 1; r < session().size; ++r) free_ranks_.push_back(r);
    }
    ~MpiPool() override {
        for (int r = 1; r < session().size; ++r) MPI_Send(&kStop, 1, MPI_LONG_LONG, r, kJobTag, MPI_COMM_WORLD);
    }
    unsigned slots() const override { return unsigned(session().size); }
    unsigned busy() const override { return local_.busy() + unsigned(remote_.size()); }
    void start(std::size_t i) override {
        if (!free_ranks_.empty()) {  // other ranks first: rank 0 also hashes and records
            const int r = free_ranks_.back();
            free_ranks_.pop_back();
            const long long index = static_cast<long long>(i);
            MPI_Send(&index, 1, MPI_LONG_LONG, r, kJobTag, MPI_COMM_WORLD);
            remote_[r] = i;
        } else {
            local_.start(i);
        }
    }
    std::optional<Finished> wait() override {
        auto pause = std::chrono::microseconds(200);
        while (busy() > 0) {
            if (auto f = local_.poll()) return f;
            if (cancel_requested() && local_.busy() == 0) return std::nullopt;  // mpirun is stopping every rank
            int flag = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, kDoneTag, MPI_COMM_WORLD, &flag, &status);
            if (flag) {
                int code = 0;
                MPI_Recv(&code, 1, MPI_INT, status.MPI_SOURCE, kDoneTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                const std::size_t i = remote_.at(status.MPI_SOURCE);
                remote_.erase(status.MPI_SOURCE);
                free_ranks_.push_back(status.MPI_SOURCE);
                return Finished{i, code};
            }
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::microseconds(20000));
        }
        return std::nullopt;
    }
    std::string describe() const override { return std::to_string(session().size) + " MPI ranks"; }

private:
    LocalPool local_;
    std::vector<int> free_ranks_;
    std::map<int, std::size_t> remote_;
};
#endif

}  // namespace

std::unique_ptr<WorkerPool> make_local_pool(const PoolContext& context, unsigned workers) {
    return std::make_unique<LocalPool>(context, workers);
}

#ifdef ACTOPO_WITH_MPI
bool mpi_supported() { return true; }
bool mpi_distributed() { return session().distributed; }
int mpi_rank() { return session().rank; }
std::unique_ptr<WorkerPool> make_mpi_pool(const PoolContext& context) { return std::make_unique<MpiPool>(context); }
void serve_jobs(const PoolContext& context) {
    for (;;) {
        long long index = kStop;
        MPI_Recv(&index, 1, MPI_LONG_LONG, 0, kJobTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (index < 0 || std::size_t(index) >= context.jobs->size()) return;
        const std::size_t i = std::size_t(index);
        int status = 0;
        const pid_t pid = fork_job((*context.jobs)[i], context.dir, context.log(i), context.execute);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        int code = exit_code(status);
        MPI_Send(&code, 1, MPI_INT, 0, kDoneTag, MPI_COMM_WORLD);
    }
}
#else
bool mpi_supported() { return false; }
bool mpi_distributed() { return false; }
int mpi_rank() { return 0; }
std::unique_ptr<WorkerPool> make_mpi_pool(const PoolContext& context) { return make_local_pool(context, 1); }
void serve_jobs(const PoolContext&) {}
#endif

}  // namespace actopo::detail
