// rp2_600 (600 points on the real projective plane) through GUDHI: the gudhi backend (in-process), the
// ripser backend and python3-gudhi agree, over Z/2 and over Z/3, and H1 differs between the two fields
// as it must (H1(RP2; Z/2) = Z/2, H1(RP2; Z/3) = 0).
//
// Threshold 0.7 (diameter; the distances reach about 1.5): GUDHI on the full complex takes about 50 s
// per field, at 0.7 about 1.5 s (1.35 million simplices up to dimension 2). The long Z/2 class is born at
// 0.1245 and, in the full complex, dies at 1.048 (ripser), so below the threshold it is essential; over
// Z/3 the same cycle dies at 0.3735 and no H1 class survives to 0.7.
#include "helpers.hpp"

using namespace actopo;

TEST_CASE("rp2_600 at threshold 0.7: gudhi = ripser = python3-gudhi over Z/2 and Z/3, H1 differs by field",
          "[persistence][coeff][oracle]") {
    const auto in = read_rips_input(ptest::bench_file("rp2_600.lower_distance_matrix.csv"), "lower-distance",
                                    Metric::precomputed);
    REQUIRE(in.n == 600);
    const double threshold = 0.7;
    std::map<int, Diagrams> gudhi_by_field;
    for (int coeff : {2, 3}) {
        INFO("Z/" << coeff);
        RipsOptions o;
        o.max_dim = 1;
        o.coeff = coeff;
        o.threshold = threshold;
        const Diagrams g = compute_persistence(in, o, "gudhi");
        const Diagrams r = compute_persistence(in, o, "ripser");
        const Diagrams py = ptest::python_gudhi(in, 1, threshold, coeff);
        {
            INFO("gudhi backend vs python3-gudhi");
            ptest::require_same(g, py);
        }
        {
            INFO("gudhi backend vs ripser backend");
            ptest::require_same(g, r);
        }
        gudhi_by_field[coeff] = g;
    }
    auto essential_h1 = [](const Diagrams& d) {
        std::vector<double> births;
        for (const auto& p : d.dims[1].pairs)
            if (p.essential()) births.push_back(p.birth);
        return births;
    };
    auto longest_finite_h1 = [](const Diagrams& d) {
        double best = 0;
        for (const auto& p : d.dims[1].pairs)
            if (!p.essential()) best = std::max(best, p.death - p.birth);
        return best;
    };
    const auto z2 = essential_h1(gudhi_by_field[2]), z3 = essential_h1(gudhi_by_field[3]);
    // Z/2: exactly one H1 class alive at the threshold, born with the first cycle (0.1245)
    REQUIRE(z2.size() == 1);
    CHECK(z2[0] == Approx(0.12445287704265695).epsilon(1e-6));
    // Z/3: none; the same cycle dies at 0.3735 (a bar of length 0.249)
    CHECK(z3.empty());
    CHECK(longest_finite_h1(gudhi_by_field[3]) == Approx(0.2490648893138694).epsilon(1e-5));
    // H0 does not depend on the field
    ptest::require_same(Diagrams{{gudhi_by_field[2].dims[0]}, {}}, Diagrams{{gudhi_by_field[3].dims[0]}, {}});
}
