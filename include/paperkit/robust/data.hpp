// Data sets for the peer-to-peer experiments and the authors' Dirichlet split (spec §2a).
//   digits:PATH  scikit-learn's digits CSV (gzip or plain): 1797 rows of 64 pixels (0..16) and a
//                label; pixels / 16; a fixed 80/20 train/test split (shuffled by a constant seed, so
//                it never changes with --seed)
//   idx:DIR      MNIST-format IDX files train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
//                t10k-*; pixels / 255 (Fashion-MNIST: /usr/share/datasets/fashion-mnist from the
//                Debian package dataset-fashion-mnist)
// Malformed files raise InputError naming the file and what is wrong.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "paperkit/common/rng.hpp"

namespace paperkit::robust {

struct Dataset {
  std::size_t features = 0, classes = 10;
  std::vector<float> x;  // rows x features, row-major
  std::vector<int> y;
  std::size_t size() const { return y.size(); }
};

struct TrainTest {
  Dataset train, test;
  std::string description;
};

// "digits:PATH" or "idx:DIR"; throws InvalidParameter (unknown kind) or InputError (bad file).
TrainTest load_data(const std::string& spec);
TrainTest read_digits(const std::string& path);
TrainTest read_idx(const std::string& dir);

// One worker's shard: counts_c = ⌊⌊N/workers⌋·p_c⌋ with p ~ Dir(α·1_C); samples of class c drawn
// without replacement from that class (clamped to the class size). Each worker uses its own rng,
// so shards overlap across workers, as in the authors' code.
std::vector<std::size_t> dirichlet_shard(const Dataset& data, std::size_t workers, double alpha, Rng& rng);
// Gamma(shape, 1) by Marsaglia-Tsang (shape < 1 boosted by U^(1/shape)).
double gamma_sample(double shape, Rng& rng);

}  // namespace paperkit::robust
