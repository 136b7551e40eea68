// explain_attributions: the dataset streamed batch by batch through every method into one attribution file.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/explain.hpp"
#include "actopo/plot.hpp"
#include "actopo/store.hpp"
#include "explain/file.hpp"
#include "explain/internal.hpp"

namespace actopo {

namespace explain_detail {

// The options a method reads, as the attributes of its dataset.
std::map<std::string, std::string> method_attributes(const std::string& method, const MethodOptions& o) {
    std::map<std::string, std::string> a{{"method", method}, {"seed", std::to_string(o.seed)},
                                         {"internal_batch", std::to_string(o.internal_batch)}};
    const bool smooth = method.rfind("smoothgrad", 0) == 0;
    const std::string base = method == "smoothgrad" ? "gradient" : smooth ? method.substr(11) : method;
    if (smooth) {
        a["base_method"] = base;
        a["noise"] = format_number(o.noise, 17);
        a["samples"] = std::to_string(o.samples);
        a["variant"] = o.variant;
    }
    if (base == "integrated-gradients") {
        a["baseline"] = o.baseline;
        a["steps"] = std::to_string(o.steps);
        a["rule"] = o.rule;
        if (o.baseline == "blur") a["blur_sigma"] = format_number(o.blur_sigma, 17);
    }
    if (base == "deeplift") a["baseline"] = o.baseline;
    if (base == "deeplift" && o.baseline == "blur") a["blur_sigma"] = format_number(o.blur_sigma, 17);
    if (base.rfind("lrp", 0) == 0 || base == "deep-taylor") {
        if (base == "lrp") a["lrp_rule"] = o.lrp_rule;
        a["epsilon"] = format_number(o.epsilon, 17);
        a["gamma"] = format_number(o.gamma, 17);
        a["layer_rules"] = o.layer_rules;
        a["bounds"] = o.bounds;
    }
    if (base == "guided-grad-cam" && !o.layer.empty()) a["layer"] = o.layer;
    if (base == "occlusion") {
        a["window"] = std::to_string(o.window);
        a["stride"] = std::to_string(o.stride);
        a["occlusion_value"] = format_number(o.occlusion_value, 17);
    }
    return a;
}

bool uses_mean_baseline(const std::vector<std::string>& methods, const MethodOptions& o) {
    if (o.baseline != "mean") return false;
    for (const auto& m : methods)
        if (m == "integrated-gradients" || m == "smoothgrad:integrated-gradients" || m == "deeplift" ||
            m == "smoothgrad:deeplift")
            return true;
    return false;
}

std::vector<float> mean_input(const DatasetReader& data, std::size_t batch) {
    const std::size_t per = per_input_size(data.sample_shape()), n = data.size();
    std::vector<double> sum(per, 0);
    std::vector<float> x(batch * per);
    std::vector<std::int64_t> labels(batch);
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t count = std::min(batch, n - first);
        data.read(first, count, x.data(), labels.data());
        for (std::size_t i = 0; i < count * per; ++i) sum[i % per] += x[i];
    }
    std::vector<float> mean(per);
    for (std::size_t i = 0; i < per; ++i) mean[i] = float(sum[i] / double(n));
    return mean;
}

// "label" | "predicted" | a class index
std::int64_t parse_target(const std::string& target) {
    if (target == "label" || target == "predicted") return -1;
    try {
        std::size_t used = 0;
        long long c = std::stoll(target, &used);
        if (used == target.size()) {
            if (c < 0) throw UserError("target class " + target + " is out of range (classes are numbered from 0)");
            return c;
        }
    } catch (const std::invalid_argument&) {
    } catch (const std::out_of_range&) {
    }
    throw UserError("--target '" + target + "' is not label, predicted or a class index");
}

std::vector<std::int64_t> targets_of(const std::string& target, std::int64_t fixed, const std::int64_t* labels,
                                     const std::int64_t* predictions, std::size_t count) {
    std::vector<std::int64_t> t(count);
    for (std::size_t i = 0; i < count; ++i) t[i] = fixed >= 0 ? fixed : target == "label" ? labels[i] : predictions[i];
    return t;
}

// The first NaN or Inf among count*per floats: (input, position), or (-1, -1).
std::pair<long long, long long> first_nonfinite(const float* v, std::size_t count, std::size_t per) {
    for (std::size_t i = 0; i < count * per; ++i)
        if (!std::isfinite(v[i])) return {(long long)(i / per), (long long)(i % per)};
    return {-1, -1};
}

void check_finite_map(const std::string& method, const Attribution& a, std::size_t count, std::size_t first) {
    const auto bad = first_nonfinite(a.values.data(), count, per_input_size(a.shape));
    if (bad.first >= 0)
        throw UserError(method + ": the map of input " + std::to_string(first + std::size_t(bad.first)) +
                        " holds a NaN or Inf value (at position " + std::to_string(bad.second) +
                        "); nothing was written");
}

std::vector<std::int64_t> argmax_rows(const std::vector<float>& logits, std::size_t count, std::int64_t classes) {
    std::vector<std::int64_t> p(count);
    for (std::size_t i = 0; i < count; ++i) {
        const float* r = logits.data() + i * std::size_t(classes);
        p[i] = std::max_element(r, r + classes) - r;
    }
    return p;
}

}  // namespace explain_detail

using namespace explain_detail;

ExplainReport explain_attributions(const ExplainOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    if (o.output.empty()) throw UserError("explain needs an output file (-o attributions.h5)");
    if (std::filesystem::exists(o.output) && !o.force)
        throw UserError("output '" + o.output + "' already exists (use --force to replace it)");
    if (o.methods.empty()) throw UserError("--method is empty (give one or more methods)");
    for (const auto& m : o.methods) check_method(m);
    if (o.batch == 0) throw UserError("--batch must be at least 1");
    if (o.method.internal_batch == 0) throw UserError("--internal-batch must be at least 1");
    const std::int64_t fixed = parse_target(o.target);

    auto data = open_dataset(o.dataset, o.limit);
    const std::size_t n = data->size();
    if (n == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    Explainer explainer(o.model, o.threads);
    std::vector<float> mean;
    if (uses_mean_baseline(o.methods, o.method)) mean = mean_input(*data, o.batch);

    const std::vector<std::int64_t> sample = data->sample_shape();
    const std::size_t per = per_input_size(sample);
    std::vector<float> x(o.batch * per);
    std::vector<std::int64_t> labels(o.batch);
    std::unique_ptr<AttributionWriter> writer;
    ExplainReport report;
    std::map<std::string, double> abs_delta;
    Progress progress("explain", n);
    for (std::size_t first = 0; first < n; first += o.batch) {
        throw_if_cancelled();
        const std::size_t count = std::min(o.batch, n - first);
        data->read(first, count, x.data(), labels.data());
        auto bad = first_nonfinite(x.data(), count, per);
        if (bad.first >= 0)
            throw UserError("input " + std::to_string(first + std::size_t(bad.first)) + " of dataset '" + o.dataset +
                            "' holds a NaN or Inf value (at position " + std::to_string(bad.second) +
                            "); explain needs finite inputs");
        std::vector<std::int64_t> shape = sample;
        shape.insert(shape.begin(), std::int64_t(count));
        std::vector<float> logits = explainer.logits(x.data(), shape);
        const std::int64_t classes = explainer.num_classes();
        if (fixed >= classes)
            throw UserError("target class " + std::to_string(fixed) + " is out of range: model '" + o.model + "' has " +
                            std::to_string(classes) + " classes (0-" + std::to_string(classes - 1) + ")");
        std::vector<std::int64_t> predictions = argmax_rows(logits, count, classes);
        std::vector<std::int64_t> targets = targets_of(o.target, fixed, labels.data(), predictions.data(), count);
        for (auto t : targets)
            if (t < 0 || t >= classes)
                throw UserError("target class " + std::to_string(t) + " (a label of dataset '" + o.dataset +
                                "') is out of range: model '" + o.model + "' has " + std::to_string(classes) + " classes");
        std::vector<std::int64_t> index(count);
        std::iota(index.begin(), index.end(), std::int64_t(first));
        std::vector<std::pair<std::string, Attribution>> results;
        for (const auto& m : o.methods) {
            auto t0 = std::chrono::steady_clock::now();
            Attribution a = explainer.attribute(m, x.data(), shape, targets, index, o.method, mean);
            report.seconds[m] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            check_finite_map(m, a, count, first);
            for (float d : a.delta) abs_delta[m] += std::fabs(d);
            results.emplace_back(m, std::move(a));
        }
        if (!writer) {  // the maps' shapes are known after the first batch
            writer = std::make_unique<AttributionWriter>(o.output, o.force);
            std::map<std::string, std::string> strings{{"format", "actopo-attributions"},
                                                       {"model", o.model},
                                                       {"model_sha256", sha256_file(o.model)},
                                                       {"dataset", data->name()},
                                                       {"split", data->split()},
                                                       {"target", o.target},
                                                       {"methods", join(o.methods, ",")},
                                                       {"created", store_created_time()},
                                                       {"actopo_version", version()}};
            writer->set_root(strings, {{"version", 1}, {"num_classes", classes}}, data->class_names());
            for (const auto& [m, a] : results) {
                auto attrs = method_attributes(m, o.method);
                if (!a.layer.empty()) attrs["layer"] = a.layer;
                writer->add_method(m, a.shape, attrs, !a.delta.empty(), a.layer, a.cam_shape);
            }
        }
        writer->append_inputs(count, index.data(), labels.data(), predictions.data(), targets.data());
        for (const auto& [m, a] : results)
            writer->append(m, count, a.values.data(), a.delta.empty() ? nullptr : a.delta.data(),
                           a.cam.empty() ? nullptr : a.cam.data());
        progress.advance(count);
    }
    throw_if_cancelled();
    writer->finish();
    progress.finish();
    report.inputs = n;
    for (const auto& [m, s] : abs_delta) report.mean_abs_delta[m] = s / double(n);
    if (!o.pictures.empty())
        report.pictures = draw_attribution_pictures(o.output, o.pictures, o.picture_count, o.force);
    report.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace actopo
