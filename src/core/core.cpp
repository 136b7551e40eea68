#include "actopo/core.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <thread>
#include <sstream>

#include "actopo/version.hpp"

namespace actopo {

// ------------------------------------------------------------------ cancellation
namespace {
std::atomic<int> g_signals{0};
void on_signal(int) {
    if (g_signals.fetch_add(1) >= 1) std::_Exit(130);  // second Ctrl-C: leave at once
}
}  // namespace

void install_cancel_handler() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}
bool cancel_requested() { return g_signals.load(std::memory_order_relaxed) > 0; }
void request_cancel() { g_signals.store(1); }
void throw_if_cancelled() {
    if (cancel_requested()) throw Cancelled();
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& fn) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = unsigned(std::min<std::size_t>(threads, count));
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i) fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < count;) {
                try {
                    fn(i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                    next = count;
                }
            }
        });
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

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
    if (ec) throw UserError(target_ + ": cannot write output (" + ec.message() + ")");
    committed_ = true;
}

void write_text_file(const std::string& path, const std::string& content, bool force) {
    AtomicOutput out(path, force);
    {
        std::ofstream f(out.temp_path(), std::ios::binary);
        if (!f) throw UserError(path + ": cannot open for writing");
        f << content;
        if (!f) throw UserError(path + ": write failed");
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

// ------------------------------------------------------------------ progress
namespace {
bool g_quiet = [] {
    const char* q = std::getenv("ACTOPO_QUIET");
    return q && std::string(q) == "1";
}();
}
void set_quiet(bool q) { g_quiet = q; }
bool quiet() { return g_quiet; }

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(!g_quiet && ::isatty(2)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
    if (!finished_ && enabled_ && done_ > 0) std::fputs("\n", stderr);
}

void Progress::advance(std::uint64_t n) {
    done_ += n;
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ > std::chrono::milliseconds(100) || done_ >= total_) {
        last_draw_ = now;
        draw(false);
    }
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    if (enabled_) {
        draw(true);
        std::fputs("\n", stderr);
    }
}

void Progress::draw(bool) {
    const int width = 30;
    double frac = total_ ? std::min(1.0, double(done_) / double(total_)) : 1.0;
    int filled = int(frac * width);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string bar(std::size_t(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r%s [%s] %3d%% %llu/%llu %.1f/s ", label_.c_str(), bar.c_str(), int(frac * 100),
                 (unsigned long long)done_, (unsigned long long)total_, secs > 0 ? done_ / secs : 0.0);
    std::fflush(stderr);
}

// ------------------------------------------------------------------ sha-256 (FIPS 180-4)
namespace {
struct Sha256 {
    std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char buf[64];
    std::size_t buf_len = 0;
    std::uint64_t total = 0;

    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

    void block(const unsigned char* p) {
        static const std::uint32_t k[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) |
                   (std::uint32_t(p[4 * i + 2]) << 8) | std::uint32_t(p[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; ++i) {
            std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
            std::uint32_t ch = (e & f) ^ (~e & g);
            std::uint32_t t1 = hh + S1 + ch + k[i] + w[i];
            std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
            std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            std::uint32_t t2 = S0 + maj;
            hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }

    void update(const unsigned char* p, std::size_t n) {
        total += n;
        while (n > 0) {
            std::size_t take = std::min(n, 64 - buf_len);
            std::memcpy(buf + buf_len, p, take);
            buf_len += take; p += take; n -= take;
            if (buf_len == 64) { block(buf); buf_len = 0; }
        }
    }

    std::string hex() {
        std::uint64_t bits = total * 8;
        unsigned char pad = 0x80;
        update(&pad, 1);
        unsigned char zero = 0;
        while (buf_len != 56) update(&zero, 1);
        unsigned char len[8];
        for (int i = 0; i < 8; ++i) len[i] = (unsigned char)(bits >> (56 - 8 * i));
        update(len, 8);
        std::ostringstream ss;
        for (auto v : h) ss << std::hex << std::setw(8) << std::setfill('0') << v;
        return ss.str();
    }
};
}  // namespace

std::string sha256_string(const std::string& data) {
    Sha256 s;
    s.update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return s.hex();
}

std::string sha256_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw UserError(path + ": cannot open (" + std::strerror(errno) + ")");
    Sha256 s;
    std::vector<char> buf(1 << 16);
    while (f) {
        f.read(buf.data(), std::streamsize(buf.size()));
        s.update(reinterpret_cast<const unsigned char*>(buf.data()), std::size_t(f.gcount()));
    }
    return s.hex();
}

// ------------------------------------------------------------------ text
namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}
}  // namespace

std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& candidates,
                                       std::size_t count) {
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& c : candidates) scored.emplace_back(edit_distance(name, c), c);
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (std::size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
    return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == sep) { out.push_back(cur); cur.clear(); }
        else cur += c;
    }
    out.push_back(cur);
    return out;
}

std::string trim(const std::string& text) {
    auto b = text.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    auto e = text.find_last_not_of(" \t\r\n");
    return text.substr(b, e - b + 1);
}

std::string safe_file_name(const std::string& name) {
    std::string out = name;
    for (auto& c : out)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
    return out;
}

std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string iso_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string iso_time_now() { return iso_time(std::time(nullptr)); }

std::string version() { return ACTOPO_VERSION; }

// ------------------------------------------------------------------ named matrices
std::string to_csv(const NamedMatrix& m) {
    std::ostringstream ss;
    ss << "name";
    for (const auto& c : m.col_names) ss << ',' << c;
    ss << '\n';
    ss << std::setprecision(10);
    for (std::size_t i = 0; i < m.row_names.size(); ++i) {
        ss << m.row_names[i];
        for (std::size_t j = 0; j < m.col_names.size(); ++j) ss << ',' << m.at(i, j);
        ss << '\n';
    }
    return ss.str();
}

NamedMatrix read_named_matrix_csv(const std::string& path) {
    std::istringstream in(read_text_file(path));
    NamedMatrix m;
    std::string line;
    if (!std::getline(in, line)) throw UserError(path + ": empty matrix file (expected a header row)");
    auto header = split(trim(line), ',');
    m.col_names.assign(header.begin() + 1, header.end());
    std::size_t row = 1;
    while (std::getline(in, line)) {
        ++row;
        if (trim(line).empty()) continue;
        auto cells = split(trim(line), ',');
        if (cells.size() != m.col_names.size() + 1)
            throw UserError(path + ": row " + std::to_string(row) + " has " + std::to_string(cells.size()) +
                            " cells, expected " + std::to_string(m.col_names.size() + 1));
        m.row_names.push_back(cells[0]);
        for (std::size_t j = 1; j < cells.size(); ++j) {
            try {
                m.values.push_back(std::stod(cells[j]));
            } catch (const std::exception&) {
                throw UserError(path + ": row " + std::to_string(row) + ", column " + m.col_names[j - 1] +
                                ": '" + cells[j] + "' is not a number");
            }
        }
    }
    return m;
}

}  // namespace actopo
