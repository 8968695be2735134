// Models trained by the peer-to-peer loop, on a flat parameter vector θ (so mixing rules and MPI
// see one contiguous buffer): multinomial logistic regression and a one-hidden-layer ReLU MLP.
// Loss = mean cross-entropy over the batch + λ·‖θ‖₂ (the norm, not squared: the authors' code,
// spec §2a); its gradient adds λ·θ/‖θ‖ (0 at θ = 0). Gradients are hand-written with Eigen and
// checked against central finite differences in double (tests/robust/model_test.cpp, relative
// error < 1e-6).
//
// Layouts (row-major blocks inside θ): logreg [W (C x p), b (C)]; mlp [W1 (h x p), b1 (h),
// W2 (C x h), b2 (C)]. Initialisation: U(−1/√fan_in, 1/√fan_in) for weights and biases (torch's
// nn.Linear default), from the generator passed in.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "paperkit/common/rng.hpp"

namespace paperkit::robust {

template <class T>
class Model {
 public:
  virtual ~Model() = default;
  virtual std::size_t dim() const = 0;
  virtual std::string name() const = 0;
  virtual void init(std::span<T> theta, Rng& rng) const = 0;
  // Mean cross-entropy over `batch` rows of x (row-major, features() each) + l2·‖θ‖; the gradient
  // of that is written to grad when grad is non-empty. Labels must lie in [0, classes()).
  virtual double loss(std::span<const T> theta, const T* x, const int* y, std::size_t batch, double l2,
                      std::span<T> grad) const = 0;
  // Predicted class of each of `count` rows.
  virtual void predict(std::span<const T> theta, const T* x, std::size_t count, int* out) const = 0;
  std::size_t features() const { return features_; }
  std::size_t classes() const { return classes_; }

 protected:
  Model(std::size_t features, std::size_t classes) : features_(features), classes_(classes) {}
  std::size_t features_, classes_;
};

// "logreg" or "mlp:H" (H hidden units, 1..100000); throws InvalidParameter naming --model.
template <class T>
std::unique_ptr<Model<T>> make_model(const std::string& spec, std::size_t features, std::size_t classes);

}  // namespace paperkit::robust
