//===- Compare.cpp - Outputs against references -----------------*- C++ -*-===//
//
// The allclose-like comparison and the report lines of cim-run.
//
//===----------------------------------------------------------------------===//

#include "tooling/Compare.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace cim::tooling {

using rt::DType;
using rt::HostTensor;

namespace {

/// `t` with its elements converted to `dtype` (F32 -> I64 truncates, -> BOOL
/// is x != 0).
HostTensor converted(const HostTensor &t, DType dtype) {
  if (t.dtype == dtype)
    return t;
  return rt::fromTensor(rt::toTensor(t).convertedTo(dtype), t.name);
}

std::string shapeStr(const std::vector<int64_t> &d) {
  return rt::shapeToString(d);
}

std::string previewValues(const HostTensor &t) {
  std::string s;
  size_t count = t.dtype == DType::F32 ? t.data.size() : t.ints.size();
  size_t n = std::min<size_t>(count, 8);
  for (size_t i = 0; i < n; ++i) {
    char buf[32];
    if (t.dtype == DType::F32)
      std::snprintf(buf, sizeof(buf), "%s%.6g", i ? " " : "",
                    double(t.data[i]));
    else
      std::snprintf(buf, sizeof(buf), "%s%lld", i ? " " : "",
                    (long long)t.ints[i]);
    s += buf;
  }
  if (count > n)
    s += " ...";
  return s;
}

} // namespace

Comparison compare(const HostTensor &actual, const HostTensor &expectedFile,
                   double rtol, double atol) {
  Comparison c;
  if (actual.dims != expectedFile.dims) {
    c.pass = false;
    c.detail = "shape " + shapeStr(actual.dims) + " but expected " +
               shapeStr(expectedFile.dims);
    return c;
  }
  // The reference is read in the output's element type: integers and
  // booleans are compared exactly, floats with the tolerance.
  HostTensor expected = converted(expectedFile, actual.dtype);
  size_t bad = 0, firstBad = 0;
  if (actual.dtype != DType::F32) {
    for (size_t i = 0; i < actual.ints.size(); ++i)
      if (actual.ints[i] != expected.ints[i] && bad++ == 0)
        firstBad = i;
    c.mismatches = bad;
    if (bad) {
      c.pass = false;
      c.detail =
          std::to_string(bad) + " of " + std::to_string(actual.ints.size()) +
          " elements differ; first at flat index " + std::to_string(firstBad) +
          ": got " + std::to_string(actual.ints[firstBad]) + ", expected " +
          std::to_string(expected.ints[firstBad]);
    }
    return c;
  }
  for (size_t i = 0; i < actual.data.size(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    double diff;
    bool ok;
    if (std::isinf(e) || std::isinf(a)) {
      ok = a == e; // numpy.allclose: infinities must match exactly
      diff = ok ? 0.0 : INFINITY;
    } else {
      diff = std::fabs(a - e); // NaN when either is NaN: never ok
      ok = diff <= atol + rtol * std::fabs(e);
    }
    double rel = diff / std::max(std::fabs(e), double(FLT_MIN));
    c.meanAbs += diff / double(actual.data.size());
    if (!(diff <= c.maxAbs))
      c.maxAbs = diff;
    if (!(rel <= c.maxRel))
      c.maxRel = rel;
    if (!ok && bad++ == 0)
      firstBad = i;
  }
  if (bad) {
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "%zu of %zu elements off; first at flat index %zu: got %.8g, "
                  "expected %.8g",
                  bad, actual.data.size(), firstBad,
                  double(actual.data[firstBad]),
                  double(expected.data[firstBad]));
    c.pass = false;
    c.detail = buf;
  }
  return c;
}

std::string statisticsLine(const std::string &label, const std::string &name,
                           DType dtype, const Comparison &c) {
  char what[128];
  if (dtype == DType::F32)
    std::snprintf(what, sizeof(what),
                  "max_abs_err=%.3g mean_abs_err=%.3g max_rel_err=%.3g",
                  c.maxAbs, c.meanAbs, c.maxRel);
  else
    std::snprintf(what, sizeof(what), "%s mismatches=%zu", rt::dtypeName(dtype),
                  c.mismatches);
  return label + ": output '" + name + "' " + what;
}

std::optional<std::vector<int64_t>> argmaxRows(const HostTensor &t) {
  if (t.dtype != DType::F32 || t.dims.size() != 2 || t.dims[1] <= 0)
    return std::nullopt;
  std::vector<int64_t> out;
  const int64_t n = t.dims[0], k = t.dims[1];
  for (int64_t r = 0; r < n; ++r) {
    const float *row = t.data.data() + r * k;
    out.push_back(std::max_element(row, row + k) - row);
  }
  return out;
}

std::string comparisonLine(const std::string &label, const std::string &name,
                           DType dtype, const Comparison &c) {
  char what[96];
  if (dtype == DType::F32)
    std::snprintf(what, sizeof(what), "max_abs_err=%.3g max_rel_err=%.3g",
                  c.maxAbs, c.maxRel);
  else
    std::snprintf(what, sizeof(what), "%s mismatches=%zu", rt::dtypeName(dtype),
                  c.mismatches);
  return label + ": output '" + name + "' " + what +
         (c.pass ? " OK" : " FAIL") + (c.detail.empty() ? "" : ": ") + c.detail;
}

std::string outputLine(const std::string &label, const HostTensor &t) {
  // F32 lines stay as they were; other types are named.
  std::string kind =
      t.dtype == DType::F32 ? "" : std::string(rt::dtypeName(t.dtype)) + " ";
  return label + ": output '" + t.name + "' " + kind + "shape " +
         shapeStr(t.dims) + ": " + previewValues(t);
}

} // namespace cim::tooling
