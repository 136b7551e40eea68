#pragma once
// Small RAII and helper layer over the HDF5 C API, shared by the modules that read or write HDF5.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo::h5 {

/// Owns one HDF5 identifier and closes it with the right H5?close.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) { reset(); id_ = o.id_; o.id_ = -1; }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    void reset();

private:
    hid_t id_ = -1;
};

/// Turns off HDF5's own error printing (we report one line ourselves).
void silence_errors();
/// Throws UserError("<context>: <what>") when id < 0, else wraps it.
Handle check(hid_t id, const std::string& context);
void check_status(herr_t status, const std::string& context);

/// A creation property list of class `cls` (dataset, group or file creation) that records no access,
/// modification or change times, so that the same content gives the same file bytes.
Handle untimed(hid_t cls);

bool exists(hid_t loc, const std::string& path);
/// Creates every missing group along path ("/a/b/c").
Handle create_groups(hid_t file, const std::string& path);

void write_string_attr(hid_t obj, const std::string& name, const std::string& value);
void write_int_attr(hid_t obj, const std::string& name, std::int64_t value);
void write_int_array_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& values);
/// Reads a string attribute (variable or fixed length); "" when absent.
std::string read_string_attr(hid_t obj, const std::string& name);
std::int64_t read_int_attr(hid_t obj, const std::string& name, std::int64_t fallback);

/// Dimensions of a dataset.
std::vector<hsize_t> dims(hid_t dataset);
/// A 1-D dataset of variable-length UTF-8 strings.
void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(hid_t loc, const std::string& name);
/// Whole 1-D int64 dataset. `file` (the path, for messages) prefixes every error. UserError when the
/// dataset holds floating-point or string values (a label is never truncated), or unsigned values above
/// INT64_MAX, or when it is a virtual dataset whose source is missing.
std::vector<std::int64_t> read_int64(hid_t loc, const std::string& name, const std::string& file = "");
/// An integer (or h5py bool) table [N, T] with N = `rows`, row-major; empty with *length 0 when absent. uint8 tables
/// hold 0/1 (nonzero -> 1). UserError naming the file and dataset when it is not an integer array of N rows.
template <class T>
std::vector<T> read_table(hid_t loc, const std::string& name, const std::string& file, std::size_t rows,
                          std::size_t* length);

/// UserError "<file>: <what> is a virtual dataset whose source <f>:<d> is missing" for a virtual dataset
/// whose source file or dataset does not exist (HDF5 would read its fill value, zeros, without a word).
void check_virtual_sources(hid_t dataset, const std::string& file, const std::string& what);
/// Whole float64 2-D dataset [m, 2] (or any shape, flattened).
void write_doubles(hid_t loc, const std::string& name, const std::vector<double>& values,
                   const std::vector<hsize_t>& shape);
std::vector<double> read_doubles(hid_t loc, const std::string& name, std::vector<hsize_t>* shape = nullptr);

}  // namespace actopo::h5
