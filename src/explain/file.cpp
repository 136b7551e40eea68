// The attribution file (layout in docs/formats.md): written batch by batch under a temporary name (read back by
// src/store/attributions.cpp).
#include "explain/file.hpp"

#include <algorithm>

#include "actopo/store.hpp"
#include "store/hdf5_util.hpp"

namespace actopo::explain_detail {

using h5::Handle;

namespace {

// An extendible dataset [0, inner...] chunked along the first axis (about 1 MiB a chunk), appended to row by row.
struct Growing {
    Handle ds;
    std::vector<hsize_t> inner;
    hid_t mem;
    hsize_t rows = 0;

    Growing(hid_t loc, const std::string& path, hid_t file_type, hid_t mem_type, std::vector<hsize_t> inner_shape)
        : inner(std::move(inner_shape)), mem(mem_type) {
        std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk;
        std::size_t row = 1;
        for (auto d : inner) dims.push_back(d), maxdims.push_back(d), row *= std::max<hsize_t>(1, d);
        chunk.push_back(std::clamp<hsize_t>(hsize_t((1u << 20) / (4 * row)), 1, 4096));
        for (auto d : inner) chunk.push_back(std::max<hsize_t>(1, d));
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), maxdims.data()));
        Handle plist = h5::untimed(H5P_DATASET_CREATE);
        H5Pset_chunk(plist, int(chunk.size()), chunk.data());
        const double zero = 0;
        H5Pset_fill_value(plist, H5T_NATIVE_DOUBLE, &zero);
        ds = h5::check(H5Dcreate2(loc, path.c_str(), file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT),
                       "cannot create dataset " + path);
    }

    void append(const void* data, hsize_t count) {
        if (count == 0) return;
        std::vector<hsize_t> newdims{rows + count}, start{rows}, extent{count};
        for (auto d : inner) newdims.push_back(d), start.push_back(0), extent.push_back(d);
        h5::check_status(H5Dset_extent(ds, newdims.data()), "cannot extend dataset");
        Handle fspace(H5Dget_space(ds));
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
        Handle mspace(H5Screate_simple(int(extent.size()), extent.data(), nullptr));
        h5::check_status(H5Dwrite(ds, mem, mspace, fspace, H5P_DEFAULT, data), "cannot write dataset");
        rows += count;
    }
};

std::vector<hsize_t> to_h(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

}  // namespace

struct AttributionWriter::Impl {
    AtomicOutput out;
    Handle file;
    std::unique_ptr<Growing> index, labels, predictions, targets;
    std::map<std::string, std::unique_ptr<Growing>> maps, deltas, cams;
    Impl(const std::string& path, bool force) : out(path, force) {}
};

AttributionWriter::AttributionWriter(const std::string& path, bool force) : impl_(std::make_unique<Impl>(path, force)) {
    h5::silence_errors();
    Handle fcpl = h5::untimed(H5P_FILE_CREATE);
    impl_->file = h5::check(H5Fcreate(impl_->out.temp_path().c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT),
                            impl_->out.temp_path() + ": cannot create the attribution file");
    hid_t f = impl_->file;
    h5::create_groups(f, "/inputs");
    Handle gcpl = h5::untimed(H5P_GROUP_CREATE);
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    h5::check(H5Gcreate2(f, "/attributions", H5P_DEFAULT, gcpl, H5P_DEFAULT), "cannot create /attributions");
    auto ints = [&](const char* name) { return std::make_unique<Growing>(f, name, H5T_STD_I64LE, H5T_NATIVE_INT64, std::vector<hsize_t>{}); };
    impl_->index = ints("/inputs/index");
    impl_->labels = ints("/inputs/labels");
    impl_->predictions = ints("/inputs/predictions");
    impl_->targets = ints("/inputs/target");
}

AttributionWriter::~AttributionWriter() = default;

void AttributionWriter::set_root(const std::map<std::string, std::string>& strings,
                                 const std::map<std::string, std::int64_t>& ints,
                                 const std::vector<std::string>& class_names) {
    Handle root(H5Gopen2(impl_->file, "/", H5P_DEFAULT));
    for (const auto& [k, v] : strings) h5::write_string_attr(root, k, v);
    for (const auto& [k, v] : ints) h5::write_int_attr(root, k, v);
    if (!class_names.empty()) h5::write_strings(impl_->file, "/inputs/class_names", class_names);
}

void AttributionWriter::add_method(const std::string& method, const std::vector<std::int64_t>& shape,
                                   const std::map<std::string, std::string>& attrs, bool delta,
                                   const std::string& cam_layer, const std::vector<std::int64_t>& cam_shape) {
    if (method.find('/') != std::string::npos) throw UserError("method name '" + method + "' contains '/'");
    hid_t f = impl_->file;
    auto g = std::make_unique<Growing>(f, "/attributions/" + method, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, to_h(shape));
    for (const auto& [k, v] : attrs) h5::write_string_attr(g->ds, k, v);
    h5::write_int_array_attr(g->ds, "shape", shape);
    impl_->maps[method] = std::move(g);
    if (delta)
        impl_->deltas[method] = std::make_unique<Growing>(f, "/attributions/" + method + "_delta", H5T_IEEE_F32LE,
                                                          H5T_NATIVE_FLOAT, std::vector<hsize_t>{});
    if (!cam_layer.empty()) {
        if (cam_layer.find('/') != std::string::npos) throw UserError("layer name '" + cam_layer + "' contains '/'");
        h5::create_groups(f, "/cams/" + method);
        auto c = std::make_unique<Growing>(f, "/cams/" + method + "/" + cam_layer, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                           to_h(cam_shape));
        h5::write_string_attr(c->ds, "layer", cam_layer);
        impl_->cams[method] = std::move(c);
    }
}

bool AttributionWriter::has_method(const std::string& method) const { return impl_->maps.count(method) > 0; }

void AttributionWriter::append_inputs(std::size_t count, const std::int64_t* index, const std::int64_t* labels,
                                      const std::int64_t* predictions, const std::int64_t* targets) {
    impl_->index->append(index, count);
    impl_->labels->append(labels, count);
    impl_->predictions->append(predictions, count);
    impl_->targets->append(targets, count);
}

void AttributionWriter::append(const std::string& method, std::size_t count, const float* map, const float* delta,
                               const float* cam) {
    impl_->maps.at(method)->append(map, count);
    if (delta && impl_->deltas.count(method)) impl_->deltas.at(method)->append(delta, count);
    if (cam && impl_->cams.count(method)) impl_->cams.at(method)->append(cam, count);
}

void AttributionWriter::finish() {
    impl_->maps.clear();
    impl_->deltas.clear();
    impl_->cams.clear();
    impl_->index.reset();
    impl_->labels.reset();
    impl_->predictions.reset();
    impl_->targets.reset();
    h5::check_status(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), impl_->out.target() + ": cannot flush");
    impl_->file.reset();
    impl_->out.commit();
}

}  // namespace actopo::explain_detail

