#pragma once
// Matrices: the dense float matrix that point clouds and activations travel in, and the named matrix of
// doubles (layer x layer, model x model) with its CSV form.
#include <cstddef>
#include <string>
#include <vector>

namespace actopo {

/// A dense row-major float matrix, the shared currency of point clouds and activations.
struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<float> data;
    Matrix() = default;
    Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c, 0.0f) {}
    float* row(std::size_t i) { return data.data() + i * cols; }
    const float* row(std::size_t i) const { return data.data() + i * cols; }
    float& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
    float operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

/// Read-only rows x cols floats, row-major, held elsewhere (a Matrix, a caller's array): nothing is copied,
/// and the memory must outlive the view.
struct MatrixView {
    const float* data = nullptr;
    std::size_t rows = 0, cols = 0;
    MatrixView() = default;
    MatrixView(const float* values, std::size_t r, std::size_t c) : data(values), rows(r), cols(c) {}
    MatrixView(const Matrix& m) : data(m.data.data()), rows(m.rows), cols(m.cols) {}  // NOLINT: implicit on purpose
    const float* row(std::size_t i) const { return data + i * cols; }
    float operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

/// A named square (or rectangular) matrix of doubles: layer x layer, model x model.
/// CSV: header row "name,<col names...>", then one row per row name.
struct NamedMatrix {
    std::vector<std::string> row_names, col_names;
    std::vector<double> values;  // row-major
    double& at(std::size_t i, std::size_t j) { return values[i * col_names.size() + j]; }
    double at(std::size_t i, std::size_t j) const { return values[i * col_names.size() + j]; }
};
std::string to_csv(const NamedMatrix& m);
NamedMatrix read_named_matrix_csv(const std::string& path);

}  // namespace actopo
