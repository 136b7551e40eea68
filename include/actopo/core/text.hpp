#pragma once
// Text and hashing: SHA-256, "did you mean" names, joining and splitting, numbers as text, safe file names,
// XML escaping, ISO times and the toolkit's version.
#include <ctime>
#include <string>
#include <vector>

namespace actopo {

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
/// "1 layer", "3 layers", "0 layers": the count and the noun, plural unless the count is 1 (`plural`: when
/// not the noun + "s").
std::string count_noun(std::size_t count, const std::string& noun, const std::string& plural = "");
/// Numbers as every message, attribute and table shows them (one spelling for the whole toolkit):
/// format_number: `significant` significant digits as printf's %g ("0.5", "1e-12", "1.23456789e+08",
/// "inf", "nan"); format_fixed: `digits` digits after the point ("0.500"); format_exact: the shortest %g
/// spelling that reads back as exactly v (an option's canonical value).
std::string format_number(double v, int significant = 9);
std::string format_fixed(double v, int digits = 3);
std::string format_exact(double v);
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

}  // namespace actopo
