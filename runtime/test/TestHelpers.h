//===- TestHelpers.h - Running artifacts inside unit tests ------*- C++ -*-===//
//
// Small helpers shared by the unit tests: make tensors, run an artifact (or
// a single kernel wrapped in one) through the C++ session on a device, and
// load serialized artifacts to inspect validation errors.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_TEST_TESTHELPERS_H
#define CIMRT_TEST_TESTHELPERS_H

#include "ArtifactBuilder.h"

#include "artifact/Artifact.h"
#include "artifact/HalImage.h"
#include "hal/Hal.h"
#include "interp/Session.h"
#include "base/Tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace cim::test {

inline rt::Tensor makeTensor(const Dims &dims, const std::vector<float> &data) {
  rt::Tensor t = rt::Tensor::zeros(rt::DType::F32, dims);
  if (!data.empty())
    std::memcpy(t.mutableData<float>(), data.data(), data.size() * 4);
  return t;
}

inline rt::Tensor makeI64(const Dims &dims, const std::vector<int64_t> &data) {
  rt::Tensor t = rt::Tensor::zeros(rt::DType::I64, dims);
  std::copy(data.begin(), data.end(), t.mutableData<int64_t>());
  return t;
}

inline rt::Tensor makeBool(const Dims &dims, const std::vector<bool> &data) {
  rt::Tensor t = rt::Tensor::zeros(rt::DType::Bool, dims);
  std::copy(data.begin(), data.end(), t.mutableData<bool>());
  return t;
}

inline std::vector<int64_t> i64s(const rt::Tensor &t) {
  EXPECT_EQ(t.dtype(), rt::DType::I64);
  if (t.dtype() != rt::DType::I64)
    return {};
  return std::vector<int64_t>(t.data<int64_t>(),
                              t.data<int64_t>() + t.numElements());
}

inline std::vector<bool> bools(const rt::Tensor &t) {
  EXPECT_EQ(t.dtype(), rt::DType::Bool);
  if (t.dtype() != rt::DType::Bool)
    return {};
  return std::vector<bool>(t.data<bool>(), t.data<bool>() + t.numElements());
}

inline artifact::DataType protoType(rt::DType d) {
  return d == rt::DType::F32   ? artifact::F32
         : d == rt::DType::I64 ? artifact::I64
                               : artifact::I1;
}

inline std::vector<float> values(const rt::Tensor &t) {
  rt::Tensor f = t.convertedTo(rt::DType::F32);
  return std::vector<float>(f.data<float>(), f.data<float>() + f.numElements());
}

/// Deterministic values in [-1, 1).
inline std::vector<float> ramp(size_t n, uint32_t seed = 1) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 7;
  for (float &f : v) {
    s = s * 1664525u + 1013904223u;
    f = float(s >> 8) / float(1u << 23) - 1.0f;
  }
  return v;
}

struct RunResult {
  rt::Status status;
  std::vector<rt::Tensor> outputs;
};

/// Loads `a` (through serialization, like a file) and runs it once.
inline RunResult runArtifact(const artifact::Artifact &a,
                             const std::vector<rt::Tensor> &inputs,
                             const std::string &uri = "sim://ideal") {
  RunResult r;
  std::string bytes = a.SerializeAsString();
  auto model = rt::Model::loadMemory(bytes.data(), bytes.size());
  if (!model.isOk()) {
    r.status = model.status();
    return r;
  }
  auto device = rt::DriverRegistry::global().open(uri);
  if (!device.isOk()) {
    r.status = device.status();
    return r;
  }
  auto session = rt::Session::create(*model, *device);
  if (!session.isOk()) {
    r.status = session.status();
    return r;
  }
  r.status = (*session)->run(inputs, r.outputs);
  return r;
}

inline RunResult runOpN(const std::string &kernel,
                        const std::vector<rt::Tensor> &inputs,
                        const std::vector<VType> &outputs,
                        const std::vector<Attr> &attrs = {});

/// Wraps one kernel in an artifact: every input becomes a program input with
/// its actual shape as declared type, the result is declared `outDims`
/// (use -1 for dims the test does not want to spell out).
inline RunResult runOp(const std::string &kernel,
                       const std::vector<rt::Tensor> &inputs,
                       const Dims &outDims, const std::vector<Attr> &attrs = {},
                       artifact::DataType outType = artifact::F32) {
  return runOpN(kernel, inputs, {{outDims, outType}}, attrs);
}

/// runOp for kernels with several outputs; a null tensor in `inputs` is
/// passed as an absent optional input.
inline RunResult runOpN(const std::string &kernel,
                        const std::vector<rt::Tensor> &inputs,
                        const std::vector<VType> &outputs,
                        const std::vector<Attr> &attrs) {
  ArtifactBuilder b;
  std::vector<uint32_t> ids;
  std::vector<rt::Tensor> given;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].isNull()) {
      ids.push_back(kAbsent);
      continue;
    }
    ids.push_back(b.input("in" + std::to_string(i), inputs[i].dims(),
                          protoType(inputs[i].dtype())));
    given.push_back(inputs[i]);
  }
  auto outs = b.opN(kernel, ids, outputs, attrs);
  for (size_t i = 0; i < outs.size(); ++i)
    b.output(outs[i], "out" + std::to_string(i));
  return runArtifact(b.artifact(), given);
}

/// Programs `image` on `dev` and reads it for `x` (batch x rows), with an
/// optional carried charge (batch x cols); failures fail the test.
inline std::vector<float> programAndRead(rt::Device &dev,
                                         const rt::hal::TileImage &image,
                                         const rt::hal::MacroConfig &target,
                                         const std::vector<float> &x,
                                         int64_t batch,
                                         const float *carry = nullptr) {
  auto h = dev.programTile(image, target);
  EXPECT_TRUE(h.isOk()) << h.status().message();
  std::vector<float> y(size_t(batch) * image.cols);
  if (!h.isOk())
    return y;
  rt::Status s = dev.mvmShared(*h, x.data(), carry, batch, y.data());
  EXPECT_TRUE(s.isOk()) << s.message();
  return y;
}

/// The status of loading `a` after serialization.
inline rt::Status loadStatus(const artifact::Artifact &a) {
  std::string bytes = a.SerializeAsString();
  auto model = rt::Model::loadMemory(bytes.data(), bytes.size());
  return model.isOk() ? rt::Status::ok() : model.status();
}

/// Runs `kernel` and returns its single output, failing the test on error.
inline rt::Tensor run1(const std::string &kernel,
                       const std::vector<rt::Tensor> &in, const Dims &outDims,
                       const std::vector<Attr> &attrs = {},
                       artifact::DataType outType = artifact::F32) {
  RunResult r = runOp(kernel, in, outDims, attrs, outType);
  EXPECT_TRUE(r.status.isOk()) << kernel << ": " << r.status.message();
  if (!r.status.isOk() || r.outputs.size() != 1)
    return rt::Tensor::zeros(rt::DType::F32, {0});
  return r.outputs[0];
}

/// Expects loading `a` to fail with DATA_LOSS and a message holding `text`.
inline void expectDataLoss(const artifact::Artifact &a, const std::string &text) {
  rt::Status s = loadStatus(a);
  ASSERT_FALSE(s.isOk()) << "expected: " << text;
  EXPECT_EQ(s.code(), rt::Code::DataLoss) << s.message();
  EXPECT_NE(s.message().find(text), std::string::npos)
      << "message: " << s.message() << "\nexpected: " << text;
}

} // namespace cim::test

#endif // CIMRT_TEST_TESTHELPERS_H
