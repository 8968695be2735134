// Logistic regression and MLP with hand-written gradients (see models.hpp).
#include "paperkit/robust/models.hpp"

#include <Eigen/Core>
#include <cmath>
#include <string>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapC = Eigen::Map<const Mat<T>>;
template <class T>
using MapM = Eigen::Map<Mat<T>>;
template <class T>
using VecC = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>;

template <class T>
void uniform_fill(T* p, std::size_t count, double bound, Rng& rng) {
  for (std::size_t i = 0; i < count; ++i) p[i] = static_cast<T>((2 * rng.uniform01() - 1) * bound);
}

// Softmax cross-entropy on logits (batch x C), in place: logits become dL/dlogits of the mean loss.
template <class T>
double softmax_xent(Mat<T>& logits, const int* y, std::size_t classes) {
  const auto batch = logits.rows();
  double total = 0;
  for (Eigen::Index r = 0; r < batch; ++r) {
    const T mx = logits.row(r).maxCoeff();
    double z = 0;
    for (Eigen::Index c = 0; c < logits.cols(); ++c) z += std::exp(static_cast<double>(logits(r, c) - mx));
    const auto label = static_cast<Eigen::Index>(y[r]);
    if (y[r] < 0 || static_cast<std::size_t>(y[r]) >= classes) throw InputError("label out of range");
    total += std::log(z) - static_cast<double>(logits(r, label) - mx);
    for (Eigen::Index c = 0; c < logits.cols(); ++c) {
      logits(r, c) = static_cast<T>(std::exp(static_cast<double>(logits(r, c) - mx)) / z / static_cast<double>(batch));
    }
    logits(r, label) -= static_cast<T>(1.0 / static_cast<double>(batch));
  }
  return total / static_cast<double>(batch);
}

// out[c] = Σ_r m(r, c), summed row by row in a fixed order. Eigen's colwise().sum() into a mapped
// vector sums the entries it peels to reach an aligned destination in a different order from the
// vectorized ones, so the gradient depended (in its last bits) on where the caller's buffer sat in
// memory, and processes with different heap layouts (the MPI engine's ranks) drifted apart.
template <class T>
void column_sums(const Mat<T>& m, T* out) {
  const Eigen::Index cols = m.cols();
  for (Eigen::Index c = 0; c < cols; ++c) out[c] = T(0);
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    const T* row = m.data() + r * cols;
    for (Eigen::Index c = 0; c < cols; ++c) out[c] += row[c];
  }
}

// λ‖θ‖ and its gradient λθ/‖θ‖ added to grad.
template <class T>
double l2_norm_term(std::span<const T> theta, double l2, std::span<T> grad) {
  if (l2 == 0) return 0;
  double ss = 0;
  for (T v : theta) ss += static_cast<double>(v) * static_cast<double>(v);
  const double norm = std::sqrt(ss);
  if (!grad.empty() && norm > 0) {
    const double s = l2 / norm;
    for (std::size_t i = 0; i < theta.size(); ++i) grad[i] += static_cast<T>(s * static_cast<double>(theta[i]));
  }
  return l2 * norm;
}

template <class T>
class LogReg final : public Model<T> {
 public:
  LogReg(std::size_t p, std::size_t c) : Model<T>(p, c) {}
  std::size_t dim() const override { return this->classes_ * this->features_ + this->classes_; }
  std::string name() const override { return "logreg"; }
  void init(std::span<T> theta, Rng& rng) const override {
    uniform_fill(theta.data(), theta.size(), 1.0 / std::sqrt(static_cast<double>(this->features_)), rng);
  }
  double loss(std::span<const T> theta, const T* x, const int* y, std::size_t batch, double l2,
              std::span<T> grad) const override {
    const auto p = static_cast<Eigen::Index>(this->features_), c = static_cast<Eigen::Index>(this->classes_);
    const auto b = static_cast<Eigen::Index>(batch);
    MapC<T> w(theta.data(), c, p);
    VecC<T> bias(theta.data() + c * p, c);
    MapC<T> xs(x, b, p);
    Mat<T> logits = xs * w.transpose();
    logits.rowwise() += bias.transpose();
    const double value = softmax_xent(logits, y, this->classes_);
    if (!grad.empty()) {
      MapM<T> gw(grad.data(), c, p);
      gw.noalias() = logits.transpose() * xs;
      column_sums(logits, grad.data() + c * p);
    }
    return value + l2_norm_term(theta, l2, grad);
  }
  void predict(std::span<const T> theta, const T* x, std::size_t count, int* out) const override {
    const auto p = static_cast<Eigen::Index>(this->features_), c = static_cast<Eigen::Index>(this->classes_);
    MapC<T> w(theta.data(), c, p);
    VecC<T> bias(theta.data() + c * p, c);
    MapC<T> xs(x, static_cast<Eigen::Index>(count), p);
    Mat<T> logits = xs * w.transpose();
    logits.rowwise() += bias.transpose();
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      Eigen::Index best;
      logits.row(r).maxCoeff(&best);
      out[r] = static_cast<int>(best);
    }
  }
};

template <class T>
class Mlp final : public Model<T> {
 public:
  Mlp(std::size_t p, std::size_t h, std::size_t c) : Model<T>(p, c), hidden_(h) {}
  std::size_t dim() const override {
    return hidden_ * this->features_ + hidden_ + this->classes_ * hidden_ + this->classes_;
  }
  std::string name() const override { return "mlp:" + std::to_string(hidden_); }
  void init(std::span<T> theta, Rng& rng) const override {
    const std::size_t first = hidden_ * this->features_ + hidden_;
    uniform_fill(theta.data(), first, 1.0 / std::sqrt(static_cast<double>(this->features_)), rng);
    uniform_fill(theta.data() + first, theta.size() - first, 1.0 / std::sqrt(static_cast<double>(hidden_)), rng);
  }
  double loss(std::span<const T> theta, const T* x, const int* y, std::size_t batch, double l2,
              std::span<T> grad) const override {
    const auto p = static_cast<Eigen::Index>(this->features_), c = static_cast<Eigen::Index>(this->classes_);
    const auto h = static_cast<Eigen::Index>(hidden_), b = static_cast<Eigen::Index>(batch);
    const T* t = theta.data();
    MapC<T> w1(t, h, p);
    VecC<T> b1(t + h * p, h);
    MapC<T> w2(t + h * p + h, c, h);
    VecC<T> b2(t + h * p + h + c * h, c);
    MapC<T> xs(x, b, p);
    Mat<T> pre = xs * w1.transpose();
    pre.rowwise() += b1.transpose();
    Mat<T> act = pre.cwiseMax(T(0));
    Mat<T> logits = act * w2.transpose();
    logits.rowwise() += b2.transpose();
    const double value = softmax_xent(logits, y, this->classes_);
    if (!grad.empty()) {
      T* g = grad.data();
      MapM<T> gw1(g, h, p);
      MapM<T> gw2(g + h * p + h, c, h);
      gw2.noalias() = logits.transpose() * act;
      column_sums(logits, g + h * p + h + c * h);
      Mat<T> back = logits * w2;  // dL/dact
      back = back.cwiseProduct((pre.array() > T(0)).matrix().template cast<T>());
      gw1.noalias() = back.transpose() * xs;
      column_sums(back, g + h * p);
    }
    return value + l2_norm_term(theta, l2, grad);
  }
  void predict(std::span<const T> theta, const T* x, std::size_t count, int* out) const override {
    const auto p = static_cast<Eigen::Index>(this->features_), c = static_cast<Eigen::Index>(this->classes_);
    const auto h = static_cast<Eigen::Index>(hidden_);
    const T* t = theta.data();
    MapC<T> w1(t, h, p);
    VecC<T> b1(t + h * p, h);
    MapC<T> w2(t + h * p + h, c, h);
    VecC<T> b2(t + h * p + h + c * h, c);
    MapC<T> xs(x, static_cast<Eigen::Index>(count), p);
    Mat<T> pre = xs * w1.transpose();
    pre.rowwise() += b1.transpose();
    Mat<T> logits = pre.cwiseMax(T(0)) * w2.transpose();
    logits.rowwise() += b2.transpose();
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      Eigen::Index best;
      logits.row(r).maxCoeff(&best);
      out[r] = static_cast<int>(best);
    }
  }

 private:
  std::size_t hidden_;
};

}  // namespace

template <class T>
std::unique_ptr<Model<T>> make_model(const std::string& spec, std::size_t features, std::size_t classes) {
  if (spec == "logreg") return std::make_unique<LogReg<T>>(features, classes);
  if (spec.rfind("mlp:", 0) == 0) {
    const std::string h = spec.substr(4);
    std::size_t used = 0;
    unsigned long hidden = 0;
    try {
      hidden = std::stoul(h, &used);
    } catch (...) {
      used = 0;
    }
    if (used == h.size() && !h.empty() && hidden >= 1 && hidden <= 100000) {
      return std::make_unique<Mlp<T>>(features, hidden, classes);
    }
  }
  throw InvalidParameter("--model must be logreg or mlp:H with H in [1, 100000] (got " + spec + ")");
}

template std::unique_ptr<Model<float>> make_model<float>(const std::string&, std::size_t, std::size_t);
template std::unique_ptr<Model<double>> make_model<double>(const std::string&, std::size_t, std::size_t);

}  // namespace paperkit::robust
