//===- Exit.h - How the runtime's tools leave with an error -----*- C++ -*-===//
//
// The tools report an error by throwing ToolExit; their main prints
// "error: <message>" and returns the code: 1 for a failure (a bad file, a
// failing run), 2 for a usage error (which adds "(see <tool> --help)").
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_EXIT_H
#define CIMRT_SRC_TOOLING_EXIT_H

#include "cimrt/cimrt.h"

#include <string>

namespace cim::tooling {

/// Thrown to leave main with a message and exit code; main prints it.
struct ToolExit {
  int code;
  std::string message;
};

[[noreturn]] void fail(const std::string &message);

/// Turns a non-NULL C API status into a thrown failure, freeing it.
void check(cimrt_status_t status);

/// Runs `body` and turns what it throws into "error: ..." on stderr and an
/// exit code.
int runTool(int (*body)(int, char **), int argc, char **argv);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_EXIT_H
