//===- TypedKernelTest.cpp - Kernels on I64, BOOL and scalars ---*- C++ -*-===//
//
// The dtype paths of the TOSA kernels with hand-computed expectations:
// integer arithmetic (with wrap-around), comparisons and logical kernels
// producing BOOL, select, integer clamp, the reductions on both types and on
// empty axes, argmax, rank-0 tensors and zero-sized dims through every
// family, and the load-time errors of the dtype rules.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <climits>
#include <cmath>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

void expectLoadError(const artifact::Artifact &a, const std::string &text) {
  rt::Status s = loadStatus(a);
  ASSERT_FALSE(s.isOk()) << "expected: " << text;
  EXPECT_EQ(s.code(), Code::DataLoss) << s.message();
  EXPECT_NE(s.message().find(text), std::string::npos)
      << "message: " << s.message() << "\nexpected to contain: " << text;
}

TEST(TypedKernels, IntegerArithmeticBroadcasts) {
  rt::Tensor a = makeI64({2, 3}, {1, -2, 3, 40, 50, -60});
  rt::Tensor b = makeI64({3}, {10, 20, -30});
  Dims d = {2, 3};
  EXPECT_EQ(i64s(run1("tosa.add", {a, b}, d, {}, artifact::I64)),
            (std::vector<int64_t>{11, 18, -27, 50, 70, -90}));
  EXPECT_EQ(i64s(run1("tosa.sub", {a, b}, d, {}, artifact::I64)),
            (std::vector<int64_t>{-9, -22, 33, 30, 30, -30}));
  EXPECT_EQ(i64s(run1("tosa.mul", {a, b}, d, {attrI("shift", 0)},
                      artifact::I64)),
            (std::vector<int64_t>{10, -40, -90, 400, 1000, 1800}));
  EXPECT_EQ(i64s(run1("tosa.maximum", {a, b}, d, {}, artifact::I64)),
            (std::vector<int64_t>{10, 20, 3, 40, 50, -30}));
  EXPECT_EQ(i64s(run1("tosa.minimum", {a, b}, d, {}, artifact::I64)),
            (std::vector<int64_t>{1, -2, -30, 10, 20, -60}));
  // Large values stay exact (no detour through float) and overflow wraps.
  rt::Tensor big = makeI64({2}, {(1LL << 53) + 1, INT64_MAX});
  rt::Tensor one = makeI64({}, {1});
  EXPECT_EQ(i64s(run1("tosa.add", {big, one}, {2}, {}, artifact::I64)),
            (std::vector<int64_t>{(1LL << 53) + 2, INT64_MIN}));
}

TEST(TypedKernels, IntegerUnary) {
  rt::Tensor x = makeI64({4}, {-5, 0, 7, INT64_MIN});
  EXPECT_EQ(i64s(run1("tosa.negate", {x}, {4}, {}, artifact::I64)),
            (std::vector<int64_t>{5, 0, -7, INT64_MIN}));
  EXPECT_EQ(i64s(run1("tosa.abs", {x}, {4}, {}, artifact::I64)),
            (std::vector<int64_t>{5, 0, 7, INT64_MIN}));
  EXPECT_EQ(i64s(run1("tosa.identity", {x}, {4}, {}, artifact::I64)),
            i64s(x));
  rt::Tensor bx = makeBool({3}, {true, false, true});
  EXPECT_EQ(bools(run1("tosa.identity", {bx}, {3}, {}, artifact::I1)),
            (std::vector<bool>{true, false, true}));
}

TEST(TypedKernels, FloorCeil) {
  rt::Tensor x = makeTensor({5}, {-1.5f, -0.5f, 0.0f, 0.5f, 2.0f});
  EXPECT_EQ(values(run1("tosa.floor", {x}, {5})),
            (std::vector<float>{-2, -1, 0, 0, 2}));
  EXPECT_EQ(values(run1("tosa.ceil", {x}, {5})),
            (std::vector<float>{-1, -0.0f, 0, 1, 2}));
}

TEST(TypedKernels, Comparisons) {
  float nan = std::nanf("");
  rt::Tensor a = makeTensor({2, 2}, {1, 2, 3, nan});
  rt::Tensor b = makeTensor({2}, {2, 2});
  EXPECT_EQ(bools(run1("tosa.greater", {a, b}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{false, false, true, false}));
  EXPECT_EQ(
      bools(run1("tosa.greater_equal", {a, b}, {2, 2}, {}, artifact::I1)),
      (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bools(run1("tosa.equal", {a, b}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{false, true, false, false}));

  rt::Tensor ia = makeI64({3}, {-1, 5, 9});
  rt::Tensor ib = makeI64({}, {5});
  EXPECT_EQ(bools(run1("tosa.greater", {ia, ib}, {3}, {}, artifact::I1)),
            (std::vector<bool>{false, false, true}));
  EXPECT_EQ(
      bools(run1("tosa.greater_equal", {ia, ib}, {3}, {}, artifact::I1)),
      (std::vector<bool>{false, true, true}));
  EXPECT_EQ(bools(run1("tosa.equal", {ia, ib}, {3}, {}, artifact::I1)),
            (std::vector<bool>{false, true, false}));

  rt::Tensor ba = makeBool({2, 1}, {true, false});
  rt::Tensor bb = makeBool({2}, {true, false});
  EXPECT_EQ(bools(run1("tosa.equal", {ba, bb}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{true, false, false, true}));
}

TEST(TypedKernels, Logical) {
  rt::Tensor a = makeBool({2, 1}, {true, false});
  rt::Tensor b = makeBool({2}, {true, false});
  EXPECT_EQ(bools(run1("tosa.logical_and", {a, b}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bools(run1("tosa.logical_or", {a, b}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(bools(run1("tosa.logical_xor", {a, b}, {2, 2}, {}, artifact::I1)),
            (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(bools(run1("tosa.logical_not", {b}, {2}, {}, artifact::I1)),
            (std::vector<bool>{false, true}));
}

TEST(TypedKernels, SelectBroadcastsAllThree) {
  rt::Tensor c = makeBool({2, 1}, {true, false});
  rt::Tensor a = makeTensor({3}, {1, 2, 3});
  rt::Tensor b = makeTensor({}, {-1});
  EXPECT_EQ(values(run1("tosa.select", {c, a, b}, {2, 3})),
            (std::vector<float>{1, 2, 3, -1, -1, -1}));
  rt::Tensor ia = makeI64({2, 1}, {10, 20});
  rt::Tensor ib = makeI64({1, 2}, {7, 8});
  rt::Tensor c2 = makeBool({2}, {false, true});
  EXPECT_EQ(i64s(run1("tosa.select", {c2, ia, ib}, {2, 2}, {}, artifact::I64)),
            (std::vector<int64_t>{7, 10, 7, 20}));
  rt::Tensor ba = makeBool({}, {true}), bb = makeBool({}, {false});
  EXPECT_EQ(bools(run1("tosa.select", {makeBool({3}, {true, false, true}), ba,
                                       bb},
                       {3}, {}, artifact::I1)),
            (std::vector<bool>{true, false, true}));
  // All scalars.
  EXPECT_EQ(values(run1("tosa.select",
                        {makeBool({}, {false}), makeTensor({}, {1}),
                         makeTensor({}, {2})},
                        {})),
            (std::vector<float>{2}));
}

TEST(TypedKernels, IntegerClamp) {
  rt::Tensor x = makeI64({5}, {-100, -3, 0, 4, 1LL << 40});
  EXPECT_EQ(i64s(run1("tosa.clamp", {x}, {5},
                      {attrI("min_int", -3), attrI("max_int", 4),
                       attrF("min_fp", -1e30), attrF("max_fp", 1e30)},
                      artifact::I64)),
            (std::vector<int64_t>{-3, -3, 0, 4, 4}));

  ArtifactBuilder b;
  uint32_t in = b.input("x", {2}, artifact::I64);
  b.output(b.op("tosa.clamp", {in}, {2},
                {attrF("min_fp", 0.0), attrF("max_fp", 1.0)}, artifact::I64),
           "y");
  expectLoadError(b.artifact(),
                  "program.instructions[0].attrs.min_int: missing "
                  "(tosa.clamp on I64 needs int (i) attribute 'min_int')");
  ArtifactBuilder f;
  in = f.input("x", {2});
  f.output(f.op("tosa.clamp", {in}, {2},
                {attrI("min_int", 0), attrI("max_int", 1)}),
           "y");
  expectLoadError(f.artifact(), "attrs.min_fp: missing (tosa.clamp on F32");
}

TEST(TypedKernels, Reductions) {
  // [[1, 5, -2], [4, 0, 3]] as F32 and I64.
  rt::Tensor f = makeTensor({2, 3}, {1, 5, -2, 4, 0, 3});
  rt::Tensor i = makeI64({2, 3}, {1, 5, -2, 4, 0, 3});
  struct Case {
    const char *kernel;
    int64_t axis;
    std::vector<int64_t> want;
  };
  std::vector<Case> cases = {
      {"tosa.reduce_sum", 0, {5, 5, 1}},   {"tosa.reduce_sum", 1, {4, 7}},
      {"tosa.reduce_prod", 0, {4, 0, -6}}, {"tosa.reduce_prod", 1, {-10, 0}},
      {"tosa.reduce_max", 0, {4, 5, 3}},   {"tosa.reduce_max", 1, {5, 4}},
      {"tosa.reduce_min", 0, {1, 0, -2}},  {"tosa.reduce_min", 1, {-2, 0}},
  };
  for (const Case &c : cases) {
    Dims od = c.axis == 0 ? Dims{1, 3} : Dims{2, 1};
    rt::Tensor yi = run1(c.kernel, {i}, od, {attrI("axis", c.axis)},
                         artifact::I64);
    EXPECT_EQ(yi.dims(), od);
    EXPECT_EQ(i64s(yi), c.want) << c.kernel << " axis " << c.axis;
    rt::Tensor yf = run1(c.kernel, {f}, od, {attrI("axis", c.axis)});
    std::vector<float> want(c.want.begin(), c.want.end());
    EXPECT_EQ(values(yf), want) << c.kernel << " axis " << c.axis;
  }
  // Integer sums stay exact beyond 2^53.
  rt::Tensor big = makeI64({2}, {(1LL << 60), 3});
  EXPECT_EQ(i64s(run1("tosa.reduce_sum", {big}, {1}, {attrI("axis", 0)},
                      artifact::I64)),
            (std::vector<int64_t>{(1LL << 60) + 3}));
  // min propagates NaN like max.
  rt::Tensor n = makeTensor({3}, {1, std::nanf(""), -1});
  EXPECT_TRUE(std::isnan(
      values(run1("tosa.reduce_min", {n}, {1}, {attrI("axis", 0)}))[0]));
}

TEST(TypedKernels, ReduceEmptyAxisGivesIdentity) {
  rt::Tensor f = makeTensor({2, 0}, {});
  rt::Tensor i = makeI64({2, 0}, {});
  auto fr = [&](const char *k) {
    return values(run1(k, {f}, {2, 1}, {attrI("axis", 1)}));
  };
  auto ir = [&](const char *k) {
    return i64s(run1(k, {i}, {2, 1}, {attrI("axis", 1)}, artifact::I64));
  };
  EXPECT_EQ(fr("tosa.reduce_sum"), (std::vector<float>{0, 0}));
  EXPECT_EQ(fr("tosa.reduce_prod"), (std::vector<float>{1, 1}));
  EXPECT_EQ(fr("tosa.reduce_max"), (std::vector<float>{-INFINITY, -INFINITY}));
  EXPECT_EQ(fr("tosa.reduce_min"), (std::vector<float>{INFINITY, INFINITY}));
  EXPECT_EQ(ir("tosa.reduce_sum"), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(ir("tosa.reduce_prod"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ir("tosa.reduce_max"), (std::vector<int64_t>{INT64_MIN, INT64_MIN}));
  EXPECT_EQ(ir("tosa.reduce_min"), (std::vector<int64_t>{INT64_MAX, INT64_MAX}));
  // Reducing the non-empty axis of an empty tensor gives an empty result.
  rt::Tensor y = run1("tosa.reduce_sum", {f}, {1, 0}, {attrI("axis", 0)});
  EXPECT_EQ(y.dims(), (Dims{1, 0}));
}

TEST(TypedKernels, Argmax) {
  // First maximum wins on ties; the axis is removed.
  rt::Tensor f = makeTensor({2, 3}, {1, 7, 7, 9, 2, 9});
  EXPECT_EQ(i64s(run1("tosa.argmax", {f}, {2}, {attrI("axis", 1)},
                      artifact::I64)),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(i64s(run1("tosa.argmax", {f}, {3}, {attrI("axis", 0)},
                      artifact::I64)),
            (std::vector<int64_t>{1, 0, 1}));
  rt::Tensor i = makeI64({4}, {-3, 8, 8, -9});
  rt::Tensor y = run1("tosa.argmax", {i}, {}, {attrI("axis", 0)},
                      artifact::I64);
  EXPECT_EQ(y.rank(), 0u); // rank 1 -> scalar
  EXPECT_EQ(i64s(y), (std::vector<int64_t>{1}));
  // NaN counts as the maximum (numpy.argmax).
  rt::Tensor n = makeTensor({3}, {1, std::nanf(""), 5});
  EXPECT_EQ(i64s(run1("tosa.argmax", {n}, {}, {attrI("axis", 0)},
                      artifact::I64)),
            (std::vector<int64_t>{1}));
  // An empty axis has no maximum.
  RunResult r = runOp("tosa.argmax", {makeTensor({2, 0}, {})}, {2},
                      {attrI("axis", 1)}, artifact::I64);
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("argmax of an empty axis"),
            std::string::npos)
      << r.status.message();
}

TEST(TypedKernels, ScalarsEverywhere) {
  rt::Tensor a = makeTensor({}, {2.5f}), b = makeTensor({}, {-1});
  rt::Tensor y = run1("tosa.add", {a, b}, {});
  EXPECT_EQ(y.rank(), 0u);
  EXPECT_EQ(values(y), (std::vector<float>{1.5f}));
  EXPECT_EQ(values(run1("tosa.exp", {makeTensor({}, {0})}, {})),
            (std::vector<float>{1}));
  EXPECT_EQ(bools(run1("tosa.greater", {a, b}, {}, {}, artifact::I1)),
            (std::vector<bool>{true}));
  EXPECT_EQ(values(run1("tosa.transpose", {a}, {}, {attrInts("perms", {})})),
            (std::vector<float>{2.5f}));
  rt::Tensor r = run1("tosa.reshape", {a}, {1, 1},
                      {attrInts("new_shape", {1, 1})});
  EXPECT_EQ(r.dims(), (Dims{1, 1}));
  rt::Tensor back = run1("tosa.reshape", {r}, {}, {attrInts("new_shape", {})});
  EXPECT_EQ(back.rank(), 0u);
  EXPECT_EQ(values(back), (std::vector<float>{2.5f}));
  EXPECT_EQ(values(run1("tosa.clamp", {makeTensor({}, {9})}, {},
                        {attrF("min_fp", 0.0), attrF("max_fp", 6.0)})),
            (std::vector<float>{6}));
}

TEST(TypedKernels, ZeroSizedDims) {
  rt::Tensor e = makeTensor({0, 3}, {});
  EXPECT_EQ(run1("tosa.add", {e, makeTensor({3}, {1, 2, 3})}, {-1, 3}).dims(),
            (Dims{0, 3}));
  EXPECT_EQ(run1("tosa.select",
                 {makeBool({0, 1}, {}), e, makeTensor({}, {0})}, {-1, 3})
                .dims(),
            (Dims{0, 3}));
  EXPECT_EQ(run1("tosa.transpose", {e}, {3, 0}, {attrInts("perms", {1, 0})})
                .dims(),
            (Dims{3, 0}));
  rt::Tensor c = run1("tosa.concat", {e, makeTensor({1, 3}, {4, 5, 6})},
                      {1, 3}, {attrI("axis", 0)});
  EXPECT_EQ(values(c), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(run1("cim.matmul", {e, makeTensor({3, 2}, {})}, {0, 2}).dims(),
            (Dims{0, 2}));
  EXPECT_EQ(run1("tosa.argmax", {e}, {0}, {attrI("axis", 1)}, artifact::I64)
                .dims(),
            (Dims{0}));
  EXPECT_EQ(i64s(run1("tosa.negate", {makeI64({0}, {})}, {0}, {},
                      artifact::I64)),
            (std::vector<int64_t>{}));
}

TEST(TypedKernels, DtypeRulesAtLoad) {
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2});
    uint32_t i = b.input("i", {2}, artifact::I64);
    b.output(b.op("tosa.add", {x, i}, {2}), "y");
    expectLoadError(b.artifact(), "program.instructions[0].inputs[1]: value 2 "
                                  "is I64 but tosa.add needs all inputs F32");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2}, artifact::I1);
    b.output(b.op("tosa.add", {x, x}, {2}, {}, artifact::I1), "y");
    expectLoadError(b.artifact(), "value 1 is BOOL but tosa.add needs F32 or "
                                  "I64");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2});
    b.output(b.op("tosa.greater", {x, x}, {2}), "y");
    expectLoadError(b.artifact(), "program.instructions[0].outputs[0]: value "
                                  "2 is declared F32 but tosa.greater "
                                  "produces BOOL");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2}, artifact::I1);
    b.output(b.op("tosa.greater", {x, x}, {2}, {}, artifact::I1), "y");
    expectLoadError(b.artifact(), "is BOOL but tosa.greater needs F32 or I64");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2});
    b.output(b.op("tosa.logical_not", {x}, {2}, {}, artifact::I1), "y");
    expectLoadError(b.artifact(), "is F32 but tosa.logical_not needs BOOL");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2}, artifact::I64);
    b.output(b.op("tosa.pow", {x, x}, {2}, {}, artifact::I64), "y");
    expectLoadError(b.artifact(), "is I64 but tosa.pow needs F32");
  }
  {
    ArtifactBuilder b;
    uint32_t c = b.input("c", {2});
    uint32_t x = b.input("x", {2});
    b.output(b.op("tosa.select", {c, x, x}, {2}), "y");
    expectLoadError(b.artifact(), "program.instructions[0].inputs[0]: value 1 "
                                  "is F32 but tosa.select needs BOOL here");
  }
  {
    ArtifactBuilder b;
    uint32_t c = b.input("c", {2}, artifact::I1);
    uint32_t x = b.input("x", {2});
    uint32_t i = b.input("i", {2}, artifact::I64);
    b.output(b.op("tosa.select", {c, x, i}, {2}), "y");
    expectLoadError(b.artifact(), "tosa.select needs the type of inputs[1]");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2, 3});
    b.output(b.op("tosa.argmax", {x}, {2}, {attrI("axis", 1)}), "y");
    expectLoadError(b.artifact(), "is declared F32 but tosa.argmax produces "
                                  "I64");
  }
  {
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2, 3});
    b.output(b.op("tosa.argmax", {x}, {2, 1}, {attrI("axis", 1)},
                  artifact::I64),
             "y");
    expectLoadError(b.artifact(), "has rank 2 but tosa.argmax produces rank 1");
  }
  {
    // An absent id where the kernel has no optional input.
    ArtifactBuilder b;
    uint32_t x = b.input("x", {2});
    b.output(b.op("tosa.add", {x, kAbsent}, {2}), "y");
    expectLoadError(b.artifact(), "program.instructions[0].inputs[1]: input 1 "
                                  "of tosa.add is required but absent");
  }
}

} // namespace
