// actopo-bench: the benchmark suites (apps/bench/bench_*.cpp), each beside the tool a user would pick
// instead; figures to results/bench/. `actopo bench ...` runs this program with the same arguments.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "actopo/core.hpp"
#include "bench.hpp"

namespace actopo::bench {

std::vector<Suite>& registry() {
    static std::vector<Suite> suites;
    return suites;
}

namespace {
/// results/bench/README.md: the machine, and every suite's page found in the folder, one after the other.
void write_index(const Context& ctx, const std::string& command, const std::string& load_before) {
    namespace fs = std::filesystem;
    std::ostringstream out;
    out << "# actopo benchmarks\n\n"
        << "Every benchmark of the project, each beside the tool a researcher would use instead, on the same input in "
           "one run. Ratios are actopo / other tool (below 1: actopo is faster); times are medians.\n\n"
        << "- Machine: " << machine_description() << "\n"
        << "- Written: " << iso_time_now() << " by `" << command << "`\n"
        << "- Load average (1, 5, 15 min) before / after: " << load_before << " / " << load_average() << "\n\n";
    std::vector<std::string> pages;
    for (const auto& s : registry())
        if (fs::exists(fs::path(ctx.out_dir) / (s.name + ".md"))) pages.push_back(s.name);
    out << "Suites: ";
    for (std::size_t i = 0; i < pages.size(); ++i) out << (i ? ", " : "") << "[" << pages[i] << "](" << pages[i] << ".md)";
    out << "\n";
    for (const auto& name : pages) {
        std::istringstream page(read_text_file((fs::path(ctx.out_dir) / (name + ".md")).string()));
        out << "\n";
        for (std::string line; std::getline(page, line);) out << (line.rfind("#", 0) == 0 ? "#" : "") << line << "\n";
    }
    write_text_file((fs::path(ctx.out_dir) / "README.md").string(), out.str(), true);
}

}  // namespace

/// The benchmark inputs of the persistent-homology literature, shipped in datasets/ph-benchmarks.
std::string find_benchmark_data() {
    namespace fs = std::filesystem;
    for (fs::path p = fs::current_path(); !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / "datasets" / "ph-benchmarks")) return (p / "datasets").string();
        if (p == p.root_path()) break;
    }
    return std::string(ACTOPO_SOURCE_DIR) + "/datasets";
}

int run(int argc, char** argv) {
    CLI::App app{"actopo bench: time actopo beside the tools a user would pick instead; figures to results/bench/",
                 "actopo bench"};
    std::string suite;
    bool force = false;
    Context ctx;
    std::vector<std::string> names;
    for (const auto& s : registry()) names.push_back(s.name);
    app.add_option("--suite", suite, "Suite to run: all, " + join(names) + " (without it: this help)");
    app.add_option("-o,--output", ctx.out_dir, "Folder for the figures")->capture_default_str();
    app.add_option("--reps", ctx.repetitions, "Repetitions per measurement (median reported)")->capture_default_str();
    app.add_flag("--long", ctx.long_inputs, "Also run the inputs that take minutes");
    app.add_option("--only", ctx.only, "Only the inputs whose name starts with this (persistence suite, e.g. dragon_2000), or the methods whose "
                   "name starts with one of these comma-separated prefixes (explain suite, e.g. lrp,deeplift), or the parts (extract "
                   "suite: cnn, resnet18, encoder, flatten)");
    app.add_flag("--force", force, "Overwrite the suite's results already in the output folder");
    app.add_flag_callback("-q,--quiet", [] { set_quiet(true); }, "No progress bar on stderr");
    app.footer("Examples:\n  actopo bench --suite persistence --force\n  actopo bench --suite startup --reps 20 -o /tmp/bench\n"
               "  actopo bench --suite persistence --only dragon_2000 --reps 1 -o /tmp/bench");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (suite.empty()) {
        std::printf("%s", app.help().c_str());
        return 0;
    }
    if (suite != "all" && std::none_of(names.begin(), names.end(), [&](const std::string& n) { return n == suite; }))
        throw UserError("unknown benchmark suite '" + suite + "' (expected all, " + join(names) + ")");
    if (!force)
        for (const auto& name : names)
            if ((suite == "all" || suite == name) && std::filesystem::exists(std::filesystem::path(ctx.out_dir) / (name + ".md")))
                throw UserError("bench: " + ctx.out_dir + "/" + name + ".md exists; add --force to overwrite it, or -o to write elsewhere");
    ctx.data_dir = find_benchmark_data();
    std::filesystem::create_directories(ctx.out_dir);
    const std::string load_before = load_average();
    for (const auto& s : registry()) {
        if (suite == "all") {
            // each suite in a fresh process: peak-memory figures measured from a process that earlier suites
            // had grown would be wrong (a forked child's RSS counts the parent's pages)
            const std::string command = self_executable() + " --suite " + s.name + " -o '" + ctx.out_dir + "' --reps " +
                                        std::to_string(ctx.repetitions) + (ctx.long_inputs ? " --long" : "") +
                                        (ctx.only.empty() ? "" : " --only '" + ctx.only + "'");
            if (std::system(command.c_str()) != 0) throw UserError("bench: the suite " + s.name + " failed (" + command + ")");
        } else if (suite == s.name) {
            std::fprintf(stderr, "bench: %s (%s)\n", s.name.c_str(), s.summary.c_str());
            s.run(ctx);
        }
    }
    write_index(ctx, "actopo bench --suite " + suite + " --reps " + std::to_string(ctx.repetitions) +
                                   (ctx.only.empty() ? "" : " --only '" + ctx.only + "'"), load_before);
    std::fprintf(stderr, "bench: wrote %s/README.md\n", ctx.out_dir.c_str());
    return 0;
}

}  // namespace actopo::bench

int main(int argc, char** argv) {
    actopo::install_cancel_handler();
    try {
        return actopo::bench::run(argc, argv);
    } catch (const actopo::UserError& e) {
        std::fprintf(stderr, "actopo: %s\n", e.what());
        return 1;
    } catch (const actopo::EnvironmentError& e) {
        std::fprintf(stderr, "actopo: %s\n", e.what());
        return 3;
    } catch (const actopo::Cancelled&) {
        std::fprintf(stderr, "actopo: cancelled\n");
        return 130;
    } catch (const std::exception& e) {  // a suite whose own setup failed (training its model, a tool it runs)
        std::fprintf(stderr, "actopo: %s\n", e.what());
        return 1;
    }
}
