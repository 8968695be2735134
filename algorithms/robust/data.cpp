// Data readers and the Dirichlet split (see data.hpp).
#include "paperkit/robust/data.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <sstream>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust {

namespace {

// Whole file, gunzipped when it is gzip (zlib reads plain files transparently).
std::string slurp_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError("cannot open " + path);
  std::string data;
  char buf[1 << 16];
  int got = 0;
  while ((got = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(got));
  const bool failed = got < 0;
  gzclose(f);
  if (failed) throw InputError(path + ": corrupt gzip stream");
  return data;
}

double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform01(), u2 = rng.uniform01();
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) | (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

std::string find_idx(const std::string& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    const auto p = std::filesystem::path(dir) / (stem + std::string(ext));
    if (std::filesystem::exists(p)) return p.string();
  }
  throw InputError("missing " + stem + "[.gz] in " + dir);
}

Dataset read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const std::string im = slurp_gz(images_path), lb = slurp_gz(labels_path);
  if (im.size() < 16 || be32(im, 0) != 0x00000803) throw InputError(images_path + ": not an IDX3 ubyte file");
  if (lb.size() < 8 || be32(lb, 0) != 0x00000801) throw InputError(labels_path + ": not an IDX1 ubyte file");
  const std::size_t n = be32(im, 4), rows = be32(im, 8), cols = be32(im, 12);
  if (be32(lb, 4) != n) throw InputError(labels_path + ": label count differs from " + images_path);
  if (rows * cols == 0 || rows * cols > 4096 || im.size() != 16 + n * rows * cols || lb.size() != 8 + n) {
    throw InputError(images_path + ": truncated or inconsistent sizes");
  }
  Dataset d;
  d.features = rows * cols;
  d.x.resize(n * d.features);
  d.y.resize(n);
  for (std::size_t i = 0; i < n * d.features; ++i) d.x[i] = static_cast<float>(std::uint8_t(im[16 + i])) / 255.0f;
  for (std::size_t i = 0; i < n; ++i) {
    d.y[i] = std::uint8_t(lb[8 + i]);
    if (d.y[i] > 9) throw InputError(labels_path + ": label " + std::to_string(d.y[i]) + " outside 0..9");
  }
  return d;
}

}  // namespace

TrainTest read_digits(const std::string& path) {
  const std::string text = slurp_gz(path);
  std::istringstream in(text);
  std::string line;
  Dataset all;
  all.features = 64;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    std::istringstream fields(line);
    std::string cell;
    std::vector<double> v;
    while (std::getline(fields, cell, ',')) {
      char* end = nullptr;
      const double x = std::strtod(cell.c_str(), &end);
      if (end == cell.c_str() || !std::isfinite(x)) {
        throw InputError(path + ":" + std::to_string(number) + ": not a number: '" + cell + "'");
      }
      v.push_back(x);
    }
    if (v.size() != 65) {
      throw InputError(path + ":" + std::to_string(number) + ": expected 65 values (64 pixels and a label), got " +
                       std::to_string(v.size()));
    }
    const double label = v[64];
    if (label < 0 || label > 9 || label != std::floor(label)) {
      throw InputError(path + ":" + std::to_string(number) + ": label must be an integer in 0..9");
    }
    for (int c = 0; c < 64; ++c) {
      if (v[c] < 0 || v[c] > 16) throw InputError(path + ":" + std::to_string(number) + ": pixel outside 0..16");
      all.x.push_back(static_cast<float>(v[c] / 16.0));
    }
    all.y.push_back(static_cast<int>(label));
  }
  if (all.y.size() < 10) throw InputError(path + ": fewer than 10 rows");
  // Fixed 80/20 split: a shuffle from a constant seed (independent of --seed).
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(0x5eed0d1615ULL);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.uniform_below(i)]);
  const std::size_t n_train = order.size() * 4 / 5;
  TrainTest tt;
  for (Dataset* d : {&tt.train, &tt.test}) d->features = 64;
  for (std::size_t k = 0; k < order.size(); ++k) {
    Dataset& d = k < n_train ? tt.train : tt.test;
    const std::size_t i = order[k];
    d.x.insert(d.x.end(), all.x.begin() + static_cast<std::ptrdiff_t>(i * 64),
               all.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * 64));
    d.y.push_back(all.y[i]);
  }
  tt.description = "digits " + path + " (" + std::to_string(tt.train.size()) + " train / " +
                   std::to_string(tt.test.size()) + " test)";
  return tt;
}

TrainTest read_idx(const std::string& dir) {
  TrainTest tt;
  tt.train = read_idx_pair(find_idx(dir, "train-images-idx3-ubyte"), find_idx(dir, "train-labels-idx1-ubyte"));
  tt.test = read_idx_pair(find_idx(dir, "t10k-images-idx3-ubyte"), find_idx(dir, "t10k-labels-idx1-ubyte"));
  if (tt.train.features != tt.test.features) throw InputError(dir + ": train and test image sizes differ");
  tt.description =
      "idx " + dir + " (" + std::to_string(tt.train.size()) + " train / " + std::to_string(tt.test.size()) + " test)";
  return tt;
}

TrainTest load_data(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon), path = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (colon == std::string::npos || path.empty()) {
    throw InvalidParameter("--data must be digits:PATH or idx:DIR (got " + spec + ")");
  }
  if (kind == "digits") return read_digits(path);
  if (kind == "idx") return read_idx(path);
  throw InvalidParameter("--data must be digits:PATH or idx:DIR (got " + spec + ")");
}

double gamma_sample(double shape, Rng& rng) {
  if (shape < 1) {
    const double u = 1.0 - rng.uniform01();
    return gamma_sample(shape + 1, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1.0 - rng.uniform01();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

std::vector<std::size_t> dirichlet_shard(const Dataset& data, std::size_t workers, double alpha, Rng& rng) {
  const std::size_t classes = data.classes;
  std::vector<double> p(classes);
  double total = 0;
  // alpha = inf: equal shares (i.i.d.); otherwise p ~ Dir(alpha) by normalised gammas.
  for (auto& v : p) total += (v = std::isfinite(alpha) ? gamma_sample(alpha, rng) : 1.0);
  std::vector<std::vector<std::size_t>> by_class(classes);
  for (std::size_t i = 0; i < data.size(); ++i) by_class[static_cast<std::size_t>(data.y[i])].push_back(i);
  const std::size_t per_worker = data.size() / workers;
  std::vector<std::size_t> shard;
  for (std::size_t c = 0; c < classes; ++c) {
    auto& pool = by_class[c];
    const double share = total > 0 ? p[c] / total : 1.0 / static_cast<double>(classes);
    const std::size_t want =
        std::min(pool.size(), static_cast<std::size_t>(std::floor(static_cast<double>(per_worker) * share)));
    // Partial Fisher-Yates: `want` distinct samples of class c.
    for (std::size_t k = 0; k < want; ++k) {
      std::swap(pool[k], pool[k + rng.uniform_below(pool.size() - k)]);
      shard.push_back(pool[k]);
    }
  }
  if (shard.empty()) shard.push_back(static_cast<std::size_t>(rng.uniform_below(data.size())));  // never empty
  return shard;
}

}  // namespace paperkit::robust
