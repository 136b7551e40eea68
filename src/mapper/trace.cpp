// Back to the inputs: a node of a graph file, its distinguishing units.
#include <algorithm>
#include <cmath>
#include <map>

#include "actopo/mapper.hpp"

namespace actopo::mapper {

NodeRecord read_node(const std::string& graph_path, std::size_t id) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_text_file(graph_path));
    } catch (const nlohmann::json::exception& e) {
        throw UserError(graph_path + ": not a JSON file (" + std::string(e.what()) + ")");
    }
    if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array() || !j.contains("cover"))
        throw UserError(graph_path + ": not a Mapper graph (expected the JSON of actopo mapper, with \"nodes\" and \"cover\")");
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
