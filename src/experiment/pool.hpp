#pragma once
// Where the jobs of a run execute (internal to the experiment module).
//   LocalPool - forked worker processes on this machine.
//   MpiPool   - under mpirun: rank 0 keeps one local forked worker and hands jobs to the other ranks as they
//               become free (dynamic, so uneven jobs balance); each rank runs its job in a forked child.
// Every job runs the same way wherever it lands: a child process in the results folder, its output in the
// job's log, the same atomic writes; only rank 0 decides, hashes and records.
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>

#include "actopo/experiment.hpp"

namespace actopo::detail {

/// The file name of a job's log and cache record: its id with '/' as '.' ("extract.cnn-s1").
std::string job_file_name(const std::string& job_id);

/// Forks a child that runs `job` with `execute` inside `dir`, its stdout and stderr in `log`.
pid_t fork_job(const Job& job, const std::filesystem::path& dir, const std::filesystem::path& log,
               const JobExecutor& execute);
/// In a forked child: runs `command` with `execute`, prints an exception as one line, flushes the output and
/// exits with the command's code (2 after an exception).
[[noreturn]] void execute_and_exit(const JobExecutor& execute, const std::vector<std::string>& command);
/// Exit code of a finished child as a shell would report it (128 + signal when killed).
int exit_code(int wait_status);

struct Finished {
    std::size_t job = 0;  // index into the job list
    int code = 0;         // exit code
};

class WorkerPool {
public:
    virtual ~WorkerPool() = default;
    virtual unsigned slots() const = 0;
    virtual unsigned busy() const = 0;
    /// Starts job `index` on a free slot (busy() < slots()).
    virtual void start(std::size_t index) = 0;
    /// Blocks until a started job finishes; nothing when none is running.
    virtual std::optional<Finished> wait() = 0;
    /// How the pool is made up, for the progress line ("2 workers", "3 MPI ranks").
    virtual std::string describe() const = 0;
};

struct PoolContext {
    const std::vector<Job>* jobs = nullptr;
    std::filesystem::path dir;
    JobExecutor execute;
    /// The log of job i.
    std::filesystem::path log(std::size_t i) const;
};

std::unique_ptr<WorkerPool> make_local_pool(const PoolContext& context, unsigned workers);

/// MPI: true when this build can spread jobs over mpirun ranks (MPI was found at build time).
bool mpi_supported();
/// MPI: true when this process was started by mpirun with more than one rank (MPI is initialised then).
bool mpi_distributed();
/// This process's rank (0 without MPI).
int mpi_rank();
/// Rank 0's pool over every rank.
std::unique_ptr<WorkerPool> make_mpi_pool(const PoolContext& context);
/// Ranks other than 0: run the jobs rank 0 sends until it says stop (or is gone).
void serve_jobs(const PoolContext& context);

}  // namespace actopo::detail
