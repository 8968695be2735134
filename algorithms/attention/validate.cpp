// Parameter checks shared by every attention entry point: one message names the field, the rule
// and the value.
#include <cmath>
#include <string>

#include "paperkit/attention/attention.hpp"
#include "paperkit/common/errors.hpp"

namespace paperkit::attention {
namespace {

void require_positive(const char* name, std::int64_t value) {
  if (value < 1) throw InvalidParameter(std::string(name) + " must be >= 1, got " + std::to_string(value));
}

}  // namespace

void validate(const Shape& shape, bool check_kv_len) {
  require_positive("batch", shape.batch);
  require_positive("q_heads", shape.q_heads);
  require_positive("kv_heads", shape.kv_heads);
  require_positive("q_len", shape.q_len);
  if (check_kv_len) require_positive("kv_len", shape.kv_len);
  require_positive("head_dim", shape.head_dim);
  if (shape.q_heads % shape.kv_heads != 0) {
    throw InvalidParameter("q_heads must be a multiple of kv_heads, got q_heads=" + std::to_string(shape.q_heads) +
                           " kv_heads=" + std::to_string(shape.kv_heads));
  }
}

void validate(const Mask& mask) {
  if (mask.kind == MaskKind::window && mask.window < 1) {
    throw InvalidParameter("window must be >= 1 for a sliding-window mask, got " + std::to_string(mask.window));
  }
}

void validate(const SplitOptions& options) {
  require_positive("num_splits", options.num_splits);
  require_positive("granule", options.granule);
}

double default_scale(std::int64_t head_dim) {
  require_positive("head_dim", head_dim);
  return 1.0 / std::sqrt(static_cast<double>(head_dim));
}

}  // namespace paperkit::attention
