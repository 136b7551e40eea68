// Named matrices as CSV.
#include "actopo/core/matrix.hpp"

#include <iomanip>
#include <sstream>

#include "actopo/core/errors.hpp"
#include "actopo/core/files.hpp"
#include "actopo/core/text.hpp"

namespace actopo {

// ------------------------------------------------------------------ named matrices
std::string to_csv(const NamedMatrix& m) {
    std::ostringstream ss;
    ss << "name";
    for (const auto& c : m.col_names) ss << ',' << c;
    ss << '\n';
    ss << std::setprecision(10);
    for (std::size_t i = 0; i < m.row_names.size(); ++i) {
        ss << m.row_names[i];
        for (std::size_t j = 0; j < m.col_names.size(); ++j) ss << ',' << m.at(i, j);
        ss << '\n';
    }
    return ss.str();
}

NamedMatrix read_named_matrix_csv(const std::string& path) {
    std::istringstream in(read_text_file(path));
    NamedMatrix m;
    std::string line;
    if (!std::getline(in, line)) throw UserError(path + ": empty matrix file (expected a header row)");
    auto header = split(trim(line), ',');
    m.col_names.assign(header.begin() + 1, header.end());
    std::size_t row = 1;
    while (std::getline(in, line)) {
        ++row;
        if (trim(line).empty()) continue;
        auto cells = split(trim(line), ',');
        if (cells.size() != m.col_names.size() + 1)
            throw UserError(path + ": row " + std::to_string(row) + " has " + std::to_string(cells.size()) +
                            " cells, expected " + std::to_string(m.col_names.size() + 1));
        m.row_names.push_back(cells[0]);
        for (std::size_t j = 1; j < cells.size(); ++j) {
            try {
                m.values.push_back(std::stod(cells[j]));
            } catch (const std::exception&) {
                throw UserError(path + ": row " + std::to_string(row) + ", column " + m.col_names[j - 1] +
                                ": '" + cells[j] + "' is not a number");
            }
        }
    }
    return m;
}

}  // namespace actopo
