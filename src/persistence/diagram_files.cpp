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
    const std::string short_form = format_number(v, 9);
    return std::strtod(short_form.c_str(), nullptr) == v ? short_form : format_number(v, 17);
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

/// JSON of a dimension's representatives: birth, death (null: inf), birth_simplex, cocycle ([v_0 .. v_k, c] per
/// simplex), cycle (H1), inputs (when traced to a store's inputs).
nlohmann::json representatives_json(const Diagram& dg) {
    nlohmann::json out = nlohmann::json::array();
    const std::size_t w = std::size_t(dg.dim) + 2;
    for (const auto& r : dg.representatives) {
        nlohmann::json cocycle = nlohmann::json::array();
        for (std::size_t i = 0; i + w <= r.cocycle.size(); i += w)
            cocycle.push_back(std::vector<std::uint32_t>(r.cocycle.begin() + long(i), r.cocycle.begin() + long(i + w)));
        nlohmann::json e{{"birth", r.birth},
                         {"death", r.essential() ? nlohmann::json(nullptr) : nlohmann::json(r.death)},
                         {"birth_simplex", r.birth_simplex},
                         {"cocycle", cocycle}};
        if (!r.cycle.empty()) e["cycle"] = r.cycle;
        if (!r.inputs.ids.empty())
            e["inputs"] = {{"ids", r.inputs.ids}, {"labels", r.inputs.labels}, {"predictions", r.inputs.predictions},
                           {"summary", r.inputs.summary}};
        out.push_back(e);
    }
    return out;
}

std::vector<Representative> representatives_from_json(const nlohmann::json& list, int dim, const std::string& where) {
    std::vector<Representative> out;
    for (const auto& e : list) {
        Representative r;
        r.birth = e.at("birth").get<double>();
        r.death = e.at("death").is_null() ? kInf : e.at("death").get<double>();
        check_pair(where, r.birth, r.death);
        r.birth_simplex = e.at("birth_simplex").get<std::vector<std::uint32_t>>();
        for (const auto& c : e.at("cocycle")) {
            auto entry = c.get<std::vector<std::uint32_t>>();
            if (entry.size() != std::size_t(dim) + 2)
                throw UserError(where + ": a cocycle entry of dimension " + std::to_string(dim) + " has " +
                                std::to_string(dim + 2) + " numbers (vertices, coefficient), got " + std::to_string(entry.size()));
            r.cocycle.insert(r.cocycle.end(), entry.begin(), entry.end());
        }
        if (e.contains("cycle")) r.cycle = e.at("cycle").get<std::vector<std::uint32_t>>();
        if (e.contains("inputs")) {
            const auto& in = e.at("inputs");
            r.inputs.ids = in.at("ids").get<std::vector<std::int64_t>>();
            r.inputs.labels = in.at("labels").get<std::vector<std::int64_t>>();
            r.inputs.predictions = in.at("predictions").get<std::vector<std::int64_t>>();
            r.inputs.summary = in.at("summary").get<std::string>();
        }
        out.push_back(std::move(r));
    }
    return out;
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
        nlohmann::json entry{{"dim", dg.dim}, {"pairs", pairs}};
        if (!dg.representatives.empty()) entry["representatives"] = representatives_json(dg);
        j["diagrams"].push_back(entry);
    }
    return j.dump() + "\n";
}

}  // namespace

Diagrams diagrams_from_json(const nlohmann::json& j, const std::string& path) {
    try {
        std::map<std::string, std::string> meta;
        if (j.contains("meta"))
            for (const auto& [k, v] : j.at("meta").items()) meta[k] = v.is_string() ? v.get<std::string>() : v.dump();
        std::vector<std::pair<int, PersistencePair>> rows;
        std::map<int, std::vector<Representative>> reps;
        int max_dim = -1;
        for (const auto& dg : j.at("diagrams")) {
            int k = dg.at("dim").get<int>();
            if (k < 0 || k > 64) throw UserError(path + ": dimension " + std::to_string(k) + " out of range");
            if (dg.contains("representatives"))
                reps[k] = representatives_from_json(dg.at("representatives"), k, path + ": dim " + std::to_string(k));
            for (const auto& p : dg.at("pairs")) {
                double b = p.at(0).get<double>(), d = p.at(1).is_null() ? kInf : p.at(1).get<double>();
                check_pair(path + ": dim " + std::to_string(k), b, d);
                rows.push_back({k, {b, d}});
            }
            max_dim = std::max(max_dim, k);
        }
        if (max_dim >= 0) meta["max_dim"] = std::to_string(std::max(max_dim, std::atoi(meta["max_dim"].c_str())));
        Diagrams out = assemble(std::move(rows), std::move(meta));
        for (auto& [k, r] : reps) out.dims[std::size_t(k)].representatives = std::move(r);
        return out;
    } catch (const nlohmann::json::exception& e) {
        throw UserError(path + ": expected {\"meta\": {...}, \"diagrams\": [{\"dim\": k, \"pairs\": [[b, d], ...]}]} (" +
                        std::string(e.what()) + ")");
    }
}

namespace {

/// A list of integer lists as a variable-length int64 dataset (h5py reads an array of arrays).
void write_vlen_int64(hid_t loc, const std::string& name, const std::vector<std::vector<std::int64_t>>& lists,
                      const std::string& path) {
    std::vector<hvl_t> rows(lists.size());
    for (std::size_t i = 0; i < lists.size(); ++i)
        rows[i] = hvl_t{lists[i].size(), const_cast<std::int64_t*>(lists[i].data())};
    const hsize_t n = lists.size();
    h5::Handle type = h5::check(H5Tvlen_create(H5T_STD_I64LE), path + ": cannot make a list type");
    h5::Handle space = h5::check(H5Screate_simple(1, &n, nullptr), path + ": cannot make a dataspace");
    h5::Handle dcpl = h5::untimed(H5P_DATASET_CREATE);
    h5::Handle ds = h5::check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                              path + ": cannot create " + name);
    if (n) h5::check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), path + ": cannot write " + name);
}

/// A variable-length int64 dataset as a list of lists (write_vlen_int64's format).
std::vector<std::vector<std::int64_t>> read_vlen_int64(hid_t loc, const std::string& name, const std::string& path) {
    h5::Handle ds = h5::check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), path + ": cannot open " + name);
    h5::Handle space = h5::check(H5Dget_space(ds), path + ": cannot read " + name);
    h5::Handle type = h5::check(H5Tvlen_create(H5T_NATIVE_INT64), path + ": cannot make a list type");
    if (H5Sget_simple_extent_ndims(space) != 1) throw UserError(path + ": " + name + " must be a 1-D list of integer lists");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, nullptr);
    std::vector<hvl_t> rows(n);
    if (n) h5::check_status(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), path + ": " + name + " must hold integer lists");
    std::vector<std::vector<std::int64_t>> out(n);
    for (hsize_t i = 0; i < n; ++i) {
        const auto* v = static_cast<const std::int64_t*>(rows[i].p);
        out[i].assign(v, v + rows[i].len);
    }
    if (n) H5Dvlen_reclaim(type, space, H5P_DEFAULT, rows.data());
    return out;
}

/// dim<k>_representatives float64 [m, 2] (birth, death), dim<k>_birth_simplices (k + 1 vertices each),
/// dim<k>_cocycles (per class: [v_0 .. v_k, c] per simplex), dim1_cycles (vertex loops), and when traced to
/// inputs dim<k>_inputs (input ids) and dim<k>_summaries; see docs/formats.md.
void write_representatives_h5(hid_t g, const Diagram& dg, const std::string& path) {
    const std::string k = "dim" + std::to_string(dg.dim);
    std::vector<double> intervals;
    std::vector<std::vector<std::int64_t>> cocycles, cycles, ids;
    std::vector<std::string> summaries;
    for (const auto& r : dg.representatives) {
        intervals.push_back(r.birth);
        intervals.push_back(r.death);
        cocycles.emplace_back(r.cocycle.begin(), r.cocycle.end());
        cycles.emplace_back(r.cycle.begin(), r.cycle.end());
        ids.push_back(r.inputs.ids);
        summaries.push_back(r.inputs.summary);
    }
    const hsize_t m = dg.representatives.size();
    h5::write_doubles(g, k + "_representatives", intervals, {m, 2});
    write_vlen_int64(g, k + "_cocycles", cocycles, path);
    std::vector<std::vector<std::int64_t>> births;
    for (const auto& r : dg.representatives) births.emplace_back(r.birth_simplex.begin(), r.birth_simplex.end());
    write_vlen_int64(g, k + "_birth_simplices", births, path);
    if (dg.dim == 1) write_vlen_int64(g, k + "_cycles", cycles, path);
    if (!dg.representatives.front().inputs.ids.empty()) {
        write_vlen_int64(g, k + "_inputs", ids, path);
        h5::write_strings(g, k + "_summaries", summaries);
    }
}

/// The representatives write_representatives_h5 wrote for dimension k (none when there are none); the inputs'
/// labels and predictions are not in the file (their ids and the summary are).
std::vector<Representative> read_representatives_h5(hid_t g, int k, const std::string& path, const std::string& where) {
    const std::string dk = "dim" + std::to_string(k);
    if (!h5::exists(g, dk + "_representatives")) return {};
    std::vector<hsize_t> shape;
    const auto intervals = h5::read_doubles(g, dk + "_representatives", &shape);
    const std::size_t m = intervals.size() / 2;
    auto lists = [&](const std::string& name) {
        if (!h5::exists(g, dk + name)) return std::vector<std::vector<std::int64_t>>(m);
        auto v = read_vlen_int64(g, dk + name, path);
        if (v.size() != m)
            throw UserError(where + "/" + dk + name + ": " + std::to_string(v.size()) + " lists, expected one per representative (" +
                            std::to_string(m) + ")");
        return v;
    };
    const auto births = lists("_birth_simplices"), cocycles = lists("_cocycles"), cycles = lists("_cycles"), ids = lists("_inputs");
    std::vector<std::string> summaries(m);
    if (h5::exists(g, dk + "_summaries")) summaries = h5::read_strings(g, dk + "_summaries");
    if (summaries.size() != m)
        throw UserError(where + "/" + dk + "_summaries: " + std::to_string(summaries.size()) + " strings, expected " + std::to_string(m));
    auto vertices = [&](const std::vector<std::int64_t>& v, const std::string& what) {
        std::vector<std::uint32_t> out;
        for (std::int64_t x : v) {
            if (x < 0 || x > std::int64_t(UINT32_MAX)) throw UserError(where + "/" + dk + what + ": " + std::to_string(x) + " is not a vertex");
            out.push_back(std::uint32_t(x));
        }
        return out;
    };
    std::vector<Representative> out(m);
    for (std::size_t i = 0; i < m; ++i) {
        Representative& r = out[i];
        r.birth = intervals[2 * i];
        r.death = intervals[2 * i + 1];
        check_pair(where + "/" + dk + "_representatives row " + std::to_string(i), r.birth, r.death);
        r.birth_simplex = vertices(births[i], "_birth_simplices");
        r.cocycle = vertices(cocycles[i], "_cocycles");
        r.cycle = vertices(cycles[i], "_cycles");
        r.inputs.ids = ids[i];
        r.inputs.summary = summaries[i];
    }
    return out;
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
                if (!dg.representatives.empty()) write_representatives_h5(g, dg, path);
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
    Diagrams out = assemble(std::move(rows), std::move(meta));
    for (auto& dg : out.dims) dg.representatives = read_representatives_h5(g, dg.dim, path, path + ": " + gpath);
    return out;
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
    if (ext == "json") return diagrams_from_json(read_json_file(path, "persistence diagrams (actopo persistence)"), path);
    if (ext == "h5" || ext == "hdf5") return from_h5(path, group);
    throw UserError(path + ": unknown diagram file extension '." + ext + "' (expected .csv, .json or .h5)");
}

}  // namespace actopo
