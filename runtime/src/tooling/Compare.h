//===- Compare.h - Outputs against references -------------------*- C++ -*-===//
//
// Compares an output with its reference like numpy.allclose for F32
// (|actual - expected| <= atol + rtol * |expected|, infinities exactly, NaN
// never) and exactly for I64 and BOOL, and formats the tools' report lines.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_COMPARE_H
#define CIMRT_SRC_TOOLING_COMPARE_H

#include "tooling/TensorIO.h"

#include <optional>
#include <string>
#include <vector>

namespace cim::tooling {

struct Comparison {
  bool pass = true;
  std::string detail;            // why it failed
  double maxAbs = 0, maxRel = 0; // F32
  double meanAbs = 0;            // F32
  size_t mismatches = 0;         // I64 and BOOL
};

/// `actual` against `expected` (read in actual's element type).
Comparison compare(const rt::HostTensor &actual, const rt::HostTensor &expected,
                   double rtol, double atol);

/// "LABEL: output 'NAME' max_abs_err=... max_rel_err=... OK|FAIL[: why]"
/// (F32) or "LABEL: output 'NAME' I64 mismatches=N OK|FAIL[: why]".
std::string comparisonLine(const std::string &label, const std::string &name,
                           rt::DType dtype, const Comparison &c);

/// "LABEL: output 'NAME' max_abs_err=... mean_abs_err=... max_rel_err=..."
/// (F32) or "... I64 mismatches=N": the error statistics, no verdict.
std::string statisticsLine(const std::string &label, const std::string &name,
                           rt::DType dtype, const Comparison &c);

/// The index of the largest value of each row of a [N, C] F32 tensor (the
/// predicted class of logits); nothing for another shape or type.
std::optional<std::vector<int64_t>> argmaxRows(const rt::HostTensor &t);

/// "LABEL: output 'NAME' [TYPE ]shape [..]: v0 v1 ... (8 at most)".
std::string outputLine(const std::string &label, const rt::HostTensor &t);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_COMPARE_H
