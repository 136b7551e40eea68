// The `actopo` program: every command that needs no model, in this process (it loads no LibTorch); the
// model commands and the benchmarks run in actopo-nn and actopo-bench beside it (command.cpp).
#include "actopo/core.hpp"
#include "command.hpp"

int main(int argc, char** argv) {
    actopo::install_cancel_handler();
    return actopo::cli::run_command_line(std::vector<std::string>(argv, argv + argc));
}
