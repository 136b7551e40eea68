// actopo-nn: the commands that need a model (train, extract, inspect of a model), linked to LibTorch.
// Users run them as `actopo <command>`; the `actopo` program hands them here.
#include "actopo/core.hpp"
#include "command.hpp"

int main(int argc, char** argv) {
    actopo::install_cancel_handler();
    return actopo::cli::run_command_line(std::vector<std::string>(argv, argv + argc), false);
}
