// paperkit::mec umbrella header: minimum-entropy coupling (spec ../shared/specs/mec_awrs.md, part a).
#pragma once

#include "paperkit/mec/bounds.hpp"
#include "paperkit/mec/coding_game.hpp"
#include "paperkit/mec/coupling.hpp"
#include "paperkit/mec/distribution.hpp"
#include "paperkit/mec/ebim.hpp"
#include "paperkit/mec/ebim_refine.hpp"
#include "paperkit/mec/gridworld.hpp"
#include "paperkit/mec/io.hpp"
#include "paperkit/mec/mecb.hpp"
#include "paperkit/mec/transport.hpp"
