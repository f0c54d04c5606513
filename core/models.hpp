// Transformer shapes: published model configurations, and the matrix products of one layer
// with their FLOPs (2*M*N*K) and the least bytes each must move.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace memwall {

struct ModelConfig {
  std::string name;
  int hidden = 0;
  int ffn = 0;
  int heads = 0;
  int kv_heads = 0;  // = heads without grouped-query attention
  int layers = 0;
  int vocab = 0;
  bool gated_ffn = false;     // SwiGLU: up and gate projections, then down
  bool encoder_only = false;  // BERT: a prefill, no decode step
  // Whether the output projection shares the token embeddings: -1 as the architecture does
  // (BERT and GPT-2 share them, the gated Llama models do not), else 0 or 1 as the config says.
  int tie_embeddings = -1;
  // Mixture of experts: the FFN is `experts` FFNs of `ffn` each, and every token goes through
  // `experts_per_token` of them (1 and 1: a dense model).
  int experts = 1;
  int experts_per_token = 1;
  int head_dim() const { return hidden / heads; }
  bool tied() const { return tie_embeddings >= 0 ? tie_embeddings == 1 : !gated_ffn; }
};

// The weights of a model's matrix products and embeddings (biases and norms, a fraction of a
// percent, left out): token embeddings once where the output projection shares them (BERT,
// GPT-2), twice where it has its own (the Llama models).
double parameter_count(const ModelConfig& m);

// BERT-Base/Large, GPT-2 small/medium/large/XL, Llama-2-7B, Llama-3-8B, Llama-2-70B.
const std::vector<ModelConfig>& model_catalog();
// By name (case-insensitive); UsageError listing the known names otherwise.
ModelConfig find_model(const std::string& name);
// Throws UsageError when a size is zero or negative or heads do not divide the hidden size.
void validate(const ModelConfig& m);
// A config from a JSON file: the catalog's field names, or a Hugging Face config.json as it is
// (hidden_size, intermediate_size, num_attention_heads, num_key_value_heads,
// num_hidden_layers, vocab_size, tie_word_embeddings; num_local_experts and
// num_experts_per_tok for a mixture of experts). Validated; UsageError naming the file and the
// field that is missing or not a positive integer.
ModelConfig load_model_file(const std::string& path);

// The distinct experts a layer's FFN reads for `tokens` tokens, each routed to
// experts_per_token of the experts independently and uniformly: E (1 - (1 - k/E)^tokens).
double experts_touched(const ModelConfig& m, double tokens);

enum class Phase { prefill, decode };
const char* to_string(Phase phase);

// One matrix product C[M x N] = A[M x K] * B[K x N], done `count` times (batch x heads for
// attention), with `b_count` distinct B matrices (batch x kv_heads: grouped-query attention
// shares each K and V among several heads). Bytes are the least any implementation moves:
// each A and each distinct B read once, each C written once.
struct MatmulOp {
  std::string name;  // qkv, attn_scores, attn_v, out_proj, ffn_up, ffn_gate, ffn_down, lm_head
  int64_t m = 0, n = 0, k = 0;
  int64_t count = 1;
  int64_t b_count = 1;
  bool per_layer = true;  // false for lm_head, which runs once per model step
  double flops() const { return 2.0 * m * n * k * count; }
  double bytes(int element_bytes) const {
    return static_cast<double>(element_bytes) *
           static_cast<double>(count * m * k + b_count * k * n + count * m * n);
  }
  double intensity(int element_bytes) const { return flops() / bytes(element_bytes); }
};

// Prefill: M = batch * seq tokens through every product (attention seq x seq per head).
// Decode: one new token per sequence (M = batch) against a KV cache of `seq` tokens.
std::vector<MatmulOp> layer_ops(const ModelConfig& m, int batch, int seq, Phase phase);

// The layer's products as a benchmark runs them: a mixture of experts' FFN products once per
// expert its tokens touch (experts_touched, rounded), each on its share of the tokens' rows
// (count = b_count = experts; at batch 1 of a top-2 model, two products of one row), so a
// measured step reads the weights the prediction counts. A dense model: layer_ops.
std::vector<MatmulOp> routed_ops(const ModelConfig& m, int batch, int seq, Phase phase);

// The shapes a run measures, for every device alike: what the user asked for, else by mode
// (0 quick, 1 normal, 2 full) enough to see the paper's contrast (encoders in prefill are
// compute-bound; decoding reads every weight for one token and is bound by memory).
struct Shape {
  ModelConfig model;
  Phase phase;
  int batch, seq;
};
struct ShapeRequest {
  std::vector<ModelConfig> models;
  std::vector<int> batches, seqs;
  std::vector<Phase> phases;
  int mode = 1;
};
std::vector<Shape> transformer_shapes(const ShapeRequest& request);

}  // namespace memwall
