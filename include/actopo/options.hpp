#pragma once
// Every stage's options declared once (issue 15). Per stage an ordered table of specs: name (the command line's
// spelling, `max-dim`; the experiment file's key is derived, `max_dim`), type, default, range or choices,
// semantic check (a prime coefficient, an overlap in (0, 1)) and help. From the table are made:
//   - the command's options (apps/command.hpp: add_stage_option), with the table's checks,
//   - the experiment file's schema and its checks (src/experiment/config.cpp: keys, types, ranges, choices),
//   - the job arguments the planner writes (the options the file set, and those whose experiment default
//     differs from the command's),
//   - the parameters the manifest records.
// So the command line and the experiment file refuse a value the same way. This header knows nothing of the
// command-line parser or the YAML reader.
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace actopo {

enum class OptionType {
    integer,   // a whole number within [min, max]
    real,      // a finite number within the range (ends excluded when open)
    text,      // one of `choices` when there are any
    flag,      // true or false; on the command line present or absent
    texts,     // a list of text (comma-separated on the command line)
    integers,  // a list of whole numbers (comma-separated on the command line)
};

struct OptionSpec {
    std::string name;                  // command-line spelling without the dashes: "max-dim"
    OptionType type = OptionType::text;
    std::string default_value;         // the command's default as text ("1", "euclidean", "false"); empty: none
    std::string help;
    double min = -std::numeric_limits<double>::infinity();  // integer, real and their lists: the range
    double max = std::numeric_limits<double>::infinity();
    bool open_min = false, open_max = false;  // real: the end itself excluded, (0, 1)
    std::vector<std::string> choices;  // text, texts: the values allowed (empty: any)
    /// A semantic check of one value (one item of a list), after type, range and choices: "" when good, else
    /// what was expected ("expected a prime number ..., got '4'").
    std::function<std::string(const std::string&)> check;
    std::string yaml_key;              // the experiment file's key when not name with '-' as '_'
    std::string run_default;           // the experiment's default when it differs from the command's (written
                                       // into every job then); "" for none
    bool cli = true;                   // the command declares it through the table (false: in its own form)
    bool yaml = true;                  // a key of the stage's section in the experiment file

    /// The experiment file's key ("max_dim").
    std::string key() const;
    /// The value an experiment uses when its file does not set the key ("" for none).
    std::string experiment_default() const { return run_default.empty() ? default_value : run_default; }
};

/// One stage's options, in the order the help, the schema's messages and the job arguments list them.
struct StageOptions {
    std::string stage;
    std::vector<OptionSpec> specs;

    /// The spec named `name` (command-line name or experiment key); nullptr when none.
    const OptionSpec* find(const std::string& name) const;
    /// The same; std::logic_error when none (a programming error: the table is fixed).
    const OptionSpec& at(const std::string& name) const;
    /// The experiment file's keys of this stage's section, in order.
    std::vector<std::string> keys() const;
};

/// The table of a stage: sampling, persistence, distances, mapper, coactivation, similarity, compare, train,
/// extract, explain, explain-quality, visualize. std::logic_error for another name.
const StageOptions& stage_options(const std::string& stage);
/// The values of the explain table's `method` option, in their canonical spelling: the base methods, `smoothgrad`
/// (the noise tunnel over `gradient`) and `smoothgrad:<method>` over each base method.
const std::vector<std::string>& explain_methods();
/// Every stage that has a table, in pipeline order.
const std::vector<std::string>& option_stages();

/// Checks one value (one item of a list) given as text against its spec: "" when it is good, else the problem in
/// words, e.g. "expected a whole number, got 'two'", "expected a number in (0, 1), got '1.5'", "expected one of
/// native, gudhi, ripser, got 'x'".
std::string option_problem(const OptionSpec& spec, const std::string& value);

/// A good value (option_problem() == "") in one spelling, so that a job's command line (its cache key) does not
/// change with how a number was written: "007" -> "7", "0.50" and "5e-1" -> "0.5"; other values as they are.
std::string canonical_value(const OptionSpec& spec, const std::string& value);

/// A stage's options as an experiment set them: name -> value as text (lists comma-joined), checked.
using OptionValues = std::map<std::string, std::string>;

/// The command-line arguments for a stage's job: for each spec of the table in order, `--name value` (a flag:
/// `--name` when true) when `set` gives it, or when its experiment default differs from the command's. Specs
/// whose names are in `skip` are left out (the planner writes those itself, e.g. one job per metric).
std::vector<std::string> option_arguments(const StageOptions& table, const OptionValues& set,
                                          const std::vector<std::string>& skip = {});

/// Every parameter of a stage as an experiment runs it: what `set` gives, else the experiment default (for the
/// manifest). Specs without a value, and those that are no key of the file (yaml false), are left out.
OptionValues resolved_options(const StageOptions& table, const OptionValues& set);

}  // namespace actopo
