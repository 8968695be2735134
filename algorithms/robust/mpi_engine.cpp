// MoNNA training over MPI ranks (see mpi_engine.hpp). In sync mode every reduction that reaches the
// curve is done on rank 0 in the simulator's order, so results match train() bit for bit.
#include "paperkit/robust/mpi_engine.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include <boost/mpi/collectives.hpp>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace mpi = boost::mpi;

namespace {

// The honest-node rows of a buffer gathered from all n ranks (rank r's block at r·d).
std::vector<const float*> honest_rows(const std::vector<float>& gathered, std::size_t honest, std::size_t d) {
  std::vector<const float*> rows(honest);
  for (std::size_t i = 0; i < honest; ++i) rows[i] = gathered.data() + i * d;
  return rows;
}

// train()'s honest_mean: a double mean in node order.
void honest_mean(const std::vector<const float*>& rows, std::size_t d, std::vector<double>& out) {
  std::fill(out.begin(), out.end(), 0.0);
  for (const float* x : rows) {
    for (std::size_t k = 0; k < d; ++k) out[k] += static_cast<double>(x[k]);
  }
  for (auto& v : out) v /= static_cast<double>(rows.size());
}

// train()'s record(), from gathered models (rank 0 only).
CurveRow make_row(const TrainConfig& c, const Model<float>& model, const Dataset& test,
                  const std::vector<const float*>& rows, std::size_t d, const std::vector<double>& mean_prev,
                  const std::vector<double>& mean_now) {
  CurveRow row;
  const auto as_vector = [d](const float* x) { return std::vector<float>(x, x + d); };
  row.acc_node0 = accuracy(model, as_vector(rows[0]), test);
  row.acc_min = row.acc_mean = row.acc_node0;
  if (c.eval_all) {
    double sum = 0, mn = 1;
    for (const float* x : rows) {
      const double a = accuracy(model, as_vector(x), test);
      sum += a;
      mn = std::min(mn, a);
    }
    row.acc_min = mn;
    row.acc_mean = sum / static_cast<double>(rows.size());
  }
  double spread = 0;
  for (const float* x : rows) {
    for (std::size_t k = 0; k < d; ++k) {
      const double e = static_cast<double>(x[k]) - mean_now[k];
      spread += e * e;
    }
  }
  row.spread = spread / static_cast<double>(rows.size());
  double drift = 0;
  for (std::size_t k = 0; k < d; ++k) drift += (mean_now[k] - mean_prev[k]) * (mean_now[k] - mean_prev[k]);
  row.drift = std::sqrt(drift);
  return row;
}

// What every rank knows about the run.
struct Layout {
  TrainConfig c;
  std::size_t honest = 0, d = 0;
  int di = 0, rank = 0, adversary = 0;
  bool is_honest = false, byzantine = false, lf = false;
};

// Collective evaluation: rank 0 gathers x_t and x_{t+1} of every honest node plus the losses and
// reduces them as train() does. Byzantine ranks send a placeholder nobody reads.
class Recorder {
 public:
  Recorder(const Layout& l, const Model<float>& model, const Dataset& test, const mpi::communicator& comm)
      : l_(l),
        model_(model),
        test_(test),
        comm_(comm),
        placeholder_(l.d, 0.0f),
        prev_(l.rank == 0 ? l.c.n * l.d : 0),
        now_(l.rank == 0 ? l.c.n * l.d : 0),
        mean_prev_(l.d),
        mean_now_(l.d) {}

  void initial(const float* x) {
    gather(x, now_);
    if (l_.rank != 0) return;
    honest_mean(honest_rows(now_, l_.honest, l_.d), l_.d, mean_now_);
    mean_prev_ = mean_now_;
    push(0, learning_rate(l_.c, 0), std::nan(""), 0, 0);
  }

  void step(std::size_t step, double lr, double loss, double z, std::uint64_t grads, const float* x_prev,
            const float* x_now) {
    mpi::gather(comm_, loss, losses_, 0);
    gather(x_prev, prev_);
    gather(x_now, now_);
    if (l_.rank != 0) return;
    honest_mean(honest_rows(prev_, l_.honest, l_.d), l_.d, mean_prev_);
    honest_mean(honest_rows(now_, l_.honest, l_.d), l_.d, mean_now_);
    double total = 0;  // train(): a double sum in node order
    for (std::size_t i = 0; i < l_.honest; ++i) total += losses_[i];
    push(step, lr, total / static_cast<double>(l_.honest), z, grads);
  }

  TrainResult finish() {
    if (l_.rank == 0) {
      for (const float* x : honest_rows(now_, l_.honest, l_.d)) result_.final_models.emplace_back(x, x + l_.d);
    }
    return std::move(result_);
  }

 private:
  void gather(const float* x, std::vector<float>& out) {
    mpi::gather(comm_, l_.is_honest ? x : placeholder_.data(), l_.di, l_.rank == 0 ? out.data() : nullptr, 0);
  }
  void push(std::size_t step, double lr, double loss, double z, std::uint64_t grads) {
    auto row = make_row(l_.c, model_, test_, honest_rows(now_, l_.honest, l_.d), l_.d, mean_prev_, mean_now_);
    row.step = step;
    row.lr = lr;
    row.loss = loss;
    row.attack_z = z;
    row.grads = grads;
    result_.curve.push_back(row);
  }

  const Layout& l_;
  const Model<float>& model_;
  const Dataset& test_;
  const mpi::communicator& comm_;
  std::vector<float> placeholder_, prev_, now_;
  std::vector<double> mean_prev_, mean_now_, losses_;
  TrainResult result_;
};

bool is_eval_step(const TrainConfig& c, std::size_t t) {
  return t + 1 == c.steps || (c.eval_every > 0 && (t + 1) % c.eval_every == 0);
}

// lf: the flipped-label gradients summed in float in node order, then γ_t/(n − f) in double (train()).
void lf_step_from(const Layout& l, double lr, const std::vector<const float*>& flipped, std::vector<float>& out) {
  out.assign(l.d, 0.0f);
  for (const float* g : flipped) {
    for (std::size_t k = 0; k < l.d; ++k) out[k] += g[k];
  }
  for (auto& v : out) v = static_cast<float>(lr * static_cast<double>(v) / static_cast<double>(l.honest));
}

TrainResult train_sync(const Layout& l, const Model<float>& model, const TrainTest& data, const mpi::communicator& comm,
                       const std::function<void(std::size_t)>& progress) {
  const auto& c = l.c;
  const std::size_t d = l.d;
  std::optional<NodeState> node;
  if (l.is_honest) node = make_node(c, data.train, initial_model(c, model), static_cast<std::size_t>(l.rank));
  NodeWork work;
  Mixer<float> mixer(c.rule);
  std::vector<float> send(d, 0.0f), gathered(c.n * d), flipped(d, 0.0f), lf_all(l.rank == l.adversary ? c.n * d : 0),
      lf_step, b(l.byzantine ? d : 0), x_prev(d);
  Recorder recorder(l, model, data.test, comm);
  recorder.initial(l.is_honest ? node->x.data() : nullptr);
  std::uint64_t grads = 0;
  for (std::size_t t = 0; t < c.steps; ++t) {
    const double lr = learning_rate(c, t);
    double loss = 0;
    if (l.is_honest) {
      loss = local_step(*node, model, data.train, c, t, work, l.lf ? &flipped : nullptr);
      std::copy(node->half.begin(), node->half.end(), send.begin());
    }
    grads += l.honest * (l.lf ? 2 : 1);
    mpi::all_gather(comm, send.data(), l.di, gathered.data());
    const auto halves = honest_rows(gathered, l.honest, d);
    double z = 0;
    if (l.byzantine) {
      if (l.lf) mpi::gather(comm, flipped.data(), l.di, l.rank == l.adversary ? lf_all.data() : nullptr, l.adversary);
      if (l.rank == l.adversary) {
        if (l.lf) lf_step_from(l, lr, honest_rows(lf_all, l.honest, d), lf_step);
        auto crafted = craft_attack<float>(c.attack, halves, d, lf_step);
        std::copy(crafted.vector.begin(), crafted.vector.end(), b.begin());
        z = crafted.z;
      }
      mpi::broadcast(comm, b.data(), l.di, l.adversary);
      mpi::broadcast(comm, z, l.adversary);
    }
    const bool eval = is_eval_step(c, t);
    if (l.is_honest) {
      if (eval) x_prev = node->x;
      mix_step(*node, halves, l.byzantine ? b.data() : nullptr, c, mixer);
    }
    if (eval) recorder.step(t + 1, lr, loss, z, grads, x_prev.data(), l.is_honest ? node->x.data() : nullptr);
    if (progress) progress(t + 1);
  }
  return recorder.finish();
}

// Point-to-point messages in flight, with the buffers they own; completed ones are dropped.
struct InFlight {
  std::list<std::pair<MPI_Request, std::vector<float>>> items;
  std::vector<float>& add(std::vector<float> buffer) {
    items.emplace_back(MPI_REQUEST_NULL, std::move(buffer));
    return items.back().second;
  }
  void reap() {
    for (auto it = items.begin(); it != items.end();) {
      int done = 0;
      MPI_Test(&it->first, &done, MPI_STATUS_IGNORE);
      it = done ? items.erase(it) : std::next(it);
    }
  }
  void wait_all() {
    for (auto& item : items) MPI_Wait(&item.first, MPI_STATUS_IGNORE);
    items.clear();
  }
};

int step_tag(std::size_t t) {
  return static_cast<int>(t % 32000);  // MPI guarantees tags up to 32767; order per source is kept anyway
}

TrainResult train_async(const Layout& l, const Model<float>& model, const TrainTest& data,
                        const mpi::communicator& comm, const std::function<void(std::size_t)>& progress) {
  const auto& c = l.c;
  const std::size_t d = l.d, n = c.n;
  MPI_Comm raw = comm;
  std::optional<NodeState> node;
  if (l.is_honest) node = make_node(c, data.train, initial_model(c, model), static_cast<std::size_t>(l.rank));
  NodeWork work;
  Mixer<float> mixer(c.rule);
  std::vector<float> flipped(d, 0.0f), x_prev(d), lf_step;
  const int to_byzantine = l.lf ? 2 * l.di : l.di;  // half-step model (+ flipped-label gradient for lf)
  InFlight sends, late_receives;
  Recorder recorder(l, model, data.test, comm);
  recorder.initial(l.is_honest ? node->x.data() : nullptr);
  std::uint64_t grads = 0;
  double z = 0;
  for (std::size_t t = 0; t < c.steps; ++t) {
    const double lr = learning_rate(c, t);
    const int tag = step_tag(t);
    double loss = 0;
    grads += l.honest * (l.lf ? 2 : 1);
    if (l.is_honest) {
      loss = local_step(*node, model, data.train, c, t, work, l.lf ? &flipped : nullptr);
      // Send x½ to every other honest rank, and (x½, flipped) to every Byzantine rank.
      std::vector<float> message(node->half);
      if (l.lf) message.insert(message.end(), flipped.begin(), flipped.end());
      for (std::size_t r = 0; r < n; ++r) {
        if (static_cast<int>(r) == l.rank || (r >= l.honest && !l.byzantine)) continue;
        auto& buffer = sends.add(message);
        const int count = r < l.honest ? l.di : to_byzantine;
        MPI_Isend(buffer.data(), count, MPI_FLOAT, static_cast<int>(r), tag, raw, &sends.items.back().first);
      }
      // Post a receive from every sender; mix the first n − f − 1 arrivals with x½ (n − f rows).
      std::vector<std::vector<float>> inbox;
      std::vector<MPI_Request> requests;
      for (std::size_t r = 0; r < n; ++r) {
        if (static_cast<int>(r) == l.rank || (r >= l.honest && !l.byzantine)) continue;
        inbox.emplace_back(d);
        requests.emplace_back();
        MPI_Irecv(inbox.back().data(), l.di, MPI_FLOAT, static_cast<int>(r), tag, raw, &requests.back());
      }
      const std::size_t need = l.honest - 1;
      std::vector<const float*> rows;
      std::vector<int> indices(requests.size());
      std::vector<bool> used(requests.size(), false);
      while (rows.size() < need) {
        int count = 0;
        MPI_Waitsome(static_cast<int>(requests.size()), requests.data(), &count, indices.data(), MPI_STATUSES_IGNORE);
        for (int k = 0; k < count && rows.size() < need; ++k) {
          const auto i = static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]);
          rows.push_back(inbox[i].data());
          used[i] = true;
        }
      }
      const std::size_t pivot = rows.size();
      rows.push_back(node->half.data());
      if (is_eval_step(c, t)) x_prev = node->x;
      mixer.mix(rows, d, pivot, node->x);
      // Late messages still land somewhere: their buffers live until they complete.
      for (std::size_t i = 0; i < requests.size(); ++i) {
        if (used[i] || requests[i] == MPI_REQUEST_NULL) continue;
        late_receives.items.emplace_back(requests[i], std::move(inbox[i]));
      }
      late_receives.reap();
    } else if (l.byzantine) {
      // The omniscient adversary waits for every honest x½ of this step, then sends b to every
      // honest rank (all f Byzantine ranks craft the same b).
      std::vector<float> all(l.honest * static_cast<std::size_t>(to_byzantine));
      for (std::size_t r = 0; r < l.honest; ++r) {
        MPI_Recv(all.data() + r * static_cast<std::size_t>(to_byzantine), to_byzantine, MPI_FLOAT, static_cast<int>(r),
                 tag, raw, MPI_STATUS_IGNORE);
      }
      std::vector<const float*> halves(l.honest), flips(l.honest);
      for (std::size_t r = 0; r < l.honest; ++r) {
        halves[r] = all.data() + r * static_cast<std::size_t>(to_byzantine);
        flips[r] = halves[r] + d;
      }
      if (l.lf) lf_step_from(l, lr, flips, lf_step);
      auto crafted = craft_attack<float>(c.attack, halves, d, lf_step);
      z = crafted.z;
      for (std::size_t r = 0; r < l.honest; ++r) {
        auto& buffer = sends.add(crafted.vector);
        MPI_Isend(buffer.data(), l.di, MPI_FLOAT, static_cast<int>(r), tag, raw, &sends.items.back().first);
      }
    }
    sends.reap();
    if (is_eval_step(c, t)) {
      if (l.byzantine) mpi::broadcast(comm, z, l.adversary);
      recorder.step(t + 1, lr, loss, z, grads, x_prev.data(), l.is_honest ? node->x.data() : nullptr);
    }
    if (progress) progress(t + 1);
  }
  sends.wait_all();
  late_receives.wait_all();
  return recorder.finish();
}

}  // namespace

TrainResult train_mpi(const TrainConfig& config, const Model<float>& model, const TrainTest& data,
                      const mpi::communicator& comm, MpiMode mode, const std::function<void(std::size_t)>& progress) {
  Layout l;
  l.c = config;
  auto& c = l.c;
  c.rule.f = c.f;
  c.attack.f = c.f;
  c.attack.target = c.rule;
  validate(c);
  if (mode == MpiMode::async) validate_count(c.rule, c.n - c.f);  // x½ + the first n − f − 1 arrivals
  if (static_cast<std::size_t>(comm.size()) != c.n) {
    throw InvalidParameter("--n must equal the number of MPI ranks, one rank per node (got n = " + std::to_string(c.n) +
                           ", ranks = " + std::to_string(comm.size()) + ")");
  }
  if (data.train.features != model.features()) throw InvalidParameter("model and data feature counts differ");
  l.honest = c.n - c.f;
  l.d = model.dim();
  if (l.d > static_cast<std::size_t>(INT_MAX / 2)) throw InvalidParameter("model too large for one MPI message");
  l.di = static_cast<int>(l.d);
  l.rank = comm.rank();
  l.adversary = static_cast<int>(l.honest);
  l.is_honest = static_cast<std::size_t>(l.rank) < l.honest;
  l.byzantine = c.f > 0 && c.attack.type != Attack::none;
  l.lf = l.byzantine && c.attack.type == Attack::lf;
  return mode == MpiMode::sync ? train_sync(l, model, data, comm, progress)
                               : train_async(l, model, data, comm, progress);
}

}  // namespace paperkit::robust
