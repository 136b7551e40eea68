#pragma once
// Test helpers for the native engine: small readers for the ph-benchmarks files, the ripser executable
// and GUDHI (in-process) as oracles, and a diagram comparison up to float32 rounding.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <gudhi/Persistent_cohomology.h>
#include <gudhi/Rips_complex.h>
#include <gudhi/Simplex_tree.h>

#include "actopo/diagrams.hpp"

namespace native_test {

inline std::string bench_file(const std::string& name) {
    return std::string(ACTOPO_SOURCE_DIR) + "/datasets/ph-benchmarks/" + name;
}

/// Rows of numbers separated by spaces, tabs or commas (empty lines skipped).
inline std::vector<std::vector<double>> read_rows(const std::string& path) {
    std::ifstream f(path);
    REQUIRE(f.good());
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(f, line)) {
        for (char& c : line)
            if (c == ',') c = ' ';
        std::istringstream s(line);
        std::vector<double> row;
        double x;
        while (s >> x) row.push_back(x);
        if (!row.empty()) rows.push_back(row);
    }
    return rows;
}

/// A lower-triangular (rows of 1, 2, ... entries after an optional empty first row) or full distance matrix file.
inline actopo::RipsInput read_distance_file(const std::string& path) {
    auto rows = read_rows(path);
    std::vector<float> lower;
    bool full = !rows.empty() && rows[0].size() == rows.size();
    std::size_t n = full ? rows.size() : rows.size() + 1;
    for (std::size_t i = 1; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) lower.push_back(float(full ? rows[i][j] : rows[i - 1][j]));
    return actopo::RipsInput::from_lower(n, lower);
}

inline actopo::RipsInput read_point_file(const std::string& path) {
    auto rows = read_rows(path);
    actopo::Matrix m(rows.size(), rows.at(0).size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < m.cols; ++j) m(i, j) = float(rows[i].at(j));
    return actopo::RipsInput::from_points(m, actopo::Metric::euclidean);
}

/// Runs the ripser executable (`args` without the file) and parses its intervals.
inline actopo::Diagrams run_ripser(const std::string& program, const std::string& args, const std::string& file, int max_dim) {
    std::string cmd = program + " " + args + " --dim " + std::to_string(max_dim) + " '" + file + "' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    actopo::Diagrams d;
    d.dims.resize(std::size_t(max_dim) + 1);
    int dim = -1;
    char buf[4096];
    while (fgets(buf, sizeof buf, pipe)) {
        std::string line(buf);
        if (line.rfind("persistence intervals in dim ", 0) == 0) {
            dim = std::stoi(line.substr(29));
            d.dims.at(std::size_t(dim)).dim = dim;
        } else if (dim >= 0 && line.find('[') != std::string::npos) {
            auto open = line.find('['), comma = line.find(','), close = line.find(')');
            double birth = std::stod(line.substr(open + 1, comma - open - 1));
            std::string death = line.substr(comma + 1, close - comma - 1);
            bool inf = death.find_first_not_of(' ') == std::string::npos;
            d.dims[std::size_t(dim)].pairs.push_back({birth, inf ? std::numeric_limits<double>::infinity() : std::stod(death)});
        }
    }
    REQUIRE(pclose(pipe) == 0);
    REQUIRE(dim == max_dim);
    return d;
}

/// GUDHI's Rips persistent cohomology of the packed lower triangle, with threshold (may be +inf), over Z/p.
inline actopo::Diagrams run_gudhi(std::size_t n, const std::vector<float>& lower, double threshold, int max_dim, int p) {
    using ST = Gudhi::Simplex_tree<Gudhi::Simplex_tree_options_fast_persistence>;
    std::vector<std::vector<double>> dm(n);
    for (std::size_t i = 0, k = 0; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) dm[i].push_back(lower[k++]);
    Gudhi::rips_complex::Rips_complex<double> rips(dm, threshold);
    ST st;
    rips.create_complex(st, max_dim + 1);
    // persistence_dim_max = true: also H_k when the complex has no (k+1)-simplices (else GUDHI skips it)
    Gudhi::persistent_cohomology::Persistent_cohomology<ST, Gudhi::persistent_cohomology::Field_Zp> pc(st, true);
    pc.init_coefficients(p);
    pc.compute_persistent_cohomology(0.0);
    actopo::Diagrams d;
    d.dims.resize(std::size_t(max_dim) + 1);
    for (int k = 0; k <= max_dim; ++k) {
        d.dims[std::size_t(k)].dim = k;
        for (auto& iv : pc.intervals_in_dimension(k))
            if (iv.first < iv.second) d.dims[std::size_t(k)].pairs.push_back({iv.first, iv.second});
    }
    return d;
}

inline std::string describe(const actopo::Diagram& d) {
    std::ostringstream s;
    for (auto& p : d.pairs) s << "[" << p.birth << "," << p.death << ") ";
    return s.str();
}

/// Same multiset of pairs in every dimension, endpoints equal up to a relative `tol` (float32 rounding).
inline void require_same(const actopo::Diagrams& ours, const actopo::Diagrams& oracle, double tol = 2e-5) {
    REQUIRE(ours.dims.size() == oracle.dims.size());
    for (std::size_t k = 0; k < ours.dims.size(); ++k) {
        auto a = ours.dims[k].pairs, b = oracle.dims[k].pairs;
        auto less = [](const actopo::PersistencePair& x, const actopo::PersistencePair& y) {
            return x.birth < y.birth || (x.birth == y.birth && x.death < y.death);
        };
        std::sort(a.begin(), a.end(), less);
        std::sort(b.begin(), b.end(), less);
        INFO("dimension " << k << "\nours:   " << describe(ours.dims[k]) << "\noracle: " << describe(oracle.dims[k]));
        REQUIRE(a.size() == b.size());
        // Pairs sorted independently can swap order under rounding; match greedily within tolerance.
        std::vector<bool> used(b.size(), false);
        auto close = [&](double x, double y) {
            if (std::isinf(x) || std::isinf(y)) return x == y;
            return std::abs(x - y) <= tol * std::max(1.0, std::abs(y));
        };
        for (auto& p : a) {
            bool found = false;
            for (std::size_t i = 0; i < b.size() && !found; ++i)
                if (!used[i] && close(p.birth, b[i].birth) && close(p.death, b[i].death)) used[i] = found = true;
            INFO("unmatched pair [" << p.birth << "," << p.death << ")");
            REQUIRE(found);
        }
    }
}

inline void require_identical(const actopo::Diagrams& a, const actopo::Diagrams& b) {
    REQUIRE(a.dims.size() == b.dims.size());
    for (std::size_t k = 0; k < a.dims.size(); ++k) {
        REQUIRE(a.dims[k].pairs.size() == b.dims[k].pairs.size());
        for (std::size_t i = 0; i < a.dims[k].pairs.size(); ++i) {
            REQUIRE(a.dims[k].pairs[i].birth == b.dims[k].pairs[i].birth);
            REQUIRE(a.dims[k].pairs[i].death == b.dims[k].pairs[i].death);
        }
    }
}

}  // namespace native_test
