// The `ripser` backend: writes the distances to a temporary file (a lower-distance text matrix with 9
// significant digits, which reads back as the same float32; or sparse triplets for a sparse input;
// Debian's ripser 1.2.1 aborts on its own `binary` format, so that is not used), runs Debian's /usr/bin/ripser (Z/2) or /usr/bin/ripser-coeff
// (other primes) with an explicit --threshold, and parses "persistence intervals in dim k:" blocks.
// Ripser prints values with 6 significant digits; a printed value is replaced by the input distance
// that prints the same when there is exactly one, which recovers the exact float32 value.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "persistence/internal.hpp"

namespace actopo::persistence_detail {
namespace {

/// A temporary file removed on destruction.
struct TempFile {
    std::string path;
    TempFile() {
        const char* dir = std::getenv("TMPDIR");
        std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/actopo-ripser-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        int fd = mkstemp(buf.data());
        if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + tmpl);
        close(fd);
        path = buf.data();
    }
    ~TempFile() { std::remove(path.c_str()); }
};

/// Writes the input as Ripser reads it; returns the --format name. Fills `values` with every distance
/// and `seen` with the number of vertices Ripser will know of (a sparse file names no isolated last vertex).
std::string write_input(const RipsInput& input, const std::string& path, std::vector<float>& values,
                        std::size_t& seen) {
    std::ofstream out(path, std::ios::binary);
    seen = input.n;
    if (input.kind == RipsInput::Kind::sparse_edges) {
        seen = 0;
        for (const auto& e : input.edges) {
            if (e.i == e.j) continue;
            out << e.i << ' ' << e.j << ' ' << format_number(e.d) << '\n';
            values.push_back(e.d);
            seen = std::max<std::size_t>(seen, e.i + 1);
        }
        if (!out) throw std::runtime_error("cannot write the temporary file " + path);
        return "sparse";
    }
    values = input.lower_triangle();
    std::size_t k = 0;
    for (std::size_t i = 0; i < input.n; ++i) {
        for (std::size_t j = 0; j < i; ++j) out << format_number(values[k++]) << (j + 1 < i ? ',' : '\n');
        throw_if_cancelled();
    }
    if (!out) throw std::runtime_error("cannot write the temporary file " + path);
    return "lower-distance";
}

/// The input distance that prints as `printed` (6 significant digits), when exactly one distinct
/// distance does; otherwise the printed value (then exact to 6 digits only).
double snap(double printed, const std::vector<float>& sorted) {
    if (sorted.empty() || printed == 0) return printed;
    const double half = 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(printed))) - 5) * (1 + 1e-9);
    auto lo = std::lower_bound(sorted.begin(), sorted.end(), float(printed - half));
    auto hi = std::upper_bound(sorted.begin(), sorted.end(), float(printed + half));
    if (lo == hi || *lo != *(hi - 1)) return printed;
    return std::abs(*lo - printed) <= half ? double(*lo) : printed;
}

Diagrams parse_output(const std::string& text, int max_dim, const std::vector<float>& sorted) {
    Diagrams out;
    std::istringstream in(text);
    std::string line;
    Diagram* current = nullptr;
    const std::string header = "persistence intervals in dim ";
    while (std::getline(in, line)) {
        if (line.rfind(header, 0) == 0) {
            Diagram d;
            d.dim = std::stoi(line.substr(header.size()));
            out.dims.push_back(d);
            current = &out.dims.back();
            continue;
        }
        auto open = line.find('['), comma = line.find(','), close = line.find(')');
        if (!current || open == std::string::npos || comma == std::string::npos || close == std::string::npos)
            continue;
        PersistencePair p;
        p.birth = snap(std::stod(line.substr(open + 1, comma - open - 1)), sorted);
        std::string death = trim(line.substr(comma + 1, close - comma - 1));
        if (!death.empty()) p.death = snap(std::stod(death), sorted);
        current->pairs.push_back(p);
    }
    canonicalize(out, max_dim);
    return out;
}

class RipserBackend : public PersistenceBackend {
public:
    std::string name() const override { return "ripser"; }

    Diagrams compute(const RipsInput& input, const RipsOptions& options) const override {
        check_coefficient(options.coeff);
        if (options.sparse_epsilon > 0)
            throw UserError("the ripser backend has no sparse Rips approximation; use --backend native or gudhi with --sparse");
        const char* exe = options.coeff == 2 ? "/usr/bin/ripser" : "/usr/bin/ripser-coeff";
        if (access(exe, X_OK) != 0)
            throw EnvironmentError(std::string("the ripser backend needs ") + exe + " (Debian package ripser)");
        const double threshold = effective_threshold(input, options);
        TempFile file;
        std::vector<float> values;
        std::size_t seen = 0;
        std::string format = write_input(input, file.path, values, seen);
        std::vector<std::string> command{exe, "--format", format, "--dim", std::to_string(options.max_dim)};
        if (!std::isinf(threshold)) command.insert(command.end(), {"--threshold", format_number(threshold)});
        if (options.coeff != 2) command.insert(command.end(), {"--modulus", std::to_string(options.coeff)});
        command.push_back(file.path);
        const ProcessResult run = run_process(command, "", true);
        throw_if_cancelled();
        if (run.status != 0)
            throw UserError("the ripser backend failed (" + join(command, " ") + " exited with status " +
                            std::to_string(run.status) + ")");
        const std::string& text = run.output;
        std::sort(values.begin(), values.end());
        Diagrams out = parse_output(text, options.max_dim, values);
        for (std::size_t v = seen; v < input.n; ++v) out.dims[0].pairs.push_back({0.0});  // isolated vertices
        canonicalize(out, options.max_dim);
        return out;
    }
};

}  // namespace

std::unique_ptr<PersistenceBackend> make_ripser_backend() { return std::make_unique<RipserBackend>(); }

}  // namespace actopo::persistence_detail
