//===- Module.cpp - cim._cim: the package's extension module --------------===//
//
// One module: the runtime's C API (CimrtModule.cpp) and, in a build with
// the compiler, cim-compile's driver (CompilerModule.cpp). One module, not
// two, because the runtime and the compiler share the artifact schema's
// generated protobuf code, which must be registered once per process.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"

namespace py = pybind11;

PYBIND11_MODULE(_cim, m) {
  m.doc() = "cim's runtime (and compiler) in Python; use it through the "
            "cim package.";
  bindRuntime(m);
#ifdef CIM_WITH_COMPILER
  bindCompiler(m);
  bindModelTools(m);
  m.attr("has_compiler") = true;
#else
  m.attr("has_compiler") = false;
#endif
}
