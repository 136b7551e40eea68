#include "actopo/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "actopo/core.hpp"
#include "store/hdf5_util.hpp"

namespace actopo {

std::string fashion_mnist_dir() {
    const char* env = std::getenv("ACTOPO_FASHION_MNIST_DIR");
    return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

const std::vector<std::string>& fashion_mnist_class_names() {
    static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

namespace {

// Reads a whole gzip file into memory.
std::vector<unsigned char> read_gzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw UserError(path + ": cannot open");
    std::vector<unsigned char> out;
    unsigned char buf[1 << 16];
    int k;
    while ((k = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + k);
    bool bad = k < 0;
    gzclose(f);
    if (bad) throw UserError(path + ": corrupt gzip data");
    return out;
}

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Parses an IDX file (magic 0x0000 08 <ndims>, big-endian dims, unsigned bytes); returns dims and payload offset.
std::vector<std::uint32_t> idx_dims(const std::vector<unsigned char>& data, const std::string& path) {
    if (data.size() < 4 || data[0] != 0 || data[1] != 0 || data[2] != 0x08)
        throw UserError(path + ": not an IDX file of unsigned bytes");
    std::size_t nd = data[3];
    if (data.size() < 4 + 4 * nd) throw UserError(path + ": truncated IDX header");
    std::vector<std::uint32_t> dims;
    std::size_t total = 1;
    for (std::size_t i = 0; i < nd; ++i) {
        dims.push_back(be32(data.data() + 4 + 4 * i));
        total *= dims.back();
    }
    if (data.size() != 4 + 4 * nd + total)
        throw UserError(path + ": IDX payload has " + std::to_string(data.size() - 4 - 4 * nd) + " bytes, expected " +
                        std::to_string(total));
    return dims;
}

class FashionMnist : public DatasetReader {
public:
    // rows: each image as a sequence of its 28 rows ([N, 28, 28], "fashion-mnist-rows")
    FashionMnist(const std::string& split, std::size_t limit, bool rows) : split_(split), rows_(rows) {
        std::string dir = fashion_mnist_dir();
        std::string prefix = split == "train" ? "train" : "t10k";
        std::string images = dir + "/" + prefix + "-images-idx3-ubyte.gz";
        std::string labels = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
        if (!std::filesystem::exists(images))
            throw UserError(images + ": Fashion-MNIST is not installed (install the Debian package "
                            "dataset-fashion-mnist: scripts/install-deps)");
        pixels_ = read_gzip(images);
        auto d = idx_dims(pixels_, images);
        if (d.size() != 3) throw UserError(images + ": expected 3 dimensions (N, 28, 28)");
        offset_ = 4 + 4 * 3;
        h_ = d[1];
        w_ = d[2];
        auto lab = read_gzip(labels);
        auto dl = idx_dims(lab, labels);
        if (dl.size() != 1 || dl[0] != d[0])
            throw UserError(labels + ": " + std::to_string(dl.empty() ? 0 : dl[0]) + " labels for " +
                            std::to_string(d[0]) + " images");
        n_ = d[0];
        if (limit > 0) n_ = std::min<std::size_t>(n_, limit);
        labels_.assign(lab.begin() + 8, lab.begin() + 8 + long(n_));
        pixels_.resize(offset_ + n_ * h_ * w_);
        pixels_.shrink_to_fit();
    }
    std::string name() const override { return rows_ ? "fashion-mnist-rows" : "fashion-mnist"; }
    std::string split() const override { return split_; }
    std::size_t size() const override { return n_; }
    std::vector<std::int64_t> sample_shape() const override {
        if (rows_) return {std::int64_t(h_), std::int64_t(w_)};
        return {1, std::int64_t(h_), std::int64_t(w_)};
    }
    std::vector<std::string> class_names() const override { return fashion_mnist_class_names(); }
    void read(std::size_t first, std::size_t count, float* x, std::int64_t* labels) const override {
        if (first + count > n_) throw std::out_of_range("FashionMnist::read beyond the dataset");
        std::size_t px = h_ * w_;
        const unsigned char* src = pixels_.data() + offset_ + first * px;
        for (std::size_t i = 0; x && i < count * px; ++i) x[i] = float(src[i]) / 255.0f;
        for (std::size_t i = 0; i < count; ++i) labels[i] = labels_[first + i];
    }

private:
    std::string split_;
    bool rows_;
    std::vector<unsigned char> pixels_, labels_;
    std::size_t offset_ = 0, n_ = 0, h_ = 0, w_ = 0;
};

class Hdf5Dataset : public DatasetReader {
public:
    Hdf5Dataset(const std::string& path, std::size_t limit) : path_(path) {
        h5::silence_errors();
        if (!std::filesystem::exists(path)) throw UserError(path + ": no such dataset file");
        if (H5Fis_hdf5(path.c_str()) <= 0) throw UserError(path + ": not an HDF5 file (expected /x and /labels)");
        file_ = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
        if (!h5::exists(file_, "/x") || !h5::exists(file_, "/labels"))
            throw UserError(path + ": a dataset file needs /x (float32 [N, ...]) and /labels (int64 [N])");
        x_ = h5::Handle(H5Dopen2(file_, "/x", H5P_DEFAULT));
        auto d = h5::dims(x_);
        if (d.size() < 2) throw UserError(path + ": /x must be [N, ...] with at least 2 dimensions");
        labels_ = h5::read_int64(file_, "/labels", path);
        if (labels_.size() != d[0])
            throw UserError(path + ": /labels has " + std::to_string(labels_.size()) + " entries, /x has " +
                            std::to_string(d[0]) + " rows");
        n_ = d[0];
        if (limit > 0) n_ = std::min<std::size_t>(n_, limit);
        for (std::size_t i = 1; i < d.size(); ++i) shape_.push_back(std::int64_t(d[i]));
        names_ = h5::read_strings(file_, "/class_names");
    }
    std::string name() const override { return path_; }
    std::string split() const override { return ""; }
    std::size_t size() const override { return n_; }
    std::vector<std::int64_t> sample_shape() const override { return shape_; }
    std::vector<std::string> class_names() const override { return names_; }
    void read(std::size_t first, std::size_t count, float* x, std::int64_t* labels) const override {
        if (x) read_rows(x_, "x", shape_, H5T_NATIVE_FLOAT, first, count, x);
        for (std::size_t i = 0; i < count; ++i) labels[i] = labels_[first + i];
    }
    std::optional<InputArray> input_array(const std::string& name) const override {
        if (name.empty() || name.find('/') != std::string::npos || name == "labels" || name == "class_names" ||
            !h5::exists(file_, "/" + name))
            return std::nullopt;
        h5::Handle d(H5Dopen2(file_, ("/" + name).c_str(), H5P_DEFAULT));
        h5::Handle type(H5Dget_type(d));
        InputArray a;
        a.name = name;
        const H5T_class_t cls = H5Tget_class(type);
        if (cls == H5T_ENUM) a.type = InputArray::Type::boolean;  // h5py's numpy bool
        else if (cls == H5T_INTEGER && H5Tget_size(type) >= 2) a.type = InputArray::Type::int64;
        else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
            throw UserError(path_ + ": /" + name + " holds neither numbers nor bools");
        auto dims = h5::dims(d);
        if (dims.empty() || dims[0] < n_)
            throw UserError(path_ + ": /" + name + " has " + std::to_string(dims.empty() ? 0 : dims[0]) + " rows, /x has " +
                            std::to_string(n_));
        for (std::size_t i = 1; i < dims.size(); ++i) a.shape.push_back(std::int64_t(dims[i]));
        return a;
    }
    void read_array(const std::string& name, std::size_t first, std::size_t count, void* out) const override {
        auto a = input_array(name);
        if (!a) throw UserError(path_ + ": no input array /" + name);
        h5::Handle d(H5Dopen2(file_, ("/" + name).c_str(), H5P_DEFAULT));
        h5::Handle file_type(H5Dget_type(d));
        h5::Handle enum_type(a->type == InputArray::Type::boolean ? H5Tget_native_type(file_type, H5T_DIR_ASCEND) : -1);
        const hid_t memory = a->type == InputArray::Type::boolean ? hid_t(enum_type)
                           : a->type == InputArray::Type::int64   ? H5T_NATIVE_INT64
                                                                  : H5T_NATIVE_FLOAT;
        read_rows(d, name, a->shape, memory, first, count, out);
    }

private:
    void read_rows(hid_t dataset, const std::string& name, const std::vector<std::int64_t>& shape, hid_t memory,
                   std::size_t first, std::size_t count, void* out) const {
        std::vector<hsize_t> start(shape.size() + 1, 0), extent{hsize_t(count)};
        start[0] = first;
        for (auto s : shape) extent.push_back(hsize_t(s));
        h5::Handle fspace(H5Dget_space(dataset));
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
        h5::Handle mspace(H5Screate_simple(int(extent.size()), extent.data(), nullptr));
        h5::check_status(H5Dread(dataset, memory, mspace, fspace, H5P_DEFAULT, out), path_ + ": cannot read /" + name);
    }

    std::string path_;
    h5::Handle file_, x_;
    std::vector<std::int64_t> labels_, shape_;
    std::vector<std::string> names_;
    std::size_t n_ = 0;
};

}  // namespace

std::optional<InputArray> DatasetReader::input_array(const std::string& name) const {
    if (name != "x") return std::nullopt;
    return InputArray{"x", InputArray::Type::float32, sample_shape()};
}

void DatasetReader::read_array(const std::string& name, std::size_t first, std::size_t count, void* out) const {
    if (name != "x") throw UserError("dataset '" + this->name() + "' has no input array /" + name);
    std::vector<std::int64_t> labels(count);
    read(first, count, static_cast<float*>(out), labels.data());
}

std::size_t DatasetReader::token_length() const {
    const auto x = input_array("x");
    return x && x->type == InputArray::Type::int64 && x->shape.size() == 1 ? std::size_t(x->shape[0]) : 0;
}

void DatasetReader::read_tokens(std::size_t first, std::size_t count, std::int64_t* tokens) const {
    if (token_length() > 0) read_array("x", first, count, tokens);
}

std::size_t DatasetReader::mask_length() const {
    const auto mask = input_array("mask");
    if (!mask) return 0;
    if (mask->shape.size() != 1)
        throw UserError(name() + ": /mask must be [N, T] (1 at a padded position), not of " +
                        std::to_string(mask->shape.size() + 1) + " dimensions");
    const std::size_t t = std::size_t(mask->shape[0]), tokens = token_length();
    if (tokens > 0 && t != tokens)
        throw UserError(name() + ": /mask has " + std::to_string(t) + " positions per input, /x " + std::to_string(tokens) +
                        " tokens (expected the same)");
    return t;
}

void DatasetReader::read_mask(std::size_t first, std::size_t count, std::uint8_t* mask) const {
    const auto a = input_array("mask");
    if (!a) return;
    const std::size_t n = count * std::size_t(a->shape[0]);
    if (a->type == InputArray::Type::boolean) return read_array("mask", first, count, mask);
    if (a->type == InputArray::Type::int64) {
        std::vector<std::int64_t> v(n);
        read_array("mask", first, count, v.data());
        for (std::size_t i = 0; i < n; ++i) mask[i] = v[i] != 0;
    } else {
        std::vector<float> v(n);
        read_array("mask", first, count, v.data());
        for (std::size_t i = 0; i < n; ++i) mask[i] = v[i] != 0;
    }
}

std::unique_ptr<DatasetReader> open_dataset(const std::string& spec, std::size_t limit) {
    for (const std::string base : {"fashion-mnist", "fashion-mnist-rows"}) {
        const bool rows = base == "fashion-mnist-rows";
        if (spec == base || spec == base + ":test") return std::make_unique<FashionMnist>("test", limit, rows);
        if (spec == base + ":train") return std::make_unique<FashionMnist>("train", limit, rows);
        if (spec.rfind(base + ":", 0) == 0)
            throw UserError("unknown split in '" + spec + "' (expected " + base + ":test or " + base + ":train)");
    }
    auto ext = std::filesystem::path(spec).extension().string();
    if (ext == ".h5" || ext == ".hdf5") return std::make_unique<Hdf5Dataset>(spec, limit);
    throw UserError("unknown dataset '" + spec +
                    "' (expected fashion-mnist[:test|:train], fashion-mnist-rows[:test|:train] or a .h5 file with /x and /labels)");
}

}  // namespace actopo
