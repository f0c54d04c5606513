#include "core/product_options.hpp"

#include "core/units.hpp"

namespace memwall {

void ProductOptions::add_to(Flags& flags, const std::string& formats) {
  flags.add("--model", models, "Transformer models: catalog names or JSON files, comma-separated");
  flags.add("--batch", batches, "batch sizes, e.g. 1,8");
  flags.add("--seq", seqs, "sequence lengths (prefill tokens, decode KV cache), e.g. 512");
  flags.add("--phase", phases, "prefill, decode or prefill,decode");
  flags.add("--xfmr-type", types, "number formats of the products: " + formats);
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
