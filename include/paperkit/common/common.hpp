// Umbrella header of paperkit::common.
#pragma once

#include "paperkit/common/errors.hpp"
#include "paperkit/common/progress.hpp"
#include "paperkit/common/rng.hpp"
#include "paperkit/common/table.hpp"
#include "paperkit/common/timer.hpp"
