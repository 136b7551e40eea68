#pragma once
// Every metric side by side: several layer x layer (or model x model) matrices over the same names,
// one long table, and how well each pair of metrics agrees.
//   Agreement = Spearman correlation of the two matrices' upper triangles (i < j), with a Mantel
//   permutation test: the names of one matrix are permuted (rows and columns together), seeded, and the
//   two-sided p-value is (1 + #{|r_perm| >= |r|}) / (1 + permutations). Similarities (CKA) and distances
//   (Wasserstein, Procrustes) agree with a negative sign. Asymmetric matrices are symmetrised (M + M^T) / 2.
#include <cstdint>
#include <string>
#include <vector>

#include "actopo/core.hpp"

namespace actopo {

struct MetricMatrix {
    std::string metric;
    NamedMatrix matrix;
};

/// "name=path" or "path" (the metric is then the file's stem) -> the matrix read from the CSV.
MetricMatrix read_metric_matrix(const std::string& spec);

/// Checks that every matrix is square over the same names (reordering to the first one's order) and finite;
/// UserError naming the metric and the name at fault. Needs at least 2 matrices and 3 names.
std::vector<MetricMatrix> align_matrices(std::vector<MetricMatrix> matrices);

struct Agreement {
    std::string a, b;
    double spearman = 0;
    double p_value = 1;
    std::size_t pairs = 0, permutations = 0;
};

Agreement mantel_test(const NamedMatrix& a, const NamedMatrix& b, std::size_t permutations, std::uint64_t seed);
/// Every pair of metrics (aligned matrices).
std::vector<Agreement> pairwise_agreement(const std::vector<MetricMatrix>& matrices, std::size_t permutations,
                                          std::uint64_t seed);

/// "row,col,<metric>,<metric>,..." one line per pair i < j.
std::string comparison_table_csv(const std::vector<MetricMatrix>& matrices);
/// "metric_a,metric_b,spearman,p_value,pairs,permutations".
std::string agreement_csv(const std::vector<Agreement>& agreements);
/// The agreement as a metric x metric matrix of Spearman correlations (1 on the diagonal).
NamedMatrix agreement_matrix(const std::vector<MetricMatrix>& matrices, const std::vector<Agreement>& agreements);

}  // namespace actopo
