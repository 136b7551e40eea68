// Starting other programs: fork + exec with pipes, no shell unless asked; wall time and peak memory.
#include "actopo/core/process.hpp"
#include "actopo/core/coprocess.hpp"

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

namespace {
/// argv as execv takes it (pointers into the strings, then a null).
std::vector<char*> c_args(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    return args;
}
}  // namespace

void exec_program(const std::string& path, const std::vector<std::string>& argv) {
    auto args = c_args(argv);
    std::fflush(stdout);
    std::fflush(stderr);
    execv(path.c_str(), args.data());
    throw EnvironmentError("cannot start " + path + " (" + std::strerror(errno) + ")");
}

namespace {

/// A started child: its pid, the write end of its stdin and the read end of its stdout.
struct Child {
    pid_t pid;
    int in, out;
    std::chrono::steady_clock::time_point begin;
};

/// Forks and runs `start` in the child with stdin from a pipe and stdout (and stderr) into another;
/// EnvironmentError when `start` returns (the exec failed), with its errno.
template <class Start>
Child spawn(const std::string& what, bool capture_stderr, Start start) {
    int out[2], in[2];
    // close-on-exec, so that a later child does not hold this one's pipes open (dup2 clears it on 0, 1 and 2)
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0) throw EnvironmentError("cannot create a pipe for " + what + " (" + std::strerror(errno) + ")");
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
    if (failed) {
        close(in[1]);
        close(out[0]);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
        throw EnvironmentError("cannot start " + what + " (" + std::strerror(exec_errno) + ")");
    }
    return Child{pid, in[1], out[0], begin};
}

/// Waits for the child; its exit code, or 128 + signal.
int wait_child(pid_t pid, struct rusage* ru) {
    int status = 0;
    while (wait4(pid, &status, 0, ru) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Writes all of `data` to `fd`, ignoring a reader that stopped reading (no SIGPIPE); false when it did.
bool write_all(int fd, const std::string& data) {
    const auto old = std::signal(SIGPIPE, SIG_IGN);
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t k = write(fd, data.data() + done, data.size() - done);
        if (k <= 0) break;
        done += std::size_t(k);
    }
    std::signal(SIGPIPE, old);
    return done == data.size();
}

/// spawn, feed `input` on stdin (ignoring a child that stops reading), read everything it writes, wait.
template <class Start>
ProcessResult run_child(const std::string& what, const std::string& input, bool capture_stderr, Start start) {
    const Child child = spawn(what, capture_stderr, start);
    write_all(child.in, input);
    close(child.in);
    ProcessResult r;
    std::array<char, 65536> buf;
    for (ssize_t k; (k = read(child.out, buf.data(), buf.size())) > 0;) r.output.append(buf.data(), std::size_t(k));
    close(child.out);
    struct rusage ru {};
    r.status = wait_child(child.pid, &ru);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - child.begin).count();
    r.peak_mib = double(ru.ru_maxrss) / 1024.0;
    return r;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, bool capture_stderr) {
    if (argv.empty()) throw std::invalid_argument("run_process: no program");
    auto args = c_args(argv);
    return run_child(argv[0], input, capture_stderr, [&] { execvp(args[0], args.data()); });
}

ProcessResult run_shell(const std::string& command) {
    return run_child("sh -c '" + command + "'", "", true,
                     [&] { execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr)); });
}

Coprocess::Coprocess(const std::vector<std::string>& argv) : what_(argv.at(0)) {
    auto args = c_args(argv);
    const Child child = spawn(what_, true, [&] { execvp(args[0], args.data()); });
    pid_ = child.pid, in_ = child.in, out_ = child.out;
}

Coprocess::~Coprocess() {
    try {
        finish();
    } catch (...) {
    }
}

void Coprocess::write_line(const std::string& line) {
    if (in_ < 0 || !write_all(in_, line + "\n")) throw EnvironmentError(what_ + " stopped reading its input");
}

std::optional<std::string> Coprocess::read_line() {
    std::size_t end;
    while (out_ >= 0 && (end = pending_.find('\n')) == std::string::npos) {
        char buf[4096];
        ssize_t k;
        while ((k = read(out_, buf, sizeof buf)) < 0 && errno == EINTR) {}
        if (k <= 0) {
            close(out_);
            out_ = -1;
        } else {
            pending_.append(buf, std::size_t(k));
        }
    }
    if (out_ < 0 && (end = pending_.find('\n')) == std::string::npos) {  // the end: a last line without '\n'
        if (pending_.empty()) return std::nullopt;
        end = pending_.size();
        pending_ += '\n';
    }
    std::string line = pending_.substr(0, end);
    pending_.erase(0, end + 1);
    return line;
}

int Coprocess::finish() {
    if (pid_ < 0) return status_;
    if (in_ >= 0) close(in_);
    in_ = -1;
    if (out_ >= 0) {  // what it writes until it ends is not wanted
        char buf[4096];
        while (read(out_, buf, sizeof buf) > 0) {}
        close(out_);
        out_ = -1;
    }
    struct rusage ru {};
    status_ = wait_child(pid_, &ru);
    pid_ = -1;
    return status_;
}

}  // namespace actopo
