// The three programs: `actopo` loads no LibTorch (the model commands run in actopo-nn beside it), forwards
// the model commands with their arguments and exit codes, and core's run_process reports a missing program
// as an EnvironmentError.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <optional>
#include <string>

#include "actopo/core.hpp"
#include "actopo/core/coprocess.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
const std::string kActopo = ACTOPO_BINARY;
const std::string kModel = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/tiny_scripted.pt";

/// The shared objects the dynamic loader opens for `command` (LD_DEBUG=libs, printed to stderr).
std::string loaded_libraries(const std::string& command) {
    const auto run = actopo::run_shell("LD_DEBUG=libs " + command + " 2>&1 >/dev/null");
    return run.output;
}

fs::path scratch() {
    static const fs::path d = actopo_test::temp_dir("programs");
    return d;
}

}  // namespace

TEST_CASE("actopo --version and actopo distance load no LibTorch", "[core][programs]") {
    const fs::path dir = scratch();
    actopo::write_text_file((dir / "a.csv").string(), "dim,birth,death\n1,0,1\n", true);
    actopo::write_text_file((dir / "b.csv").string(), "dim,birth,death\n1,0,2\n", true);
    for (const std::string& command :
         {kActopo + " --version",
          kActopo + " distance " + (dir / "a.csv").string() + " " + (dir / "b.csv").string() + " --metric bottleneck --dim 1"}) {
        INFO(command);
        const std::string libs = loaded_libraries(command);
        REQUIRE(libs.find("calling init") != std::string::npos);  // LD_DEBUG works here
        CHECK(libs.find("libtorch") == std::string::npos);
        CHECK(libs.find("libc10") == std::string::npos);
    }
    fs::remove_all(dir);
}

#if ACTOPO_WITH_TORCH
TEST_CASE("a model command runs in actopo-nn, which loads LibTorch, with its exit code and one-line errors", "[core][programs]") {
    // the same check as above sees LibTorch where it is loaded (so its silence above means something)
    const std::string libs = loaded_libraries(kActopo + " inspect " + kModel);
    CHECK(libs.find("libtorch") != std::string::npos);
    const auto described = actopo::run_shell(kActopo + " inspect " + kModel);
    CHECK(described.status == 0);
    CHECK(described.output.find("Linear") != std::string::npos);
    const auto missing = actopo::run_shell(kActopo + " extract --model /nonexistent/model.pt --dataset fashion-mnist -o x.h5 -q");
    CHECK(missing.status == 1);
    CHECK(missing.output.find("/nonexistent/model.pt") != std::string::npos);
    CHECK(std::count(missing.output.begin(), missing.output.end(), '\n') == 1);
    const auto help = actopo::run_shell(kActopo + " train --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("actopo train") != std::string::npos);
    const auto top = actopo::run_shell(kActopo + " --help");  // the model commands are listed with the others
    for (const char* name : {"train", "extract", "inspect", "bench", "persistence"}) CHECK(top.output.find(name) != std::string::npos);
}
#endif

#if ACTOPO_WITH_TORCH  // actopo-bench is built with LibTorch
TEST_CASE("actopo bench without --suite prints its help and never overwrites results without --force", "[core][programs]") {
    const auto help = actopo::run_shell(kActopo + " bench");
    CHECK(help.status == 0);
    CHECK(help.output.find("--suite") != std::string::npos);
    CHECK(help.output.find("wrote") == std::string::npos);  // no suite ran
    const fs::path dir = scratch() / "bench";
    fs::create_directories(dir);
    actopo::write_text_file((dir / "startup.md").string(), "earlier results\n", true);
    const auto refused = actopo::run_shell(kActopo + " bench --suite startup --reps 1 -q -o " + dir.string());
    CHECK(refused.status == 1);
    CHECK(refused.output.find("startup.md exists") != std::string::npos);
    CHECK(refused.output.find("--force") != std::string::npos);
    CHECK(actopo::read_text_file((dir / "startup.md").string()) == "earlier results\n");
    const auto unknown = actopo::run_shell(kActopo + " bench --suite nosuch -o " + dir.string());
    CHECK(unknown.status == 1);
    CHECK(unknown.output.find("'nosuch'") != std::string::npos);
    fs::remove_all(dir.parent_path());
}
#endif

TEST_CASE("run_process passes arguments without a shell, feeds stdin, and a missing program is an EnvironmentError", "[core][programs]") {
    const auto echo = actopo::run_process({"sh", "-c", "cat; echo \"$0 $1\"", "it's", "two words"}, "in\n");
    CHECK(echo.status == 0);
    CHECK(echo.output == "in\nit's two words\n");
    CHECK(actopo::run_process({"sh", "-c", "exit 7"}).status == 7);
    CHECK_THROWS_AS(actopo::run_process({"/nonexistent/program"}), actopo::EnvironmentError);
    CHECK_THROWS_AS(actopo::sibling_program("no-such-actopo-program"), actopo::EnvironmentError);
}

TEST_CASE("a Coprocess answers line by line, keeps a last line without a newline, and reports its exit code", "[core][programs]") {
    // a shell that echoes each line it reads, doubled, and ends on "bye" with a last line without '\n' and code 3
    actopo::Coprocess sh({"sh", "-c", "while read l; do [ \"$l\" = bye ] && { printf 'last'; exit 3; }; echo \"$l $l\"; done"});
    sh.write_line("one");
    CHECK(sh.read_line() == std::optional<std::string>("one one"));
    sh.write_line("two words");  // the answer to each line comes before the next line is sent
    CHECK(sh.read_line() == std::optional<std::string>("two words two words"));
    sh.write_line("bye");
    CHECK(sh.read_line() == std::optional<std::string>("last"));
    CHECK_FALSE(sh.read_line().has_value());
    CHECK(sh.finish() == 3);
    CHECK(sh.finish() == 3);  // finishing again (as the destructor does) is harmless
    CHECK_THROWS_AS(sh.write_line("more"), actopo::EnvironmentError);
    actopo::Coprocess stderr_too({"sh", "-c", "echo to-stderr >&2"});
    CHECK(stderr_too.read_line() == std::optional<std::string>("to-stderr"));
    CHECK_THROWS_AS(actopo::Coprocess({"/nonexistent/program"}), actopo::EnvironmentError);
}

#ifndef __SANITIZE_ADDRESS__  // AddressSanitizer needs more address space than the limit below leaves
TEST_CASE("parallel_for with more threads than the system gives is an EnvironmentError, not a crash", "[core][programs]") {
    // in a child whose address space holds about 30 thread stacks
    const pid_t pid = fork();
    if (pid == 0) {
        struct rlimit limit {256u << 20, 256u << 20};
        setrlimit(RLIMIT_AS, &limit);
        try {
            actopo::parallel_for(1000, 1000, [](std::size_t) {});
        } catch (const actopo::EnvironmentError&) {
            _exit(0);
        } catch (...) {
            _exit(2);
        }
        _exit(1);  // every thread started: the limit did not bite
    }
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
#endif
