//===- TestData.cpp - ONNX-style test data sets -----------------*- C++ -*-===//
//
// Scanning test data directories, reading their tensors into model
// positions, and writing outputs in the same layout.
//
//===----------------------------------------------------------------------===//

#include "tooling/TestData.h"
#include "tooling/Exit.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace cim::tooling {

using rt::HostTensor;

namespace {

/// N for "prefix_N.pb", or -1.
int fileIndex(const std::string &name, const std::string &prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + 3 ||
      name.compare(name.size() - 3, 3, ".pb") != 0)
    return -1;
  std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - 3);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return -1;
  return std::atoi(digits.c_str());
}

Case scanSet(const fs::path &dir) {
  Case c;
  c.label = dir.filename().string();
  if (c.label.empty())
    c.label = dir.parent_path().filename().string();
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (int n = fileIndex(name, "input_"); n >= 0)
      c.inputFiles[n] = entry.path().string();
    else if (int m = fileIndex(name, "output_"); m >= 0)
      c.outputFiles[m] = entry.path().string();
  }
  if (ec)
    fail(dir.string() + ": cannot read directory: " + ec.message());
  return c;
}

/// Orders "test_data_set_2" before "test_data_set_10".
bool naturalLess(const std::string &a, const std::string &b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit((unsigned char)a[i]) &&
        std::isdigit((unsigned char)b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit((unsigned char)a[i2]))
        ++i2;
      while (j2 < b.size() && std::isdigit((unsigned char)b[j2]))
        ++j2;
      unsigned long long x =
          std::strtoull(a.substr(i, i2 - i).c_str(), nullptr, 10);
      unsigned long long y =
          std::strtoull(b.substr(j, j2 - j).c_str(), nullptr, 10);
      if (x != y)
        return x < y;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j])
        return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

} // namespace

std::vector<Case> scanTestData(const std::string &dirName) {
  fs::path dir(dirName);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail(dirName + ": not a directory");
  std::vector<fs::path> sets;
  for (const auto &entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory() &&
        entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(entry.path());
  if (ec)
    fail(dirName + ": cannot read directory: " + ec.message());
  std::sort(sets.begin(), sets.end(), [](const fs::path &a, const fs::path &b) {
    return naturalLess(a.filename().string(), b.filename().string());
  });
  std::vector<Case> cases;
  if (sets.empty()) {
    cases.push_back(scanSet(dir));
    if (cases[0].inputFiles.empty() && cases[0].outputFiles.empty())
      fail(dirName + ": no input_N.pb/output_N.pb files and no "
                     "test_data_set_* directories");
  } else {
    for (const auto &s : sets) {
      cases.push_back(scanSet(s));
      cases.back().outSubdir = s.filename().string();
    }
  }
  return cases;
}

/// Places the tensors of `files` (N -> path) at model positions: by name when
/// the file's tensor names a model input/output, else by N.
std::vector<std::optional<HostTensor>>
loadByPosition(const std::map<int, std::string> &files,
               const std::vector<IoInfo> &ios, const char *what,
               std::vector<std::string> *sources) {
  std::vector<std::optional<HostTensor>> placed(ios.size());
  if (sources)
    sources->assign(ios.size(), std::string());
  for (const auto &[n, path] : files) {
    auto t = rt::readTensorFile(path);
    if (!t.isOk())
      fail(t.status().message());
    int pos = findByName(ios, t->name);
    if (pos < 0)
      pos = n;
    if (pos >= int(ios.size()))
      fail(path + ": the model has only " + std::to_string(ios.size()) + " " +
           what + (ios.size() == 1 ? "" : "s") + " (no " + what + " #" +
           std::to_string(n) + ")");
    if (placed[pos])
      fail(path + ": model " + what + " '" + ios[pos].name +
           "' is given twice");
    placed[pos] = std::move(*t);
    if (sources)
      (*sources)[pos] = path;
  }
  return placed;
}

std::vector<HostTensor>
caseInputs(const Case &c, const Runner &r,
           const std::vector<std::pair<std::string, std::string>> &named,
           const std::string &testData, const std::string &model) {
  std::vector<std::optional<HostTensor>> in(r.inputs().size());
  if (!testData.empty())
    in = loadByPosition(c.inputFiles, r.inputs(), "input", nullptr);
  for (const auto &[name, file] : named) {
    int pos = findByName(r.inputs(), name);
    if (pos < 0) {
      std::string known;
      for (const IoInfo &io : r.inputs())
        known += (known.empty() ? "" : ", ") + io.name;
      fail(model + ": the model has no input named '" + name +
           "' (inputs: " + known + ")");
    }
    // An inline literal (i64=8, 2x3xf32=[...]) or a .npy / .pb file.
    std::optional<cim::rt::StatusOr<HostTensor>> literal =
        rt::parseTensorLiteral(file);
    auto t = literal ? std::move(*literal) : rt::readAnyTensorFile(file);
    if (!t.isOk())
      fail("--input " + name + ": " + t.status().message());
    t->name = name;
    in[pos] = std::move(*t);
  }
  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i])
      fail((testData.empty() ? model : testData) + ": missing input '" +
           r.inputs()[i].name + "' (#" + std::to_string(i) + ")" +
           (testData.empty() ? "; give it with --input NAME=FILE.pb"
                             : " in " + c.label));
    inputs.push_back(std::move(*in[i]));
  }
  return inputs;
}

void writeOutputs(const std::vector<HostTensor> &outs,
                  const std::string &dirName, OutputFormat format) {
  fs::path dir(dirName);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    fail(dir.string() + ": cannot create directory: " + ec.message());
  for (size_t i = 0; i < outs.size(); ++i) {
    bool npy = format == OutputFormat::Npy;
    fs::path p = dir / ("output_" + std::to_string(i) + (npy ? ".npy" : ".pb"));
    cim::rt::Status s = npy ? rt::writeNpyFile(p.string(), outs[i])
                            : rt::writeTensorFile(p.string(), outs[i]);
    if (!s.isOk())
      fail(s.message());
  }
}

} // namespace cim::tooling
