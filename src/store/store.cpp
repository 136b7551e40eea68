#include "actopo/store.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "half.hpp"
#include "hdf5_util.hpp"

namespace actopo {

using h5::Handle;

std::size_t per_input_size(const std::vector<std::int64_t>& shape) {
    std::size_t n = 1;
    for (auto d : shape) n *= std::size_t(d);
    return n;
}

std::string store_created_time() {
    const char* env = std::getenv("SOURCE_DATE_EPOCH");
    if (!env || !*env) return iso_time_now();
    std::string text(env);
    char* end = nullptr;
    errno = 0;
    long long seconds = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || seconds < 0 || text.find_first_not_of("0123456789") != std::string::npos)
        throw UserError("SOURCE_DATE_EPOCH='" + text + "' is not a Unix time (expected whole seconds since 1970, e.g. 1700000000)");
    return iso_time(std::time_t(seconds));
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
    std::vector<std::string> parts;
    for (auto d : shape) parts.push_back(std::to_string(d));
    return "[" + join(parts) + "]";
}

StoreDtype parse_store_dtype(const std::string& name) {
    if (name == "float32") return StoreDtype::float32;
    if (name == "float16") return StoreDtype::float16;
    throw UserError("unknown store dtype '" + name + "' (expected float32 or float16)");
}
std::string store_dtype_name(StoreDtype dtype) { return dtype == StoreDtype::float16 ? "float16" : "float32"; }
std::size_t store_dtype_bytes(StoreDtype dtype) { return dtype == StoreDtype::float16 ? 2 : 4; }

namespace {
constexpr const char* kFormat = "actopo-activations";

// IEEE binary16 little-endian, as h5py and numpy's float16 write it (HDF5 1.10 predefines no such type).
Handle half_type() {
    Handle t(H5Tcopy(H5T_IEEE_F32LE));
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    H5Tset_precision(t, 16);
    return t;
}
bool is_half(hid_t type) { return H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == 2; }

// An extendible, chunked dataset [0, inner...] that grows along the first axis, optionally shuffled and
// deflated. Only whole chunks are written while streaming: rows that do not fill a chunk wait in `pending`
// (at most one chunk) for the next append, and the last partial chunk is written by flush(). So HDF5 never
// reads back, decompresses and rewrites a chunk that two batches share, and no chunk cache is needed.
struct Appender {
    Handle ds;
    std::vector<hsize_t> inner;  // per-row shape
    hid_t mem_type;
    std::size_t row_bytes = 0;
    hsize_t chunk_rows = 1;
    hsize_t rows = 0;  // rows in the file (a multiple of chunk_rows until flush)
    std::vector<unsigned char> pending;
    hsize_t pending_rows = 0;

    Appender(hid_t loc, const std::string& name, hid_t file_type, hid_t mem, std::vector<hsize_t> inner_shape,
             int compression)
        : inner(std::move(inner_shape)), mem_type(mem) {
        std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk;
        std::size_t row_elems = 1;
        for (auto d : inner) { dims.push_back(d); maxdims.push_back(d); row_elems *= d; }
        row_bytes = row_elems * H5Tget_size(mem);
        // about 1 MiB per chunk (counted as 4 bytes a value, whatever the type), at least one row
        chunk_rows = std::max<hsize_t>(1, hsize_t((1u << 20) / (4 * std::max<std::size_t>(1, row_elems))));
        if (H5Tget_size(mem) == 2) chunk_rows *= 2;  // float16: as many bytes per chunk as float32
        chunk_rows = std::min<hsize_t>(chunk_rows, 4096);
        chunk.push_back(chunk_rows);
        for (auto d : inner) chunk.push_back(std::max<hsize_t>(1, d));
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), maxdims.data()));
        Handle plist = h5::untimed(H5P_DATASET_CREATE);
        H5Pset_chunk(plist, int(chunk.size()), chunk.data());
        // an explicit fill value: the unused tail of the last chunk holds zeros, never stale memory
        if (H5Tget_class(mem) == H5T_FLOAT) {
            const double zero = 0;
            H5Pset_fill_value(plist, H5T_NATIVE_DOUBLE, &zero);
        } else {
            const std::int64_t zero = 0;
            H5Pset_fill_value(plist, H5T_NATIVE_INT64, &zero);
        }
        H5Pset_fletcher32(plist);  // a checksum per chunk: a flipped bit is reported on reading, not read
        if (compression > 0) {
            H5Pset_shuffle(plist);
            H5Pset_deflate(plist, unsigned(std::min(compression, 9)));
        }
        Handle dapl(H5Pcreate(H5P_DATASET_ACCESS));
        H5Pset_chunk_cache(dapl, 0, 0, 1.0);  // whole chunks go straight to the file
        ds = h5::check(H5Dcreate2(loc, name.c_str(), file_type, space, H5P_DEFAULT, plist, dapl),
                       "cannot create dataset " + name);
    }

    // Writes `count` rows at the end of the file's dataset.
    void write_rows(const void* data, hsize_t count) {
        std::vector<hsize_t> newdims{rows + count}, start{rows}, extent{count};
        for (auto d : inner) { newdims.push_back(d); start.push_back(0); extent.push_back(d); }
        h5::check_status(H5Dset_extent(ds, newdims.data()), "cannot extend dataset");
        Handle fspace(H5Dget_space(ds));
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
        Handle mspace(H5Screate_simple(int(extent.size()), extent.data(), nullptr));
        h5::check_status(H5Dwrite(ds, mem_type, mspace, fspace, H5P_DEFAULT, data), "cannot write dataset");
        rows += count;
    }

    void append(const void* data, hsize_t count) {
        const auto* p = static_cast<const unsigned char*>(data);
        if (pending_rows > 0) {  // complete the waiting chunk first
            hsize_t take = std::min(count, chunk_rows - pending_rows);
            std::memcpy(pending.data() + pending_rows * row_bytes, p, take * row_bytes);
            pending_rows += take;
            p += take * row_bytes;
            count -= take;
            if (pending_rows < chunk_rows) return;
            write_rows(pending.data(), chunk_rows);
            pending_rows = 0;
        }
        hsize_t whole = count / chunk_rows * chunk_rows;
        if (whole > 0) write_rows(p, whole);
        p += whole * row_bytes;
        count -= whole;
        if (count > 0) {
            pending.resize(chunk_rows * row_bytes);
            std::memcpy(pending.data(), p, count * row_bytes);
            pending_rows = count;
        }
    }

    void flush() {
        if (pending_rows > 0) write_rows(pending.data(), pending_rows);
        pending_rows = 0;
        pending = {};
    }
};

std::vector<hsize_t> to_hsize(const std::vector<std::int64_t>& v) {
    return std::vector<hsize_t>(v.begin(), v.end());
}
}  // namespace

// ---------------------------------------------------------------------------------------- writer
struct StoreWriter::Impl {
    AtomicOutput out;
    Handle file;
    std::vector<LayerSpec> layers;
    std::int64_t num_classes;
    Appender index, labels, predictions, logits;
    std::vector<Appender> layer_sets;
    std::unique_ptr<Appender> mask, tokens;
    StoreWriterOptions options;
    Handle half;  // the float16 type, when the layers are stored so
    std::vector<std::uint16_t> converted;  // one layer's batch as float16
    Impl(const std::string& path, bool force, std::vector<LayerSpec> specs, std::int64_t c, const StoreWriterOptions& o)
        : out(path, force),
          file(open(out.temp_path())),
          layers(std::move(specs)),
          num_classes(c),
          index(groups(file), "/inputs/index", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, o.compression),
          labels(file, "/inputs/labels", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, o.compression),
          predictions(file, "/inputs/predictions", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, o.compression),
          logits(file, "/inputs/logits", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {hsize_t(c)}, o.compression),
          options(o) {
        if (o.mask_length > 0)
            mask = std::make_unique<Appender>(file, "/inputs/mask", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                                              std::vector<hsize_t>{hsize_t(o.mask_length)}, o.compression);
        if (o.token_length > 0)
            tokens = std::make_unique<Appender>(file, "/inputs/tokens", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                                std::vector<hsize_t>{hsize_t(o.token_length)}, o.compression);
        if (o.dtype == StoreDtype::float16) half = half_type();
    }
    static Handle open(const std::string& tmp) {
        h5::silence_errors();
        Handle fcpl = h5::untimed(H5P_FILE_CREATE);  // the root group records no times either
        return h5::check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT),
                         tmp + ": cannot create the activation store");
    }
    static hid_t groups(hid_t file) {
        h5::create_groups(file, "/inputs");
        // track creation order so that layers list in the model's order
        Handle gcpl = h5::untimed(H5P_GROUP_CREATE);
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        h5::check(H5Gcreate2(file, "/layers", H5P_DEFAULT, gcpl, H5P_DEFAULT), "cannot create /layers");
        return file;
    }
};

namespace {
StoreWriterOptions with_compression(int compression) {
    StoreWriterOptions o;
    o.compression = compression;
    return o;
}
}  // namespace

StoreWriter::StoreWriter(const std::string& path, const StoreInfo& info, const std::vector<LayerSpec>& layers,
                         std::int64_t num_classes, bool force, int compression)
    : StoreWriter(path, info, layers, num_classes, force, with_compression(compression)) {}

StoreWriter::StoreWriter(const std::string& path, const StoreInfo& info, const std::vector<LayerSpec>& layers,
                         std::int64_t num_classes, bool force, const StoreWriterOptions& options)
    : impl_((options.compression < 0 || options.compression > 9)
                ? throw UserError("compression level " + std::to_string(options.compression) +
                                  " is out of range (expected 0-9)")
                : std::make_unique<Impl>(path, force, layers, num_classes, options)) {
    hid_t f = impl_->file;
    Handle root(H5Gopen2(f, "/", H5P_DEFAULT));
    h5::write_string_attr(root, "format", kFormat);
    h5::write_int_attr(root, "version", 1);
    h5::write_string_attr(root, "model", info.model);
    h5::write_string_attr(root, "model_sha256", info.model_sha256);
    h5::write_string_attr(root, "dataset", info.dataset);
    h5::write_string_attr(root, "split", info.split);
    h5::write_string_attr(root, "created", info.created.empty() ? store_created_time() : info.created);
    h5::write_string_attr(root, "actopo_version", info.actopo_version.empty() ? version() : info.actopo_version);
    h5::write_string_attr(root, "store_dtype", store_dtype_name(options.dtype));
    h5::write_int_attr(root, "pool", options.pool);
    if (!info.class_names.empty()) h5::write_strings(f, "/inputs/class_names", info.class_names);
    const bool half = options.dtype == StoreDtype::float16;
    for (const auto& l : layers) {
        if (l.name.find('/') != std::string::npos)
            throw UserError("layer name '" + l.name + "' contains '/', which a store cannot hold");
        Handle g = h5::create_groups(f, "/layers/" + l.name);
        impl_->layer_sets.emplace_back(g, "activations", half ? impl_->half.get() : H5T_IEEE_F32LE,
                                       half ? impl_->half.get() : H5T_NATIVE_FLOAT, to_hsize(l.shape),
                                       options.compression);
        hid_t ds = impl_->layer_sets.back().ds;
        h5::write_string_attr(ds, "module", l.name);
        h5::write_int_array_attr(ds, "shape", l.shape);
        if (l.pool > 1) {
            h5::write_int_attr(ds, "pool", l.pool);
            h5::write_int_array_attr(ds, "source_shape", l.source_shape);
        }
        nonfinite_[l.name] = 0;
        if (half) overflow_[l.name] = 0;
    }
}

StoreWriter::~StoreWriter() = default;

void StoreWriter::append(std::size_t batch, const std::int64_t* index, const std::int64_t* labels,
                         const std::int64_t* predictions, const float* logits,
                         const std::vector<const float*>& layer_data, const std::uint8_t* mask,
                         const std::int64_t* tokens) {
    if (layer_data.size() != impl_->layers.size())
        throw std::logic_error("StoreWriter::append: one pointer per layer expected");
    if ((impl_->mask && !mask) || (impl_->tokens && !tokens))
        throw std::logic_error("StoreWriter::append: the store has /inputs/mask or /inputs/tokens, none given");
    if (impl_->mask) impl_->mask->append(mask, batch);
    if (impl_->tokens) impl_->tokens->append(tokens, batch);
    impl_->index.append(index, batch);
    impl_->labels.append(labels, batch);
    impl_->predictions.append(predictions, batch);
    if (impl_->num_classes > 0) impl_->logits.append(logits, batch);
    for (std::size_t i = 0; i < layer_data.size(); ++i) {
        std::size_t count = batch * per_input_size(impl_->layers[i].shape);
        // NaN or Inf: all exponent bits set (a test on the bits, which the compiler vectorises)
        const auto* bits = reinterpret_cast<const std::uint32_t*>(layer_data[i]);
        std::uint64_t bad = 0;
        for (std::size_t k = 0; k < count; ++k) bad += (bits[k] & 0x7f800000u) == 0x7f800000u;
        nonfinite_[impl_->layers[i].name] += bad;
        if (!impl_->half.valid()) {
            impl_->layer_sets[i].append(layer_data[i], batch);
            continue;
        }
        auto& h = impl_->converted;
        h.resize(count);
        std::uint64_t overflow = 0;
        for (std::size_t k = 0; k < count; ++k) {
            h[k] = half::from_float(layer_data[i][k]);
            overflow += (h[k] & 0x7fffu) == 0x7c00u && (bits[k] & 0x7f800000u) != 0x7f800000u;  // finite -> Inf
        }
        overflow_[impl_->layers[i].name] += overflow;
        impl_->layer_sets[i].append(h.data(), batch);
    }
}

void StoreWriter::finish() {
    for (auto* a : {&impl_->index, &impl_->labels, &impl_->predictions, &impl_->logits}) a->flush();
    for (auto* a : {impl_->mask.get(), impl_->tokens.get()})
        if (a) a->flush();
    for (auto& a : impl_->layer_sets) a.flush();
    std::uint64_t total_bad = 0;
    for (std::size_t i = 0; i < impl_->layers.size(); ++i) {
        auto bad = nonfinite_[impl_->layers[i].name];
        h5::write_int_attr(impl_->layer_sets[i].ds, "nonfinite", std::int64_t(bad));
        if (impl_->half.valid())
            h5::write_int_attr(impl_->layer_sets[i].ds, "float16_overflow", std::int64_t(overflow_[impl_->layers[i].name]));
        total_bad += bad;
    }
    Handle root(H5Gopen2(impl_->file, "/", H5P_DEFAULT));
    h5::write_int_attr(root, "nonfinite", std::int64_t(total_bad));
    root.reset();
    impl_->layer_sets.clear();
    impl_->index.ds.reset();
    impl_->labels.ds.reset();
    impl_->predictions.ds.reset();
    impl_->logits.ds.reset();
    impl_->mask.reset();
    impl_->tokens.reset();
    h5::check_status(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), impl_->out.target() + ": cannot flush");
    impl_->file.reset();
    impl_->out.commit();
}

// ---------------------------------------------------------------------------------------- reader
struct StoreReader::Impl {
    Handle file;
};

StoreReader::StoreReader(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
    h5::silence_errors();
    if (!std::filesystem::exists(path)) throw UserError(path + ": no such file (expected an activation store)");
    if (H5Fis_hdf5(path.c_str()) <= 0) throw UserError(path + ": not an HDF5 file (expected an activation store)");
    impl_->file = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
    hid_t f = impl_->file;
    if (!h5::exists(f, "/layers") || !h5::exists(f, "/inputs/labels"))
        throw UserError(path + ": not an activation store (expected /layers and /inputs/labels; see docs/formats.md)");
    Handle root(H5Gopen2(f, "/", H5P_DEFAULT));
    info_.model = h5::read_string_attr(root, "model");
    info_.model_sha256 = h5::read_string_attr(root, "model_sha256");
    info_.dataset = h5::read_string_attr(root, "dataset");
    info_.split = h5::read_string_attr(root, "split");
    info_.created = h5::read_string_attr(root, "created");
    info_.actopo_version = h5::read_string_attr(root, "actopo_version");
    info_.class_names = h5::read_strings(f, "/inputs/class_names");
    {
        Handle ds = h5::check(H5Dopen2(f, "/inputs/labels", H5P_DEFAULT), path + ": cannot open /inputs/labels");
        auto d = h5::dims(ds);
        if (d.size() != 1)
            throw UserError(path + ": /inputs/labels has " + std::to_string(d.size()) +
                            " dimensions; expected a 1-D array of N class labels");
        n_ = d[0];
    }
    Handle layers(H5Gopen2(f, "/layers", H5P_DEFAULT));
    H5G_info_t ginfo;
    H5Gget_info(layers, &ginfo);
    for (hsize_t i = 0; i < ginfo.nlinks; ++i) {
        ssize_t len = H5Lget_name_by_idx(layers, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0)  // files from other writers may not track creation order
            len = H5Lget_name_by_idx(layers, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        std::string name(std::size_t(len), '\0');
        if (H5Lget_name_by_idx(layers, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(), std::size_t(len) + 1,
                               H5P_DEFAULT) < 0)
            H5Lget_name_by_idx(layers, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), std::size_t(len) + 1,
                               H5P_DEFAULT);
        if (h5::exists(layers, name + "/activations")) layer_names_.push_back(name);
    }
    if (layer_names_.empty())
        throw UserError(path + ": the activation store has no layers (expected /layers/<name>/activations)");
}

StoreReader::~StoreReader() = default;
StoreReader::StoreReader(StoreReader&&) noexcept = default;

bool StoreReader::has_layer(const std::string& name) const {
    for (const auto& l : layer_names_)
        if (l == name) return true;
    return false;
}

namespace {
Handle open_layer(hid_t file, const StoreReader& r, const std::string& name) {
    if (!r.has_layer(name))
        throw UserError(r.path() + ": no layer '" + name + "' (closest: " +
                        join(closest_names(name, r.layer_names())) + ")");
    Handle ds = h5::check(H5Dopen2(file, ("/layers/" + name + "/activations").c_str(), H5P_DEFAULT),
                          r.path() + ": cannot open layer " + name);
    h5::check_virtual_sources(ds, r.path(), "layer '" + name + "'");
    Handle type(H5Dget_type(ds));
    if (H5Tget_class(type) != H5T_FLOAT && H5Tget_class(type) != H5T_INTEGER)
        throw UserError(r.path() + ": layer '" + name + "' holds non-numeric values; expected float32 activations");
    return ds;
}
}  // namespace

std::vector<std::int64_t> StoreReader::layer_shape(const std::string& name) const {
    Handle ds = open_layer(impl_->file, *this, name);
    auto d = h5::dims(ds);
    if (d.empty() || d[0] != n_)
        throw UserError(path_ + ": layer '" + name + "' has " + std::to_string(d.empty() ? 0 : d[0]) +
                        " rows, expected " + std::to_string(n_) + " (one per input)");
    return std::vector<std::int64_t>(d.begin() + 1, d.end());
}

std::vector<float> StoreReader::read_layer_rows(const std::string& name, std::size_t first, std::size_t count) const {
    Handle ds = open_layer(impl_->file, *this, name);
    auto d = h5::dims(ds);
    if (first + count > d[0])
        throw UserError(path_ + ": layer '" + name + "' rows " + std::to_string(first) + ".." +
                        std::to_string(first + count) + " beyond its " + std::to_string(d[0]) + " rows");
    // the size in floats, refused (naming the file and layer) when it overflows or cannot be allocated
    std::size_t row = 1;
    bool overflow = false;
    for (std::size_t i = 1; i < d.size(); ++i) overflow |= __builtin_mul_overflow(row, std::size_t(d[i]), &row);
    std::size_t total = 0;
    overflow |= __builtin_mul_overflow(count, row, &total) || total > std::size_t(1) << 60;
    std::vector<std::int64_t> shape(d.begin() + 1, d.end());
    auto too_big = [&] {
        return UserError(path_ + ": layer '" + name + "' declares " + std::to_string(count) + " x " + shape_string(shape) +
                         " values (" + (overflow ? std::string("more than 2^60") : std::to_string(total)) +
                         " floats), more than this machine's memory; check its shape or read fewer --points");
    };
    if (overflow) throw too_big();
    std::vector<float> out;
    try {
        out.resize(total);
    } catch (const std::bad_alloc&) {
        throw too_big();
    }
    if (count == 0) return out;
    std::vector<hsize_t> start(d.size(), 0), extent = d;
    start[0] = first;
    extent[0] = count;
    Handle fspace(H5Dget_space(ds));
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
    Handle mspace(H5Screate_simple(int(extent.size()), extent.data(), nullptr));
    Handle type(H5Dget_type(ds));
    if (is_half(type)) {  // float16: read the half floats as they are, convert here (HDF5's soft conversion is slow)
        auto* raw = reinterpret_cast<std::uint16_t*>(out.data());  // the first half of the float buffer
        Handle native = half_type();
        h5::check_status(H5Dread(ds, native, mspace, fspace, H5P_DEFAULT, raw),
                         path_ + ": cannot read layer " + name + " (file damaged?)");
        for (std::size_t k = total; k-- > 0;) out[k] = half::to_float(raw[k]);  // backwards: never overwrites unread
        return out;
    }
    h5::check_status(H5Dread(ds, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, out.data()),
                     path_ + ": cannot read layer " + name + " (file damaged?)");
    return out;
}

StoreDtype StoreReader::layer_dtype(const std::string& name) const {
    Handle ds = open_layer(impl_->file, *this, name);
    Handle type(H5Dget_type(ds));
    return is_half(type) ? StoreDtype::float16 : StoreDtype::float32;
}

std::int64_t StoreReader::layer_pool(const std::string& name) const {
    Handle ds = open_layer(impl_->file, *this, name);
    return std::max<std::int64_t>(1, h5::read_int_attr(ds, "pool", 1));
}

std::vector<std::uint8_t> StoreReader::mask(std::size_t* length) const {
    return h5::read_table<std::uint8_t>(impl_->file, "/inputs/mask", path_, n_, length);
}

std::vector<std::int64_t> StoreReader::tokens(std::size_t* length) const {
    return h5::read_table<std::int64_t>(impl_->file, "/inputs/tokens", path_, n_, length);
}

Matrix StoreReader::read_layer(const std::string& name) const {
    auto shape = layer_shape(name);
    Matrix m;
    m.rows = n_;
    m.cols = per_input_size(shape);
    m.data = read_layer_rows(name, 0, n_);
    return m;
}

std::uint64_t StoreReader::layer_nonfinite(const std::string& name) const {
    {
        Handle ds = open_layer(impl_->file, *this, name);
        const std::int64_t recorded = h5::read_int_attr(ds, "nonfinite", -1);
        if (recorded >= 0) return std::uint64_t(recorded);
    }
    // a store written by another tool: count, a block of rows at a time (about 64 MiB)
    const std::size_t row = std::max<std::size_t>(1, per_input_size(layer_shape(name)));
    const std::size_t block = std::max<std::size_t>(1, (std::size_t(16) << 20) / row);
    std::uint64_t bad = 0;
    for (std::size_t first = 0; first < n_; first += block) {
        const auto values = read_layer_rows(name, first, std::min(block, n_ - first));
        for (float v : values) bad += !std::isfinite(v);
    }
    return bad;
}

std::vector<std::int64_t> StoreReader::index() const {
    if (!h5::exists(impl_->file, "/inputs/index")) {
        std::vector<std::int64_t> ids(n_);
        for (std::size_t i = 0; i < n_; ++i) ids[i] = std::int64_t(i);
        return ids;
    }
    return checked_rows("/inputs/index");
}
std::vector<std::int64_t> StoreReader::labels() const { return checked_rows("/inputs/labels"); }
bool StoreReader::has_predictions() const { return h5::exists(impl_->file, "/inputs/predictions"); }
std::vector<std::int64_t> StoreReader::predictions() const {
    if (!has_predictions()) return std::vector<std::int64_t>(n_, -1);
    return checked_rows("/inputs/predictions");
}

std::vector<std::int64_t> StoreReader::checked_rows(const std::string& name) const {
    auto v = h5::read_int64(impl_->file, name, path_);
    if (v.size() != n_)
        throw UserError(path_ + ": " + name + " has " + std::to_string(v.size()) + " rows, expected " +
                        std::to_string(n_) + " (one per input, like /inputs/labels)");
    return v;
}

Matrix StoreReader::logits() const {
    Matrix m;
    if (!h5::exists(impl_->file, "/inputs/logits")) return m;
    Handle ds = h5::check(H5Dopen2(impl_->file, "/inputs/logits", H5P_DEFAULT), path_ + ": cannot open /inputs/logits");
    h5::check_virtual_sources(ds, path_, "/inputs/logits");
    auto d = h5::dims(ds);
    m.rows = d.size() > 0 ? d[0] : 0;
    m.cols = d.size() > 1 ? d[1] : 0;
    m.data.resize(m.rows * m.cols);
    if (!m.data.empty())
        h5::check_status(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m.data.data()),
                         path_ + ": cannot read /inputs/logits");
    return m;
}

}  // namespace actopo
