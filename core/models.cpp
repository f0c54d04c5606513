#include "core/models.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/units.hpp"

namespace memwall {

const std::vector<ModelConfig>& model_catalog() {
  // Published configurations (the models' config.json on their release).
  static const std::vector<ModelConfig> catalog = {
      {"bert-base", 768, 3072, 12, 12, 12, 30522, false},
      {"bert-large", 1024, 4096, 16, 16, 24, 30522, false},
      {"gpt2", 768, 3072, 12, 12, 12, 50257, false},
      {"gpt2-medium", 1024, 4096, 16, 16, 24, 50257, false},
      {"gpt2-large", 1280, 5120, 20, 20, 36, 50257, false},
      {"gpt2-xl", 1600, 6400, 25, 25, 48, 50257, false},
      {"llama-2-7b", 4096, 11008, 32, 32, 32, 32000, true},
      {"llama-3-8b", 4096, 14336, 32, 8, 32, 128256, true},
      {"llama-2-70b", 8192, 28672, 64, 8, 80, 32000, true},
  };
  return catalog;
}

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

ModelConfig find_model(const std::string& name) {
  std::string known;
  for (const ModelConfig& m : model_catalog()) {
    if (lower(name) == m.name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw UsageError("unknown model '" + name + "' (known: " + known + ", or a JSON file)");
}

void validate(const ModelConfig& m) {
  const std::string who = "model '" + m.name + "': ";
  if (m.name.empty()) throw UsageError("model config without a name");
  if (m.hidden <= 0 || m.ffn <= 0 || m.heads <= 0 || m.layers <= 0 || m.vocab <= 0)
    throw UsageError(who + "hidden, ffn, heads, layers and vocab must be positive");
  if (m.hidden % m.heads != 0)
    throw UsageError(who + "heads (" + std::to_string(m.heads) + ") do not divide hidden (" +
                     std::to_string(m.hidden) + ")");
  if (m.kv_heads <= 0 || m.kv_heads > m.heads || m.heads % m.kv_heads != 0)
    throw UsageError(who + "kv_heads must divide heads");
}

ModelConfig load_model_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read model file '" + path + "'");
  ModelConfig m;
  try {
    const auto j = nlohmann::json::parse(in);
    m.name = j.value("name", std::string());
    m.hidden = j.at("hidden").get<int>();
    m.ffn = j.at("ffn").get<int>();
    m.heads = j.at("heads").get<int>();
    m.kv_heads = j.value("kv_heads", m.heads);
    m.layers = j.at("layers").get<int>();
    m.vocab = j.at("vocab").get<int>();
    m.gated_ffn = j.value("gated_ffn", false);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("model file '" + path + "': " + e.what());
  }
  validate(m);
  return m;
}

const char* to_string(Phase phase) {
  return phase == Phase::prefill ? "prefill" : "decode";
}

std::vector<MatmulOp> layer_ops(const ModelConfig& m, int batch, int seq, Phase phase) {
  validate(m);
  if (batch <= 0 || seq <= 0) throw UsageError("batch and sequence length must be positive");
  const int64_t h = m.hidden, d = m.head_dim(), kv = static_cast<int64_t>(m.kv_heads) * d;
  const int64_t tokens = phase == Phase::prefill ? int64_t{batch} * seq : batch;
  // Queries per sequence and keys each attends to.
  const int64_t q_rows = phase == Phase::prefill ? seq : 1;
  const int64_t heads = int64_t{batch} * m.heads, kv_mats = int64_t{batch} * m.kv_heads;
  auto weight = [&](const char* name, int64_t n, int64_t k) {
    return MatmulOp{name, tokens, n, k, 1, 1, true};
  };
  std::vector<MatmulOp> ops;
  ops.push_back(weight("qkv", h + 2 * kv, h));
  // Q x K^T for every head: [q_rows x d] x [d x seq]; then scores x V: [q_rows x seq] x [seq x d].
  ops.push_back({"attn_scores", q_rows, seq, d, heads, kv_mats, true});
  ops.push_back({"attn_v", q_rows, d, seq, heads, kv_mats, true});
  ops.push_back(weight("out_proj", h, h));
  ops.push_back(weight("ffn_up", m.ffn, h));
  if (m.gated_ffn) ops.push_back(weight("ffn_gate", m.ffn, h));
  ops.push_back(weight("ffn_down", h, m.ffn));
  MatmulOp head = weight("lm_head", m.vocab, h);
  head.per_layer = false;
  ops.push_back(head);
  return ops;
}

std::vector<Shape> transformer_shapes(const ShapeRequest& r) {
  std::vector<Shape> out;
  const bool user = !r.models.empty() || !r.batches.empty() || !r.seqs.empty();
  if (!user && r.mode != 2) {
    out = {{find_model("bert-base"), Phase::prefill, 1, 128},
           {find_model("bert-large"), Phase::prefill, 1, 512},
           {find_model("gpt2"), Phase::decode, 1, 1024},
           {find_model("llama-2-7b"), Phase::decode, 1, 1024}};
    if (r.mode == 1) {
      out.push_back({find_model("gpt2-xl"), Phase::prefill, 1, 512});
      out.push_back({find_model("gpt2-xl"), Phase::decode, 8, 1024});
      out.push_back({find_model("llama-2-7b"), Phase::prefill, 1, 512});
      out.push_back({find_model("llama-2-7b"), Phase::decode, 8, 2048});
    }
    return out;
  }
  const std::vector<ModelConfig> models = !r.models.empty() ? r.models : model_catalog();
  const std::vector<int> batches = !r.batches.empty() ? r.batches
                                   : user             ? std::vector<int>{1}
                                                      : std::vector<int>{1, 4, 16, 64};
  const std::vector<int> seqs = !r.seqs.empty() ? r.seqs
                                : user          ? std::vector<int>{512}
                                                : std::vector<int>{128, 256, 512, 1024, 2048, 4096};
  const std::vector<Phase> phases =
      !r.phases.empty() ? r.phases : std::vector<Phase>{Phase::prefill, Phase::decode};
  for (const ModelConfig& m : models)
    for (Phase p : phases)
      for (int b : batches)
        for (int s : seqs) out.push_back({m, p, b, s});
  return out;
}

double parameter_count(const ModelConfig& m) {
  const double h = m.hidden, kv = static_cast<double>(m.kv_heads) * m.head_dim();
  const double attention = 2 * h * h + 2 * h * kv;  // q and out, k and v
  const double ffn = (m.gated_ffn ? 3 : 2) * h * m.ffn;
  const double embeddings = (m.gated_ffn ? 2 : 1) * static_cast<double>(m.vocab) * h;
  return m.layers * (attention + ffn) + embeddings;
}

}  // namespace memwall
