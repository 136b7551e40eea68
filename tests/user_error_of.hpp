#pragma once
// The message of the actopo::UserError that fn throws, or "(no error)": what the tests of one-line errors check.
#include <functional>
#include <string>

#include "actopo/core.hpp"

namespace actopo_test {

inline std::string user_error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const actopo::UserError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace actopo_test
