// paperkit::robust models and data: hand-written gradients against central finite differences
// (double), the digits and Fashion-MNIST readers, malformed files, and the Dirichlet split.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/robust/data.hpp"
#include "paperkit/robust/models.hpp"
#include "support/run_tool.hpp"
#include "support/seeds.hpp"

namespace {

namespace robust = paperkit::robust;
using paperkit::Rng;

void check_gradient(const std::string& spec, double l2, std::uint64_t seed) {
  SCOPED_TRACE(spec + " " + paperkit::test::seed_note(seed));
  Rng rng(seed);
  const std::size_t p = 6, c = 4, batch = 9;
  auto model = robust::make_model<double>(spec, p, c);
  std::vector<double> theta(model->dim()), grad(model->dim()), x(batch * p);
  model->init(theta, rng);
  for (auto& v : theta) v += 0.3 * (rng.uniform01() - 0.5);
  for (auto& v : x) v = 2 * rng.uniform01() - 1;
  std::vector<int> y(batch);
  for (auto& v : y) v = static_cast<int>(rng.uniform_below(c));
  model->loss(theta, x.data(), y.data(), batch, l2, grad);
  const double h = 1e-6;
  const auto f = [&](const std::vector<double>& t) { return model->loss(t, x.data(), y.data(), batch, l2, {}); };
  // Directional derivative along a random direction.
  std::vector<double> dir(theta.size());
  for (auto& v : dir) v = rng.uniform01() - 0.5;
  auto plus = theta, minus = theta;
  for (std::size_t i = 0; i < theta.size(); ++i) plus[i] += h * dir[i], minus[i] -= h * dir[i];
  const double numeric = (f(plus) - f(minus)) / (2 * h);
  const double analytic = std::inner_product(grad.begin(), grad.end(), dir.begin(), 0.0);
  EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric)));
  // 40 random single entries.
  for (int k = 0; k < 40; ++k) {
    const std::size_t i = rng.uniform_below(theta.size());
    auto a = theta, b = theta;
    a[i] += h;
    b[i] -= h;
    EXPECT_NEAR(grad[i], (f(a) - f(b)) / (2 * h), 1e-6) << "entry " << i;
  }
}

TEST(UnitRobustModel, LogRegGradientMatchesFiniteDifferences) {
  check_gradient("logreg", 0.0, paperkit::test::base_seed() + 20);
  check_gradient("logreg", 0.05, paperkit::test::base_seed() + 21);
}

TEST(UnitRobustModel, MlpGradientMatchesFiniteDifferences) {
  check_gradient("mlp:7", 0.0, paperkit::test::base_seed() + 22);
  check_gradient("mlp:5", 0.05, paperkit::test::base_seed() + 23);
}

// The gradient must not depend on where the buffers sit in memory (bitwise): the MPI engine's ranks
// and the simulator hold their models in differently placed heap blocks and must agree exactly.
// Offsets 0..15 floats cover every position relative to a 64-byte boundary.
TEST(UnitRobustModel, GradientDoesNotDependOnBufferAlignment) {
  for (const char* spec : {"mlp:32", "mlp:7", "logreg"}) {
    auto model = robust::make_model<float>(spec, 64, 10);
    const std::size_t d = model->dim(), b = 25, p = 64;
    paperkit::Rng rng(paperkit::test::base_seed() + 3);
    std::vector<float> theta(d), x(b * p);
    model->init(theta, rng);
    for (auto& v : x) v = static_cast<float>(rng.uniform01());
    std::vector<int> y(b);
    for (auto& v : y) v = static_cast<int>(rng.uniform_below(10));
    std::vector<float> reference;
    for (std::size_t off = 0; off < 16; ++off) {
      std::vector<float> tbuf(d + 16), xbuf(b * p + 16), gbuf(d + 16);
      float* t = tbuf.data() + off;
      float* xs = xbuf.data() + (15 - off);
      float* g = gbuf.data() + off;
      std::copy(theta.begin(), theta.end(), t);
      std::copy(x.begin(), x.end(), xs);
      model->loss(std::span<const float>(t, d), xs, y.data(), b, 1e-4, std::span<float>(g, d));
      if (reference.empty()) reference.assign(g, g + d);
      for (std::size_t i = 0; i < d; ++i) ASSERT_EQ(g[i], reference[i]) << spec << " offset " << off << " index " << i;
    }
  }
}

TEST(UnitRobustModel, SpecsAndSizes) {
  EXPECT_EQ(robust::make_model<float>("logreg", 64, 10)->dim(), 650u);
  EXPECT_EQ(robust::make_model<float>("mlp:32", 64, 10)->dim(), 64u * 32 + 32 + 32 * 10 + 10);
  EXPECT_EQ(robust::make_model<float>("mlp:100", 784, 10)->dim(), 79510u);  // the spec's simples-full
  EXPECT_THROW(robust::make_model<float>("cnn", 64, 10), paperkit::InvalidParameter);
  EXPECT_THROW(robust::make_model<float>("mlp:0", 64, 10), paperkit::InvalidParameter);
  EXPECT_THROW(robust::make_model<float>("mlp:x", 64, 10), paperkit::InvalidParameter);
}

TEST(UnitRobustData, DigitsFromTheRepository) {
  const auto tt = robust::read_digits(std::string(PAPERKIT_SOURCE_DIR) + "/data/digits.csv.gz");
  EXPECT_EQ(tt.train.size() + tt.test.size(), 1797u);
  EXPECT_EQ(tt.train.size(), 1437u);
  EXPECT_EQ(tt.train.features, 64u);
  std::vector<int> counts(10, 0);
  for (int y : tt.train.y) counts[static_cast<std::size_t>(y)]++;
  for (int y : tt.test.y) counts[static_cast<std::size_t>(y)]++;
  for (int k : counts) {
    EXPECT_GE(k, 174);
    EXPECT_LE(k, 183);
  }
  for (float v : tt.train.x) ASSERT_TRUE(v >= 0 && v <= 1);
}

TEST(UnitRobustData, FashionMnistWhenInstalled) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const auto tt = robust::read_idx(dir);
  EXPECT_EQ(tt.train.size(), 60000u);
  EXPECT_EQ(tt.test.size(), 10000u);
  EXPECT_EQ(tt.train.features, 784u);
}

TEST(UnitRobustData, MalformedFilesAreInputErrors) {
  const auto dir = paperkit::test::scratch_dir();
  paperkit::test::write_file(dir / "short.csv", "0,1,2\n");
  EXPECT_THROW(robust::read_digits((dir / "short.csv").string()), paperkit::InputError);
  std::string row;
  for (int i = 0; i < 64; ++i) row += "1,";
  paperkit::test::write_file(dir / "label.csv", row + "12\n");
  EXPECT_THROW(robust::read_digits((dir / "label.csv").string()), paperkit::InputError);
  paperkit::test::write_file(dir / "text.csv", row + "x\n");
  EXPECT_THROW(robust::read_digits((dir / "text.csv").string()), paperkit::InputError);
  EXPECT_THROW(robust::read_digits((dir / "missing.csv").string()), paperkit::InputError);
  std::filesystem::create_directories(dir / "idx");
  paperkit::test::write_file(dir / "idx" / "train-images-idx3-ubyte", "garbage");
  paperkit::test::write_file(dir / "idx" / "train-labels-idx1-ubyte", "garbage");
  EXPECT_THROW(robust::read_idx((dir / "idx").string()), paperkit::InputError);
  EXPECT_THROW(robust::load_data("mnist:/x"), paperkit::InvalidParameter);
}

robust::Dataset balanced(std::size_t per_class) {
  robust::Dataset d;
  d.features = 1;
  for (std::size_t c = 0; c < 10; ++c) {
    for (std::size_t k = 0; k < per_class; ++k) {
      d.x.push_back(0.f);
      d.y.push_back(static_cast<int>(c));
    }
  }
  return d;
}

TEST(StatisticalRobustData, DirichletSplitConcentration) {
  const auto data = balanced(1000);
  Rng a(7), b(7);
  EXPECT_EQ(robust::dirichlet_shard(data, 21, 1.0, a), robust::dirichlet_shard(data, 21, 1.0, b));
  // alpha = 1e4: every class near 1/10 of floor(10000/21) = 476 samples (sd of a share ~ 0.003).
  Rng r(paperkit::test::base_seed() + 30);
  for (int w = 0; w < 10; ++w) {
    const auto s = robust::dirichlet_shard(data, 21, 1e4, r);
    std::vector<int> counts(10, 0);
    for (auto i : s) counts[static_cast<std::size_t>(data.y[i])]++;
    for (int k : counts) {
      EXPECT_GE(k, 37);
      EXPECT_LE(k, 58);
    }
  }
  // alpha = 0.1: one class dominates. The largest of Dir(0.1 x 10) shares exceeds 0.5 with
  // probability about 0.77 per worker (simulated); over 40 workers we require at least 15 (false-failure rate
  // about 1e-8 by the binomial tail).
  int dominated = 0;
  for (int w = 0; w < 40; ++w) {
    const auto s = robust::dirichlet_shard(data, 21, 0.1, r);
    std::vector<int> counts(10, 0);
    for (auto i : s) counts[static_cast<std::size_t>(data.y[i])]++;
    dominated += *std::max_element(counts.begin(), counts.end()) * 2 > static_cast<int>(s.size());
  }
  EXPECT_GE(dominated, 15);
}

}  // namespace
