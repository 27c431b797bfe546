//===- MakeTestArtifact.cpp - Sample artifacts and test data ----*- C++ -*-===//
//
// cim-make-test-artifact: writes one of the sample models of
// ArtifactBuilder.h as a .cimx file, optionally with ONNX-style test data
// computed by the float reference, and optionally damaged (future version,
// truncated) to test error paths. Used by the ctest scripts and the hello
// sample test.
//
//   cim-make-test-artifact OUT.cimx [--model dense|splitk|relu3d|matmul2d]
//       [--test-data DIR [--sets K] [--batch B]] [--version V]
//       [--truncate-to BYTES]
//
//===----------------------------------------------------------------------===//

#include "ArtifactBuilder.h"
#include "TensorIO.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace cim;

namespace {

int die(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

/// Deterministic inputs in [-1, 1) so test data is reproducible.
std::vector<float> pattern(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float &f : v) {
    s = s * 1664525u + 1013904223u;
    f = float(s >> 8) / float(1u << 23) - 1.0f;
  }
  return v;
}

} // namespace

int main(int argc, char **argv) {
  std::string out, model = "dense", testData;
  int sets = 1, batch = 2;
  long version = -1, truncateTo = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--model")
      model = next();
    else if (a == "--test-data")
      testData = next();
    else if (a == "--sets")
      sets = std::atoi(next().c_str());
    else if (a == "--batch")
      batch = std::atoi(next().c_str());
    else if (a == "--version")
      version = std::atol(next().c_str());
    else if (a == "--truncate-to")
      truncateTo = std::atol(next().c_str());
    else if (!a.empty() && a[0] != '-' && out.empty())
      out = a;
    else
      return die("unknown argument '" + a + "'");
  }
  if (out.empty())
    return die("usage: cim-make-test-artifact OUT.cimx [--model M] "
               "[--test-data DIR] [--sets K] [--batch B] [--version V] "
               "[--truncate-to BYTES]");

  artifact::Artifact a;
  int64_t k = 0, n = 0;
  std::vector<float> w;
  const std::vector<float> *bias = nullptr;
  std::vector<float> biasStorage;
  bool relu = false;
  if (model == "dense") {
    a = test::makeDenseRelu();
    k = 5, n = 3, w = test::denseReluWeights();
    biasStorage = test::denseReluBias();
    bias = &biasStorage;
    relu = true;
  } else if (model == "splitk") {
    a = test::makeSplitK();
    k = 8, n = 3, w = test::splitKWeights();
  } else if (model == "relu3d") {
    a = test::makeRelu3d();
  } else if (model == "matmul2d") {
    a = test::makeMatmul2d();
  } else {
    return die("unknown model '" + model +
               "' (dense, splitk, relu3d, matmul2d)");
  }
  if (version >= 0)
    a.set_version(uint32_t(version));

  std::string bytes = a.SerializeAsString();
  if (truncateTo >= 0 && size_t(truncateTo) < bytes.size())
    bytes.resize(size_t(truncateTo));
  rt::Status s = rt::writeFileAtomically(out, bytes);
  if (!s.isOk())
    return die(s.message());

  if (!testData.empty()) {
    if (k == 0)
      return die("--test-data is only available for dense and splitk");
    for (int set = 0; set < sets; ++set) {
      std::filesystem::path dir = std::filesystem::path(testData) /
                                  ("test_data_set_" + std::to_string(set));
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec)
        return die(dir.string() + ": " + ec.message());
      rt::HostTensor x{"x", {batch, k}, pattern(size_t(batch * k), set)};
      rt::HostTensor y{
          "y",
          {batch, n},
          test::referenceDense(x.data, batch, k, n, w, bias, relu)};
      for (auto [file, t] :
           {std::pair{"input_0.pb", &x}, std::pair{"output_0.pb", &y}}) {
        s = rt::writeTensorFile((dir / file).string(), *t);
        if (!s.isOk())
          return die(s.message());
      }
    }
  }
  return 0;
}
