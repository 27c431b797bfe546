//===- MakeTestArtifact.cpp - Sample artifacts and test data ----*- C++ -*-===//
//
// cim-make-test-artifact: writes one of the sample models of
// ArtifactBuilder.h as a .cimx file, optionally with ONNX-style test data
// computed by the float reference, and optionally damaged (future version,
// truncated) to test error paths. Used by the ctest scripts and the hello
// sample test.
//
//   cim-make-test-artifact OUT.cimx
//       [--model dense|splitk|relu3d|matmul2d|typed|loop|scan]
//       [--model recurrent --onnx-test DIR]
//       [--test-data DIR [--sets K] [--batch B]] [--version V]
//       [--truncate-to BYTES]
//
// `typed` test data mixes element types on purpose: x FLOAT, ids INT32
// (the model wants I64), flag a BOOL scalar; outputs INT64, BOOL and an
// INT64 scalar. `recurrent` builds the single-instruction model of one
// ONNX RNN/GRU/LSTM node test from the shapes of its input files.
//
//===----------------------------------------------------------------------===//

#include "ArtifactBuilder.h"
#include "tooling/TensorIO.h"
#include "tensor.pb.h"

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

/// Writes the `typed` model's data set: x, ids (as INT32), flag; outputs.
rt::Status writeTypedSet(const std::filesystem::path &dir, int64_t batch,
                         uint32_t set) {
  std::vector<float> x = pattern(size_t(batch), set);
  io::Tensor ids;
  ids.set_name("ids");
  ids.add_dims(batch);
  ids.set_data_type(rt::kOnnxInt32);
  rt::HostTensor twice{"twice", {batch}, {}, rt::DType::I64, {}};
  rt::HostTensor positive{"positive", {batch}, {}, rt::DType::Bool, {}};
  bool flag = set % 2 == 0;
  int64_t best = 0;
  for (int64_t i = 0; i < batch; ++i) {
    int32_t id = int32_t(i * 7 - 3) * int32_t(set + 1);
    ids.add_int32_data(id);
    twice.ints.push_back(2 * int64_t(id));
    positive.ints.push_back(x[i] > 0 && flag ? 1 : 0);
    if (x[i] > x[best])
      best = i;
  }
  rt::HostTensor argmax{"argmax", {}, {}, rt::DType::I64, {best}};
  rt::HostTensor xin{"x", {batch}, x};
  rt::HostTensor flagIn{"flag", {}, {}, rt::DType::Bool, {flag ? 1 : 0}};
  CIM_TRY(rt::writeTensorFile((dir / "input_0.pb").string(), xin));
  CIM_TRY(rt::writeFileAtomically((dir / "input_1.pb").string(),
                                  ids.SerializeAsString()));
  CIM_TRY(rt::writeTensorFile((dir / "input_2.pb").string(), flagIn));
  CIM_TRY(rt::writeTensorFile((dir / "output_0.pb").string(), twice));
  CIM_TRY(rt::writeTensorFile((dir / "output_1.pb").string(), positive));
  return rt::writeTensorFile((dir / "output_2.pb").string(), argmax);
}

/// The recurrent model of the ONNX node test in `dir` (…/test_lstm_*).
rt::StatusOr<artifact::Artifact> recurrentFor(const std::string &dir) {
  std::string test = std::filesystem::path(dir).filename().string();
  if (test.empty())
    test = std::filesystem::path(dir).parent_path().filename().string();
  for (const test::OnnxRecurrentCase &c : test::onnxRecurrentCases()) {
    if (test != c.test)
      continue;
    std::vector<std::pair<std::string, test::Dims>> inputs;
    for (int n = 0;; ++n) {
      std::filesystem::path p = std::filesystem::path(dir) /
                                "test_data_set_0" /
                                ("input_" + std::to_string(n) + ".pb");
      if (!std::filesystem::exists(p))
        break;
      auto t = rt::readTensorFile(p.string());
      if (!t.isOk())
        return t.status();
      inputs.emplace_back(t->name, t->dims);
    }
    return test::makeRecurrent(c, inputs);
  }
  return rt::makeError(rt::Code::NotFound, dir,
                       ": not one of the ONNX recurrent node tests");
}

} // namespace

int main(int argc, char **argv) {
  std::string out, model = "dense", testData, onnxTest;
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
    else if (a == "--onnx-test")
      onnxTest = next();
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
  } else if (model == "typed") {
    a = test::makeTyped();
  } else if (model == "loop") {
    a = test::makeLoopSum();
  } else if (model == "scan") {
    a = test::makeScanSum();
  } else if (model == "recurrent") {
    if (onnxTest.empty())
      return die("--model recurrent needs --onnx-test DIR");
    auto r = recurrentFor(onnxTest);
    if (!r.isOk())
      return die(r.status().message());
    a = *r;
  } else {
    return die("unknown model '" + model +
               "' (dense, splitk, relu3d, matmul2d, typed, loop, scan, "
               "recurrent)");
  }
  if (version >= 0)
    a.set_version(uint32_t(version));

  std::string bytes = a.SerializeAsString();
  if (truncateTo >= 0 && size_t(truncateTo) < bytes.size())
    bytes.resize(size_t(truncateTo));
  rt::Status s = rt::writeFileAtomically(out, bytes);
  if (!s.isOk())
    return die(s.message());

  if (!testData.empty() && model == "typed") {
    for (int set = 0; set < sets; ++set) {
      std::filesystem::path dir = std::filesystem::path(testData) /
                                  ("test_data_set_" + std::to_string(set));
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec)
        return die(dir.string() + ": " + ec.message());
      s = writeTypedSet(dir, batch, uint32_t(set));
      if (!s.isOk())
        return die(s.message());
    }
  } else if (!testData.empty()) {
    if (k == 0)
      return die("--test-data is only available for dense, splitk and "
                 "typed");
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
