// paperkit::robust training loop: MoNNA with f = 0 equals D-SGD with momentum step for step
// (bitwise, spec §6), the loop against a hand-written D-SGD, determinism, and the wiring of an attack.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/robust/train.hpp"

namespace {

namespace robust = paperkit::robust;

// Ten Gaussian clusters in 8 dimensions: easy, so accuracy separates working from broken runs.
robust::TrainTest clusters(std::uint64_t seed) {
  paperkit::Rng rng(seed);
  const auto normal = [&] {
    const double u1 = 1.0 - rng.uniform01(), u2 = rng.uniform01();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  };
  std::vector<std::vector<double>> centres(10, std::vector<double>(8));
  for (auto& c : centres) {
    for (auto& v : c) v = 3 * normal();
  }
  robust::TrainTest tt;
  for (auto* d : {&tt.train, &tt.test}) {
    d->features = 8;
    for (int i = 0; i < 600; ++i) {
      const int y = i % 10;
      for (std::size_t k = 0; k < 8; ++k) d->x.push_back(static_cast<float>(centres[y][k] + normal()));
      d->y.push_back(y);
    }
  }
  return tt;
}

robust::TrainConfig small_config() {
  robust::TrainConfig c;
  c.n = 5;
  c.f = 0;
  c.steps = 30;
  c.batch = 5;
  c.lr = 0.3;
  c.beta = 0.9;
  c.l2 = 1e-3;
  c.dirichlet = 1.0;
  c.receive = robust::Receive::all;
  c.attack.type = robust::Attack::none;
  c.eval_every = 10;
  c.seed = 3;
  return c;
}

TEST(UnitRobustTrain, MonnaWithoutByzantinesIsDsgdBitwise) {
  const auto data = clusters(11);
  auto model = robust::make_model<float>("mlp:6", 8, 10);
  auto c = small_config();
  c.rule.rule = robust::Rule::nna;
  const auto monna = robust::train(c, *model, data);
  c.rule.rule = robust::Rule::average;
  const auto dsgd = robust::train(c, *model, data);
  ASSERT_EQ(monna.final_models.size(), 5u);
  EXPECT_EQ(monna.final_models, dsgd.final_models);
  ASSERT_EQ(monna.curve.size(), dsgd.curve.size());
  for (std::size_t i = 0; i < monna.curve.size(); ++i) EXPECT_EQ(monna.curve[i].acc_node0, dsgd.curve[i].acc_node0);
}

TEST(UnitRobustTrain, LoopMatchesHandWrittenDsgd) {
  const auto data = clusters(12);
  auto model = robust::make_model<float>("logreg", 8, 10);
  auto c = small_config();
  c.rule.rule = robust::Rule::average;
  c.steps = 12;
  const auto result = robust::train(c, *model, data);
  // By hand: every node steps, then every node takes the plain mean of all half-step models.
  const auto theta0 = robust::initial_model(c, *model);
  std::vector<robust::NodeState> nodes;
  for (std::size_t i = 0; i < 5; ++i) nodes.push_back(robust::make_node(c, data.train, theta0, i));
  robust::NodeWork work;
  for (std::size_t t = 0; t < c.steps; ++t) {
    for (auto& s : nodes) robust::local_step(s, *model, data.train, c, t, work);
    std::vector<double> mean(theta0.size(), 0.0);
    for (auto& s : nodes) {
      for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += s.half[k] / 5.0;
    }
    for (auto& s : nodes) {
      for (std::size_t k = 0; k < mean.size(); ++k) s.x[k] = static_cast<float>(mean[k]);
    }
  }
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t k = 0; k < theta0.size(); ++k) {
      EXPECT_NEAR(result.final_models[i][k], nodes[i].x[k], 1e-5 * (1 + std::abs(nodes[i].x[k])));
    }
  }
}

TEST(UnitRobustTrain, SameSeedSameCurveOtherSeedOther) {
  const auto data = clusters(13);
  auto model = robust::make_model<float>("logreg", 8, 10);
  auto c = small_config();
  c.n = 9;
  c.f = 2;
  c.receive = robust::Receive::paper;
  c.attack.type = robust::Attack::alie;
  const auto a = robust::train(c, *model, data);
  const auto b = robust::train(c, *model, data);
  EXPECT_EQ(a.final_models, b.final_models);
  c.seed = 4;
  EXPECT_NE(robust::train(c, *model, data).final_models, a.final_models);
}

TEST(UnitRobustTrain, BadConfigurations) {
  const auto data = clusters(14);
  auto model = robust::make_model<float>("logreg", 8, 10);
  auto c = small_config();
  c.f = 3;
  c.n = 6;
  EXPECT_THROW(robust::train(c, *model, data), paperkit::InvalidParameter);  // n <= 2f
  c = small_config();
  c.beta = 1.0;
  EXPECT_THROW(robust::train(c, *model, data), paperkit::InvalidParameter);
  c = small_config();
  c.lr = -1;
  EXPECT_THROW(robust::train(c, *model, data), paperkit::InvalidParameter);
  c = small_config();
  c.batch = 0;
  EXPECT_THROW(robust::train(c, *model, data), paperkit::InvalidParameter);
}

// Simulator::step is the loop train() runs: stepping it by hand equals the public per-node pieces
// composed by hand (local steps, the attack on all half steps, the mixes) and train()'s final models,
// bitwise, under alie with receive paper.
TEST(UnitRobustTrain, SimulatorStepEqualsHandComposedStepAndTrain) {
  const auto data = clusters(16);
  auto model = robust::make_model<float>("mlp:6", 8, 10);
  auto c = small_config();
  c.n = 9;
  c.f = 2;
  c.steps = 7;
  c.receive = robust::Receive::paper;
  c.attack.type = robust::Attack::alie;
  robust::Simulator sim(c, *model, data.train);
  const auto& cc = sim.config();
  EXPECT_EQ(cc.attack.f, 2u);
  EXPECT_EQ(cc.rule.f, 2u);
  std::vector<robust::NodeState> nodes = sim.nodes();
  robust::NodeWork work;
  robust::Mixer<float> mixer(cc.rule);
  for (std::size_t t = 0; t < c.steps; ++t) {
    const auto stats = sim.step(t);
    std::vector<const float*> halves;
    for (auto& s : nodes) {
      robust::local_step(s, *model, data.train, cc, t, work);
      halves.push_back(s.half.data());
    }
    const auto b = robust::craft_attack<float>(cc.attack, halves, model->dim());
    for (auto& s : nodes) robust::mix_step(s, halves, b.vector.data(), cc, mixer);
    EXPECT_EQ(stats.attack_z, b.z) << "step " << t;
    EXPECT_EQ(stats.grads, 7u);
    EXPECT_EQ(sim.last_attack().vector, b.vector) << "step " << t;
    for (std::size_t i = 0; i < nodes.size(); ++i) ASSERT_EQ(sim.nodes()[i].x, nodes[i].x) << "step " << t;
  }
  const auto result = robust::train(c, *model, data);
  ASSERT_EQ(result.final_models.size(), nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(result.final_models[i], nodes[i].x);
}

// draw_batch and draw_received expose the draws local_step and mix_step make (benchmarks dump them).
TEST(UnitRobustTrain, DrawBatchAndReceivedAreTheStepsDraws) {
  const auto data = clusters(17);
  auto model = robust::make_model<float>("logreg", 8, 10);
  auto c = small_config();
  c.n = 9;
  c.f = 2;
  c.receive = robust::Receive::paper;
  robust::Simulator sim(c, *model, data.train);
  for (auto node : sim.nodes()) {
    robust::NodeWork drawn, used;
    auto copy = node;
    robust::draw_batch(copy, data.train, c.batch, drawn);
    const double loss = robust::local_step(node, *model, data.train, sim.config(), 0, used);
    EXPECT_EQ(drawn.yb, used.yb);
    EXPECT_EQ(drawn.xb, used.xb);
    EXPECT_EQ(loss, model->loss(node.x, drawn.xb.data(), drawn.yb.data(), c.batch, c.l2, {}));
    const auto received = robust::draw_received(copy, 7, sim.config());
    ASSERT_EQ(received.size(), 5u);  // n - 2f - 1 peers, then itself
    EXPECT_EQ(received.back(), node.node);
    for (std::size_t k = 0; k + 1 < received.size(); ++k) {
      EXPECT_LT(received[k], 7u);
      EXPECT_NE(received[k], node.node);
      for (std::size_t q = 0; q < k; ++q) EXPECT_NE(received[q], received[k]);
    }
  }
}

// Sign flipping (b = -x̄) with f = 2 of n = 9: plain averaging shrinks every model towards 0 each
// step, NNA drops b. Measured at this seed: nna 0.997, average 0.705 (accuracy is scale-free, so the
// shrinking hurts less than one might think); we require a 0.15 gap.
TEST(UnitRobustTrain, SignFlipBreaksAveragingNotNna) {
  const auto data = clusters(15);
  auto model = robust::make_model<float>("logreg", 8, 10);
  auto c = small_config();
  c.n = 9;
  c.f = 2;
  c.steps = 60;
  c.receive = robust::Receive::paper;
  c.attack.type = robust::Attack::sf;
  c.rule.rule = robust::Rule::nna;
  const double nna = robust::train(c, *model, data).curve.back().acc_node0;
  c.rule.rule = robust::Rule::average;
  const double avg = robust::train(c, *model, data).curve.back().acc_node0;
  EXPECT_GT(nna, avg + 0.15) << "nna " << nna << " average " << avg;
}

}  // namespace
