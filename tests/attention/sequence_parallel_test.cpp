// The sequence-parallel simulator (spec B3, oracle 9): ring, zigzag, RSA and TokenRing equal
// single-device fp64 attention within 1e-5 relative (max-norm) and their lse within 1e-5; LASP-2
// equals the fp64 linear-attention oracle within 1e-5; the byte ledger, counted from the buffers
// the virtual devices hand over, equals the spec's volumes exactly; bad parameters throw one
// clear InvalidParameter.
#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "attention_test_support.hpp"
#include "paperkit/attention/sequence_parallel.hpp"
#include "paperkit/common/errors.hpp"
#include "support/seeds.hpp"

namespace paperkit::attention {
namespace {

using test::random_qkv;
using test::relative_error;

constexpr double kFp32Tolerance = 1e-5;
const std::vector<SpScheme> kSoftmaxSchemes = {SpScheme::ring, SpScheme::zigzag, SpScheme::rsa, SpScheme::tokenring};
const std::vector<SpScheme> kAllSchemes = {SpScheme::ring, SpScheme::zigzag, SpScheme::rsa, SpScheme::tokenring,
                                           SpScheme::lasp2};
const std::vector<std::int64_t> kDevices = {1, 2, 3, 4, 8};

Shape self_attention(std::int64_t batch, std::int64_t q_heads, std::int64_t kv_heads, std::int64_t n, std::int64_t d) {
  return Shape{batch, q_heads, kv_heads, n, n, d};
}

Mask make_mask(MaskKind kind, std::int64_t offset = 0, std::int64_t window = 0) {
  Mask m;
  m.kind = kind;
  m.offset = offset;
  m.window = window;
  return m;
}

std::string describe(SpScheme scheme, std::int64_t p, const Shape& s, const Mask& m) {
  return std::string(sp_scheme_name(scheme)) + " P=" + std::to_string(p) + " N=" + std::to_string(s.q_len) +
         " batch=" + std::to_string(s.batch) + " Hq=" + std::to_string(s.q_heads) +
         " Hkv=" + std::to_string(s.kv_heads) + " d=" + std::to_string(s.head_dim) +
         " mask=" + std::to_string(static_cast<int>(m.kind)) + " offset=" + std::to_string(m.offset) +
         " window=" + std::to_string(m.window);
}

TEST(PropertySequenceParallel, SoftmaxSchemesEqualSingleDeviceOracle) {
  // Hundreds of tiny blocks: OpenMP fork/join would dominate on a shared machine (results do not
  // depend on the thread count).
  omp_set_num_threads(1);
  // Masks: none, causal, causal with a negative offset (the first rows see no key: lse = -inf,
  // O = 0), and a sliding window that leaves whole blocks invisible.
  const std::vector<Mask> masks = {make_mask(MaskKind::none), make_mask(MaskKind::causal),
                                   make_mask(MaskKind::causal, -3), make_mask(MaskKind::window, 0, 5)};
  std::uint64_t seed = paperkit::test::base_seed();
  for (const SpScheme scheme : kSoftmaxSchemes) {
    for (const std::int64_t p : kDevices) {
      for (const std::int64_t per_chunk : {1, 3}) {
        const std::int64_t n = 2 * p * per_chunk;  // divisible by 2P: valid for zigzag too
        const Shape shape = per_chunk == 1 ? self_attention(1, 4, 2, n, 8) : self_attention(2, 6, 3, n, 16);
        const auto qkv = random_qkv(shape, ++seed);
        const double scale = default_scale(shape.head_dim);
        for (const Mask& mask : masks) {
          SCOPED_TRACE(describe(scheme, p, shape, mask) + " " + paperkit::test::seed_note(seed));
          const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale);
          const SpResult got = simulate_sequence_parallel(shape, qkv.q, qkv.k, qkv.v, mask, static_cast<float>(scale),
                                                          SpConfig{scheme, p, 4, true});
          ASSERT_EQ(got.out.size(), ref.out.size());
          EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance);
          EXPECT_TRUE(test::lse_close(got.lse, ref.lse, kFp32Tolerance));
          EXPECT_TRUE(test::all_finite(got.out));
        }
      }
    }
  }
}

TEST(PropertySequenceParallel, Lasp2EqualsLinearAttentionOracle) {
  std::uint64_t seed = paperkit::test::base_seed() + 1000;
  for (const std::int64_t p : kDevices) {
    for (const std::int64_t per_chunk : {1, 4}) {
      const Shape shape = self_attention(2, 4, 2, p * per_chunk, 8);
      const auto qkv = random_qkv(shape, ++seed);
      const double scale = default_scale(shape.head_dim);
      for (const MaskKind kind : {MaskKind::none, MaskKind::causal}) {
        const Mask mask = make_mask(kind);
        SCOPED_TRACE(describe(SpScheme::lasp2, p, shape, mask) + " " + paperkit::test::seed_note(seed));
        const auto ref = reference_linear_attention(shape, qkv.q, qkv.k, qkv.v, mask, scale);
        const SpResult got = simulate_sequence_parallel(shape, qkv.q, qkv.k, qkv.v, mask, static_cast<float>(scale),
                                                        SpConfig{SpScheme::lasp2, p, 4, true});
        EXPECT_LE(relative_error(got.out, ref), kFp32Tolerance);
        EXPECT_TRUE(got.lse.empty());
      }
    }
  }
}

TEST(UnitSequenceParallel, LinearOracleMatchesHandComputedCase) {
  // One head, d = 1, N = 2, scale 1: O_0 = q0 k0 v0, O_1 = q1 (k0 v0 + k1 v1) causal.
  const Shape shape = self_attention(1, 1, 1, 2, 1);
  const std::vector<float> q = {2.0f, 3.0f}, k = {5.0f, 7.0f}, v = {11.0f, 13.0f};
  const auto causal = reference_linear_attention(shape, q, k, v, make_mask(MaskKind::causal), 1.0);
  EXPECT_DOUBLE_EQ(causal[0], 2.0 * 5.0 * 11.0);
  EXPECT_DOUBLE_EQ(causal[1], 3.0 * (5.0 * 11.0 + 7.0 * 13.0));
  const auto full = reference_linear_attention(shape, q, k, v, make_mask(MaskKind::none), 1.0);
  EXPECT_DOUBLE_EQ(full[0], 2.0 * (5.0 * 11.0 + 7.0 * 13.0));
}

// The ledger against sp_byte_formula: every transfer of a direction has the formula's size, their
// number and total agree, and the size-only schedule moves exactly what the computing one moves.
void expect_ledger_matches_formula(const Shape& shape, const Mask& mask, const SpConfig& config, const SpResult& got) {
  const SpFormula f = sp_byte_formula(shape, mask, config);
  const ByteLedger& ledger = got.ledger;
  EXPECT_EQ(ledger.count(LinkDirection::forward), f.forward_sends);
  EXPECT_EQ(ledger.count(LinkDirection::backward), f.backward_sends);
  for (const Transfer& t : ledger.transfers) {
    const std::int64_t want =
        t.direction == LinkDirection::forward ? f.forward_bytes_per_send : f.backward_bytes_per_send;
    EXPECT_EQ(t.bytes, want) << "step " << t.step << " " << t.src << " -> " << t.dst;
    if (t.direction == LinkDirection::forward) {
      EXPECT_EQ(t.dst, (t.src + 1) % config.devices);
    }
  }
  EXPECT_EQ(ledger.total(), f.total());
  EXPECT_EQ(ledger.steps, f.steps);
  std::int64_t most = 0;
  for (std::int64_t r = 0; r < config.devices; ++r) most = std::max(most, ledger.sent_by(r));
  EXPECT_EQ(most, f.per_device_max);
}

TEST(UnitSequenceParallel, ByteLedgerEqualsSpecFormulas) {
  omp_set_num_threads(1);  // many tiny blocks, as above
  const std::vector<Shape> shapes = {self_attention(1, 4, 2, 48, 8), self_attention(2, 8, 8, 96, 16),
                                     self_attention(1, 6, 1, 48, 4)};
  std::uint64_t seed = paperkit::test::base_seed() + 2000;
  for (const Shape& shape : shapes) {
    const auto qkv = random_qkv(shape, ++seed);
    for (const SpScheme scheme : kAllSchemes) {
      for (const std::int64_t p : {1, 2, 3, 4, 8}) {
        if (shape.q_len % (scheme == SpScheme::zigzag ? 2 * p : p) != 0) continue;
        for (const MaskKind kind : {MaskKind::none, MaskKind::causal}) {
          for (const std::int64_t b : {2, 4}) {
            const Mask mask = make_mask(kind);
            SCOPED_TRACE(describe(scheme, p, shape, mask) + " b=" + std::to_string(b));
            const SpConfig config{scheme, p, b, true};
            const SpResult computed = simulate_sequence_parallel(shape, qkv.q, qkv.k, qkv.v, mask, 0.5f, config);
            expect_ledger_matches_formula(shape, mask, config, computed);
            const SpResult sized = simulate_sequence_parallel(shape, {}, {}, {}, mask, 0.5f, {scheme, p, b, false});
            ASSERT_EQ(sized.ledger.transfers.size(), computed.ledger.transfers.size());
            for (std::size_t i = 0; i < sized.ledger.transfers.size(); ++i) {
              const Transfer& a = sized.ledger.transfers[i];
              const Transfer& c = computed.ledger.transfers[i];
              EXPECT_EQ(a.step, c.step);
              EXPECT_EQ(a.src, c.src);
              EXPECT_EQ(a.dst, c.dst);
              EXPECT_EQ(a.bytes, c.bytes);
            }
            EXPECT_EQ(sized.blocks_computed, computed.blocks_computed);
            EXPECT_TRUE(sized.out.empty());
          }
        }
      }
    }
  }
}

TEST(UnitSequenceParallel, SpecVolumesAtTheToolExampleShape) {
  // P = 8, N = 65536, H_q = 32, H_kv = 8, d = 128, fp16 (b = 2): the spec's numbers, size-only.
  const Shape shape = self_attention(1, 32, 8, 65536, 128);
  const Mask causal = make_mask(MaskKind::causal);
  const auto run = [&](SpScheme scheme) {
    return simulate_sequence_parallel(shape, {}, {}, {}, causal, 1.0f, SpConfig{scheme, 8, 2, false}).ledger;
  };
  const std::int64_t chunk = 65536 / 8;
  EXPECT_EQ(run(SpScheme::ring).sent(LinkDirection::forward, 0, 3), 2 * chunk * 8 * 128 * 2);
  EXPECT_EQ(run(SpScheme::ring).sent(LinkDirection::forward, 7, 3), 0);  // the last step sends nothing
  EXPECT_EQ(run(SpScheme::zigzag).sent(LinkDirection::forward, 6, 0), 2 * chunk * 8 * 128 * 2);
  EXPECT_EQ(run(SpScheme::rsa).sent(LinkDirection::forward, 8, 1), chunk * 8 * 128 * 2);
  const ByteLedger token = run(SpScheme::tokenring);
  EXPECT_EQ(token.sent(LinkDirection::forward, 0, 5), chunk * 32 * 128 * 2);
  EXPECT_EQ(token.sent(LinkDirection::backward, 6, 5), chunk * 32 * (128 * 2 + 4));  // s = 6 > r = 5
  EXPECT_EQ(token.sent(LinkDirection::backward, 3, 5), 0);                           // causal: Q_2 never sees K/V_5
  const ByteLedger lasp = run(SpScheme::lasp2);
  for (std::int64_t r = 0; r < 8; ++r) EXPECT_EQ(lasp.sent_by(r), 7 * 8 * 128 * 128 * 2);
  // LASP-2's volume does not depend on N.
  const Shape shorter = self_attention(1, 32, 8, 1024, 128);
  EXPECT_EQ(simulate_sequence_parallel(shorter, {}, {}, {}, causal, 1.0f, SpConfig{SpScheme::lasp2, 8, 2, false})
                .ledger.total(),
            lasp.total());
}

TEST(UnitSequenceParallel, CausalSkipsShapeTheWorkNotTheRingTraffic) {
  const Shape shape = self_attention(1, 2, 1, 64, 4);
  const Mask causal = make_mask(MaskKind::causal);
  const std::int64_t p = 4;
  const auto ring = simulate_sequence_parallel(shape, {}, {}, {}, causal, 1.0f, {SpScheme::ring, p, 4, false});
  const auto zigzag = simulate_sequence_parallel(shape, {}, {}, {}, causal, 1.0f, {SpScheme::zigzag, p, 4, false});
  const auto none =
      simulate_sequence_parallel(shape, {}, {}, {}, make_mask(MaskKind::none), 1.0f, {SpScheme::ring, p, 4, false});
  for (std::int64_t r = 0; r < p; ++r) {
    const auto i = static_cast<std::size_t>(r);
    EXPECT_EQ(ring.blocks_computed[i], r + 1);        // step 0 diagonal, steps s <= r, skip s > r
    EXPECT_EQ(zigzag.blocks_computed[i], 2 * p + 1);  // balanced: 3 half-blocks at step 0, 2 after
    EXPECT_EQ(none.blocks_computed[i], p);
  }
  EXPECT_EQ(ring.ledger.total(), none.ledger.total());  // K/V travel the whole ring regardless
  const auto token = simulate_sequence_parallel(shape, {}, {}, {}, causal, 1.0f, {SpScheme::tokenring, p, 4, false});
  for (const Transfer& t : token.ledger.transfers) {
    if (t.direction == LinkDirection::backward) {
      EXPECT_GT(t.step, t.src);                    // device r sends back only at steps s > r
      EXPECT_EQ(t.dst, (t.src - t.step + p) % p);  // straight to the query block's owner
    }
  }
  EXPECT_EQ(token.ledger.count(LinkDirection::backward), p * (p - 1) / 2);
}

TEST(UnitSequenceParallel, OneTokenPerDevice) {
  const Shape shape = self_attention(1, 2, 2, 8, 4);
  const auto qkv = random_qkv(shape, paperkit::test::base_seed() + 3000);
  const Mask causal = make_mask(MaskKind::causal);
  const Reference ref = reference_attention(shape, qkv.q, qkv.k, qkv.v, causal, 0.5);
  for (const SpScheme scheme : {SpScheme::ring, SpScheme::rsa, SpScheme::tokenring}) {
    SCOPED_TRACE(sp_scheme_name(scheme));
    const SpResult got = simulate_sequence_parallel(shape, qkv.q, qkv.k, qkv.v, causal, 0.5f, {scheme, 8, 4, true});
    EXPECT_LE(relative_error(got.out, ref.out), kFp32Tolerance);
  }
}

void expect_invalid(const Shape& shape, const Mask& mask, const SpConfig& config, const std::string& message) {
  try {
    simulate_sequence_parallel(shape, {}, {}, {}, mask, 1.0f, config);
    ADD_FAILURE() << "no exception; wanted: " << message;
  } catch (const InvalidParameter& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(UnitSequenceParallel, BadParametersThrowClearMessages) {
  const Shape shape = self_attention(1, 4, 2, 12, 8);
  const Mask none = make_mask(MaskKind::none);
  expect_invalid(shape, none, {SpScheme::ring, 0, 4, false}, "devices (P) must be >= 1, got 0");
  expect_invalid(shape, none, {SpScheme::ring, -2, 4, false}, "devices (P) must be >= 1, got -2");
  expect_invalid(shape, none, {SpScheme::ring, 5, 4, false}, "N must be divisible by P=5 for ring, got N=12 P=5");
  expect_invalid(shape, none, {SpScheme::zigzag, 4, 4, false}, "N must be divisible by 2P=8 for zigzag, got N=12 P=4");
  expect_invalid(shape, none, {SpScheme::ring, 2, 0, false}, "bytes_per_element (b) must be >= 1, got 0");
  expect_invalid(Shape{1, 4, 2, 12, 24, 8}, none, {SpScheme::ring, 2, 4, false}, "q_len == kv_len");
  expect_invalid(shape, make_mask(MaskKind::window, 0, 3), {SpScheme::lasp2, 2, 4, false},
                 "lasp2 supports masks none and causal with offset 0 only");
  expect_invalid(shape, make_mask(MaskKind::causal, 1), {SpScheme::lasp2, 2, 4, false},
                 "lasp2 supports masks none and causal with offset 0 only");
  expect_invalid(Shape{1, 3, 2, 12, 12, 8}, none, {SpScheme::ring, 2, 4, false}, "q_heads must be a multiple");
  EXPECT_THROW(parse_sp_scheme("ulysses"), InvalidParameter);
  EXPECT_EQ(parse_sp_scheme("tokenring"), SpScheme::tokenring);
  // Computing needs the tensors: a wrong size is an input error, not a crash.
  EXPECT_THROW(simulate_sequence_parallel(shape, {}, {}, {}, none, 1.0f, {SpScheme::ring, 2, 4, true}), InputError);
}

}  // namespace
}  // namespace paperkit::attention
