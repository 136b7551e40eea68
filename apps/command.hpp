#pragma once
// Subcommand registry of the `actopo` program: each apps/cmd_<name>.cpp registers itself with
//   static actopo::cli::Registration reg{"name", "one-line summary", setup};
// where setup(CLI::App&) declares the options and sets the callback. main() builds them all.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace actopo::cli {

struct Command {
    std::string name, summary;
    std::function<void(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Registration {
    Registration(std::string name, std::string summary, std::function<void(CLI::App&)> setup) {
        registry().push_back({std::move(name), std::move(summary), std::move(setup)});
    }
};

/// Adds the options every command shares (--quiet, --force where it writes) and returns nothing.
void add_quiet_flag(CLI::App& app);

/// Parses and runs one command line ("actopo <command> ..."): prints errors as one line on stderr and
/// returns the exit code (0 success, 1 user error, 2 internal error, 130 cancelled). main() is this;
/// `actopo run` calls it for each job of an experiment, in a child process.
int run_command_line(const std::vector<std::string>& args);

}  // namespace actopo::cli
