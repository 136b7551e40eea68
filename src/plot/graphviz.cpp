// Graphviz, the one way actopo draws graphs: its programs (dot, neato, sfdp) with the DOT text on stdin.
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/plot.hpp"

namespace actopo {
namespace {
void check_engine(const std::string& engine) {
    if (engine != "dot" && engine != "neato" && engine != "sfdp")
        throw UserError("unknown Graphviz engine '" + engine + "' (expected dot, neato or sfdp)");
}
}  // namespace

std::string graphviz_text(const std::string& dot, const std::string& engine, const std::string& format) {
    check_engine(engine);
    const ProcessResult run = run_process({engine, "-T" + format}, dot, true);
    if (run.status != 0)
        throw UserError("Graphviz '" + engine + "' failed (exit " + std::to_string(run.status) + "): " +
                        trim(run.output.substr(0, run.output.find('\n'))));
    return run.output;
}

namespace {
// Graphviz draws `dot` into out's temporary file, in the format of its target's extension.
void draw_into(const std::string& dot, const std::string& engine, const AtomicOutput& out) {
    const std::string& path = out.target();
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext != ".svg" && ext != ".png" && ext != ".pdf")
        throw UserError("picture '" + path + "': expected a .svg, .png or .pdf name");
    check_engine(engine);
    const ProcessResult run = run_process({engine, "-T" + ext.substr(1), "-o", out.temp_path()}, dot, true);
    if (run.status != 0)
        throw UserError("Graphviz '" + engine + "' could not draw " + path + " (exit " + std::to_string(run.status) +
                        "): " + trim(run.output.substr(0, run.output.find('\n'))));
}
}  // namespace

void render_graphviz(const std::string& dot, const std::string& engine, const std::string& path, bool force) {
    AtomicOutput out(path, force);
    draw_into(dot, engine, out);
    out.commit();
}

std::vector<std::string> render_graphviz_figure(const std::string& dot, const std::string& engine, const std::string& path,
                                                bool force) {
    const std::vector<std::string> paths = figure_paths(path);
    AtomicOutput svg(paths[0], force), png(paths[1], force);  // both refused or neither, before any drawing
    draw_into(dot, engine, svg);
    draw_into(dot, engine, png);
    svg.commit();
    png.commit();
    return paths;
}

}  // namespace actopo
