#pragma once
// Shared by the tests that run the real `actopo run`: a fresh temporary folder, a shell command's exit code,
// and the sha256 of every artefact of a results folder.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "actopo/core.hpp"
#include "temp_dir.hpp"

namespace cli_test {

namespace fs = std::filesystem;

inline const std::string kBinary = ACTOPO_BINARY;
inline const std::string kConfig = std::string(ACTOPO_SOURCE_DIR) + "/tests/data/experiment-tiny.yaml";

using actopo_test::temp_dir;

/// Runs `command` with bash; its exit code (-1 when killed).
inline int shell(const std::string& command) {
    const int status = std::system(("bash -c '" + command + "'").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#ifdef ACTOPO_TINY_REFERENCE
/// The tiny experiment's results from one process (`actopo run` with its defaults), made once per ctest run by the
/// fixture "experiment: the single-process reference run ..."; made here when a test runs outside ctest.
inline fs::path reference_run() {
    const fs::path results = ACTOPO_TINY_REFERENCE;
    if (!fs::exists(results / "tiny" / "manifest.json")) {
        fs::remove_all(results);
        if (shell(kBinary + " run " + kConfig + " -q --results " + results.string()) != 0) return {};
    }
    return results / "tiny";
}
#endif

/// sha256 of every artefact (the logs, the cache's bookkeeping and this run's wall times excluded).
inline std::map<std::string, std::string> artefacts(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string rel = fs::relative(e.path(), dir).string();
        if (!e.is_regular_file() || rel.rfind(".cache", 0) == 0 || rel.rfind("logs", 0) == 0 || rel == "timings.json") continue;
        out[rel] = actopo::sha256_file(e.path().string());
    }
    return out;
}

}  // namespace cli_test
