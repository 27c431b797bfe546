//===- Flags.h - Command-line flags of the runtime's tools ------*- C++ -*-===//
//
// The tools parse their flags with CLI11, keeping their own help text and
// their own messages: a usage error is one line, "error: <what> (see TOOL
// --help)", exit code 2, whatever CLI11 would have said.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_FLAGS_H
#define CIMRT_SRC_TOOLING_FLAGS_H

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cim::tooling {

/// Thrown as a ToolExit with code 2.
[[noreturn]] void usageError(const std::string &tool,
                             const std::string &message);

/// Parses `argv` into `app`: prints `usage` and leaves with 0 for --help /
/// -h; an unknown option, or anything CLI11 rejects, is a usage error.
/// Returns the positional arguments `app` had no place for.
std::vector<std::string> parseFlags(CLI::App &app, int argc, char **argv,
                                    const std::string &tool, const char *usage);

/// `text` as a non-negative number, or a usage error naming `flag`.
double nonNegative(const std::string &tool, const std::string &flag,
                   const std::string &text);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_FLAGS_H
