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

}  // namespace actopo::cli
