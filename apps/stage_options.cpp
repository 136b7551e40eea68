// The stage option tables (include/actopo/options.hpp) as CLI11 checks (apps/command.hpp).
#include "command.hpp"

namespace actopo::cli {

CLI::Validator stage_validator(const OptionSpec& spec) {
    // no description: the option's help (from the same table) already says what it takes
    return CLI::Validator([spec](std::string& value) { return option_problem(spec, value); }, "", spec.name);
}

}  // namespace actopo::cli
