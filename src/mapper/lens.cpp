// Lenses: one or two values per point of a cloud.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "actopo/mapper.hpp"
#include "mapper/neighbors.hpp"

namespace actopo::mapper {

namespace {

std::size_t parse_count(const std::string& text, const std::string& spec) {
    try {
        std::size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used == text.size() && v >= 0) return std::size_t(v);
    } catch (const std::exception&) {
    }
    throw UserError("lens '" + spec + "': expected a non-negative integer after ':', got '" + text + "'");
}

Lens per_row(const std::string& name, const PointCloud& cloud, double (*fn)(const float*, std::size_t)) {
    Lens lens{name, 1, std::vector<double>(cloud.points.rows)};
    for (std::size_t i = 0; i < cloud.points.rows; ++i) lens.values[i] = fn(cloud.points.row(i), cloud.points.cols);
    return lens;
}

std::vector<double> softmax(const float* z, std::size_t c) {
    double top = *std::max_element(z, z + c);
    std::vector<double> p(c);
    double sum = 0;
    for (std::size_t k = 0; k < c; ++k) sum += p[k] = std::exp(double(z[k]) - top);
    for (auto& v : p) v /= sum;
    return p;
}

Lens from_logits(const std::string& name, const PointCloud& cloud, const LensInputs& in, bool margin) {
    if (!in.logits || in.logits->cols == 0)
        throw UserError("lens '" + name + "' needs the model's logits (/inputs/logits), which this input lacks");
    if (in.logits->rows != cloud.points.rows)
        throw UserError("lens '" + name + "': " + std::to_string(in.logits->rows) + " rows of logits for " +
                        std::to_string(cloud.points.rows) + " points");
    Lens lens{name, 1, std::vector<double>(cloud.points.rows)};
    for (std::size_t i = 0; i < cloud.points.rows; ++i) {
        auto p = softmax(in.logits->row(i), in.logits->cols);
        std::sort(p.rbegin(), p.rend());
        lens.values[i] = margin ? p[0] - (p.size() > 1 ? p[1] : 0.0) : p[0];
    }
    return lens;
}

Lens from_file(const std::string& spec, const std::string& path, std::size_t n) {
    std::istringstream in(read_text_file(path));
    Lens lens{spec, 0, {}};
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        auto fields = split(line, ',');
        if (lens.dims == 0) lens.dims = fields.size();
        if (fields.size() != lens.dims || lens.dims > 2)
            throw UserError("lens file " + path + " line " + std::to_string(line_no) +
                            ": expected 1 or 2 comma-separated values on every line (as on the first)");
        for (const auto& f : fields) {
            try {
                std::size_t used = 0;
                double v = std::stod(trim(f), &used);
                lens.values.push_back(v);
            } catch (const std::exception&) {
                throw UserError("lens file " + path + " line " + std::to_string(line_no) + ": '" + trim(f) +
                                "' is not a number");
            }
        }
    }
    if (lens.dims == 0) throw UserError("lens file " + path + " holds no values");
    validate_lens(lens, n, "lens file " + path);
    return lens;
}

}  // namespace

void validate_lens(const Lens& lens, std::size_t n, const std::string& what) {
    if (lens.dims < 1 || lens.dims > 2) throw UserError(what + ": a lens has 1 or 2 dimensions");
    if (lens.size() != n || lens.values.size() != n * lens.dims)
        throw UserError(what + " has " + std::to_string(lens.size()) + " values; expected " + std::to_string(n) +
                        " (one per point)");
    for (std::size_t i = 0; i < lens.values.size(); ++i)
        if (!std::isfinite(lens.values[i]))
            throw UserError(what + ": value of point " + std::to_string(i / lens.dims) +
                            " is not finite (NaN or inf)");
    for (std::size_t d = 0; d < lens.dims; ++d) {
        bool constant = true;
        for (std::size_t i = 1; i < n && constant; ++i) constant = lens.at(i, d) == lens.at(0, d);
        if (constant && n > 0)
            throw UserError(what + ": the lens is constant (" + std::to_string(lens.at(0, d)) +
                            ") on every point; choose a lens that varies, e.g. --lens pca");
    }
}

Lens compute_lens(const std::string& spec, const PointCloud& cloud, const LensInputs& in) {
    const Matrix& x = cloud.points;
    const std::size_t n = x.rows;
    if (n == 0) throw UserError("lens '" + spec + "': the point cloud is empty");
    for (float v : x.data)
        if (!std::isfinite(v))
            throw UserError("the point cloud (" + cloud.description + ") holds NaN or inf values");
    const auto colon = spec.find(':');
    const std::string kind = spec.substr(0, colon);
    const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
    Lens lens;
    if (kind == "l2norm") {
        lens = per_row("l2norm", cloud, [](const float* r, std::size_t d) {
            double s = 0;
            for (std::size_t k = 0; k < d; ++k) s += double(r[k]) * r[k];
            return std::sqrt(s);
        });
    } else if (kind == "l1norm") {
        lens = per_row("l1norm", cloud, [](const float* r, std::size_t d) {
            double s = 0;
            for (std::size_t k = 0; k < d; ++k) s += std::abs(double(r[k]));
            return s;
        });
    } else if (kind == "mean") {
        lens = per_row("mean", cloud, [](const float* r, std::size_t d) {
            return std::accumulate(r, r + d, 0.0) / double(d);
        });
    } else if (kind == "max") {
        lens = per_row("max", cloud, [](const float* r, std::size_t d) { return double(*std::max_element(r, r + d)); });
    } else if (kind == "knn" || kind == "eccentricity") {
        Matrix prepared = prepare_rows(x, in.metric);
        std::vector<std::size_t> all(n);
        std::iota(all.begin(), all.end(), 0);
        if (kind == "knn") {
            std::size_t k = arg.empty() ? in.knn_k : parse_count(arg, spec);
            if (k < 1 || k >= n)
                throw UserError("lens '" + spec + "': k must be in [1, " + std::to_string(n - 1) + "]");
            auto sq = detail::kth_neighbour(prepared, all, all, k, 0);
            lens = Lens{"knn:" + std::to_string(k), 1, std::vector<double>(n)};
            for (std::size_t i = 0; i < n; ++i) lens.values[i] = detail::from_squared(sq[i], in.metric);
        } else {
            lens = Lens{"eccentricity", 1, detail::mean_distance(prepared, all, in.metric, 0)};
        }
    } else if (kind == "pca" || kind == "pca1" || kind == "pca2") {
        std::size_t dims = kind == "pca2" ? 2 : 1;
        if (x.cols < dims) throw UserError("lens '" + spec + "' needs points of at least " + std::to_string(dims) + " dimensions");
        Matrix p = pca_project(x, dims);
        lens = Lens{dims == 2 ? "pca2" : "pca", dims, std::vector<double>(p.data.begin(), p.data.end())};
    } else if (kind == "neuron") {
        if (arg.empty()) throw UserError("lens 'neuron:I' needs a unit index I, e.g. neuron:3");
        std::size_t j = parse_count(arg, spec);
        if (j >= x.cols)
            throw UserError("lens '" + spec + "': unit " + arg + " does not exist; the points have " +
                            std::to_string(x.cols) + " coordinates (0.." + std::to_string(x.cols - 1) + ")");
        lens = Lens{spec, 1, std::vector<double>(n)};
        for (std::size_t i = 0; i < n; ++i) lens.values[i] = x(i, j);
    } else if (kind == "prediction" || kind == "margin") {
        lens = from_logits(kind, cloud, in, kind == "margin");
    } else if (kind == "file") {
        if (arg.empty()) throw UserError("lens 'file:PATH' needs a path");
        return from_file(spec, arg, n);
    } else {
        auto near = closest_names(kind, {"l2norm", "l1norm", "mean", "max", "knn", "eccentricity", "pca", "pca2",
                                         "neuron", "prediction", "margin", "file"});
        throw UserError("unknown lens '" + spec + "' (did you mean " + join(near, " or ") +
                        "? expected l2norm, l1norm, mean, max, knn[:K], eccentricity, pca, pca2, neuron:I, "
                        "prediction, margin or file:PATH)");
    }
    validate_lens(lens, n, "lens '" + lens.name + "' of " + (cloud.description.empty() ? "the points" : cloud.description));
    return lens;
}

}  // namespace actopo::mapper
