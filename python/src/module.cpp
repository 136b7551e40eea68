// actopo._core: the module, its error translation, and the conversions the other files share.
#include "bindings.hpp"

#include "actopo/core.hpp"

namespace actopo::python {

Diagram to_diagram(const DoubleArray& pairs, int dim) {
    if (pairs.ndim() != 2 || (pairs.shape(0) > 0 && pairs.shape(1) != 2))
        throw py::value_error("a diagram must be an (n, 2) array of (birth, death)");
    Diagram d;
    d.dim = dim;
    const auto n = std::size_t(pairs.shape(0));
    d.pairs.resize(n);
    const double* p = pairs.data();
    for (std::size_t i = 0; i < n; ++i) d.pairs[i] = {p[2 * i], p[2 * i + 1]};
    return d;
}

std::vector<Diagram> to_diagrams(const py::list& diagrams) {
    std::vector<Diagram> out;
    out.reserve(diagrams.size());
    for (const auto& item : diagrams) out.push_back(to_diagram(item.cast<DoubleArray>()));
    return out;
}

py::array_t<double> to_array(const std::vector<double>& values, std::size_t rows, std::size_t cols) {
    py::array_t<double> out({py::ssize_t(rows), py::ssize_t(cols)});
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

}  // namespace actopo::python

PYBIND11_MODULE(_core, m) {
    namespace py = pybind11;
    m.doc() = "actopo's C++ library (actopo::analysis) for Python; use the package actopo, not this module";
    py::register_exception_translator([](std::exception_ptr e) {
        try {
            if (e) std::rethrow_exception(e);
        } catch (const actopo::UserError& err) {
            PyErr_SetString(PyExc_ValueError, err.what());
        } catch (const actopo::EnvironmentError& err) {
            PyErr_SetString(PyExc_OSError, err.what());
        } catch (const actopo::Cancelled& err) {
            PyErr_SetString(PyExc_KeyboardInterrupt, err.what());
        }
    });
    m.attr("__version__") = actopo::version();
    actopo::python::bind_topology(m);
    actopo::python::bind_analysis(m);
}
