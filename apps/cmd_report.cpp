// `actopo report`: the HTML page of an experiment's results folder.
#include <filesystem>
#include <iostream>

#include "actopo/core.hpp"
#include "actopo/report.hpp"
#include "command.hpp"

namespace actopo::cli {
namespace {

struct Args {
    std::string dir;
    bool force = false;
};

void setup(CLI::App& app) {
    auto a = std::make_shared<Args>();
    app.add_option("results", a->dir, "Results folder of an experiment (results/<name>)")->required()->check(CLI::ExistingDirectory);
    app.add_flag("--force", a->force, "Overwrite the existing report");
    app.footer(
        "Writes <results>/report/index.html (open it in a browser from the file system) and its figures under\n"
        "report/figures/. `actopo run` does this as its last job. Example:\n"
        "  actopo report results/fashion-demo --force");
    app.callback([a] {
        write_report(a->dir, a->force);
        if (!quiet()) std::cerr << "wrote " << (std::filesystem::path(a->dir) / "report" / "index.html").string() << "\n";
    });
}

Registration reg{"report", "The HTML report of an experiment's results folder", setup};

}  // namespace
}  // namespace actopo::cli
