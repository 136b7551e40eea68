// `actopo persistence` end to end: outputs, refusal to overwrite, one-line errors with exit 1.
#include <sys/wait.h>

#include "helpers.hpp"

namespace {

struct Result {
    int code;
    std::string err;
};

Result run(const std::string& args) {
    const std::string errfile = ptest::temp_path("stderr.txt");
    const std::string cmd = std::string(ACTOPO_BINARY) + " persistence " + args + " 2>" + errfile;
    const int status = std::system(cmd.c_str());
    std::ifstream in(errfile);
    std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(errfile.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, err};
}

}  // namespace

TEST_CASE("actopo persistence writes diagrams equal to the library's", "[persistence][cli]") {
    const std::string out = ptest::temp_path("cli.json");
    std::remove(out.c_str());
    const std::string in = ptest::bench_file("random16.lower_distance_matrix");
    REQUIRE(run(in + " --max-dim 2 --backend ripser -q -o " + out).code == 0);
    const auto d = actopo::read_diagrams(out);
    actopo::RipsOptions o;
    o.max_dim = 2;
    ptest::require_same(d, actopo::compute_persistence(
                               actopo::read_rips_input(in, "lower-distance", actopo::Metric::precomputed), o, "gudhi"));
    REQUIRE(d.meta.at("input") == in);
    REQUIRE(d.meta.at("backend") == "ripser");
    const auto again = run(in + " --max-dim 1 -q -o " + out);
    REQUIRE(again.code == 1);
    REQUIRE(again.err.find("--force") != std::string::npos);
    REQUIRE(run(in + " --max-dim 1 -q --force -o " + out).code == 0);
    REQUIRE(actopo::read_diagrams(out).dims.size() == 2);
    REQUIRE(run(in + " --max-dim 1 --sparse 0.5 -q --force -o " + out).code == 0);  // the native backend's sparse Rips
    const auto sparse = actopo::read_diagrams(out);
    REQUIRE(sparse.meta.at("backend") == "native");
    REQUIRE(sparse.meta.at("sparse_epsilon") == "0.5");
    REQUIRE(sparse.meta.at("approximation_factor") == "2");
    std::remove(out.c_str());
}

TEST_CASE("actopo persistence: bad input is one line and exit 1", "[persistence][cli][errors]") {
    const std::string bad = ptest::temp_path("ragged.txt"), out = ptest::temp_path("never.csv");
    std::ofstream(bad) << "1 2 3\n4 5\n";
    auto r = run(bad + " --max-dim 1 -o " + out);
    REQUIRE(r.code == 1);
    REQUIRE(r.err == "actopo: " + bad + ": row 2: has 2 coordinates, expected 3 like row 1\n");
    std::ifstream probe(out);
    REQUIRE(!probe.good());  // nothing written
    r = run(ptest::bench_file("random16.lower_distance_matrix") + " --max-dim 1 --coeff 6 -o " + out);
    REQUIRE(r.code == 1);
    REQUIRE(r.err.find("prime") != std::string::npos);
    r = run(ptest::bench_file("random16.lower_distance_matrix") + " --max-dim 1 --sparse 1.5 -o " + out);
    REQUIRE(r.code == 1);
    REQUIRE(r.err == "actopo: --sparse: expected a number in (0, 1), got '1.5' (see actopo --help)\n");
    REQUIRE(!std::ifstream(out).good());
    r = run(ptest::bench_file("random16.lower_distance_matrix") + " --max-dim 1 -q -o " + out);
    REQUIRE(r.code == 0);
    REQUIRE(r.err.find("not a metric") != std::string::npos);  // random16 breaks the triangle inequality
    const std::string sparse = ptest::temp_path("edges.sparse");  // the triangles of a sparse file: 5 > 1 + 1
    std::ofstream(sparse) << "0 1 1\n1 2 1\n0 2 5\n2 3 1\n";
    r = run(sparse + " --max-dim 1 -q --force -o " + out);
    REQUIRE(r.code == 0);
    REQUIRE(r.err.find("is not a metric: d(2,0) = 5 > d(2,1) + d(1,0) = 2") != std::string::npos);
    std::ofstream(sparse) << "0 1 1\n1 2 1\n0 2 2\n2 3 1\n";  // absent edges (3 to 0 and 1) are no distance
    r = run(sparse + " --max-dim 1 -q --force -o " + out);
    REQUIRE(r.code == 0);
    REQUIRE(r.err.empty());
    std::remove(sparse.c_str());
    std::remove(bad.c_str());
    std::remove(out.c_str());
}

TEST_CASE("actopo persistence on a store layer = persistence of the points h5py put there", "[persistence][cli][store]") {
    const std::string store = ptest::temp_path("store.h5"), script = ptest::temp_path("mk.py");
    const std::string fc_txt = ptest::temp_path("fc.txt"), conv_txt = ptest::temp_path("conv.txt");
    std::ofstream(script) << R"(import sys, h5py, numpy as np
rng = np.random.default_rng(3)
fc = rng.normal(size=(30, 4)).astype(np.float32)
conv = rng.normal(size=(30, 3, 2, 2)).astype(np.float32)
g = h5py.File(sys.argv[1], 'w')
g.attrs['format'] = 'actopo-activations'
g['inputs/index'] = np.arange(30, dtype=np.int64)
g['inputs/labels'] = np.arange(30, dtype=np.int64) % 3
g['inputs/predictions'] = np.zeros(30, dtype=np.int64)
g['layers/fc/activations'] = fc
g['layers/conv/activations'] = conv
g.close()
np.savetxt(sys.argv[2], fc, fmt='%.9g')
np.savetxt(sys.argv[3], conv.mean(axis=(2, 3)), fmt='%.9g')
)";
    REQUIRE(std::system(("/usr/bin/python3 " + script + " " + store + " " + fc_txt + " " + conv_txt).c_str()) == 0);
    actopo::RipsOptions o;
    o.max_dim = 1;
    const struct { const char* layer; const char* sampling; std::string points; } cases[] = {
        {"fc", "flatten", fc_txt}, {"conv", "avgpool", conv_txt}};
    for (const auto& c : cases) {
        INFO(c.layer);
        const std::string out = ptest::temp_path(std::string(c.layer) + ".h5");
        std::remove(out.c_str());
        auto r = run(store + " --layer " + c.layer + " --sampling " + c.sampling + " --points 0 --max-dim 1 -q -o " + out);
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto d = actopo::read_diagrams(out, c.layer);
        REQUIRE(d.meta.at("layer") == c.layer);
        REQUIRE(d.meta.at("sampling") == c.sampling);
        const auto expect = actopo::compute_persistence(
            actopo::read_rips_input(c.points, "point-cloud", actopo::Metric::euclidean), o, "gudhi");
        ptest::require_same(d, expect, 1e-5);
        std::remove(out.c_str());
    }
    auto r = run(store + " --layer fc2 --max-dim 1 -o " + ptest::temp_path("x.csv"));
    REQUIRE(r.code == 1);
    REQUIRE(r.err.find("fc2") != std::string::npos);
    r = run(store + " --max-dim 1 -o " + ptest::temp_path("x.csv"));
    REQUIRE(r.code == 1);
    REQUIRE(r.err.find("--layer") != std::string::npos);
    for (const auto& f : {store, script, fc_txt, conv_txt}) std::remove(f.c_str());
}
