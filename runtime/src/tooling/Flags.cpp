//===- Flags.cpp - Command-line flags of the runtime's tools ----*- C++ -*-===//
//
// CLI11 with its help flag replaced by the tool's own text, extras allowed
// (so that an unknown option and a stray argument are told apart and named
// the way the tools always named them), and its errors rewritten as the
// tools' one-line usage errors.
//
//===----------------------------------------------------------------------===//

#include "tooling/Flags.h"
#include "tooling/Exit.h"

#include <cstdio>
#include <cstdlib>

namespace cim::tooling {

void usageError(const std::string &tool, const std::string &message) {
  throw ToolExit{2, message + " (see " + tool + " --help)"};
}

std::vector<std::string> parseFlags(CLI::App &app, int argc, char **argv,
                                    const std::string &tool,
                                    const char *usage) {
  bool help = false;
  app.set_help_flag();
  app.add_flag("-h,--help", help);
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (help)
      throw ToolExit{(std::fputs(usage, stdout), 0), ""};
    // CLI11 says "--flag: 1 required TEXT missing"; the tools always said
    // "--flag needs a value".
    std::string what = e.what();
    if (e.get_name() == "ArgumentMismatch" &&
        what.find(':') != std::string::npos)
      what = what.substr(0, what.find(':')) + " needs a value";
    usageError(tool, what);
  }
  if (help) {
    std::fputs(usage, stdout);
    throw ToolExit{0, ""};
  }
  std::vector<std::string> positional;
  for (const std::string &extra : app.remaining()) {
    if (extra.size() > 1 && extra[0] == '-')
      usageError(tool,
                 "unknown option '" + extra.substr(0, extra.find('=')) + "'");
    positional.push_back(extra);
  }
  return positional;
}

double nonNegative(const std::string &tool, const std::string &flag,
                   const std::string &text) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0))
    usageError(tool, flag + ": '" + text + "' is not a non-negative number");
  return v;
}

} // namespace cim::tooling
