// Rips persistence (actopo.rips), distances between diagrams and the diagram summaries.
#include <cmath>
#include <optional>

#include <pybind11/stl.h>

#include "actopo/distances.hpp"
#include "actopo/persistence.hpp"
#include "bindings.hpp"

namespace actopo::python {
namespace {

struct RipsArgs {
    int maxdim = 1;
    std::optional<double> thresh;  // none: +inf (the enclosing radius gives the same diagrams)
    int coeff = 2;
    int threads = 0;
    std::string backend;
    double sparse_epsilon = 0;
    std::size_t representatives = 0;  // > 0: cocycles (and H1 cycles) of this many longest classes per dimension
};

RipsOptions options_of(const RipsArgs& a) {
    RipsOptions o;
    o.max_dim = a.maxdim;
    o.threshold = a.thresh;
    o.coeff = a.coeff;
    o.threads = a.threads;
    o.sparse_epsilon = a.sparse_epsilon;
    o.representatives = a.representatives;
    return o;
}

// ripser.py's num_edges: the edges of the filtration, those at distance <= thresh. The native engine counts them
// as it builds the filtration (meta "edges"); for the other backends they are counted here.
std::size_t count_edges(const RipsInput& input, const std::optional<double>& thresh, const Diagrams& d) {
    if (input.kind == RipsInput::Kind::points && !thresh) return input.n * (input.n - 1) / 2;  // all finite
    const auto counted = d.meta.find("edges");
    if (thresh && counted != d.meta.end()) return std::stoull(counted->second);
    const double t = thresh ? *thresh : INFINITY;
    if (input.kind == RipsInput::Kind::sparse_edges) {
        std::size_t k = 0;
        for (const auto& e : input.edges) k += double(e.d) <= t;
        return k;
    }
    std::size_t k = 0;
    const std::vector<float> lower = input.kind == RipsInput::Kind::points ? input.lower_triangle() : std::vector<float>{};
    for (float x : input.kind == RipsInput::Kind::points ? lower : input.lower) k += std::isfinite(x) && double(x) <= t;
    return k;
}

py::dict compute(const RipsInput& input, const RipsArgs& a) {
    Diagrams d;
    std::size_t edges = 0;
    {
        py::gil_scoped_release release;
        d = compute_persistence(input, options_of(a), a.backend);
        edges = count_edges(input, a.thresh, d);
    }
    py::list dgms;
    for (int k = 0; k <= a.maxdim; ++k) {
        const auto& pairs = std::size_t(k) < d.dims.size() ? d.dims[std::size_t(k)].pairs : std::vector<PersistencePair>{};
        py::array_t<double> arr({py::ssize_t(pairs.size()), py::ssize_t(2)});
        double* p = arr.mutable_data();
        for (const auto& pr : pairs) *p++ = pr.birth, *p++ = pr.death;
        dgms.append(arr);
    }
    py::dict meta;
    for (const auto& [key, value] : d.meta) meta[py::str(key)] = value;
    py::dict out;
    if (a.representatives > 0) {  // ripser.py's cocycles: per dimension, one int array (simplices, k + 2) per class
        py::list cocycles, cycles, intervals;
        for (int k = 0; k <= a.maxdim; ++k) {
            const auto& reps = std::size_t(k) < d.dims.size() ? d.dims[std::size_t(k)].representatives
                                                              : std::vector<Representative>{};
            py::list per_dim;
            py::array_t<double> iv({py::ssize_t(reps.size()), py::ssize_t(2)});
            double* q = iv.mutable_data();
            for (const auto& r : reps) {
                const py::ssize_t w = k + 2;
                py::array_t<std::int64_t> c({py::ssize_t(r.cocycle.size()) / w, w});
                std::copy(r.cocycle.begin(), r.cocycle.end(), c.mutable_data());
                per_dim.append(c);
                if (k == 1) {
                    py::array_t<std::int64_t> z(py::ssize_t(r.cycle.size()));
                    std::copy(r.cycle.begin(), r.cycle.end(), z.mutable_data());
                    cycles.append(z);
                }
                *q++ = r.birth, *q++ = r.death;
            }
            cocycles.append(per_dim);
            intervals.append(iv);
        }
        out["cocycles"] = cocycles;
        out["cycles"] = cycles;
        out["representatives"] = intervals;
    }
    out["dgms"] = dgms;
    out["num_edges"] = edges;
    out["meta"] = meta;
    return out;
}

// The caller's float32 rows as they are (no copy under the euclidean metric); `x` outlives the computation.
py::dict rips_points(const FloatArray& x, const std::string& metric, const RipsArgs& a) {
    const MatrixView points(x.data(), std::size_t(x.shape(0)), std::size_t(x.shape(1)));
    return compute(RipsInput::from_borrowed_points(points, parse_metric(metric)), a);
}

py::dict rips_distance_matrix(const FloatArray& dm, const RipsArgs& a) {
    const auto n = std::size_t(dm.shape(0));
    std::vector<float> lower;
    lower.reserve(n * (n - 1) / 2);
    const float* p = dm.data();
    for (std::size_t i = 1; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) lower.push_back(p[i * n + j]);
    return compute(RipsInput::from_lower(n, std::move(lower)), a);
}

py::dict rips_edges(std::size_t n, const IntArray& i, const IntArray& j, const FloatArray& d, const RipsArgs& a) {
    std::vector<RipsInput::Edge> edges;
    edges.reserve(std::size_t(d.size()));
    for (py::ssize_t k = 0; k < d.size(); ++k)
        if (i.data()[k] != j.data()[k])
            edges.push_back({std::uint32_t(i.data()[k]), std::uint32_t(j.data()[k]), d.data()[k]});
    return compute(RipsInput::from_edges(n, std::move(edges)), a);
}

DistanceOptions distance_options(double order, double internal_p, double delta, int directions) {
    DistanceOptions o;
    o.p = order;
    o.internal_p = internal_p;
    o.relative_error = delta;
    o.directions = directions;
    return o;
}

double distance(const DoubleArray& a, const DoubleArray& b, const std::string& metric, double order,
                double internal_p, double delta, int directions) {
    const Diagram da = to_diagram(a), db = to_diagram(b);
    const DiagramMetric m = parse_diagram_metric(metric);
    const DistanceOptions o = distance_options(order, internal_p, delta, directions);
    py::gil_scoped_release release;
    return diagram_distance(da, db, m, o);
}

py::array_t<double> pairwise(const py::list& diagrams, const std::string& metric, double order, double internal_p,
                             double delta, int directions, int threads) {
    const std::vector<Diagram> ds = to_diagrams(diagrams);
    std::vector<std::string> names;
    for (std::size_t k = 0; k < ds.size(); ++k) names.push_back(std::to_string(k));
    const DiagramMetric m = parse_diagram_metric(metric);
    const DistanceOptions o = distance_options(order, internal_p, delta, directions);
    NamedMatrix result;
    {
        py::gil_scoped_release release;
        result = diagram_distance_matrix(names, ds, m, o, threads);
    }
    return to_array(result.values, ds.size(), ds.size());
}

// One summary vector per diagram, as the rows of a matrix.
template <class F>
py::array_t<double> rows_of(const py::list& diagrams, std::size_t width, F&& summary) {
    const std::vector<Diagram> ds = to_diagrams(diagrams);
    std::vector<double> values;
    values.reserve(ds.size() * width);
    {
        py::gil_scoped_release release;
        for (const auto& d : ds) {
            const std::vector<double> v = summary(d);
            values.insert(values.end(), v.begin(), v.end());
        }
    }
    return to_array(values, ds.size(), width);
}

}  // namespace

void bind_topology(py::module_& m) {
    py::class_<RipsArgs>(m, "RipsArgs")
        .def(py::init<>())
        .def_readwrite("maxdim", &RipsArgs::maxdim)
        .def_readwrite("thresh", &RipsArgs::thresh)
        .def_readwrite("coeff", &RipsArgs::coeff)
        .def_readwrite("threads", &RipsArgs::threads)
        .def_readwrite("backend", &RipsArgs::backend)
        .def_readwrite("sparse_epsilon", &RipsArgs::sparse_epsilon)
        .def_readwrite("representatives", &RipsArgs::representatives);
    m.def("rips_points", &rips_points, py::arg("x"), py::arg("metric"), py::arg("args"));
    m.def("rips_distance_matrix", &rips_distance_matrix, py::arg("dm"), py::arg("args"));
    m.def("rips_edges", &rips_edges, py::arg("n"), py::arg("i"), py::arg("j"), py::arg("d"), py::arg("args"));
    m.def("default_backend", &default_backend);
    m.def("backend_names", &backend_names);

    m.def("distance", &distance, py::arg("a"), py::arg("b"), py::arg("metric"), py::arg("order"),
          py::arg("internal_p"), py::arg("delta"), py::arg("directions"));
    m.def("pairwise", &pairwise, py::arg("diagrams"), py::arg("metric"), py::arg("order"), py::arg("internal_p"),
          py::arg("delta"), py::arg("directions"), py::arg("threads"));

    m.def("grid_for", [](const py::list& diagrams, std::size_t samples) {
        const Grid g = grid_for(to_diagrams(diagrams), samples);
        return py::make_tuple(g.lo, g.hi);
    });
    m.def("betti_curves", [](const py::list& diagrams, double lo, double hi, std::size_t samples) {
        const Grid g{lo, hi, samples};
        return rows_of(diagrams, samples, [&](const Diagram& d) { return betti_curve(d, g); });
    });
    m.def("landscapes", [](const py::list& diagrams, int levels, double lo, double hi, std::size_t samples) {
        const Grid g{lo, hi, samples};
        return rows_of(diagrams, std::size_t(levels) * samples,
                       [&](const Diagram& d) { return persistence_landscape(d, levels, g); });
    });
    m.def("image_range", [](const py::list& diagrams, std::size_t resolution, double sigma) {
        const ImageOptions o = image_options_for(to_diagrams(diagrams), resolution, sigma);
        return py::make_tuple(o.birth_lo, o.birth_hi, o.max_persistence, o.sigma);
    });
    m.def("images", [](const py::list& diagrams, std::size_t resolution, double sigma, double birth_lo,
                       double birth_hi, double max_persistence) {
        const ImageOptions o{resolution, sigma, birth_lo, birth_hi, max_persistence};
        return rows_of(diagrams, resolution * resolution, [&](const Diagram& d) { return persistence_image(d, o); });
    });
    m.def("entropies", [](const py::list& diagrams) {
        return rows_of(diagrams, 1, [](const Diagram& d) { return std::vector<double>{persistence_entropy(d)}; });
    });
}

}  // namespace actopo::python
