//===- OnnxKernelTest.cpp - cast, gather, shapes, slice ---------*- C++ -*-===//
//
// The ONNX-semantics kernels against hand-computed results, including the
// examples of the ONNX operator documentation (Slice, Gather, Expand,
// Reshape), every cast direction with the documented saturation, negative
// indices, empty tensors, scalars, and the run- and load-time errors.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

void expectRunError(const RunResult &r, const std::string &text) {
  ASSERT_FALSE(r.status.isOk()) << "expected: " << text;
  EXPECT_EQ(r.status.code(), Code::InvalidArgument) << r.status.message();
  EXPECT_NE(r.status.message().find(text), std::string::npos)
      << "message: " << r.status.message() << "\nexpected: " << text;
}

//===----------------------------------------------------------------------===//
// cim.cast
//===----------------------------------------------------------------------===//

TEST(OnnxKernels, CastFromF32) {
  float nan = std::nanf("");
  rt::Tensor x = makeTensor(
      {8}, {1.9f, -1.9f, 0.5f, -0.0f, 3e20f, -3e20f, nan, INFINITY});
  // Truncation toward zero; out of range saturates; NaN becomes 0.
  EXPECT_EQ(i64s(run1("cim.cast", {x}, {8}, {}, artifact::I64)),
            (std::vector<int64_t>{1, -1, 0, 0, INT64_MAX, INT64_MIN, 0,
                                  INT64_MAX}));
  // x != 0; NaN is nonzero.
  EXPECT_EQ(bools(run1("cim.cast", {x}, {8}, {}, artifact::I1)),
            (std::vector<bool>{true, true, true, false, true, true, true,
                               true}));
  EXPECT_EQ(values(run1("cim.cast", {makeTensor({}, {2.5f})}, {})),
            (std::vector<float>{2.5f}));
}

TEST(OnnxKernels, CastFromI64AndBool) {
  rt::Tensor i = makeI64({3}, {3, -(1LL << 40), 0});
  EXPECT_EQ(values(run1("cim.cast", {i}, {3})),
            (std::vector<float>{3, -float(1LL << 40), 0}));
  EXPECT_EQ(bools(run1("cim.cast", {i}, {3}, {}, artifact::I1)),
            (std::vector<bool>{true, true, false}));
  EXPECT_EQ(i64s(run1("cim.cast", {i}, {3}, {}, artifact::I64)), i64s(i));
  rt::Tensor b = makeBool({2}, {true, false});
  EXPECT_EQ(values(run1("cim.cast", {b}, {2})), (std::vector<float>{1, 0}));
  EXPECT_EQ(i64s(run1("cim.cast", {b}, {2}, {}, artifact::I64)),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(bools(run1("cim.cast", {b}, {2}, {}, artifact::I1)),
            (std::vector<bool>{true, false}));
}

//===----------------------------------------------------------------------===//
// cim.gather
//===----------------------------------------------------------------------===//

TEST(OnnxKernels, Gather) {
  // ONNX Gather example 1: axis 0, indices [[0,1],[1,2]].
  rt::Tensor data = makeTensor({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  rt::Tensor y = run1("cim.gather", {data, makeI64({2, 2}, {0, 1, 1, 2})},
                      {2, 2, 2}, {attrI("axis", 0)});
  EXPECT_EQ(y.dims(), (Dims{2, 2, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f,
                                           4.5f, 5.7f}));
  // ONNX Gather example 2: axis 1, indices [[0, 2]] on a 3x3.
  rt::Tensor d2 = makeTensor({3, 3}, {1.0f, 1.2f, 1.9f, 2.3f, 3.4f, 3.9f,
                                      4.5f, 5.7f, 5.9f});
  y = run1("cim.gather", {d2, makeI64({1, 2}, {0, 2})}, {3, 1, 2},
           {attrI("axis", 1)});
  EXPECT_EQ(values(y),
            (std::vector<float>{1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f}));
  // Negative index counts from the end; a scalar index drops the axis.
  y = run1("cim.gather", {data, makeI64({}, {-1})}, {2}, {attrI("axis", 0)});
  EXPECT_EQ(values(y), (std::vector<float>{4.5f, 5.7f}));
  // Integer and boolean data; empty indices.
  rt::Tensor ints = makeI64({4}, {10, 20, 30, 40});
  EXPECT_EQ(i64s(run1("cim.gather", {ints, makeI64({3}, {3, -4, 1})}, {3},
                      {attrI("axis", 0)}, artifact::I64)),
            (std::vector<int64_t>{40, 10, 20}));
  EXPECT_EQ(bools(run1("cim.gather",
                       {makeBool({2}, {false, true}), makeI64({2}, {1, 1})},
                       {2}, {attrI("axis", 0)}, artifact::I1)),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(run1("cim.gather", {data, makeI64({0}, {})}, {0, 2},
                 {attrI("axis", 0)})
                .dims(),
            (Dims{0, 2}));
}

TEST(OnnxKernels, GatherErrors) {
  rt::Tensor data = makeTensor({3, 2}, {});
  RunResult r = runOp("cim.gather", {data, makeI64({2}, {0, 3})}, {2, 2},
                      {attrI("axis", 0)});
  expectRunError(r, "program.instructions[0] (cim.gather from 'cim.gather_3'):"
                    " indices element 1 is 3, out of range for axis 0 of "
                    "size 3");
  r = runOp("cim.gather", {data, makeI64({1}, {-3})}, {1, -1},
            {attrI("axis", 1)});
  expectRunError(r, "indices element 0 is -3, out of range for axis 1 of "
                    "size 2");

  ArtifactBuilder b;
  uint32_t x = b.input("x", {3, 2});
  uint32_t i = b.input("i", {2});
  b.output(b.op("cim.gather", {x, i}, {2, 2}, {attrI("axis", 0)}), "y");
  expectDataLoss(b.artifact(), "inputs[1]: value 2 is F32 but cim.gather "
                                "needs I64 here");
  ArtifactBuilder c;
  x = c.input("x", {3, 2});
  i = c.input("i", {2}, artifact::I64);
  c.output(c.op("cim.gather", {x, i}, {2, 2}, {attrI("axis", 2)}), "y");
  expectDataLoss(c.artifact(), "attrs.axis: 2 is out of range for rank 2");
}

//===----------------------------------------------------------------------===//
// cim.shape_of, cim.expand, cim.constant_of_shape
//===----------------------------------------------------------------------===//

TEST(OnnxKernels, ShapeOf) {
  rt::Tensor x = makeTensor({2, 3, 4}, {});
  EXPECT_EQ(i64s(run1("cim.shape_of", {x}, {3},
                      {attrI("start", 0), attrI("end", 3)}, artifact::I64)),
            (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(i64s(run1("cim.shape_of", {x}, {1},
                      {attrI("start", 1), attrI("end", 2)}, artifact::I64)),
            (std::vector<int64_t>{3}));
  rt::Tensor s = run1("cim.shape_of", {makeBool({}, {true})}, {0},
                      {attrI("start", 0), attrI("end", 0)}, artifact::I64);
  EXPECT_EQ(s.dims(), (Dims{0}));

  ArtifactBuilder b;
  uint32_t in = b.input("x", {2, 3});
  b.output(b.op("cim.shape_of", {in}, {-1},
                {attrI("start", 1), attrI("end", 3)}, artifact::I64),
           "y");
  expectDataLoss(b.artifact(), "attrs: start 1 / end 3 must satisfy");
  ArtifactBuilder c;
  in = c.input("x", {2, 3});
  c.output(c.op("cim.shape_of", {in}, {3},
                {attrI("start", 0), attrI("end", 2)}, artifact::I64),
           "y");
  expectDataLoss(c.artifact(), "is declared [3] but start 0 / end 2 give 2");
}

TEST(OnnxKernels, Expand) {
  // ONNX Expand example: [3,1] with shape [2,1,6] -> [2,3,6].
  rt::Tensor x = makeTensor({3, 1}, {1, 2, 3});
  rt::Tensor y = run1("cim.expand", {x, makeI64({3}, {2, 1, 6})}, {2, 3, 6});
  ASSERT_EQ(y.dims(), (Dims{2, 3, 6}));
  auto v = values(y);
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t c = 0; c < 6; ++c)
        EXPECT_EQ(v[(a * 3 + b) * 6 + c], float(b + 1));
  // A shorter shape with 1s keeps x's dims (bidirectional broadcast).
  EXPECT_EQ(run1("cim.expand", {x, makeI64({1}, {1})}, {3, 1}).dims(),
            (Dims{3, 1}));
  EXPECT_EQ(i64s(run1("cim.expand",
                      {makeI64({}, {7}), makeI64({2}, {2, 2})}, {2, 2}, {},
                      artifact::I64)),
            (std::vector<int64_t>{7, 7, 7, 7}));
  EXPECT_EQ(run1("cim.expand", {makeTensor({1}, {1}), makeI64({1}, {0})}, {0})
                .dims(),
            (Dims{0}));
  expectRunError(runOp("cim.expand", {x, makeI64({2}, {2, 4})}, {-1, -1}),
                 "cannot broadcast [3,1] with [2,4]");
  expectRunError(runOp("cim.expand", {x, makeI64({2}, {-1, 1})}, {-1, -1}),
                 "shape [?,1] has a negative dim at index 0");
}

TEST(OnnxKernels, ConstantOfShape) {
  EXPECT_EQ(values(run1("cim.constant_of_shape", {makeI64({2}, {2, 2})},
                        {2, 2}, {attrF("value", 1.5)})),
            (std::vector<float>{1.5f, 1.5f, 1.5f, 1.5f}));
  EXPECT_EQ(i64s(run1("cim.constant_of_shape", {makeI64({1}, {3})}, {3},
                      {attrF("value", 9007199254740993.0)}, artifact::I64)),
            (std::vector<int64_t>(3, 9007199254740992LL)));
  EXPECT_EQ(bools(run1("cim.constant_of_shape", {makeI64({1}, {2})}, {2},
                       {attrF("value", 1.0)}, artifact::I1)),
            (std::vector<bool>{true, true}));
  // No value: 0. Empty shape: a scalar. A zero dim: empty.
  EXPECT_EQ(values(run1("cim.constant_of_shape", {makeI64({1}, {2})}, {2})),
            (std::vector<float>{0, 0}));
  rt::Tensor s = run1("cim.constant_of_shape", {makeI64({0}, {})}, {},
                      {attrF("value", 4.0)});
  EXPECT_EQ(s.rank(), 0u);
  EXPECT_EQ(values(s), (std::vector<float>{4}));
  EXPECT_EQ(run1("cim.constant_of_shape", {makeI64({2}, {0, 3})}, {0, 3})
                .dims(),
            (Dims{0, 3}));
}

//===----------------------------------------------------------------------===//
// cim.reshape
//===----------------------------------------------------------------------===//

TEST(OnnxKernels, Reshape) {
  auto x = ramp(24);
  rt::Tensor t = makeTensor({2, 3, 4}, x);
  auto reshape = [&](const std::vector<int64_t> &shape, int64_t allowZero) {
    return runOp("cim.reshape",
                 {t, makeI64({int64_t(shape.size())}, shape)},
                 Dims(shape.size(), -1), {attrI("allowzero", allowZero)});
  };
  // The ONNX Reshape examples on a [2,3,4] input.
  struct Case {
    std::vector<int64_t> shape;
    Dims want;
  };
  std::vector<Case> cases = {{{4, 2, 3}, {4, 2, 3}}, {{2, 12}, {2, 12}},
                             {{24}, {24}},           {{2, -1}, {2, 12}},
                             {{-1, 2, 3, 4}, {1, 2, 3, 4}},
                             {{2, 0, 4, 1}, {2, 3, 4, 1}},
                             {{2, 0, 1, -1}, {2, 3, 1, 4}},
                             {{0, 0, -1}, {2, 3, 4}}};
  for (const Case &c : cases) {
    RunResult r = reshape(c.shape, 0);
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    EXPECT_EQ(r.outputs[0].dims(), c.want) << rt::shapeToString(c.shape);
    EXPECT_EQ(values(r.outputs[0]), x);
  }
  expectRunError(reshape({-1, -1}, 0), "has more than one -1");
  expectRunError(reshape({5, -1}, 0), "cannot reshape [2,3,4] (24 elements)");
  expectRunError(reshape({2, 3, 5}, 0), "(30 elements)");
  expectRunError(reshape({0, 0, 0, 0}, 0), "0 at index 3 copies a dim");
  expectRunError(reshape({-2, 12}, 0), "invalid dim -2");

  // allowzero: 0 is a real zero dim (only for empty inputs).
  rt::Tensor e = makeTensor({0, 3}, {});
  RunResult r = runOp("cim.reshape", {e, makeI64({3}, {3, 0, 7})},
                      {-1, -1, -1}, {attrI("allowzero", 1)});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{3, 0, 7}));
  r = runOp("cim.reshape", {e, makeI64({2}, {0, -1})}, {-1, -1},
            {attrI("allowzero", 1)});
  expectRunError(r, "has both 0 and -1 with allowzero set");
  // Without allowzero the 0 copies the input's 0: [0,3] -> [0,3].
  r = runOp("cim.reshape", {e, makeI64({2}, {0, 3})}, {-1, -1});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{0, 3}));
  // Any dtype, scalars.
  r = runOp("cim.reshape", {makeBool({1}, {true}), makeI64({0}, {})}, {},
            {}, artifact::I1);
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].rank(), 0u);
  EXPECT_EQ(bools(r.outputs[0]), (std::vector<bool>{true}));

  ArtifactBuilder b;
  uint32_t in = b.input("x", {2, 3});
  uint32_t s = b.input("s", {2}, artifact::I64);
  b.output(b.op("cim.reshape", {in, s}, {-1, -1, -1}), "y");
  expectDataLoss(b.artifact(), "has rank 3 but cim.reshape produces rank 2");
}

//===----------------------------------------------------------------------===//
// cim.slice
//===----------------------------------------------------------------------===//

RunResult slice(const rt::Tensor &data, const std::vector<int64_t> &starts,
                const std::vector<int64_t> &ends,
                const std::vector<int64_t> &axes,
                const std::vector<int64_t> &steps) {
  int64_t k = int64_t(starts.size());
  return runOp("cim.slice",
               {data, makeI64({k}, starts), makeI64({k}, ends),
                makeI64({k}, axes), makeI64({k}, steps)},
               Dims(data.rank(), -1), {}, protoType(data.dtype()));
}

std::vector<float> sliced(const rt::Tensor &data,
                          const std::vector<int64_t> &starts,
                          const std::vector<int64_t> &ends,
                          const std::vector<int64_t> &axes,
                          const std::vector<int64_t> &steps, Dims *dims) {
  RunResult r = slice(data, starts, ends, axes, steps);
  EXPECT_TRUE(r.status.isOk()) << r.status.message();
  if (!r.status.isOk())
    return {};
  if (dims)
    *dims = r.outputs[0].dims();
  return values(r.outputs[0]);
}

TEST(OnnxKernels, SliceOnnxExamples) {
  rt::Tensor d = makeTensor({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Dims dims;
  // "slice": axes [0,1], starts [1,0], ends [2,3], steps [1,2] -> [[5,7]].
  EXPECT_EQ(sliced(d, {1, 0}, {2, 3}, {0, 1}, {1, 2}, &dims),
            (std::vector<float>{5, 7}));
  EXPECT_EQ(dims, (Dims{1, 2}));
  // starts [0,1], ends [-1,1000] -> [[2,3,4]].
  EXPECT_EQ(sliced(d, {0, 1}, {-1, 1000}, {0, 1}, {1, 1}, &dims),
            (std::vector<float>{2, 3, 4}));
  EXPECT_EQ(dims, (Dims{1, 3}));
  // Negative axes.
  EXPECT_EQ(sliced(d, {1}, {3}, {-1}, {1}, &dims),
            (std::vector<float>{2, 3, 6, 7}));
  // Reverse a dimension: start -1, end INT64_MIN, step -1.
  EXPECT_EQ(sliced(d, {-1}, {INT64_MIN}, {1}, {-1}, &dims),
            (std::vector<float>{4, 3, 2, 1, 8, 7, 6, 5}));
  // Clamping for negative steps: start past the end is dim-1, end -dim-1
  // (below -1 after adding dim) stays -1 = "through index 0".
  rt::Tensor v = makeTensor({5}, {0, 1, 2, 3, 4});
  EXPECT_EQ(sliced(v, {10}, {-6}, {0}, {-2}, &dims),
            (std::vector<float>{4, 2, 0}));
  EXPECT_EQ(sliced(v, {3}, {0}, {0}, {-1}, &dims),
            (std::vector<float>{3, 2, 1}));
  // End before start gives an empty dim; so does a positive step backwards.
  EXPECT_EQ(sliced(v, {3}, {1}, {0}, {1}, &dims), (std::vector<float>{}));
  EXPECT_EQ(dims, (Dims{0}));
  EXPECT_EQ(sliced(v, {-100}, {INT64_MAX}, {0}, {3}, &dims),
            (std::vector<float>{0, 3}));
  // Huge steps take one element.
  EXPECT_EQ(sliced(v, {4}, {INT64_MIN}, {0}, {INT64_MIN}, &dims),
            (std::vector<float>{4}));
  EXPECT_EQ(sliced(v, {0}, {INT64_MAX}, {0}, {INT64_MAX}, &dims),
            (std::vector<float>{0}));
}

TEST(OnnxKernels, SliceTypesAbsentInputsAndErrors) {
  rt::Tensor i = makeI64({2, 3}, {1, 2, 3, 4, 5, 6});
  RunResult r = slice(i, {1}, {3}, {1}, {1});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(i64s(r.outputs[0]), (std::vector<int64_t>{2, 3, 5, 6}));
  r = slice(makeBool({3}, {true, false, false}), {0}, {3}, {0}, {2});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(bools(r.outputs[0]), (std::vector<bool>{true, false}));
  // Absent axes and steps default to 0..k-1 and 1.
  r = runOp("cim.slice",
            {i, makeI64({2}, {1, 0}), makeI64({2}, {2, 2}), rt::Tensor(),
             rt::Tensor()},
            {-1, -1}, {}, artifact::I64);
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(i64s(r.outputs[0]), (std::vector<int64_t>{4, 5}));
  // Zero-sized input dims, forward and backward.
  r = slice(makeTensor({0, 2}, {}), {0}, {5}, {0}, {-1});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{0, 2}));

  expectRunError(slice(i, {0}, {1}, {0}, {0}),
                 "program.instructions[0] (cim.slice from 'cim.slice_6'): "
                 "steps[0] is 0");
  expectRunError(slice(i, {0}, {1}, {2}, {1}),
                 "axes[0] = 2 is out of range for rank 2");
  expectRunError(slice(i, {0, 0}, {1, 1}, {1, -1}, {1, 1}),
                 "axes[1]: axis 1 is sliced twice");
  // Lengths that differ only at run time (declared [?]).
  {
    ArtifactBuilder b;
    uint32_t d = b.input("d", {2, 3}, artifact::I64);
    uint32_t s = b.input("s", {-1}, artifact::I64);
    uint32_t e = b.input("e", {-1}, artifact::I64);
    b.output(b.op("cim.slice", {d, s, e, kAbsent, kAbsent}, {-1, -1}, {},
                  artifact::I64),
             "y");
    expectRunError(runArtifact(b.artifact(), {i, makeI64({2}, {0, 0}),
                                              makeI64({1}, {1})}),
                   "have different lengths (2, 1, 2, 2)");
  }

  ArtifactBuilder b;
  uint32_t x = b.input("x", {4});
  uint32_t s = b.input("s", {1}, artifact::I64);
  uint32_t e = b.input("e", {2}, artifact::I64);
  b.output(b.op("cim.slice", {x, s, e, kAbsent, kAbsent}, {-1}), "y");
  expectDataLoss(b.artifact(), "inputs[2]: value 3 has 2 entries but the "
                                "other slice parameters have 1");
  ArtifactBuilder c;
  x = c.input("x", {4});
  s = c.input("s", {1}, artifact::I64);
  c.output(c.op("cim.slice", {x, kAbsent, s}, {-1}), "y");
  expectDataLoss(c.artifact(), "inputs[1]: input 1 of cim.slice is required "
                                "but absent");
}

} // namespace
