// Files: atomic outputs, whole-file reads and writes.
#include "actopo/core/files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actopo/core/errors.hpp"

namespace actopo {

// ------------------------------------------------------------------ atomic output
AtomicOutput::AtomicOutput(std::string target, bool force) : target_(std::move(target)) {
    namespace fs = std::filesystem;
    if (target_.empty()) throw UserError("no output file given (expected -o PATH)");
    if (fs::exists(target_) && !force)
        throw UserError(target_ + ": output exists (pass --force to overwrite it)");
    fs::path p(target_);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (!fs::exists(dir)) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw UserError(target_ + ": cannot create folder " + dir.string() + " (" + ec.message() + ")");
    }
    temp_ = (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
    std::error_code ec;
    fs::remove(temp_, ec);
}

AtomicOutput::~AtomicOutput() {
    if (!committed_) {
        std::error_code ec;
        std::filesystem::remove(temp_, ec);
    }
}

void AtomicOutput::commit() {
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) throw EnvironmentError(target_ + ": cannot write output (" + ec.message() + ")");
    committed_ = true;
}

void write_text_file(const std::string& path, const std::string& content, bool force) {
    AtomicOutput out(path, force);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        if (!f) throw UserError(path + ": cannot open for writing (" + std::strerror(errno) + ")");
        f << content;
        f.flush();
        if (!f) throw EnvironmentError(path + ": write failed (" + std::strerror(errno) + "; is the disk full?)");
    }
    out.commit();
}

std::string read_text_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw UserError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
    const std::string text = read_text_file(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw UserError(path + ": not valid JSON, expected " + what + " (" + e.what() + ")");
    }
}

}  // namespace actopo
