// `actopo bench --suite persistence`: the native engine (2 threads and 1 thread) against the ripser
// executable and GUDHI (in-process) on the inputs of the Ripser literature. Every run happens in a child
// process (native and GUDHI: fork; ripser: run_external) so that wall time and peak RSS are comparable.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

#include <gudhi/Persistent_cohomology.h>
#include <gudhi/Rips_complex.h>
#include <gudhi/Simplex_tree.h>
#include <gudhi/Sparse_rips_complex.h>

#include "actopo/core.hpp"
#include "actopo/distances.hpp"
#include "actopo/native.hpp"
#include "actopo/persistence.hpp"
#include "actopo/sample.hpp"
#include "actopo/store.hpp"
#include "bench.hpp"

namespace actopo::bench {
namespace {

struct Case {
    std::string name, path, format;
    int dim;
    std::optional<double> threshold;
    bool gudhi;  // GUDHI finishes in reasonable time (one repetition)
};

double resident_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

/// Wall time and output of work() run in a forked child. Its peak memory is measured from the child's
/// start: the peak RSS is reset there (/proc/self/clear_refs) and the pages inherited from this process
/// (LibTorch and the rest of the actopo program) are subtracted, so the figure is what the computation
/// itself needs (reading the input included), comparable to ripser's whole-process peak.
ExternalRun run_in_child(const std::function<std::string()>& work) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        int code = 0;
        std::string out;
        try {
            std::ofstream("/proc/self/clear_refs") << "5";
            double baseline = resident_mib();
            out = work();
            out = std::to_string(peak_rss_mib() - baseline) + "\n" + out;
        } catch (const std::exception& e) {
            out = std::string("error: ") + e.what();
            code = 1;
        }
        if (write(fds[1], out.data(), out.size()) < 0) code = 2;
        _exit(code);
    }
    close(fds[1]);
    ExternalRun r;
    char buf[4096];
    ssize_t k;
    while ((k = read(fds[0], buf, sizeof buf)) > 0) r.output.append(buf, std::size_t(k));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r.status != 0) throw std::runtime_error("benchmark child failed: " + r.output);
    auto newline = r.output.find('\n');
    r.peak_mib = std::stod(r.output.substr(0, newline));
    r.output = r.output.substr(newline + 1);
    return r;
}

/// "n0 n1 n2": pairs per dimension (for the cross-check of the tools).
std::string pair_counts(const Diagrams& d) {
    std::string s;
    for (const auto& dim : d.dims) s += (s.empty() ? "" : " ") + std::to_string(dim.pairs.size());
    return s;
}

std::string ripser_pair_counts(const std::string& output) {
    std::vector<int> counts;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("persistence intervals in dim", 0) == 0) counts.push_back(0);
        else if (!counts.empty() && line.find('[') != std::string::npos) ++counts.back();
    std::string s;
    for (int c : counts) s += (s.empty() ? "" : " ") + std::to_string(c);
    return s;
}

RipsInput load(const Case& c) { return read_rips_input(c.path, c.format, Metric::euclidean); }

/// representatives: also the representatives (cocycles, H1 loops) of this many longest classes per dimension.
ExternalRun native_run(const Case& c, int threads, std::size_t representatives = 0) {
    return run_in_child([&] {
        RipsOptions o;
        o.max_dim = c.dim;
        o.threshold = c.threshold;
        o.threads = threads;
        o.representatives = representatives;
        return pair_counts(native::compute(load(c), o));
    });
}

ExternalRun gudhi_run(const Case& c) {
    return run_in_child([&] {
        using ST = Gudhi::Simplex_tree<Gudhi::Simplex_tree_options_fast_persistence>;
        RipsInput in = load(c);
        std::vector<std::vector<double>> dm(in.n);
        auto lower = in.lower_triangle();
        for (std::size_t i = 0, k = 0; i < in.n; ++i)
            for (std::size_t j = 0; j < i; ++j) dm[i].push_back(lower[k++]);
        Gudhi::rips_complex::Rips_complex<double> rips(dm, c.threshold ? *c.threshold : in.enclosing_radius());
        ST st;
        rips.create_complex(st, c.dim + 1);
        Gudhi::persistent_cohomology::Persistent_cohomology<ST, Gudhi::persistent_cohomology::Field_Zp> pc(st);
        pc.init_coefficients(2);
        pc.compute_persistent_cohomology(0.0);
        return std::string();
    });
}

/// Sparse Rips (issue 17): native and GUDHI's sparse Rips at the same eps, each diagram's bottleneck distance to the
/// exact one (native) in log scale, where that one is computed.
struct SparseCase {
    std::string name;
    std::function<std::string()> make;  // writes the input, returns its path
    int dim;
    double eps;
    bool exact;          // the exact diagram is computed (minutes on the largest inputs: --long)
    std::string gudhi;   // why GUDHI's sparse Rips is skipped ("": it runs)
    std::string path = {};
};

/// The diagrams as text: "edges E" (or "-") on the first line, then "dim birth death" per pair (9 digits).
std::string diagram_text(const Diagrams& d, const std::string& edges) {
    std::string out = edges + "\n";
    char line[96];
    for (const auto& dim : d.dims)
        for (const auto& p : dim.pairs) {
            std::snprintf(line, sizeof line, "%d %.9g %.9g\n", dim.dim, p.birth, p.death);
            out += line;
        }
    return out;
}

Diagrams parse_diagram_text(const std::string& text, int max_dim, std::string& edges) {
    Diagrams d;
    for (int k = 0; k <= max_dim; ++k) d.dims.push_back(Diagram{k, {}});
    std::istringstream in(text);
    std::getline(in, edges);
    int dim;
    std::string birth, death;
    while (in >> dim >> birth >> death) d.dims.at(std::size_t(dim)).pairs.push_back({std::stod(birth), std::stod(death)});
    return d;
}

/// The bottleneck distance between the diagrams with every value replaced by its logarithm (the sparse Rips bound is
/// log(1/(1 - eps)) there). H0 (births 0, log -inf): the finite deaths pair up in sorted order; +inf when the
/// counts differ.
double log_bottleneck(const Diagrams& a, const Diagrams& b) {
    double worst = 0;
    for (std::size_t k = 0; k < a.dims.size() && k < b.dims.size(); ++k) {
        if (k == 0) {
            std::vector<double> da, db;
            for (const auto& p : a.dims[0].pairs) da.push_back(std::log(p.death));
            for (const auto& p : b.dims[0].pairs) db.push_back(std::log(p.death));
            if (da.size() != db.size()) return std::numeric_limits<double>::infinity();
            std::sort(da.begin(), da.end());
            std::sort(db.begin(), db.end());
            for (std::size_t i = 0; i < da.size(); ++i)
                if (da[i] != db[i]) worst = std::max(worst, std::abs(da[i] - db[i]));
            continue;
        }
        auto logged = [](Diagram d) {
            for (auto& p : d.pairs) p = {std::log(p.birth), std::log(p.death)};
            return d;
        };
        worst = std::max(worst, bottleneck_distance(logged(a.dims[k]), logged(b.dims[k])));
    }
    return worst;
}

/// native::compute in a child, 2 threads; eps 0: the exact diagram.
ExternalRun native_sparse_run(const SparseCase& c, double eps) {
    return run_in_child([&] {
        RipsOptions o;
        o.max_dim = c.dim;
        o.threads = 2;
        o.sparse_epsilon = eps;
        const Diagrams d = native::compute(read_rips_input(c.path, "point-cloud", Metric::euclidean), o);
        return diagram_text(d, d.meta.at("edges"));
    });
}

/// GUDHI's sparse Rips complex (not cut, as the gudhi backend builds it without a threshold), its persistent
/// cohomology over Z/2; "edges" counts its edges.
ExternalRun gudhi_sparse_run(const SparseCase& c) {
    return run_in_child([&] {
        using ST = Gudhi::Simplex_tree<Gudhi::Simplex_tree_options_fast_persistence>;
        const RipsInput in = read_rips_input(c.path, "point-cloud", Metric::euclidean);
        std::vector<int> vertices(in.n);
        for (std::size_t v = 0; v < in.n; ++v) vertices[v] = int(v);
        auto distance = [&in](int a, int b) { return double(float(in.distance(std::size_t(a), std::size_t(b)))); };
        Gudhi::rips_complex::Sparse_rips_complex<double> complex(vertices, distance, c.eps);
        ST st;
        complex.create_complex(st, c.dim + 1);
        std::size_t edges = 0;
        for (auto sh : st.skeleton_simplex_range(1)) edges += st.dimension(sh) == 1;
        Gudhi::persistent_cohomology::Persistent_cohomology<ST, Gudhi::persistent_cohomology::Field_Zp> pc(st, true);
        pc.init_coefficients(2);
        pc.compute_persistent_cohomology(0.0);
        Diagrams d;
        for (int k = 0; k <= c.dim; ++k) {
            d.dims.push_back(Diagram{k, {}});
            for (const auto& [b, dth] : pc.intervals_in_dimension(k))
                if (b < dth) d.dims.back().pairs.push_back({b, dth});
        }
        return diagram_text(d, std::to_string(edges));
    });
}

struct Measured {
    std::vector<double> seconds;
    double peak_mib = 0;
    std::string counts;
    double median() const { return Timing{seconds}.median(); }
};

Measured repeat(int reps, const std::function<ExternalRun()>& once, const std::function<std::string(const ExternalRun&)>& counts) {
    Measured m;
    for (int r = 0; r < reps; ++r) {
        throw_if_cancelled();
        ExternalRun run = once();
        m.seconds.push_back(run.seconds);
        m.peak_mib = std::max(m.peak_mib, run.peak_mib);
        m.counts = counts(run);
    }
    return m;
}

/// A generated point-cloud file, actopo-bench-<stem>-<pid>.txt in the temporary folder: write(f) puts its rows
/// into f (9 significant digits), so that every tool reads the same numbers. Returns its path.
template <class Write>
std::string cloud_file(const std::string& stem, Write&& write) {
    const auto path = std::filesystem::temp_directory_path() / ("actopo-bench-" + stem + "-" + std::to_string(getpid()) + ".txt");
    std::ofstream f(path);
    f.precision(9);
    write(f);
    return path.string();
}

/// A seeded Gaussian cloud.
std::string gaussian_file(std::size_t n, std::size_t d, std::uint64_t seed) {
    return cloud_file("gaussian-" + std::to_string(n), [&](std::ofstream& f) {
        std::mt19937_64 rng(seed);
        std::normal_distribution<float> g;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < d; ++j) f << g(rng) << (j + 1 < d ? ' ' : '\n');
    });
}

/// A seeded activation-like cloud: n points of a rank-16 Gaussian mapped into d dimensions, plus noise,
/// through a ReLU (sparse non-negative coordinates on a low-dimensional set, as a hidden layer's).
std::string relu_file(std::size_t n, std::size_t d, std::uint64_t seed) {
    return cloud_file("relu-" + std::to_string(n), [&](std::ofstream& f) {
        std::mt19937_64 rng(seed);
        std::normal_distribution<float> g;
        std::vector<float> mix(16 * d), z(16);
        for (auto& w : mix) w = g(rng);
        for (std::size_t i = 0; i < n; ++i) {
            for (auto& x : z) x = g(rng);
            for (std::size_t j = 0; j < d; ++j) {
                float x = 0.3f * g(rng);
                for (std::size_t k = 0; k < 16; ++k) x += z[k] * mix[k * d + j];
                f << std::max(0.0f, x) << (j + 1 < d ? ' ' : '\n');
            }
        }
    });
}

/// A seeded noisy torus in R^3 (radii 2 and 1, noise 0.1): H2 at the enclosing radius has a giant complex.
std::string torus_file(std::size_t n, std::uint64_t seed) {
    return cloud_file("torus-" + std::to_string(n) + "-" + std::to_string(seed), [&](std::ofstream& f) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<float> angle(0, 6.2831853f);
        std::normal_distribution<float> noise(0, 0.1f);
        for (std::size_t i = 0; i < n; ++i) {
            const float a = angle(rng), b = angle(rng);
            f << (2 + std::cos(a)) * std::cos(b) + noise(rng) << ' ' << (2 + std::cos(a)) * std::sin(b) + noise(rng) << ' '
              << std::sin(a) + noise(rng) << '\n';
        }
    });
}

/// A seeded noisy unit sphere in R^3 (noise 0.05): H2's void is one giant column (tens of millions of heap entries).
std::string sphere_file(std::size_t n, std::uint64_t seed) {
    return cloud_file("sphere-" + std::to_string(n) + "-" + std::to_string(seed), [&](std::ofstream& f) {
        std::mt19937_64 rng(seed);
        std::normal_distribution<float> g;
        for (std::size_t i = 0; i < n; ++i) {
            const float x = g(rng), y = g(rng), z = g(rng), r = std::sqrt(x * x + y * y + z * z);
            f << x / r + 0.05f * g(rng) << ' ' << y / r + 0.05f * g(rng) << ' ' << z / r + 0.05f * g(rng) << '\n';
        }
    });
}

/// The distance below which `fraction` of the pairs lie, from the pairs of 200 seeded rows (rounded to 4 digits).
double distance_quantile(const std::string& path, double fraction) {
    const RipsInput in = read_rips_input(path, "point-cloud", Metric::euclidean);
    std::mt19937_64 rng(7);
    std::vector<double> d;
    for (int r = 0; r < 200; ++r) {
        const std::size_t i = rng() % in.n;
        for (std::size_t j = 0; j < in.n; ++j)
            if (j != i) d.push_back(in.distance(i, j));
    }
    std::nth_element(d.begin(), d.begin() + long(fraction * double(d.size())), d.end());
    return std::round(d[std::size_t(fraction * double(d.size()))] * 1e3) / 1e3;
}

/// The activation cloud of a trained CNN layer, made by this program from Debian's Fashion-MNIST (nothing
/// downloaded): `actopo train` (seeded) and `actopo extract` in child processes, then sample_layer. Cached
/// under <out>/.cache/cnn-cloud/<key>/, the key a hash of the recipe and the toolkit version, so a changed
/// recipe makes a new cloud; cloud.txt appears (renamed into place) only once it is complete.
struct CnnCloud {
    std::string path, description;
    double make_seconds = -1;  // -1: taken from the cache
};

constexpr const char* kCnnTrain = "--arch cnn --widths 8,16,64 --epochs 2 --limit 20000 --lr 0.002 --batch 64 --seed 1 --threads 1";
constexpr const char* kCnnExtract = "--dataset fashion-mnist:test --limit 2000 --layers relu3 --threads 1";
constexpr const char* kCnnLayer = "relu3";

CnnCloud cnn_cloud(const Context& ctx) {
    namespace fs = std::filesystem;
    const std::string recipe = "actopo " + version() + "\ntrain " + kCnnTrain + "\nextract " + kCnnExtract + "\nsample " +
                               kCnnLayer + " flatten, every input, no PCA, no standardisation\nwrite 9 significant digits\n";
    const fs::path dir = fs::path(ctx.out_dir) / ".cache" / "cnn-cloud" / sha256_string(recipe).substr(0, 16);
    CnnCloud c;
    c.path = (dir / "cloud.txt").string();
    const std::string model = (dir / "cnn.pt").string(), store_path = (dir / "activations.h5").string();
    // the description names the model's accuracy on these 2000 inputs, read back from the store
    auto describe = [&] {
        StoreReader store(store_path);
        const auto labels = store.labels(), predictions = store.predictions();
        std::size_t right = 0;
        for (std::size_t i = 0; i < labels.size() && i < predictions.size(); ++i) right += labels[i] == predictions[i];
        c.description = std::string("`actopo train ") + kCnnTrain + "` (" + format_fixed(100.0 * double(right) / double(labels.size()), 1) +
                        "% accuracy on these inputs); layer " + kCnnLayer +
                        " (fc1 after its ReLU, the last hidden layer) of the first 2000 Fashion-MNIST test inputs (`actopo extract " +
                        kCnnExtract + "`), sampling flatten: one 64-dim point per input, no PCA, no standardisation";
    };
    if (fs::exists(c.path) && fs::exists(store_path)) {
        if (!quiet()) std::cerr << "persistence: CNN activation cloud from the cache " << c.path << "\n";
        describe();
        return c;
    }
    fs::create_directories(dir);
    const auto start = std::chrono::steady_clock::now();
    const std::string self = actopo_executable(), q = quiet() ? " -q" : "";
    const std::vector<std::pair<std::string, std::string>> steps{
        {"training the reference CNN", self + " train " + kCnnTrain + q + " --force -o '" + model + "'"},
        {"extracting its activations", self + " extract --model '" + model + "' " + kCnnExtract + q + " --force -o '" + store_path + "'"}};
    for (const auto& [what, command] : steps) {
        if (!quiet()) std::cerr << "persistence: making the CNN activation cloud: " << what << " (" << command << ")\n";
        if (std::system(command.c_str()) != 0) throw UserError("bench persistence: making the CNN activation cloud failed: " + command);
        throw_if_cancelled();
    }
    SampleOptions so;
    so.method = Sampling::flatten;
    PointCloud pc = sample_layer(StoreReader(store_path), kCnnLayer, so);
    if (pc.points.rows != 2000)
        throw UserError("bench persistence: " + store_path + " layer " + kCnnLayer + " gave " + std::to_string(pc.points.rows) +
                        " points, expected 2000");
    const std::string tmp = c.path + ".tmp";
    {
        std::ofstream f(tmp);
        f.precision(9);
        for (std::size_t i = 0; i < pc.points.rows; ++i)
            for (std::size_t j = 0; j < pc.points.cols; ++j)
                f << pc.points.data[i * pc.points.cols + j] << (j + 1 < pc.points.cols ? ' ' : '\n');
        if (!f) throw UserError("bench persistence: cannot write " + tmp);
    }
    write_text_file((dir / "recipe.txt").string(), recipe, true);
    fs::rename(tmp, c.path);
    c.make_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    describe();
    if (!quiet()) std::cerr << "persistence: CNN activation cloud written to " << c.path << " (" << format_fixed(c.make_seconds, 1) << " s)\n";
    return c;
}

/// The sparse Rips rows; their inputs are made when they run (--only "sparse" selects them all).
std::vector<SparseCase> sparse_cases(const Context& ctx) {
    const std::string high = "skipped: in 64 dimensions every pair is an edge, billions of triangles";
    return {
        {"sparse torus 700 dim 2 eps 0.5 (seed 47)", [] { return torus_file(700, 47); }, 2, 0.5, true, ""},
        {"sparse torus 1500 dim 2 eps 0.5 (seed 46)", [] { return torus_file(1500, 46); }, 2, 0.5, ctx.long_inputs, ""},
        {"sparse gaussian 3000x64 dim 1 eps 0.5 (seed 43)", [] { return gaussian_file(3000, 64, 43); }, 1, 0.5, true, high},
        {"sparse relu-like 10000x64 dim 1 eps 0.5 (seed 45)", [] { return relu_file(10000, 64, 45); }, 1, 0.5, ctx.long_inputs, high},
    };
}

/// Runs the sparse rows: native (2 threads, `reps` times), GUDHI's sparse Rips once, the exact diagram once; the
/// markdown section and csv rows.
std::string sparse_section(std::vector<SparseCase>& cases, int reps, std::ostringstream& csv) {
    if (cases.empty()) return "";
    std::ostringstream md;
    md << "\n## Sparse Rips\n\nNative sparse Rips (2 threads, median of " << reps
       << ") beside GUDHI's sparse Rips complex (one run, not cut, as the gudhi backend builds it) at the same eps, "
          "and the exact diagram (native, 2 threads, one run). Edges: of the filtration (native: within the value where "
          "it becomes a cone; exact: within the enclosing radius; GUDHI: all of its complex). log-bottleneck: the "
          "bottleneck distance between the log-scaled diagrams and the exact one, whose bound is log(1/(1 - eps)) "
          "(0.693 at eps 0.5).\n\n"
       << "| input | native sparse (s) | peak MiB | edges | GUDHI sparse (s) | peak MiB | edges | exact native (s) | peak MiB "
          "| edges | log-bottleneck native / GUDHI |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (SparseCase& c : cases) {
        if (!quiet()) std::cerr << "persistence: " << c.name << "\n";
        c.path = c.make();
        std::string edges, gudhi_edges, exact_edges;
        Diagrams ours, theirs, exact;
        Measured native = repeat(reps, [&] { return native_sparse_run(c, c.eps); },
                                 [&](const ExternalRun& r) {
                                     ours = parse_diagram_text(r.output, c.dim, edges);
                                     return pair_counts(ours);
                                 });
        std::optional<Measured> gud, ex;
        if (c.gudhi.empty())
            gud = repeat(1, [&] { return gudhi_sparse_run(c); }, [&](const ExternalRun& r) {
                theirs = parse_diagram_text(r.output, c.dim, gudhi_edges);
                return pair_counts(theirs);
            });
        if (c.exact)
            ex = repeat(1, [&] { return native_sparse_run(c, 0); }, [&](const ExternalRun& r) {
                exact = parse_diagram_text(r.output, c.dim, exact_edges);
                return pair_counts(exact);
            });
        std::filesystem::remove(c.path);
        for (const auto& [tool, m] : {std::pair<std::string, std::optional<Measured>>{"native sparse", native},
                                      {"gudhi sparse", gud}, {"native exact", ex}})
            if (m)
                csv << '"' << c.name << "\"," << tool << ',' << (tool == "gudhi sparse" ? 1 : 2) << ',' << format_fixed(m->median(), 4) << ','
                    << format_fixed(*std::min_element(m->seconds.begin(), m->seconds.end()), 4) << ','
                    << format_fixed(*std::max_element(m->seconds.begin(), m->seconds.end()), 4) << ',' << format_fixed(m->peak_mib, 1)
                    << ",\"" << m->counts << "\"\n";
        auto cell = [](const std::optional<Measured>& m, const std::string& e, const std::string& why) {
            return m ? format_fixed(m->median()) + " | " + format_fixed(m->peak_mib, 0) + " | " + e : why + " | | ";
        };
        md << "| " << c.name << " | " << cell(native, edges, "") << " | " << cell(gud, gudhi_edges, c.gudhi) << " | "
           << cell(ex, exact_edges, "skipped: minutes (--long)") << " | "
           << (ex ? format_fixed(log_bottleneck(ours, exact)) + " / " + (gud ? format_fixed(log_bottleneck(theirs, exact)) : std::string("-"))
                  : std::string("-"))
           << " |\n";
    }
    return md.str();
}

void run_suite(const Context& ctx) {
    const std::string load_before = load_average();
    const std::string dir = ctx.data_dir + "/ph-benchmarks/";
    // --only: the inputs whose name starts with it; the generated ones are made only when they run
    auto wanted = [&](const std::string& name) { return ctx.only.empty() || name.rfind(ctx.only, 0) == 0; };
    std::vector<Case> cases{
        {"sphere_3_192 dim 2", dir + "sphere_3_192.lower_distance_matrix", "lower-distance", 2, std::nullopt, false},
        {"o3_1024 dim 3 t 1.8", dir + "o3_1024.txt", "point-cloud", 3, 1.8, true},
        {"o3_2048 dim 2 t 1.4", dir + "o3_2048.txt", "point-cloud", 2, 1.4, true},
        {"dragon_2000 dim 1", dir + "dragon_2000.txt", "point-cloud", 1, std::nullopt, false},
    };
    std::string gaussian, gaussian_3000, relu_4000, relu_10000, sphere;
    // a giant column: the void of a sphere, most of the time in one column (GUDHI: billions of tetrahedra)
    if (wanted("noisy sphere 400")) sphere = sphere_file(400, 48);
    if (!sphere.empty()) cases.push_back({"noisy sphere 400 dim 2 (seed 48)", sphere, "point-cloud", 2, std::nullopt, false});
    if (wanted("gaussian 2000x64")) gaussian = gaussian_file(2000, 64, 42);
    if (!gaussian.empty()) cases.push_back({"gaussian 2000x64 dim 1 (seed 42)", gaussian, "point-cloud", 1, std::nullopt, false});
    std::optional<CnnCloud> cnn;
    if (wanted("CNN relu3")) {
        cnn = cnn_cloud(ctx);
        cases.push_back({"CNN relu3 2000x64 dim 1 (Fashion-MNIST)", cnn->path, "point-cloud", 1, std::nullopt, false});
    }
    // Larger inputs, the size of real layer samples (issue 17); generated here, held out from the tests.
    if (wanted("gaussian 3000x64")) gaussian_3000 = gaussian_file(3000, 64, 43);
    if (!gaussian_3000.empty()) cases.push_back({"gaussian 3000x64 dim 1 (seed 43)", gaussian_3000, "point-cloud", 1, std::nullopt, false});
    if (wanted("relu-like 4000x128")) relu_4000 = relu_file(4000, 128, 44);
    if (!relu_4000.empty()) cases.push_back({"relu-like 4000x128 dim 1 (seed 44)", relu_4000, "point-cloud", 1, std::nullopt, false});
    // the 10 000-point cloud serves two rows: made when --only names either (or only their common start)
    if (ctx.only.empty() || std::string("relu-like 10000x64").rfind(ctx.only, 0) == 0 || ctx.only.rfind("relu-like 10000x64", 0) == 0) {
        relu_10000 = relu_file(10000, 64, 45);
        const double t_10000 = distance_quantile(relu_10000, 0.02);
        cases.push_back({"relu-like 10000x64 dim 1 t " + format_fixed(t_10000) + " (2 % of pairs, seed 45)", relu_10000, "point-cloud",
                         1, t_10000, false});
        if (ctx.long_inputs)  // all 5e7 pairs: the triangle and every edge
            cases.push_back({"relu-like 10000x64 dim 1 (enclosing radius, seed 45)", relu_10000, "point-cloud", 1, std::nullopt, false});
    }
    std::string torus;
    if (ctx.long_inputs) {
        cases.push_back({"o3_4096 dim 3 t 1.4", dir + "o3_4096.txt", "point-cloud", 3, 1.4, false});
        if (wanted("torus 1500")) {
            torus = torus_file(1500, 46);  // Ripser: about 13 minutes and 8 GB
            cases.push_back({"torus 1500 dim 2 (seed 46)", torus, "point-cloud", 2, std::nullopt, false});
        }
    }
    cases.erase(std::remove_if(cases.begin(), cases.end(), [&](const Case& c) { return !wanted(c.name); }), cases.end());
    std::vector<SparseCase> sparse = sparse_cases(ctx);
    sparse.erase(std::remove_if(sparse.begin(), sparse.end(), [&](const SparseCase& c) { return !wanted(c.name); }), sparse.end());
    if (cases.empty() && sparse.empty()) throw UserError("bench persistence: --only '" + ctx.only + "' matches no input");

    std::ostringstream md, csv;
    md << "# Persistence benchmark: native engine vs ripser vs GUDHI\n\n"
       << "Machine: " << machine_description() << "  \n"
       << "Load average (1, 5, 15 min) at the start: " << load_before << " (@LOAD_AFTER@)  \n"
       << "Repetitions: " << ctx.repetitions << " per tool (median wall time of the whole child process, "
       << "reading the input included; GUDHI: 1 repetition).\nPeak memory: ripser: max RSS of its process; native and GUDHI: peak RSS of the forked child "
          "above what it inherits from the benchmark process (reset via /proc/self/clear_refs).\n\n";
    if (!cases.empty())
        md << "| input | native 2 thr (s) | native 1 thr (s) | ripser (s) | gudhi (s) | 2thr/ripser | 1thr/ripser | "
          "peak native / ripser (MiB) | pairs per dim agree | targets |\n"
       << "|---|---|---|---|---|---|---|---|---|---|\n";
    csv << "input,tool,threads,median_s,min_s,max_s,peak_mib,pairs_per_dim\n";
    auto csv_row = [&](const Case& c, const std::string& tool, int threads, const Measured& m) {
        auto [lo, hi] = std::minmax_element(m.seconds.begin(), m.seconds.end());
        csv << '"' << c.name << "\"," << tool << ',' << threads << ',' << format_fixed(m.median(), 4) << ',' << format_fixed(*lo, 4) << ','
            << format_fixed(*hi, 4) << ',' << format_fixed(m.peak_mib, 1) << ",\"" << m.counts << "\"\n";
    };
    std::vector<std::string> misses;
    std::string representatives_row;  // dragon_2000: the diagram with the 10 longest H1 loops vs the diagram alone

    for (const Case& c : cases) {
        if (!quiet()) std::cerr << "persistence: " << c.name << "\n";
        std::string ripser_cmd = "/usr/bin/ripser --format " + c.format + " --dim " + std::to_string(c.dim) +
                                 (c.threshold ? " --threshold " + format_fixed(*c.threshold, 6) : "") + " '" + c.path + "'";
        auto from_output = [](const ExternalRun& r) { return r.output; };
        Measured two = repeat(ctx.repetitions, [&] { return native_run(c, 2); }, from_output);
        Measured one = repeat(ctx.repetitions, [&] { return native_run(c, 1); }, from_output);
        Measured rip = repeat(ctx.repetitions, [&] { return run_external(ripser_cmd); },
                              [](const ExternalRun& r) { return ripser_pair_counts(r.output); });
        std::optional<Measured> gud;
        if (c.gudhi) gud = repeat(1, [&] { return gudhi_run(c); }, [](const ExternalRun&) { return std::string(); });
        csv_row(c, "native", 2, two);
        csv_row(c, "native", 1, one);
        csv_row(c, "ripser", 1, rip);
        if (gud) csv_row(c, "gudhi", 1, *gud);

        double r2 = two.median() / rip.median(), r1 = one.median() / rip.median();
        std::vector<std::string> verdict;
        verdict.push_back(std::string(r2 <= 0.5 ? "met" : "NOT met") + " 2thr<=0.5x");
        verdict.push_back(std::string(r1 <= 1.0 ? "met" : "NOT met") + " 1thr<=1.0x");
        double peak = std::max(two.peak_mib, one.peak_mib);
        verdict.push_back(std::string(peak <= rip.peak_mib ? "met" : "NOT met") + " memory");
        if (c.name.rfind("o3_1024", 0) == 0)
            verdict.push_back(std::string(two.median() <= 0.16 ? "met" : "NOT met") + " <=0.16 s");
        for (auto& v : verdict)
            if (v.rfind("NOT", 0) == 0) misses.push_back(c.name + ": " + v.substr(8));
        md << "| " << c.name << " | " << format_fixed(two.median()) << " | " << format_fixed(one.median()) << " | " << format_fixed(rip.median())
           << " | " << (gud ? format_fixed(gud->median()) : std::string("skipped")) << " | " << format_fixed(r2, 2) << " | " << format_fixed(r1, 2)
           << " | " << format_fixed(peak, 0) << " / " << format_fixed(rip.peak_mib, 0) << " | "
           << (two.counts == rip.counts && one.counts == rip.counts ? "yes (" + rip.counts + ")"
                                                                     : "NO: " + two.counts + " vs " + rip.counts)
           << " | " << join(verdict, "; ") << " |\n";
        if (c.name.rfind("dragon_2000", 0) == 0) {
            // the diagram alone again, each run beside one with the representatives, so that both see the same load
            Measured alone, reps;
            for (int r = 0; r < ctx.repetitions; ++r) {
                throw_if_cancelled();
                for (const auto& [m, k] : {std::pair<Measured*, std::size_t>{&alone, 0}, {&reps, 10}}) {
                    const ExternalRun run = native_run(c, 2, k);
                    m->seconds.push_back(run.seconds);
                    m->peak_mib = std::max(m->peak_mib, run.peak_mib);
                    m->counts = run.output;
                }
            }
            csv_row(c, "native (beside the representatives)", 2, alone);
            csv_row(c, "native+10 representatives", 2, reps);
            const double ratio = reps.median() / alone.median();
            if (ratio > 1.3) misses.push_back(c.name + ": representatives <=1.3x");
            representatives_row = "| " + c.name + " | " + format_fixed(alone.median()) + " | " + format_fixed(reps.median()) + " | " +
                                  format_fixed(ratio, 2) + " | " + (ratio <= 1.3 ? "met" : "NOT met") + " <=1.3x |\n";
        }
    }
    for (const auto& f : {gaussian, gaussian_3000, relu_4000, relu_10000, torus, sphere})
        if (!f.empty()) std::filesystem::remove(f);

    if (cnn)
        md << "\nCNN activation cloud: " << cnn->description << "; "
           << (cnn->make_seconds < 0 ? std::string("taken from the cache")
                                     : "made in " + format_fixed(cnn->make_seconds, 1) + " s (training, extraction, sampling)")
           << ", `" << std::filesystem::relative(cnn->path, ctx.out_dir).string() << "` in the output folder.";
    if (!ctx.only.empty()) md << "\nOnly the inputs whose name starts with '" << ctx.only << "' (--only).";
    if (!ctx.long_inputs) md << " o3_4096 dim 3 t 1.4, the torus 1500 dim 2 and relu-like 10000x64 at its enclosing radius run with --long.";
    md << "\nGUDHI (plain Rips + persistent cohomology) is skipped where it needs minutes and GBs "
          "(sphere_3_192 dim 2: about 61 s and 2.8 GB; dragon_2000, the Gaussian and the CNN clouds: billions of simplices).\n";
    if (!representatives_row.empty())
        md << "\n## Representatives\n\nThe diagram with the representatives (cocycles and edge loops) of the 10 longest H1 "
              "classes against the diagram alone (run again, alternating with them), native, 2 threads, median wall time "
              "of the whole child process:\n\n"
              "| input | diagram (s) | with 10 loops (s) | ratio | target |\n|---|---|---|---|---|\n"
           << representatives_row;
    md << sparse_section(sparse, ctx.repetitions, csv);
    md << "\n## Targets\n\n"
       << (misses.empty() ? std::string("All targets met.\n") : "Not met:\n\n- " + join(misses, "\n- ") + "\n")
       << (misses.empty() ? ""
                          : "\nWhy, where not met: times are whole child processes on a machine shared with other work "
                            "(load average above), and a second thread gains only with a free core; on sphere_3_192 one "
                            "column holds 20 851 of the 22 203 additions of dimension 2 and is reduced by one thread. "
                            "See docs/native.md.\n");
    std::string report = md.str();
    const std::string marker = "@LOAD_AFTER@";
    report.replace(report.find(marker), marker.size(), "at the end: " + load_average());
    write_text_file(ctx.out_dir + "/persistence.md", report, true);
    write_text_file(ctx.out_dir + "/persistence.csv", csv.str(), true);
}

Registration reg{"persistence", "native Rips persistence (2 and 1 threads) vs ripser vs GUDHI: time, memory", run_suite};

}  // namespace
}  // namespace actopo::bench
