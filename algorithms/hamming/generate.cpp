#include "paperkit/hamming/generate.hpp"

#include <cmath>

#include "paperkit/common/errors.hpp"
#include "paperkit/common/rng.hpp"

namespace paperkit::hamming {

GenKind parse_gen_kind(const std::string& name) {
  if (name == "random") return GenKind::random;
  if (name == "periodic") return GenKind::periodic;
  if (name == "fibonacci") return GenKind::fibonacci;
  if (name == "mutate") return GenKind::mutate;
  throw InvalidParameter("--kind must be random, periodic, fibonacci or mutate (got " + name + ")");
}

namespace {

// Substitutes each position with probability rate by a different uniform symbol.
void mutate_in_place(std::vector<Symbol>& seq, std::uint64_t sigma, double rate, Rng& rng) {
  if (sigma < 2) return;
  for (auto& s : seq) {
    if (rng.uniform01() < rate) {
      const auto shift = 1 + rng.uniform_below(sigma - 1);  // never the same symbol
      s = static_cast<Symbol>((s + shift) % sigma);
    }
  }
}

}  // namespace

std::vector<Symbol> generate(const GenSpec& spec, const std::vector<Symbol>& base) {
  if (spec.sigma < 1 || spec.sigma > (std::uint64_t{1} << 32)) {
    throw InvalidParameter("--sigma must be in [1, 2^32] (got " + std::to_string(spec.sigma) + ")");
  }
  if (spec.kind == GenKind::periodic && spec.period == 0) throw InvalidParameter("--period must be >= 1 (got 0)");
  if (!(spec.mutation_rate >= 0 && spec.mutation_rate <= 1)) {
    throw InvalidParameter("--rate must be in [0, 1] (got " + std::to_string(spec.mutation_rate) + ")");
  }
  Rng rng(spec.seed);
  std::vector<Symbol> out;
  switch (spec.kind) {
    case GenKind::random:
      out.resize(spec.n);
      for (auto& s : out) s = static_cast<Symbol>(rng.uniform_below(spec.sigma));
      break;
    case GenKind::periodic: {
      std::vector<Symbol> word(spec.period);
      for (auto& s : word) s = static_cast<Symbol>(rng.uniform_below(spec.sigma));
      out.resize(spec.n);
      for (std::size_t i = 0; i < spec.n; ++i) out[i] = word[i % spec.period];
      mutate_in_place(out, spec.sigma, spec.mutation_rate, rng);
      break;
    }
    case GenKind::fibonacci: {
      // f_1 = 0, f_2 = 01, f_k = f_{k-1} f_{k-2}: built by the morphism 0 -> 01, 1 -> 0.
      out = {0};
      while (out.size() < spec.n) {
        std::vector<Symbol> next;
        next.reserve(out.size() * 2);
        for (Symbol s : out) {
          next.push_back(0);
          if (s == 0) next.push_back(1);
        }
        out.swap(next);
      }
      out.resize(spec.n);
      break;
    }
    case GenKind::mutate:
      out = base;
      mutate_in_place(out, spec.sigma, spec.mutation_rate, rng);
      break;
  }
  return out;
}

}  // namespace paperkit::hamming
