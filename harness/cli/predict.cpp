// memwall predict: a model's decode and prefill on a measured machine, from its profile alone.
#include "harness/profile/predict.hpp"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/models.hpp"
#include "core/units.hpp"
#include "harness/cli/command.hpp"
#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace {

struct PredictFlags {
  std::string profile, model, type = "bf16", device;
  int batch = 1, context = 4096;
  bool json = false;
};

int run_predict(const PredictFlags& o) {
  ModelConfig m;
  try {
    m = o.model.find(".json") != std::string::npos ? load_model_file(o.model) : find_model(o.model);
  } catch (const UsageError& e) {
    throw InputError(e.what());
  }
  const Profile p = load_profile(o.profile);
  std::vector<std::string> devices;
  if (!o.device.empty()) devices.push_back(o.device);
  for (const auto& [id, formats] : p.compute)
    if (o.device.empty() && formats.count(o.type)) devices.push_back(id);
  if (devices.empty())
    throw InputError(o.profile + ": no device with a measured " + o.type + " peak (--type)");
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& d : devices) {
    const ModelPrediction pr = predict(p, d, m, o.type, o.batch, o.context);
    if (!o.json) {
      std::cout << prediction_text(pr);
      continue;
    }
    // The prediction with the shapes it was made for, for tools that run the same step.
    nlohmann::json j = nlohmann::json::parse(prediction_json_text(pr));
    j["config"] = {{"hidden", m.hidden},
                   {"ffn", m.ffn},
                   {"heads", m.heads},
                   {"kv_heads", m.kv_heads},
                   {"layers", m.layers},
                   {"vocab", m.vocab},
                   {"gated_ffn", m.gated_ffn},
                   {"experts", m.experts},
                   {"experts_per_token", m.experts_per_token}};
    all.push_back(j);
  }
  if (o.json) std::cout << all.dump(1) << "\n";
  return 0;
}

const bool registered = add_command(
    {35, [](CLI::App& app) {
       auto o = std::make_shared<PredictFlags>();
       CLI::App* c = app.add_subcommand(
           "predict", "a model's decode and prefill on a measured machine, from its profile alone");
       c->add_option("profile", o->profile, "profile.json of the machine")->required();
       c->add_option(
            "--model", o->model,
            "a catalog name, or a JSON file: memwall's fields or a Hugging Face config.json")
           ->required();
       c->add_option("--batch", o->batch, "sequences decoded together (1)");
       c->add_option("--context", o->context, "tokens of context, and of the prompt (4096)");
       c->add_option("--type", o->type, "number format of weights and products (bf16)");
       c->add_option("--device", o->device,
                     "cpu, gpu0, ... (default: each with the format's peak)");
       c->add_flag("--json", o->json, "the predictions and the model's shapes as JSON");
       return std::pair{c, CommandRun([o] { return run_predict(*o); })};
     }});

}  // namespace

}  // namespace memwall::harness
