#pragma once
// The report's "Findings": what an experiment's results show, in sentences written from the numbers, each with
// the figure it comes from. Private to the report module (src/report/report.cpp puts them at the top).
#include <filesystem>
#include <string>
#include <vector>

namespace actopo::report {

struct Finding {
    std::string text;
    std::string figure;  // relative to the results folder; empty when there is none
};

/// Findings from the results folder `dir` of an experiment whose final models are `models` (in order):
///   - groups of layers in every layer x layer matrix (average linkage cut at the largest gap between merges)
///   - whether topology and representation similarity agree (compare/agreement.csv)
///   - where classes split apart in each model's Mapper class hierarchy
///   - which classes share co-activation communities, and how that matches the confusion matrix
///   - the explanation methods' quality: most selective, most stable, which pass the randomisation check
std::vector<Finding> findings(const std::filesystem::path& dir, const std::vector<std::string>& models);

}  // namespace actopo::report
