// ablate(): the dataset through the model intact, with the chosen units overwritten, and with seeded random unit
// sets of the same layers and counts; per-class accuracy and true-class logit against the intact model.
#include "actopo/ablate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/extract.hpp"

namespace actopo {

LayerUnits parse_layer_units(const std::string& text) {
    const auto colon = text.rfind(':');
    const std::string expected = "expected layer:units, e.g. fc1:3,5,7";
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw UserError("--neurons '" + text + "': " + expected);
    std::vector<std::int64_t> units;
    for (const auto& part : split(text.substr(colon + 1), ',')) {
        const std::string u = trim(part);
        if (u.empty() || u.size() > 12 || u.find_first_not_of("0123456789") != std::string::npos)
            throw UserError("--neurons '" + text + "': unit '" + u + "' is not a whole number >= 0; " + expected);
        units.push_back(std::stoll(u));
    }
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
    return {{trim(text.substr(0, colon)), units}};
}

AblationFill parse_ablation_fill(const std::string& name) {
    if (name == "zero") return AblationFill::zero;
    if (name == "mean") return AblationFill::mean;
    throw UserError("--fill '" + name + "': expected zero or mean");
}

namespace {

// What one pass over the dataset gives: per input, whether the model was right and its true-class logit.
struct Pass {
    std::vector<std::uint8_t> correct;
    std::vector<float> true_logit;
};

// Distinct units drawn uniformly from [0, width): a partial Fisher-Yates shuffle on a 64-bit Mersenne twister
// (the same sets for the same seed on every platform).
std::vector<std::int64_t> draw_units(std::int64_t width, std::size_t count, std::mt19937_64& rng) {
    std::vector<std::int64_t> all(static_cast<std::size_t>(width));
    for (std::int64_t i = 0; i < width; ++i) all[std::size_t(i)] = i;
    for (std::size_t i = 0; i < count; ++i) std::swap(all[i], all[i + rng() % (all.size() - i)]);
    all.resize(count);
    return all;
}

}  // namespace

AblationReport ablate(const AblateOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t total_units = 0;
    for (const auto& [layer, units] : o.units) total_units += units.size();
    if (total_units == 0) throw UserError("ablate: no unit to ablate");
    if (o.batch == 0) throw UserError("--batch must be at least 1");
    auto dataset = open_dataset(o.dataset, o.limit);
    const std::size_t n = dataset->size();
    if (n == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    for (auto id : o.focus)
        if (id < 0 || std::size_t(id) >= n)
            throw UserError("input id " + std::to_string(id) + " of the " + o.focus_name + " is outside dataset '" + o.dataset +
                            "' (" + std::to_string(n) + " inputs" + (o.limit ? ", --limit " + std::to_string(o.limit) : "") +
                            "): the graph was made from other inputs");
    std::vector<std::string> layers;
    for (const auto& entry : o.units)
        if (!entry.second.empty()) layers.push_back(entry.first);
    LayerCapture capture(o.model, layers, o.threads, layers);

    const std::vector<std::int64_t> sample_shape = dataset->sample_shape();
    std::vector<float> x(o.batch * per_input_size(sample_shape));
    std::vector<std::int64_t> labels(n);
    std::vector<std::vector<std::int64_t>> shapes(layers.size());
    std::vector<std::vector<double>> sums(layers.size());  // the intact layers' sums over the inputs (mean fill)
    std::int64_t classes = 0;
    Progress progress("ablate", std::uint64_t(n) * (2 + o.draws));

    // One pass over the dataset with the interventions set now; `first_pass` also learns shapes, labels and sums.
    auto run_pass = [&](bool first_pass) {
        Pass p;
        p.correct.resize(n);
        p.true_logit.resize(n);
        for (std::size_t first = 0; first < n; first += o.batch) {
            throw_if_cancelled();
            const std::size_t count = std::min(o.batch, n - first);
            dataset->read(first, count, x.data(), labels.data() + first);
            std::vector<std::int64_t> shape = sample_shape;
            shape.insert(shape.begin(), std::int64_t(count));
            capture.run(x.data(), shape);
            if (first_pass && first == 0) {
                classes = capture.num_classes();
                for (std::size_t l = 0; l < layers.size(); ++l) {
                    shapes[l] = capture.layer_shape(l);
                    const std::int64_t width = shapes[l].empty() ? 1 : shapes[l][0];
                    const auto& units = o.units.at(layers[l]);
                    if (units.back() >= width)
                        throw UserError("layer '" + layers[l] + "' of model '" + o.model + "' has " + std::to_string(width) +
                                        " units (0-" + std::to_string(width - 1) + ", output shape " +
                                        shape_string(shapes[l]) + "); unit " + std::to_string(units.back()) + " does not exist");
                    sums[l].assign(per_input_size(shapes[l]), 0.0);
                }
            }
            if (first_pass)
                for (std::size_t l = 0; l < layers.size(); ++l) {
                    const float* data = capture.layer_data(l);
                    const std::size_t size = sums[l].size();
                    for (std::size_t i = 0; i < count; ++i)
                        for (std::size_t k = 0; k < size; ++k) sums[l][k] += data[i * size + k];
                }
            const float* logits = capture.logits();
            const auto predictions = capture.predictions();
            for (std::size_t i = 0; i < count; ++i) {
                const std::int64_t label = labels[first + i];
                if (label < 0 || label >= classes)
                    throw UserError("dataset '" + o.dataset + "': input " + std::to_string(first + i) + " has label " +
                                    std::to_string(label) + " but the model has " + std::to_string(classes) + " outputs");
                p.correct[first + i] = predictions[i] == label;
                p.true_logit[first + i] = logits[i * std::size_t(classes) + std::size_t(label)];
            }
            progress.advance(count);
        }
        return p;
    };

    // keep 0 and fill (0 or the mean) on the units' elements of each layer, keep 1 and fill 0 elsewhere
    auto set_units = [&](const std::vector<std::vector<std::int64_t>>& units) {
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const std::size_t size = sums[l].size();
            const std::int64_t width = shapes[l].empty() ? 1 : shapes[l][0];
            const std::size_t per_unit = size / std::size_t(width);
            std::vector<float> keep(size, 1.0f), fill(size, 0.0f);
            for (auto u : units[l])
                for (std::size_t k = std::size_t(u) * per_unit; k < std::size_t(u + 1) * per_unit; ++k) {
                    keep[k] = 0.0f;
                    if (o.fill == AblationFill::mean) fill[k] = float(sums[l][k] / double(n));
                }
            capture.set_intervention(l, shapes[l], keep, fill);
        }
    };

    const Pass intact = run_pass(true);
    std::vector<std::vector<std::int64_t>> target;
    for (const auto& l : layers) target.push_back(o.units.at(l));
    set_units(target);
    const Pass ablated = run_pass(false);

    // groups: each class, all inputs, the focus ids
    std::vector<AblationRow> rows;
    std::vector<std::vector<std::size_t>> members;
    const auto names = dataset->class_names();
    for (std::int64_t c = 0; c < classes; ++c) {
        AblationRow r;
        r.label = c;
        r.name = std::size_t(c) < names.size() && !names[std::size_t(c)].empty() ? names[std::size_t(c)] : std::to_string(c);
        rows.push_back(r);
        members.emplace_back();
    }
    for (std::size_t i = 0; i < n; ++i) members[std::size_t(labels[i])].push_back(i);
    rows.push_back(AblationRow{"all", -1});
    members.emplace_back(n);
    for (std::size_t i = 0; i < n; ++i) members.back()[i] = i;
    if (!o.focus.empty()) {
        rows.push_back(AblationRow{o.focus_name, -1});
        members.emplace_back(o.focus.begin(), o.focus.end());
    }
    auto accuracy = [&](const Pass& p, const std::vector<std::size_t>& group) {
        std::size_t right = 0;
        for (auto i : group) right += p.correct[i];
        return group.empty() ? std::numeric_limits<double>::quiet_NaN() : double(right) / double(group.size());
    };
    for (std::size_t g = 0; g < rows.size(); ++g) {
        auto& r = rows[g];
        r.inputs = members[g].size();
        r.intact_accuracy = accuracy(intact, members[g]);
        r.ablated_accuracy = accuracy(ablated, members[g]);
        r.drop = r.intact_accuracy - r.ablated_accuracy;
        double change = 0;
        for (auto i : members[g]) change += double(ablated.true_logit[i]) - double(intact.true_logit[i]);
        r.logit_change = members[g].empty() ? std::numeric_limits<double>::quiet_NaN() : change / double(members[g].size());
    }

    // the permutation baseline: random units of the same layers and counts
    std::mt19937_64 rng(o.seed);
    std::vector<std::vector<double>> drops(rows.size());
    for (std::size_t d = 0; d < o.draws; ++d) {
        std::vector<std::vector<std::int64_t>> random;
        for (std::size_t l = 0; l < layers.size(); ++l)
            random.push_back(draw_units(shapes[l].empty() ? 1 : shapes[l][0], target[l].size(), rng));
        set_units(random);
        const Pass p = run_pass(false);
        for (std::size_t g = 0; g < rows.size(); ++g) drops[g].push_back(rows[g].intact_accuracy - accuracy(p, members[g]));
    }
    progress.finish();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t g = 0; g < rows.size(); ++g) {
        auto& r = rows[g];
        auto& v = drops[g];
        if (v.empty()) {
            r.baseline_mean = r.baseline_sd = r.baseline_p95 = r.p_value = nan;
            continue;
        }
        double sum = 0, sq = 0;
        std::size_t as_large = 0;
        for (double x_ : v) sum += x_, as_large += x_ >= r.drop - 1e-12;
        r.baseline_mean = sum / double(v.size());
        for (double x_ : v) sq += (x_ - r.baseline_mean) * (x_ - r.baseline_mean);
        r.baseline_sd = v.size() > 1 ? std::sqrt(sq / double(v.size() - 1)) : 0.0;
        std::sort(v.begin(), v.end());
        r.baseline_p95 = v[std::min(v.size() - 1, std::size_t(std::ceil(0.95 * double(v.size()))) - 1)];
        r.p_value = double(1 + as_large) / double(1 + v.size());
    }

    AblationReport report;
    report.rows = std::move(rows);
    for (std::size_t l = 0; l < layers.size(); ++l) report.widths[layers[l]] = shapes[l].empty() ? 1 : shapes[l][0];
    report.inputs = n;
    report.draws = o.draws;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace actopo
