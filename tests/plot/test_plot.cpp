// Plot module: every figure is written as SVG + PNG, atomically, refusing to overwrite without force.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "actopo/plot.hpp"
#include "temp_dir.hpp"

using namespace actopo;
namespace fs = std::filesystem;

namespace {

/// Width and height from a PNG's IHDR chunk; {0, 0} when the file is not a PNG.
std::pair<unsigned, unsigned> png_size(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    unsigned char h[24] = {};
    f.read(reinterpret_cast<char*>(h), 24);
    const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!std::equal(sig, sig + 8, h)) return {0, 0};
    auto be = [&](int o) { return unsigned(h[o]) << 24 | unsigned(h[o + 1]) << 16 | unsigned(h[o + 2]) << 8 | h[o + 3]; };
    return {be(16), be(20)};
}

bool is_svg(const fs::path& p) {
    std::ifstream f(p);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    return s.find("<svg") != std::string::npos && s.find("</svg>") != std::string::npos;
}

NamedMatrix square(std::size_t n) {
    NamedMatrix m;
    for (std::size_t i = 0; i < n; ++i) m.row_names.push_back("layer" + std::to_string(i));
    m.col_names = m.row_names;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) m.values.push_back(std::fabs(double(i) - double(j)));
    return m;
}

}  // namespace

TEST_CASE("figure paths strip .svg/.png and give both") {
    CHECK(figure_paths("a/b.svg") == std::vector<std::string>{"a/b.svg", "a/b.png"});
    CHECK(figure_paths("a/b.png") == std::vector<std::string>{"a/b.svg", "a/b.png"});
    CHECK(figure_paths("a/b") == std::vector<std::string>{"a/b.svg", "a/b.png"});
}

TEST_CASE("heatmap: SVG and PNG written, larger matrices make larger pictures, no overwrite without force") {
    actopo_test::TempDir dir("plot");
    auto small = (dir.path / "small").string(), big = (dir.path / "big.svg").string();
    write_heatmap(square(3), small, "three layers", false);
    write_heatmap(square(12), big, "twelve layers", false);
    REQUIRE(is_svg(dir.path / "small.svg"));
    auto [w3, h3] = png_size(dir.path / "small.png");
    auto [w12, h12] = png_size(dir.path / "big.png");
    CHECK(w3 > 100);
    CHECK(h3 > 100);
    CHECK(h12 > h3);
    // refusing leaves both files as they were
    auto before = fs::file_size(dir.path / "small.png");
    CHECK_THROWS_AS(write_heatmap(square(5), small, "again", false), UserError);
    CHECK(fs::file_size(dir.path / "small.png") == before);
    write_heatmap(square(5), small, "again", true);
    CHECK(png_size(dir.path / "small.png").second != h3);
    // no temporary files left behind
    std::size_t files = 0;
    for (auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
    CHECK(files == 4);
    NamedMatrix ragged = square(3);
    ragged.values.pop_back();
    CHECK_THROWS_AS(write_heatmap(ragged, (dir.path / "bad").string(), "", false), UserError);
}

TEST_CASE("heatmap SVG: every cell tells its row, column and value on hover, at the cell's place") {
    actopo_test::TempDir dir("plot");
    auto m = square(3);
    m.at(0, 2) = 0.125;
    m.row_names[1] = "a<b";  // escaped in the tooltip
    write_heatmap(m, (dir.path / "h").string(), "", false);
    std::ifstream f(dir.path / "h.svg");
    const std::string svg((std::istreambuf_iterator<char>(f)), {});
    std::size_t titles = 0;
    for (auto at = svg.find("<title>"); at != std::string::npos; at = svg.find("<title>", at + 1)) ++titles;
    CHECK(titles == 9);
    CHECK(svg.find("<title>layer0 / layer2: 0.125</title>") != std::string::npos);
    CHECK(svg.find("<title>a&lt;b / layer0: 1</title>") != std::string::npos);
    CHECK(svg.rfind("</svg>") > svg.rfind("</title>"));  // the overlay is inside the drawing, on top
    // cell (0, 2) lies two cells right of cell (0, 0)
    auto attr = [&](const std::string& title, const char* name) {
        const auto end = svg.find(title), start = svg.rfind("<rect", end);
        const auto at = svg.find(std::string(name) + "=\"", start) + std::string(name).size() + 2;
        return std::stod(svg.substr(at, svg.find('"', at) - at));
    };
    const double x0 = attr("<title>layer0 / layer0:", "x"), x2 = attr("<title>layer0 / layer2:", "x");
    const double cell = attr("<title>layer0 / layer0:", "width");
    CHECK(x2 - x0 == Approx(2 * cell));
    CHECK(attr("<title>layer0 / layer2:", "y") == Approx(attr("<title>layer0 / layer0:", "y")));
}

TEST_CASE("heatmap with infinite cells, grids, charts and diagram plots render") {
    actopo_test::TempDir dir("plot");
    auto m = square(4);
    m.at(0, 3) = m.at(3, 0) = INFINITY;
    write_heatmap(m, (dir.path / "inf").string(), "with inf", false);
    CHECK(png_size(dir.path / "inf.png").first > 0);
    write_heatmap_grid({{"bottleneck", square(4)}, {"cka", square(6)}, {"rsa", m}}, (dir.path / "grid").string(),
                       "compare", false);
    auto [gw, gh] = png_size(dir.path / "grid.png");
    CHECK(gw > gh);  // 2 x 2 layout of panels, the widest panel sets the column width
    Series a{"ours", {0.1, 0.2, 0.4}}, b{"gudhi", {0.3, 0.5, 2.0}};
    ChartOptions o;
    o.title = "bench";
    o.bars = true;
    o.log_y = true;
    o.categories = {"bottleneck", "wasserstein", "sliced"};
    write_chart({a, b}, o, (dir.path / "bars").string(), false);
    CHECK(is_svg(dir.path / "bars.svg"));
    ChartOptions line;
    line.x = {0, 0.5, 1};
    write_chart({a}, line, (dir.path / "line").string(), false);
    CHECK(png_size(dir.path / "line.png").first > 0);
    // 10 colours: 10 series are solid lines, the 11th (its line and its legend) is dashed
    std::vector<Series> many;
    for (int k = 0; k < 11; ++k) many.push_back({"s" + std::to_string(k), {0.1 * k, 0.2, 0.3}});
    auto dashed = [&](const std::string& name) {
        std::ifstream in(dir.path / (name + ".svg"));
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return text.find("stroke-dasharray") != std::string::npos;
    };
    write_chart({many.begin(), many.begin() + 10}, line, (dir.path / "ten").string(), false);
    write_chart(many, line, (dir.path / "eleven").string(), false);
    CHECK(!dashed("ten"));
    CHECK(dashed("eleven"));
    o.categories.pop_back();
    CHECK_THROWS_AS(write_chart({a, b}, o, (dir.path / "bad").string(), false), UserError);
    Diagrams d;
    d.dims = {Diagram{0, {{0, 0.5}, {0, INFINITY}}}, Diagram{1, {{0.3, 0.9}, {0.4, 0.45}}}};
    write_diagram_plot(d, (dir.path / "diagram.png").string(), "H0 and H1", false);
    CHECK(png_size(dir.path / "diagram.png").first > 0);
    CHECK(is_svg(dir.path / "diagram.svg"));
}
