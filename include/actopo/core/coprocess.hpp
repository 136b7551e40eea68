#pragma once
// A program running beside this one and spoken to line by line (actopo bench's python suite takes turns with
// python3 this way). Started as core's run_process starts a program (src/core/process.cpp); kept out of
// actopo/core.hpp, as only the programs that talk to another one need it.
#include <optional>
#include <string>
#include <vector>

namespace actopo {

/// argv[0] looked up on PATH, no shell, its stderr merged into its stdout: write_line() sends a line to its
/// stdin, read_line() returns the next line it wrote, or nothing once it has ended. finish() (the destructor
/// too) closes its stdin, discards what it still writes, waits for it and returns its exit code (or 128 +
/// signal). EnvironmentError when it cannot start, or when write_line finds it no longer reading.
class Coprocess {
public:
    explicit Coprocess(const std::vector<std::string>& argv);
    ~Coprocess();
    Coprocess(const Coprocess&) = delete;
    Coprocess& operator=(const Coprocess&) = delete;
    void write_line(const std::string& line);
    std::optional<std::string> read_line();
    int finish();

private:
    std::string what_, pending_;
    int pid_ = -1, in_ = -1, out_ = -1, status_ = 0;
};

}  // namespace actopo
