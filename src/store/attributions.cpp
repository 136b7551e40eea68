// The attribution file (layout in docs/formats.md; written by src/explain/file.cpp), read back for pictures,
// quality and the Mapper pages: in the store module, so that the commands without LibTorch read it too.
#include "actopo/store.hpp"
#include "store/hdf5_util.hpp"

namespace actopo {

using h5::Handle;

namespace {
Handle open_attributions(const std::string& path) {
    h5::silence_errors();
    Handle f = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                         "'" + path + "' is not a readable HDF5 file");
    Handle root(H5Gopen2(f, "/", H5P_DEFAULT));
    if (h5::read_string_attr(root, "format") != "actopo-attributions")
        throw UserError("'" + path + "' is not an attribution file (format attribute is not actopo-attributions)");
    return f;
}
}  // namespace

bool is_attribution_file(const std::string& path) {
    try {
        open_attributions(path);
        return true;
    } catch (const UserError&) {
        return false;
    }
}

AttributionFile read_attribution_file(const std::string& path) {
    Handle f = open_attributions(path);
    AttributionFile a;
    Handle root(H5Gopen2(f, "/", H5P_DEFAULT));
    a.model = h5::read_string_attr(root, "model");
    a.dataset = h5::read_string_attr(root, "dataset");
    a.split = h5::read_string_attr(root, "split");
    a.target = h5::read_string_attr(root, "target");
    a.index = h5::read_int64(f, "/inputs/index");
    a.labels = h5::read_int64(f, "/inputs/labels");
    a.predictions = h5::read_int64(f, "/inputs/predictions");
    a.targets = h5::read_int64(f, "/inputs/target");
    if (h5::exists(f, "/inputs/class_names")) a.class_names = h5::read_strings(f, "/inputs/class_names");
    Handle g = h5::check(H5Gopen2(f, "/attributions", H5P_DEFAULT), path + ": no /attributions group");
    H5G_info_t info;
    H5Gget_info(g, &info);
    const H5_index_t order = H5Pget_link_creation_order(Handle(H5Gget_create_plist(g)), nullptr) >= 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        char name[1024];
        if (H5Lget_name_by_idx(g, ".", order, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0)
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        std::string s(name);
        if (s.size() > 6 && s.compare(s.size() - 6, 6, "_delta") == 0) continue;
        a.methods.push_back(s);
    }
    return a;
}

std::vector<float> read_attributions(const std::string& path, const std::string& method,
                                     std::vector<std::int64_t>* shape) {
    Handle f = open_attributions(path);
    const std::string name = "/attributions/" + method;
    if (!h5::exists(f, name)) throw UserError("'" + path + "' has no attributions of method '" + method + "'");
    Handle ds = h5::check(H5Dopen2(f, name.c_str(), H5P_DEFAULT), "cannot open " + name);
    auto d = h5::dims(ds);
    std::size_t n = 1;
    for (auto v : d) n *= v;
    std::vector<float> out(n);
    if (n) h5::check_status(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "cannot read " + name);
    if (shape) shape->assign(d.begin(), d.end());
    return out;
}

}  // namespace actopo
