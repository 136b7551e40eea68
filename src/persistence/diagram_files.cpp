// Diagram files (docs/persistence.md): CSV "dim,birth,death" (inf for an essential class; metadata in
// leading "# key: value" lines), JSON {"meta", "diagrams": [{"dim", "pairs"}]} (null for infinity),
// HDF5 /diagrams/<group>/dim<k> float64 [m, 2] with the metadata as string attributes of the group.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "persistence/internal.hpp"
#include "store/hdf5_util.hpp"

namespace actopo {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string extension(const std::string& path) {
    auto dot = path.rfind('.');
    return dot == std::string::npos ? "" : path.substr(dot + 1);
}

/// Shortest of %.9g / %.17g that reads back as the same double.
std::string number(double v) {
    if (std::isinf(v)) return "inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

int max_dim_of(const Diagrams& d) {
    int m = -1;
    for (const auto& x : d.dims) m = std::max(m, x.dim);
    if (auto it = d.meta.find("max_dim"); it != d.meta.end()) m = std::max(m, std::atoi(it->second.c_str()));
    return m;
}

constexpr double kMaxDiagramValue = 1e150;

void check_pair(const std::string& where, double b, double d) {
    if (std::isnan(b) || std::isnan(d) || std::isinf(b) || d < b)
        throw UserError(where + ": expected a finite birth and a death >= birth (or inf), got " + number(b) +
                        ", " + number(d));
    // the distances square and sum differences: beyond 1e150 they overflow double (nan/inf distances)
    if (std::abs(b) > kMaxDiagramValue || (std::isfinite(d) && std::abs(d) > kMaxDiagramValue))
        throw UserError(where + ": " + number(std::abs(b) > kMaxDiagramValue ? b : d) +
                        " is beyond the largest diagram value 1e150 (distances would overflow); rescale the input");
}

/// Diagrams with dims 0..max_dim, filled from (dim, pair) rows.
Diagrams assemble(std::vector<std::pair<int, PersistencePair>> rows, std::map<std::string, std::string> meta) {
    Diagrams out;
    out.meta = std::move(meta);
    int m = max_dim_of(out);
    for (const auto& r : rows) m = std::max(m, r.first);
    for (int k = 0; k <= m; ++k) out.dims.push_back(Diagram{k, {}});
    for (const auto& [k, p] : rows) out.dims[k].pairs.push_back(p);
    return out;
}

std::string to_csv(const Diagrams& d) {
    std::string s;
    for (const auto& [k, v] : d.meta) s += "# " + k + ": " + v + "\n";
    s += "dim,birth,death\n";
    for (const auto& dg : d.dims)
        for (const auto& p : dg.pairs) s += std::to_string(dg.dim) + "," + number(p.birth) + "," + number(p.death) + "\n";
    return s;
}

Diagrams from_csv(const std::string& path) {
    std::istringstream in(read_text_file(path));
    std::string line;
    std::map<std::string, std::string> meta;
    std::vector<std::pair<int, PersistencePair>> rows;
    bool header = false;
    for (std::size_t row = 1; std::getline(in, line); ++row) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty()) continue;
        if (line[0] == '#') {
            auto colon = line.find(':');
            if (colon != std::string::npos) meta[trim(line.substr(1, colon - 1))] = trim(line.substr(colon + 1));
            continue;
        }
        if (!header) {
            if (trim(line) != "dim,birth,death")
                throw UserError(path + ": row " + std::to_string(row) + ": expected the header dim,birth,death");
            header = true;
            continue;
        }
        auto f = split(line, ',');
        const std::string where = path + ": row " + std::to_string(row);
        if (f.size() != 3) throw UserError(where + ": expected 3 columns dim,birth,death, got " + std::to_string(f.size()));
        char* end = nullptr;
        long k = std::strtol(f[0].c_str(), &end, 10);
        if (end == f[0].c_str() || *end || k < 0 || k > 64) throw UserError(where + ", column 1: expected a dimension, got '" + f[0] + "'");
        double v[2];
        for (int c = 0; c < 2; ++c) {
            std::string t = trim(f[c + 1]);
            v[c] = std::strtod(t.c_str(), &end);
            if (t.empty() || *end) throw UserError(where + ", column " + std::to_string(c + 2) + ": expected a number, got '" + t + "'");
        }
        check_pair(where, v[0], v[1]);
        rows.push_back({int(k), {v[0], v[1]}});
    }
    if (!header) throw UserError(path + ": empty file, expected the header dim,birth,death");
    return assemble(std::move(rows), std::move(meta));
}

std::string to_json(const Diagrams& d) {
    nlohmann::json j;
    j["meta"] = nlohmann::json::object();
    for (const auto& [k, v] : d.meta) j["meta"][k] = v;
    j["diagrams"] = nlohmann::json::array();
    for (const auto& dg : d.dims) {
        nlohmann::json pairs = nlohmann::json::array();
        for (const auto& p : dg.pairs)
            pairs.push_back({p.birth, p.essential() ? nlohmann::json(nullptr) : nlohmann::json(p.death)});
        j["diagrams"].push_back({{"dim", dg.dim}, {"pairs", pairs}});
    }
    return j.dump() + "\n";
}

Diagrams from_json(const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_text_file(path));
    } catch (const nlohmann::json::parse_error& e) {
        throw UserError(path + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    try {
        std::map<std::string, std::string> meta;
        if (j.contains("meta"))
            for (const auto& [k, v] : j.at("meta").items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
        std::vector<std::pair<int, PersistencePair>> rows;
        int max_dim = -1;
        for (const auto& dg : j.at("diagrams")) {
            int k = dg.at("dim").get<int>();
            if (k < 0 || k > 64) throw UserError(path + ": dimension " + std::to_string(k) + " out of range");
            for (const auto& p : dg.at("pairs")) {
                double b = p.at(0).get<double>(), d = p.at(1).is_null() ? kInf : p.at(1).get<double>();
                check_pair(path + ": dim " + std::to_string(k), b, d);
                rows.push_back({k, {b, d}});
            }
            max_dim = std::max(max_dim, k);
        }
        if (max_dim >= 0) meta["max_dim"] = std::to_string(std::max(max_dim, std::atoi(meta["max_dim"].c_str())));
        return assemble(std::move(rows), std::move(meta));
    } catch (const nlohmann::json::exception& e) {
        throw UserError(path + ": expected {\"meta\": {...}, \"diagrams\": [{\"dim\": k, \"pairs\": [[b, d], ...]}]} (" +
                        std::string(e.what()) + ")");
    }
}

void write_h5(const std::map<std::string, Diagrams>& layers, const std::string& path, bool force,
              const std::vector<std::string>& order = {}) {
    h5::silence_errors();
    AtomicOutput out(path, force);
    {
        h5::Handle file = h5::check(H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                    path + ": cannot create the HDF5 file");
        for (const auto& [group, d] : layers) {
            if (group.empty() || group.find('/') != std::string::npos)
                throw UserError(path + ": diagram group '" + group + "' must be a non-empty name without '/'");
            h5::Handle g = h5::create_groups(file, "/diagrams/" + group);
            for (const auto& [k, v] : d.meta) h5::write_string_attr(g, k, v);
            for (const auto& dg : d.dims) {
                std::vector<double> values;
                for (const auto& p : dg.pairs) {
                    values.push_back(p.birth);
                    values.push_back(p.death);
                }
                h5::write_doubles(g, "dim" + std::to_string(dg.dim), values, {hsize_t(dg.pairs.size()), 2});
            }
        }
        if (!order.empty()) h5::write_strings(file, "/diagrams_order", order);
    }
    out.commit();
}

Diagrams from_h5(const std::string& path, std::string group) {
    h5::silence_errors();
    if (group.empty()) {
        auto groups = diagram_groups(path);
        if (groups.size() != 1)
            throw UserError(path + ": holds " + std::to_string(groups.size()) + " diagram groups (" + join(groups) +
                            "); name one");
        group = groups[0];
    }
    h5::Handle file = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open as HDF5");
    const std::string gpath = "/diagrams/" + group;
    if (!h5::exists(file, gpath)) {
        auto names = diagram_groups(path);
        auto near = closest_names(group, names);
        throw UserError(path + ": no diagrams for layer '" + group + "'" +
                        (near.empty() ? "" : " (did you mean " + join(near) + "?)"));
    }
    h5::Handle g = h5::check(H5Gopen2(file, gpath.c_str(), H5P_DEFAULT), path + ": cannot open " + gpath);
    std::map<std::string, std::string> meta;
    H5O_info_t info;
    h5::check_status(H5Oget_info(g, &info), path + ": cannot read " + gpath);
    for (hsize_t a = 0; a < info.num_attrs; ++a) {
        char name[256];
        if (H5Aget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, a, name, sizeof name, H5P_DEFAULT) < 0) continue;
        meta[name] = h5::read_string_attr(g, name);
    }
    std::vector<std::pair<int, PersistencePair>> rows;
    for (int k = 0; k <= 64; ++k) {
        const std::string ds = "dim" + std::to_string(k);
        if (!h5::exists(g, ds)) {
            if (k > 0) break;
            continue;
        }
        std::vector<hsize_t> shape;
        auto v = h5::read_doubles(g, ds, &shape);
        if (!(shape.size() == 2 && shape[1] == 2) && !v.empty())
            throw UserError(path + ": " + gpath + "/" + ds + " must be float64 [m, 2]");
        for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
            check_pair(path + ": " + gpath + "/" + ds + " row " + std::to_string(i / 2), v[i], v[i + 1]);
            rows.push_back({k, {v[i], v[i + 1]}});
        }
        meta["max_dim"] = std::to_string(std::max(k, std::atoi(meta["max_dim"].c_str())));
    }
    return assemble(std::move(rows), std::move(meta));
}

}  // namespace

std::vector<std::string> diagram_groups(const std::string& path) {
    h5::silence_errors();
    h5::Handle file = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open as HDF5");
    if (!h5::exists(file, "/diagrams")) throw UserError(path + ": no /diagrams group (not a diagram file)");
    h5::Handle g = h5::check(H5Gopen2(file, "/diagrams", H5P_DEFAULT), path + ": cannot open /diagrams");
    std::vector<std::string> names;
    // Layer keys contain dots, never slashes: walk the tree and keep groups that hold dim<k> datasets.
    std::vector<std::string> todo{""};
    while (!todo.empty()) {
        std::string prefix = todo.back();
        todo.pop_back();
        h5::Handle sub = h5::check(H5Gopen2(g, prefix.empty() ? "." : prefix.c_str(), H5P_DEFAULT), path);
        H5G_info_t info;
        H5Gget_info(sub, &info);
        bool leaf = false;
        for (hsize_t i = 0; i < info.nlinks; ++i) {
            char name[1024];
            if (H5Lget_name_by_idx(sub, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) continue;
            H5O_info_t oi;
            if (H5Oget_info_by_name(sub, name, &oi, H5P_DEFAULT) < 0) continue;
            std::string child = prefix.empty() ? name : prefix + "/" + name;
            if (oi.type == H5O_TYPE_GROUP) todo.push_back(child);
            else if (std::string(name).rfind("dim", 0) == 0) leaf = true;
        }
        if (leaf) names.push_back(prefix);
    }
    std::sort(names.begin(), names.end());
    if (!h5::exists(file, "/diagrams_order")) return names;
    std::vector<std::string> ordered;  // the order the writer gave (the model's layer order), then any others
    for (const auto& name : h5::read_strings(file, "/diagrams_order"))
        if (std::binary_search(names.begin(), names.end(), name)) ordered.push_back(name);
    for (const auto& name : names)
        if (std::find(ordered.begin(), ordered.end(), name) == ordered.end()) ordered.push_back(name);
    return ordered;
}

void write_diagrams(const Diagrams& diagrams, const std::string& path, bool force, const std::string& group) {
    const std::string ext = extension(path);
    if (ext == "csv") return write_text_file(path, to_csv(diagrams), force);
    if (ext == "json") return write_text_file(path, to_json(diagrams), force);
    if (ext == "h5" || ext == "hdf5") return write_h5({{group.empty() ? "diagram" : group, diagrams}}, path, force);
    throw UserError(path + ": unknown diagram file extension '." + ext + "' (expected .csv, .json or .h5)");
}

void write_diagram_groups(const std::map<std::string, Diagrams>& layers, const std::string& path, bool force,
                          const std::vector<std::string>& order) {
    const std::string ext = extension(path);
    if (ext != "h5" && ext != "hdf5")
        throw UserError(path + ": diagrams of several layers go to an HDF5 file (.h5), not '." + ext + "'");
    for (const auto& name : order)
        if (!layers.count(name)) throw UserError(path + ": the order names '" + name + "', which has no diagrams");
    write_h5(layers, path, force, order);
}

Diagrams read_diagrams(const std::string& path, const std::string& group) {
    const std::string ext = extension(path);
    if (ext == "csv") return from_csv(path);
    if (ext == "json") return from_json(path);
    if (ext == "h5" || ext == "hdf5") return from_h5(path, group);
    throw UserError(path + ": unknown diagram file extension '." + ext + "' (expected .csv, .json or .h5)");
}

}  // namespace actopo
