// paperkit::bandits umbrella header: single-pass streaming multi-armed bandits (Wang, ICML 2023).
#pragma once

#include "paperkit/bandits/algorithms.hpp"
#include "paperkit/bandits/environment.hpp"
#include "paperkit/bandits/instances.hpp"
#include "paperkit/bandits/sampling.hpp"
#include "paperkit/bandits/schedules.hpp"
