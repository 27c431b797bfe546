//===- Kernels.h - The kernel table and its contract ------------*- C++ -*-===//
//
// Every instruction names a kernel. A KernelDef says what the loader must
// check (arity of inputs, outputs and regions, which inputs may be absent,
// attributes and their kinds, element types, plus an optional kernel-specific
// static check) and how to run it. The table is the single source of truth
// for both: a kernel is "known" exactly when it is here.
//
// Run functions receive input tensors whose shapes already match the
// declared types of their values (an absent optional input is a null
// pointer); they compute their output shapes from the input shapes (dims may
// be dynamic) and report anything inconsistent as an INVALID_ARGUMENT without
// a location prefix (the session adds it). Outputs must have the element
// type of their declared value; the session checks dtype and shape.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_INTERP_KERNELS_H
#define CIMRT_SRC_INTERP_KERNELS_H

#include "artifact/Artifact.h"
#include "hal/Hal.h"
#include "base/Status.h"
#include "base/Tensor.h"

#include <initializer_list>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cim::rt {

enum class AttrKind { Int, Float, String, Ints, Floats, Strings };
const char *attrKindName(AttrKind kind);

struct AttrSpec {
  const char *name;
  AttrKind kind;
  bool required;
};

/// Which element types a kernel accepts and what it produces. All but
/// Custom imply exactly one output; Custom leaves every dtype check to the
/// kernel's verify function.
enum class TypeRule {
  F32,        // every input F32 -> F32
  Numeric,    // F32 or I64, all inputs alike -> the same
  AnyUniform, // any type, all inputs alike -> the same
  Compare,    // F32 or I64, all inputs alike -> I1
  CompareAny, // F32, I64 or I1, all inputs alike -> I1
  Logical,    // I1 -> I1
  Custom,     // checked by the kernel's verify function
};

/// What a kernel-specific load-time check can see. Absent optional inputs
/// are null in `inputs`.
struct VerifyContext {
  const artifact::Artifact &artifact;
  const artifact::Instruction &inst;
  const std::string &path; // "program.instructions[3]"
  std::vector<const ValueInfo *> inputs;
  std::vector<const ValueInfo *> outputs;
  const ValueInfo *output; // outputs[0]
  const std::unordered_map<uint32_t, int> &tileIndexById;
  /// Declared values of each region: arguments and results.
  std::vector<std::vector<const ValueInfo *>> regionArgs, regionResults;
  int tileIndex = -1; // set by cim.mvm
};

/// Runs a region of the current instruction: binds `args` to its
/// arguments, executes its instructions and returns its results. The
/// message of an error names the failing instruction inside the region.
class RegionRunner {
public:
  virtual ~RegionRunner() = default;
  virtual Status run(const CompiledRegion &region, std::vector<Tensor> args,
                     std::vector<Tensor> &results) = 0;
};

class CostCounter;

/// What a run function can use besides its inputs.
struct ExecContext {
  const artifact::Artifact &artifact;
  const CompiledInstruction &inst;
  const std::vector<ValueInfo> &values; // declared types, by slot
  Device *device = nullptr;
  const std::vector<TileHandle> *tileHandles = nullptr;
  RegionRunner *regions = nullptr;
  uint64_t mvmCount = 0; // incremented by kernels that use the device
  CostCounter *costs = nullptr; // the session's, charged by cim.mvm and cim.ode
  const hal::MacroConfig *target = nullptr; // the model's, as the HAL takes it

  /// The declared type of output `i`.
  const ValueInfo &outputInfo(size_t i) const {
    return values[inst.outputs[i]];
  }
  Status runRegion(size_t index, std::vector<Tensor> args,
                   std::vector<Tensor> &results) {
    return regions->run(inst.regions[index], std::move(args), results);
  }
};

/// One output (TypeRule other than Custom, or Custom with one output).
using RunFn = StatusOr<Tensor> (*)(ExecContext &ctx,
                                   const std::vector<const Tensor *> &inputs);
/// Several outputs, in declared order.
using RunMultiFn = Status (*)(ExecContext &ctx,
                              const std::vector<const Tensor *> &inputs,
                              std::vector<Tensor> &outputs);
using VerifyFn = Status (*)(VerifyContext &ctx);

struct KernelDef {
  std::string_view name;
  int minInputs;
  int maxInputs; // -1: variadic
  std::vector<AttrSpec> attrs;
  TypeRule types;
  RunFn run;
  VerifyFn verify = nullptr;
  bool onDevice = false; // counted as an MVM, not a digital op
  // Multi-output and control-flow kernels set these.
  RunMultiFn runMulti = nullptr; // used instead of `run` when set
  int minOutputs = 1;
  int maxOutputs = 1; // -1: variadic
  int numRegions = 0;
  uint32_t optionalInputs = 0; // bit i: input i may be absent
};

/// The kernel named `name`, or null.
const KernelDef *findKernel(std::string_view name);
/// Every kernel, in table order.
const std::vector<KernelDef> &kernelTable();

// Attribute accessors for run functions; the loader has verified presence
// and kind of required attributes, `dflt` covers optional ones.
int64_t attrInt(const artifact::Instruction &inst, const char *name,
                int64_t dflt = 0);
double attrFloat(const artifact::Instruction &inst, const char *name,
                 double dflt = 0);
std::string attrString(const artifact::Instruction &inst, const char *name,
                       const std::string &dflt = "");
std::vector<int64_t> attrInts(const artifact::Instruction &inst,
                              const char *name);
std::vector<double> attrFloats(const artifact::Instruction &inst,
                               const char *name);
std::vector<std::string> attrStrings(const artifact::Instruction &inst,
                                     const char *name);
bool hasAttr(const artifact::Instruction &inst, const char *name);

// Load-time checks shared by verify functions. Each returns DATA_LOSS
// naming the field ("program.instructions[3].inputs[1]: ...").
Status checkInputDType(const VerifyContext &ctx, size_t i,
                       std::initializer_list<DType> allowed);
Status checkOutputDType(const VerifyContext &ctx, size_t i, DType want);
Status checkInputRank(const VerifyContext &ctx, size_t i, size_t rank);
Status checkOutputRank(const VerifyContext &ctx, size_t i, size_t rank);

/// Calls `f(T{})` with an unsigned integer type T as wide as one element of
/// `dtype`: for kernels that move elements without interpreting them.
template <typename F> decltype(auto) withElementBits(DType dtype, F &&f) {
  switch (dtypeSize(dtype)) {
  case 1:
    return f(uint8_t{});
  case 4:
    return f(uint32_t{});
  default:
    return f(uint64_t{});
  }
}

/// `x` broadcast (numpy rules, already checked) to `outDims`.
Tensor broadcastTo(const Tensor &x, const Shape &outDims);

// Each kernel family adds its definitions to the table.
void addElementwiseKernels(std::vector<KernelDef> &table);
void addReduceKernels(std::vector<KernelDef> &table);
void addShapeKernels(std::vector<KernelDef> &table);
void addMatmulKernels(std::vector<KernelDef> &table);
void addMvmKernels(std::vector<KernelDef> &table);
void addOnnxKernels(std::vector<KernelDef> &table);
void addRnnKernels(std::vector<KernelDef> &table);
void addNeuronKernels(std::vector<KernelDef> &table);
void addControlFlowKernels(std::vector<KernelDef> &table);
void addWindowKernels(std::vector<KernelDef> &table);
void addQuantizeKernels(std::vector<KernelDef> &table);
void addAxesKernels(std::vector<KernelDef> &table);

} // namespace cim::rt

#endif // CIMRT_SRC_INTERP_KERNELS_H
