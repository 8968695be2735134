// One training step of the whole MoNNA peer-to-peer system (paperkit::robust::Simulator::step), one
// thread: every honest node's minibatch gradient, momentum and half step, the attack on the half-step
// models (alie: moments plus the 16-evaluation line search), and every honest node's NNA mix. The
// spec's setting (monna_set2seq.md §2a, §4 grid A): n = 26, f = 5, receive paper, batch 25, β = 0.99,
// γ0 = 0.75, λ = 1e-4 on ‖θ‖, Dirichlet 1, seed 1; digits and an MLP 64-32-10 by default.
// The timed step is step t = WARMUP (default 10), so the momentum is non-zero and the models differ;
// every repetition restores the node states first (untimed). Times are this thread's CPU time (manual
// timing with CLOCK_THREAD_CPUTIME_ID; the PyTorch side uses time.thread_time), since the machine is
// shared. BM_Local, BM_Attack and BM_Mix time the three parts of the same step alone.
//
// Environment (bench/robust_torch_step.py sets these and runs the PyTorch step beside this one):
//   PAPERKIT_ROBUST_STEP_DATA    data spec (default digits:<source>/data/digits.csv.gz)
//   PAPERKIT_ROBUST_STEP_MODEL   mlp:H or logreg (default mlp:32)
//   PAPERKIT_ROBUST_STEP_ATTACK  none|alie|foe|sf|lf|mimic (default alie; the PyTorch script has all but lf)
//   PAPERKIT_ROBUST_STEP_WARMUP  steps run before the timed one (default 10)
//   PAPERKIT_ROBUST_STEP_DUMP    a directory: writes meta.json and the raw arrays of the timed step
//                                (state before, batches, received lists, half steps, b, state after)
//
//   build/bench/robust_step_bench --benchmark_filter=Step
#include <benchmark/benchmark.h>

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "paperkit/robust/train.hpp"

#ifndef PAPERKIT_SOURCE_DIR
#define PAPERKIT_SOURCE_DIR "."
#endif

namespace {

namespace robust = paperkit::robust;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Everything one timed step needs, built once: the simulator after WARMUP steps and a copy of its nodes.
struct Setup {
  std::string data_spec, model_spec;
  robust::TrainTest data;
  std::unique_ptr<robust::Model<float>> model;
  std::unique_ptr<robust::Simulator> sim;
  std::vector<robust::NodeState> snapshot;
  std::size_t step = 0;

  Setup() {
    data_spec = env_or("PAPERKIT_ROBUST_STEP_DATA", std::string("digits:") + PAPERKIT_SOURCE_DIR "/data/digits.csv.gz");
    model_spec = env_or("PAPERKIT_ROBUST_STEP_MODEL", "mlp:32");
    data = robust::load_data(data_spec);
    model = robust::make_model<float>(model_spec, data.train.features, data.train.classes);
    robust::TrainConfig c;  // the spec's defaults: n 26, f 5, β .99, γ0 .75, batch 25, nna, paper
    c.attack.type = robust::parse_attack(env_or("PAPERKIT_ROBUST_STEP_ATTACK", "alie"));
    step = std::stoul(env_or("PAPERKIT_ROBUST_STEP_WARMUP", "10"));
    sim = std::make_unique<robust::Simulator>(c, *model, data.train);
    for (std::size_t t = 0; t < step; ++t) sim->step(t);
    snapshot = sim->nodes();
  }
  void restore() { sim->nodes() = snapshot; }
};

Setup& setup() {
  static Setup s;
  return s;
}

// CPU time of this thread: the machine is shared, so wall time counts other processes' turns too.
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Times body() alone (this thread's CPU time), running before() untimed ahead of each repetition.
void timed(benchmark::State& state, const std::function<void()>& before, const std::function<void()>& body) {
  for (auto _ : state) {
    before();
    const double start = thread_seconds();
    body();
    state.SetIterationTime(thread_seconds() - start);
  }
}

void BM_Step(benchmark::State& state) {
  auto& s = setup();
  timed(
      state, [&] { s.restore(); }, [&] { benchmark::DoNotOptimize(s.sim->step(s.step)); });
  state.counters["d"] = static_cast<double>(s.model->dim());
  state.counters["z"] = s.sim->last_attack().z;
}

// The honest nodes' local steps alone (gradient, momentum, half step).
void BM_Local(benchmark::State& state) {
  auto& s = setup();
  robust::NodeWork work;
  timed(
      state, [&] { s.restore(); },
      [&] {
        for (auto& n : s.sim->nodes()) robust::local_step(n, *s.model, s.data.train, s.sim->config(), s.step, work);
      });
}

// State after the local steps of the timed step, and the half-step pointers.
struct AfterLocal {
  std::vector<robust::NodeState> nodes;
  std::vector<const float*> halves;
  robust::Crafted<float> b;
};

const AfterLocal& after_local() {
  static const AfterLocal a = [] {
    auto& s = setup();
    AfterLocal r;
    r.nodes = s.snapshot;
    robust::NodeWork work;
    for (auto& n : r.nodes) robust::local_step(n, *s.model, s.data.train, s.sim->config(), s.step, work);
    for (const auto& n : r.nodes) r.halves.push_back(n.half.data());
    if (s.sim->config().attack.type != robust::Attack::none) {
      r.b = robust::craft_attack<float>(s.sim->config().attack, r.halves, s.model->dim());
    }
    return r;
  }();
  return a;
}

// The attack alone: honest moments and, for alie/foe, the line search.
void BM_Attack(benchmark::State& state) {
  auto& s = setup();
  const auto& a = after_local();
  timed(
      state, [] {},
      [&] { benchmark::DoNotOptimize(robust::craft_attack<float>(s.sim->config().attack, a.halves, s.model->dim())); });
}

// Every honest node's mix alone (peer draw and NNA), on the half steps and b of the timed step.
void BM_Mix(benchmark::State& state) {
  auto& s = setup();
  const auto& a = after_local();
  robust::Mixer<float> mixer(s.sim->config().rule);
  std::vector<robust::NodeState> nodes = a.nodes;
  const float* byz = a.b.vector.empty() ? nullptr : a.b.vector.data();
  timed(
      state, [&] { nodes = a.nodes; },
      [&] {
        for (auto& n : nodes) robust::mix_step(n, a.halves, byz, s.sim->config(), mixer);
      });
}

template <class T>
void write_raw(const std::string& path, const std::vector<T>& v) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  if (!out) {
    std::fprintf(stderr, "robust_step_bench: cannot write %s\n", path.c_str());
    std::exit(3);
  }
}

// Writes the timed step's input and output (row-major float32 / int32 / int64 arrays) and meta.json.
void dump(const std::string& dir) {
  auto& s = setup();
  const auto& c = s.sim->config();
  const std::size_t m = s.snapshot.size(), d = s.model->dim(), p = s.data.train.features;
  std::vector<float> x0, m0, xb, half, x1;
  std::vector<std::int32_t> yb;
  std::vector<std::int64_t> received;
  robust::NodeWork work;
  for (auto n : s.snapshot) {  // copies: drawing advances the streams
    x0.insert(x0.end(), n.x.begin(), n.x.end());
    m0.insert(m0.end(), n.momentum.begin(), n.momentum.end());
    robust::draw_batch(n, s.data.train, c.batch, work);
    xb.insert(xb.end(), work.xb.begin(), work.xb.end());
    yb.insert(yb.end(), work.yb.begin(), work.yb.end());
    for (const auto j : robust::draw_received(n, m, c)) received.push_back(static_cast<std::int64_t>(j));
  }
  s.restore();
  const auto stats = s.sim->step(s.step);
  for (const auto& n : s.sim->nodes()) {
    half.insert(half.end(), n.half.begin(), n.half.end());
    x1.insert(x1.end(), n.x.begin(), n.x.end());
  }
  write_raw(dir + "/x0.f32", x0);
  write_raw(dir + "/m0.f32", m0);
  write_raw(dir + "/xb.f32", xb);
  write_raw(dir + "/yb.i32", yb);
  write_raw(dir + "/received.i64", received);
  write_raw(dir + "/half.f32", half);
  write_raw(dir + "/byz.f32", s.sim->last_attack().vector);
  write_raw(dir + "/x1.f32", x1);
  const std::string hidden = s.model_spec.rfind("mlp:", 0) == 0 ? s.model_spec.substr(4) : "0";
  std::ofstream meta(dir + "/meta.json");
  meta << "{\"n\": " << c.n << ", \"f\": " << c.f << ", \"honest\": " << m << ", \"d\": " << d
       << ", \"features\": " << p << ", \"hidden\": " << hidden << ", \"classes\": " << s.data.train.classes
       << ", \"batch\": " << c.batch << ", \"received\": " << received.size() / m << ", \"step\": " << s.step
       << ", \"lr\": " << robust::learning_rate(c, s.step) << ", \"beta\": " << c.beta << ", \"l2\": " << c.l2
       << ", \"attack\": \"" << robust::attack_name(c.attack.type) << "\", \"evals\": " << c.attack.search.evals
       << ", \"search_start\": " << c.attack.search.start << ", \"search_delta\": " << c.attack.search.delta
       << ", \"search_ratio\": " << c.attack.search.ratio << ", \"z\": " << stats.attack_z << ", \"model\": \""
       << s.model_spec << "\", \"data\": \"" << s.data_spec << "\", \"loss\": " << stats.loss << "}\n";
  meta.close();
  s.restore();
  if (!meta) {
    std::fprintf(stderr, "robust_step_bench: cannot write %s/meta.json\n", dir.c_str());
    std::exit(3);
  }
}

}  // namespace

BENCHMARK(BM_Step)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Local)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Attack)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Mix)->UseManualTime()->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (const char* dir = std::getenv("PAPERKIT_ROBUST_STEP_DUMP")) dump(dir);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
