// Every stage's options declared once (include/actopo/options.hpp): the checks, the job arguments, the tables.
#include <catch2/catch.hpp>
#include <set>

#include "actopo/options.hpp"

using namespace actopo;

TEST_CASE("options: one value checked against its spec, in the words the command line and the file share", "[core][options]") {
    const auto& persistence = stage_options("persistence");
    CHECK(option_problem(persistence.at("coeff"), "3") == "");
    CHECK(option_problem(persistence.at("coeff"), "4") ==
          "expected a prime number (2, 3, 5, 7, ...) for the coefficient field Z/p, got '4'");
    CHECK(option_problem(persistence.at("coeff"), "two") == "expected a whole number, got 'two'");
    CHECK(option_problem(stage_options("train").at("widths"), "x") == "'x' is not an integer (expected whole numbers, e.g. 64,32)");
    CHECK(option_problem(stage_options("train").at("widths"), "0") == "expected a number from 1 to 65536, got '0'");
    CHECK(option_problem(persistence.at("max-dim"), "9") == "expected a number from 0 to 8, got '9'");
    CHECK(option_problem(persistence.at("backend"), "fast") == "expected one of native, gudhi, ripser, got 'fast'");
    CHECK(option_problem(persistence.at("threshold"), "-1") == "expected a number >= 0, got '-1'");
    const auto& mapper = stage_options("mapper");
    CHECK(option_problem(mapper.at("overlap"), "0.3") == "");
    CHECK(option_problem(mapper.at("overlap"), "1") == "expected a number in (0, 1), got '1'");
    CHECK(option_problem(mapper.at("overlap"), "0") == "expected a number in (0, 1), got '0'");
    CHECK(option_problem(mapper.at("relu"), "maybe") == "expected true or false, got 'maybe'");
    CHECK(option_problem(stage_options("coactivation").at("threshold"), "1") == "");  // (0, 1]
    CHECK(option_problem(stage_options("coactivation").at("threshold"), "nan") == "expected a number, got 'nan'");
    const auto& metrics = stage_options("distances").at("metrics");
    for (const char* good : {"bottleneck", "sliced-wasserstein", "wasserstein", "wasserstein-1", "wasserstein-2.5"})
        CHECK(option_problem(metrics, good) == "");
    CHECK(option_problem(metrics, "wasserstein-0.5").find("expected wasserstein-P with a number P >= 1") == 0);
    CHECK(option_problem(metrics, "landscape").find("expected one of bottleneck") == 0);
}

TEST_CASE("options: experiment keys derive from the command's names, in the table's order", "[core][options]") {
    CHECK(stage_options("persistence").keys() ==
          std::vector<std::string>{"max_dim", "metric", "backend", "threshold", "coeff", "representatives", "min_persistence",
                                   "sparse"});
    CHECK(stage_options("mapper").keys() ==
          std::vector<std::string>{"lens", "intervals", "overlap", "clusterer", "cover", "relu", "points", "layers"});
    CHECK(stage_options("sampling").keys() == std::vector<std::string>{"method", "points", "normalize", "projection"});
    CHECK(stage_options("sampling").find("method") == stage_options("sampling").find("sampling"));
    CHECK(stage_options("train").keys() ==
          std::vector<std::string>{"arch", "widths", "epochs", "batch", "lr", "seed", "limit", "checkpoints"});
    // extract: every option of the command is in its table; an experiment's `dataset:` section takes three of them
    CHECK(stage_options("extract").keys() == std::vector<std::string>{"limit", "store_dtype", "pool"});
    for (const char* cli : {"layers", "batch", "threads", "compression", "calls", "logits", "dry-run", "list-layers"})
        CHECK(stage_options("extract").find(cli) != nullptr);
    CHECK(option_problem(stage_options("extract").at("compression"), "12") == "expected a number from 0 to 9, got '12'");
    CHECK(option_problem(stage_options("extract").at("batch"), "0") == "expected a number from 1 to 1048576, got '0'");
    CHECK_THROWS_AS(stage_options("nowhere"), std::logic_error);
    CHECK_THROWS_AS(stage_options("mapper").at("nothing"), std::logic_error);
}

TEST_CASE("options: every table is consistent (unique names and keys, defaults that pass their own checks)", "[core][options]") {
    REQUIRE(option_stages().size() == 14);
    for (const auto& stage : option_stages()) {
        std::set<std::string> names, keys;
        for (const auto& spec : stage_options(stage).specs) {
            INFO(stage << " " << spec.name);
            CHECK(names.insert(spec.name).second);
            CHECK(keys.insert(spec.key()).second);
            CHECK_FALSE(spec.help.empty());
            for (const auto& value : {spec.default_value, spec.run_default})
                if (!value.empty() && spec.type != OptionType::texts && spec.type != OptionType::integers)
                    CHECK(option_problem(spec, value) == "");
        }
    }
}

TEST_CASE("options: a job gets the options the file set and the defaults that differ from the command's", "[core][options]") {
    const auto& mapper = stage_options("mapper");
    // nothing set: the experiment's own defaults (every layer, ReLU first), nothing else
    CHECK(option_arguments(mapper, {}) == std::vector<std::string>{"--relu", "--layer", "all"});
    CHECK(option_arguments(mapper, {{"intervals", "6"}, {"relu", "false"}, {"layer", "fc1,fc2"}, {"lens", "pca"}}) ==
          std::vector<std::string>{"--lens", "pca", "--intervals", "6", "--layer", "fc1,fc2"});
    CHECK(option_arguments(mapper, {{"intervals", "6"}}, {"layer", "relu"}) == std::vector<std::string>{"--intervals", "6"});
    CHECK(option_arguments(stage_options("persistence"), {}) == std::vector<std::string>{"--max-dim", "1"});
    // the manifest's parameters: what was set, else the experiment's defaults
    const auto resolved = resolved_options(stage_options("persistence"), {{"coeff", "3"}});
    CHECK(resolved == OptionValues{{"max-dim", "1"}, {"metric", "euclidean"}, {"coeff", "3"}, {"representatives", "0"}});
}

TEST_CASE("options: a number has one spelling on a job's command line, however the file wrote it", "[core][options]") {
    const auto& mapper = stage_options("mapper");
    CHECK(canonical_value(mapper.at("overlap"), "0.50") == "0.5");
    CHECK(canonical_value(mapper.at("overlap"), "5e-1") == "0.5");
    CHECK(canonical_value(mapper.at("overlap"), "0.1") == "0.1");
    CHECK(canonical_value(mapper.at("intervals"), "007") == "7");
    CHECK(canonical_value(stage_options("train").at("lr"), "1e-3") == "0.001");
    CHECK(canonical_value(mapper.at("lens"), "knn:5") == "knn:5");
}

TEST_CASE("options: the explain table checks methods and targets as the command does, and leaves the seed to the experiment",
          "[core][options]") {
    const auto& explain = stage_options("explain");
    for (const auto& m : explain_methods()) CHECK(option_problem(explain.at("method"), m) == "");
    CHECK(explain_methods().size() == 45);  // 22 methods, smoothgrad, smoothgrad over each of the 22
    for (const std::string good : {"", "conv1=zb", "conv1=zb,Linear=epsilon,layer1.0.conv2=w-squared"})
        CHECK(option_problem(explain.at("layer-rules"), good) == "");
    CHECK(option_problem(explain.at("layer-rules"), "conv1=zb,fc") ==
          "expected <layer or type>=<rule>,... with a rule among lrp-0, epsilon, gamma, alpha1-beta0, zb, flat, w-squared, got 'fc'");
    for (const std::string good : {"data", "0,1", "-1.5,2e3"}) CHECK(option_problem(explain.at("bounds"), good) == "");
    for (const std::string bad : {"1,0", "0,1,2", "low,high", "0"})
        CHECK(option_problem(explain.at("bounds"), bad) == "expected data or LO,HI with LO < HI (e.g. 0,1), got '" + bad + "'");
    CHECK(option_problem(explain.at("method"), "saliency") == "");
    CHECK(option_problem(explain.at("method"), "smoothgrad:smoothgrad").rfind("unknown method 'smoothgrad:smoothgrad'", 0) == 0);
    CHECK(option_problem(explain.at("method"), "salency").rfind("unknown method 'salency' (closest: saliency", 0) == 0);
    for (const std::string good : {"label", "predicted", "0", "12"}) CHECK(option_problem(explain.at("target"), good) == "");
    for (const std::string bad : {"-1", "lable", "1.5", ""})
        CHECK(option_problem(explain.at("target"), bad) == "expected label, predicted or a class index (0, 1, ...), got '" + bad + "'");
    CHECK(explain.find("seed") != nullptr);
    CHECK_FALSE(explain.find("seed")->yaml);  // the experiment's own seed, written by the planner
    const auto resolved = resolved_options(explain, {{"steps", "8"}});
    CHECK(resolved.at("steps") == "8");
    CHECK(resolved.at("limit") == "100");  // an experiment explains 100 inputs unless told
    CHECK_FALSE(resolved.count("seed"));
    CHECK(option_arguments(explain, {{"method", "saliency,occlusion"}}) ==
          std::vector<std::string>{"--method", "saliency,occlusion", "--limit", "100"});
}
