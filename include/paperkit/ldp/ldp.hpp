// paperkit::ldp umbrella header: local differential privacy (spec ../shared/specs/ldp.md):
// frequency oracles (§2.1) and, built on them, federated heavy hitters.
#pragma once

#include "paperkit/ldp/frequency_oracle.hpp"
#include "paperkit/ldp/report_io.hpp"
