// Representatives after the computation: vertices renamed to the input's rows (landmarks), and traced to the
// inputs of a store layer (ids, classes, predictions, a summary in words).
#include <algorithm>
#include <map>
#include <set>

#include "actopo/persistence.hpp"

namespace actopo {
namespace {

/// Sorts s largest first; returns whether the permutation was odd.
bool sort_descending(std::uint32_t* s, std::size_t size) {
    bool odd = false;
    for (std::size_t i = 1; i < size; ++i)  // insertion sort: each swap flips the parity
        for (std::size_t j = i; j > 0 && s[j - 1] < s[j]; --j) {
            std::swap(s[j - 1], s[j]);
            odd = !odd;
        }
    return odd;
}

}  // namespace

void relabel_representatives(Diagrams& diagrams, const std::vector<std::size_t>& rows, int p) {
    auto row = [&](std::uint32_t v) {
        if (v >= rows.size()) throw std::logic_error("relabel_representatives: vertex beyond the rows");
        return std::uint32_t(rows[v]);
    };
    for (auto& dg : diagrams.dims)
        for (auto& r : dg.representatives) {
            for (auto& v : r.birth_simplex) v = row(v);
            sort_descending(r.birth_simplex.data(), r.birth_simplex.size());
            const std::size_t w = std::size_t(dg.dim) + 2;  // vertices, then the coefficient
            for (std::size_t i = 0; i + w <= r.cocycle.size(); i += w) {
                for (std::size_t k = 0; k + 1 < w; ++k) r.cocycle[i + k] = row(r.cocycle[i + k]);
                std::uint32_t& c = r.cocycle[i + w - 1];
                if (sort_descending(&r.cocycle[i], w - 1)) c = (std::uint32_t(p) - c) % std::uint32_t(p);
            }
            for (auto& v : r.cycle) v = row(v);
        }
}

void attach_inputs(Diagrams& diagrams, const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& labels,
                   const std::vector<std::int64_t>& predictions, const std::vector<std::string>& class_names) {
    auto name = [&](std::int64_t c) {
        return c >= 0 && std::size_t(c) < class_names.size() ? class_names[std::size_t(c)] : "class " + std::to_string(c);
    };
    for (auto& dg : diagrams.dims)
        for (auto& r : dg.representatives) {
            RepresentativeInputs in;
            std::map<std::int64_t, std::size_t> count;  // class -> inputs
            std::set<std::int64_t> seen;
            std::size_t wrong = 0;
            for (std::uint32_t v : r.cycle.empty() ? r.birth_simplex : r.cycle) {
                if (v >= ids.size() || v >= labels.size() || v >= predictions.size())
                    throw std::logic_error("attach_inputs: vertex beyond the point cloud");
                in.ids.push_back(ids[v]);
                in.labels.push_back(labels[v]);
                in.predictions.push_back(predictions[v]);
                if (!seen.insert(ids[v]).second) continue;
                ++count[labels[v]];
                wrong += predictions[v] >= 0 && predictions[v] != labels[v];
            }
            std::vector<std::pair<std::int64_t, std::size_t>> order(count.begin(), count.end());
            std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            in.summary = "runs through ";
            for (std::size_t i = 0; i < order.size(); ++i)
                in.summary += (i ? ", " : "") + name(order[i].first) + " (" + std::to_string(order[i].second) + ")";
            in.summary += "; " + std::to_string(seen.size()) + " inputs, " + std::to_string(wrong) + " misclassified";
            r.inputs = std::move(in);
        }
}

}  // namespace actopo
