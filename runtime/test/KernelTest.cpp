//===- KernelTest.cpp - Numerics of every kernel ----------------*- C++ -*-===//
//
// Runs each kernel, wrapped in a one-instruction artifact, through the real
// loader and interpreter and compares with a direct computation: numpy
// broadcasting, reductions, reshape with -1, transpose, concat, matmul in 2-D,
// batched and with 1-D operands, and the errors for inconsistent shapes.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <functional>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

/// Runs `kernel` and returns its single output, failing the test on error.
rt::Tensor run1(const std::string &kernel, const std::vector<rt::Tensor> &in,
                const Dims &outDims, const std::vector<Attr> &attrs = {}) {
  RunResult r = runOp(kernel, in, outDims, attrs);
  EXPECT_TRUE(r.status.isOk()) << r.status.message();
  if (!r.status.isOk() || r.outputs.size() != 1)
    return rt::Tensor();
  return r.outputs[0];
}

/// Element of a row-major tensor of shape `dims` at `idx`, with numpy
/// broadcasting from a result shape of rank idx.size().
float bcastAt(const std::vector<float> &v, const Dims &dims,
              const std::vector<int64_t> &idx) {
  int64_t off = 0, stride = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    int64_t j = idx[idx.size() - dims.size() + i];
    off += (dims[i] == 1 ? 0 : j) * stride;
    stride *= dims[i];
  }
  return v[off];
}

/// Checks a broadcast binary kernel against `f` for shapes a and b.
void checkBinary(const std::string &kernel, const Dims &a, const Dims &b,
                 const Dims &expectDims, std::function<float(float, float)> f) {
  auto va = ramp(size_t(rt::elementCount(a)), 3);
  auto vb = ramp(size_t(rt::elementCount(b)), 4);
  if (kernel == "tosa.pow")
    for (auto &x : va)
      x = std::fabs(x) + 0.5f;
  rt::Tensor y = run1(kernel, {makeTensor(a, va), makeTensor(b, vb)},
                      Dims(expectDims.size(), -1));
  ASSERT_EQ(y.dims(), expectDims) << kernel;
  std::vector<float> out = values(y);
  std::vector<int64_t> idx(expectDims.size(), 0);
  for (size_t flat = 0; flat < out.size(); ++flat) {
    float want = f(bcastAt(va, a, idx), bcastAt(vb, b, idx));
    ASSERT_FLOAT_EQ(out[flat], want) << kernel << " at flat " << flat;
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < expectDims[d])
        break;
      idx[d] = 0;
    }
  }
}

TEST(Kernels, BinaryElementwise) {
  std::vector<std::pair<std::string, std::function<float(float, float)>>> ops =
      {{"tosa.add", [](float a, float b) { return a + b; }},
       {"tosa.sub", [](float a, float b) { return a - b; }},
       {"tosa.mul", [](float a, float b) { return a * b; }},
       {"tosa.maximum", [](float a, float b) { return std::max(a, b); }},
       {"tosa.minimum", [](float a, float b) { return std::min(a, b); }},
       {"tosa.pow", [](float a, float b) { return std::pow(a, b); }}};
  for (const auto &[name, f] : ops) {
    checkBinary(name, {2, 3}, {2, 3}, {2, 3}, f);
    checkBinary(name, {2, 3}, {3}, {2, 3}, f);
    checkBinary(name, {2, 1, 3}, {4, 1}, {2, 4, 3}, f);
    checkBinary(name, {1}, {2, 2}, {2, 2}, f);
    checkBinary(name, {}, {3, 2}, {3, 2}, f);
    checkBinary(name, {3, 1, 1}, {1, 2, 5}, {3, 2, 5}, f);
  }
}

TEST(Kernels, BroadcastError) {
  RunResult r = runOp("tosa.add", {makeTensor({2, 3}, {}), makeTensor({4}, {})},
                      {-1, -1});
  ASSERT_FALSE(r.status.isOk());
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("program.instructions[0] (tosa.add"),
            std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("cannot broadcast [2,3] with [4]"),
            std::string::npos)
      << r.status.message();
}

TEST(Kernels, MaxMinPropagateNaN) {
  float nan = std::nanf("");
  rt::Tensor y =
      run1("tosa.maximum",
           {makeTensor({2}, {nan, 1}), makeTensor({2}, {0, nan})}, {2});
  auto v = values(y);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_TRUE(std::isnan(v[1]));
}

TEST(Kernels, Unary) {
  std::vector<float> x = {-2.5f, -1.0f, -0.25f, 0.0f, 0.5f, 1.0f, 3.0f};
  std::vector<float> pos = {0.1f, 0.5f, 1.0f, 2.0f, 7.5f, 100.0f, 1e-3f};
  struct Case {
    const char *name;
    std::function<float(float)> f;
    bool positive;
  };
  std::vector<Case> cases = {
      {"tosa.exp", [](float v) { return std::exp(v); }, false},
      {"tosa.log", [](float v) { return std::log(v); }, true},
      {"tosa.tanh", [](float v) { return std::tanh(v); }, false},
      {"tosa.sigmoid", [](float v) { return 1.0f / (1.0f + std::exp(-v)); },
       false},
      {"tosa.reciprocal", [](float v) { return 1.0f / v; }, true},
      {"tosa.negate", [](float v) { return -v; }, false},
      {"tosa.abs", [](float v) { return std::fabs(v); }, false},
      {"tosa.identity", [](float v) { return v; }, false}};
  for (const Case &c : cases) {
    const auto &in = c.positive ? pos : x;
    rt::Tensor y = run1(c.name, {makeTensor({7}, in)}, {7});
    auto out = values(y);
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i)
      EXPECT_FLOAT_EQ(out[i], c.f(in[i])) << c.name << " of " << in[i];
  }
}

TEST(Kernels, Clamp) {
  rt::Tensor y =
      run1("tosa.clamp", {makeTensor({5}, {-3, -0.5f, 0, 2, 9})}, {5},
           {attrF("min_fp", -1.0), attrF("max_fp", 6.0), attrI("min_int", -1),
            attrI("max_int", 6)});
  EXPECT_EQ(values(y), (std::vector<float>{-1, -0.5f, 0, 2, 6}));
  // ReLU as the compiler emits it.
  y = run1("tosa.clamp", {makeTensor({3}, {-1, 0.5f, 1e30f})}, {3},
           {attrF("min_fp", 0.0), attrF("max_fp", FLT_MAX)});
  EXPECT_EQ(values(y), (std::vector<float>{0, 0.5f, 1e30f}));
}

TEST(Kernels, Reductions) {
  Dims d = {2, 3, 4};
  auto x = ramp(24, 9);
  for (int64_t axis = 0; axis < 3; ++axis) {
    Dims od = d;
    od[axis] = 1;
    rt::Tensor s =
        run1("tosa.reduce_sum", {makeTensor(d, x)}, od, {attrI("axis", axis)});
    rt::Tensor m =
        run1("tosa.reduce_max", {makeTensor(d, x)}, od, {attrI("axis", axis)});
    ASSERT_EQ(s.dims(), od);
    ASSERT_EQ(m.dims(), od);
    auto vs = values(s), vm = values(m);
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t k = 0; k < 4; ++k) {
          int64_t idx[3] = {i, j, k};
          if (idx[axis] != 0)
            continue;
          double sum = 0;
          float mx = -INFINITY;
          for (int64_t r = 0; r < d[axis]; ++r) {
            int64_t at[3] = {i, j, k};
            at[axis] = r;
            float v = x[(at[0] * 3 + at[1]) * 4 + at[2]];
            sum += v;
            mx = std::max(mx, v);
          }
          int64_t o = (i * od[1] + j) * od[2] + k;
          EXPECT_NEAR(vs[o], sum, 1e-6) << "axis " << axis;
          EXPECT_EQ(vm[o], mx) << "axis " << axis;
        }
  }
}

TEST(Kernels, Reshape) {
  auto x = ramp(24);
  rt::Tensor y = run1("tosa.reshape", {makeTensor({2, 3, 4}, x)}, {-1, 4},
                      {attrInts("new_shape", {-1, 4})});
  EXPECT_EQ(y.dims(), (Dims{6, 4}));
  EXPECT_EQ(values(y), x);
  y = run1("tosa.reshape", {makeTensor({2, 3, 4}, x)}, {2, 12},
           {attrInts("new_shape", {2, 12})});
  EXPECT_EQ(y.dims(), (Dims{2, 12}));

  RunResult bad = runOp("tosa.reshape", {makeTensor({2, 3, 4}, x)}, {-1, 5},
                        {attrInts("new_shape", {-1, 5})});
  EXPECT_EQ(bad.status.code(), Code::InvalidArgument);
  EXPECT_NE(bad.status.message().find("cannot reshape [2,3,4] (24 elements)"),
            std::string::npos)
      << bad.status.message();
  bad = runOp("tosa.reshape", {makeTensor({2, 3}, {})}, {7},
              {attrInts("new_shape", {7})});
  EXPECT_EQ(bad.status.code(), Code::InvalidArgument);
}

TEST(Kernels, Transpose) {
  Dims d = {2, 3, 4};
  auto x = ramp(24);
  rt::Tensor y = run1("tosa.transpose", {makeTensor(d, x)}, {4, 2, 3},
                      {attrInts("perms", {2, 0, 1})});
  ASSERT_EQ(y.dims(), (Dims{4, 2, 3}));
  auto v = values(y);
  for (int64_t a = 0; a < 4; ++a)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t c = 0; c < 3; ++c)
        EXPECT_EQ(v[(a * 2 + b) * 3 + c], x[(b * 3 + c) * 4 + a]);
  // 2-D and identity permutation.
  y = run1("tosa.transpose", {makeTensor({2, 3}, {1, 2, 3, 4, 5, 6})}, {3, 2},
           {attrInts("perms", {1, 0})});
  EXPECT_EQ(values(y), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(Kernels, Concat) {
  rt::Tensor y =
      run1("tosa.concat",
           {makeTensor({2, 1}, {1, 2}), makeTensor({2, 3}, {3, 4, 5, 6, 7, 8})},
           {2, 4}, {attrI("axis", 1)});
  EXPECT_EQ(values(y), (std::vector<float>{1, 3, 4, 5, 2, 6, 7, 8}));
  y = run1("tosa.concat",
           {makeTensor({1, 2}, {1, 2}), makeTensor({2, 2}, {3, 4, 5, 6}),
            makeTensor({1, 2}, {7, 8})},
           {4, 2}, {attrI("axis", 0)});
  EXPECT_EQ(values(y), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));

  RunResult bad =
      runOp("tosa.concat", {makeTensor({2, 1}, {}), makeTensor({3, 1}, {})},
            {-1, -1}, {attrI("axis", 1)});
  EXPECT_EQ(bad.status.code(), Code::InvalidArgument);
}

/// Reference matmul with numpy semantics for the shapes used below.
std::vector<float> refMatmul(const std::vector<float> &a, const Dims &ad,
                             const std::vector<float> &b, const Dims &bd,
                             Dims &od) {
  Dims A = ad.size() == 1 ? Dims{1, ad[0]} : ad;
  Dims B = bd.size() == 1 ? Dims{bd[0], 1} : bd;
  int64_t m = A[A.size() - 2], k = A.back(), n = B.back();
  Dims ba(A.begin(), A.end() - 2), bb(B.begin(), B.end() - 2);
  auto batch = rt::broadcastShapes(ba, bb);
  od = *batch;
  std::vector<float> out;
  int64_t nb = rt::elementCount(od);
  std::vector<int64_t> idx(od.size(), 0);
  for (int64_t t = 0; t < nb; ++t) {
    auto offsetOf = [&](const Dims &bdims) {
      int64_t off = 0, stride = 1;
      for (size_t i = bdims.size(); i-- > 0;) {
        int64_t j = idx[idx.size() - bdims.size() + i];
        off += (bdims[i] == 1 ? 0 : j) * stride;
        stride *= bdims[i];
      }
      return off;
    };
    int64_t oa = offsetOf(ba) * m * k, ob = offsetOf(bb) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t kk = 0; kk < k; ++kk)
          s += double(a[oa + i * k + kk]) * double(b[ob + kk * n + j]);
        out.push_back(float(s));
      }
    for (size_t d = od.size(); d-- > 0;) {
      if (++idx[d] < od[d])
        break;
      idx[d] = 0;
    }
  }
  if (ad.size() != 1)
    od.push_back(m);
  if (bd.size() != 1)
    od.push_back(n);
  return out;
}

TEST(Kernels, Matmul) {
  std::vector<std::pair<Dims, Dims>> cases = {{{3, 4}, {4, 5}},
                                              {{2, 3, 4}, {4, 5}},
                                              {{2, 3, 4}, {2, 4, 5}},
                                              {{2, 1, 3, 4}, {5, 4, 2}},
                                              {{4}, {4, 3}},
                                              {{3, 4}, {4}},
                                              {{4}, {4}},
                                              {{4}, {2, 4, 3}},
                                              {{1, 1}, {1, 1}}};
  for (const auto &[ad, bd] : cases) {
    auto a = ramp(size_t(rt::elementCount(ad)), 5);
    auto b = ramp(size_t(rt::elementCount(bd)), 6);
    Dims od;
    auto want = refMatmul(a, ad, b, bd, od);
    rt::Tensor y = run1("cim.matmul", {makeTensor(ad, a), makeTensor(bd, b)},
                        Dims(od.size(), -1));
    ASSERT_EQ(y.dims(), od)
        << rt::shapeToString(ad) << " x " << rt::shapeToString(bd);
    // The kernel sums in float32 (a GEMM), the reference in double: each
    // product of k terms is within k float roundings of the magnitudes.
    std::vector<float> got = values(y);
    ASSERT_EQ(got.size(), want.size());
    int64_t k = ad.back();
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 4e-7 * double(k) * (1 + std::fabs(want[i])))
          << rt::shapeToString(ad) << " x " << rt::shapeToString(bd) << " ["
          << i << "]";
  }
  RunResult bad = runOp(
      "cim.matmul", {makeTensor({2, 3}, {}), makeTensor({4, 2}, {})}, {2, 2});
  EXPECT_EQ(bad.status.code(), Code::InvalidArgument);
  EXPECT_NE(bad.status.message().find("contraction dims differ (3 vs 4)"),
            std::string::npos)
      << bad.status.message();
}

TEST(Kernels, DataMovementOnIntegers) {
  // An I64 input (fed as floats through the API) flows through reshape and
  // transpose and comes back as I64.
  ArtifactBuilder b;
  uint32_t x = b.input("ids", {2, 3}, artifact::I64);
  uint32_t r = b.op("tosa.reshape", {x}, {3, 2},
                    {attrInts("new_shape", {3, 2})}, artifact::I64);
  uint32_t t = b.op("tosa.transpose", {r}, {2, 3}, {attrInts("perms", {1, 0})},
                    artifact::I64);
  uint32_t c = b.constantI64({2, 1}, {7, 8});
  uint32_t cat =
      b.op("tosa.concat", {t, c}, {2, 4}, {attrI("axis", 1)}, artifact::I64);
  b.output(cat, "out");
  RunResult res =
      runArtifact(b.artifact(), {makeTensor({2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(res.status.isOk()) << res.status.message();
  ASSERT_EQ(res.outputs[0].dtype(), rt::DType::I64);
  const int64_t *v = res.outputs[0].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(v, v + 8),
            (std::vector<int64_t>{0, 2, 4, 7, 1, 3, 5, 8}));
}

TEST(Kernels, DeclaredShapeIsChecked) {
  RunResult r =
      runOp("tosa.add", {makeTensor({2, 3}, {}), makeTensor({3}, {})}, {2, 4});
  ASSERT_FALSE(r.status.isOk());
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("dim 1 is 3 but the declared type [2,4]"),
            std::string::npos)
      << r.status.message();
}

} // namespace
