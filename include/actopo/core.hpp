#pragma once
// actopo core: what every module shares.
//   UserError       - a problem with the user's input; the program prints its one-line message, exit 1.
//   AtomicOutput    - write to a temporary name beside the target, rename when complete.
//   Progress        - a progress bar on stderr (silent when stderr is not a terminal or when quiet).
//   cancellation    - Ctrl-C sets a flag; long loops call throw_if_cancelled().
//   parallel_for    - fn(0..count-1) on several threads, items claimed one at a time.
//   sha256_file, closest_names, iso_time(_now), version().
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace actopo {

/// The user's input is wrong. `what()` is one line naming the file/layer/key at fault and what was expected.
class UserError : public std::runtime_error {
public:
    explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown by throw_if_cancelled() after SIGINT/SIGTERM.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled by the user") {}
};

/// Install SIGINT/SIGTERM handlers that request cancellation (a second signal exits at once).
void install_cancel_handler();
bool cancel_requested();
void request_cancel();  // for tests
void throw_if_cancelled();

/// Runs fn(i) for i = 0..count-1 on `threads` threads (0: all cores; never more than count), each taking
/// the next item when it is free; after an exception no new item starts, and the first one is rethrown.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& fn);

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

/// Global quiet switch (also on when the environment has ACTOPO_QUIET=1).
void set_quiet(bool quiet);
bool quiet();

/// A progress bar on stderr: "label [=====>    ] 40% 400/1000 12.3/s".
class Progress {
public:
    Progress(std::string label, std::uint64_t total);
    ~Progress();
    void advance(std::uint64_t n = 1);
    void finish();

private:
    void draw(bool final);
    std::string label_;
    std::uint64_t total_, done_ = 0;
    bool enabled_, finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

/// Hex SHA-256 of a file's bytes.
std::string sha256_file(const std::string& path);
/// Hex SHA-256 of a string.
std::string sha256_string(const std::string& data);

/// Up to `count` candidates closest to `name` (edit distance), for "did you mean" messages.
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t count = 3);
/// "a, b, c" joined.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
std::vector<std::string> split(const std::string& text, char sep);
std::string trim(const std::string& text);
/// A name (a layer key like "layer1.0.conv2") as a file name: every character but letters, digits, '.', '-'
/// and '_' becomes '_'. The Mapper command names its files so, and the report finds them so.
std::string safe_file_name(const std::string& name);
/// Text made safe inside XML/HTML/SVG elements and attribute values (& < > " ').
std::string xml_escape(const std::string& text);

/// A time as "2026-11-23T14:44:00Z" (UTC); iso_time_now() is the current one.
std::string iso_time(std::time_t t);
std::string iso_time_now();
/// The toolkit version, e.g. "0.1.0".
std::string version();

/// A dense row-major float matrix, the shared currency of point clouds and activations.
struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<float> data;
    Matrix() = default;
    Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c, 0.0f) {}
    float* row(std::size_t i) { return data.data() + i * cols; }
    const float* row(std::size_t i) const { return data.data() + i * cols; }
    float& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
    float operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

/// A named square (or rectangular) matrix of doubles: layer x layer, model x model.
/// CSV: header row "name,<col names...>", then one row per row name.
struct NamedMatrix {
    std::vector<std::string> row_names, col_names;
    std::vector<double> values;  // row-major
    double& at(std::size_t i, std::size_t j) { return values[i * col_names.size() + j]; }
    double at(std::size_t i, std::size_t j) const { return values[i * col_names.size() + j]; }
};
std::string to_csv(const NamedMatrix& m);
NamedMatrix read_named_matrix_csv(const std::string& path);

}  // namespace actopo
