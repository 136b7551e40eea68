#pragma once
// A test's scratch folder, the one helper every test file uses for it.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace actopo_test {

/// <tmp>/actopo-test-<name>-<pid>, made empty (what an earlier run of the same name left there is removed).
inline std::filesystem::path temp_dir(const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path d = fs::temp_directory_path() / ("actopo-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// temp_dir(name) for one test case, removed when the case ends.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name) : path(temp_dir(name)) {}
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& file) const { return (path / file).string(); }
};

}  // namespace actopo_test
