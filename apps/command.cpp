// The command line shared by the actopo programs: one subcommand per registration, one-line errors,
// exit 1 on user error; the commands that need a model are run in actopo-nn.
#include "command.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>

#include "actopo/core.hpp"

namespace actopo::cli {

std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

namespace {
/// True when the first argument after the command that is not an option names a TorchScript file (a zip).
bool names_a_model(const std::vector<std::string>& args) {
    for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i].empty() || args[i][0] == '-') continue;
        std::ifstream in(args[i], std::ios::binary);
        char magic[2] = {0, 0};
        return in.read(magic, 2) && magic[0] == 'P' && magic[1] == 'K';
    }
    return false;
}
}  // namespace

const std::vector<ProgramCommand>& program_commands() {
    static const std::vector<ProgramCommand> commands{
        {"train", "actopo-nn", "Train a reference model (mlp, cnn, resnet, autoencoder, transformer) and save it as TorchScript", {}},
        {"extract", "actopo-nn", "Extract layer activations of a TorchScript model into an HDF5 store", {}},
        {"explain", "actopo-nn", "Attribution maps (saliency, integrated gradients, SmoothGrad, CAM family, occlusion)", {}},
        {"explain-quality", "actopo-nn", "Explanation quality: pixel-flipping (AOPC), continuity, infidelity, max-sensitivity, randomisation check", {}},
        {"visualize", "actopo-nn", "Activation maximisation (pixel space), first-layer filters and activation maps as image grids", {}},
        {"ablate", "actopo-nn", "Run a model with chosen units zeroed or set to their mean; per-class accuracy against random units", {}},
        {"inspect", "actopo-nn", "Describe an activation store or a TorchScript model in words", names_a_model},
        {"bench", "actopo-bench", "Time actopo beside the tools a user would pick instead; figures to results/bench/", {}},
    };
    return commands;
}

std::string program_command_summary(const std::string& name) {
    for (const auto& c : program_commands())
        if (c.name == name) return c.summary;
    return "";
}

void run_in_program(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> argv(args);
    if (program == "actopo-bench" && argv.size() > 1) argv.erase(argv.begin() + 1);  // its options follow at once
    exec_program(sibling_program(program), argv);
}

void add_quiet_flag(CLI::App& app) {
    app.add_flag_callback("-q,--quiet", [] { set_quiet(true); }, "No progress bar on stderr");
}

int run_command_line(const std::vector<std::string>& args, bool forward) {
    CLI::App app{"actopo " + version() +
                     ": explain trained neural networks through the topology of their layer activations",
                 "actopo"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version());
    auto commands = registry();
    try {
        if (forward)
            for (const auto& c : program_commands()) {
                if (args.size() > 1 && args[1] == c.name && (!c.when || c.when(args))) run_in_program(c.program, args);
                if (!c.when) commands.push_back({c.name, c.summary, [](CLI::App&) {}});  // else served here too
            }
        std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        for (const auto& c : commands) {
            CLI::App* sub = app.add_subcommand(c.name, c.summary);
            add_quiet_flag(*sub);
            c.setup(*sub);
        }
        if (args.size() > 1 && !args[1].empty() && args[1][0] != '-') {  // name the word typed, and what is near it
            std::vector<std::string> names;
            for (const auto& c : commands) names.push_back(c.name);
            if (std::find(names.begin(), names.end(), args[1]) == names.end())
                throw UserError("unknown command '" + args[1] + "' (closest: " + join(closest_names(args[1], names)) +
                                "; see actopo --help)");
        }
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
    } catch (const EnvironmentError& e) {
        std::fprintf(stderr, "actopo: %s\n", e.what());
        return 3;
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
