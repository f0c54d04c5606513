// bench_io: storage, the memory hierarchy's last level, measured as fio measures it. Its
// families (storage.cpp) have their own flags: where to measure, how large, which engine.
#include "core/bench_main.hpp"

int main(int argc, char** argv) {
  memwall::BenchProgram program;
  program.name = "bench_io";
  program.part = "io";
  return memwall::bench_main(argc, argv, program);
}
