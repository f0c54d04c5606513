// TEST DATA ONLY: a family whose declaration breaks its role's contract (a collective without
// the library its rows are labelled by), built beside the fake GPU bench: the binary must say
// so in one line at start-up and exit 2, not end in static initialisation.
#include "core/roles.hpp"

namespace {
const bool roles = memwall::declare_role({"comm.rccl", "", {}, "collective", "comm", {}});
}  // namespace
