#pragma once
// Small readers and formatters the report's files share (private to the report module).
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo::report {

/// The rows of a CSV file without quoting (the ones actopo writes), blank lines skipped.
inline std::vector<std::vector<std::string>> read_csv_rows(const std::filesystem::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(read_text_file(path.string()));
    for (std::string line; std::getline(in, line);)
        if (!trim(line).empty()) rows.push_back(split(line, ','));
    return rows;
}

}  // namespace actopo::report
