// The flags a bench binary or a family puts on its command line. CLI11 stays inside
// core/flags.cpp and core/bench_main.cpp: its headers take seconds to compile in every file
// that includes them, and once per GPU architecture in a .cu file.
#pragma once
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace memwall {

class Flags {
 public:
  explicit Flags(CLI::App& app) : app_(&app) {}

  Flags& add(const std::string& name, std::string& value, const std::string& help);
  Flags& add(const std::string& name, int& value, const std::string& help);
  Flags& add(const std::string& name, double& value, const std::string& help);
  Flags& add(const std::string& name, bool& value, const std::string& help);  // takes no value

  // Checks of the flag added last: a value outside is an error line before anything runs.
  Flags& range(int lo, int hi);
  Flags& one_of(const std::vector<int>& allowed);
  Flags& positive();
  Flags& non_negative();

  // The flags of one family, under its own heading in --help.
  Flags group(const std::string& heading);

 private:
  CLI::App* app_;
  CLI::Option* last_ = nullptr;
};

}  // namespace memwall
