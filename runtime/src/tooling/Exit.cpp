//===- Exit.cpp - How the tools leave with an error -------------*- C++ -*-===//
//
// ToolExit's helpers and the tools' common main wrapper.
//
//===----------------------------------------------------------------------===//

#include "tooling/Exit.h"

#include <cstdio>
#include <exception>

namespace cim::tooling {

void fail(const std::string &message) { throw ToolExit{1, message}; }

void check(cimrt_status_t status) {
  if (!status)
    return;
  std::string message = cimrt_status_message(status);
  cimrt_status_free(status);
  fail(message);
}

int runTool(int (*body)(int, char **), int argc, char **argv) {
  try {
    return body(argc, argv);
  } catch (const ToolExit &e) {
    if (!e.message.empty())
      std::fprintf(stderr, "error: %s\n", e.message.c_str());
    return e.code;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

} // namespace cim::tooling
