// SHA-256 of a file, for the provenance of a profile (which inputs it was built from).
#pragma once
#include <string>

namespace memwall::harness {

std::string sha256_hex(const std::string& data);
std::string sha256_file(const std::string& path);  // "" when unreadable

}  // namespace memwall::harness
