// Representational similarity, activation stores (read and write), sampling and Mapper graphs.
#include <cstring>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "actopo/coactivation.hpp"
#include "actopo/mapper.hpp"
#include "actopo/sample.hpp"
#include "actopo/similarity.hpp"
#include "actopo/store.hpp"
#include "bindings.hpp"

namespace actopo::python {
namespace {

// x and y are read where numpy holds them (C-contiguous float64 arrays are row-major LayerValues): no copy.
double similarity_of(const std::string& metric, const LayerValues& x, const LayerValues& y) {
    const SimilarityMetric m = parse_similarity_metric(metric);
    py::gil_scoped_release release;
    return similarity(m, x, y);
}

py::tuple similarity_matrix_of(const std::vector<std::string>& names, const std::vector<DoubleArray>& layers,
                               const std::string& metric) {
    const SimilarityMetric m = parse_similarity_metric(metric);
    std::vector<LayerData> data;
    for (std::size_t k = 0; k < layers.size(); ++k) {
        const auto& a = layers[k];
        LayerData d;
        d.name = names[k];
        d.values = Eigen::Map<const LayerMatrix>(a.data(), a.shape(0), a.shape(1));
        for (py::ssize_t i = 0; i < a.shape(0); ++i) d.input_ids.push_back(i);
        data.push_back(std::move(d));
    }
    NamedMatrix result;
    std::vector<std::string> warnings;
    {
        py::gil_scoped_release release;
        result = similarity_matrix(data, data, m, &warnings);
    }
    return py::make_tuple(to_array(result.values, data.size(), data.size()), warnings);
}

template <class T>
py::array_t<T> vector_array(const std::vector<T>& v) {
    py::array_t<T> out(py::ssize_t(v.size()));
    std::copy(v.begin(), v.end(), out.mutable_data());
    return out;
}

// Rows [first, first + count) of a layer as a (count, *shape) float32 array. HDF5 is not built thread-safe
// on Debian, so the GIL stays held while it reads.
py::array_t<float> read_rows(const StoreReader& s, const std::string& layer, std::size_t first, std::size_t count) {
    std::vector<py::ssize_t> shape{py::ssize_t(count)};
    for (auto d : s.layer_shape(layer)) shape.push_back(py::ssize_t(d));
    const std::vector<float> rows = s.read_layer_rows(layer, first, count);
    py::array_t<float> out(shape);
    std::memcpy(out.mutable_data(), rows.data(), rows.size() * sizeof(float));
    return out;
}

py::dict cloud_dict(const PointCloud& c) {
    py::array_t<float> points({py::ssize_t(c.points.rows), py::ssize_t(c.points.cols)});
    std::memcpy(points.mutable_data(), c.points.data.data(), c.points.data.size() * sizeof(float));
    py::dict d;
    d["points"] = points;
    d["labels"] = vector_array(c.labels);
    d["predictions"] = vector_array(c.predictions);
    d["input_ids"] = vector_array(c.input_ids);
    d["positions"] = vector_array(c.positions);
    d["tokens"] = vector_array(c.tokens);
    d["description"] = c.description;
    return d;
}

py::dict sample(const StoreReader& s, const std::string& layer, const std::string& method, std::size_t points,
                std::uint64_t seed, const std::vector<std::int64_t>& classes, bool relu, std::size_t pca,
                const std::string& normalize) {
    SampleOptions o;
    o.method = parse_sampling(method);
    o.points = points;
    o.seed = seed;
    o.classes = classes;
    o.relu = relu;
    o.pca_dims = pca;
    o.normalize = parse_normalization(normalize);
    return cloud_dict(sample_layer(s, layer, o));
}

py::dict info_dict(const StoreInfo& i) {
    py::dict d;
    d["model"] = i.model;
    d["model_sha256"] = i.model_sha256;
    d["dataset"] = i.dataset;
    d["split"] = i.split;
    d["created"] = i.created;
    d["actopo_version"] = i.actopo_version;
    d["class_names"] = i.class_names;
    return d;
}

std::unique_ptr<StoreWriter> open_writer(const std::string& path, const py::dict& info,
                                         const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& layers,
                                         std::int64_t num_classes, bool force, int compression) {
    StoreInfo i;
    i.model = info["model"].cast<std::string>();
    i.model_sha256 = info["model_sha256"].cast<std::string>();
    i.dataset = info["dataset"].cast<std::string>();
    i.split = info["split"].cast<std::string>();
    i.class_names = info["class_names"].cast<std::vector<std::string>>();
    i.created = store_created_time();
    i.actopo_version = version();
    std::vector<LayerSpec> specs;
    for (const auto& [name, shape] : layers) specs.push_back({name, shape});
    return std::make_unique<StoreWriter>(path, i, specs, num_classes, force, compression);
}

// One batch: the arrays were checked (lengths, shapes, dtypes) by actopo.extract.
void append(StoreWriter& w, const IntArray& index, const IntArray& labels, const IntArray& predictions,
            const FloatArray& logits, const std::vector<FloatArray>& layers) {
    std::vector<const float*> data;
    for (const auto& l : layers) data.push_back(l.data());
    w.append(std::size_t(index.size()), index.data(), labels.data(), predictions.data(), logits.data(), data);
}

// A Mapper graph with the options and class names it was built with.
struct MapperResult {
    mapper::Graph graph;
    std::vector<std::string> class_names;
};

struct MapperArgs {
    std::string lens = "l2norm";
    std::size_t intervals = 10;
    double overlap = 0.5;
    std::string cover = "uniform";
    std::string clusterer = "dbscan";
    std::string metric = "euclidean";
    std::size_t min_samples = 5;
    double eps = 0;
    std::size_t min_intersection = 1;
    std::uint64_t seed = 0;
    unsigned threads = 0;
};

MapperResult mapper_fit(const FloatArray& x, const IntArray& labels, const IntArray& predictions, const IntArray& ids,
                        const std::optional<DoubleArray>& lens_values, const std::optional<FloatArray>& logits,
                        const MapperArgs& a, const std::vector<std::string>& class_names) {
    PointCloud cloud;
    cloud.points = Matrix(std::size_t(x.shape(0)), std::size_t(x.shape(1)));
    std::memcpy(cloud.points.data.data(), x.data(), cloud.points.data.size() * sizeof(float));
    cloud.labels.assign(labels.data(), labels.data() + labels.size());
    cloud.predictions.assign(predictions.data(), predictions.data() + predictions.size());
    cloud.input_ids.assign(ids.data(), ids.data() + ids.size());
    cloud.positions.assign(cloud.points.rows, -1);
    mapper::MapperOptions o;
    o.lens = a.lens;
    o.cover.kind = mapper::parse_cover(a.cover);
    o.cover.intervals = a.intervals;
    o.cover.overlap = a.overlap;
    o.cluster.kind = mapper::parse_clusterer(a.clusterer);
    o.cluster.metric = parse_metric(a.metric);
    o.cluster.min_samples = a.min_samples;
    o.cluster.eps = a.eps;
    o.cluster.seed = a.seed;
    o.min_intersection = a.min_intersection;
    o.threads = a.threads;
    mapper::Lens lens;
    Matrix logit_matrix;
    if (lens_values) {
        const auto& v = *lens_values;
        lens.name = "given";
        lens.dims = v.ndim() == 1 ? 1 : std::size_t(v.shape(1));
        lens.values.assign(v.data(), v.data() + v.size());
        mapper::validate_lens(lens, cloud.points.rows, "lens");
    }
    if (logits) {
        logit_matrix = Matrix(std::size_t(logits->shape(0)), std::size_t(logits->shape(1)));
        std::memcpy(logit_matrix.data.data(), logits->data(), logit_matrix.data.size() * sizeof(float));
    }
    MapperResult r;
    r.class_names = class_names;
    {
        py::gil_scoped_release release;
        if (!lens_values) {
            mapper::LensInputs li;
            li.metric = o.cluster.metric;
            if (logits) li.logits = &logit_matrix;
            lens = mapper::compute_lens(a.lens, cloud, li);
        }
        r.graph = mapper::build_graph(cloud, lens, o);
    }
    r.graph.meta["lens"] = lens.name;
    return r;
}

struct CoactivationArgs {
    std::vector<std::string> layers;
    std::string correlation = "spearman", community = "louvain";
    double threshold = 0.5;
    bool absolute = true, within = true, between = true, class_nodes = true;
    std::uint64_t seed = 0;
    std::size_t points = 0;
};

// The whole co-activation analysis of a store, as the command's JSON (docs/coactivation.md). HDF5 is read
// with the GIL held (see read_rows).
std::string coactivation(const std::string& path, const CoactivationArgs& a) {
    CoactivationOptions o;
    o.layers = a.layers;
    o.correlation = parse_correlation(a.correlation);
    o.community = parse_community_method(a.community);
    o.threshold = a.threshold;
    o.absolute = a.absolute;
    o.within = a.within;
    o.between = a.between;
    o.class_nodes = a.class_nodes;
    o.seed = a.seed;
    o.points = a.points;
    return graph_json(analyse_store(path, o), "");
}

}  // namespace

void bind_analysis(py::module_& m) {
    m.def("similarity", &similarity_of, py::arg("metric"), py::arg("x"), py::arg("y"));
    m.def("similarity_matrix", &similarity_matrix_of, py::arg("names"), py::arg("layers"), py::arg("metric"));
    m.def("similarity_metric_names", &similarity_metric_names);

    py::class_<StoreReader>(m, "StoreReader")
        .def(py::init<const std::string&>(), py::arg("path"))
        .def_property_readonly("path", &StoreReader::path)
        .def_property_readonly("size", &StoreReader::size)
        .def_property_readonly("layer_names", &StoreReader::layer_names)
        .def_property_readonly("info", [](const StoreReader& s) { return info_dict(s.info()); })
        .def("layer_shape", &StoreReader::layer_shape)
        .def("layer_nonfinite", &StoreReader::layer_nonfinite)
        .def("read_rows", &read_rows)
        .def_property_readonly("has_predictions", &StoreReader::has_predictions)
        .def("index", [](const StoreReader& s) { return vector_array(s.index()); })
        .def("labels", [](const StoreReader& s) { return vector_array(s.labels()); })
        .def("predictions", [](const StoreReader& s) { return vector_array(s.predictions()); })
        .def("logits", [](const StoreReader& s) {
            const Matrix l = s.logits();
            py::array_t<float> out({py::ssize_t(l.rows), py::ssize_t(l.cols)});
            std::memcpy(out.mutable_data(), l.data.data(), l.data.size() * sizeof(float));
            return out;
        })
        .def("sample", &sample);

    py::class_<StoreWriter>(m, "StoreWriter")
        .def(py::init(&open_writer), py::arg("path"), py::arg("info"), py::arg("layers"), py::arg("num_classes"),
             py::arg("force"), py::arg("compression"))
        .def("append", &append)
        .def("finish", &StoreWriter::finish)
        .def_property_readonly("nonfinite_counts", &StoreWriter::nonfinite_counts);

    py::class_<MapperArgs>(m, "MapperArgs")
        .def(py::init<>())
        .def_readwrite("lens", &MapperArgs::lens)
        .def_readwrite("intervals", &MapperArgs::intervals)
        .def_readwrite("overlap", &MapperArgs::overlap)
        .def_readwrite("cover", &MapperArgs::cover)
        .def_readwrite("clusterer", &MapperArgs::clusterer)
        .def_readwrite("metric", &MapperArgs::metric)
        .def_readwrite("min_samples", &MapperArgs::min_samples)
        .def_readwrite("eps", &MapperArgs::eps)
        .def_readwrite("min_intersection", &MapperArgs::min_intersection)
        .def_readwrite("seed", &MapperArgs::seed)
        .def_readwrite("threads", &MapperArgs::threads);
    py::class_<MapperResult>(m, "MapperResult")
        .def("to_json", [](const MapperResult& r) { return mapper::to_json(r.graph, r.class_names).dump(); })
        .def("hierarchy", [](const MapperResult& r) {
            return mapper::to_json(mapper::class_hierarchy(r.graph), r.class_names).dump();
        })
        .def("to_html", [](const MapperResult& r, const std::string& title) {
            return mapper::to_html(r.graph, r.class_names, title, {});
        })
        .def("to_graphml", [](const MapperResult& r) { return mapper::to_graphml(r.graph); })
        .def("layout", [](const MapperResult& r) { return mapper::layout(r.graph); });
    m.def("mapper_fit", &mapper_fit, py::arg("x"), py::arg("labels"), py::arg("predictions"), py::arg("ids"),
          py::arg("lens_values"), py::arg("logits"), py::arg("args"), py::arg("class_names"));
    py::class_<CoactivationArgs>(m, "CoactivationArgs")
        .def(py::init<>())
        .def_readwrite("layers", &CoactivationArgs::layers)
        .def_readwrite("correlation", &CoactivationArgs::correlation)
        .def_readwrite("community", &CoactivationArgs::community)
        .def_readwrite("threshold", &CoactivationArgs::threshold)
        .def_readwrite("absolute", &CoactivationArgs::absolute)
        .def_readwrite("within", &CoactivationArgs::within)
        .def_readwrite("between", &CoactivationArgs::between)
        .def_readwrite("class_nodes", &CoactivationArgs::class_nodes)
        .def_readwrite("seed", &CoactivationArgs::seed)
        .def_readwrite("points", &CoactivationArgs::points);
    m.def("coactivation", &coactivation, py::arg("path"), py::arg("args"));
    m.def("hierarchy_across_layers", [](const std::vector<std::string>& layers, const std::vector<const MapperResult*>& graphs,
                                        double threshold, const std::vector<std::string>& class_names) {
        std::vector<mapper::Dendrogram> ds;
        for (const auto* g : graphs) ds.push_back(mapper::class_hierarchy(g->graph));
        std::vector<std::string> names = class_names;  // none given: those the first graph was fit with
        for (const auto* g : graphs)
            if (names.empty()) names = g->class_names;
        return mapper::hierarchy_across_layers(layers, ds, threshold, names).dump();
    });
}

}  // namespace actopo::python
