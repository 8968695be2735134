// Theorem 3 refinement of EBIM (spec A5) and the brute-force reference (ebim_refine.hpp).
#include "paperkit/mec/ebim_refine.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::mec {

namespace {

double eta(double z) {
  return z > 0 ? -z * std::log2(z) : 0.0;
}

// Feasibility slack on H(T) <= R: Algorithm 1 accepts a map from H - drop <= R, and the
// entropy recomputed from the cell masses may exceed R by rounding (about 1e-16).
constexpr double kRateSlack = 1e-12;

// --- replay of Algorithm 1 (same formulas and tie rules as ebim.cpp) --------------------------

double merge_drop(double a, double b) {
  return a * std::log2(1 + b / a) + b * std::log2(1 + a / b);
}

struct Cells {
  Partition members;
  std::vector<double> mass;

  double entropy() const { return entropy_bits(std::span<const double>(mass)); }

  std::pair<std::size_t, std::size_t> extreme_pair(bool smallest) const {
    auto better = [&](std::size_t x, std::size_t y) { return smallest ? mass[x] < mass[y] : mass[x] > mass[y]; };
    std::size_t a = 0, b = 1;
    if (better(b, a)) std::swap(a, b);
    for (std::size_t t = 2; t < mass.size(); ++t) {
      if (better(t, a)) {
        b = a;
        a = t;
      } else if (better(t, b)) {
        b = t;
      }
    }
    return {std::min(a, b), std::max(a, b)};
  }

  Cells merged(std::size_t x, std::size_t y) const {
    Cells out = *this;
    auto& into = out.members[x];
    into.insert(into.end(), members[y].begin(), members[y].end());
    std::sort(into.begin(), into.end());
    out.mass[x] += mass[y];
    out.members.erase(out.members.begin() + static_cast<std::ptrdiff_t>(y));
    out.mass.erase(out.mass.begin() + static_cast<std::ptrdiff_t>(y));
    std::vector<std::size_t> order(out.mass.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t u, std::size_t v) { return out.members[u].front() < out.members[v].front(); });
    Cells sorted;
    for (std::size_t t : order) {
      sorted.members.push_back(std::move(out.members[t]));
      sorted.mass.push_back(out.mass[t]);
    }
    return sorted;
  }
};

void check_rate(double rate) {
  if (!(rate >= 0) || !std::isfinite(rate)) {
    throw InvalidParameter("rate R must be finite and >= 0 (got " + std::to_string(rate) + ")");
  }
}

// --- tracing the two moves ---------------------------------------------------------------------

struct MapInfo {
  std::vector<double> mass;            // P_t
  std::vector<std::uint32_t> cell_of;  // t of each symbol (support only)
  double h_x = 0, h_t = 0;
};

MapInfo info_of(const Marginal& p, const Partition& map) {
  MapInfo m;
  m.cell_of.assign(p.size(), 0);
  for (std::size_t t = 0; t < map.size(); ++t) {
    double s = 0;
    for (auto x : map[t]) {
      s += p[x];
      m.cell_of[x] = static_cast<std::uint32_t>(t);
    }
    m.mass.push_back(s);
  }
  m.h_x = entropy_bits(std::span<const double>(p));
  m.h_t = entropy_bits(std::span<const double>(m.mass));
  return m;
}

// (H(T), I(X;T)) after moving delta from (x, from) to (x, to); to == cells is a new column.
void evaluate(const Marginal& p, const MapInfo& m, EbimMove& mv) {
  const double pa = m.mass[mv.from];
  const double pb = mv.to < m.mass.size() ? m.mass[mv.to] : 0.0;
  mv.h_t = mv.delta == 0 ? m.h_t : m.h_t - eta(pa) - eta(pb) + eta(pa - mv.delta) + eta(pb + mv.delta);
  // H(X,T) = H(X) for the map; the move splits p(x) into p(x) - delta and delta.
  const double h_xt = m.h_x - eta(p[mv.x]) + eta(p[mv.x] - mv.delta) + eta(mv.delta);
  mv.i_xt = mv.delta == 0 ? m.h_t : std::max(0.0, m.h_x + mv.h_t - h_xt);
}

// The two moves' cells: {kind, x, from, to}; '-' absent for a one-cell map.
std::vector<EbimMove> moves_of(const Marginal& p, const Partition& map, const MapInfo& m) {
  std::vector<EbimMove> out;
  const auto cells = static_cast<std::uint32_t>(map.size());
  // +eps: smallest p(x|t) = p(x) / P_t, lowest symbol on ties.
  EbimMove plus{'+', 0, 0, cells, 0, 0, 0};
  double best = 2;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (p[x] <= 0) continue;
    const double r = p[x] / m.mass[m.cell_of[x]];
    if (r < best) {
      best = r;
      plus.x = static_cast<std::uint32_t>(x);
      plus.from = m.cell_of[x];
    }
  }
  out.push_back(plus);
  if (cells >= 2) {
    std::uint32_t s = 0;
    for (std::uint32_t t = 1; t < cells; ++t) {
      if (m.mass[t] < m.mass[s]) s = t;
    }
    std::uint32_t l = s == 0 ? 1 : 0;
    for (std::uint32_t t = 0; t < cells; ++t) {
      if (t != s && m.mass[t] > m.mass[l]) l = t;
    }
    std::uint32_t x = map[s].front();
    for (auto y : map[s]) {
      if (p[y] < p[x]) x = y;
    }
    out.push_back({'-', x, s, l, 0, 0, 0});
  }
  return out;
}

}  // namespace

std::vector<Partition> ebim_visited_maps(const Marginal& p, double rate) {
  check_rate(rate);
  Cells cells;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (p[x] > 0) {
      cells.members.push_back({static_cast<std::uint32_t>(x)});
      cells.mass.push_back(p[x]);
    }
  }
  if (cells.mass.empty()) throw InputError("EBIM needs a marginal with positive mass");
  std::vector<Partition> visited{cells.members};
  if (rate >= cells.entropy()) return visited;
  while (cells.mass.size() > 1) {
    const double h = cells.entropy();
    const auto [s1, s2] = cells.extreme_pair(true);
    const Cells candidate = cells.merged(s1, s2);
    visited.push_back(candidate.members);
    if (h - merge_drop(cells.mass[s1], cells.mass[s2]) <= rate) return visited;
    const auto [l1, l2] = cells.extreme_pair(false);
    const double drop = merge_drop(cells.mass[l1], cells.mass[l2]);
    cells = cells.merged(l1, l2);
    if (cells.members != visited.back()) visited.push_back(cells.members);
    if (h - drop <= rate) {
      // Algorithm 1 returns this map: make it the last entry even when it equals the candidate.
      if (visited.back() != cells.members) visited.push_back(cells.members);
      return visited;
    }
  }
  // The loop ended at one cell without accepting (R below every merge): that is the answer.
  if (visited.back() != cells.members) visited.push_back(cells.members);
  return visited;
}

std::vector<Partition> ebim_all_maps(const Marginal& p) {
  std::vector<std::uint32_t> support;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (p[x] > 0) support.push_back(static_cast<std::uint32_t>(x));
  }
  if (support.empty()) throw InputError("EBIM needs a marginal with positive mass");
  if (support.size() > kMaxAllMaps) {
    throw InvalidParameter("EBIM refine over all maps: support " + std::to_string(support.size()) + " exceeds " +
                           std::to_string(kMaxAllMaps) + " symbols");
  }
  // Restricted growth strings: label[x] <= 1 + max(label[0..x-1]); cells appear in order of
  // their smallest symbol, the order every Partition here uses.
  const std::size_t n = support.size();
  std::vector<std::size_t> label(n, 0);
  std::vector<Partition> out;
  for (;;) {
    Partition map;
    for (std::size_t x = 0; x < n; ++x) {
      if (label[x] == map.size()) map.emplace_back();
      map[label[x]].push_back(support[x]);
    }
    out.push_back(std::move(map));
    std::size_t x = n;
    for (;;) {
      if (x <= 1) return out;
      --x;
      const std::size_t top = *std::max_element(label.begin(), label.begin() + static_cast<std::ptrdiff_t>(x));
      if (label[x] <= top) {
        ++label[x];
        std::fill(label.begin() + static_cast<std::ptrdiff_t>(x) + 1, label.end(), 0);
        break;
      }
    }
  }
}

std::vector<EbimMove> ebim_trace(const Marginal& p, const Partition& map, std::size_t grid) {
  if (grid == 0) throw InvalidParameter("EBIM refine: grid must be >= 1");
  const MapInfo m = info_of(p, map);
  std::vector<EbimMove> out;
  for (EbimMove mv : moves_of(p, map, m)) {
    for (std::size_t k = 0; k <= grid; ++k) {
      mv.delta = static_cast<double>(k) / static_cast<double>(grid) * p[mv.x];
      evaluate(p, m, mv);
      out.push_back(mv);
    }
  }
  return out;
}

EbimRefineResult ebim_refine(const Marginal& p, double rate, const EbimRefineOptions& options) {
  check_rate(rate);
  if (options.grid == 0) throw InvalidParameter("EBIM refine: grid must be >= 1");
  EbimRefineResult r;
  r.deterministic = ebim_deterministic(p, rate);
  auto maps = ebim_visited_maps(p, rate);
  const std::size_t alg1_index = maps.size() - 1;
  if (options.all_maps) {
    const auto all = ebim_all_maps(p);
    maps.insert(maps.end(), all.begin(), all.end());
  }
  r.maps = maps.size();
  const double cap = rate + kRateSlack;
  bool found = false;
  auto consider = [&](const EbimMove& mv, std::size_t map_index) {
    if (mv.h_t <= cap && (!found || mv.i_xt > r.mutual_information)) {
      found = true;
      r.mutual_information = mv.i_xt;
      r.h_t = mv.h_t;
      r.move = mv;
      r.source_map = map_index;
    }
  };
  // Algorithm 1's own answer first: the refinement only replaces it by something better.
  const double alg1 = r.deterministic.mutual_information;
  consider({'0', maps[alg1_index].front().front(), 0, 0, 0, alg1, alg1}, alg1_index);
  for (std::size_t mi = 0; mi < maps.size(); ++mi) {
    const MapInfo m = info_of(p, maps[mi]);
    for (EbimMove mv : moves_of(p, maps[mi], m)) {
      EbimMove previous = mv;
      for (std::size_t k = 0; k <= options.grid; ++k) {
        mv.delta = static_cast<double>(k) / static_cast<double>(options.grid) * p[mv.x];
        evaluate(p, m, mv);
        if (k > 0) consider(mv, mi);
        if (options.crossings && k > 0 && (previous.h_t <= rate) != (mv.h_t <= rate)) {
          // Bisect [previous, mv] for the feasible end closest to H(T) = R (strictly <= R).
          EbimMove ok = previous.h_t <= rate ? previous : mv, bad = previous.h_t <= rate ? mv : previous;
          for (int it = 0; it < 80; ++it) {
            EbimMove mid = ok;
            mid.delta = 0.5 * (ok.delta + bad.delta);
            evaluate(p, m, mid);
            (mid.h_t <= rate ? ok : bad) = mid;
          }
          consider(ok, mi);
        }
        previous = mv;
      }
    }
  }

  // The encoder p(t|x) of the best point.
  const MapInfo m = info_of(p, maps[r.source_map]);
  const std::size_t columns = maps[r.source_map].size() + (r.move.kind == '+' ? 1 : 0);
  r.encoder.assign(p.size(), std::vector<double>(columns, 0.0));
  for (std::size_t x = 0; x < p.size(); ++x) r.encoder[x][p[x] > 0 ? m.cell_of[x] : 0] = 1.0;
  r.p_t = m.mass;
  if (r.move.kind != '0' && r.move.delta > 0) {
    const double share = r.move.delta / p[r.move.x];
    r.encoder[r.move.x][r.move.from] = 1.0 - share;
    r.encoder[r.move.x][r.move.to] += share;
    r.p_t.resize(columns, 0.0);
    r.p_t[r.move.from] -= r.move.delta;
    r.p_t[r.move.to] += r.move.delta;
  }
  return r;
}

double encoder_code_entropy(const Marginal& p, const std::vector<std::vector<double>>& encoder) {
  std::vector<double> pt;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (encoder[x].size() > pt.size()) pt.resize(encoder[x].size(), 0.0);
    for (std::size_t t = 0; t < encoder[x].size(); ++t) pt[t] += p[x] * encoder[x][t];
  }
  return entropy_bits(std::span<const double>(pt));
}

double encoder_mutual_information(const Marginal& p, const std::vector<std::vector<double>>& encoder) {
  std::vector<double> pt;
  for (std::size_t x = 0; x < p.size(); ++x) {
    if (encoder[x].size() > pt.size()) pt.resize(encoder[x].size(), 0.0);
    for (std::size_t t = 0; t < encoder[x].size(); ++t) pt[t] += p[x] * encoder[x][t];
  }
  double i = 0;
  for (std::size_t x = 0; x < p.size(); ++x) {
    for (std::size_t t = 0; t < encoder[x].size(); ++t) {
      const double j = p[x] * encoder[x][t];
      if (j > 0 && pt[t] > 0) i += j * std::log2(encoder[x][t] / pt[t]);
    }
  }
  return std::max(0.0, i);
}

// --- brute force -------------------------------------------------------------------------------

namespace {

// All compositions of `steps` into `codes` non-negative parts (optionally non-increasing).
void compositions(std::size_t codes, std::size_t steps, bool sorted, std::vector<std::size_t>& part,
                  std::vector<std::vector<std::size_t>>& out) {
  if (part.size() + 1 == codes) {
    const std::size_t used = std::accumulate(part.begin(), part.end(), std::size_t{0});
    const std::size_t last = steps - used;
    if (!sorted || part.empty() || last <= part.back()) {
      part.push_back(last);
      out.push_back(part);
      part.pop_back();
    }
    return;
  }
  const std::size_t used = std::accumulate(part.begin(), part.end(), std::size_t{0});
  for (std::size_t c = 0; c + used <= steps; ++c) {
    if (sorted && !part.empty() && c > part.back()) break;
    part.push_back(c);
    compositions(codes, steps, sorted, part, out);
    part.pop_back();
  }
}

struct Scored {
  double i = -1, h = 0;
  std::vector<std::size_t> rows;  // composition index per symbol
};

}  // namespace

std::vector<double> ebim_brute_force(const Marginal& p, const std::vector<double>& rates, Rng& rng,
                                     const EbimBruteOptions& options) {
  const std::size_t n = p.size(), k = options.codes;
  if (n == 0 || k < 1 || options.steps < 1) throw InvalidParameter("EBIM brute force: need n, codes, steps >= 1");
  for (double r : rates) check_rate(r);
  std::vector<std::vector<std::size_t>> all, first;
  std::vector<std::size_t> part;
  compositions(k, options.steps, false, part, all);
  compositions(k, options.steps, true, part, first);
  double evaluations = static_cast<double>(first.size());
  for (std::size_t x = 1; x < n; ++x) evaluations *= static_cast<double>(all.size());
  if (evaluations > static_cast<double>(options.max_evaluations)) {
    throw InvalidParameter("EBIM brute force: " + std::to_string(evaluations) + " encoders exceed the limit " +
                           std::to_string(options.max_evaluations));
  }
  const double unit = 1.0 / static_cast<double>(options.steps);
  auto row_entropy = [&](const std::vector<std::size_t>& c) {
    double h = 0;
    for (auto v : c) h += eta(static_cast<double>(v) * unit);
    return h;
  };
  std::vector<double> h_all, h_first;
  for (const auto& c : all) h_all.push_back(row_entropy(c));
  for (const auto& c : first) h_first.push_back(row_entropy(c));

  std::vector<std::size_t> order(rates.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rates[a] < rates[b]; });
  std::vector<double> sorted;
  for (auto o : order) sorted.push_back(rates[o]);
  std::vector<Scored> best(rates.size());

  // Odometer over the rows with partial sums of p_T and of H(T|X) per level.
  std::vector<std::size_t> idx(n, 0);
  std::vector<std::vector<double>> partial(n + 1, std::vector<double>(k, 0.0));
  std::vector<double> cond(n + 1, 0.0);
  auto row_of = [&](std::size_t x, std::size_t i) -> const std::vector<std::size_t>& {
    return x == 0 ? first[i] : all[i];
  };
  auto fill = [&](std::size_t from) {
    for (std::size_t x = from; x < n; ++x) {
      const auto& c = row_of(x, idx[x]);
      for (std::size_t t = 0; t < k; ++t) partial[x + 1][t] = partial[x][t] + p[x] * static_cast<double>(c[t]) * unit;
      cond[x + 1] = cond[x] + p[x] * (x == 0 ? h_first[idx[x]] : h_all[idx[x]]);
    }
  };
  fill(0);
  for (;;) {
    double h = 0;
    for (std::size_t t = 0; t < k; ++t) h += eta(partial[n][t]);
    const double info = h - cond[n];
    const auto at =
        static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), h - kRateSlack) - sorted.begin());
    if (at < sorted.size() && info > best[at].i) best[at] = {info, h, idx};
    // Next encoder.
    std::size_t x = n;
    while (x > 0) {
      --x;
      if (++idx[x] < (x == 0 ? first.size() : all.size())) break;
      idx[x] = 0;
      if (x == 0) {
        x = n + 1;
        break;
      }
    }
    if (x == n + 1) break;
    fill(x);
  }
  // A point feasible at one rate is feasible at every larger one.
  for (std::size_t r = 1; r < best.size(); ++r) {
    if (best[r - 1].i > best[r].i) best[r] = best[r - 1];
  }

  // Polish each rate's best grid encoder by random local moves.
  std::vector<double> out(rates.size(), 0.0);
  for (std::size_t r = 0; r < sorted.size(); ++r) {
    std::vector<std::vector<double>> enc(n, std::vector<double>(k, 0.0));
    if (best[r].i >= 0) {
      for (std::size_t x = 0; x < n; ++x) {
        const auto& c = row_of(x, best[r].rows[x]);
        for (std::size_t t = 0; t < k; ++t) enc[x][t] = static_cast<double>(c[t]) * unit;
      }
    } else {
      for (std::size_t x = 0; x < n; ++x) enc[x][0] = 1.0;  // one code value: H(T) = 0
    }
    double current = encoder_mutual_information(p, enc);
    // Odd proposals shift mass in two rows at once: on the boundary H(T) = R a single shift
    // rarely both stays feasible and raises I(X;T), a pair of them can follow the boundary.
    // Rejected proposals restore the saved rows exactly (undoing the shifts arithmetically can
    // leave -1e-20 entries behind).
    std::vector<std::pair<std::size_t, std::vector<double>>> saved;
    for (std::size_t it = 0; it < options.polish && k >= 2; ++it) {
      const double step = unit * std::pow(1e-5, static_cast<double>(it) /
                                                    static_cast<double>(std::max<std::size_t>(1, options.polish)));
      saved.clear();
      for (std::size_t s = 0; s < 1 + it % 2; ++s) {
        const std::size_t x = rng.uniform_below(n), t1 = rng.uniform_below(k);
        std::size_t t2 = rng.uniform_below(k - 1);
        if (t2 >= t1) ++t2;
        const double amount = std::min(enc[x][t1], step * rng.uniform01());
        if (!(amount > 0)) continue;
        if (saved.empty() || saved.front().first != x) saved.emplace_back(x, enc[x]);
        enc[x][t1] = std::max(0.0, enc[x][t1] - amount);
        enc[x][t2] += amount;
      }
      if (saved.empty()) continue;
      const double h = encoder_code_entropy(p, enc), info = encoder_mutual_information(p, enc);
      if (h <= sorted[r] + kRateSlack && info > current) {
        current = info;
      } else {
        for (auto row = saved.rbegin(); row != saved.rend(); ++row) enc[row->first] = row->second;
      }
    }
    out[order[r]] = current;
  }
  return out;
}

}  // namespace paperkit::mec
