#pragma once
// Other programs: the one way actopo starts a program (the Graphviz and ripser executables, the model
// program actopo-nn beside actopo) and reads its output. A program that is missing or cannot start is an
// EnvironmentError naming it, never an "internal error".
#include <string>
#include <vector>

namespace actopo {

/// The running program's absolute path (/proc/self/exe).
std::string running_program();
/// The program `name` installed beside the running one (actopo-nn beside actopo); EnvironmentError when it
/// is not there.
std::string sibling_program(const std::string& name);
/// Replaces this process with `path` (argv[0] as given); returns only by throwing EnvironmentError.
[[noreturn]] void exec_program(const std::string& path, const std::vector<std::string>& argv);

struct ProcessResult {
    int status = 0;          // exit code, or 128 + signal
    std::string output;      // what it wrote (stdout, and stderr too when asked)
    double seconds = 0;      // wall time
    double peak_mib = 0;     // its peak resident memory
};
/// Runs argv (argv[0] looked up on PATH, no shell), feeding it `input` on stdin; waits for it.
/// EnvironmentError when the program cannot be started (not installed).
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = "",
                          bool capture_stderr = false);
/// Runs a shell command line (sh -c), stdout and stderr captured together.
ProcessResult run_shell(const std::string& command);

}  // namespace actopo
