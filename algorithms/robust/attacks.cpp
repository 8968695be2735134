// Attacks and the line search over their strength (see attacks.hpp).
#include "paperkit/robust/attacks.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace {
const std::vector<std::string> kAttackNames = {"none", "alie", "foe", "sf", "lf", "mimic"};
}

Attack parse_attack(const std::string& name, const std::string& flag) {
  for (std::size_t i = 0; i < kAttackNames.size(); ++i) {
    if (kAttackNames[i] == name) return static_cast<Attack>(i);
  }
  if (name == "little") return Attack::alie;
  if (name == "empire") return Attack::foe;
  throw InvalidParameter(flag + " must be one of none|alie|foe|sf|lf|mimic (got " + name + ")");
}

std::string attack_name(Attack attack) {
  return kAttackNames.at(static_cast<std::size_t>(attack));
}

void validate(const LineSearch& s) {
  if (s.evals < 1 || s.evals > 10000)
    throw InvalidParameter("--evals must be in [1, 10000] (got " + std::to_string(s.evals) + ")");
  if (!std::isfinite(s.start) || s.start < 0)
    throw InvalidParameter("--search-start must be finite and >= 0 (got " + std::to_string(s.start) + ")");
  if (!std::isfinite(s.delta) || !(s.delta > 0))
    throw InvalidParameter("--search-delta must be finite and > 0 (got " + std::to_string(s.delta) + ")");
  if (!(s.ratio > 0 && s.ratio < 1))
    throw InvalidParameter("--search-ratio must be in (0, 1) (got " + std::to_string(s.ratio) + ")");
}

double line_maximize(const std::function<double(double)>& phi, const LineSearch& s,
                     std::vector<std::pair<double, double>>* trace) {
  validate(s);
  const auto eval = [&](double x) {
    const double y = phi(x);
    if (trace) trace->emplace_back(x, y);
    return y;
  };
  double best_x = s.start;
  double best_y = eval(best_x);
  int evals = s.evals - 1;
  double delta = s.delta;
  double prop_x = best_x;
  while (evals > 0) {  // expansion
    prop_x = best_x + delta;
    const double prop_y = eval(prop_x);
    --evals;
    if (prop_y > best_y) {
      best_x = prop_x;
      best_y = prop_y;
      delta *= 2;
    } else {
      delta *= s.ratio;
      break;
    }
  }
  while (evals > 0) {  // contraction around the last proposal
    if (prop_x < best_x) {
      prop_x += delta;
    } else {
      double x = prop_x - delta;
      while (x < 0) x = (x + prop_x) / 2;
      prop_x = x;
    }
    const double prop_y = eval(prop_x);
    --evals;
    if (prop_y > best_y) {
      best_x = prop_x;
      best_y = prop_y;
    }
    delta *= s.ratio;
  }
  return best_x;
}

template <class T>
void honest_moments(std::span<const T* const> honest, std::size_t d, std::vector<T>& mean, std::vector<T>* stddev) {
  const std::size_t m = honest.size();
  mean.assign(d, T(0));
  if (stddev) stddev->assign(d, T(0));
  std::vector<double> acc(d, 0.0);
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t c = 0; c < d; ++c) acc[c] += static_cast<double>(honest[r][c]);
  }
  for (std::size_t c = 0; c < d; ++c) acc[c] /= static_cast<double>(m);
  for (std::size_t c = 0; c < d; ++c) mean[c] = static_cast<T>(acc[c]);
  if (!stddev) return;
  std::vector<double> ss(d, 0.0);
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t c = 0; c < d; ++c) {
      const double e = static_cast<double>(honest[r][c]) - acc[c];
      ss[c] += e * e;
    }
  }
  const double denom = m > 1 ? static_cast<double>(m - 1) : 1.0;
  for (std::size_t c = 0; c < d; ++c) (*stddev)[c] = static_cast<T>(std::sqrt(ss[c] / denom));
}

template <class T>
double attack_objective_direct(const RuleOptions& target, std::size_t f, std::span<const T* const> honest,
                               std::size_t d, std::span<const T> mean, std::span<const T> direction, double z) {
  const std::size_t m = honest.size();
  std::vector<T> b(d);
  for (std::size_t c = 0; c < d; ++c) b[c] = static_cast<T>(static_cast<double>(mean[c]) + z * direction[c]);
  std::vector<const T*> rows(honest.begin(), honest.end());
  for (std::size_t k = 0; k < f; ++k) rows.push_back(b.data());
  Mixer<T> mixer(target);
  std::vector<double> acc(d, 0.0);
  std::vector<T> out(d);
  const bool pivoted = target.rule == Rule::nna || target.rule == Rule::scc;
  for (std::size_t i = 0; i < (pivoted ? m : 1); ++i) {
    mixer.mix(rows, d, i, out);
    for (std::size_t c = 0; c < d; ++c) acc[c] += static_cast<double>(out[c]);
  }
  const double count = pivoted ? static_cast<double>(m) : 1.0;
  double phi = 0;
  for (std::size_t c = 0; c < d; ++c) {
    const double e = acc[c] / count - static_cast<double>(mean[c]);
    phi += e * e;
  }
  return phi;
}

// Blocks of kGramBlock coordinates: the centred values of every row are laid out coordinate-major
// (e_j contiguous for one coordinate, padded with zeros to a multiple of 8), then each Gram row is
// updated a vector of j at a time. Every entry still accumulates e_i e_j in coordinate order, one
// product-and-add per coordinate, as a plain loop over c would (the lower triangle and the padding
// are computed and dropped). One strided gather per row and coordinate, and triangular loops too
// short to vectorise, made the plain loop ~10x slower.
template <class T>
CenteredGram::CenteredGram(std::span<const T* const> honest, std::size_t d, std::span<const T> mean,
                           std::span<const T> direction)
    : m(honest.size()) {
  constexpr std::size_t kGramBlock = 64;
  const std::size_t stride = (m + 7) / 8 * 8;
  std::vector<double> acc(m * stride, 0.0), e(kGramBlock * stride, 0.0), u(kGramBlock);
  ue.assign(m, 0.0);
  for (std::size_t c0 = 0; c0 < d; c0 += kGramBlock) {
    const std::size_t len = std::min(kGramBlock, d - c0);
    for (std::size_t j = 0; j < m; ++j) {
      const T* h = honest[j] + c0;
      for (std::size_t k = 0; k < len; ++k)
        e[k * stride + j] = static_cast<double>(h[k]) - static_cast<double>(mean[c0 + k]);
    }
    for (std::size_t k = 0; k < len; ++k) u[k] = static_cast<double>(direction[c0 + k]);
    for (std::size_t k = 0; k < len; ++k) {
      const double* ek = e.data() + k * stride;
      const double uk = u[k];
      for (std::size_t i = 0; i < m; ++i) {
        ue[i] += uk * ek[i];
        const double ei = ek[i];
        double* row = acc.data() + i * stride;
        for (std::size_t j = i / 8 * 8; j < stride; ++j) row[j] += ei * ek[j];
      }
      uu += uk * uk;
    }
  }
  ee.resize(m * m);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i; j < m; ++j) ee[i * m + j] = ee[j * m + i] = acc[i * stride + j];
  }
}

double CenteredGram::inner(std::span<const double> a, double beta, std::span<const double> b, double gamma) const {
  double s = 0, ua = 0, ub = 0;
  for (std::size_t i = 0; i < m; ++i) {
    if (a[i] == 0) continue;
    double row = 0;
    for (std::size_t j = 0; j < m; ++j) row += ee[i * m + j] * b[j];
    s += a[i] * row;
  }
  for (std::size_t i = 0; i < m; ++i) {
    ua += a[i] * ue[i];
    ub += b[i] * ue[i];
  }
  return s + gamma * ua + beta * ub + beta * gamma * uu;
}

double NnaObjective::operator()(double z) const {
  const std::size_t m = gram_.m, total = m + f_, keep = m;  // |R| = m + f, keep |R| − f
  const auto& ee = gram_.ee;
  const auto& ue = gram_.ue;
  const double uu = gram_.uu;
  std::vector<double> dist(total);
  std::vector<std::size_t> order(total);
  std::vector<double> count(m, 0.0);
  double byz = 0;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      const double d2 = ee[i * m + i] + ee[j * m + j] - 2 * ee[i * m + j];
      dist[j] = j == i ? 0.0 : std::max(d2, 0.0);
    }
    double db = z * z * uu - 2 * z * ue[i] + ee[i * m + i];
    db = std::isfinite(db) ? std::max(db, 0.0) : std::numeric_limits<double>::infinity();
    for (std::size_t k = m; k < total; ++k) dist[k] = db;
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dist[a] < dist[b]; });
    for (std::size_t q = 0; q < keep; ++q) {
      if (order[q] < m) {
        count[order[q]] += 1;
      } else {
        byz += 1;
      }
    }
  }
  // mean_i NNA_i − x̄ = Σ_j a_j e_j + β u,  a_j = count_j/(m·keep),  β = byz·z/(m·keep).
  // When b is never kept and every honest model is kept equally often, this is exactly 0 (Σ e_j = 0);
  // return that rather than the Gram form's rounding noise, so the search does not chase noise.
  if (byz == 0 && std::all_of(count.begin(), count.end(), [&](double c) { return c == count[0]; })) return 0.0;
  const double scale = 1.0 / (static_cast<double>(m) * static_cast<double>(keep));
  const double beta = byz * z * scale;
  double quad = 0, cross = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double ai = count[i] * scale;
    if (ai == 0) continue;
    cross += ai * ue[i];
    for (std::size_t j = 0; j < m; ++j) quad += ai * count[j] * scale * ee[i * m + j];
  }
  return std::max(quad + 2 * beta * cross + beta * beta * uu, 0.0);
}

// Node i's clipped gossip on H ∪ {b}^f, in coefficients: v = x̄ + Σ_j a_j e_j + β u starts at h_i
// (a = unit i, β = 0); each iteration takes the distances to the m honest models and to b = x̄ + z u,
//   ‖e_r − v̄‖² = ee_rr − 2 g_r + vv,   ‖z u − v̄‖² = z² uu − 2 z g_u + vv   (v̄ = v − x̄,
//   g = <e, v̄>, g_u = <u, v̄>, vv = ‖v̄‖²),
// clips with the weights w = min(1, τ/‖·‖) (0 where a distance is not finite, as Mixer::scc does)
// and moves v by (1/(m + f)) Σ_r w_r (x_r − v). φ is ‖mean_i v_i − x̄‖².
double SccObjective::operator()(double z) const {
  const std::size_t m = gram_.m;
  const auto& ee = gram_.ee;
  const auto& ue = gram_.ue;
  const double uu = gram_.uu;
  const double total = static_cast<double>(m + f_), fb = static_cast<double>(f_);
  const auto weight = [&](double squared) {
    const double norm = std::sqrt(std::max(squared, 0.0));
    return !std::isfinite(norm) ? 0.0 : (norm > tau_ ? tau_ / norm : 1.0);
  };
  std::vector<double> a(m), g(m), mean_a(m, 0.0), w(m);
  double mean_beta = 0;
  for (std::size_t i = 0; i < m; ++i) {
    std::fill(a.begin(), a.end(), 0.0);
    a[i] = 1;
    double beta = 0;
    for (int it = 0; it < iters_; ++it) {
      double gu = beta * uu, vv = 0;
      for (std::size_t r = 0; r < m; ++r) {
        double s = beta * ue[r];
        for (std::size_t j = 0; j < m; ++j) s += ee[r * m + j] * a[j];
        g[r] = s;
        gu += ue[r] * a[r];
      }
      for (std::size_t r = 0; r < m; ++r) vv += a[r] * g[r];
      vv += beta * gu;
      double sum_w = 0;
      for (std::size_t r = 0; r < m; ++r) {
        w[r] = weight(ee[r * m + r] - 2 * g[r] + vv);
        sum_w += w[r];
      }
      const double wb = weight(z * z * uu - 2 * z * gu + vv);
      sum_w += fb * wb;
      for (std::size_t r = 0; r < m; ++r) a[r] += (w[r] - sum_w * a[r]) / total;
      beta += (fb * wb * z - sum_w * beta) / total;
    }
    for (std::size_t r = 0; r < m; ++r) mean_a[r] += a[r] / static_cast<double>(m);
    mean_beta += beta / static_cast<double>(m);
  }
  return std::max(gram_.inner(mean_a, mean_beta, mean_a, mean_beta), 0.0);
}

template <class T>
Crafted<T> craft_attack(const AttackOptions& o, std::span<const T* const> honest, std::size_t d,
                        std::span<const T> lf_step) {
  const std::size_t m = honest.size();
  if (m < 1) throw InvalidParameter("an attack needs at least one honest model (got 0)");
  if (o.type == Attack::alie && m < 2) throw InvalidParameter("alie needs >= 2 honest models for σ (got 1)");
  Crafted<T> result;
  std::vector<T> mean, sigma;
  honest_moments<T>(honest, d, mean, o.type == Attack::alie ? &sigma : nullptr);
  result.vector.resize(d);
  switch (o.type) {
    case Attack::none:
    case Attack::mimic:
      std::copy(honest[0], honest[0] + d, result.vector.begin());
      return result;
    case Attack::sf:
      for (std::size_t c = 0; c < d; ++c) result.vector[c] = -mean[c];
      return result;
    case Attack::lf:
      if (lf_step.size() != d) throw InvalidParameter("lf needs the flipped-label step γ·mean∇ (length d)");
      for (std::size_t c = 0; c < d; ++c) result.vector[c] = mean[c] - lf_step[c];
      return result;
    default:
      break;
  }
  std::vector<T> u(d);
  if (o.type == Attack::alie) {
    u = sigma;
  } else {
    for (std::size_t c = 0; c < d; ++c) u[c] = -mean[c];
  }
  double z = o.fixed_z;
  if (!std::isfinite(z)) {
    RuleOptions target = o.target;
    target.f = o.f;  // the spec's setting: declared f = real f
    std::function<double(double)> phi;
    if (target.rule == Rule::nna) {
      phi = NnaObjective(o.f, honest, d, std::span<const T>(mean), std::span<const T>(u));
    } else if (target.rule == Rule::scc) {
      phi = SccObjective(target, o.f, honest, d, std::span<const T>(mean), std::span<const T>(u));
    } else {
      phi = [&, target](double x) {
        return attack_objective_direct<T>(target, o.f, honest, d, std::span<const T>(mean), std::span<const T>(u), x);
      };
    }
    z = line_maximize(phi, o.search, &result.trace);
  }
  result.z = z;
  for (std::size_t c = 0; c < d; ++c) result.vector[c] = static_cast<T>(static_cast<double>(mean[c]) + z * u[c]);
  return result;
}

#define PAPERKIT_ROBUST_ATTACKS(T)                                                                                     \
  template void honest_moments<T>(std::span<const T* const>, std::size_t, std::vector<T>&, std::vector<T>*);           \
  template double attack_objective_direct<T>(const RuleOptions&, std::size_t, std::span<const T* const>, std::size_t,  \
                                             std::span<const T>, std::span<const T>, double);                          \
  template CenteredGram::CenteredGram(std::span<const T* const>, std::size_t, std::span<const T>, std::span<const T>); \
  template Crafted<T> craft_attack<T>(const AttackOptions&, std::span<const T* const>, std::size_t, std::span<const T>);
PAPERKIT_ROBUST_ATTACKS(float)
PAPERKIT_ROBUST_ATTACKS(double)
#undef PAPERKIT_ROBUST_ATTACKS

}  // namespace paperkit::robust
