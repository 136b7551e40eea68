// `actopo bench --suite distances`: our diagram distances beside python3-gudhi (its exact bottleneck, the Hera
// bottleneck and Wasserstein it wraps) and a numpy sliced Wasserstein, on the same seeded random diagrams,
// in one run. Writes distances.md, distances.csv and distances.svg/.png (bar chart of the medians).
#include <cmath>
#include <cstdio>
#include <map>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "actopo/distances.hpp"
#include "actopo/plot.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

/// Births uniform in [0, 1), lifetimes l^2 with l uniform: many points near the diagonal, a few far.
Diagram random_diagram(std::mt19937_64& rng, std::size_t n) {
    std::uniform_real_distribution<double> u(0, 1);
    Diagram d;
    d.dim = 1;
    for (std::size_t i = 0; i < n; ++i) {
        double b = u(rng), l = u(rng);
        d.pairs.push_back({b, b + l * l});
    }
    return d;
}

void write_points(const Diagram& d, const std::string& path) {
    std::ofstream f(path);
    f.precision(17);
    for (const auto& p : d.pairs) f << p.birth << ' ' << p.death << '\n';
}

// Times gudhi on the same files inside one python process (import and reading not timed); prints
// "name median_seconds value" per line.
const char* kPython = R"PY(
import sys, time
import numpy as np
import gudhi, gudhi.hera
d, reps, matrix_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
A = np.loadtxt(d + "/a.txt"); B = np.loadtxt(d + "/b.txt")
def med(f, r=reps):
    ts = []; v = None
    for _ in range(r):
        t = time.perf_counter(); v = f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2], v
def sliced(a, b, M=50):
    pa = np.repeat(((a[:, 0] + a[:, 1]) / 2)[:, None], 2, 1); pb = np.repeat(((b[:, 0] + b[:, 1]) / 2)[:, None], 2, 1)
    u = np.vstack([a, pb]); v = np.vstack([b, pa]); s = 0.0
    for i in range(M):
        th = np.pi * (0.5 + i / M); w = np.array([np.cos(th), np.sin(th)])
        s += np.abs(np.sort(u @ w) - np.sort(v @ w)).sum()
    return s / M
for name, f in [("bottleneck_gudhi_exact", lambda: gudhi.bottleneck_distance(A, B)),
                ("bottleneck_hera_exact", lambda: gudhi.hera.bottleneck_distance(A, B, delta=0)),
                ("wasserstein1_hera_1pct", lambda: gudhi.hera.wasserstein_distance(A, B, order=1, internal_p=np.inf, delta=0.01)),
                ("sliced50_numpy", lambda: sliced(A, B))]:
    t, v = med(f); print(name, t, float(v), flush=True)
try:  # gudhi.representations imports scikit-learn; the classes below need none of it with explicit ranges
    import sklearn
except ImportError:
    import types
    class _B: pass
    class _T:
        def fit_transform(self, X, y=None, **kw): return self.fit(X, y).transform(X)
    def _m(name, **kw):
        m = types.ModuleType(name); m.__dict__.update(kw); sys.modules[name] = m; return m
    _u = lambda *a, **k: None
    _m("sklearn"); _m("sklearn.base", BaseEstimator=_B, TransformerMixin=_T); _m("sklearn.exceptions", NotFittedError=RuntimeError)
    _m("sklearn.preprocessing", MinMaxScaler=_B, MaxAbsScaler=_B, StandardScaler=_B)
    _pw = _m("sklearn.metrics.pairwise", pairwise_distances=_u)
    _m("sklearn.metrics", pairwise=_pw, pairwise_distances=_u, pairwise_kernels=_u, DistanceMetric=_B)
    _m("sklearn.neighbors", DistanceMetric=_B)
    try:
        import joblib
    except ImportError:
        _m("joblib", Parallel=_B, delayed=_u)
from gudhi.representations import BettiCurve, Landscape, PersistenceImage
lo, hi = A[:, 0].min(), A[:, 1].max(); maxp = (A[:, 1] - A[:, 0]).max(); blo, bhi = A[:, 0].min(), A[:, 0].max()
bw, pw = (bhi - blo) / 20, maxp / 20
for name, f in [("betti_gudhi", lambda: BettiCurve(resolution=100, sample_range=[lo, hi])(A).sum()),
                ("landscape_gudhi", lambda: Landscape(num_landscapes=5, resolution=100, sample_range=[lo, hi])(A).sum()),
                ("image_gudhi", lambda: PersistenceImage(bandwidth=maxp / 20, weight=lambda q: min(1.0, q[1] / maxp), resolution=[20, 20],
                                                         im_range=[blo + bw / 2, bhi - bw / 2, pw / 2, maxp - pw / 2])(A).sum())]:
    t, v = med(f); print(name, t, float(v), flush=True)
M = [np.loadtxt(d + "/m%d.txt" % i) for i in range(matrix_n)]
for name, f in [("matrix_bottleneck_gudhi", gudhi.bottleneck_distance),
                ("matrix_wasserstein1_hera", lambda x, y: gudhi.hera.wasserstein_distance(x, y, order=1, internal_p=np.inf, delta=0.01)),
                ("matrix_sliced50_numpy", sliced)]:
    t = time.perf_counter()
    for i in range(matrix_n):
        for j in range(i + 1, matrix_n): f(M[i], M[j])
    print(name, time.perf_counter() - t, 0.0, flush=True)
)PY";

struct Row {
    std::string chart, task, ours_label, theirs_label;  // chart: the short label under the bars
    double ours = 0, theirs = 0, ours_value = 0, theirs_value = 0, target = 0;
    std::vector<double> runs = {};  // every timed run of ours
};

/// The first three fields of /proc/loadavg ("1.23 0.98 0.75"), or "unknown".
void run(const Context& ctx) {
    namespace fs = std::filesystem;
    const std::size_t n = 5000, matrix_n = 100, matrix_points = 200;
    const int reps = std::max(1, ctx.repetitions);
    std::mt19937_64 rng(2026);
    const Diagram a = random_diagram(rng, n), b = random_diagram(rng, n);
    std::vector<Diagram> many;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < matrix_n; ++i) {
        many.push_back(random_diagram(rng, matrix_points));
        names.push_back("d" + std::to_string(i));
    }
    const fs::path dir = fs::temp_directory_path() / ("actopo_bench_distances_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_points(a, (dir / "a.txt").string());
    write_points(b, (dir / "b.txt").string());
    for (std::size_t i = 0; i < matrix_n; ++i) write_points(many[i], (dir / ("m" + std::to_string(i) + ".txt")).string());
    write_text_file((dir / "bench.py").string(), kPython, true);

    // gudhi first, in its own process
    const std::string load_start = load_average();
    std::fprintf(stderr, "bench distances: python3-gudhi...\n");
    ExternalRun ext = run_external("/usr/bin/python3 " + (dir / "bench.py").string() + " " + dir.string() + " " +
                                   std::to_string(reps) + " " + std::to_string(matrix_n));
    std::map<std::string, std::pair<double, double>> gudhi;
    std::istringstream lines(ext.output);
    for (std::string name; lines >> name;) {
        double t, v;
        if (lines >> t >> v) gudhi[name] = {t, v};
    }
    fs::remove_all(dir);
    auto theirs = [&](const std::string& key) {
        auto it = gudhi.find(key);
        return it == gudhi.end() ? std::make_pair(-1.0, 0.0) : it->second;
    };

    std::vector<Row> rows;
    auto measure = [&](const std::string& chart, const std::string& task, const std::string& label, double target, const std::string& key,
                       const std::string& their_label, const std::function<double()>& f) {
        double value = 0;
        Timing t = time_runs(reps, [&] { value = f(); });
        auto [ts, tv] = theirs(key);
        rows.push_back({chart, task, label, their_label, t.median(), ts, value, tv, target, t.seconds});
    };
    const std::string load_between = load_average();
    std::fprintf(stderr, "bench distances: actopo...\n");
    DistanceOptions o;
    measure("bottleneck vs gudhi", "bottleneck, two 5000-point diagrams", "actopo exact", 0.25, "bottleneck_gudhi_exact",
            "gudhi.bottleneck_distance (exact, CGAL)", [&] { return bottleneck_distance(a, b, o); });
    rows.push_back({"bottleneck vs hera", "bottleneck, two 5000-point diagrams", "actopo exact", "gudhi.hera.bottleneck_distance (delta=0)",
                    rows.back().ours, theirs("bottleneck_hera_exact").first, rows.back().ours_value,
                    theirs("bottleneck_hera_exact").second, 0.25, rows.back().runs});
    measure("W1 1%", "Wasserstein-1 (L-inf), 5000 points, 1% relative error", "actopo auction", 0.75, "wasserstein1_hera_1pct",
            "gudhi.hera.wasserstein_distance (delta=0.01)", [&] { return wasserstein_distance(a, b, o); });
    measure("sliced M=50", "sliced Wasserstein M=50, 5000 points", "actopo", 0.020, "sliced50_numpy",
            "numpy (papers.md definition)", [&] { return sliced_wasserstein_distance(a, b, o); });
    // summaries of one 5000-point diagram; values: the sum of the vector (landscape in GUDHI's sqrt 2 scale)
    auto vector_sum = [&](SummaryKind kind, double scale) {
        SummaryOptions so;
        so.samples = 100;
        so.levels = 5;
        so.resolution = 20;
        double sum = 0;
        const SummaryTable table = summarize({a}, kind, so);
        for (double v : table.values[0]) sum += v;
        return sum * scale;
    };
    measure("Betti curve", "Betti curve, 100 samples, 5000 points", "actopo", 0, "betti_gudhi",
            "gudhi.representations.BettiCurve", [&] { return vector_sum(SummaryKind::betti, 1); });
    measure("landscape", "landscape, 5 levels x 100 samples, 5000 points", "actopo", 0, "landscape_gudhi",
            "gudhi.representations.Landscape", [&] { return vector_sum(SummaryKind::landscape, std::sqrt(2.0)); });
    measure("image 20x20", "persistence image 20 x 20, 5000 points", "actopo", 0, "image_gudhi",
            "gudhi.representations.PersistenceImage", [&] { return vector_sum(SummaryKind::image, 1); });
    const std::pair<DiagramMetric, std::string> matrix_metrics[] = {
        {DiagramMetric::bottleneck, "matrix_bottleneck_gudhi"},
        {DiagramMetric::wasserstein, "matrix_wasserstein1_hera"},
        {DiagramMetric::sliced_wasserstein, "matrix_sliced50_numpy"}};
    for (const auto& [metric, key] : matrix_metrics) {
        double checksum = 0;
        Timing t = time_runs(1, [&] {
            NamedMatrix m = diagram_distance_matrix(names, many, metric, o, 0);
            checksum = 0;
            for (double v : m.values) checksum += v;
        });
        rows.push_back({"matrix " + diagram_metric_name(metric), "100 x 100 matrix of 200-point diagrams, " + diagram_metric_name(metric),
                        "actopo, all cores", "python loop, one core", t.median(), theirs(key).first, checksum, 0, 30, t.seconds});
    }

    const std::string load_end = load_average();
    std::ostringstream md, csv;
    md << "# Diagram distances: actopo vs GUDHI\n\n"
       << "Machine: " << machine_description() << ". Load average (1, 5, 15 min, /proc/loadavg): " << load_start
       << " before GUDHI, " << load_between << " before actopo, " << load_end << " at the end. Repetitions: " << reps
       << " (median; matrices once). Inputs: seeded random diagrams, births uniform in [0, 1), lifetimes l^2 with l "
          "uniform. GUDHI is python3-gudhi " "timed inside one python process (import and file reading not timed). "
          "The machine is shared: other jobs inflate every time alike.\n\n"
       << "| task | ours | seconds (median) | our runs (s) | other tool | seconds | ratio (them / us) | our value | their value | target (s) | met |\n"
       << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    csv << "task,ours,ours_s,other,other_s,ratio,our_value,their_value,target_s,met,load_before_gudhi,load_before_ours,load_end\n";
    std::vector<std::string> misses;
    std::vector<std::string> categories;
    Series ours_series{"actopo", {}}, theirs_series{"GUDHI / numpy", {}};
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const Row& r = rows[k];
        const bool first_of_task = k == 0 || rows[k - 1].task != r.task;
        const bool has_target = r.target > 0, met = !has_target || r.ours <= r.target;
        if (first_of_task && !met) misses.push_back(r.task + ": " + format_fixed(r.ours, 3) + " s > " + format_fixed(r.target, 3) + " s");
        std::string their_s = r.theirs < 0 ? "failed" : format_fixed(r.theirs, 4);
        std::string ratio = r.theirs < 0 ? "-" : format_fixed(r.theirs / std::max(r.ours, 1e-9), 2);
        std::string their_v = r.task.rfind("100 x 100", 0) == 0 ? "-" : format_fixed(r.theirs_value, 8);
        std::string our_v = r.task.rfind("100 x 100", 0) == 0 ? "sum " + format_fixed(r.ours_value, 4) : format_fixed(r.ours_value, 8);
        std::vector<std::string> runs;
        for (double x : r.runs) runs.push_back(format_fixed(x, 3));
        md << "| " << r.task << " | " << r.ours_label << " | " << format_fixed(r.ours, 4) << " | " << join(runs, " ") << " | "
           << r.theirs_label << " | "
           << their_s << " | " << ratio << " | " << our_v << " | " << their_v << " | " << (has_target ? format_fixed(r.target, 3) : "-") << " | "
           << (has_target ? (met ? "yes" : "**no**") : "-") << " |\n";
        csv << '"' << r.task << "\",\"" << r.ours_label << "\"," << r.ours << ",\"" << r.theirs_label << "\","
            << r.theirs << ',' << (r.theirs < 0 ? 0.0 : r.theirs / std::max(r.ours, 1e-9)) << ',' << r.ours_value << ','
            << r.theirs_value << ',' << r.target << ',' << (met ? 1 : 0) << ',' << load_start << ',' << load_between << ','
            << load_end << '\n';
        categories.push_back(r.chart);
        ours_series.y.push_back(r.ours);
        theirs_series.y.push_back(r.theirs < 0 ? NAN : r.theirs);
    }
    md << "\nSummaries (no target in the issue): the value is the sum of the vector on the same grid or image range on "
          "both sides (our landscape times sqrt 2, GUDHI's scale), so equal values mean equal vectors up to rounding. "
          "The matrices are timed once; their value is the sum of our matrix.\n";
    md << "\n## Targets\n\n"
       << (misses.empty() ? std::string("All targets met.\n") : "Not met:\n\n- " + join(misses, "\n- ") + "\n")
       << "\nThe auction's result is guaranteed within 1 % above the optimum (epsilon scaling stops once "
          "(1 + delta) N eps <= delta cost); Hera's delta is the same kind of bound. Bottleneck values are exact on both "
          "sides and must agree to rounding. Exact command: `actopo bench --suite distances -o " << ctx.out_dir << "`.\n";
    if (ext.status != 0) md << "\npython3-gudhi failed (exit " << ext.status << "): " << ext.output.substr(0, 400) << "\n";
    write_text_file(ctx.out_dir + "/distances.md", md.str(), true);
    write_text_file(ctx.out_dir + "/distances.csv", csv.str(), true);
    ChartOptions chart;
    chart.title = "Diagram distances: seconds (median), actopo vs GUDHI / numpy";
    chart.bars = true;
    chart.log_y = true;
    chart.y_label = "seconds";
    chart.categories = categories;
    write_chart({ours_series, theirs_series}, chart, ctx.out_dir + "/distances", true);
    std::fprintf(stderr, "bench distances: wrote %s/distances.md\n", ctx.out_dir.c_str());
}

Registration reg{"distances", "bottleneck, Wasserstein, sliced Wasserstein and matrices vs python3-gudhi", run};

}  // namespace
}  // namespace actopo::bench
