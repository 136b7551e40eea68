// Benchmark suite "mapper": actopo's Mapper beside python3-gudhi's cover complex (the Mapper a user of
// GUDHI would run) on the same points, lens, cover and clustering; the 1e5-points-in-R^64 target.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "actopo/mapper.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

namespace fs = std::filesystem;

/// Activation-like data: 10 clusters, each a random 8-dimensional Gaussian sheet in R^64, plus noise.
PointCloud make_points(std::size_t n, std::uint64_t seed) {
    const std::size_t dims = 64, inner = 8, k = 10;
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 1);
    std::vector<std::vector<double>> centre(k, std::vector<double>(dims)), basis(k, std::vector<double>(dims * inner));
    for (std::size_t c = 0; c < k; ++c) {
        for (auto& v : centre[c]) v = 4.0 * g(rng);
        for (auto& v : basis[c]) v = g(rng) / std::sqrt(double(inner));
    }
    PointCloud cloud;
    cloud.points = Matrix(n, dims);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = i % k;
        double z[inner];
        for (auto& v : z) v = g(rng);
        for (std::size_t d = 0; d < dims; ++d) {
            double x = centre[c][d] + 0.1 * g(rng);
            for (std::size_t j = 0; j < inner; ++j) x += basis[c][d * inner + j] * z[j];
            cloud.points(i, d) = float(x);
        }
        cloud.labels.push_back(std::int64_t(c));
        cloud.predictions.push_back(std::int64_t(c));
        cloud.input_ids.push_back(std::int64_t(i));
    }
    cloud.description = "bench " + std::to_string(n) + " pts";
    return cloud;
}

std::string find_oracle() {
    for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / "tests" / "mapper" / "gudhi_mapper.py")) return (p / "tests" / "mapper" / "gudhi_mapper.py").string();
        if (p == p.root_path()) break;
    }
    return "";
}

/// CPU seconds (user + system, all threads) this process has used so far.
struct Row {
    std::string tool, clusterer;
    std::size_t n = 0, nodes = 0, links = 0;
    double seconds = 0, peak_mib = 0, cpu = 0;  // cpu: CPU seconds per run (ours), all threads
    std::string note;
};

void run_suite(const Context& ctx) {
    const double eps = 6.0, gain = 0.3;
    const std::size_t intervals = 10;
    std::vector<Row> rows;
    auto ours = [&](const PointCloud& c, mapper::ClustererKind kind, double fixed_eps, const std::string& name) {
        auto lens = mapper::compute_lens("l2norm", c, {});
        mapper::MapperOptions o;
        o.cover.intervals = intervals;
        o.cover.overlap = gain;
        o.cluster.kind = kind;
        o.cluster.eps = fixed_eps;
        o.cluster.min_samples = fixed_eps > 0 ? 1 : 5;
        mapper::Graph g;
        const double cpu0 = cpu_seconds();
        auto t = time_runs(ctx.repetitions, [&] { g = mapper::build_graph(c, lens, o); });
        const double cpu = (cpu_seconds() - cpu0) / double(t.seconds.size() + (ctx.repetitions > 1 ? 1 : 0));
        rows.push_back({"actopo", name, c.points.rows, g.nodes.size(), g.links.size(), t.median(), peak_rss_mib(), cpu,
                        "load average " + load_average()});
        std::fprintf(stderr, "  actopo %s n=%zu: %.3f s, %zu nodes\n", name.c_str(), c.points.rows, t.median(), g.nodes.size());
    };
    const std::string oracle = find_oracle();
    const auto dir = fs::temp_directory_path() / ("actopo-bench-mapper-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (std::size_t n : {std::size_t(1000), std::size_t(3000)}) {
        auto c = make_points(n, 7);
        ours(c, mapper::ClustererKind::single_linkage, eps, "single-linkage eps=6");
        if (oracle.empty()) {
            rows.push_back({"gudhi", "rips components eps=6", n, 0, 0, 0, 0, 0, "tests/mapper/gudhi_mapper.py not found"});
            continue;
        }
        auto lens = mapper::compute_lens("l2norm", c, {});
        {
            std::ofstream p(dir / "points.csv"), l(dir / "lens.txt");
            p.precision(9);
            l.precision(17);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t d = 0; d < c.points.cols; ++d) p << (d ? "," : "") << c.points(i, d);
                p << "\n" ;
                l << lens.values[i] << "\n";
            }
        }
        std::vector<double> secs;
        Row r{"gudhi", "rips components eps=6", n, 0, 0, 0, 0, 0, ""};
        for (int rep = 0; rep < std::max(1, ctx.repetitions / 2); ++rep) {
            auto run = run_external("/usr/bin/python3 " + oracle + " " + (dir / "points.csv").string() + " " +
                                    (dir / "lens.txt").string() + " " + std::to_string(intervals) + " " +
                                    std::to_string(gain) + " " + std::to_string(eps) + " 2>/dev/null");
            if (run.status != 0) {
                r.note = "python3-gudhi failed (exit " + std::to_string(run.status) + ")";
                break;
            }
            auto j = nlohmann::json::parse(run.output);
            secs.push_back(j["seconds"].get<double>());
            r.nodes = j["nodes"].size();
            r.links = j["edges"].size();
            r.peak_mib = std::max(r.peak_mib, run.peak_mib);
        }
        if (!secs.empty()) {
            std::sort(secs.begin(), secs.end());
            r.seconds = secs[secs.size() / 2];
            r.note = "GUDHI call time only (python start and file reading excluded)";
        }
        std::fprintf(stderr, "  gudhi n=%zu: %.3f s, %zu nodes\n", n, r.seconds, r.nodes);
        rows.push_back(r);
    }
    if (!std::getenv("ACTOPO_BENCH_KEEP")) fs::remove_all(dir);
    if (std::getenv("ACTOPO_BENCH_SMALL")) return;
    auto big = make_points(100000, 7);
    ours(big, mapper::ClustererKind::dbscan, 0, "dbscan default eps");
    ours(big, mapper::ClustererKind::single_linkage, eps, "single-linkage eps=6");

    std::ostringstream csv, md;
    csv << "tool,clusterer,n,nodes,links,median_seconds,cpu_seconds,peak_mib,note\n";
    for (const auto& r : rows)
        csv << r.tool << ',' << r.clusterer << ',' << r.n << ',' << r.nodes << ',' << r.links << ',' << r.seconds << ','
            << r.cpu << ',' << r.peak_mib << ",\"" << r.note << "\"\n";
    md << "# Mapper benchmark\n\n" << machine_description() << "; " << ctx.repetitions
       << " repetitions (median). Data: 10 clusters, each a random 8-dimensional Gaussian sheet in R^64 plus noise; lens "
          "l2 norm; 10 intervals, overlap 0.3. GUDHI: python3-gudhi CoverComplex (Nerve, Rips graph d <= eps, "
          "components per cover set) = actopo single linkage cut at eps (the same graph, tests/mapper).\n\n"
       << "The machine is shared: the load average is given with each of our rows, and 'cpu s' (CPU seconds of "
          "one run, all threads; / 2 = the wall time on an idle 2-core machine) does not depend on it. Peak MiB: "
          "ours is the bench process's peak so far, GUDHI's that of its python process.\n\n"
       << "| tool | clusterer | n | nodes | links | median s | cpu s | peak MiB | note |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows)
        md << "| " << r.tool << " | " << r.clusterer << " | " << r.n << " | " << r.nodes << " | " << r.links << " | "
           << r.seconds << " | " << (r.tool == "actopo" ? std::to_string(r.cpu) : std::string("-")) << " | " << r.peak_mib
           << " | " << r.note << " |\n";
    md << "\n";
    for (std::size_t i = 0; i + 1 < rows.size(); ++i)
        if (rows[i].tool == "actopo" && rows[i + 1].tool == "gudhi" && rows[i].n == rows[i + 1].n && rows[i].seconds > 0 &&
            rows[i + 1].seconds > 0)
            md << "- n = " << rows[i].n << ": GUDHI / actopo time = " << rows[i + 1].seconds / rows[i].seconds
               << (rows[i].nodes == rows[i + 1].nodes ? " (same node count)" : " (node counts differ!)") << "\n";
    for (const auto& r : rows)
        if (r.tool == "actopo" && r.n == 100000)
            md << "- target 1e5 points in R^64 <= 15 s (" << r.clusterer << "): " << r.seconds << " s wall ("
               << r.note << "), " << (r.seconds <= 15.0 ? "MET" : "NOT MET") << "; CPU " << r.cpu << " s = "
               << r.cpu / 2 << " s on 2 idle cores, " << (r.cpu / 2 <= 15.0 ? "met" : "not met") << " on an idle machine\n";
    write_text_file((fs::path(ctx.out_dir) / "mapper.csv").string(), csv.str(), true);
    write_text_file((fs::path(ctx.out_dir) / "mapper.md").string(), md.str(), true);
}

Registration reg{"mapper", "Mapper graph: actopo vs python3-gudhi CoverComplex; 1e5 points in R^64", run_suite};

}  // namespace
}  // namespace actopo::bench
