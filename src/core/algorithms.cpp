// Ranks with ties averaged; average-linkage clustering.
#include "actopo/core/algorithms.hpp"

#include <algorithm>
#include <limits>

namespace actopo {

std::vector<double> average_ranks(const std::vector<double>& v) {
    const std::size_t n = v.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> ranks(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
        const double rank = 0.5 * double(i + j) + 1.0;  // mean of the 1-based ranks i+1..j+1
        for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

std::vector<LinkageMerge> average_linkage(const std::vector<double>& dissimilarity, std::size_t n) {
    struct Group {
        std::size_t id;
        std::vector<std::size_t> items;
    };
    std::vector<Group> groups;
    for (std::size_t k = 0; k < n; ++k) groups.push_back({k, {k}});
    std::vector<LinkageMerge> merges;
    while (groups.size() > 1) {
        double best = std::numeric_limits<double>::infinity();
        std::size_t ba = 0, bb = 1;
        for (std::size_t a = 0; a < groups.size(); ++a)
            for (std::size_t b = a + 1; b < groups.size(); ++b) {
                double sum = 0;
                for (auto x : groups[a].items)
                    for (auto y : groups[b].items) sum += dissimilarity[x * n + y];
                const double d = sum / double(groups[a].items.size() * groups[b].items.size());
                if (d < best - 1e-12) best = d, ba = a, bb = b;
            }
        LinkageMerge m{groups[ba].id, groups[bb].id, best, groups[ba].items};
        m.members.insert(m.members.end(), groups[bb].items.begin(), groups[bb].items.end());
        Group merged{n + merges.size(), m.members};
        std::sort(m.members.begin(), m.members.end());
        merges.push_back(std::move(m));
        groups.erase(groups.begin() + std::ptrdiff_t(bb));
        groups[ba] = std::move(merged);
    }
    return merges;
}

}  // namespace actopo
