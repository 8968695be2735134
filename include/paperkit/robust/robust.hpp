// paperkit::robust: Byzantine-robust peer-to-peer learning (MoNNA, Farhadkhani et al., ICML 2023).
// One include for the whole public API: mixing rules, attacks, models, data and the training loop.
#pragma once

#include "paperkit/robust/aggregators.hpp"
#include "paperkit/robust/attacks.hpp"
#include "paperkit/robust/data.hpp"
#include "paperkit/robust/io.hpp"
#include "paperkit/robust/models.hpp"
#include "paperkit/robust/train.hpp"
