#include <gtest/gtest.h>

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

// Published parameter counts (the matrix products and embeddings; biases and norms aside).
TEST(Models, ParameterCountsMatchThePublishedSizes) {
  using memwall::find_model;
  using memwall::parameter_count;
  EXPECT_NEAR(parameter_count(find_model("llama-2-7b")) / 1e9, 6.74, 0.01);
  EXPECT_NEAR(parameter_count(find_model("llama-3-8b")) / 1e9, 8.03, 0.01);
  EXPECT_NEAR(parameter_count(find_model("llama-2-70b")) / 1e9, 69.0, 0.1);
  EXPECT_NEAR(parameter_count(find_model("gpt2")) / 1e6, 124, 1.5);
  EXPECT_NEAR(parameter_count(find_model("bert-base")) / 1e6, 110, 2.5);
}
