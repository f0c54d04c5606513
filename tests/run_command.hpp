// How the end-to-end and plan tests start a command: through the shell, stdout and stderr
// together, its exit code (-1 when it did not exit, e.g. killed by a signal).
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline Outcome run(const std::string& command) {
  Outcome o;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return o;
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), pipe)) o.output += buf.data();
  const int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}
