// The registry every bench_* binary's families add themselves to. Adding a family is one new
// file with one `static const bool registered = add_family("name", fn);` and nothing else: the
// binary's main() never changes.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace memwall {

// `fn` registers the family's benchmarks (add_benchmark) from the binary's parsed options; it
// may throw UsageError for options it cannot use.
using FamilyFn = std::function<void()>;
bool add_family(const std::string& name, FamilyFn fn);
// Calls every family's function, in name order, so benchmark order is stable from run to run.
void register_families();
std::vector<std::string> family_names();

}  // namespace memwall
