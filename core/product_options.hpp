// The flags of a Transformer-products family (bench_cpu's and bench_gpu's xfmr): which models,
// batches, sequence lengths, phases and number formats. Each binary's family puts them on its
// command line and resolves them when it registers (UsageError for what it cannot use).
#pragma once
#include <string>
#include <vector>

#include "core/flags.hpp"
#include "core/models.hpp"

namespace memwall {

struct ProductOptions {
  std::string models, batches, seqs, phases, types;  // as typed
  // Resolved by resolve():
  std::vector<ModelConfig> model_list;
  std::vector<int> batch_list, seq_list;
  std::vector<Phase> phase_list;
  std::vector<std::string> type_list;

  // `formats` says which formats this binary's --xfmr-type takes, for the help text.
  void add_to(Flags& app, const std::string& formats);
  void resolve();
};

}  // namespace memwall
