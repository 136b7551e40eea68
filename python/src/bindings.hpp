#pragma once
// The extension actopo._core: thin pybind11 wrappers over actopo::analysis (no LibTorch). The arguments are
// checked, with the user's argument names, in the pure-Python layer (python/actopo/); what the library itself
// refuses arrives as its UserError, raised as ValueError (module.cpp).
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "actopo/diagrams.hpp"

namespace actopo::python {

namespace py = pybind11;
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IntArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

/// An (n, 2) array of (birth, death) as a Diagram of dimension `dim`.
Diagram to_diagram(const DoubleArray& pairs, int dim = 0);
/// A list of such arrays.
std::vector<Diagram> to_diagrams(const py::list& diagrams);
/// A row-major (rows, cols) array of doubles copied from `values`.
py::array_t<double> to_array(const std::vector<double>& values, std::size_t rows, std::size_t cols);

void bind_topology(py::module_& m);  // topology.cpp: Rips persistence, diagram distances, summaries
void bind_analysis(py::module_& m);  // analysis.cpp: similarity, stores, sampling, Mapper, co-activation

}  // namespace actopo::python
