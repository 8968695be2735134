// Bad input gives one clear error naming the field, the rule and the value: head counts that do
// not divide, zero lengths, bad windows and splits, wrong buffer sizes, page tables out of range.
#include <gtest/gtest.h>

#include <string>

#include "attention_test_support.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::attention {
namespace {

template <typename E, typename F>
void expect_error(F&& call, const std::string& needle) {
  try {
    call();
    ADD_FAILURE() << "expected an error mentioning '" << needle << "'";
  } catch (const E& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
}

TEST(UnitAttentionValidation, ShapeRules) {
  expect_error<InvalidParameter>([] { validate(Shape{1, 6, 4, 1, 8, 8}); }, "q_heads must be a multiple of kv_heads");
  expect_error<InvalidParameter>([] { validate(Shape{1, 4, 4, 1, 0, 8}); }, "kv_len must be >= 1, got 0");
  expect_error<InvalidParameter>([] { validate(Shape{1, 4, 4, 0, 8, 8}); }, "q_len must be >= 1, got 0");
  expect_error<InvalidParameter>([] { validate(Shape{0, 4, 4, 1, 8, 8}); }, "batch");
  expect_error<InvalidParameter>([] { validate(Shape{1, 4, 0, 1, 8, 8}); }, "kv_heads");
  expect_error<InvalidParameter>([] { validate(Shape{1, 4, 4, 1, 8, 0}); }, "head_dim");
  expect_error<InvalidParameter>([] { validate(Mask{MaskKind::window, 0, 0, false}); }, "window must be >= 1");
  expect_error<InvalidParameter>([] { validate(SplitOptions{0, 16}); }, "num_splits");
  EXPECT_NO_THROW(validate(Shape{1, 6, 3, 1, 8, 8}));
}

TEST(UnitAttentionValidation, BufferSizesAndKeyRanges) {
  const Shape shape{1, 2, 1, 2, 8, 4};
  const auto qkv = test::random_qkv(shape, 1);
  const std::vector<float> short_k(qkv.k.begin(), qkv.k.end() - 1);
  expect_error<InputError>([&] { partial_attention(shape, qkv.q, short_k, qkv.v, KeyRange{}, Mask{}, 1.0f); },
                           "k must hold 32 values");
  expect_error<InvalidParameter>(
      [&] {
        partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{3, 9}, Mask{}, 1.0f);
      },
      "key range");
  expect_error<InvalidParameter>(
      [&] {
        partial_attention(shape, qkv.q, qkv.k, qkv.v, KeyRange{4, 3}, Mask{}, 1.0f);
      },
      "key range");
  Partial a = empty_partial(shape);
  const Partial b = empty_partial(Shape{1, 2, 1, 3, 8, 4});
  expect_error<InputError>([&] { merge(a, b); }, "merged partial");
}

TEST(UnitAttentionValidation, PageTableRules) {
  const Shape shape{2, 2, 1, 1, 40, 4};
  const auto qkv = test::random_qkv(shape, 2);
  const PagedStorage good = to_paged(shape, qkv.k, qkv.v, std::vector<std::int64_t>{40, 17}, 16, 2);
  EXPECT_NO_THROW(validate(shape, good.view()));
  const auto decode = [&](const PagedKv& kv) {
    split_k_attention_paged(shape, qkv.q, kv, Mask{}, 1.0f, SplitOptions{2, 16});
  };
  {
    PagedStorage bad = good;
    bad.block_table[1] = static_cast<std::int32_t>(bad.num_pages);  // sequence 0, page 1
    expect_error<InputError>([&] { decode(bad.view()); }, "block_table[0][1] must be in [0, num_pages=5)");
  }
  {
    PagedStorage bad = good;
    bad.block_table[3 + 1] = -1;  // sequence 1 uses 2 pages; its second entry must be valid
    expect_error<InputError>([&] { decode(bad.view()); }, "block_table[1][1]");
  }
  {
    PagedStorage unused = good;
    unused.block_table[3 + 2] = -1;  // beyond seq_lens[1]: unused entries may hold anything
    EXPECT_NO_THROW(decode(unused.view()));
  }
  {
    PagedStorage bad = good;
    bad.seq_lens[1] = 0;
    expect_error<InputError>([&] { decode(bad.view()); }, "seq_lens[1] must be in [1, pages_per_seq*page_size=48]");
  }
  {
    PagedStorage bad = good;
    bad.seq_lens[0] = 49;
    expect_error<InputError>([&] { decode(bad.view()); }, "seq_lens[0]");
  }
  {
    PagedKv bad = good.view();
    bad.k_pages = bad.k_pages.subspan(1);
    expect_error<InputError>([&] { decode(bad); }, "k_pages");
  }
  expect_error<InputError>(
      [&] {
        to_paged(shape, qkv.k, qkv.v, std::vector<std::int64_t>{41, 1}, 16, 2);
      },
      "seq_lens[0] must be in [1, kv_len=40]");
}

}  // namespace
}  // namespace paperkit::attention
