// Diagram files: CSV / JSON / HDF5 round trips, refusal to overwrite, malformed files.
#include <map>

#include "helpers.hpp"

using namespace actopo;

namespace {

Diagrams sample_diagrams() {
    RipsOptions o;
    o.max_dim = 2;
    return compute_persistence(ptest::random_cloud(30, 3, 4), o, "gudhi");
}

}  // namespace

TEST_CASE("diagram files round-trip exactly in every format", "[persistence][files]") {
    const auto d = sample_diagrams();
    REQUIRE(d.dims[0].pairs.back().essential());
    for (const char* ext : {"csv", "json", "h5"}) {
        INFO(ext);
        const std::string path = ptest::temp_path(std::string("rt.") + ext);
        std::remove(path.c_str());
        write_diagrams(d, path, false, "layer1.0.conv2");
        const auto back = read_diagrams(path);
        ptest::require_same(d, back, 0.0);
        REQUIRE(back.meta == d.meta);
        REQUIRE_THROWS_WITH(write_diagrams(d, path, false), Catch::Contains("exists"));
        write_diagrams(d, path, true, "layer1.0.conv2");
        std::remove(path.c_str());
    }
}

TEST_CASE("HDF5 diagram files follow the layout /diagrams/<layer>/dim<k>", "[persistence][files]") {
    const auto d = sample_diagrams();
    const std::string path = ptest::temp_path("layout.h5");
    std::remove(path.c_str());
    write_diagrams(d, path, false, "fc1");
    REQUIRE(diagram_groups(path) == std::vector<std::string>{"fc1"});
    REQUIRE_THROWS_WITH(read_diagrams(path, "fc2"), Catch::Contains("fc1"));
    // independent reader: h5py sees float64 [m, 2] with inf for the essential class
    const std::string cmd = "/usr/bin/python3 -c \"import h5py,numpy as np; f=h5py.File('" + path +
                            "','r'); a=f['/diagrams/fc1/dim0'][()]; assert a.dtype==np.float64 and a.shape==(" +
                            std::to_string(d.dims[0].pairs.size()) + ",2); assert np.isinf(a[:,1]).sum()==1; "
                            "assert f['/diagrams/fc1'].attrs['backend'] in ('gudhi', b'gudhi')\"";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::remove(path.c_str());
}

TEST_CASE("malformed diagram files are one-line errors naming the row", "[persistence][files][errors]") {
    const std::string path = ptest::temp_path("bad.csv");
    std::ofstream(path) << "dim,birth,death\n0,0,1\n1,2,1\n";
    REQUIRE_THROWS_WITH(read_diagrams(path), Catch::Contains("row 3") && Catch::Contains("death >= birth"));
    std::ofstream(path) << "dim,birth,death\n0,0\n";
    REQUIRE_THROWS_WITH(read_diagrams(path), Catch::Contains("row 2") && Catch::Contains("3 columns"));
    std::ofstream(path) << "a,b\n";
    REQUIRE_THROWS_WITH(read_diagrams(path), Catch::Contains("header"));
    const std::string js = ptest::temp_path("bad.json");
    std::ofstream(js) << "{\"diagrams\": [{\"dim\": 0, \"pairs\": [[0]]}]}";
    REQUIRE_THROWS_AS(read_diagrams(js), UserError);
    REQUIRE_THROWS_WITH(read_diagrams(ptest::temp_path("x.txt")), Catch::Contains(".csv"));
    std::remove(path.c_str());
    std::remove(js.c_str());
}

TEST_CASE("several layers in one HDF5 diagram file", "[persistence][files]") {
    RipsOptions o;
    o.max_dim = 1;
    const std::map<std::string, Diagrams> layers{
        {"layer1.0.conv2", compute_persistence(ptest::random_cloud(20, 3, 1), o, "gudhi")},
        {"fc", compute_persistence(ptest::random_cloud(25, 2, 2), o, "gudhi")}};
    const std::string path = ptest::temp_path("layers.h5");
    std::remove(path.c_str());
    write_diagram_groups(layers, path, false);
    REQUIRE(diagram_groups(path) == std::vector<std::string>{"fc", "layer1.0.conv2"});
    // with an order (the model's layer order), the groups list in that order
    const std::string ordered = path + ".ordered.h5";
    write_diagram_groups(layers, ordered, true, {"layer1.0.conv2", "fc"});
    REQUIRE(diagram_groups(ordered) == std::vector<std::string>{"layer1.0.conv2", "fc"});
    REQUIRE_THROWS_WITH(write_diagram_groups(layers, ordered, true, {"fc", "conv9"}), Catch::Contains("'conv9', which has no diagrams"));
    for (const auto& [name, d] : layers) ptest::require_same(d, read_diagrams(path, name), 0.0);
    REQUIRE_THROWS_WITH(read_diagrams(path), Catch::Contains("name one"));
    REQUIRE_THROWS_WITH(write_diagram_groups(layers, path, false), Catch::Contains("exists"));
    REQUIRE_THROWS_WITH(write_diagram_groups(layers, ptest::temp_path("layers.csv"), false), Catch::Contains(".h5"));
    std::remove(path.c_str());
}
