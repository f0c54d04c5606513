#include "core/flags.hpp"

#include <CLI/CLI.hpp>

namespace memwall {

Flags& Flags::add(const std::string& name, std::string& value, const std::string& help) {
  last_ = app_->add_option(name, value, help);
  return *this;
}

Flags& Flags::add(const std::string& name, int& value, const std::string& help) {
  last_ = app_->add_option(name, value, help);
  return *this;
}

Flags& Flags::add(const std::string& name, double& value, const std::string& help) {
  last_ = app_->add_option(name, value, help);
  return *this;
}

Flags& Flags::add(const std::string& name, bool& value, const std::string& help) {
  last_ = app_->add_flag(name, value, help);
  return *this;
}

Flags& Flags::range(int lo, int hi) {
  last_->check(CLI::Range(lo, hi));
  return *this;
}

Flags& Flags::one_of(const std::vector<int>& allowed) {
  last_->check(CLI::IsMember(allowed));
  return *this;
}

Flags& Flags::positive() {
  last_->check(CLI::PositiveNumber);
  return *this;
}

Flags& Flags::non_negative() {
  last_->check(CLI::NonNegativeNumber);
  return *this;
}

Flags Flags::group(const std::string& heading) {
  return Flags(*app_->add_option_group(heading));
}

}  // namespace memwall
