// Back to the inputs: a node of a graph file and its distinguishing units; exemplars, mean attribution maps and
// per-input values of the nodes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "actopo/mapper.hpp"
#include "actopo/store.hpp"

namespace actopo::mapper {

bool is_graph_json(const nlohmann::json& file) {
    return file.is_object() && file.contains("nodes") && file["nodes"].is_array() && file.contains("cover");
}

namespace {
/// The JSON of a Mapper graph file; UserError when it is not one.
nlohmann::json graph_file(const std::string& graph_path) {
    nlohmann::json j = read_json_file(graph_path, "a Mapper graph (actopo mapper)");
    if (!is_graph_json(j))
        throw UserError(graph_path + ": not a Mapper graph (expected the JSON of actopo mapper, with \"nodes\" and \"cover\")");
    return j;
}
}  // namespace

Graph read_graph(const nlohmann::json& j, const std::string& graph_path, std::vector<std::string>* class_names) {
    Graph g;
    try {
        g.meta = j.value("meta", nlohmann::json::object());
        if (class_names) *class_names = j.value("class_names", std::vector<std::string>{});
        for (const auto& n : j["nodes"]) {
            Node node;
            node.id = n.at("id").get<std::size_t>();
            node.cover_set = n.value("cover_set", std::size_t(0));
            node.members = n.at("members").get<std::vector<std::int64_t>>();
            node.size = n.at("size").get<std::size_t>();
            for (const auto& [label, count] : n.at("classes").items()) node.classes[std::stoll(label)] = count.get<std::size_t>();
            node.majority = n.value("majority", std::int64_t(-1));
            node.purity = n.value("purity", 0.0);
            node.misclassified = n.value("misclassified", 0.0);
            g.nodes.push_back(std::move(node));
        }
        for (const auto& l : j.value("links", nlohmann::json::array()))
            g.links.push_back({l.at("source").get<std::size_t>(), l.at("target").get<std::size_t>(),
                               l.value("intersection", std::size_t(0)), l.value("weight", 0.0)});
        const auto stats = j.value("stats", nlohmann::json::object());
        g.components = stats.value("components", std::size_t(0));
        g.cycles = stats.value("cycles", std::size_t(0));
        g.noise = stats.value("noise_points", std::size_t(0));
        g.mean_purity = stats.value("mean_purity", 0.0);
        for (const auto& s : stats.value("class_spread", nlohmann::json::array()))
            g.spread.push_back({s.at("label").get<std::int64_t>(), s.value("points", std::size_t(0)), s.value("nodes", std::size_t(0)),
                                s.value("entropy", 0.0)});
    } catch (const std::exception& e) {  // a missing field, a wrong type, a class label that is no number
        throw UserError(graph_path + ": a node or link lacks a field of the Mapper format (" + std::string(e.what()) + ")");
    }
    return g;
}

NodeRecord read_node(const std::string& graph_path, std::size_t id) {
    const nlohmann::json j = graph_file(graph_path);
    NodeRecord r;
    try {
        const auto meta = j.value("meta", nlohmann::json::object());
        r.store = meta.value("input", "");
        r.layer = meta.value("layer", "");
        for (const auto& node : j["nodes"])
            if (node.at("id").get<std::size_t>() == id) {
                r.id = id;
                r.members = node.at("members").get<std::vector<std::int64_t>>();
                return r;
            }
    } catch (const nlohmann::json::exception& e) {
        throw UserError(graph_path + ": a node lacks a field of the Mapper format (" + std::string(e.what()) + ")");
    }
    throw UserError(graph_path + ": no node " + std::to_string(id) + " (the graph has nodes 0-" +
                    std::to_string(j["nodes"].size() ? j["nodes"].size() - 1 : 0) + ")");
}

std::vector<std::pair<std::int64_t, double>> distinguishing_units(const PointCloud& units,
                                                                  const std::vector<std::int64_t>& members, std::size_t k) {
    const Matrix& v = units.points;
    std::map<std::int64_t, std::size_t> row_of;
    for (std::size_t r = 0; r < units.input_ids.size(); ++r) row_of[units.input_ids[r]] = r;
    std::vector<std::size_t> rows;
    for (auto id : members) {
        auto it = row_of.find(id);
        if (it == row_of.end())
            throw UserError("input id " + std::to_string(id) + " of the node is not in the store (" + units.description +
                            "): the graph was made from other inputs");
        rows.push_back(it->second);
    }
    std::vector<std::pair<std::int64_t, double>> scored;
    for (std::size_t u = 0; u < v.cols; ++u) {
        double sum = 0, sq = 0, in = 0;
        for (std::size_t r = 0; r < v.rows; ++r) sum += v(r, u);
        const double mean = sum / double(v.rows);
        for (std::size_t r = 0; r < v.rows; ++r) sq += (v(r, u) - mean) * (v(r, u) - mean);
        const double sd = std::sqrt(sq / double(v.rows));
        if (!(sd > 0)) continue;
        for (auto r : rows) in += v(r, u);
        scored.push_back({std::int64_t(u), (in / double(rows.size()) - mean) / sd});
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (scored.size() > k) scored.resize(k);
    return scored;
}

}  // namespace actopo::mapper

namespace actopo::mapper {

void add_exemplars(Graph& graph, const PointCloud& cloud, std::size_t k) {
    const Matrix& x = cloud.points;
    for (auto& node : graph.nodes) {
        std::vector<double> centre(x.cols, 0.0);
        for (auto r : node.points)
            for (std::size_t j = 0; j < x.cols; ++j) centre[j] += x(r, j);
        for (auto& c : centre) c /= double(std::max<std::size_t>(1, node.points.size()));
        std::map<std::int64_t, double> nearest;  // input id -> distance of its nearest point (spatial: several)
        for (auto r : node.points) {
            double d = 0;
            for (std::size_t j = 0; j < x.cols; ++j) d += (x(r, j) - centre[j]) * (x(r, j) - centre[j]);
            auto [it, fresh] = nearest.emplace(cloud.input_ids[r], d);
            if (!fresh) it->second = std::min(it->second, d);
        }
        std::vector<std::pair<double, std::int64_t>> order;
        for (const auto& [id, d] : nearest) order.push_back({d, id});
        std::sort(order.begin(), order.end());
        node.exemplars.clear();
        for (std::size_t i = 0; i < order.size() && i < k; ++i) node.exemplars.push_back(order[i].second);
    }
}

AttributionMaps read_attribution_maps(const std::string& spec) {
    const auto colon = spec.rfind(':');
    AttributionMaps a;
    a.path = spec;
    if (colon != std::string::npos && spec.size() > 3 && spec.compare(spec.size() - 3, 3, ".h5") != 0) {
        a.path = spec.substr(0, colon);
        a.method = spec.substr(colon + 1);
    }
    a.file = read_attribution_file(a.path);
    if (a.file.methods.empty()) throw UserError("'" + a.path + "' holds no attributions");
    if (a.method.empty()) a.method = a.file.methods.front();
    if (std::find(a.file.methods.begin(), a.file.methods.end(), a.method) == a.file.methods.end())
        throw UserError("'" + a.path + "' has no attributions of method '" + a.method + "' (it has " + join(a.file.methods) + ")");
    a.maps = read_attributions(a.path, a.method, &a.shape);
    return a;
}

void add_attribution_means(Graph& graph, const AttributionMaps& a) {
    const std::size_t per = a.file.index.empty() ? 0 : a.maps.size() / a.file.index.size();
    std::map<std::int64_t, std::size_t> row_of;
    for (std::size_t r = 0; r < a.file.index.size(); ++r) row_of[a.file.index[r]] = r;
    for (auto& node : graph.nodes) {
        std::vector<double> sum(per, 0.0);
        for (auto id : node.members) {
            auto it = row_of.find(id);
            if (it == row_of.end())
                throw UserError("'" + a.path + "' has no attribution map of input id " + std::to_string(id) + " (node " +
                                std::to_string(node.id) + "; the file covers " + std::to_string(a.file.index.size()) +
                                " inputs): explain the same inputs as the store, e.g. the same --limit");
            for (std::size_t k = 0; k < per; ++k) sum[k] += a.maps[it->second * per + k];
        }
        node.attribution_mean.assign(per, 0.0f);
        for (std::size_t k = 0; k < per; ++k) node.attribution_mean[k] = float(sum[k] / double(node.members.size()));
    }
    graph.attribution_shape.assign(a.shape.begin() + 1, a.shape.end());
    graph.attribution_method = a.method;
}

namespace {

std::map<std::int64_t, double> read_npy(const std::string& path, const std::string& bytes) {
    auto bad = [&](const std::string& why) { return UserError("'" + path + "': " + why + " (expected a 1-D NPY array of numbers)"); };
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw bad("not an NPY file");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, start = 0;
    if (major == 1) {
        header_len = std::size_t(static_cast<unsigned char>(bytes[8])) | std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
        start = 10;
    } else {
        if (bytes.size() < 12) throw bad("truncated header");
        for (int i = 0; i < 4; ++i) header_len |= std::size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
        start = 12;
    }
    if (start + header_len > bytes.size()) throw bad("truncated header");
    const std::string header = bytes.substr(start, header_len);
    auto field = [&](const std::string& key) {
        const auto at = header.find("'" + key + "'");
        if (at == std::string::npos) throw bad("no " + key + " in its header");
        return header.substr(header.find(':', at) + 1);
    };
    std::string descr = field("descr");
    descr = descr.substr(descr.find('\'') + 1);
    descr = descr.substr(0, descr.find('\''));
    if (trim(field("fortran_order")).rfind("True", 0) == 0) throw bad("Fortran order");
    std::string shape = field("shape");
    shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
    std::vector<std::string> dims;
    for (const auto& d : split(shape, ','))
        if (!trim(d).empty()) dims.push_back(trim(d));
    if (dims.size() != 1 && !(dims.size() == 2 && dims[1] == "1")) throw bad("shape (" + shape + ")");
    const std::size_t n = std::stoull(dims[0]), data = start + header_len;
    const std::map<std::string, std::size_t> sizes{{"<f4", 4}, {"<f8", 8}, {"<i4", 4}, {"<i8", 8}, {"|b1", 1}, {"|u1", 1}};
    if (!sizes.count(descr)) throw bad("element type " + descr);
    if (data + n * sizes.at(descr) > bytes.size()) throw bad("fewer values than its shape says");
    std::map<std::int64_t, double> out;
    for (std::size_t i = 0; i < n; ++i) {
        const char* p = bytes.data() + data + i * sizes.at(descr);
        double v = 0;
        if (descr == "<f4") { float f; std::memcpy(&f, p, 4); v = f; }
        else if (descr == "<f8") std::memcpy(&v, p, 8);
        else if (descr == "<i4") { std::int32_t k; std::memcpy(&k, p, 4); v = k; }
        else if (descr == "<i8") { std::int64_t k; std::memcpy(&k, p, 8); v = double(k); }
        else v = static_cast<unsigned char>(*p);
        out[std::int64_t(i)] = v;
    }
    return out;
}

}  // namespace

std::map<std::int64_t, double> read_input_values(const std::string& path) {
    const std::string bytes = read_text_file(path);
    if (bytes.compare(0, 6, "\x93NUMPY") == 0) return read_npy(path, bytes);
    std::map<std::int64_t, double> out;
    std::size_t line_no = 0;
    std::int64_t next = 0;
    for (const auto& raw : split(bytes, '\n')) {
        ++line_no;
        const std::string line = trim(raw);
        if (line.empty()) continue;
        const auto fields = split(line, ',');
        try {
            std::size_t used = 0;
            if (fields.size() == 1) {
                const double v = std::stod(line, &used);
                if (used != line.size()) throw std::invalid_argument(line);
                out[next++] = v;
            } else if (fields.size() == 2) {
                const std::int64_t id = std::stoll(trim(fields[0]), &used);
                if (used != trim(fields[0]).size()) throw std::invalid_argument(line);
                out[id] = std::stod(trim(fields[1]), &used);
                if (used != trim(fields[1]).size()) throw std::invalid_argument(line);
            } else {
                throw std::invalid_argument(line);
            }
        } catch (const std::exception&) {
            if (line_no == 1 && out.empty()) continue;  // a header
            throw UserError("'" + path + "' line " + std::to_string(line_no) + ": '" + line +
                            "' is not a value or id,value (expected one number per line, or id,value)");
        }
    }
    if (out.empty()) throw UserError("'" + path + "' holds no values");
    return out;
}

void colour_nodes(Graph& graph, const std::string& name, const std::map<std::int64_t, double>& values, bool categorical) {
    for (auto& node : graph.nodes) {
        double sum = 0;
        std::map<double, std::size_t> count;
        for (auto id : node.members) {
            auto it = values.find(id);
            if (it == values.end())
                throw UserError("--color-by " + name + ": no value for input id " + std::to_string(id) + " (node " +
                                std::to_string(node.id) + "): the values and the graph are of different inputs");
            sum += it->second;
            ++count[it->second];
        }
        if (categorical) {
            std::size_t best = 0;
            for (const auto& [v, c] : count)
                if (c > best) best = c, node.color_value = v;
        } else {
            node.color_value = node.members.empty() ? std::nan("") : sum / double(node.members.size());
        }
    }
    graph.color_by = name;
    graph.color_categorical = categorical;
}

}  // namespace actopo::mapper
