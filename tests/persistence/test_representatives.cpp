// Representatives in the persistence module: `actopo persistence --representatives` on a store layer (the loop
// traced back to the right inputs through the subsample and the landmarks, checked against the activations this
// test wrote, looked up by input id; the summary's class counts; the HDF5 lists read with h5py; the picture; the
// refusal of other backends), and relabel_representatives (landmark numbers -> input rows) keeping a Z/3 cocycle.
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "actopo/store.hpp"
#include "helpers.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kInputs = 60;
std::int64_t id_of(std::size_t row) { return 1000 + 7 * std::int64_t(row); }
double angle_of(std::size_t row) { return 2 * M_PI * double(row) / double(kInputs); }
std::int64_t label_of(std::size_t row) { return std::int64_t(row * 3 / kInputs); }  // three arcs of the ring
std::int64_t prediction_of(std::size_t row) { return row % 9 == 0 ? (label_of(row) + 1) % 3 : label_of(row); }

/// A store whose layer "ring" puts input `row` at angle_of(row) on a circle, a little off it.
std::string make_store(const fs::path& dir) {
    std::vector<std::int64_t> index, labels, predictions;
    std::vector<float> logits, ring;
    for (std::size_t r = 0; r < kInputs; ++r) {
        index.push_back(id_of(r));
        labels.push_back(label_of(r));
        predictions.push_back(prediction_of(r));
        for (std::int64_t c = 0; c < 3; ++c) logits.push_back(c == predictions.back() ? 1.0f : 0.0f);
        const double wobble = 1 + 0.03 * std::sin(7.0 * double(r));
        ring.push_back(float(wobble * std::cos(angle_of(r))));
        ring.push_back(float(wobble * std::sin(angle_of(r))));
        ring.push_back(float(0.02 * std::cos(3.0 * double(r))));
    }
    actopo::StoreInfo info;
    info.model = "ring.pt";
    info.dataset = "ring.h5";
    info.class_names = {"Shirt", "T-shirt", "Pullover"};
    const auto path = (dir / "acts.h5").string();
    actopo::StoreWriter w(path, info, {{"ring", {3}}}, 3, false);
    w.append(kInputs, index.data(), labels.data(), predictions.data(), logits.data(), {ring.data()});
    w.finish();
    return path;
}

struct Result {
    int code;
    std::string err;
};

Result run(const std::string& args, const fs::path& dir) {
    const std::string errfile = (dir / "stderr.txt").string();
    // not quiet (ctest sets ACTOPO_QUIET): the loops' summaries go to stderr
    const int status = std::system(("env -u ACTOPO_QUIET " + std::string(ACTOPO_BINARY) + " persistence " + args + " 2>" + errfile).c_str());
    std::ifstream in(errfile);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::string(std::istreambuf_iterator<char>(in), {})};
}

/// The loop's inputs are the inputs this test put there: each id is one of ours, its label and prediction are
/// ours, the loop of their activations winds once around the ring, and the summary counts each input once.
void check_loop(const nlohmann::json& rep) {
    const auto ids = rep.at("inputs").at("ids").get<std::vector<std::int64_t>>();
    const auto labels = rep.at("inputs").at("labels").get<std::vector<std::int64_t>>();
    const auto predictions = rep.at("inputs").at("predictions").get<std::vector<std::int64_t>>();
    REQUIRE(ids.size() == rep.at("cycle").size());
    REQUIRE(ids.size() >= 3);
    double turn = 0;
    std::map<std::int64_t, std::set<std::int64_t>> by_class;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        REQUIRE((ids[i] - 1000) % 7 == 0);
        const auto row = std::size_t((ids[i] - 1000) / 7), next = std::size_t((ids[(i + 1) % ids.size()] - 1000) / 7);
        REQUIRE(row < kInputs);
        CHECK(labels[i] == label_of(row));
        CHECK(predictions[i] == prediction_of(row));
        by_class[labels[i]].insert(ids[i]);
        double step = angle_of(next) - angle_of(row);
        while (step > M_PI) step -= 2 * M_PI;
        while (step < -M_PI) step += 2 * M_PI;
        turn += step;
    }
    CHECK(std::abs(std::lround(turn / (2 * M_PI))) == 1);
    const std::string summary = rep.at("inputs").at("summary");
    INFO(summary);
    CHECK(summary.rfind("runs through ", 0) == 0);
    const char* names[] = {"Shirt", "T-shirt", "Pullover"};
    for (const auto& [c, members] : by_class)
        CHECK(summary.find(std::string(names[c]) + " (" + std::to_string(members.size()) + ")") != std::string::npos);
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("actopo persistence --representatives traces a store layer's loop to its inputs", "[persistence][cli][representatives]") {
    const auto dir = actopo_test::temp_dir("reps-cli");
    const std::string store = make_store(dir);

    SECTION("a subsample: ids through the sample") {
        const std::string out = (dir / "ring.json").string();
        const auto r = run(store + " --layer ring --sampling flatten --points 45 --seed 3 --max-dim 1 --representatives 2 -o " + out, dir);
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(r.err.find("ring: loop 1") != std::string::npos);
        const auto j = read_json(out);
        CHECK(j.at("meta").at("representatives") == "2");
        const auto& reps = j.at("diagrams").at(1).at("representatives");
        REQUIRE(reps.size() >= 1);
        check_loop(reps.at(0));
        CHECK(fs::exists(dir / "ring.loops.png"));
        CHECK(fs::exists(dir / "ring.loops.svg"));
        const auto again = run(store + " --layer ring --points 45 --max-dim 1 --representatives 2 -o " + (dir / "other.json").string(), dir);
        CHECK(again.code == 0);  // a different output name: its own picture
    }
    SECTION("landmarks of a subsample, into HDF5: ids through both, cycles as lists that h5py reads") {
        const std::string out = (dir / "ring.h5").string();
        const std::string json = (dir / "ring-landmarks.json").string();
        const std::string common = store + " --layer ring --sampling flatten --points 50 --seed 5 --landmarks 30 --max-dim 1 --representatives 1 -q";
        REQUIRE(run(common + " -o " + json, dir).code == 0);
        REQUIRE(run(common + " -o " + out, dir).code == 0);
        const auto j = read_json(json);
        const auto& rep = j.at("diagrams").at(1).at("representatives").at(0);
        check_loop(rep);
        const std::string script = dir.string() + "/read.py";
        std::ofstream(script) << "import h5py, sys\n"
                                 "g = h5py.File(sys.argv[1], 'r')['/diagrams/ring']\n"
                                 "print(' '.join(str(int(v)) for v in g['dim1_cycles'][0]))\n"
                                 "print(' '.join(str(int(v)) for v in g['dim1_inputs'][0]))\n"
                                 "print(g['dim1_representatives'].shape[0], g['dim1_summaries'][0].decode())\n";
        const std::string text = (dir / "h5.txt").string();
        REQUIRE(std::system(("/usr/bin/python3 " + script + " " + out + " > " + text).c_str()) == 0);
        std::ifstream in(text);
        std::string cycle, inputs, rest;
        std::getline(in, cycle);
        std::getline(in, inputs);
        std::getline(in, rest);
        std::string expect_cycle, expect_inputs;
        for (const auto& v : rep.at("cycle")) expect_cycle += (expect_cycle.empty() ? "" : " ") + std::to_string(v.get<long>());
        for (const auto& v : rep.at("inputs").at("ids")) expect_inputs += (expect_inputs.empty() ? "" : " ") + std::to_string(v.get<long>());
        CHECK(cycle == expect_cycle);
        CHECK(inputs == expect_inputs);
        CHECK(rest == "1 " + rep.at("inputs").at("summary").get<std::string>());
        // vertices are rows of the 50 sampled points (not numbers of the 30 landmarks); read_diagrams reads them back
        const auto back = actopo::read_diagrams(json).dims.at(1).representatives.at(0);
        CHECK(back.cycle == rep.at("cycle").get<std::vector<std::uint32_t>>());
        CHECK(*std::max_element(back.cycle.begin(), back.cycle.end()) < 50);
        CHECK(back.inputs.summary == rep.at("inputs").at("summary").get<std::string>());
        // and from the HDF5 file (the file h5py read above): the same representative, but labels and predictions
        const auto h5 = actopo::read_diagrams(out, "ring").dims.at(1).representatives;
        REQUIRE(h5.size() == 1);
        CHECK(h5[0].birth == rep.at("birth").get<double>());
        CHECK(h5[0].death == rep.at("death").get<double>());
        CHECK(h5[0].birth_simplex == rep.at("birth_simplex").get<std::vector<std::uint32_t>>());
        std::vector<std::uint32_t> cocycle;
        for (const auto& entry : rep.at("cocycle"))
            for (const auto& v : entry) cocycle.push_back(v.get<std::uint32_t>());
        CHECK(h5[0].cocycle == cocycle);
        CHECK(h5[0].cycle == rep.at("cycle").get<std::vector<std::uint32_t>>());
        CHECK(h5[0].inputs.ids == rep.at("inputs").at("ids").get<std::vector<std::int64_t>>());
        CHECK(h5[0].inputs.summary == rep.at("inputs").at("summary").get<std::string>());
        CHECK(h5[0].inputs.labels.empty());
    }
    SECTION("asked of gudhi or ripser: one line, exit 1, nothing written") {
        for (const std::string backend : {"gudhi", "ripser"}) {
            const std::string out = (dir / ("never-" + backend + ".json")).string();
            const auto r = run(store + " --layer ring --max-dim 1 --representatives 3 --backend " + backend + " -o " + out, dir);
            CHECK(r.code == 1);
            CHECK(r.err == "actopo: representatives (--representatives, --min-persistence) are computed by the native backend only, "
                           "not by --backend " + backend + "; use --backend native\n");
            CHECK(!fs::exists(out));
            CHECK(!fs::exists(dir / ("never-" + backend + ".loops.png")));
        }
        const std::string cloud = (dir / "cloud.txt").string();
        std::ofstream(cloud) << "0 0\n1 0\n0 1\n1 1\n";
        const auto r = run(cloud + " --max-dim 1 --min-persistence 1 --backend gudhi -o " + (dir / "never.csv").string(), dir);
        CHECK(r.code == 1);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(!fs::exists(dir / "never.csv"));
    }
    fs::remove_all(dir);
}

TEST_CASE("relabel_representatives keeps a Z/3 cocycle when landmark numbers become the input's rows", "[persistence][representatives]") {
    actopo::Matrix m(40, 2);
    for (std::size_t i = 0; i < 40; ++i) {
        const double a = 2 * M_PI * double(i) / 40;
        m(i, 0) = float(std::cos(a) * (1 + 0.05 * std::sin(5.0 * double(i))));
        m(i, 1) = float(std::sin(a));
    }
    const auto input = actopo::RipsInput::from_points(m, actopo::Metric::euclidean);
    const auto rows = actopo::maxmin_landmarks(input, 25, 1);
    REQUIRE(!std::is_sorted(rows.begin(), rows.end()));  // renaming reorders simplices' vertices
    actopo::RipsOptions o;
    o.max_dim = 1;
    o.coeff = 3;
    o.representatives = 1;
    auto d = actopo::compute_persistence(actopo::select_vertices(input, rows), o, "native");
    actopo::relabel_representatives(d, rows, 3);
    const auto& r = d.dims.at(1).representatives.at(0);
    const auto lower = input.lower_triangle();
    auto dist = [&](std::size_t i, std::size_t j) { return i == j ? 0.0f : lower[std::max(i, j) * (std::max(i, j) - 1) / 2 + std::min(i, j)]; };
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> v;  // edge (larger, smaller) -> coefficient
    for (std::size_t i = 0; i + 3 <= r.cocycle.size(); i += 3) {
        REQUIRE(r.cocycle[i] > r.cocycle[i + 1]);
        v[{r.cocycle[i], r.cocycle[i + 1]}] = r.cocycle[i + 2];
    }
    const std::uint32_t on_birth = v.at({r.birth_simplex[0], r.birth_simplex[1]});
    CHECK((on_birth == 1 || on_birth == 2));  // +-1: the renaming may turn the birth edge around
    std::size_t checked = 0;  // the coboundary on every triangle of landmark rows born before the death
    for (std::size_t a = 0; a < rows.size(); ++a)
        for (std::size_t b = 0; b < rows.size(); ++b)
            for (std::size_t c = 0; c < rows.size(); ++c) {
                std::uint32_t t[3] = {std::uint32_t(rows[a]), std::uint32_t(rows[b]), std::uint32_t(rows[c])};
                if (!(t[0] > t[1] && t[1] > t[2])) continue;
                if (std::max({dist(t[0], t[1]), dist(t[0], t[2]), dist(t[1], t[2])}) >= r.death) continue;
                auto value = [&](std::uint32_t x, std::uint32_t y) { auto it = v.find({x, y}); return it == v.end() ? 0u : it->second; };
                CHECK((value(t[1], t[2]) + 3 - value(t[0], t[2]) + value(t[0], t[1])) % 3 == 0);
                ++checked;
            }
    CHECK(checked > 100);
    std::uint32_t sum = 0;  // and its value on the loop is not 0
    for (std::size_t i = 0; i < r.cycle.size(); ++i) {
        const std::uint32_t x = r.cycle[i], y = r.cycle[(i + 1) % r.cycle.size()];
        auto it = v.find({std::max(x, y), std::min(x, y)});
        if (it != v.end()) sum += x > y ? it->second : 3 - it->second;
    }
    CHECK(sum % 3 != 0);
}
