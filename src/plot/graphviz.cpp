// Graphviz, the one way actopo draws graphs: its programs (dot, neato, sfdp) with the DOT text on stdin.
#include <filesystem>

#include "actopo/core.hpp"
#include "actopo/plot.hpp"

namespace actopo {

std::string graphviz_text(const std::string& dot, const std::string& engine, const std::string& format) {
    if (engine != "dot" && engine != "neato" && engine != "sfdp")
        throw UserError("unknown Graphviz engine '" + engine + "' (expected dot, neato or sfdp)");
    const ProcessResult run = run_process({engine, "-T" + format}, dot, true);
    if (run.status != 0)
        throw UserError("Graphviz '" + engine + "' failed (exit " + std::to_string(run.status) + "): " +
                        trim(run.output.substr(0, run.output.find('\n'))));
    return run.output;
}

void render_graphviz(const std::string& dot, const std::string& engine, const std::string& path, bool force) {
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext != ".svg" && ext != ".png" && ext != ".pdf")
        throw UserError("picture '" + path + "': expected a .svg, .png or .pdf name");
    AtomicOutput out(path, force);
    if (engine != "dot" && engine != "neato" && engine != "sfdp")
        throw UserError("unknown Graphviz engine '" + engine + "' (expected dot, neato or sfdp)");
    const ProcessResult run = run_process({engine, "-T" + ext.substr(1), "-o", out.temp_path()}, dot, true);
    if (run.status != 0)
        throw UserError("Graphviz '" + engine + "' could not draw " + path + " (exit " + std::to_string(run.status) +
                        "): " + trim(run.output.substr(0, run.output.find('\n'))));
    out.commit();
}

}  // namespace actopo
