#include "core/product_options.hpp"

#include <CLI/CLI.hpp>

#include "core/units.hpp"

namespace memwall {

void ProductOptions::add_to(CLI::App& app, const std::string& formats) {
  app.add_option("--model", models,
                 "Transformer models: catalog names or JSON files, comma-separated");
  app.add_option("--batch", batches, "batch sizes, e.g. 1,8");
  app.add_option("--seq", seqs, "sequence lengths (prefill tokens, decode KV cache), e.g. 512");
  app.add_option("--phase", phases, "prefill, decode or prefill,decode");
  app.add_option("--xfmr-type", types, "number formats of the products: " + formats);
}

void ProductOptions::resolve() {
  model_list.clear();
  for (const std::string& m : split_list(models))
    model_list.push_back(m.find(".json") != std::string::npos ? load_model_file(m) : find_model(m));
  batch_list = batches.empty() ? std::vector<int>{} : parse_positive_list(batches, "batch size");
  seq_list = seqs.empty() ? std::vector<int>{} : parse_positive_list(seqs, "sequence length");
  phase_list.clear();
  for (const std::string& p : split_list(phases)) {
    if (p == "prefill")
      phase_list.push_back(Phase::prefill);
    else if (p == "decode")
      phase_list.push_back(Phase::decode);
    else
      throw UsageError("unknown phase '" + p + "' (prefill, decode)");
  }
  type_list = split_list(types);
}

}  // namespace memwall
