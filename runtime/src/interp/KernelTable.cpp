//===- KernelTable.cpp - Kernel lookup and attribute access -----*- C++ -*-===//
//
// Builds the kernel table from the kernel families on first use and provides
// the typed attribute accessors and load-time checks the kernels share.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

namespace cim::rt {

const char *attrKindName(AttrKind kind) {
  switch (kind) {
  case AttrKind::Int:
    return "int (i)";
  case AttrKind::Float:
    return "float (f)";
  case AttrKind::String:
    return "string (s)";
  case AttrKind::Ints:
    return "int list (ints)";
  case AttrKind::Floats:
    return "float list (floats)";
  case AttrKind::Strings:
    return "string list (strings)";
  }
  return "?";
}

const std::vector<KernelDef> &kernelTable() {
  static const std::vector<KernelDef> table = [] {
    std::vector<KernelDef> t;
    addElementwiseKernels(t);
    addReduceKernels(t);
    addShapeKernels(t);
    addMatmulKernels(t);
    addMvmKernels(t);
    addOnnxKernels(t);
    addRnnKernels(t);
    addNeuronKernels(t);
    addControlFlowKernels(t);
    addWindowKernels(t);
    addQuantizeKernels(t);
    addAxesKernels(t);
    return t;
  }();
  return table;
}

const KernelDef *findKernel(std::string_view name) {
  static const std::unordered_map<std::string_view, const KernelDef *> index =
      [] {
        std::unordered_map<std::string_view, const KernelDef *> m;
        for (const KernelDef &k : kernelTable())
          m.emplace(k.name, &k);
        return m;
      }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

int64_t attrInt(const artifact::Instruction &inst, const char *name,
                int64_t dflt) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kI)
    return dflt;
  return it->second.i();
}

double attrFloat(const artifact::Instruction &inst, const char *name,
                 double dflt) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kF)
    return dflt;
  return it->second.f();
}

std::string attrString(const artifact::Instruction &inst, const char *name,
                       const std::string &dflt) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kS)
    return dflt;
  return it->second.s();
}

std::vector<int64_t> attrInts(const artifact::Instruction &inst,
                              const char *name) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kInts)
    return {};
  const auto &v = it->second.ints().values();
  return std::vector<int64_t>(v.begin(), v.end());
}

std::vector<double> attrFloats(const artifact::Instruction &inst,
                               const char *name) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kFloats)
    return {};
  const auto &v = it->second.floats().values();
  return std::vector<double>(v.begin(), v.end());
}

std::vector<std::string> attrStrings(const artifact::Instruction &inst,
                                     const char *name) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kStrings)
    return {};
  const auto &v = it->second.strings().values();
  return std::vector<std::string>(v.begin(), v.end());
}

bool hasAttr(const artifact::Instruction &inst, const char *name) {
  return inst.attrs().count(name) != 0;
}

namespace {
std::string dtypeList(std::initializer_list<DType> allowed) {
  std::string s;
  size_t i = 0, n = allowed.size();
  for (DType t : allowed) {
    if (i > 0)
      s += i + 1 == n ? " or " : ", ";
    s += dtypeName(t);
    ++i;
  }
  return s;
}
} // namespace

Status checkInputDType(const VerifyContext &ctx, size_t i,
                       std::initializer_list<DType> allowed) {
  const ValueInfo *v = ctx.inputs[i];
  if (!v)
    return Status::ok();
  for (DType t : allowed)
    if (v->dtype == t)
      return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".inputs[", i, "]: value ", v->id,
                   " is ", dtypeName(v->dtype), " but ", ctx.inst.kernel(),
                   " needs ", dtypeList(allowed), " here");
}

Status checkOutputDType(const VerifyContext &ctx, size_t i, DType want) {
  const ValueInfo *v = ctx.outputs[i];
  if (v->dtype == want)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".outputs[", i, "]: value ",
                   v->id, " is declared ", dtypeName(v->dtype), " but ",
                   ctx.inst.kernel(), " produces ", dtypeName(want));
}

Status checkInputRank(const VerifyContext &ctx, size_t i, size_t rank) {
  const ValueInfo *v = ctx.inputs[i];
  if (!v || v->dims.size() == rank)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".inputs[", i, "]: value ", v->id,
                   " has rank ", v->dims.size(), " but ", ctx.inst.kernel(),
                   " needs rank ", rank, " here");
}

Status checkOutputRank(const VerifyContext &ctx, size_t i, size_t rank) {
  const ValueInfo *v = ctx.outputs[i];
  if (v->dims.size() == rank)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".outputs[", i, "]: value ",
                   v->id, " has rank ", v->dims.size(), " but ",
                   ctx.inst.kernel(), " produces rank ", rank);
}

} // namespace cim::rt
