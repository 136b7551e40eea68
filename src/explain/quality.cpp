// explain_quality: every method side by side on the same inputs (definitions in docs/explain.md):
//   selectivity      pixel-flipping: patches removed in decreasing relevance, f_c after each; AOPC
//   continuity       max over nearby x' of ||R(x) - R(x')||_1 / ||x - x'||_2, mean over inputs
//   max-sensitivity  max over nearby x' of ||R(x') - R(x)||_2 / ||R(x)||_2, mean over inputs
//   infidelity       min over beta of E[(beta I.R(x) - (f(x) - f(x - I)))^2] / E[(f(x) - f(x - I))^2]
//   randomisation    Spearman correlation of |R| between the trained model and the model with its top k
//                    parameterised layers re-initialised (cascading), k = 1..all
// Uses only the Explainer's public API (no LibTorch here).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/dataset.hpp"
#include "actopo/explain.hpp"
#include "actopo/plot.hpp"
#include "actopo/store.hpp"
#include "explain/internal.hpp"

namespace actopo {

namespace {

std::vector<double> ranks(const std::vector<float>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * double(i + j);
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : (saa == 0 && sbb == 0 ? 1.0 : 0.0);
}

double spearman_abs(const float* a, const float* b, std::size_t n) {
    std::vector<float> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::fabs(a[i]), y[i] = std::fabs(b[i]);
    return pearson(ranks(x), ranks(y));
}

// The map of every input summed over channels onto the spatial grid ([C, H, W] -> H*W), or the map itself.
struct Grid {
    std::size_t c = 1, h = 1, w = 1;
};
Grid grid_of(const std::vector<std::int64_t>& per) {
    Grid g;
    if (per.size() >= 2) {
        g.h = std::size_t(per[per.size() - 2]);
        g.w = std::size_t(per[per.size() - 1]);
        g.c = per_input_size(per) / (g.h * g.w);
    } else {
        g.w = per_input_size(per);
    }
    return g;
}

}  // namespace

QualityReport explain_quality(const QualityOptions& o) {
    using namespace explain_detail;
    if (o.output.empty()) throw UserError("explain-quality needs an output folder (-o DIR)");
    if (std::filesystem::exists(o.output + "/quality.md") && !o.force)
        throw UserError("output '" + o.output + "/quality.md' already exists (use --force to replace it)");
    if (o.methods.empty()) throw UserError("--method is empty (give one or more methods)");
    for (const auto& m : o.methods) check_method(m);
    if (o.patch == 0 || o.flip_steps == 0 || o.perturbations == 0)
        throw UserError("--patch, --flip-steps and --perturbations must be at least 1");
    const std::int64_t fixed = parse_target(o.target);
    auto data = open_dataset(o.dataset, o.limit);
    const std::size_t n = data->size();
    if (n == 0) throw UserError("dataset '" + o.dataset + "' has no inputs");
    const std::vector<std::int64_t> sample = data->sample_shape();
    const std::size_t per = per_input_size(sample);
    std::vector<float> x(n * per);
    std::vector<std::int64_t> labels(n), index(n);
    data->read(0, n, x.data(), labels.data());
    std::iota(index.begin(), index.end(), 0);
    for (float v : x)
        if (!std::isfinite(v)) throw UserError("dataset '" + o.dataset + "' holds a NaN or Inf input value");
    std::vector<std::int64_t> shape = sample;
    shape.insert(shape.begin(), std::int64_t(n));

    Explainer e(o.model, o.threads);
    const std::vector<float> logits = e.logits(x.data(), shape);
    const std::int64_t classes = e.num_classes();
    if (fixed >= classes)
        throw UserError("target class " + std::to_string(fixed) + " is out of range: model '" + o.model + "' has " +
                        std::to_string(classes) + " classes");
    auto predictions = argmax_rows(logits, n, classes);
    std::vector<std::int64_t> targets(n);
    for (std::size_t i = 0; i < n; ++i) targets[i] = fixed >= 0 ? fixed : o.target == "label" ? labels[i] : predictions[i];
    auto f_target = [&](const std::vector<float>& xs, std::size_t count, const std::vector<std::int64_t>& t) {
        std::vector<std::int64_t> s = sample;
        s.insert(s.begin(), std::int64_t(count));
        std::vector<float> l = e.logits(xs.data(), s);
        std::vector<double> out(count);
        for (std::size_t i = 0; i < count; ++i) out[i] = l[i * std::size_t(classes) + std::size_t(t[i])];
        return out;
    };
    std::vector<double> fx = f_target(x, n, targets);
    double x_lo = *std::min_element(x.begin(), x.end()), x_hi = *std::max_element(x.begin(), x.end());
    const double range = x_hi > x_lo ? x_hi - x_lo : 1.0;
    const Grid g = grid_of(sample);
    const std::size_t gh = (g.h + o.patch - 1) / o.patch, gw = (g.w + o.patch - 1) / o.patch;
    const std::size_t patches = gh * gw, steps = std::min(o.flip_steps, patches);

    // The perturbations shared by every method: continuity / max-sensitivity (uniform in a ball of the
    // radius) and infidelity (Gaussian of that standard deviation), seeded.
    std::mt19937_64 rng(o.method.seed + 7);
    std::uniform_real_distribution<float> uni(-1, 1);
    std::normal_distribution<float> gauss(0, 1);
    const std::size_t P = o.perturbations;
    std::vector<float> nearby(P * n * per), noise(P * n * per);
    for (auto& v : nearby) v = float(o.radius * range) * uni(rng);
    for (auto& v : noise) v = float(o.radius * range) * gauss(rng);
    std::vector<double> f_removed(P * n);  // f(x - I) for infidelity
    {
        std::vector<float> xs(n * per);
        for (std::size_t p = 0; p < P; ++p) {
            for (std::size_t k = 0; k < n * per; ++k) xs[k] = x[k] - noise[p * n * per + k];
            auto f = f_target(xs, n, targets);
            std::copy(f.begin(), f.end(), f_removed.begin() + std::ptrdiff_t(p * n));
        }
    }

    QualityReport report;
    report.inputs = n;
    Progress progress("explain-quality", o.methods.size());
    for (const auto& method : o.methods) {
        throw_if_cancelled();
        MethodQuality q;
        q.method = method;
        Attribution a = e.attribute(method, x.data(), shape, targets, index, o.method);
        check_finite_map(method, a, n, 0);
        const std::size_t mper = per_input_size(a.shape);
        const Grid mg = grid_of(a.shape);
        // ---- selectivity: pixel flipping by patches of the spatial grid, all channels at once
        q.curve.assign(steps + 1, 0);
        double aopc = 0;
        std::vector<float> flipped((steps + 1) * per);
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<double> relevance(patches, 0);
            const float* r = a.values.data() + i * mper;
            for (std::size_t c = 0; c < mg.c; ++c)
                for (std::size_t y = 0; y < mg.h; ++y)
                    for (std::size_t xx = 0; xx < mg.w; ++xx)
                        relevance[(y / o.patch) * gw + xx / o.patch] += r[(c * mg.h + y) * mg.w + xx];
            std::vector<std::size_t> order(patches);
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](std::size_t p1, std::size_t p2) { return relevance[p1] > relevance[p2]; });
            std::vector<float> cur(x.begin() + std::ptrdiff_t(i * per), x.begin() + std::ptrdiff_t((i + 1) * per));
            std::copy(cur.begin(), cur.end(), flipped.begin());
            for (std::size_t k = 1; k <= steps; ++k) {
                const std::size_t p = order[k - 1], py = p / gw, px = p % gw;
                for (std::size_t c = 0; c < g.c; ++c)
                    for (std::size_t y = py * o.patch; y < std::min(g.h, (py + 1) * o.patch); ++y)
                        for (std::size_t xx = px * o.patch; xx < std::min(g.w, (px + 1) * o.patch); ++xx)
                            cur[(c * g.h + y) * g.w + xx] = float(o.flip_value);
                std::copy(cur.begin(), cur.end(), flipped.begin() + std::ptrdiff_t(k * per));
            }
            auto f = f_target(flipped, steps + 1, std::vector<std::int64_t>(steps + 1, targets[i]));
            double area = 0;
            for (std::size_t k = 0; k <= steps; ++k) {
                q.curve[k] += f[k] / double(n);
                area += f[0] - f[k];
            }
            aopc += area / double(steps + 1) / double(n);
        }
        q.aopc = aopc;
        // ---- continuity and max-sensitivity over the same nearby inputs
        std::vector<double> cont(n, 0), sens(n, 0);
        for (std::size_t p = 0; p < P; ++p) {
            std::vector<float> xs(n * per);
            for (std::size_t k = 0; k < n * per; ++k) xs[k] = x[k] + nearby[p * n * per + k];
            Attribution b = e.attribute(method, xs.data(), shape, targets, index, o.method);
            for (std::size_t i = 0; i < n; ++i) {
                double l1 = 0, l2 = 0, dx = 0, norm = 0;
                for (std::size_t k = 0; k < mper; ++k) {
                    double d = double(b.values[i * mper + k]) - a.values[i * mper + k];
                    l1 += std::fabs(d);
                    l2 += d * d;
                    norm += double(a.values[i * mper + k]) * a.values[i * mper + k];
                }
                for (std::size_t k = 0; k < per; ++k) dx += double(nearby[p * n * per + i * per + k]) * nearby[p * n * per + i * per + k];
                cont[i] = std::max(cont[i], l1 / std::sqrt(std::max(dx, 1e-30)));
                sens[i] = std::max(sens[i], std::sqrt(l2) / std::sqrt(std::max(norm, 1e-30)));
            }
        }
        q.continuity = std::accumulate(cont.begin(), cont.end(), 0.0) / double(n);
        q.max_sensitivity = std::accumulate(sens.begin(), sens.end(), 0.0) / double(n);
        // ---- infidelity, with the best scale beta of the map (maps of different units compare)
        {
            // I.R summed over the map's elements; a one-channel map of a multi-channel input counts each channel
            double sum_df2 = 0, sum_ab = 0, sum_aa = 0;
            for (std::size_t p = 0; p < P; ++p)
                for (std::size_t i = 0; i < n; ++i) {
                    double dot = 0;
                    const float* I = noise.data() + p * n * per + i * per;
                    const float* r = a.values.data() + i * mper;
                    if (mper == per) {
                        for (std::size_t k = 0; k < per; ++k) dot += double(I[k]) * r[k];
                    } else {
                        const std::size_t plane = mg.h * mg.w;
                        for (std::size_t k = 0; k < per; ++k) dot += double(I[k]) * r[k % plane];
                    }
                    double df = fx[i] - f_removed[p * n + i];
                    sum_df2 += df * df;
                    sum_ab += dot * df;
                    sum_aa += dot * dot;
                }
            double beta = sum_aa > 0 ? sum_ab / sum_aa : 0;
            // E[(beta a - b)^2] = beta^2 E[a^2] - 2 beta E[ab] + E[b^2]
            q.infidelity = sum_df2 > 0 ? (beta * beta * sum_aa - 2 * beta * sum_ab + sum_df2) / sum_df2 : 0;
        }
        report.methods.push_back(std::move(q));
        progress.advance(1);
    }
    progress.finish();

    // ---- model randomisation, cascading from the top
    if (o.randomisation) {
        const auto layers = e.parameterised_layers();
        std::vector<Attribution> trained_maps;
        for (const auto& m : o.methods) trained_maps.push_back(e.attribute(m, x.data(), shape, targets, index, o.method));
        for (std::size_t k = 1; k <= layers.size(); ++k) {
            throw_if_cancelled();
            Explainer r(o.model, o.threads);
            auto names = r.randomize_top_layers(k, o.method.seed + 1000);
            for (std::size_t m = 0; m < o.methods.size(); ++m) {
                const Attribution& trained = trained_maps[m];
                Attribution random = r.attribute(o.methods[m], x.data(), shape, targets, index, o.method);
                const std::size_t mper = per_input_size(trained.shape);
                double rho = 0;
                for (std::size_t i = 0; i < n; ++i)
                    rho += spearman_abs(trained.values.data() + i * mper, random.values.data() + i * mper, mper);
                report.methods[m].randomised.push_back(names.back());
                report.methods[m].rank_correlation.push_back(rho / double(n));
            }
        }
    }

    // ---- files
    namespace fs = std::filesystem;
    fs::create_directories(o.output);
    std::ostringstream md, csv, curves;
    md << "# Explanation quality\n\nModel `" << o.model << "`, dataset `" << o.dataset << "`, " << n
       << " inputs, target " << o.target << ". Pixel-flipping: " << o.patch << "x" << o.patch
       << " patches set to " << o.flip_value << ", " << steps << " steps; continuity and max-sensitivity over "
       << P << " uniform perturbations of radius " << o.radius << " x (max x - min x); infidelity over " << P
       << " Gaussian perturbations of that standard deviation, with the best scale of each map.\n\n"
       << "| method | AOPC (higher: more selective) | continuity (lower: smoother) | max-sensitivity (lower) | "
          "infidelity (lower, 0-1) | rank correlation after randomising all layers (lower: more model-dependent) |\n"
          "|---|---|---|---|---|---|\n";
    csv << "method,aopc,continuity,max_sensitivity,infidelity,randomised_rank_correlation\n";
    for (const auto& q : report.methods) {
        char line[512];
        double last = q.rank_correlation.empty() ? NAN : q.rank_correlation.back();
        std::snprintf(line, sizeof line, "| %s | %.4g | %.4g | %.4g | %.4g | %.3f |\n", q.method.c_str(), q.aopc,
                      q.continuity, q.max_sensitivity, q.infidelity, last);
        md << line;
        std::snprintf(line, sizeof line, "%s,%.8g,%.8g,%.8g,%.8g,%.8g\n", q.method.c_str(), q.aopc, q.continuity,
                      q.max_sensitivity, q.infidelity, last);
        csv << line;
    }
    if (o.randomisation && !report.methods.empty() && !report.methods[0].randomised.empty()) {
        md << "\nCascading randomisation (mean Spearman correlation of |R| with the trained model's maps), layers "
              "re-initialised from the top:\n\n| method |";
        for (const auto& l : report.methods[0].randomised) md << " +" << l << " |";
        md << "\n|---|";
        for (std::size_t k = 0; k < report.methods[0].randomised.size(); ++k) md << "---|";
        md << "\n";
        for (const auto& q : report.methods) {
            md << "| " << q.method << " |";
            for (double r : q.rank_correlation) {
                char b[32];
                std::snprintf(b, sizeof b, " %.3f |", r);
                md << b;
            }
            md << "\n";
        }
    }
    curves << "method";
    for (std::size_t k = 0; k <= steps; ++k) curves << ",f_after_" << k;
    curves << "\n";
    std::vector<Series> series;
    for (const auto& q : report.methods) {
        curves << q.method;
        for (double v : q.curve) curves << "," << v;
        curves << "\n";
        series.push_back({q.method, q.curve});
    }
    const std::string md_path = o.output + "/quality.md", csv_path = o.output + "/quality.csv",
                      curves_path = o.output + "/curves.csv";
    write_text_file(md_path, md.str(), o.force);
    write_text_file(csv_path, csv.str(), o.force);
    write_text_file(curves_path, curves.str(), o.force);
    report.files = {md_path, csv_path, curves_path};
    ChartOptions chart;
    chart.title = "Pixel-flipping: mean f_c after removing the k most relevant patches";
    chart.x_label = "patches removed";
    chart.y_label = "mean target logit";
    for (std::size_t k = 0; k <= steps; ++k) chart.x.push_back(double(k));
    write_chart(series, chart, o.output + "/perturbation.svg", o.force);
    for (const auto& p : figure_paths(o.output + "/perturbation.svg")) report.files.push_back(p);
    if (o.randomisation && !report.methods.empty() && !report.methods[0].rank_correlation.empty()) {
        std::vector<Series> rs;
        for (const auto& q : report.methods) rs.push_back({q.method, q.rank_correlation});
        ChartOptions rc;
        rc.title = "Cascading randomisation: rank correlation with the trained model's maps";
        rc.x_label = "top layers re-initialised";
        rc.y_label = "Spearman |R|";
        for (std::size_t k = 0; k < report.methods[0].rank_correlation.size(); ++k) rc.x.push_back(double(k + 1));
        write_chart(rs, rc, o.output + "/randomisation.svg", o.force);
        for (const auto& p : figure_paths(o.output + "/randomisation.svg")) report.files.push_back(p);
    }
    return report;
}

}  // namespace actopo
