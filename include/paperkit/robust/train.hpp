// MoNNA peer-to-peer training, as the authors' code runs it (spec monna_set2seq.md §2a), in float.
//
// n nodes, f Byzantine (declared = real), H = the n − f honest nodes, all starting from one θ0 with
// zero momentum. Step t (γ_t = γ0 / (1 + Δ·⌊t/Δ⌋/τ)):
//   local:  g = ∇[ℓ(x_t^i; batch_i) + λ‖x‖];  m^i = β·m^i + (1−β)·g;  x½^i = x_t^i − γ_t·m^i
//   attack: b = attack({x½^j}_{j∈H}) (sees every honest half-step model), sent f times to everyone
//   mix:    receive paper: R_i = [x½^j, j ∈ n−2f−1 honest peers ≠ i drawn without replacement, in
//           draw order] + [x½^i] + [b]×f;  receive all: R_i = [x½^j, j ∈ H in order] + [b]×f;
//           x_{t+1}^i = Rule(R_i, pivot = x½^i, f)   (nna keeps |R_i| − f)
// With attack none the Byzantine peers are silent (R_i has no b). D-SGD is rule average with f = 0.
//
// For a distributed engine, everything a node needs lives in NodeState and is advanced only by
// local_step (its own data and batch stream) and mix_step (its own peer-sampling stream); the
// streams are Rng::for_block(seed, stream, node) with the stream ids below, so a process that owns
// node i reproduces the simulator's trajectory bit for bit in synchronous mode, given the same
// half-step models in the same order and the same b.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"
#include "paperkit/robust/aggregators.hpp"
#include "paperkit/robust/attacks.hpp"
#include "paperkit/robust/data.hpp"
#include "paperkit/robust/models.hpp"

namespace paperkit::robust {

enum class Receive { paper, all };

struct TrainConfig {
  std::size_t n = 26, f = 5;
  double dirichlet = 1.0;           // α of the split (> 0); inf = i.i.d. shares
  double beta = 0.99;               // momentum β (= dampening), in [0, 1)
  double lr = 0.75;                 // γ0
  double lr_decay = 50;             // τ (> 0)
  std::size_t lr_decay_delta = 50;  // Δ (>= 1)
  double l2 = 1e-4;                 // λ on ‖θ‖ (not squared)
  std::size_t batch = 25;
  std::size_t steps = 600;
  RuleOptions rule;      // rule.f is set to f
  AttackOptions attack;  // attack.f and attack.target are set from f and rule
  Receive receive = Receive::paper;
  std::size_t eval_every = 5;  // 0: only at the end
  bool eval_all = false;       // accuracy of every honest node (acc_min, acc_mean), else node 0 only
  std::uint64_t seed = 1;
};

// Stream ids for Rng::for_block(seed, stream, node).
inline constexpr std::uint64_t kStreamShard = 1, kStreamBatch = 2, kStreamPeers = 3, kStreamInit = 4;

// Throws InvalidParameter naming the flag: n > 2f, f >= 0, batch >= 1, steps >= 1, β in [0,1), ...
void validate(const TrainConfig& config);
double learning_rate(const TrainConfig& config, std::size_t step);

struct NodeState {
  std::size_t node = 0;  // honest index in [0, n − f)
  std::vector<float> x, momentum, half;
  std::vector<std::size_t> shard;  // indices into the training set
  std::vector<std::size_t> order;  // current epoch's permutation of the shard
  std::size_t cursor = 0;
  Rng batch_rng, peer_rng;
};

// Node `node` at step 0: x = θ0, m = 0, its Dirichlet shard.
NodeState make_node(const TrainConfig& config, const Dataset& train, const std::vector<float>& theta0,
                    std::size_t node);
std::vector<float> initial_model(const TrainConfig& config, const Model<float>& model);

// Scratch a node reuses across steps.
struct NodeWork {
  std::vector<float> grad, xb;
  std::vector<int> yb;
};

// The node's next minibatch into w.xb (batch x features) and w.yb: epoch-wise sampling without
// replacement from its shard (a shuffled DataLoader), advancing its batch stream. local_step calls it.
void draw_batch(NodeState& node, const Dataset& train, std::size_t batch, NodeWork& work);

// x½ = x − γ_t·(β·m + (1−β)·∇); returns the batch loss. `flipped` (may be null) receives the
// gradient on labels y → C−1−y at x_t (for the lf attack); it costs a second gradient.
double local_step(NodeState& node, const Model<float>& model, const Dataset& train, const TrainConfig& config,
                  std::size_t step, NodeWork& work, std::vector<float>* flipped = nullptr);

// The honest indices node `node` receives this step, in R order (receive paper: n − 2f − 1 peers drawn
// without replacement from its peer stream in draw order, then itself; receive all: 0 .. honest − 1).
// Advances the peer stream; mix_step calls it.
std::vector<std::size_t> draw_received(NodeState& node, std::size_t honest, const TrainConfig& config);

// x_{t+1} = Rule(R_i): `halves` holds every honest x½ by honest index; `byz` is b or null (silent).
void mix_step(NodeState& node, const std::vector<const float*>& halves, const float* byz, const TrainConfig& config,
              Mixer<float>& mixer);

struct CurveRow {
  std::size_t step = 0;
  double lr = 0, acc_node0 = 0, acc_min = 0, acc_mean = 0, spread = 0, drift = 0, loss = 0, attack_z = 0;
  std::uint64_t grads = 0;
};

struct TrainResult {
  std::vector<CurveRow> curve;
  std::vector<std::vector<float>> final_models;  // honest nodes
};

double accuracy(const Model<float>& model, const std::vector<float>& theta, const Dataset& test);

// What one step of the whole system reports.
struct StepStats {
  double loss = 0;          // mean batch loss over the honest nodes
  double attack_z = 0;      // strength the attack used (alie, foe)
  std::uint64_t grads = 0;  // gradients computed in this step (2 per node under lf)
};

// The whole simulated system, one step at a time: train() is a loop over step(), and a benchmark can
// time one step (restoring nodes() from a copy between repetitions).
class Simulator {
 public:
  // Fills rule.f, attack.f and attack.target from f, validates, builds every honest node at θ0.
  // `model` and `train` must outlive the simulator.
  Simulator(const TrainConfig& config, const Model<float>& model, const Dataset& train);
  // Step t: every honest node's local step, the attack on the half-step models (seen whole), every
  // honest node's mix.
  StepStats step(std::size_t t);
  const TrainConfig& config() const { return config_; }
  std::vector<NodeState>& nodes() { return nodes_; }
  const std::vector<NodeState>& nodes() const { return nodes_; }
  // b of the last step (its vector is empty when the Byzantine peers are silent).
  const Crafted<float>& last_attack() const { return attack_; }

 private:
  TrainConfig config_;
  const Model<float>* model_;
  const Dataset* train_;
  std::vector<NodeState> nodes_;
  NodeWork work_;
  Mixer<float> mixer_;
  SharedGram<float> shared_gram_;  // krum / multikrum: one Gram of the step's rows for every node
  std::vector<float> flipped_, lf_step_;
  std::vector<const float*> halves_;
  Crafted<float> attack_;
};

// The whole simulation on one process. `progress` (may be empty) is called after every step.
TrainResult train(const TrainConfig& config, const Model<float>& model, const TrainTest& data,
                  const std::function<void(std::size_t)>& progress = {});

}  // namespace paperkit::robust
