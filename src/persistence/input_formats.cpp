// read_rips_input: every input format Ripser reads, plus CSV point clouds, with one-line errors that
// name the file, row and column. Rows are the file's line numbers (1-based), columns the field number.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <unordered_map>
#include <sstream>

#include "persistence/internal.hpp"

namespace actopo {
namespace {

struct Row {
    std::size_t line = 0;
    std::vector<double> values;
};

std::string at(const std::string& path, std::size_t line, std::size_t column = 0) {
    return path + ": row " + std::to_string(line) + (column ? ", column " + std::to_string(column) : "");
}

/// Splits the text into rows of numbers. Fields are separated by whitespace, ',' or ';'; a trailing
/// separator is allowed; blank lines keep their place (a lower triangle may start with one).
/// `header`: a first line with no number at all is skipped (CSV column names).
std::vector<Row> parse_rows(const std::string& path, const std::string& text, bool header, bool keep_blank) {
    std::vector<Row> rows;
    std::size_t line_no = 0, pos = 0;
    bool first = true;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] == '#') continue;
        Row row{line_no, {}};
        std::vector<std::string> fields;
        std::size_t i = 0;
        auto is_space = [](char c) { return c == ' ' || c == '\t'; };
        auto is_sep = [](char c) { return c == ',' || c == ';'; };
        while (i < line.size()) {
            while (i < line.size() && is_space(line[i])) ++i;
            if (i >= line.size()) break;
            std::size_t s = i;
            while (i < line.size() && !is_space(line[i]) && !is_sep(line[i])) ++i;
            fields.push_back(line.substr(s, i - s));
            while (i < line.size() && is_space(line[i])) ++i;
            if (i < line.size() && is_sep(line[i])) {
                ++i;
                std::size_t j = i;
                while (j < line.size() && is_space(line[j])) ++j;
                if (j < line.size() && is_sep(line[j]))
                    throw UserError(at(path, line_no, fields.size() + 1) + ": empty field, expected a number");
            }
        }
        if (fields.empty()) {
            if (keep_blank && pos <= text.size()) rows.push_back(row);
            continue;
        }
        bool any_number = false;
        for (std::size_t c = 0; c < fields.size(); ++c) {
            char* e = nullptr;
            double v = std::strtod(fields[c].c_str(), &e);
            bool ok = *e == '\0';
            if (ok && std::isfinite(v)) any_number = true;
            if (!ok) {
                if (first && header) break;
                throw UserError(at(path, line_no, c + 1) + ": expected a number, got '" + fields[c] + "'");
            }
            if (!std::isfinite(v))
                throw UserError(at(path, line_no, c + 1) + ": expected a finite number, got '" + fields[c] + "'");
            if (std::abs(v) > double(std::numeric_limits<float>::max()))  // values are kept as float32
                throw UserError(at(path, line_no, c + 1) + ": " + fields[c] +
                                " overflows float32 (largest magnitude 3.4e38), expected a smaller number");
            row.values.push_back(v);
        }
        if (first && header && !any_number) {
            first = false;
            continue;
        }
        if (row.values.size() != fields.size())  // a header-like line that is not the first
            throw UserError(at(path, line_no) + ": expected numbers only");
        first = false;
        rows.push_back(std::move(row));
    }
    while (!rows.empty() && rows.back().values.empty()) rows.pop_back();
    return rows;
}

void check_distance(const std::string& where, double d) {
    if (d < 0) throw UserError(where + ": negative distance " + std::to_string(d) + ", expected >= 0");
}

/// Warns (stderr) when the distances break the triangle inequality: Rips persistence is still defined. A sparse
/// edge list is checked on its triangles (an absent edge is no distance); RipsInput::distance would search the
/// list for every pair (50 000 vertices and 200 000 edges: 47 s).
void warn_if_not_metric(const std::string& path, const RipsInput& in) {
    const std::size_t n = in.n;
    if (n < 3) return;
    std::mt19937_64 rng(1);
    auto warn = [&](std::size_t i, std::size_t j, std::size_t k, double a, double b) {
        std::fprintf(stderr,
                     "actopo: warning: %s is not a metric: d(%zu,%zu) = %g > d(%zu,%zu) + d(%zu,%zu) = %g; "
                     "the Rips filtration of a non-metric is still defined and computed as given\n",
                     path.c_str(), i, k, a, i, j, j, k, b);
    };
    if (in.kind == RipsInput::Kind::sparse_edges) {
        std::unordered_map<std::uint64_t, float> length;  // of an edge given twice, the last counts
        std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> around;  // not n vectors: vertex ids may be huge
        auto key = [](std::uint64_t a, std::uint64_t b) { return a < b ? (b << 32) | a : (a << 32) | b; };
        for (const auto& e : in.edges)
            if (e.i != e.j && length.insert_or_assign(key(e.i, e.j), e.d).second) around[e.i].push_back(e.j), around[e.j].push_back(e.i);
        for (std::size_t t = 0; t < 200000 && !in.edges.empty(); ++t) {  // an edge {i, j}, an edge {j, k}: is {i, k} one?
            const auto& e = in.edges[rng() % in.edges.size()];
            const auto& next = around[e.j];
            if (e.i == e.j || next.size() < 2) continue;
            const std::uint32_t i = e.i, j = e.j, k = next[rng() % next.size()];
            const auto ik = length.find(key(i, k));
            if (k == i || ik == length.end()) continue;
            const double a = ik->second, b = double(length.at(key(i, j))) + double(length.at(key(j, k)));
            if (a > b * (1 + 1e-6) + 1e-12) return warn(i, j, k, a, b);
        }
        return;
    }
    const bool all = n <= 40;
    const std::size_t trials = all ? n * n * n : 200000;
    for (std::size_t t = 0; t < trials; ++t) {
        std::size_t i = all ? t / (n * n) : rng() % n, j = all ? (t / n) % n : rng() % n, k = all ? t % n : rng() % n;
        if (i == j || j == k || i == k) continue;
        double a = in.distance(i, k), b = in.distance(i, j) + in.distance(j, k);
        if (a > b * (1 + 1e-6) + 1e-12) return warn(i, j, k, a, b);
    }
}

RipsInput lower_from_rows(const std::string& path, const std::vector<Row>& rows) {
    // One line of numbers, or line r (0-based, after an optional empty first line) with r entries.
    std::vector<float> lower;
    std::size_t total = 0;
    for (const auto& r : rows) total += r.values.size();
    std::size_t n = std::size_t(std::llround((1 + std::sqrt(1 + 8.0 * double(total))) / 2));
    std::size_t nonblank = 0;
    for (const auto& r : rows) nonblank += !r.values.empty();
    if (nonblank > 1) {
        std::size_t expect = rows.front().values.empty() ? 0 : 1;
        for (const auto& r : rows) {
            if (r.values.size() != expect)
                throw UserError(at(path, r.line) + ": has " + std::to_string(r.values.size()) + " entries, expected " +
                                std::to_string(expect) + " in a lower-triangular distance matrix");
            ++expect;
        }
        n = rows.front().values.empty() ? rows.size() : rows.size() + 1;
    } else if (n * (n - 1) / 2 != total) {
        throw UserError(path + ": " + std::to_string(total) + " entries is not a lower-triangular distance matrix");
    }
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.values.size(); ++c) {
            check_distance(at(path, r.line, c + 1), r.values[c]);
            lower.push_back(float(r.values[c]));
        }
    return RipsInput::from_lower(total ? n : 1, std::move(lower));
}

RipsInput upper_from_rows(const std::string& path, const std::vector<Row>& rows) {
    std::size_t total = 0;
    for (const auto& r : rows) total += r.values.size();
    std::size_t n = std::size_t(std::llround((1 + std::sqrt(1 + 8.0 * double(total))) / 2));
    if (n * (n - 1) / 2 != total)
        throw UserError(path + ": " + std::to_string(total) + " entries is not an upper-triangular distance matrix");
    std::vector<double> full(n * n, 0.0);
    std::size_t i = 0, j = 1, expect = n - 1;
    bool lines = rows.size() > 1;
    for (const auto& r : rows) {
        if (lines && r.values.size() != expect)
            throw UserError(at(path, r.line) + ": has " + std::to_string(r.values.size()) + " entries, expected " +
                            std::to_string(expect) + " in an upper-triangular distance matrix");
        --expect;
        for (std::size_t c = 0; c < r.values.size(); ++c) {
            check_distance(at(path, r.line, c + 1), r.values[c]);
            full[i * n + j] = r.values[c];
            if (++j == n) ++i, j = i + 1;
        }
    }
    std::vector<float> lower;
    for (std::size_t a = 1; a < n; ++a)
        for (std::size_t b = 0; b < a; ++b) lower.push_back(float(full[b * n + a]));
    return RipsInput::from_lower(total ? n : 1, std::move(lower));
}

RipsInput full_from_rows(const std::string& path, const std::vector<Row>& rows) {
    const std::size_t n = rows.size();
    for (const auto& r : rows)
        if (r.values.size() != n)
            throw UserError(at(path, r.line) + ": has " + std::to_string(r.values.size()) + " entries, expected " +
                            std::to_string(n) + " (a square distance matrix of " + std::to_string(n) + " rows)");
    std::vector<float> lower;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& ri = rows[i].values;
        if (std::abs(ri[i]) > 1e-9) throw UserError(at(path, rows[i].line, i + 1) + ": expected 0 on the diagonal, got " + std::to_string(ri[i]));
        for (std::size_t j = 0; j < i; ++j) {
            double a = ri[j], b = rows[j].values[i];
            check_distance(at(path, rows[i].line, j + 1), a);
            if (std::abs(a - b) > 1e-6 * std::max(1.0, std::max(std::abs(a), std::abs(b))))
                throw UserError(at(path, rows[i].line, j + 1) + ": asymmetric distance matrix, " + std::to_string(a) +
                                " here but " + std::to_string(b) + " at row " + std::to_string(rows[j].line) +
                                ", column " + std::to_string(i + 1));
            lower.push_back(float(a));
        }
    }
    return RipsInput::from_lower(n, std::move(lower));
}

RipsInput sparse_from_rows(const std::string& path, const std::vector<Row>& rows) {
    std::vector<RipsInput::Edge> edges;
    std::size_t n = 0;
    for (const auto& r : rows) {
        if (r.values.size() != 3)
            throw UserError(at(path, r.line) + ": has " + std::to_string(r.values.size()) +
                            " entries, expected 3 (i j distance) in a sparse distance matrix");
        for (int c = 0; c < 2; ++c)
            if (r.values[c] < 0 || r.values[c] != std::floor(r.values[c]) || r.values[c] > 4e9)
                throw UserError(at(path, r.line, c + 1) + ": expected a vertex index (integer >= 0)");
        check_distance(at(path, r.line, 3), r.values[2]);
        auto i = std::uint32_t(r.values[0]), j = std::uint32_t(r.values[1]);
        n = std::max<std::size_t>({n, std::size_t(i) + 1, std::size_t(j) + 1});
        if (i != j) edges.push_back({i, j, float(r.values[2])});
    }
    return RipsInput::from_edges(n, std::move(edges));
}

bool looks_like_distance_matrix(const std::vector<Row>& rows) {
    const std::size_t n = rows.size();
    if (n < 2) return false;
    for (std::size_t i = 0; i < n; ++i) {
        if (rows[i].values.size() != n || rows[i].values[i] != 0) return false;
        for (std::size_t j = 0; j < i; ++j) {
            double a = rows[i].values[j], b = rows[j].values[i];
            if (a < 0 || std::abs(a - b) > 1e-6 * std::max(1.0, std::max(std::abs(a), std::abs(b)))) return false;
        }
    }
    return true;
}

std::string read_binary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(path + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

RipsInput binary_lower(const std::string& path) {
    const std::string bytes = read_binary(path);
    if (bytes.empty()) throw UserError(path + ": empty file (expected a lower-triangular distance matrix of float32 values)");
    if (bytes.size() % 4) throw UserError(path + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of float32 values");
    std::vector<float> lower(bytes.size() / 4);
    std::memcpy(lower.data(), bytes.data(), bytes.size());
    std::size_t n = std::size_t(std::llround((1 + std::sqrt(1 + 8.0 * double(lower.size()))) / 2));
    if (n * (n - 1) / 2 != lower.size())
        throw UserError(path + ": " + std::to_string(lower.size()) + " float32 values is not a lower-triangular distance matrix");
    for (std::size_t k = 0; k < lower.size(); ++k) {
        if (!std::isfinite(lower[k]) || lower[k] < 0)
            throw UserError(path + ": value " + std::to_string(k) + " is " + std::to_string(lower[k]) +
                            ", expected a finite distance >= 0");
    }
    if (lower.empty()) n = 1;
    return RipsInput::from_lower(n, std::move(lower));
}

RipsInput dipha(const std::string& path) {
    const std::string bytes = read_binary(path);
    auto i64 = [&](std::size_t off) {
        std::int64_t v;
        std::memcpy(&v, bytes.data() + off, 8);
        return v;
    };
    if (bytes.size() < 24 || i64(0) != 8067171840 || i64(8) != 7)
        throw UserError(path + ": not a DIPHA distance matrix (expected magic 8067171840 and type 7)");
    const std::int64_t n = i64(16);
    if (n < 0 || bytes.size() != 24 + std::size_t(n) * std::size_t(n) * 8)
        throw UserError(path + ": DIPHA header says " + std::to_string(n) + " points but the file has " +
                        std::to_string(bytes.size()) + " bytes");
    std::vector<Row> rows(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        rows[i].line = std::size_t(i) + 1;
        for (std::int64_t j = 0; j < n; ++j) {
            double v;
            std::memcpy(&v, bytes.data() + 24 + (std::size_t(i) * n + j) * 8, 8);
            if (!std::isfinite(v) || std::abs(v) > double(std::numeric_limits<float>::max()))
                throw UserError(at(path, i + 1, j + 1) + ": expected a finite distance that fits float32");
            rows[i].values.push_back(v);
        }
    }
    return full_from_rows(path, rows);
}

}  // namespace

std::string guess_input_format(const std::string& path) {
    auto has = [&](const char* s) { return path.find(s) != std::string::npos; };
    if (has("lower_distance") || has("lower-distance")) return "lower-distance";
    if (has("upper_distance") || has("upper-distance")) return "upper-distance";
    if (has("distmat") || has("distance_matrix")) return "distance";
    if (has(".dipha")) return "dipha";
    if (has(".bin")) return "binary";
    if (has(".sparse")) return "sparse";
    return "point-cloud";
}

std::vector<std::string> input_formats() {
    return {"point-cloud", "csv", "lower-distance", "upper-distance", "distance", "dipha", "sparse", "binary"};
}

RipsInput read_rips_input(const std::string& path, const std::string& format_in, Metric metric) {
    const std::string format = format_in.empty() || format_in == "auto" ? guess_input_format(path) : format_in;
    const bool cloud = format == "point-cloud" || format == "csv";
    const auto formats = input_formats();
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
        throw UserError(path + ": unknown input format '" + format + "' (expected one of: " + join(input_formats()) + ")");
    if (cloud && metric == Metric::precomputed)
        throw UserError(path + ": a point cloud needs a metric (euclidean, cosine, correlation), not precomputed");
    if (!cloud && metric != Metric::precomputed && metric != Metric::euclidean)
        throw UserError(path + ": --metric " + metric_name(metric) + " applies to point clouds, but the format " +
                        format + " is already a distance matrix");
    RipsInput in;
    if (format == "binary") in = binary_lower(path);
    else if (format == "dipha") in = dipha(path);
    else {
        const auto rows = parse_rows(path, read_text_file(path), cloud, format == "lower-distance");
        if (rows.empty()) throw UserError(path + ": no numbers found (expected a " + format + " input)");
        if (cloud && (format_in.empty() || format_in == "auto") && looks_like_distance_matrix(rows)) {
            if (metric != Metric::euclidean)
                throw UserError(path + ": reads as a distance matrix, so --metric " + metric_name(metric) +
                                " does not apply (pass --format point-cloud to read it as points)");
            std::fprintf(stderr, "actopo: note: %s is square, symmetric with a zero diagonal: read as a distance "
                                 "matrix (pass --format point-cloud to read it as points)\n", path.c_str());
            in = full_from_rows(path, rows);
        } else if (cloud) {
            const std::size_t d = rows.front().values.size();
            Matrix m(rows.size(), d);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (rows[i].values.size() != d)
                    throw UserError(at(path, rows[i].line) + ": has " + std::to_string(rows[i].values.size()) +
                                    " coordinates, expected " + std::to_string(d) + " like row " +
                                    std::to_string(rows.front().line));
                for (std::size_t j = 0; j < d; ++j) m(i, j) = float(rows[i].values[j]);
            }
            return RipsInput::from_points(std::move(m), metric);
        }
        else if (format == "lower-distance") in = lower_from_rows(path, rows);
        else if (format == "upper-distance") in = upper_from_rows(path, rows);
        else if (format == "distance") in = full_from_rows(path, rows);
        else in = sparse_from_rows(path, rows);
    }
    warn_if_not_metric(path, in);
    return in;
}

}  // namespace actopo
