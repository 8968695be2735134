// MoNNA peer-to-peer training simulator (see train.hpp).
#include "paperkit/robust/train.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace {

std::string num(double x) {
  return std::to_string(x);
}

std::size_t received_count(const TrainConfig& c) {
  const bool byz = c.f > 0 && c.attack.type != Attack::none;
  const std::size_t honest = c.receive == Receive::paper ? c.n - 2 * c.f : c.n - c.f;
  return honest + (byz ? c.f : 0);
}

}  // namespace

void validate(const TrainConfig& c) {
  if (c.n < 1 || c.n > 100000) throw InvalidParameter("--n must be in [1, 100000] (got " + std::to_string(c.n) + ")");
  if (c.n <= 2 * c.f) {
    throw InvalidParameter("--f: need n > 2f (got n = " + std::to_string(c.n) + ", f = " + std::to_string(c.f) + ")");
  }
  if (!(c.dirichlet > 0)) throw InvalidParameter("--dirichlet must be > 0 or inf (got " + num(c.dirichlet) + ")");
  if (!(c.beta >= 0 && c.beta < 1)) throw InvalidParameter("--beta must be in [0, 1) (got " + num(c.beta) + ")");
  if (!(c.lr > 0) || !std::isfinite(c.lr))
    throw InvalidParameter("--lr must be finite and > 0 (got " + num(c.lr) + ")");
  if (!(c.lr_decay > 0) || !std::isfinite(c.lr_decay))
    throw InvalidParameter("--lr-decay must be finite and > 0 (got " + num(c.lr_decay) + ")");
  if (c.lr_decay_delta < 1) throw InvalidParameter("--lr-decay-delta must be >= 1 (got 0)");
  if (!(c.l2 >= 0) || !std::isfinite(c.l2))
    throw InvalidParameter("--l2 must be finite and >= 0 (got " + num(c.l2) + ")");
  if (c.batch < 1 || c.batch > 1000000)
    throw InvalidParameter("--batch must be in [1, 1000000] (got " + std::to_string(c.batch) + ")");
  if (c.steps < 1 || c.steps > 100000000)
    throw InvalidParameter("--steps must be in [1, 1e8] (got " + std::to_string(c.steps) + ")");
  validate(c.rule);
  validate(c.attack.search);
  RuleOptions r = c.rule;
  r.f = c.f;
  validate_count(r, received_count(c));
}

double learning_rate(const TrainConfig& c, std::size_t step) {
  const double delta = static_cast<double>(c.lr_decay_delta);
  const double k = std::floor(static_cast<double>(step) / delta);
  return c.lr / (1.0 + delta * k / c.lr_decay);
}

std::vector<float> initial_model(const TrainConfig& c, const Model<float>& model) {
  std::vector<float> theta(model.dim());
  Rng rng = Rng::for_block(c.seed, kStreamInit, 0);
  model.init(theta, rng);
  return theta;
}

NodeState make_node(const TrainConfig& c, const Dataset& train, const std::vector<float>& theta0, std::size_t node) {
  NodeState s;
  s.node = node;
  s.x = theta0;
  s.momentum.assign(theta0.size(), 0.0f);
  s.half.assign(theta0.size(), 0.0f);
  Rng shard_rng = Rng::for_block(c.seed, kStreamShard, node);
  s.shard = dirichlet_shard(train, c.n - c.f, c.dirichlet, shard_rng);
  s.batch_rng = Rng::for_block(c.seed, kStreamBatch, node);
  s.peer_rng = Rng::for_block(c.seed, kStreamPeers, node);
  s.order = s.shard;
  s.cursor = s.order.size();  // shuffle before the first batch
  return s;
}

void draw_batch(NodeState& s, const Dataset& train, std::size_t batch, NodeWork& w) {
  const std::size_t p = train.features;
  w.xb.resize(batch * p);
  w.yb.resize(batch);
  for (std::size_t k = 0; k < batch; ++k) {
    if (s.cursor >= s.order.size()) {
      for (std::size_t i = s.order.size(); i > 1; --i) std::swap(s.order[i - 1], s.order[s.batch_rng.uniform_below(i)]);
      s.cursor = 0;
    }
    const std::size_t idx = s.order[s.cursor++];
    std::copy_n(train.x.begin() + static_cast<std::ptrdiff_t>(idx * p), p,
                w.xb.begin() + static_cast<std::ptrdiff_t>(k * p));
    w.yb[k] = train.y[idx];
  }
}

double local_step(NodeState& s, const Model<float>& model, const Dataset& train, const TrainConfig& c, std::size_t step,
                  NodeWork& w, std::vector<float>* flipped) {
  const std::size_t d = s.x.size();
  draw_batch(s, train, c.batch, w);
  w.grad.resize(d);
  const double loss = model.loss(s.x, w.xb.data(), w.yb.data(), c.batch, c.l2, w.grad);
  if (flipped) {
    std::vector<int> yf(w.yb);
    for (auto& y : yf) y = static_cast<int>(model.classes()) - 1 - y;
    flipped->resize(d);
    model.loss(s.x, w.xb.data(), yf.data(), c.batch, c.l2, *flipped);
  }
  const float beta = static_cast<float>(c.beta), lr = static_cast<float>(learning_rate(c, step));
  for (std::size_t i = 0; i < d; ++i) {
    s.momentum[i] = beta * s.momentum[i] + (1.0f - beta) * w.grad[i];
    s.half[i] = s.x[i] - lr * s.momentum[i];
  }
  return loss;
}

std::vector<std::size_t> draw_received(NodeState& s, std::size_t honest, const TrainConfig& c) {
  const std::size_t i = s.node;
  std::vector<std::size_t> received;
  if (c.receive == Receive::paper) {
    std::vector<std::size_t> peers;
    for (std::size_t j = 0; j < honest; ++j) {
      if (j != i) peers.push_back(j);
    }
    const std::size_t take = c.n - 2 * c.f - 1;
    for (std::size_t k = 0; k < take; ++k) {  // partial Fisher-Yates, draw order kept
      std::swap(peers[k], peers[k + s.peer_rng.uniform_below(peers.size() - k)]);
      received.push_back(peers[k]);
    }
    received.push_back(i);
  } else {
    received.resize(honest);
    std::iota(received.begin(), received.end(), std::size_t{0});
  }
  return received;
}

void mix_step(NodeState& s, const std::vector<const float*>& halves, const float* byz, const TrainConfig& c,
              Mixer<float>& mixer) {
  const auto received = draw_received(s, halves.size(), c);
  std::vector<const float*> rows;
  for (const std::size_t j : received) rows.push_back(halves[j]);
  const std::size_t pivot = c.receive == Receive::paper ? received.size() - 1 : s.node;
  if (byz) {
    for (std::size_t k = 0; k < c.f; ++k) rows.push_back(byz);
  }
  mixer.mix(rows, s.x.size(), pivot, s.x);
}

double accuracy(const Model<float>& model, const std::vector<float>& theta, const Dataset& test) {
  std::vector<int> pred(test.size());
  model.predict(theta, test.x.data(), test.size(), pred.data());
  std::size_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += pred[i] == test.y[i];
  return static_cast<double>(ok) / static_cast<double>(std::max<std::size_t>(1, test.size()));
}

namespace {

TrainConfig completed(TrainConfig c) {
  c.rule.f = c.f;
  c.attack.f = c.f;
  c.attack.target = c.rule;
  return c;
}

}  // namespace

Simulator::Simulator(const TrainConfig& config, const Model<float>& model, const Dataset& train)
    : config_(completed(config)), model_(&model), train_(&train), mixer_(config_.rule) {
  validate(config_);
  if (train.features != model.features()) throw InvalidParameter("model and data feature counts differ");
  const std::size_t honest = config_.n - config_.f;
  const auto theta0 = initial_model(config_, model);
  for (std::size_t i = 0; i < honest; ++i) nodes_.push_back(make_node(config_, train, theta0, i));
  halves_.resize(honest);
}

StepStats Simulator::step(std::size_t t) {
  const TrainConfig& c = config_;
  const std::size_t honest = nodes_.size(), d = model_->dim();
  const bool byzantine = c.f > 0 && c.attack.type != Attack::none;
  const bool lf = byzantine && c.attack.type == Attack::lf;
  const double lr = learning_rate(c, t);
  StepStats stats;
  if (lf) lf_step_.assign(d, 0.0f);
  for (auto& s : nodes_) {
    stats.loss += local_step(s, *model_, *train_, c, t, work_, lf ? &flipped_ : nullptr);
    stats.grads += lf ? 2 : 1;
    if (lf) {
      for (std::size_t k = 0; k < d; ++k) lf_step_[k] += flipped_[k];
    }
    halves_[s.node] = s.half.data();
  }
  attack_ = Crafted<float>{};
  if (byzantine) {
    if (lf) {
      for (auto& v : lf_step_) v = static_cast<float>(lr * static_cast<double>(v) / static_cast<double>(honest));
    }
    attack_ = craft_attack<float>(c.attack, halves_, d, lf_step_);
  }
  const float* byz = byzantine ? attack_.vector.data() : nullptr;
  // krum and multikrum need every received pair's inner product: compute them once for the step's
  // distinct rows (bit-identical to each node computing its own, SharedGram), not once per node.
  const bool share = c.rule.rule == Rule::krum || c.rule.rule == Rule::multikrum;
  if (share) {
    std::vector<const float*> distinct(halves_);
    if (byz) distinct.push_back(byz);
    shared_gram_.compute(distinct, d);
  }
  mixer_.share_gram(share ? &shared_gram_ : nullptr);
  for (auto& s : nodes_) mix_step(s, halves_, byz, c, mixer_);
  mixer_.share_gram(nullptr);
  stats.loss /= static_cast<double>(honest);
  stats.attack_z = attack_.z;
  return stats;
}

TrainResult train(const TrainConfig& config, const Model<float>& model, const TrainTest& data,
                  const std::function<void(std::size_t)>& progress) {
  Simulator sim(config, model, data.train);
  const TrainConfig& c = sim.config();
  const std::vector<NodeState>& nodes = sim.nodes();
  const std::size_t honest = c.n - c.f, d = model.dim();
  std::vector<double> mean_prev(d), mean_now(d);
  TrainResult result;
  std::uint64_t grads = 0;

  const auto honest_mean = [&](std::vector<double>& out) {
    std::fill(out.begin(), out.end(), 0.0);
    for (const auto& s : nodes) {
      for (std::size_t k = 0; k < d; ++k) out[k] += static_cast<double>(s.x[k]);
    }
    for (auto& v : out) v /= static_cast<double>(honest);
  };
  const auto record = [&](std::size_t step, double lr, double loss, double z) {
    CurveRow row;
    row.step = step;
    row.lr = lr;
    row.loss = loss;
    row.attack_z = z;
    row.grads = grads;
    row.acc_node0 = accuracy(model, nodes[0].x, data.test);
    row.acc_min = row.acc_mean = row.acc_node0;
    if (c.eval_all) {
      double sum = 0, mn = 1;
      for (const auto& s : nodes) {
        const double a = accuracy(model, s.x, data.test);
        sum += a;
        mn = std::min(mn, a);
      }
      row.acc_min = mn;
      row.acc_mean = sum / static_cast<double>(honest);
    }
    double spread = 0;
    for (const auto& s : nodes) {
      for (std::size_t k = 0; k < d; ++k) {
        const double e = static_cast<double>(s.x[k]) - mean_now[k];
        spread += e * e;
      }
    }
    row.spread = spread / static_cast<double>(honest);
    double drift = 0;
    for (std::size_t k = 0; k < d; ++k) drift += (mean_now[k] - mean_prev[k]) * (mean_now[k] - mean_prev[k]);
    row.drift = std::sqrt(drift);
    result.curve.push_back(row);
  };

  honest_mean(mean_now);
  mean_prev = mean_now;
  record(0, learning_rate(c, 0), std::nan(""), 0);
  for (std::size_t t = 0; t < c.steps; ++t) {
    const StepStats stats = sim.step(t);
    grads += stats.grads;
    mean_prev.swap(mean_now);
    honest_mean(mean_now);
    const bool last = t + 1 == c.steps;
    if (last || (c.eval_every > 0 && (t + 1) % c.eval_every == 0)) {
      record(t + 1, learning_rate(c, t), stats.loss, stats.attack_z);
    }
    if (progress) progress(t + 1);
  }
  for (const auto& s : nodes) result.final_models.push_back(s.x);
  return result;
}

}  // namespace paperkit::robust
