// The `actopo` program: one subcommand per module (apps/cmd_*.cpp), one-line errors, exit 1 on user error.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>

#include "actopo/core.hpp"
#include "command.hpp"

namespace actopo::cli {

std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

void add_quiet_flag(CLI::App& app) {
    app.add_flag_callback("-q,--quiet", [] { set_quiet(true); }, "No progress bar on stderr");
}

int run_command_line(const std::vector<std::string>& args) {
    CLI::App app{"actopo " + version() +
                 ": explain trained neural networks through the topology of their layer activations"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version());
    auto commands = registry();
    std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const auto& c : commands) {
        CLI::App* sub = app.add_subcommand(c.name, c.summary);
        add_quiet_flag(*sub);
        c.setup(*sub);
    }
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "actopo: %s (see actopo --help)\n", e.what());
        return 1;
    } catch (const UserError& e) {
        std::fprintf(stderr, "actopo: %s\n", e.what());
        return 1;
    } catch (const Cancelled&) {
        std::fprintf(stderr, "actopo: cancelled; nothing was written under the output name\n");
        return 130;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "actopo: out of memory (use a smaller input, a threshold or fewer points)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "actopo: internal error: %s\n", e.what());
        return 2;
    }
    return 0;
}

}  // namespace actopo::cli

int main(int argc, char** argv) {
    actopo::install_cancel_handler();
    return actopo::cli::run_command_line(std::vector<std::string>(argv, argv + argc));
}
