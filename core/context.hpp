// The context of DESIGN.md (build, CPU, caches, clocks) added to every result file.
#pragma once
#include <string>

namespace memwall {

const char* git_commit();  // generated at build time
const char* memwall_version();
const char* memwall_build_type();  // Release, Debug, ...

// Adds memwall's keys to Google Benchmark's context for this process.
void add_common_context(const std::string& binary);
void add_context(const std::string& key, const std::string& value);

}  // namespace memwall
