// Similarity metrics: properties (identity, invariances, non-invariance), a numpy oracle, bad input.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "actopo/similarity.hpp"

using namespace actopo;
using Eigen::MatrixXd;

namespace {

MatrixXd random_matrix(Eigen::Index n, Eigen::Index p, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    MatrixXd m(n, p);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < p; ++j) m(i, j) = g(rng);
    return m;
}

MatrixXd random_orthogonal(Eigen::Index p, unsigned seed) {
    Eigen::HouseholderQR<MatrixXd> qr(random_matrix(p, p, seed));
    return qr.householderQ() * MatrixXd::Identity(p, p);
}

void write_matrix(const std::string& path, const MatrixXd& m) {
    std::ofstream out(path);
    out.precision(17);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) out << (j ? "," : "") << m(i, j);
        out << "\n";
    }
}

// Runs a numpy script on X and Y and returns the numbers it prints, one per line.
std::vector<double> numpy_oracle(const MatrixXd& x, const MatrixXd& y, const std::string& body) {
    const std::string dir = std::string(ACTOPO_BINARY) + "-similarity-oracle-" + std::to_string(::getpid());
    std::system(("mkdir -p '" + dir + "'").c_str());
    write_matrix(dir + "/x.csv", x);
    write_matrix(dir + "/y.csv", y);
    std::ofstream(dir + "/oracle.py") << "import numpy as np\n"
                                      << "X=np.loadtxt('" << dir << "/x.csv',delimiter=',',ndmin=2)\n"
                                      << "Y=np.loadtxt('" << dir << "/y.csv',delimiter=',',ndmin=2)\n"
                                      << body;
    FILE* p = popen(("/usr/bin/python3 '" + dir + "/oracle.py'").c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) text += buf;
    REQUIRE(pclose(p) == 0);
    std::vector<double> values;
    std::istringstream in(text);
    double v;
    while (in >> v) values.push_back(v);
    return values;
}

}  // namespace

TEST_CASE("every metric gives identity on X vs X", "[similarity]") {
    const MatrixXd x = random_matrix(60, 5, 1);
    CHECK(linear_cka(x, x) == Approx(1.0).epsilon(1e-12));
    CHECK(rbf_cka(x, x) == Approx(1.0).epsilon(1e-12));
    CHECK(debiased_cka(x, x) == Approx(1.0).epsilon(1e-12));
    CHECK(svcca(x, x) == Approx(1.0).epsilon(1e-9));
    CHECK(pwcca(x, x) == Approx(1.0).epsilon(1e-9));
    CHECK(procrustes_distance(x, x) == Approx(0.0).margin(1e-9));
    CHECK(rsa(x, x) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("CKA is invariant under orthogonal maps and isotropic scaling, not under general invertible maps",
          "[similarity]") {
    const MatrixXd x = random_matrix(80, 6, 2);
    const MatrixXd y = x.leftCols(3) * random_matrix(3, 4, 3) + 0.5 * random_matrix(80, 4, 4);
    const MatrixXd q = random_orthogonal(6, 5);
    const MatrixXd xt = 3.7 * x * q + MatrixXd::Constant(80, 6, 2.0);  // rotate, scale, translate
    for (auto m : {SimilarityMetric::linear_cka, SimilarityMetric::rbf_cka, SimilarityMetric::debiased_cka,
                   SimilarityMetric::svcca, SimilarityMetric::procrustes, SimilarityMetric::rsa}) {
        INFO(similarity_metric_name(m));
        CHECK(similarity(m, xt, y) == Approx(similarity(m, x, y)).epsilon(1e-8));
    }
    // PWCCA weighs canonical directions by the neurons themselves: scale-invariant, not rotation-invariant.
    CHECK(pwcca(3.7 * x, y) == Approx(pwcca(x, y)).epsilon(1e-8));
    CHECK(pwcca(x * q, y) != Approx(pwcca(x, y)).epsilon(1e-4));
    // An anisotropic invertible map changes CKA and Procrustes, but not CCA (which is affine invariant).
    Eigen::VectorXd d(6);
    d << 10, 1, 1, 0.2, 1, 5;
    const MatrixXd xa = x * d.asDiagonal() * q;
    CHECK(linear_cka(xa, x) < 0.9);
    CHECK(procrustes_distance(xa, x) > 0.05);
    CHECK(svcca(xa, x) == Approx(1.0).epsilon(1e-8));
}

TEST_CASE("wide layers: the Gram form of linear CKA equals the feature form", "[similarity]") {
    const MatrixXd x = random_matrix(20, 30, 6), y = random_matrix(20, 25, 7);
    const MatrixXd xs = x.leftCols(8), ys = y.leftCols(9);  // narrow: feature form
    const MatrixXd xc = x.rowwise() - x.colwise().mean(), yc = y.rowwise() - y.colwise().mean();
    const double expected =
        (yc.transpose() * xc).squaredNorm() / ((xc.transpose() * xc).norm() * (yc.transpose() * yc).norm());
    CHECK(linear_cka(x, y) == Approx(expected).epsilon(1e-10));
    CHECK(linear_cka(xs, ys) > 0.0);
}

TEST_CASE("metrics match an independent numpy computation", "[similarity]") {
    const MatrixXd x = random_matrix(50, 4, 8);
    const MatrixXd y = x.leftCols(2) * random_matrix(2, 3, 9) + random_matrix(50, 3, 10);
    const auto v = numpy_oracle(x, y, R"PY(
n=X.shape[0]; H=np.eye(n)-np.ones((n,n))/n
def lin(A): return A@A.T
def rbf(A):
    D=((A[:,None,:]-A[None,:,:])**2).sum(-1); s=np.median(np.sqrt(D[np.triu_indices(n,1)]))
    return np.exp(-D/(2*s*s))
def hsic(K,L): return np.trace(K@H@L@H)
def cka(K,L): return hsic(K,L)/np.sqrt(hsic(K,K)*hsic(L,L))
def hu(K,L):
    K=K.copy(); L=L.copy(); np.fill_diagonal(K,0); np.fill_diagonal(L,0); o=np.ones(n)
    return (np.trace(K@L)+o@K@o*(o@L@o)/((n-1)*(n-2))-2/(n-2)*o@K@L@o)/(n*(n-3))
Xc=X-X.mean(0); Yc=Y-Y.mean(0)
print(cka(lin(X),lin(Y)))
print(cka(rbf(X),rbf(Y)))
print(hu(lin(Xc),lin(Yc))/np.sqrt(hu(lin(Xc),lin(Xc))*hu(lin(Yc),lin(Yc))))
Xn=Xc/np.linalg.norm(Xc); Yn=Yc/np.linalg.norm(Yc)
print(2-2*np.linalg.svd(Xn.T@Yn,compute_uv=False).sum())
print(np.arccos(min(1.0,np.linalg.svd(Xn.T@Yn,compute_uv=False).sum())))
Qx,_=np.linalg.qr(Xc); Qy,_=np.linalg.qr(Yc)
print(np.linalg.svd(Qx.T@Qy,compute_uv=False).mean())
)PY");
    REQUIRE(v.size() == 6);
    CHECK(linear_cka(x, y) == Approx(v[0]).epsilon(1e-9));
    CHECK(rbf_cka(x, y) == Approx(v[1]).epsilon(1e-9));
    CHECK(debiased_cka(x, y) == Approx(v[2]).epsilon(1e-9));
    CHECK(procrustes_distance(x, y) == Approx(v[3]).epsilon(1e-9));
    CHECK(procrustes_angular(x, y) == Approx(v[4]).epsilon(1e-9));
    CHECK(canonical_correlations(x, y).mean() == Approx(v[5]).epsilon(1e-9));
    CHECK(svcca(x, y, 1.0) == Approx(v[5]).epsilon(1e-9));  // keeping all variance = plain mean CCA
}

TEST_CASE("procrustes-angular is a metric (triangle inequality), procrustes-squared is not", "[similarity]") {
    // three layers on a path: the squared distance breaks the triangle inequality somewhere, the angle never
    std::size_t squared_broken = 0;
    for (unsigned seed = 0; seed < 20; ++seed) {
        const MatrixXd a = random_matrix(40, 3, 100 + seed), c = random_matrix(40, 3, 200 + seed);
        const MatrixXd b = 0.5 * (a + c);
        const double ab = procrustes_angular(a, b), bc = procrustes_angular(b, c), ac = procrustes_angular(a, c);
        CHECK(ac <= ab + bc + 1e-12);
        CHECK(procrustes_angular(a, a * random_orthogonal(3, seed)) == Approx(0.0).margin(1e-6));
        squared_broken += procrustes_distance(a, c) > procrustes_distance(a, b) + procrustes_distance(b, c) + 1e-12;
    }
    CHECK(squared_broken > 0);
}

TEST_CASE("debiased CKA is near zero for unrelated layers, linear CKA is not", "[similarity]") {
    const MatrixXd x = random_matrix(40, 30, 11), y = random_matrix(40, 30, 12);
    CHECK(std::abs(debiased_cka(x, y)) < 0.1);
    CHECK(linear_cka(x, y) > 0.3);  // the known small-n bias of the plain estimator
}

TEST_CASE("Spearman is Pearson on average ranks, with ties", "[similarity]") {
    Eigen::VectorXd a(6), b(6), ra(6), rb(6);
    a << 3, 1, 2, 2, 5, 2;
    b << 1, 4, 4, 0, 9, 4;
    ra << 5, 1, 3, 3, 6, 3;         // the three 2s share ranks 2,3,4
    rb << 2, 4, 4, 1, 6, 4;         // the three 4s share ranks 3,4,5
    CHECK(average_ranks(a).isApprox(ra));
    CHECK(average_ranks(b).isApprox(rb));
    // Pearson on the hand ranks: mean 3.5 each; cov = sum (ra-3.5)(rb-3.5).
    const Eigen::VectorXd ca = ra.array() - 3.5, cb = rb.array() - 3.5;
    CHECK(spearman(a, b) == Approx(ca.dot(cb) / (ca.norm() * cb.norm())).epsilon(1e-12));
    CHECK(spearman(a, Eigen::VectorXd::Constant(6, 1.0)) != spearman(a, Eigen::VectorXd::Constant(6, 1.0)));  // NaN
}

TEST_CASE("similarity matrix: layer x layer, refusing bad input", "[similarity]") {
    const MatrixXd x = random_matrix(30, 4, 13);
    std::vector<std::int64_t> ids(30);
    for (int i = 0; i < 30; ++i) ids[i] = i;
    std::vector<LayerData> layers{{"a", x, ids}, {"b", x * random_orthogonal(4, 14), ids}, {"c", random_matrix(30, 7, 15), ids}};
    const NamedMatrix m = similarity_matrix(layers, layers, SimilarityMetric::linear_cka);
    REQUIRE(m.row_names == std::vector<std::string>{"a", "b", "c"});
    CHECK(m.at(0, 1) == Approx(1.0));
    CHECK(m.at(0, 2) == Approx(m.at(2, 0)));
    CHECK(m.at(0, 2) < 0.9);

    SECTION("different numbers of inputs") {
        std::vector<LayerData> other{{"d", random_matrix(20, 4, 16), std::vector<std::int64_t>(ids.begin(), ids.begin() + 20)}};
        CHECK_THROWS_AS(similarity_matrix(layers, other, SimilarityMetric::linear_cka), UserError);
        CHECK_THROWS_AS(linear_cka(x, random_matrix(20, 4, 16)), UserError);
    }
    SECTION("different inputs") {
        auto shifted = ids;
        shifted[0] = 99;
        std::vector<LayerData> other{{"d", x, shifted}};
        CHECK_THROWS_WITH(similarity_matrix(layers, other, SimilarityMetric::linear_cka), Catch::Contains("same inputs"));
    }
    SECTION("constant layer") {
        std::vector<LayerData> other{{"flat", MatrixXd::Constant(30, 3, 0.5), ids}};
        CHECK_THROWS_WITH(similarity_matrix(layers, other, SimilarityMetric::rsa), Catch::Contains("flat"));
    }
    SECTION("NaN") {
        MatrixXd bad = x;
        bad(3, 1) = std::nan("");
        std::vector<LayerData> other{{"nan-layer", bad, ids}};
        CHECK_THROWS_WITH(similarity_matrix(layers, other, SimilarityMetric::svcca), Catch::Contains("nan-layer"));
    }
    SECTION("CCA with more dimensions than inputs") {
        CHECK_THROWS_AS(pwcca(random_matrix(10, 12, 17), random_matrix(10, 3, 18)), UserError);
    }
    CHECK_THROWS_AS(parse_similarity_metric("cosine"), UserError);
}
