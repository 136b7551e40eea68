#pragma once
// The explain tests' oracles (python3-torch scripts) print one line "<name> <relative error>" per quantity they
// compare: each error must be within its tolerance (1e-5 unless `tolerances` names it), and `expected_lines` of
// them must be there (an oracle that printed nothing would otherwise pass).
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

namespace actopo_test {

inline void check_oracle_errors(const std::string& output, std::size_t expected_lines, const std::string& context = "",
                                const std::map<std::string, double>& tolerances = {}) {
    std::istringstream in(output);
    std::string name;
    double err;
    std::size_t lines = 0;
    while (in >> name >> err) {
        INFO(context << " " << name);
        auto tolerance = tolerances.find(name);
        CHECK(err <= (tolerance == tolerances.end() ? 1e-5 : tolerance->second));
        ++lines;
    }
    CHECK(lines == expected_lines);
}

}  // namespace actopo_test
