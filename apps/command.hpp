#pragma once
// Subcommands of the actopo programs. Each apps/cmd_<name>.cpp (and apps/nn/cmd_<name>.cpp) registers itself with
//   static actopo::cli::Registration reg{"name", "one-line summary", setup};
// where setup(CLI::App&) declares the options and sets the callback; run_command_line() builds them all.
// Three programs share this: `actopo` (no LibTorch), `actopo-nn` (the commands that need a model) and
// `actopo-bench`; `actopo` runs the other two for their commands (program_commands()), so a user always
// types `actopo <command>`.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "actopo/options.hpp"

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

/// A command that another program beside `actopo` serves: `actopo train ...` runs `actopo-nn train ...`.
struct ProgramCommand {
    std::string name, program, summary;
    /// When set, only the command lines it accepts go to `program` (inspect: a model file, not a store).
    std::function<bool(const std::vector<std::string>& args)> when;
};
/// Every such command (train, extract, inspect of a model -> actopo-nn; bench -> actopo-bench).
const std::vector<ProgramCommand>& program_commands();
/// The summary of a command of program_commands() (for actopo-nn's own registrations).
std::string program_command_summary(const std::string& name);
/// Replaces this process by the program that serves `args` (args[1] is the command). Never returns.
[[noreturn]] void run_in_program(const std::string& program, const std::vector<std::string>& args);

/// Adds the options every command shares (--quiet, --force where it writes) and returns nothing.
void add_quiet_flag(CLI::App& app);

/// The checks of a stage option's table entry (type, range, choices, a prime coefficient...) as a CLI11 validator:
/// the command line refuses a value with the same words as the experiment file. (No description: the option's
/// help, from the same table, already says what it takes.)
inline CLI::Validator stage_validator(const OptionSpec& spec) {
    return CLI::Validator([spec](std::string& value) { return option_problem(spec, value); }, "", spec.name);
}

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

/// Declares option `name` of `stage`'s table (options.hpp) on a command, bound to `value`: its spelling, help,
/// default (set into `value`) and checks come from the table, so nothing is declared twice.
template <class T>
CLI::Option* add_stage_option(CLI::App& app, const std::string& stage, const std::string& name, T& value) {
    const OptionSpec& spec = stage_options(stage).at(name);
    if constexpr (std::is_same_v<T, bool>) {
        return app.add_flag("--" + spec.name, value, spec.help);
    } else {
        CLI::Option* option = app.add_option("--" + spec.name, value, spec.help);
        option->check(stage_validator(spec));
        if constexpr (is_vector<T>::value) {
            option->delimiter(',');
        } else if (!spec.default_value.empty()) {
            option->default_val(spec.default_value);
        }
        return option;
    }
}

/// Parses and runs one command line ("actopo <command> ..."): prints errors as one line on stderr and
/// returns the exit code (0 success, 1 user error, 2 internal error, 3 environment error, 130 cancelled).
/// `forward`: the commands of program_commands() are run in their program (true in `actopo`, false in
/// the programs that serve them). `actopo run` calls it for each job of an experiment, in a child process.
int run_command_line(const std::vector<std::string>& args, bool forward = true);

}  // namespace actopo::cli
