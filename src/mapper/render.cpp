// Pictures through the Graphviz executables (dot, neato, sfdp), and the node layout for the HTML page.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actopo/mapper.hpp"

namespace actopo::mapper {

namespace {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// A temporary file holding `content`, removed on destruction.
class TempFile {
public:
    explicit TempFile(const std::string& content) {
        std::string pattern = (std::filesystem::temp_directory_path() / "actopo-mapper-XXXXXX").string();
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        int fd = mkstemp(buf.data());
        if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + pattern);
        path_ = buf.data();
        ::close(fd);
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// Runs a command; returns its stdout. UserError naming the engine when it fails or is missing.
std::string run_capture(const std::string& command, const std::string& engine) {
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe) throw UserError("cannot run Graphviz '" + engine + "'");
    std::string out;
    char buf[65536];
    std::size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, k);
    int status = pclose(pipe);
    if (status != 0)
        throw UserError("Graphviz '" + engine + "' failed (exit " + std::to_string(status) +
                        "); is the graphviz package installed (scripts/install-deps)?");
    return out;
}

}  // namespace

void render(const std::string& dot, const std::string& engine, const std::string& path, bool force) {
    if (engine != "dot" && engine != "neato" && engine != "sfdp")
        throw UserError("unknown Graphviz engine '" + engine + "' (expected dot, neato or sfdp)");
    const auto ext = std::filesystem::path(path).extension().string();
    if (ext != ".svg" && ext != ".png") throw UserError("picture " + path + ": expected a .svg or .png name");
    TempFile input(dot);
    AtomicOutput out(path, force);
    run_capture(engine + " -T" + ext.substr(1) + " -o " + shell_quote(out.temp_path()) + " " + shell_quote(input.path()),
                engine);
    out.commit();
}

std::map<std::size_t, std::pair<double, double>> layout(const Graph& g) {
    std::size_t largest = 1;
    for (const auto& node : g.nodes) largest = std::max(largest, node.size());
    std::ostringstream dot;
    dot << "graph g { graph [overlap=false]; node [shape=circle, fixedsize=true, label=\"\"];\n";
    for (const auto& node : g.nodes)
        dot << "n" << node.id << " [width=" << 0.12 + 0.75 * std::sqrt(double(node.size()) / double(largest)) << "];\n";
    for (const auto& l : g.links) dot << "n" << l.source << " -- n" << l.target << ";\n";
    dot << "}\n";
    TempFile input(dot.str());
    const std::string engine = g.nodes.size() > 2000 ? "sfdp" : "neato";
    std::istringstream plain(run_capture(engine + " -Tplain " + shell_quote(input.path()), engine));
    std::map<std::size_t, std::pair<double, double>> pos;
    std::string line;
    while (std::getline(plain, line)) {
        std::istringstream fields(line);
        std::string kind, name;
        double x = 0, y = 0;
        if (fields >> kind >> name >> x >> y && kind == "node" && name.size() > 1 && name[0] == 'n')
            pos[std::stoul(name.substr(1))] = {x * 72.0, y * 72.0};
    }
    return pos;
}

}  // namespace actopo::mapper
