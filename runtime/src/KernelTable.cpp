//===- KernelTable.cpp - Kernel lookup and attribute access -----*- C++ -*-===//
//
// Builds the kernel table from the kernel families on first use and provides
// the typed attribute accessors the run functions share.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

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

std::vector<int64_t> attrInts(const artifact::Instruction &inst,
                              const char *name) {
  auto it = inst.attrs().find(name);
  if (it == inst.attrs().end() ||
      it->second.kind_case() != artifact::Attribute::kInts)
    return {};
  const auto &v = it->second.ints().values();
  return std::vector<int64_t>(v.begin(), v.end());
}

} // namespace cim::rt
