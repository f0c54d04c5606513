#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/models.hpp"
#include "core/units.hpp"

using namespace memwall;

namespace {
const MatmulOp& op(const std::vector<MatmulOp>& ops, const std::string& name) {
  for (const MatmulOp& o : ops)
    if (o.name == name) return o;
  throw std::runtime_error("no op " + name);
}
}  // namespace

TEST(Catalog, MatchesThePublishedConfigs) {
  struct Published {
    const char* name;
    int hidden, ffn, heads, kv_heads, layers, vocab;
  };
  // From each model's released config (hidden_size/n_embd, intermediate_size/4*n_embd, ...).
  const Published published[] = {
      {"bert-base", 768, 3072, 12, 12, 12, 30522},
      {"bert-large", 1024, 4096, 16, 16, 24, 30522},
      {"gpt2", 768, 3072, 12, 12, 12, 50257},
      {"gpt2-medium", 1024, 4096, 16, 16, 24, 50257},
      {"gpt2-large", 1280, 5120, 20, 20, 36, 50257},
      {"gpt2-xl", 1600, 6400, 25, 25, 48, 50257},
      {"llama-2-7b", 4096, 11008, 32, 32, 32, 32000},
      {"llama-3-8b", 4096, 14336, 32, 8, 32, 128256},
      {"llama-2-70b", 8192, 28672, 64, 8, 80, 32000},
      {"llama-3.1-405b", 16384, 53248, 128, 8, 126, 128256},
  };
  ASSERT_EQ(model_catalog().size(), std::size(published));
  for (const Published& p : published) {
    const ModelConfig m = find_model(p.name);
    EXPECT_EQ(m.hidden, p.hidden) << p.name;
    EXPECT_EQ(m.ffn, p.ffn) << p.name;
    EXPECT_EQ(m.heads, p.heads) << p.name;
    EXPECT_EQ(m.kv_heads, p.kv_heads) << p.name;
    EXPECT_EQ(m.layers, p.layers) << p.name;
    EXPECT_EQ(m.vocab, p.vocab) << p.name;
    EXPECT_NO_THROW(validate(m));
  }
  EXPECT_EQ(find_model("Llama-2-7B").name, "llama-2-7b");  // case-insensitive
}

TEST(Accounting, BertBasePrefillByHand) {
  // batch 2, seq 128: M = 256 tokens, hidden 768, 12 heads of 64.
  const auto ops = layer_ops(find_model("bert-base"), 2, 128, Phase::prefill);
  const MatmulOp& qkv = op(ops, "qkv");
  EXPECT_EQ(qkv.m, 256);
  EXPECT_EQ(qkv.n, 3 * 768);
  EXPECT_EQ(qkv.k, 768);
  EXPECT_DOUBLE_EQ(qkv.flops(), 2.0 * 256 * 2304 * 768);
  // fp32: A 256x768, B 768x2304, C 256x2304, 4 bytes each.
  EXPECT_DOUBLE_EQ(qkv.bytes(4), 4.0 * (256 * 768 + 768 * 2304 + 256 * 2304));
  const MatmulOp& scores = op(ops, "attn_scores");
  EXPECT_EQ(scores.m, 128);
  EXPECT_EQ(scores.n, 128);
  EXPECT_EQ(scores.k, 64);
  EXPECT_EQ(scores.count, 24);  // 2 sequences x 12 heads
  EXPECT_DOUBLE_EQ(scores.flops(), 2.0 * 128 * 128 * 64 * 24);
  const MatmulOp& av = op(ops, "attn_v");
  EXPECT_EQ(av.m, 128);
  EXPECT_EQ(av.n, 64);
  EXPECT_EQ(av.k, 128);
  EXPECT_DOUBLE_EQ(op(ops, "ffn_up").flops(), 2.0 * 256 * 3072 * 768);
  EXPECT_DOUBLE_EQ(op(ops, "ffn_down").flops(), 2.0 * 256 * 768 * 3072);
  EXPECT_FALSE(op(ops, "lm_head").per_layer);
  EXPECT_EQ(op(ops, "lm_head").n, 30522);
  EXPECT_THROW(op(ops, "ffn_gate"), std::runtime_error);  // BERT has no gate
}

TEST(Accounting, LlamaDecodeReadsTheWeightsAndTheSharedKvCache) {
  // Llama-3-8B: 32 heads share 8 KV heads of 128; one token per sequence, KV cache of 1000.
  const auto ops = layer_ops(find_model("llama-3-8b"), 1, 1000, Phase::decode);
  const MatmulOp& qkv = op(ops, "qkv");
  EXPECT_EQ(qkv.m, 1);
  EXPECT_EQ(qkv.n, 4096 + 2 * 8 * 128);
  const MatmulOp& scores = op(ops, "attn_scores");
  EXPECT_EQ(scores.m, 1);
  EXPECT_EQ(scores.n, 1000);
  EXPECT_EQ(scores.k, 128);
  EXPECT_EQ(scores.count, 32);
  EXPECT_EQ(scores.b_count, 8);
  // K cache read once per KV head: 8 x 128 x 1000 values, not 32 x.
  EXPECT_DOUBLE_EQ(scores.bytes(2), 2.0 * (32 * 128 + 8 * 128 * 1000 + 32 * 1000));
  EXPECT_EQ(op(ops, "ffn_gate").n, 14336);
  // Decode of one token has intensity near 1 FLOP per weight byte at fp16: memory-bound.
  EXPECT_LT(op(ops, "ffn_up").intensity(2), 1.01);
  // Prefill of 512 tokens has hundreds.
  EXPECT_GT(op(layer_ops(find_model("llama-3-8b"), 1, 512, Phase::prefill), "ffn_up").intensity(2),
            200);
}

TEST(Models, BadConfigsAreRejected) {
  ModelConfig m = find_model("bert-base");
  m.heads = 7;  // does not divide 768
  EXPECT_THROW(validate(m), UsageError);
  m = find_model("bert-base");
  m.hidden = 0;
  EXPECT_THROW(validate(m), UsageError);
  m = find_model("llama-3-8b");
  m.kv_heads = 5;
  EXPECT_THROW(validate(m), UsageError);
  EXPECT_THROW(find_model("gpt-5"), UsageError);
  EXPECT_THROW(layer_ops(find_model("gpt2"), 0, 128, Phase::prefill), UsageError);
  EXPECT_THROW(layer_ops(find_model("gpt2"), 1, 0, Phase::decode), UsageError);
}

TEST(Models, ConfigFileLoadsAndIsValidated) {
  const std::string path = testing::TempDir() + "model.json";
  {
    std::ofstream(path) << R"({"name": "tiny", "hidden": 256, "ffn": 1024, "heads": 4,
                               "layers": 2, "vocab": 1000})";
  }
  const ModelConfig m = load_model_file(path);
  EXPECT_EQ(m.name, "tiny");
  EXPECT_EQ(m.kv_heads, 4);
  {
    std::ofstream(path)
        << R"({"name": "bad", "hidden": 250, "ffn": 1024, "heads": 4, "layers": 2, "vocab": 1})";
  }
  EXPECT_THROW(load_model_file(path), UsageError);
  { std::ofstream(path) << R"({"name": "missing"})"; }
  EXPECT_THROW(load_model_file(path), UsageError);
  std::remove(path.c_str());
}

// A Hugging Face config.json as people have it (Mistral-7B-v0.1's and Mixtral-8x7B-v0.1's, as
// published): the fields memwall needs, named by its folder; the published sizes; and one clear
// error for a field that is missing or not a positive integer.
TEST(Models, HuggingFaceConfigJsonLoadsAsItIs) {
  const std::string dir = testing::TempDir() + "Mistral-7B-v0.1";
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/config.json";
  const std::string mistral = R"({"architectures": ["MistralForCausalLM"], "hidden_act": "silu",
    "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 32768,
    "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32,
    "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
    "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
    "vocab_size": 32000})";
  { std::ofstream(path) << mistral; }
  ModelConfig m = load_model_file(path);
  EXPECT_EQ(m.name, "Mistral-7B-v0.1");
  EXPECT_EQ(m.hidden, 4096);
  EXPECT_EQ(m.kv_heads, 8);
  EXPECT_TRUE(m.gated_ffn);
  EXPECT_FALSE(m.tied());
  EXPECT_NEAR(parameter_count(m) / 1e9, 7.24, 0.01);  // 7.24e9 published
  // Mixtral: eight experts of Mistral's FFN, two a token; 46.7e9 published.
  std::string mixtral = mistral;
  mixtral.replace(mixtral.find("\"model_type\": \"mistral\""), 23,
                  R"("model_type": "mixtral", "num_local_experts": 8, "num_experts_per_tok": 2)");
  { std::ofstream(path) << mixtral; }
  m = load_model_file(path);
  EXPECT_EQ(m.experts, 8);
  EXPECT_EQ(m.experts_per_token, 2);
  EXPECT_NEAR(parameter_count(m) / 1e9, 46.7, 0.1);
  EXPECT_DOUBLE_EQ(experts_touched(m, 1), 2);    // one token: its two experts
  EXPECT_NEAR(experts_touched(m, 64), 8, 1e-3);  // 64 tokens: nearly every expert
  // A benchmark runs the experts touched, each on its share of the rows: the weights it reads
  // are those the prediction counts (two experts at batch 1; all eight in a 512-token prefill).
  for (const MatmulOp& op : routed_ops(m, 1, 1024, Phase::decode))
    if (op.name.rfind("ffn_", 0) == 0) {
      EXPECT_EQ(op.count, 2);
      EXPECT_EQ(op.b_count, 2);
      EXPECT_EQ(op.m, 1);
      EXPECT_DOUBLE_EQ(op.flops(), 2.0 * 2 * 14336 * 4096);
    }
  for (const MatmulOp& op : routed_ops(m, 1, 512, Phase::prefill))
    if (op.name == "ffn_up") {
      EXPECT_EQ(op.count * op.m, 2 * 512);
    }
  m.experts = m.experts_per_token = 1;
  EXPECT_EQ(routed_ops(m, 1, 1024, Phase::decode)[4].count, 1);  // dense: layer_ops as it is
  // Each bad field: UsageError naming the file and the field.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"hidden_size\": 4096", "\"hidden\": 4096"},              // missing
           {"\"num_hidden_layers\": 32", "\"num_hidden_layers\": 0"},  // not positive
           {"\"num_hidden_layers\": 32", "\"num_hidden_layers\": -2"},
           {"\"num_attention_heads\": 32", "\"num_attention_heads\": 30"},  // 30 !| 4096
           {"\"vocab_size\": 32000", "\"vocab_size\": \"many\""}}) {
    std::string bad = mistral;
    bad.replace(bad.find(from), from.size(), to);
    { std::ofstream(path) << bad; }
    try {
      load_model_file(path);
      ADD_FAILURE() << "accepted " << to;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("json.exception"), std::string::npos) << e.what();
    }
  }
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

// Published parameter counts (the matrix products and embeddings; biases and norms aside).
TEST(Models, ParameterCountsMatchThePublishedSizes) {
  using memwall::find_model;
  using memwall::parameter_count;
  EXPECT_NEAR(parameter_count(find_model("llama-2-7b")) / 1e9, 6.74, 0.01);
  EXPECT_NEAR(parameter_count(find_model("llama-3-8b")) / 1e9, 8.03, 0.01);
  EXPECT_NEAR(parameter_count(find_model("llama-2-70b")) / 1e9, 69.0, 0.1);
  EXPECT_NEAR(parameter_count(find_model("llama-3.1-405b")) / 1e9, 405.9, 0.5);  // "405B"
  EXPECT_NEAR(parameter_count(find_model("gpt2")) / 1e6, 124, 1.5);
  EXPECT_NEAR(parameter_count(find_model("bert-base")) / 1e6, 110, 2.5);
}
