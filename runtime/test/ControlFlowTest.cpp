//===- ControlFlowTest.cpp - cim.loop, cim.scan, cim.if, regions -*- C++ -*-===//
//
// Loops, scans and ifs through the real loader and interpreter: ONNX's
// test_loop11 and test_scan9_sum (reference data when installed, the same
// values by hand otherwise), while-loops driven by the body's condition,
// zero iterations, values that change shape between iterations, nested
// loops reading enclosing region values, scans in reverse and along other
// axes, run-time errors naming the iteration and the inner instruction, and
// the validation of regions (scoping, arity, element types).
//
//===----------------------------------------------------------------------===//

#include "tooling/TensorIO.h"
#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

const char *kNodeData = "/usr/share/libonnx-testdata/data/node";

std::vector<rt::Tensor> readInputs(const std::string &dir, int n) {
  std::vector<rt::Tensor> in;
  for (int i = 0; i < n; ++i) {
    auto t = rt::readTensorFile(dir + "/input_" + std::to_string(i) + ".pb");
    EXPECT_TRUE(t.isOk()) << t.status().message();
    in.push_back(t.isOk() ? rt::toTensor(*t) : rt::Tensor());
  }
  return in;
}

std::vector<float> readOutput(const std::string &dir, int i, Dims *dims) {
  auto t = rt::readTensorFile(dir + "/output_" + std::to_string(i) + ".pb");
  EXPECT_TRUE(t.isOk()) << t.status().message();
  if (!t.isOk())
    return {};
  *dims = t->dims;
  return t->data;
}

/// Runs `a` on ONNX's node test `name` (its first data set) and expects
/// every output exactly; skipped without libonnx-testdata.
void expectNodeTest(const artifact::Artifact &a, const std::string &name,
                    int numInputs, int numOutputs) {
  std::string dir = std::string(kNodeData) + "/" + name + "/test_data_set_0";
  if (!std::filesystem::exists(dir))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  RunResult r = runArtifact(a, readInputs(dir, numInputs));
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  for (int i = 0; i < numOutputs; ++i) {
    Dims d;
    std::vector<float> want = readOutput(dir, i, &d);
    EXPECT_EQ(r.outputs[i].dims(), d);
    EXPECT_EQ(values(r.outputs[i]), want);
  }
}

//===----------------------------------------------------------------------===//
// cim.loop
//===----------------------------------------------------------------------===//

TEST(ControlFlow, LoopSumLikeOnnxTestLoop11) {
  // trip_count 5, cond true, y = [-2]: y += x[i] for x = 1..5.
  RunResult r = runArtifact(makeLoopSum(), {makeI64({}, {5}),
                                            makeBool({}, {true}),
                                            makeTensor({1}, {-2})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{13}));
  EXPECT_EQ(r.outputs[1].dims(), (Dims{5, 1}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{-1, 1, 4, 8, 13}));

  expectNodeTest(makeLoopSum(), "test_loop11", 3, 2);
}

TEST(ControlFlow, LoopTripCountAndInitialCondition) {
  auto run = [](int64_t trip, bool cond) {
    return runArtifact(makeLoopSum(), {makeI64({}, {trip}),
                                       makeBool({}, {cond}),
                                       makeTensor({1}, {0.5f})});
  };
  RunResult r = run(2, true);
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{3.5f}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{1.5f, 3.5f}));
  // Zero iterations (trip count 0, or cond false): the carried value is the
  // initial one; the scan output is [0, 1] (declared [?, 1], ? -> 0).
  for (auto [trip, cond] : {std::pair{int64_t(0), true}, {5, false}}) {
    r = run(trip, cond);
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{0.5f}));
    EXPECT_EQ(r.outputs[1].dims(), (Dims{0, 1}));
  }
  // From i = 5 on, the body's slice of x = [1..5] is empty, which does not
  // match its declared [1]: the error names the loop, the iteration and the
  // instruction inside the region.
  r = run(6, true);
  ASSERT_FALSE(r.status.isOk());
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_EQ(r.status.message(),
            "<memory>: program.instructions[0] (cim.loop from 'cim.loop_18'): "
            "iteration 5: program.instructions[0].regions[0].instructions[4] "
            "(cim.slice from 'cim.slice_15'): result value 15 has dim 0 is 0 "
            "but the declared type [1] needs 1");
}

TEST(ControlFlow, LoopCountsHoldOneElement) {
  // max_trip_count and cond may be declared [?] (e.g. [1] from a Shape);
  // they must hold exactly one element.
  ArtifactBuilder b;
  uint32_t trip = b.input("trip", {-1}, artifact::I64);
  uint32_t v = b.input("v", {});
  b.beginRegion();
  b.regionArg({}, artifact::I64);
  uint32_t c = b.regionArg({}, artifact::I1);
  uint32_t vi = b.regionArg({});
  uint32_t vo = b.op("tosa.add", {vi, vi}, {});
  artifact::Region body = b.endRegion({c, vo});
  b.output(b.opN("cim.loop", {trip, kAbsent, v}, {{{}}}, {},
                 {std::move(body)})[0],
           "v");
  RunResult r =
      runArtifact(b.artifact(), {makeI64({1}, {3}), makeTensor({}, {1})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{8}));
  r = runArtifact(b.artifact(), {makeI64({2}, {3, 4}), makeTensor({}, {1})});
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("max_trip_count has shape [2], needs "
                                    "exactly one element"),
            std::string::npos)
      << r.status.message();
}

/// A while loop: acc (I64) += i while the body's condition i < 2 holds, and
/// scan i as F32. `trip` and `cond` may be kAbsent.
artifact::Artifact makeWhile(bool withTrip, bool withCond,
                             bool growingScan = false) {
  ArtifactBuilder b;
  uint32_t trip = withTrip ? b.input("trip", {}, artifact::I64) : kAbsent;
  uint32_t cond = withCond ? b.input("cond", {}, artifact::I1) : kAbsent;
  uint32_t acc = b.input("acc", {}, artifact::I64);
  uint32_t two = b.constantI64({}, {2});
  uint32_t one = b.constantI64({}, {1});
  b.beginRegion();
  uint32_t i = b.regionArg({}, artifact::I64);
  b.regionArg({}, artifact::I1);
  uint32_t accIn = b.regionArg({}, artifact::I64);
  uint32_t more = b.op("tosa.greater", {two, i}, {}, {}, artifact::I1);
  uint32_t accOut = b.op("tosa.add", {accIn, i}, {}, {}, artifact::I64);
  uint32_t scan;
  if (growingScan) {
    // [i + 1] ones: the shape changes per iteration.
    uint32_t n = b.op("tosa.add", {i, one}, {}, {}, artifact::I64);
    uint32_t shape = b.op("tosa.reshape", {n}, {1},
                          {attrInts("new_shape", {1})}, artifact::I64);
    scan = b.op("cim.constant_of_shape", {shape}, {-1},
                {attrF("value", 1.0)});
  } else {
    scan = b.op("cim.cast", {i}, {});
  }
  artifact::Region body = b.endRegion({more, accOut, scan});
  auto outs = b.opN("cim.loop", {trip, cond, acc},
                    {{{}, artifact::I64}, {growingScan ? Dims{-1, -1} : Dims{-1}}},
                    {}, {std::move(body)});
  b.output(outs[0], "acc");
  b.output(outs[1], "scan");
  return b.artifact();
}

TEST(ControlFlow, WhileLoopStopsOnBodyCondition) {
  // Only cond, only trip count (the body's cond_out still stops it), both
  // absent: three iterations i = 0, 1, 2 (cond_out of i = 2 is false).
  struct Case {
    bool trip, cond;
    std::vector<rt::Tensor> in;
    int64_t acc;
    std::vector<float> scan;
  };
  std::vector<Case> cases = {
      {false, true, {makeBool({}, {true}), makeI64({}, {10})}, 13, {0, 1, 2}},
      {true, false, {makeI64({}, {100}), makeI64({}, {0})}, 3, {0, 1, 2}},
      {true, false, {makeI64({}, {2}), makeI64({}, {0})}, 1, {0, 1}},
      {false, false, {makeI64({}, {1})}, 4, {0, 1, 2}},
  };
  for (const Case &c : cases) {
    RunResult r = runArtifact(makeWhile(c.trip, c.cond), c.in);
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    EXPECT_EQ(i64s(r.outputs[0]), (std::vector<int64_t>{c.acc}));
    EXPECT_EQ(values(r.outputs[1]), c.scan);
  }
}

/// cim.loop(trip, cond, v) whose body hands its condition and v back
/// unchanged; `trip` and `cond` are scalar inputs of the given types, or
/// absent.
artifact::Artifact makeIdleLoop(std::optional<artifact::DataType> trip,
                                std::optional<artifact::DataType> cond) {
  ArtifactBuilder b;
  uint32_t t = trip ? b.input("trip", {}, *trip) : kAbsent;
  uint32_t c0 = cond ? b.input("cond", {}, *cond) : kAbsent;
  uint32_t v = b.input("v", {});
  b.beginRegion();
  b.regionArg({}, artifact::I64);
  uint32_t c = b.regionArg({}, artifact::I1);
  uint32_t vi = b.regionArg({});
  artifact::Region body = b.endRegion({c, vi});
  b.output(b.opN("cim.loop", {t, c0, v}, {{{}}}, {}, {std::move(body)})[0],
           "v");
  return b.artifact();
}

TEST(ControlFlow, LoopWhoseConditionNeverTurnsFalseStopsAtTheLimit) {
  // No trip count and a body that hands its condition back unchanged: the
  // loop would never end. It stops with a named error after 2^24
  // iterations (a few seconds).
  RunResult r = runArtifact(makeIdleLoop(std::nullopt, artifact::I1),
                            {makeBool({}, {true}), makeTensor({}, {1})});
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find(
                "the loop's condition is still true after 16777216 "
                "iterations, the runtime's limit"),
            std::string::npos)
      << r.status.message();
}

TEST(ControlFlow, ScanValuesMustKeepTheirShape) {
  RunResult r = runArtifact(makeWhile(false, false, /*growingScan=*/true),
                            {makeI64({}, {0})});
  ASSERT_FALSE(r.status.isOk());
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("(cim.loop from 'cim.loop_"),
            std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("iteration 1: scan output 0 has shape [2] "
                                    "but earlier iterations gave [1]"),
            std::string::npos)
      << r.status.message();
}

TEST(ControlFlow, CarriedValueMayChangeShape) {
  // x starts as [0] elements and grows by one each of 3 iterations.
  ArtifactBuilder b;
  uint32_t trip = b.input("trip", {}, artifact::I64);
  uint32_t x = b.input("x", {-1});
  uint32_t seven = b.constant({1}, {7});
  b.beginRegion();
  b.regionArg({}, artifact::I64);
  uint32_t c = b.regionArg({}, artifact::I1);
  uint32_t xin = b.regionArg({-1});
  uint32_t xout = b.op("tosa.concat", {xin, seven}, {-1}, {attrI("axis", 0)});
  artifact::Region body = b.endRegion({c, xout});
  auto outs = b.opN("cim.loop", {trip, kAbsent, x}, {{{-1}}}, {},
                    {std::move(body)});
  b.output(outs[0], "x");
  RunResult r =
      runArtifact(b.artifact(), {makeI64({}, {3}), makeTensor({0}, {})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{7, 7, 7}));
}

TEST(ControlFlow, NestedLoopsReadEnclosingValues) {
  // total = sum over i < 3 of (inner loop counting i times) = 0 + 1 + 2.
  // The inner trip count is the outer region's iteration argument, and an
  // intermediate computed before the outer loop is read only inside it.
  ArtifactBuilder b;
  uint32_t trip = b.input("trip", {}, artifact::I64);
  uint32_t zero = b.input("zero", {}, artifact::I64);
  uint32_t one = b.op("tosa.add", {zero, b.constantI64({}, {1})}, {}, {},
                      artifact::I64); // lives only for the regions' sake
  b.beginRegion();
  uint32_t i = b.regionArg({}, artifact::I64);
  uint32_t c = b.regionArg({}, artifact::I1);
  uint32_t total = b.regionArg({}, artifact::I64);
  b.beginRegion();
  b.regionArg({}, artifact::I64);
  uint32_t ic = b.regionArg({}, artifact::I1);
  uint32_t count = b.regionArg({}, artifact::I64);
  uint32_t next = b.op("tosa.add", {count, one}, {}, {}, artifact::I64);
  artifact::Region inner = b.endRegion({ic, next});
  uint32_t counted = b.opN("cim.loop", {i, kAbsent, zero},
                           {{{}, artifact::I64}}, {}, {std::move(inner)})[0];
  uint32_t sum = b.op("tosa.add", {total, counted}, {}, {}, artifact::I64);
  artifact::Region outer = b.endRegion({c, sum});
  auto outs = b.opN("cim.loop", {trip, kAbsent, zero}, {{{}, artifact::I64}},
                    {}, {std::move(outer)});
  b.output(outs[0], "total");
  RunResult r = runArtifact(b.artifact(), {makeI64({}, {3}), makeI64({}, {0})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(i64s(r.outputs[0]), (std::vector<int64_t>{3}));
  r = runArtifact(b.artifact(), {makeI64({}, {5}), makeI64({}, {0})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(i64s(r.outputs[0]), (std::vector<int64_t>{10}));
}

//===----------------------------------------------------------------------===//
// cim.scan
//===----------------------------------------------------------------------===//

TEST(ControlFlow, ScanSumLikeOnnxTestScan9Sum) {
  RunResult r = runArtifact(makeScanSum(),
                            {makeTensor({2}, {0, 0}),
                             makeTensor({3, 2}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{9, 12}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{1, 2, 4, 6, 9, 12}));

  expectNodeTest(makeScanSum(), "test_scan9_sum", 2, 2);
}

/// A running-sum scan over the columns of x [2, ?] (axis 1), reversed on
/// input and output, stacking along output axis `outAxis`.
artifact::Artifact makeColumnScan(int64_t inDir, int64_t outAxis,
                                  int64_t outDir) {
  ArtifactBuilder b;
  uint32_t s0 = b.input("s", {2});
  uint32_t x = b.input("x", {2, -1});
  b.beginRegion();
  uint32_t s = b.regionArg({2});
  uint32_t col = b.regionArg({2});
  uint32_t sum = b.op("tosa.add", {s, col}, {2});
  artifact::Region body = b.endRegion({sum, sum});
  auto outs = b.opN("cim.scan", {s0, x}, {{{2}}, {{-1, -1}}},
                    {attrI("num_scan_inputs", 1),
                     attrInts("scan_input_axes", {1}),
                     attrInts("scan_input_directions", {inDir}),
                     attrInts("scan_output_axes", {outAxis}),
                     attrInts("scan_output_directions", {outDir})},
                    {std::move(body)});
  b.output(outs[0], "s");
  b.output(outs[1], "all");
  return b.artifact();
}

TEST(ControlFlow, ScanDirectionsAndAxes) {
  rt::Tensor s0 = makeTensor({2}, {0, 0});
  rt::Tensor x = makeTensor({2, 3}, {1, 2, 3, 4, 5, 6});
  // Reverse input: columns 2, 1, 0 -> sums [3,6], [5,11], [6,15].
  RunResult r = runArtifact(makeColumnScan(1, 1, 1), {s0, x});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{6, 15}));
  // Stacked on axis 1 in reverse iteration order.
  EXPECT_EQ(r.outputs[1].dims(), (Dims{2, 3}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{6, 5, 3, 15, 11, 6}));
  // Forward output on axis 0.
  r = runArtifact(makeColumnScan(1, 0, 0), {s0, x});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[1].dims(), (Dims{3, 2}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{3, 6, 5, 11, 6, 15}));
  // Forward input: columns 0, 1, 2.
  r = runArtifact(makeColumnScan(0, 1, 0), {s0, x});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{1, 3, 6, 4, 9, 15}));
  // Zero-length scan: the state is unchanged, the stacked output is empty
  // along the scan axis ([2, 0]: the declared [?, ?] with ? -> 0, axis 1
  // being the scan axis).
  r = runArtifact(makeColumnScan(0, 1, 0),
                  {makeTensor({2}, {1, 2}), makeTensor({2, 0}, {})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(r.outputs[1].dims(), (Dims{0, 0}));
}

TEST(ControlFlow, ScanInputsMustHaveOneLength) {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {-1});
  uint32_t y = b.input("y", {-1});
  b.beginRegion();
  uint32_t a = b.regionArg({});
  uint32_t c = b.regionArg({});
  uint32_t sum = b.op("tosa.add", {a, c}, {});
  artifact::Region body = b.endRegion({sum});
  auto outs = b.opN("cim.scan", {x, y}, {{{-1}}},
                    {attrI("num_scan_inputs", 2)}, {std::move(body)});
  b.output(outs[0], "z");
  RunResult r = runArtifact(b.artifact(), {makeTensor({2}, {1, 2}),
                                           makeTensor({2}, {10, 20})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{11, 22}));
  r = runArtifact(b.artifact(),
                  {makeTensor({2}, {1, 2}), makeTensor({3}, {1, 2, 3})});
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("scan input 1 of shape [3] has 3 entries "
                                    "along axis 0 but the earlier scan inputs "
                                    "have 2"),
            std::string::npos)
      << r.status.message();
}

//===----------------------------------------------------------------------===//
// cim.if
//===----------------------------------------------------------------------===//

/// cim.if(c): then yields x + x ([2]), else yields concat(x, x) ([4]);
/// the output is declared [?].
artifact::Artifact makeIf() {
  ArtifactBuilder b;
  uint32_t c = b.input("c", {1}, artifact::I1);
  uint32_t x = b.input("x", {2});
  b.beginRegion();
  uint32_t twice = b.op("tosa.add", {x, x}, {2});
  artifact::Region thenRegion = b.endRegion({twice});
  b.beginRegion();
  uint32_t both = b.op("tosa.concat", {x, x}, {4}, {attrI("axis", 0)});
  artifact::Region elseRegion = b.endRegion({both});
  b.output(b.opN("cim.if", {c}, {{{-1}}}, {},
                 {std::move(thenRegion), std::move(elseRegion)})[0],
           "y");
  return b.artifact();
}

TEST(ControlFlow, IfRunsTheRegionItsConditionPicks) {
  RunResult r = runArtifact(makeIf(), {makeBool({1}, {true}),
                                       makeTensor({2}, {1, -2})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{2}));
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{2, -4}));
  r = runArtifact(makeIf(), {makeBool({1}, {false}),
                             makeTensor({2}, {1, -2})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{4}));
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{1, -2, 1, -2}));
}

TEST(ControlFlow, IfRegionsMatchItsOutputs) {
  artifact::Artifact a = makeIf();
  a.mutable_program()->mutable_instructions(0)->mutable_regions()->RemoveLast();
  expectDataLoss(a, "program.instructions[0].regions: cim.if has 2 regions, "
                    "got 1");
  a = makeIf();
  a.mutable_program()->mutable_instructions(0)->mutable_regions(1)->add_results(
      a.program().inputs(1));
  expectDataLoss(a, "program.instructions[0].regions[1].results: cim.if with "
                    "1 outputs needs as many results, got 2");
  // The else region yields the bool condition for a float output.
  a = makeIf();
  a.mutable_program()->mutable_instructions(0)->mutable_regions(1)->set_results(
      0, a.program().inputs(0));
  expectDataLoss(a, "program.instructions[0].regions[1].results[0]: value " +
                        std::to_string(a.program().inputs(0)) +
                        " is BOOL but cim.if needs F32 (the type of outputs[0])");
}

//===----------------------------------------------------------------------===//
// Validation of regions
//===----------------------------------------------------------------------===//

TEST(ControlFlow, RegionScoping) {
  // A value defined in the region is not visible after the loop.
  artifact::Artifact a = makeLoopSum();
  const artifact::Region &body = a.program().instructions(0).regions(0);
  uint32_t inner = body.instructions(1).outputs(0);
  a.mutable_program()->set_outputs(0, inner);
  expectDataLoss(a, "program.outputs[0]: value " + std::to_string(inner) +
                         " is defined inside program.instructions[0]."
                         "regions[0] and not visible here");
  // The region cannot read the loop's own outputs.
  a = makeLoopSum();
  uint32_t loopOut = a.program().instructions(0).outputs(0);
  a.mutable_program()
      ->mutable_instructions(0)
      ->mutable_regions(0)
      ->mutable_instructions(1)
      ->set_inputs(0, loopOut);
  expectDataLoss(a, "program.instructions[0].regions[0].instructions[1]."
                     "inputs[0]: value " +
                         std::to_string(loopOut) +
                         " is used before it is defined");
  // Region arguments are definitions like any other.
  a = makeLoopSum();
  uint32_t x = a.program().inputs(0);
  a.mutable_program()->mutable_instructions(0)->mutable_regions(0)->set_arguments(
      0, x);
  expectDataLoss(a, "program.instructions[0].regions[0].arguments[0]: value " +
                         std::to_string(x) +
                         " is already defined by program.inputs[0]");
  // Errors inside regions carry the full path.
  a = makeLoopSum();
  a.mutable_program()
      ->mutable_instructions(0)
      ->mutable_regions(0)
      ->mutable_instructions(2)
      ->set_kernel("foo");
  rt::Status s = loadStatus(a);
  EXPECT_EQ(s.code(), Code::Unimplemented);
  EXPECT_NE(s.message().find("program.instructions[0].regions[0]."
                             "instructions[2].kernel: unknown kernel 'foo'"),
            std::string::npos)
      << s.message();
  // A result that is not defined.
  a = makeLoopSum();
  a.mutable_program()->mutable_instructions(0)->mutable_regions(0)->set_results(
      1, 999);
  expectDataLoss(a, "program.instructions[0].regions[0].results[1]: value "
                     "999 is not declared");
}

TEST(ControlFlow, RegionSignatures) {
  artifact::Artifact a = makeLoopSum();
  a.mutable_program()->mutable_instructions(0)->clear_regions();
  expectDataLoss(a, "program.instructions[0].regions: cim.loop has 1 region, "
                     "got 0");
  {
    // One carried value but no argument for it.
    ArtifactBuilder b;
    uint32_t v = b.input("v", {});
    b.beginRegion();
    b.regionArg({}, artifact::I64);
    uint32_t c = b.regionArg({}, artifact::I1);
    artifact::Region body = b.endRegion({c, v});
    b.output(b.opN("cim.loop", {kAbsent, kAbsent, v}, {{{}}}, {},
                   {std::move(body)})[0],
             "v");
    expectDataLoss(b.artifact(),
                    "program.instructions[0].regions[0].arguments: cim.loop "
                    "with 1 carried values needs 3 arguments (iteration, "
                    "cond, carried...), got 2");
  }
  a = makeLoopSum();
  a.mutable_program()
      ->mutable_instructions(0)
      ->mutable_regions(0)
      ->mutable_results()
      ->RemoveLast();
  expectDataLoss(a, "regions[0].results: cim.loop with 1 carried values and "
                     "1 scan outputs needs 3 results");
  // cond_out must be BOOL: make it the F32 y_out.
  a = makeLoopSum();
  auto *results =
      a.mutable_program()->mutable_instructions(0)->mutable_regions(0);
  results->set_results(0, results->results(1));
  expectDataLoss(a, "regions[0].results[0]: value " +
                         std::to_string(results->results(1)) +
                         " is F32 but cim.loop needs BOOL (the condition)");
  // max_trip_count must be I64.
  expectDataLoss(makeIdleLoop(artifact::F32, std::nullopt),
                 "program.instructions[0].inputs[0]: value 1 is F32 but "
                 "cim.loop needs I64 here");
  // A carried value may not be absent.
  a = makeLoopSum();
  a.mutable_program()->mutable_instructions(0)->set_inputs(2, 0xFFFFFFFF);
  expectDataLoss(a, "inputs[2]: input 2 of cim.loop is required but absent");
  // Scan: the scan axis removes one dim from the argument.
  a = makeScanSum();
  auto *scanArgs = a.mutable_program()->mutable_instructions(0);
  (*scanArgs->mutable_attrs())["num_scan_inputs"].set_i(3);
  expectDataLoss(a, "attrs.num_scan_inputs: 3 is out of range for 2 inputs");
  a = makeScanSum();
  (*a.mutable_program()->mutable_instructions(0)->mutable_attrs())
      ["scan_input_axes"]
          .mutable_ints()
          ->add_values(0);
  expectDataLoss(a, "attrs.scan_input_axes: has 2 entries, needs 1");
  a = makeScanSum();
  (*a.mutable_program()->mutable_instructions(0)->mutable_attrs())
      ["scan_output_directions"]
          .mutable_ints()
          ->set_values(0, 2);
  expectDataLoss(a, "attrs.scan_output_directions[0]: 2 is not 0 (forward) "
                     "or 1 (reverse)");
  {
    ArtifactBuilder b;
    uint32_t s0 = b.input("s", {2});
    uint32_t x = b.input("x", {3, 2});
    b.beginRegion();
    uint32_t s = b.regionArg({2});
    b.regionArg({3, 2}); // should be [2]
    artifact::Region body = b.endRegion({s});
    b.output(b.opN("cim.scan", {s0, x}, {{{2}}},
                   {attrI("num_scan_inputs", 1)}, {std::move(body)})[0],
             "s");
    expectDataLoss(b.artifact(), "regions[0].arguments[1]: value 4 has rank 2 "
                                  "but cim.scan needs rank 1 (a slice of "
                                  "inputs[1])");
  }
}

} // namespace
