//===- Kernels.h - The kernel table and its contract ------------*- C++ -*-===//
//
// Every instruction names a kernel. A KernelDef says what the loader must
// check (arity, attributes and their kinds, element types, plus an optional
// kernel-specific static check) and how to run it. The table is the single
// source of truth for both: a kernel is "known" exactly when it is here.
//
// Run functions receive input tensors whose shapes already match the
// declared types of their values; they compute their output shape from the
// input shapes (dims may be dynamic) and report anything inconsistent as an
// INVALID_ARGUMENT without a location prefix (the session adds it).
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_KERNELS_H
#define CIMRT_SRC_KERNELS_H

#include "Artifact.h"
#include "Hal.h"
#include "Status.h"
#include "Tensor.h"

#include <string_view>
#include <unordered_map>
#include <vector>

namespace cim::rt {

enum class AttrKind { Int, Float, String, Ints, Floats };
const char *attrKindName(AttrKind kind);

struct AttrSpec {
  const char *name;
  AttrKind kind;
  bool required;
};

/// Which element types a kernel accepts; the output has the same type.
enum class TypeRule {
  F32,        // arithmetic: every input is F32
  AnyUniform, // data movement: any type, all inputs alike
};

/// What a kernel-specific load-time check can see.
struct VerifyContext {
  const artifact::Artifact &artifact;
  const artifact::Instruction &inst;
  const std::string &path; // "program.instructions[3]"
  std::vector<const ValueInfo *> inputs;
  const ValueInfo *output;
  const std::unordered_map<uint32_t, int> &tileIndexById;
  int tileIndex = -1; // set by cim.mvm
};

/// What a run function can use besides its inputs.
struct ExecContext {
  const artifact::Artifact &artifact;
  const CompiledInstruction &inst;
  Device *device = nullptr;
  const std::vector<TileHandle> *tileHandles = nullptr;
  uint64_t mvmCount = 0; // incremented by kernels that use the device
};

using VerifyFn = Status (*)(VerifyContext &ctx);
using RunFn = StatusOr<Tensor> (*)(ExecContext &ctx,
                                   const std::vector<const Tensor *> &inputs);

struct KernelDef {
  std::string_view name;
  int minInputs;
  int maxInputs; // -1: variadic
  std::vector<AttrSpec> attrs;
  TypeRule types;
  RunFn run;
  VerifyFn verify = nullptr;
  bool onDevice = false; // counted as an MVM, not a digital op
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
std::vector<int64_t> attrInts(const artifact::Instruction &inst,
                              const char *name);

// Each kernel family adds its definitions to the table.
void addElementwiseKernels(std::vector<KernelDef> &table);
void addReduceKernels(std::vector<KernelDef> &table);
void addShapeKernels(std::vector<KernelDef> &table);
void addMatmulKernels(std::vector<KernelDef> &table);
void addMvmKernels(std::vector<KernelDef> &table);

} // namespace cim::rt

#endif // CIMRT_SRC_KERNELS_H
