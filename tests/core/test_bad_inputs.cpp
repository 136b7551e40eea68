// The bad-input corpus (tests/data/bad, made by make_bad.py): every case runs the `actopo` binary and must
// end with exit code 1, exactly one line on stderr that names the culprit, and the existing outputs untouched.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

struct Case {
    std::string name, culprit, args;
};

std::vector<Case> read_cases(const fs::path& table) {
    std::vector<Case> out;
    std::istringstream in(slurp(table));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto a = line.find('\t'), b = line.find('\t', a + 1);
        out.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    return out;
}

}  // namespace

TEST_CASE("every bad input of the corpus is one clear error and damages no output", "[bad-inputs]") {
    const fs::path source = ACTOPO_SOURCE_DIR, bad = source / "tests/data/bad";
    const auto cases = read_cases(bad / "cases.tsv");
    REQUIRE(cases.size() >= 100);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(bad)) files += e.path().extension() != ".py" && e.path().filename() != "cases.tsv";
    CHECK(files >= 80);  // with the option cases, more than 100 inputs
    const fs::path dir = fs::temp_directory_path() / ("actopo-bad-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    for (const auto& c : cases) {
        const bool model_command = c.args.rfind("train ", 0) == 0 || c.args.rfind("extract ", 0) == 0;
        if (model_command && !ACTOPO_WITH_TORCH) continue;  // a build without actopo-nn (the sanitizer tree)
        DYNAMIC_SECTION(c.name) {
            fs::create_directories(dir / "outdir");
            const std::string precious = "precious output of an earlier run\n";
            for (const char* f : {"out.csv", "out.json", "outdir/table.csv"}) std::ofstream(dir / f) << precious;
            std::string args = c.args;
            replace_all(args, "{bad}", bad.string());
            replace_all(args, "{data}", (source / "tests/data").string());
            replace_all(args, "{out}", (dir / "out.csv").string());
            replace_all(args, "{json}", (dir / "out.json").string());
            replace_all(args, "{outdir}", (dir / "outdir").string());
            const fs::path err = dir / "stderr.txt";
            const std::string command = std::string(ACTOPO_BINARY) + " " + args + " > /dev/null 2> '" + err.string() + "'";
            const int status = std::system(command.c_str());
            const std::string stderr_text = slurp(err);
            INFO(command << "\nstderr: " << stderr_text);
            REQUIRE(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 1);
            CHECK(std::count(stderr_text.begin(), stderr_text.end(), '\n') == 1);
            CHECK(stderr_text.rfind("actopo: ", 0) == 0);
            CHECK(stderr_text.find(c.culprit) != std::string::npos);
            for (const char* f : {"out.csv", "out.json", "outdir/table.csv"}) CHECK(slurp(dir / f) == precious);
            for (const auto& e : fs::directory_iterator(dir / "outdir"))  // nothing new in it (actopo run --results)
                CHECK(e.path().filename() == "table.csv");
            for (const auto& e : fs::directory_iterator(dir))  // no temporary left next to the outputs
                CHECK((e.path().filename() == "outdir" || e.path().filename() == "stderr.txt" ||
                       e.path().filename() == "out.csv" || e.path().filename() == "out.json"));
            fs::remove_all(dir);
        }
    }
}
