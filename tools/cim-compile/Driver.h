//===- Driver.h - cim-compile as a function ---------------------*- C++ -*-===//
//
// The whole of cim-compile (flags, import, pipelines, calibration, report,
// artifact) as one call, for the tool's main and for an in-process compile
// from Python (cim.compile). It may be called again in the same process:
// every flag starts from its default. Usage errors return 1 instead of
// leaving the process.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_COMPILE_DRIVER_H
#define CIM_TOOLS_CIM_COMPILE_DRIVER_H

namespace cim {

/// Runs cim-compile with `argv` (argv[0] the program name); its exit code.
int compileMain(int argc, const char *const *argv);

} // namespace cim

#endif // CIM_TOOLS_CIM_COMPILE_DRIVER_H
