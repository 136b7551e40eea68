#pragma once
// The three ways a command ends early, each printed by the program as one line on stderr:
//   UserError         the user's input is wrong (exit 1): names the file, layer, key or value and what was expected
//   EnvironmentError  the machine is at fault, not the input (exit 3): a missing program, a full disk, no threads
//   Cancelled         Ctrl-C or SIGTERM (exit 130); nothing is left under the output name
#include <stdexcept>
#include <string>

namespace actopo {

class UserError : public std::runtime_error {
public:
    explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

class EnvironmentError : public std::runtime_error {
public:
    explicit EnvironmentError(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown by throw_if_cancelled() after SIGINT/SIGTERM.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled by the user") {}
};

}  // namespace actopo
