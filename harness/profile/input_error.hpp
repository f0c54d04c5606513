// Input memwall cannot use (a truncated, foreign or newer file; a bad option): the command
// prints what() on one line and exits 2.
#pragma once
#include <stdexcept>

namespace memwall::harness {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace memwall::harness
