#pragma once
// Files: every output is written under a temporary name beside the target and renamed when complete.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace actopo {

/// Writes `target` atomically: work on `temp_path()`, then `commit()` renames it over the target.
/// Refuses an existing target unless `force`. An uncommitted temporary is removed on destruction.
class AtomicOutput {
public:
    AtomicOutput(std::string target, bool force);
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;
    const std::string& target() const { return target_; }
    const std::string& temp_path() const { return temp_; }
    void commit();

private:
    std::string target_, temp_;
    bool committed_ = false;
};

/// Writes a whole text file atomically (refusing an existing file unless force).
void write_text_file(const std::string& path, const std::string& content, bool force);
/// Reads a whole file; UserError naming the file when it cannot.
std::string read_text_file(const std::string& path);
/// Parses a whole JSON file; UserError in one line naming the file, `what` it should hold (e.g. "a Mapper graph")
/// and where the parse failed, when it is not JSON.
nlohmann::json read_json_file(const std::string& path, const std::string& what);

}  // namespace actopo
