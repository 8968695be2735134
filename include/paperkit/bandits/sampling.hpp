// Exact samplers on the paperkit Rng, used for batch pulls (paperkit::bandits).
//
// binomial(rng, n, p) is an exact Binomial(n, p) draw for any n < 2^64: geometric waiting
// times when n*min(p, 1-p) < 10 (O(np) uniforms) and Hormann's BTRS transformed rejection
// otherwise (O(1) expected). Draws above 2^50 trials are split into chunks of at most 2^50
// (Bin(a+b, p) = Bin(a, p) + Bin(b, p)), so every integer BTRS handles is exact in a double.
#pragma once

#include <cstdint>

#include "paperkit/common/rng.hpp"

namespace paperkit::bandits {

// Binomial(n, p); p must be in [0, 1] (checked by the callers, which validate means).
std::uint64_t binomial(Rng& rng, std::uint64_t n, double p);

// Standard normal N(0, 1) (polar Box-Muller; one draw per call, the pair's second is dropped
// so the stream position depends on the call count only).
double standard_normal(Rng& rng);

namespace detail {
// The two exact branches, exposed so tests reach both regardless of n*p.
std::uint64_t binomial_inversion(Rng& rng, std::uint64_t n, double p);  // p <= 1/2
std::uint64_t binomial_btrs(Rng& rng, std::uint64_t n, double p);       // p <= 1/2, n*p >= 10, n <= 2^50
}  // namespace detail

}  // namespace paperkit::bandits
