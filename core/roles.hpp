// What a family's benchmarks are for the harness, declared in the family's own file, from a
// small closed set of roles. The result file carries the declarations (as it carries declared
// counters), so the profile is built from roles and no harness file names a family: a new
// family that measures a memory level, a link or a collective declares the role and flows
// through the profile, compare, gate, fleet and the reports.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace memwall {

// The roles, with the fields each reads (beside the name keys every benchmark has):
//   bandwidth_curve   a point on a device's bandwidth curve; variant = kernel, keys bytes,
//                     threads, pages. Fields: cache_kernel (a cache level's bandwidth),
//                     memory_kernel (memory's, as the field quotes it), beside_kernel.
//   bandwidth_again   a bandwidth_curve point measured again later in the run (after the
//                     products it is the roof of), the same variant and keys: the profile
//                     takes the better of the two moments and notes a gap between them.
//   level_bandwidth   one memory level's own bandwidth, not read off the curve. Field: level.
//   bandwidth         a bandwidth figure listed with the kernels, on no curve.
//   latency_curve     a point on a latency curve; keys bytes, pages. Field: levels = yes on
//                     the one curve whose plateaus are the device's memory levels.
//   latency           a latency figure listed with the quoted latencies, on no curve. Field:
//                     under_load = read where it ran beside readers saturating memory (a point
//                     of its device's all-read latency_under_load curve).
//   peak              a number format's rate; key type. Field: path = fma (the units' own
//                     chains, keys threads) or library (a library GEMM, key n).
//   host_link         a device to its host; variant = direction, keys memory, engine, bytes.
//                     Fields: link and name ("NVLink-C2C", "C2C") where it is not the
//                     device's PCIe link.
//   host_link_latency the same link's latency; variant = latency/<direction>.
//   peer_link         one device to another; keys from, to; variant = engine/direction.
//   collective        a collective; variant = its name, keys ranks, inplace, bytes.
//                     Fields: library (NCCL, MPI), ranks_on (gpu: a rank a device, the
//                     device-to-device collectives; cpu: a rank a process).
//   point_to_point    messages between ranks; key placement; variant latency, bw, bibw.
//   core_pairs        core-to-core latency; keys from, to, shared, numa.
//   numa_matrix       a NUMA node's cores to a memory node; keys cpus, memory, kind.
//   storage           a storage figure; variant = read or write, keys mode, qd, bytes.
//                     Field: pattern (seq, rand).
//   product           a model's matrix product; variant = model/phase, keys op, batch, seq.
//   layer             a model's whole layer, the same keys without op.
//   step              a model's whole step (every layer and the LM head), the same keys;
//                     counters seconds (one step), layers_run of layers (scaled where fewer).
//   latency_under_load  a point of a bandwidth-latency curve: one core's chase while
//                     generators move a mix; keys node, kind, mix (idle at gen:0), gen, delay,
//                     bytes; counters latency_ns and load_GBps (hw_GBps beside).
const std::vector<std::string>& role_names();

// A role's contract: the name keys each of its benchmarks must carry and the fields its
// declaration must give, because the harness reads them (a product's batch and seq, a
// collective's library). Declared once here, beside the roles, and checked where a family
// declares a role (declaration_problem) and where the harness reads a benchmark (missing_key).
struct RoleContract {
  std::string role;
  std::vector<std::string> keys, fields;
};
const std::vector<RoleContract>& role_contracts();
const RoleContract* role_contract(const std::string& role);

struct RoleDeclaration {
  std::string family;   // the name's first part: "cpu.bw"
  std::string variant;  // "" for any; else the variant, or its first parts ("latency")
  // Name keys a benchmark must have, with their value ("*": any value).
  std::map<std::string, std::string> keys;
  std::string role;
  // The device of a name without a device key: cpu, gpu0, storage0, comm.
  std::string device;
  std::map<std::string, std::string> fields;
};

// Declared once in the family's file (a static, as families register); bench_main records
// every declaration in the result file. A declaration that breaks its role's contract is kept
// out and its problem kept, which bench_main prints as one line at start-up (exit 2): a throw
// here would end the binary during static initialisation with the runtime's text.
bool declare_role(const RoleDeclaration& declaration);
const std::vector<RoleDeclaration>& declared_roles();
const std::vector<std::string>& role_problems();
// What breaks the contract in a declaration ("" for nothing): a role outside the set, a field
// its role needs and it does not give.
std::string declaration_problem(const RoleDeclaration& declaration);
// The first name key of `keys` that a benchmark of `role` must carry and lacks ("" for none).
std::string missing_key(const std::string& role, const std::map<std::string, std::string>& keys);

std::string roles_json(const std::vector<RoleDeclaration>& declarations);
// std::invalid_argument naming what is wrong, for text that is not a list of declarations.
std::vector<RoleDeclaration> roles_from_json(const std::string& text);

// The declaration a benchmark falls under: the most specific that matches (a variant before
// none, more keys before fewer); nullptr for none.
const RoleDeclaration* role_of(const std::vector<RoleDeclaration>& declarations,
                               const std::string& family, const std::string& variant,
                               const std::map<std::string, std::string>& keys);

}  // namespace memwall
