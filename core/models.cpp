#include "core/models.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/units.hpp"

namespace memwall {

const std::vector<ModelConfig>& model_catalog() {
  // Published configurations (the models' config.json on their release).
  static const std::vector<ModelConfig> catalog = {
      {"bert-base", 768, 3072, 12, 12, 12, 30522, false, true},
      {"bert-large", 1024, 4096, 16, 16, 24, 30522, false, true},
      {"gpt2", 768, 3072, 12, 12, 12, 50257, false},
      {"gpt2-medium", 1024, 4096, 16, 16, 24, 50257, false},
      {"gpt2-large", 1280, 5120, 20, 20, 36, 50257, false},
      {"gpt2-xl", 1600, 6400, 25, 25, 48, 50257, false},
      {"llama-2-7b", 4096, 11008, 32, 32, 32, 32000, true},
      {"llama-3-8b", 4096, 14336, 32, 8, 32, 128256, true},
      {"llama-2-70b", 8192, 28672, 64, 8, 80, 32000, true},
      {"llama-3.1-405b", 16384, 53248, 128, 8, 126, 128256, true},
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
  if (m.experts <= 0 || m.experts_per_token <= 0 || m.experts_per_token > m.experts)
    throw UsageError(who + "experts per token must be between 1 and the experts");
}

double experts_touched(const ModelConfig& m, double tokens) {
  if (m.experts <= 1) return 1;
  const double e = m.experts, share = static_cast<double>(m.experts_per_token) / e;
  return e * (1 - std::pow(1 - share, tokens));
}

namespace {

// A size field: a positive integer, or UsageError naming the file and the field.
int size_field(const nlohmann::json& j, const std::string& path, const char* key,
               int fallback = 0) {
  if (!j.contains(key) || j[key].is_null()) {
    if (fallback > 0) return fallback;
    throw UsageError("model file '" + path + "': no '" + key + "'");
  }
  const nlohmann::json& v = j[key];
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > (1ll << 30))
    throw UsageError("model file '" + path + "': '" + key + "' is " + v.dump() +
                     ", not a positive integer");
  return v.get<int>();
}

bool bool_field(const nlohmann::json& j, const char* key, bool fallback) {
  return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

// What a Hugging Face config.json calls a model: its _name_or_path, else the folder it sits in.
std::string hf_name(const nlohmann::json& j, const std::string& path) {
  if (j.contains("_name_or_path") && j["_name_or_path"].is_string() &&
      !j["_name_or_path"].get<std::string>().empty()) {
    const std::string n = j["_name_or_path"];
    return n.substr(n.find_last_of('/') + 1);
  }
  std::string p = path;
  const size_t slash = p.find_last_of('/');
  std::string file = slash == std::string::npos ? p : p.substr(slash + 1);
  if (file == "config.json" && slash != std::string::npos && slash > 0) {
    p.resize(slash);
    return p.substr(p.find_last_of('/') + 1);
  }
  return file.substr(0, file.rfind('.'));
}

ModelConfig from_hugging_face(const nlohmann::json& j, const std::string& path) {
  ModelConfig m;
  m.name = hf_name(j, path);
  m.hidden = size_field(j, path, "hidden_size");
  m.ffn = size_field(j, path, "intermediate_size");
  m.heads = size_field(j, path, "num_attention_heads");
  m.kv_heads = size_field(j, path, "num_key_value_heads", m.heads);
  m.layers = size_field(j, path, "num_hidden_layers");
  m.vocab = size_field(j, path, "vocab_size");
  // Llama, Mistral, Mixtral, Qwen2 and Gemma gate their FFN (SwiGLU, GeGLU); GPT-NeoX-style
  // models do not. SiLU as the activation marks the gated ones too.
  const std::string type = j.value("model_type", std::string());
  const std::string act = j.contains("hidden_act") && j["hidden_act"].is_string()
                              ? j["hidden_act"].get<std::string>()
                              : "";
  for (const char* gated : {"llama", "mistral", "mixtral", "qwen2", "gemma", "phi3"})
    m.gated_ffn = m.gated_ffn || type.rfind(gated, 0) == 0;
  m.gated_ffn = m.gated_ffn || act == "silu" || act == "swiglu";
  for (const char* encoder : {"bert", "roberta", "distilbert", "electra", "deberta"})
    m.encoder_only = m.encoder_only || type.rfind(encoder, 0) == 0;
  m.tie_embeddings = bool_field(j, "tie_word_embeddings", true) ? 1 : 0;  // HF's default: tied
  if (j.contains("num_local_experts")) {
    m.experts = size_field(j, path, "num_local_experts");
    m.experts_per_token = size_field(j, path, "num_experts_per_tok");
  }
  return m;
}

}  // namespace

ModelConfig load_model_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read model file '" + path + "'");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw UsageError("model file '" + path + "': not a JSON object");
  ModelConfig m;
  if (j.contains("hidden_size")) {
    m = from_hugging_face(j, path);
  } else {
    m.name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : "";
    m.hidden = size_field(j, path, "hidden");
    m.ffn = size_field(j, path, "ffn");
    m.heads = size_field(j, path, "heads");
    m.kv_heads = size_field(j, path, "kv_heads", m.heads);
    m.layers = size_field(j, path, "layers");
    m.vocab = size_field(j, path, "vocab");
    m.gated_ffn = bool_field(j, "gated_ffn", false);
    if (j.contains("experts")) {
      m.experts = size_field(j, path, "experts");
      m.experts_per_token = size_field(j, path, "experts_per_token");
    }
  }
  try {
    validate(m);
  } catch (const UsageError& e) {
    throw UsageError("model file '" + path + "': " + e.what());
  }
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

std::vector<MatmulOp> routed_ops(const ModelConfig& m, int batch, int seq, Phase phase) {
  std::vector<MatmulOp> ops = layer_ops(m, batch, seq, phase);
  if (m.experts <= 1) return ops;
  const double tokens = phase == Phase::prefill ? static_cast<double>(batch) * seq : batch;
  const int64_t touched = std::max<int64_t>(1, std::llround(experts_touched(m, tokens)));
  for (MatmulOp& op : ops)
    if (op.name.rfind("ffn_", 0) == 0) {
      const int64_t rows = op.m * m.experts_per_token;  // every token's row in each of its experts
      op.count = op.b_count = touched;
      op.m = (rows + touched - 1) / touched;
    }
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
  const double ffn = (m.gated_ffn ? 3 : 2) * h * m.ffn * m.experts;
  const double embeddings = (m.tied() ? 1 : 2) * static_cast<double>(m.vocab) * h;
  return m.layers * (attention + ffn) + embeddings;
}

}  // namespace memwall
