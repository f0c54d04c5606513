// Sizes and lists as users type them on the command line.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace memwall {

// Thrown for anything a user typed that we cannot use; main() prints what() on one line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "4096", "4K", "4KiB", "64M", "1GiB" (binary) or "1kB", "1MB", "1GB" (decimal). Zero and
// unknown suffixes are errors.
uint64_t parse_bytes(const std::string& text);
// 4096 -> "4KiB", 1536 -> "1.5KiB"; exact for powers of two.
std::string format_bytes(uint64_t bytes);
// "a,b,,c" -> {"a", "b", "", "c"}; "" -> {}.
std::vector<std::string> split_list(const std::string& text);
// "1,2,4" -> {1,2,4}; every entry must be a positive integer.
std::vector<int> parse_positive_list(const std::string& text, const std::string& what);
// Sizes from lo to hi (both included) with `per_octave` points per doubling, each rounded to
// a multiple of `align`, no duplicates.
std::vector<uint64_t> size_sweep(uint64_t lo, uint64_t hi, int per_octave, uint64_t align = 64);

}  // namespace memwall
