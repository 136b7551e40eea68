#pragma once
// The options `actopo explain` and `actopo explain-quality` share: the explain table's method options
// (include/actopo/options.hpp), declared on a command by add_stage_option (defined in cmd_explain.cpp).
#include "actopo/explain.hpp"
#include "command.hpp"

namespace actopo::cli {

/// --target, --layer and every method's options (steps, noise, window, seed, internal batch ...), bound to `m`.
void add_explain_method_options(CLI::App& app, MethodOptions& m, std::string& target);

}  // namespace actopo::cli
