// MoNNA peer-to-peer training distributed over MPI ranks (spec monna_set2seq.md §2a): one rank per
// node. Kept in its own library (paperkit::robust_mpi) so paperkit::robust does not depend on MPI.
//
// Rank layout: ranks [0, n − f) own honest nodes 0 … n − f − 1 (rank = honest index); ranks
// [n − f, n) are the Byzantine peers, and rank n − f crafts b. The communicator must have exactly n
// ranks.
//
// Synchronous mode, step t:
//   1. every honest rank runs local_step on its own NodeState (own shard and batch stream);
//   2. all ranks all-gather the half-step models (a Byzantine rank contributes a zero placeholder
//      that no honest node reads), so each honest rank holds x½ of all n − f honest nodes in
//      honest-index order: it proceeds after the n − f honest messages plus b;
//   3. lf only: honest ranks send their flipped-label gradient to the adversary, which sums them in
//      float in node order and scales by γ_t/(n − f) in double, exactly as train() does;
//   4. the adversary crafts b = craft_attack(halves) and broadcasts it (the same b to everyone, as
//      in the simulator); 5. every honest rank runs mix_step with its own Mixer.
// Rank 0 gathers the models only at evaluation steps (x_t and x_{t+1}, for drift) and reduces them
// in node order as train() does. The result (curve and final models) is therefore bitwise equal to
// train()'s with the same config; tests/robust/mpi_compare.cmake checks it byte for byte.
//
// Asynchronous mode (NOT bitwise comparable with train(), nor run to run): each honest rank sends x½
// to every other rank and mixes x½ with the FIRST n − f − 1 models that arrive (n − f rows, pivot
// x½), whichever senders they come from; late messages are received and dropped. The f Byzantine
// ranks are an omniscient adversary: each waits for every honest x½ (and, for lf, flipped-label
// gradient) of the step, crafts the same b as in sync mode and sends it to every honest rank, so b
// only counts when it arrives among the first n − f − 1. Receive paper/all does not apply. The
// evaluation steps are collective (rank 0 gathers the models), so ranks drift apart by at most
// --eval-every steps; attack_z is the adversary's last z.
#pragma once

#include <functional>

#include <boost/mpi/communicator.hpp>

#include "paperkit/robust/train.hpp"

namespace paperkit::robust {

enum class MpiMode { sync, async };

// Collective over `comm`. Throws InvalidParameter (on every rank, before any message) when the
// config is invalid or comm.size() != config.n. The returned TrainResult is filled on rank 0 only.
TrainResult train_mpi(const TrainConfig& config, const Model<float>& model, const TrainTest& data,
                      const boost::mpi::communicator& comm, MpiMode mode = MpiMode::sync,
                      const std::function<void(std::size_t)>& progress = {});

}  // namespace paperkit::robust
