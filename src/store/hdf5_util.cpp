#include "hdf5_util.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <type_traits>

namespace actopo::h5 {

void Handle::reset() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
        case H5I_FILE: H5Fclose(id_); break;
        case H5I_GROUP: H5Gclose(id_); break;
        case H5I_DATASET: H5Dclose(id_); break;
        case H5I_DATASPACE: H5Sclose(id_); break;
        case H5I_DATATYPE: H5Tclose(id_); break;
        case H5I_ATTR: H5Aclose(id_); break;
        case H5I_GENPROP_LST: H5Pclose(id_); break;
        default: break;
    }
    id_ = -1;
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle check(hid_t id, const std::string& context) {
    if (id < 0) throw UserError(context);
    return Handle(id);
}

void check_status(herr_t status, const std::string& context) {
    if (status < 0) throw UserError(context);
}

Handle untimed(hid_t cls) {
    Handle plist = check(H5Pcreate(cls), "cannot create an HDF5 property list");
    H5Pset_obj_track_times(plist, 0);
    return plist;
}

bool exists(hid_t loc, const std::string& path) {
    // walk the components so that a missing parent is not an error
    std::string cur;
    for (const auto& part : split(path, '/')) {
        if (part.empty()) { cur = "/"; continue; }
        cur += (cur.empty() || cur == "/" ? "" : "/") + part;
        if (cur[0] != '/' && path[0] == '/') cur = "/" + cur;
        if (H5Lexists(loc, cur.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

Handle create_groups(hid_t file, const std::string& path) {
    std::string cur;
    Handle g;
    for (const auto& part : split(path, '/')) {
        if (part.empty()) continue;
        cur += "/" + part;
        if (H5Lexists(file, cur.c_str(), H5P_DEFAULT) > 0)
            g = check(H5Gopen2(file, cur.c_str(), H5P_DEFAULT), "cannot open group " + cur);
        else
            g = check(H5Gcreate2(file, cur.c_str(), H5P_DEFAULT, untimed(H5P_GROUP_CREATE), H5P_DEFAULT),
                      "cannot create group " + cur);
    }
    if (!g.valid()) g = check(H5Gopen2(file, "/", H5P_DEFAULT), "cannot open root group");
    return g;
}

namespace {
Handle vlen_string_type() {
    Handle t(H5Tcopy(H5T_C_S1));
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}
}  // namespace

void write_string_attr(hid_t obj, const std::string& name, const std::string& value) {
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle type = vlen_string_type();
    Handle space(H5Screate(H5S_SCALAR));
    Handle attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                        "cannot write attribute " + name);
    const char* p = value.c_str();
    check_status(H5Awrite(attr, type, &p), "cannot write attribute " + name);
}

void write_int_attr(hid_t obj, const std::string& name, std::int64_t value) {
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle space(H5Screate(H5S_SCALAR));
    Handle attr = check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "cannot write attribute " + name);
    check_status(H5Awrite(attr, H5T_NATIVE_INT64, &value), "cannot write attribute " + name);
}

void write_int_array_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& values) {
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    hsize_t n = values.size();
    Handle space(n ? H5Screate_simple(1, &n, nullptr) : H5Screate(H5S_NULL));
    Handle attr = check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "cannot write attribute " + name);
    if (n) check_status(H5Awrite(attr, H5T_NATIVE_INT64, values.data()), "cannot write attribute " + name);
}

std::string read_string_attr(hid_t obj, const std::string& name) {
    if (H5Aexists(obj, name.c_str()) <= 0) return "";
    Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    Handle ftype(H5Aget_type(attr));
    if (H5Tget_class(ftype) != H5T_STRING) return "";
    if (H5Tis_variable_str(ftype) > 0) {
        Handle mtype = vlen_string_type();
        char* p = nullptr;
        if (H5Aread(attr, mtype, &p) < 0 || !p) return "";
        std::string s(p);
        std::free(p);
        return s;
    }
    // one byte more than stored, so that a null-padded string of full length keeps its last character
    std::size_t size = H5Tget_size(ftype) + 1;
    std::string s(size, '\0');
    Handle mtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(mtype, size);
    if (H5Aread(attr, mtype, s.data()) < 0) return "";
    s.resize(std::strlen(s.c_str()));
    return s;
}

std::int64_t read_int_attr(hid_t obj, const std::string& name, std::int64_t fallback) {
    if (H5Aexists(obj, name.c_str()) <= 0) return fallback;
    Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    std::int64_t v = fallback;
    if (H5Aread(attr, H5T_NATIVE_INT64, &v) < 0) return fallback;
    return v;
}

std::vector<hsize_t> dims(hid_t dataset) {
    Handle space(H5Dget_space(dataset));
    int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> d(std::size_t(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space, d.data(), nullptr);
    return d;
}

void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& values) {
    Handle type = vlen_string_type();
    hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr));
    Handle ds = check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, untimed(H5P_DATASET_CREATE), H5P_DEFAULT),
                      "cannot create dataset " + name);
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    if (n) check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "cannot write " + name);
}

std::vector<std::string> read_strings(hid_t loc, const std::string& name) {
    std::vector<std::string> out;
    if (!exists(loc, name)) return out;
    Handle ds(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    Handle ftype(H5Dget_type(ds));
    auto d = dims(ds);
    std::size_t n = d.empty() ? 0 : d[0];
    if (H5Tget_class(ftype) != H5T_STRING || n == 0) return out;
    if (H5Tis_variable_str(ftype) > 0) {
        Handle mtype = vlen_string_type();
        std::vector<char*> ptrs(n, nullptr);
        if (H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) return out;
        for (auto* p : ptrs) {
            out.emplace_back(p ? p : "");
            std::free(p);
        }
        return out;
    }
    std::size_t size = H5Tget_size(ftype) + 1;  // room for the terminator, as above
    std::vector<char> buf(n * size);
    Handle mtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(mtype, size);
    if (H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) return out;
    for (std::size_t i = 0; i < n; ++i) out.emplace_back(std::string(buf.data() + i * size, size).c_str());
    return out;
}

void check_virtual_sources(hid_t dataset, const std::string& file, const std::string& what) {
    Handle dcpl(H5Dget_create_plist(dataset));
    if (!dcpl.valid() || H5Pget_layout(dcpl) != H5D_VIRTUAL) return;
    size_t count = 0;
    H5Pget_virtual_count(dcpl, &count);
    const std::filesystem::path dir = std::filesystem::path(file).parent_path();
    for (size_t i = 0; i < count; ++i) {
        auto text = [&](auto getter) {
            ssize_t len = getter(dcpl, i, nullptr, 0);
            std::string s(std::size_t(std::max<ssize_t>(len, 0)) + 1, '\0');
            if (len > 0) getter(dcpl, i, s.data(), s.size());
            s.resize(std::strlen(s.c_str()));
            return s;
        };
        const std::string src_file = text(H5Pget_virtual_filename), src_set = text(H5Pget_virtual_dsetname);
        std::string found;
        if (src_file == ".") found = file;
        else if (std::filesystem::exists(src_file)) found = src_file;
        else if (std::filesystem::exists(dir / src_file)) found = (dir / src_file).string();
        bool ok = !found.empty();
        if (ok) {
            Handle f(H5Fopen(found.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
            ok = f.valid() && exists(f, src_set);
        }
        if (!ok)
            throw UserError(file + ": " + what + " is a virtual dataset whose source " + src_file + ":" + src_set +
                            " is missing (HDF5 would read zeros in its place)");
    }
}

std::vector<std::int64_t> read_int64(hid_t loc, const std::string& name, const std::string& file) {
    const std::string where = file.empty() ? name : file + ": " + name;
    Handle ds = check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), where + " is missing");
    check_virtual_sources(ds, file, name);
    Handle type(H5Dget_type(ds));
    const H5T_class_t cls = H5Tget_class(type);
    if (cls != H5T_INTEGER)
        throw UserError(where + " holds " +
                        (cls == H5T_FLOAT ? std::string("floating-point") : cls == H5T_STRING ? "string" : "non-integer") +
                        " values; expected integers (int64)");
    auto d = dims(ds);
    if (d.size() > 1) throw UserError(where + " has " + std::to_string(d.size()) + " dimensions; expected a 1-D array");
    std::size_t n = 1;
    for (auto v : d) n *= v;
    std::vector<std::int64_t> out(n);
    if (!n) return out;
    if (H5Tget_sign(type) == H5T_SGN_NONE && H5Tget_size(type) >= 8) {
        std::vector<std::uint64_t> u(n);
        check_status(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, u.data()),
                     where + ": cannot read (file damaged?)");
        for (std::size_t i = 0; i < n; ++i) {
            if (u[i] > std::uint64_t(INT64_MAX))
                throw UserError(where + "[" + std::to_string(i) + "] is " + std::to_string(u[i]) +
                                ", above the largest int64 (" + std::to_string(INT64_MAX) + ")");
            out[i] = std::int64_t(u[i]);
        }
        return out;
    }
    check_status(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                 where + ": cannot read (file damaged?)");
    return out;
}

void write_doubles(hid_t loc, const std::string& name, const std::vector<double>& values,
                   const std::vector<hsize_t>& shape) {
    Handle space(H5Screate_simple(int(shape.size()), shape.data(), nullptr));
    Handle ds = check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, untimed(H5P_DATASET_CREATE),
                                 H5P_DEFAULT),
                      "cannot create dataset " + name);
    if (!values.empty())
        check_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                     "cannot write " + name);
}

std::vector<double> read_doubles(hid_t loc, const std::string& name, std::vector<hsize_t>* shape) {
    Handle ds = check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "missing dataset " + name);
    auto d = dims(ds);
    if (shape) *shape = d;
    std::size_t n = 1;
    for (auto v : d) n *= v;
    std::vector<double> out(n);
    if (n) check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                        "cannot read " + name);
    return out;
}

template <class T>
std::vector<T> read_table(hid_t loc, const std::string& name, const std::string& file, std::size_t rows,
                          std::size_t* length) {
    *length = 0;
    if (!exists(loc, name)) return {};
    Handle ds = check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), file + ": cannot open " + name);
    Handle type(H5Dget_type(ds));
    const auto d = dims(ds);
    const H5T_class_t cls = H5Tget_class(type);
    const bool boolean = cls == H5T_ENUM && H5Tget_size(type) == 1;  // h5py's bool: an enum over int8
    if ((cls != H5T_INTEGER && !boolean) || d.size() != 2 || d[0] != rows)
        throw UserError(file + ": " + name + " must be an integer or bool array [N, T] with N = " + std::to_string(rows) +
                        " (one row per input)");
    std::vector<T> out(d[0] * d[1]);
    if (out.empty()) return out;
    if (boolean) {  // read the bytes as they are
        std::vector<std::uint8_t> raw(out.size());
        check_status(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), file + ": cannot read " + name);
        for (std::size_t i = 0; i < raw.size(); ++i) out[i] = T(raw[i] != 0);
    } else if constexpr (std::is_same_v<T, std::uint8_t>) {
        std::vector<std::int64_t> wide(out.size());
        check_status(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, wide.data()), file + ": cannot read " + name);
        for (std::size_t i = 0; i < wide.size(); ++i) out[i] = std::uint8_t(wide[i] != 0);
    } else {
        check_status(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file + ": cannot read " + name);
    }
    *length = d[1];
    return out;
}
template std::vector<std::uint8_t> read_table(hid_t, const std::string&, const std::string&, std::size_t, std::size_t*);
template std::vector<std::int64_t> read_table(hid_t, const std::string&, const std::string&, std::size_t, std::size_t*);

}  // namespace actopo::h5
