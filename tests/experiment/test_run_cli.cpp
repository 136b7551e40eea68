// `actopo run` end to end with the real program: byte-identical reruns, resume after the process is killed,
// config errors before any work.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "actopo/core.hpp"
#include "cli_helpers.hpp"

namespace fs = std::filesystem;

using namespace cli_test;

namespace {
/// Runs `actopo run FILE --results RESULTS`, which must refuse (exit 1), and returns what it wrote on stderr.
std::string refused(const std::string& file, const fs::path& results) {
    const fs::path err = results.parent_path() / "err.txt";
    REQUIRE(shell(kBinary + " run " + file + " --results " + results.string() + " 2> " + err.string()) == 1);
    return actopo::read_text_file(err.string());
}
}  // namespace

TEST_CASE("actopo run: a rerun of a finished experiment runs nothing and changes no artefact", "[experiment][reference]") {
    // That a second run from scratch gives the same bytes is proven by the tests comparing other runs with the
    // reference: the killed-and-resumed run below (--jobs 1) and the MPI runs (tests/experiment/test_mpi_cli.cpp).
    const auto dir = temp_dir("run-twice");
    const auto reference = reference_run();
    REQUIRE(!reference.empty());
    fs::create_directories(dir / "a");
    fs::copy(reference, dir / "a" / "tiny", fs::copy_options::recursive);
    const auto a = artefacts(dir / "a" / "tiny");
    REQUIRE(a.size() > 60);
    for (const char* must : {"manifest.json", "report/index.html", "stores/mlp.h5", "diagrams/cnn.h5",
                             "distances/sliced-wasserstein-h1.csv", "similarity/cka.csv", "mapper/cnn/hierarchy.json",
                             "coactivation/mlp-checkpoints.csv", "compare/agreement.csv", "models/mlp/epoch-2.pt"})
        REQUIRE(a.count(must));
    // its summary line (not quiet, even under ctest, which sets ACTOPO_QUIET)
    REQUIRE(shell("env -u ACTOPO_QUIET " + kBinary + " run " + kConfig + " --jobs 2 --results " + (dir / "a").string() +
                  " 2> " + (dir / "rerun.txt").string()) == 0);
    REQUIRE(actopo::read_text_file((dir / "rerun.txt").string()).find("0 jobs ran, 18 cached") != std::string::npos);
    REQUIRE(artefacts(dir / "a" / "tiny") == a);
}

TEST_CASE("actopo run: killed mid-way, refused without --resume, finished with --resume, same artefacts",
          "[experiment][slow][reference]") {
    const auto dir = temp_dir("run-kill");
    const std::string results = (dir / "r").string();
    // start a run in its own process group, kill the group (runner and workers) once the first model is extracted
    REQUIRE(shell("setsid " + kBinary + " run " + kConfig + " --jobs 1 -q --results " + results + " & pid=$!; "
                  "for i in $(seq 600); do [ -f " + results + "/tiny/.cache/extract.mlp.json ] && break; sleep 0.1; done; "
                  "kill -9 -- -$pid; wait $pid 2>/dev/null; exit 0") == 0);
    REQUIRE(fs::exists(results + "/tiny/.cache/extract.mlp.json"));
    REQUIRE_FALSE(fs::exists(results + "/tiny/manifest.json"));
    const std::string again = kBinary + " run " + kConfig + " --results " + results;
    REQUIRE(shell(again + " -q 2> " + (dir / "refused.txt").string()) == 1);
    const std::string stopped = actopo::read_text_file((dir / "refused.txt").string());
    REQUIRE(stopped.find("the last run stopped before finishing") != std::string::npos);
    REQUIRE(stopped.find("--resume") != std::string::npos);
    REQUIRE(shell(again + " --resume -q") == 0);
    const auto reference = reference_run();
    REQUIRE(!reference.empty());
    REQUIRE(artefacts(dir / "r" / "tiny") == artefacts(reference));
}

TEST_CASE("actopo run: a wrong key stops before any work with one line and exit 1", "[experiment]") {
    const auto dir = temp_dir("run-bad");
    const std::string bad = (dir / "bad.yaml").string();
    REQUIRE(shell("sed s/intervals:/intervls:/ " + kConfig + " > " + bad) == 0);
    const std::string err = refused(bad, dir / "r");
    REQUIRE(err == "actopo: " + bad + ":11: mapper.intervls: unknown key (did you mean 'intervals'?); expected one of: lens, "
                   "intervals, overlap, clusterer, cover, relu, points, layers\n");
    REQUIRE_FALSE(fs::exists(dir / "r"));
}

TEST_CASE("actopo run: a layer the given model lacks fails before any job, one line with file:line:key, exit 1",
          "[experiment]") {
    const auto dir = temp_dir("run-layers");
    const std::string data = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/";
    const std::string config = (dir / "mine.yaml").string();
    actopo::write_text_file(config,
                            "name: mine\n"
                            "dataset: {path: " + data + "tiny_data.h5}\n"
                            "models:\n"
                            "  - name: tiny\n"
                            "    path: " + data + "tiny_scripted.pt\n"
                            "    layers: [stem, head.2]\n"
                            "similarity: [cka]\n",
                            true);
    const std::string err = refused(config, dir / "r");
    INFO(err);
    REQUIRE(err.rfind("actopo: " + config + ":6: models[0].layers: model '" + data + "tiny_scripted.pt' has no layer 'head.2' (closest: ", 0) == 0);
    REQUIRE(std::count(err.begin(), err.end(), '\n') == 1);
    REQUIRE_FALSE(fs::exists(dir / "r"));  // no job ran, nothing was written
    // the layers it has: the check passes (a dry run lists the jobs)
    actopo::write_text_file(config, actopo::read_text_file(config).replace(actopo::read_text_file(config).find("head.2"), 6, "head.1"), true);
    REQUIRE(shell(kBinary + " run " + config + " --dry-run -q --results " + (dir / "r").string() + " > /dev/null") == 0);
}

TEST_CASE("actopo run: --results naming a file and a 5000-character name are one-line user errors (exit 1)",
          "[experiment]") {
    const auto dir = temp_dir("run-results-file");
    actopo::write_text_file((dir / "taken").string(), "a file\n", true);
    std::string err = refused(kConfig, dir / "taken");
    CHECK(err == "actopo: " + (dir / "taken").string() + ": is a file, not a folder (the results go to " +
                     (dir / "taken" / "tiny").string() + "; choose another --results)\n");
    const std::string long_name = (dir / "long.yaml").string();
    REQUIRE(shell("sed s/^name:.*/name:\\ " + std::string(5000, 'x') + "/ " + kConfig + " > " + long_name) == 0);
    err = refused(long_name, dir / "r");
    CHECK(err == "actopo: " + long_name + ":2: name: expected a name of at most 100 characters (it names files), got one of 5000\n");
}

TEST_CASE("actopo: a command and an experiment file refuse a value in the same words (one table per stage)", "[experiment]") {
    const auto dir = temp_dir("run-same-words");
    const std::string cloud = (dir / "cloud.csv").string();
    actopo::write_text_file(cloud, "0,0\n1,0\n0,1\n", true);
    REQUIRE(shell(kBinary + " persistence " + cloud + " --max-dim 1 --coeff 4 -o " + (dir / "d.csv").string() + " 2> " +
                  (dir / "err.txt").string()) == 1);
    std::string err = actopo::read_text_file((dir / "err.txt").string());
    CHECK(err.find("--coeff: expected a prime number (2, 3, 5, 7, ...) for the coefficient field Z/p, got '4'") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    const std::string bad = (dir / "bad.yaml").string();
    REQUIRE(shell("sed \"s/^persistence: {max_dim: 1/persistence: {max_dim: 1, coeff: 4/\" " + kConfig + " > " + bad) == 0);
    REQUIRE(actopo::read_text_file(bad).find("persistence: {max_dim: 1, coeff: 4") != std::string::npos);
    CHECK(refused(bad, dir / "r") ==
          "actopo: " + bad + ":9: persistence.coeff: expected a prime number (2, 3, 5, 7, ...) for the coefficient field Z/p, got '4'\n");
    REQUIRE(shell(kBinary + " mapper " + cloud + " --layer x --overlap 1.5 -o " + (dir / "g.json").string() + " 2> " +
                  (dir / "err.txt").string()) == 1);
    CHECK(actopo::read_text_file((dir / "err.txt").string()).find("--overlap: expected a number in (0, 1), got '1.5'") != std::string::npos);
}

TEST_CASE("actopo inspect --check-layers: exit 0 when every layer is there, else one line with the closest names", "[experiment]") {
    const auto dir = temp_dir("inspect-check");
    const std::string data = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/";
    const std::string err = (dir / "err.txt").string();
    REQUIRE(shell(kBinary + " inspect " + data + "tiny_scripted.pt --check-layers stem,head.1 > /dev/null") == 0);
    REQUIRE(shell(kBinary + " inspect " + data + "tiny_scripted.pt --check-layers all > /dev/null") == 0);
    REQUIRE(shell(kBinary + " inspect " + data + "tiny_scripted.pt --check-layers stem,sten 2> " + err) == 1);
    std::string text = actopo::read_text_file(err);
    CHECK(text.find("has no layer 'sten' (closest: stem") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    // an activation store the same way
    const std::string store = (dir / "acts.h5").string();
    REQUIRE(shell(kBinary + " extract --model " + data + "tiny_scripted.pt --dataset " + data + "tiny_data.h5 --layers stem,head.1 -q -o " + store + " > /dev/null") == 0);
    REQUIRE(shell(kBinary + " inspect " + store + " --check-layers head.1 > /dev/null") == 0);
    REQUIRE(shell(kBinary + " inspect " + store + " --check-layers head.2 2> " + err) == 1);
    text = actopo::read_text_file(err);
    CHECK(text.find("head.2") != std::string::npos);
    CHECK(text.find("head.1") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("actopo run: the explain stage writes each model's maps, pictures and quality, and the report shows them",
          "[experiment]") {
    const auto dir = temp_dir("run-explain");
    const std::string config = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/experiment-explain.yaml";
    REQUIRE(shell(kBinary + " run " + config + " --jobs 2 -q --results " + dir.string()) == 0);
    const fs::path r = dir / "explain-tiny";
    const std::string pictures = "explain/gapcnn/pictures/", quality = "explain/gapcnn/quality/";
    for (const std::string m : {"saliency", "integrated-gradients", "smoothgrad", "grad-cam"})
        for (const std::string suffix : {".svg", ".png", "-class-means.svg", "-class-means.png"}) {
            INFO(m + suffix);
            CHECK(fs::exists(r / (pictures + m + suffix)));
        }
    for (const std::string f : {"quality.md", "quality.csv", "curves.csv", "perturbation.svg", "randomisation.svg"}) {
        INFO(f);
        CHECK(fs::exists(r / (quality + f)));
    }
    // the file's options reached the commands: 8 inputs, 8 steps, 4 samples, the experiment's seed, the labels as targets
    const std::string h5 = (r / "explain/gapcnn/attributions.h5").string(), out = (dir / "attrs.txt").string();
    REQUIRE(shell("/usr/bin/python3 -c \"import h5py; f = h5py.File(\\\"" + h5 + "\\\"); a = f[\\\"attributions/smoothgrad\\\"].attrs; "
                  "i = f[\\\"attributions/integrated-gradients\\\"].attrs; "
                  "print(f.attrs[\\\"target\\\"], len(f[\\\"inputs/index\\\"]), i[\\\"steps\\\"], a[\\\"samples\\\"], a[\\\"seed\\\"], "
                  "(f[\\\"inputs/target\\\"][:] == f[\\\"inputs/labels\\\"][:]).all())\" > " + out) == 0);
    CHECK(actopo::read_text_file(out) == "label 8 8 4 3 True\n");
    const std::string table = actopo::read_text_file((r / (quality + "quality.csv")).string());
    CHECK(std::count(table.begin(), table.end(), '\n') == 5);  // a header and the four methods
    CHECK(actopo::read_text_file((r / (quality + "quality.md")).string()).find(", 6 inputs, target label") != std::string::npos);
    // explain.visualize: conv1's activation maximisation (units 0-2, 8 steps, the experiment's seed), its filters and
    // its maps of the first 2 inputs, each in its folder; h5py reads what the ascent's file says it did
    const std::string vis = "explain/gapcnn/visualize/";
    for (const std::string f : {"maximise/conv1.svg", "maximise/conv1.png", "filters/conv1-filters.svg",
                                "filters/conv1-filters.png", "maps/conv1-maps.svg", "maps/conv1-maps.png"}) {
        INFO(f);
        CHECK(fs::exists(r / (vis + f)));
    }
    REQUIRE(shell("/usr/bin/python3 -c \"import h5py; f = h5py.File(\\\"" + (r / (vis + "maximise/conv1.h5")).string() +
                  "\\\"); print(f[\\\"units\\\"][:].tolist(), f[\\\"trace\\\"].shape, f.attrs[\\\"layer\\\"], f.attrs[\\\"seed\\\"])\" > " + out) == 0);
    CHECK(actopo::read_text_file(out) == "[0, 1, 2] (3, 8) conv1 3\n");
    const std::string page = actopo::read_text_file((r / "report/index.html").string());
    for (const std::string& must : std::vector<std::string>{"<h3>Explanations</h3>", "AOPC (higher: more selective)", "<td>grad-cam</td>",
                                   "src=\"../" + quality + "perturbation.svg\"", "src=\"../" + pictures + "smoothgrad.svg\"",
                                   "src=\"../" + pictures + "integrated-gradients-class-means.svg\"",
                                   "Activation maximisation: for each unit of layer conv1", "src=\"../" + vis + "maximise/conv1.svg\"",
                                   "src=\"../" + vis + "filters/conv1-filters.svg\"", "src=\"../" + vis + "maps/conv1-maps.svg\"",
                                   "Layer conv1&#39;s activation maps for the first 2 inputs"}) {
        INFO(must);
        CHECK(page.find(must) != std::string::npos);
    }
    // a method the command would refuse, the file refuses in the same words before any work
    const std::string bad = (dir / "bad.yaml").string();
    REQUIRE(shell("sed -e \"s/methods: \\[saliency,/methods: [salency,/\" -e \"s|\\.\\./explain|" + std::string(ACTOPO_SOURCE_DIR) +
                  "/tests/explain|g\" " + config + " > " + bad) == 0);
    const std::string err = refused(bad, dir / "b");
    CHECK(err.rfind("actopo: " + bad + ":9: explain.methods[0]: unknown method 'salency' (closest: saliency", 0) == 0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "b"));
    // activation maps without a layer: one line naming the key
    REQUIRE(shell("sed -e \"s/visualize: {layer: conv1, /visualize: {/\" -e \"s|\\.\\./explain|" + std::string(ACTOPO_SOURCE_DIR) +
                  "/tests/explain|g\" " + config + " > " + bad) == 0);
    const std::string no_layer = refused(bad, dir / "b");
    CHECK(no_layer.rfind("actopo: " + bad + ":16: explain.visualize.layer: missing: activation_maps draws a layer's maps", 0) == 0);
    CHECK(std::count(no_layer.begin(), no_layer.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "b"));
    // a layer the model lacks: refused before any job, naming the key that names it
    REQUIRE(shell("sed -e \"s/visualize: {layer: conv1, /visualize: {layer: conv9, /\" -e \"s|\\.\\./explain|" +
                  std::string(ACTOPO_SOURCE_DIR) + "/tests/explain|g\" " + config + " > " + bad) == 0);
    const std::string wrong_layer = refused(bad, dir / "b");
    CHECK(wrong_layer.rfind("actopo: " + bad + ":16: explain.visualize.layer: model '", 0) == 0);
    CHECK(wrong_layer.find("has no layer 'conv9' (closest: conv1") != std::string::npos);
    CHECK(std::count(wrong_layer.begin(), wrong_layer.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "b"));
}

// The tiny experiment asks for representatives (persistence: {representatives: 3}). Oracle: h5py reads each
// layer's longest loop's input ids from the diagram file and their classes and predictions from the store, and
// writes the sentence the report must hold, counting each input once; nothing of actopo's is reused.
TEST_CASE("actopo run: persistence.representatives traces each layer's longest loop, and the report says what it runs through",
          "[experiment][reference]") {
    const auto r = reference_run();
    REQUIRE(!r.empty());
    const auto dir = temp_dir("run-loops");
    const std::string script = (dir / "loops.py").string(), expected = (dir / "expected.txt").string();
    std::ofstream(script) << "import h5py, sys\n"
                             "root = sys.argv[1]\n"
                             "for m in ('mlp', 'cnn'):\n"
                             "    s = h5py.File(f'{root}/stores/{m}.h5', 'r')\n"
                             "    row = {int(i): k for k, i in enumerate(s['inputs/index'][:])}\n"
                             "    labels, predictions = s['inputs/labels'][:], s['inputs/predictions'][:]\n"
                             "    names = [n.decode() if isinstance(n, bytes) else n for n in s['inputs/class_names'][:]]\n"
                             "    d = h5py.File(f'{root}/diagrams/{m}.h5', 'r')\n"
                             "    def visit(name, g):\n"
                             "        if not isinstance(g, h5py.Group) or 'dim1_inputs' not in g: return\n"
                             "        birth, death = g['dim1_representatives'][0]\n"
                             "        ids = sorted(set(int(i) for i in g['dim1_inputs'][0]))\n"
                             "        counts = {}\n"
                             "        for i in ids: counts[int(labels[row[i]])] = counts.get(int(labels[row[i]]), 0) + 1\n"
                             "        wrong = sum(int(predictions[row[i]] != labels[row[i]]) for i in ids)\n"
                             "        order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))\n"
                             "        through = ', '.join(f'{names[c]} ({n})' for c, n in order)\n"
                             "        print(f'{m}/{name}.loops.png\\tIts longest H1 loop, alive from {birth:.3f} to {death:.3f}, runs through '\n"
                             "              f'{through}; {len(ids)} inputs, {wrong} misclassified.')\n"
                             "    d['diagrams'].visititems(visit)\n";
    REQUIRE(shell("/usr/bin/python3 " + script + " " + r.string() + " > " + expected) == 0);
    const std::string page = actopo::read_text_file((r / "report/index.html").string());
    std::ifstream in(expected);
    std::size_t layers = 0, shown = 0;
    for (std::string line; std::getline(in, line); ++layers) {
        const std::string picture = line.substr(0, line.find('\t')), sentence = line.substr(line.find('\t') + 1);
        const std::string m = picture.substr(0, picture.find('/')), layer = picture.substr(m.size() + 1, picture.size() - m.size() - 11);
        INFO(sentence);
        CHECK(fs::exists(r / "diagrams" / (m + "." + layer + ".loops.png")));
        shown += page.find(sentence) != std::string::npos;
    }
    CHECK(layers >= 6);
    // every layer row with a diagram says it (copies of an earlier layer are shown once, in the earlier row)
    std::size_t rows = 0;
    for (std::size_t at = 0; (at = page.find("-diagram.svg\"", at)) != std::string::npos; ++at) ++rows;
    CHECK(rows > 0);
    CHECK(shown == rows);
    std::size_t said = 0;
    for (std::size_t at = 0; (at = page.find("Its longest H1 loop, alive from", at)) != std::string::npos; ++at) ++said;
    CHECK(said == 2 * shown);  // the figure's alt text and caption
    fs::remove_all(dir);
}
