//===- TestData.h - ONNX-style test data sets -------------------*- C++ -*-===//
//
// A test data directory holds input_N.pb / output_N.pb, or several
// test_data_set_*/ directories each holding them (run in natural order:
// set_2 before set_10). Tensors are placed at model positions by name when
// the file's tensor names a model input/output, else by N.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_TESTDATA_H
#define CIMRT_SRC_TOOLING_TESTDATA_H

#include "tooling/Runner.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cim::tooling {

/// One run: inputs to bind and (optionally) reference outputs.
struct Case {
  std::string label;     // "test_data_set_0"
  std::string outSubdir; // where outputs of this case are written
  std::map<int, std::string> inputFiles;  // N -> input_N.pb
  std::map<int, std::string> outputFiles; // N -> output_N.pb
};

/// The cases of a test data directory; fails if there are none.
std::vector<Case> scanTestData(const std::string &dir);

/// Reads `files` (N -> path) and places each tensor at its model position
/// in `ios`; `what` is "input" or "output" for messages. `sources`, if
/// given, receives the file of each position.
std::vector<std::optional<rt::HostTensor>>
loadByPosition(const std::map<int, std::string> &files,
               const std::vector<IoInfo> &ios, const char *what,
               std::vector<std::string> *sources);

/// The inputs of case `c`, one per model input in order: from the case's
/// files (test data in `testData`), or from `named` (NAME, SOURCE) pairs
/// for `model`, SOURCE a .pb or .npy file or an inline literal
/// (rt::parseTensorLiteral). A missing input is an error.
std::vector<rt::HostTensor>
caseInputs(const Case &c, const Runner &r,
           const std::vector<std::pair<std::string, std::string>> &named,
           const std::string &testData, const std::string &model);

enum class OutputFormat { Pb, Npy };

/// Writes `outs` as dir/output_N.pb (or .npy), creating `dir`.
void writeOutputs(const std::vector<rt::HostTensor> &outs,
                  const std::string &dir,
                  OutputFormat format = OutputFormat::Pb);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_TESTDATA_H
