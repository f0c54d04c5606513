// The context of DESIGN.md (build, CPU, caches, clocks) added to every result file.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace memwall {

const char* git_commit();  // generated at build time
const char* memwall_version();
const char* memwall_build_type();  // Release, Debug, ...

// Adds memwall's keys to Google Benchmark's context for this process.
void add_common_context(const std::string& binary);
// `word` as a POSIX shell reads it back: as it is where it is plain, else in single quotes.
std::string shell_quoted(const std::string& word);
void add_context(const std::string& key, const std::string& value);
// Every key added so far, in order: what a plan shows of the families' decisions.
std::vector<std::pair<std::string, std::string>>& context_added();

}  // namespace memwall
