// Starting other programs: fork + exec with pipes, no shell unless asked; wall time and peak memory.
#include "actopo/core/process.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "actopo/core/errors.hpp"

namespace actopo {

std::string running_program() {
    char buf[4096];
    const ssize_t k = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (k <= 0) throw EnvironmentError(std::string("cannot find the running program (/proc/self/exe: ") + std::strerror(errno) + ")");
    return std::string(buf, std::size_t(k));
}

std::string sibling_program(const std::string& name) {
    const auto path = std::filesystem::path(running_program()).parent_path() / name;
    if (access(path.c_str(), X_OK) != 0)
        throw EnvironmentError(name + " is not installed beside " + running_program() + " (expected " + path.string() +
                               "; build or install it with the rest of actopo)");
    return path.string();
}

void exec_program(const std::string& path, const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    execv(path.c_str(), args.data());
    throw EnvironmentError("cannot start " + path + " (" + std::strerror(errno) + ")");
}

namespace {

/// Forks, runs `start` in the child with stdin from a pipe and stdout (and stderr) into another; collects.
template <class Start>
ProcessResult run_child(const std::string& what, const std::string& input, bool capture_stderr, Start start) {
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) throw EnvironmentError("cannot create a pipe for " + what + " (" + std::strerror(errno) + ")");
    int ready[2];  // closed on a successful exec; carries errno when exec fails
    if (pipe2(ready, O_CLOEXEC) != 0) throw EnvironmentError("cannot create a pipe for " + what);
    const auto begin = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw EnvironmentError("cannot start " + what + " (" + std::strerror(errno) + ")");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        if (capture_stderr) dup2(out[1], 2);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(ready[0]);
        start();
        const int e = errno;
        if (write(ready[1], &e, sizeof e) < 0) {}
        _exit(127);
    }
    close(in[0]); close(out[1]); close(ready[1]);
    int exec_errno = 0;
    const bool failed = read(ready[0], &exec_errno, sizeof exec_errno) == ssize_t(sizeof exec_errno);
    close(ready[0]);
    // feed stdin (ignoring a child that stops reading), then read everything it writes
    const auto old = std::signal(SIGPIPE, SIG_IGN);
    for (std::size_t done = 0; !failed && done < input.size();) {
        const ssize_t k = write(in[1], input.data() + done, input.size() - done);
        if (k <= 0) break;
        done += std::size_t(k);
    }
    close(in[1]);
    std::signal(SIGPIPE, old);
    ProcessResult r;
    std::array<char, 65536> buf;
    for (ssize_t k; (k = read(out[0], buf.data(), buf.size())) > 0;) r.output.append(buf.data(), std::size_t(k));
    close(out[0]);
    int status = 0;
    struct rusage ru {};
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    if (failed) throw EnvironmentError("cannot start " + what + " (" + std::strerror(exec_errno) + ")");
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    r.peak_mib = double(ru.ru_maxrss) / 1024.0;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, bool capture_stderr) {
    if (argv.empty()) throw std::invalid_argument("run_process: no program");
    return run_child(argv[0], input, capture_stderr, [&] {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
    });
}

ProcessResult run_shell(const std::string& command) {
    return run_child("sh -c '" + command + "'", "", true,
                     [&] { execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr)); });
}

}  // namespace actopo
