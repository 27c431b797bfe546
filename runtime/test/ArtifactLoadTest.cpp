//===- ArtifactLoadTest.cpp - Loading and validation ------------*- C++ -*-===//
//
// Loading from memory and files, and every class of validation error: each
// must come back with the right code and a message that names the file and
// the offending field. Also checks that no truncation or byte corruption of
// a valid artifact can crash the loader or the interpreter.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include "cimrt/cimrt.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cstdio>
#include <fstream>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

/// Expects loading `a` to fail with `code` and a message containing `text`.
void expectLoadError(const artifact::Artifact &a, Code code,
                     const std::string &text) {
  rt::Status s = loadStatus(a);
  ASSERT_FALSE(s.isOk()) << "expected an error containing: " << text;
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(s.message().find(text), std::string::npos)
      << "message: " << s.message() << "\nexpected to contain: " << text;
  EXPECT_EQ(s.message().rfind("<memory>: ", 0), 0u) << s.message();
}

artifact::Instruction *inst(artifact::Artifact &a, int i) {
  return a.mutable_program()->mutable_instructions(i);
}

TEST(ArtifactLoad, FromMemory) {
  std::string bytes = makeDenseRelu().SerializeAsString();
  cimrt_model_t *model = nullptr;
  ASSERT_EQ(cimrt_model_load_memory(bytes.data(), bytes.size(), &model),
            nullptr);
  EXPECT_EQ(cimrt_model_input_count(model), 1u);
  EXPECT_EQ(cimrt_model_output_count(model), 1u);
  const char *name;
  ASSERT_EQ(cimrt_model_input_name(model, 0, &name), nullptr);
  EXPECT_STREQ(name, "x");
  ASSERT_EQ(cimrt_model_output_name(model, 0, &name), nullptr);
  EXPECT_STREQ(name, "y");
  size_t rank;
  const int64_t *dims;
  ASSERT_EQ(cimrt_model_input_dims(model, 0, &rank, &dims), nullptr);
  ASSERT_EQ(rank, 2u);
  EXPECT_EQ(dims[0], -1);
  EXPECT_EQ(dims[1], 5);
  ASSERT_EQ(cimrt_model_output_dims(model, 0, &rank, &dims), nullptr);
  ASSERT_EQ(rank, 2u);
  EXPECT_EQ(dims[1], 3);
  EXPECT_STREQ(cimrt_model_target_name(model), "test-target");
  EXPECT_EQ(cimrt_model_tile_count(model), 1u);

  cimrt_status_t s = cimrt_model_input_name(model, 1, &name);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_EQ(name, nullptr);
  EXPECT_NE(std::string(cimrt_status_message(s)).find("input index 1"),
            std::string::npos);
  cimrt_status_free(s);
  cimrt_model_release(model);
}

TEST(ArtifactLoad, FromFile) {
  std::string path = ::testing::TempDir() + "cimrt_fromfile.cimx";
  {
    std::ofstream out(path, std::ios::binary);
    out << makeDenseRelu().SerializeAsString();
  }
  cimrt_model_t *model = nullptr;
  ASSERT_EQ(cimrt_model_load_file(path.c_str(), &model), nullptr);
  EXPECT_EQ(cimrt_model_tile_count(model), 1u);
  cimrt_model_release(model);

  // Errors from files carry the path.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "garbage that is no protobuf \xff\xff";
  }
  cimrt_status_t s = cimrt_model_load_file(path.c_str(), &model);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_DATA_LOSS);
  EXPECT_EQ(std::string(cimrt_status_message(s)),
            path + ": not a cim artifact (protobuf parse failed)");
  EXPECT_EQ(model, nullptr);
  cimrt_status_free(s);
  std::remove(path.c_str());
}

TEST(ArtifactLoad, MissingFile) {
  cimrt_model_t *model = nullptr;
  cimrt_status_t s = cimrt_model_load_file("/no/such/model.cimx", &model);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_NOT_FOUND);
  EXPECT_EQ(std::string(cimrt_status_message(s))
                .rfind("/no/such/model.cimx: cannot open", 0),
            0u)
      << cimrt_status_message(s);
  cimrt_status_free(s);
}

TEST(ArtifactLoad, BadMagic) {
  artifact::Artifact a = makeDenseRelu();
  a.set_magic(0x12345678);
  rt::Status s = loadStatus(a);
  EXPECT_EQ(s.code(), Code::DataLoss);
  EXPECT_EQ(s.message(), "<memory>: not a cim artifact (bad magic 0x12345678)");
}

TEST(ArtifactLoad, NotProtobuf) {
  std::string junk = "\xff\xff\xff\xff not a protobuf";
  auto m = rt::Model::loadMemory(junk.data(), junk.size());
  ASSERT_FALSE(m.isOk());
  EXPECT_EQ(m.status().code(), Code::DataLoss);
  EXPECT_EQ(m.status().message(),
            "<memory>: not a cim artifact (protobuf parse failed)");
  auto empty = rt::Model::loadMemory("", 0);
  EXPECT_EQ(empty.status().code(), Code::DataLoss);
}

TEST(ArtifactLoad, FutureVersion) {
  artifact::Artifact a = makeDenseRelu();
  a.set_version(8);
  rt::Status s = loadStatus(a);
  EXPECT_EQ(s.code(), Code::Unimplemented);
  EXPECT_EQ(s.message(), "<memory>: artifact version 8 is newer than this "
                         "runtime supports (6)");
  a.set_version(0);
  EXPECT_EQ(loadStatus(a).code(), Code::DataLoss);
  a.set_version(1);
  expectLoadError(a, Code::Unimplemented,
                  "artifact version 1 is older than this runtime reads (3); "
                  "compile the model again");
  a.set_version(2);
  expectLoadError(a, Code::Unimplemented,
                  "artifact version 2 is older than this runtime reads (3); "
                  "compile the model again");
}

TEST(ArtifactLoad, EveryTruncationFails) {
  std::string bytes = makeSplitK().SerializeAsString();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = rt::Model::loadMemory(bytes.data(), n);
    ASSERT_FALSE(m.isOk()) << "prefix of " << n << " bytes loaded";
    EXPECT_EQ(m.status().code(), Code::DataLoss) << m.status().message();
  }
}

TEST(ArtifactLoad, CorruptBytesNeverCrash) {
  // Flip every byte in turn; whatever still loads must also run (or fail
  // cleanly) on an input of the declared shape. Covers regions, typed
  // values, absent inputs and multi-output instructions too.
  int loaded = 0;
  OnnxRecurrentCase lstmCase{"lstm", "cim.lstm", 2, 0};
  artifact::Artifact lstm = makeRecurrent(
      lstmCase, {{"X", {2, 1, 3}}, {"W", {1, 8, 3}}, {"R", {1, 8, 2}}});
  for (const artifact::Artifact &a : {makeDenseRelu(), makeSplitK(),
                                      makeLoopSum(), makeScanSum(), lstm,
                                      makeTyped()}) {
    std::string bytes = a.SerializeAsString();
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t mask : {0xFF, 0x01, 0x80}) {
        std::string b = bytes;
        b[i] = char(uint8_t(b[i]) ^ mask);
        auto m = rt::Model::loadMemory(b.data(), b.size());
        if (!m.isOk())
          continue;
        ++loaded;
        auto dev = rt::DriverRegistry::global().open("sim://quantized");
        auto session = rt::Session::create(*m, *dev);
        if (!session.isOk())
          continue;
        std::vector<rt::Tensor> in, out;
        for (int slot : (*m)->inputs()) {
          Dims d = (*m)->values()[slot].dims;
          for (auto &x : d)
            x = x < 0 ? 2 : std::min<int64_t>(x, 64);
          in.push_back(makeTensor(d, ramp(size_t(rt::elementCount(d)))));
        }
        (void)(*session)->run(in, out);
      }
    }
  }
  EXPECT_GT(loaded, 0); // some flips (e.g. in weights) keep it valid
}

TEST(ArtifactLoad, UnknownKernel) {
  artifact::Artifact a = makeDenseRelu();
  inst(a, 2)->set_kernel("foo");
  rt::Status s = loadStatus(a);
  EXPECT_EQ(s.code(), Code::Unimplemented);
  EXPECT_EQ(s.message(),
            "<memory>: program.instructions[2].kernel: unknown kernel 'foo'");
}

TEST(ArtifactLoad, DanglingValueId) {
  artifact::Artifact a = makeDenseRelu();
  inst(a, 1)->set_inputs(1, 99);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[1].inputs[1]: value 99 is not "
                  "declared in program.values");
  a = makeDenseRelu();
  a.mutable_program()->set_outputs(0, 1234);
  expectLoadError(a, Code::DataLoss, "program.outputs[0]: value 1234");
}

TEST(ArtifactLoad, UseBeforeDefinition) {
  artifact::Artifact a = makeDenseRelu();
  // The clamp reads the add's result; make the add read the clamp's.
  uint32_t clampOut = inst(a, 2)->outputs(0);
  inst(a, 1)->set_inputs(0, clampOut);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[1].inputs[0]: value " +
                      std::to_string(clampOut) +
                      " is used before it is defined");
}

TEST(ArtifactLoad, DefinedTwice) {
  artifact::Artifact a = makeDenseRelu();
  uint32_t x = a.program().inputs(0);
  inst(a, 1)->set_outputs(0, x);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[1].outputs[0]: value " +
                      std::to_string(x) +
                      " is already defined by program.inputs[0]");
  a = makeDenseRelu();
  a.mutable_program()->add_inputs(a.program().inputs(0));
  expectLoadError(a, Code::DataLoss, "program.inputs[1]: value");
}

TEST(ArtifactLoad, DuplicateValueId) {
  artifact::Artifact a = makeDenseRelu();
  *a.mutable_program()->add_values() = a.program().values(0);
  expectLoadError(a, Code::DataLoss, "program.values[");
}

TEST(ArtifactLoad, BadValueType) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_program()->mutable_values(0)->mutable_type()->set_dims(0, -3);
  expectLoadError(a, Code::DataLoss, "program.values[0].type.dims[0]: -3");
  a = makeDenseRelu();
  a.mutable_program()->mutable_values(0)->mutable_type()->set_dtype(
      artifact::DTYPE_UNSPECIFIED);
  expectLoadError(a, Code::DataLoss, "program.values[0].type.dtype");
}

TEST(ArtifactLoad, TileSizeMismatch) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_tiles(0)->mutable_g_pos()->RemoveLast();
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].g_pos: has 14 values, rows*cols = 5*3 = 15");
  a = makeDenseRelu();
  a.mutable_tiles(0)->add_g_neg(0.0f);
  expectLoadError(a, Code::DataLoss, "tiles[0].g_neg: has 16 values");
}

TEST(ArtifactLoad, TileDoesNotFitTarget) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_target()->mutable_arrays(0)->set_rows(4);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].rows: 5 exceeds target.arrays[0].rows 4");
  a = makeDenseRelu();
  a.mutable_target()->mutable_arrays(0)->set_cols(5);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].cols: DIFFERENTIAL needs 6 array columns for 3 "
                  "weight columns, target.arrays[0].cols is 5");
  // A tile's kind of array, not the first one, is what it must fit.
  a = makeDenseRelu();
  artifact::ArrayKind *small = a.mutable_target()->add_arrays();
  *small = a.target().arrays(0);
  small->set_rows(4);
  a.mutable_tiles(0)->set_array_kind(1);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].rows: 5 exceeds target.arrays[1].rows 4");
  a.mutable_tiles(0)->set_array_kind(2);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].array_kind: 2, but the target has 2 kind(s) of "
                  "array");
  // OFFSET needs one column per weight plus the reference column.
  a = makeDenseRelu();
  a.mutable_target()->mutable_arrays(0)->set_cols(3);
  a.mutable_target()->mutable_arrays(0)->set_encoding(artifact::OFFSET);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].cols: OFFSET needs 4 array columns for 3 weight "
                  "columns, target.arrays[0].cols is 3");
}

TEST(ArtifactLoad, BadTileFields) {
  artifact::Artifact a = makeSplitK();
  a.mutable_tiles(1)->set_id(0);
  expectLoadError(a, Code::DataLoss,
                  "tiles[1].id: duplicate tile id 0 (also tiles[0])");
  a = makeDenseRelu();
  a.mutable_tiles(0)->set_adc_hi(1, a.tiles(0).adc_lo(1));
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].adc_lo[1]/.adc_hi[1]: [-5, -5] is not a finite, "
                  "non-empty window");
  a = makeDenseRelu();
  a.mutable_tiles(0)->mutable_adc_lo()->RemoveLast();
  expectLoadError(a, Code::DataLoss, "tiles[0].adc_lo/.adc_hi: have 2/3");
  a = makeDenseRelu();
  a.mutable_tiles(0)->set_scales(2, -1.0f);
  expectLoadError(a, Code::DataLoss, "tiles[0].scales[2]: -1 must be finite");
  a = makeDenseRelu();
  a.mutable_tiles(0)->mutable_scales()->RemoveLast();
  expectLoadError(a, Code::DataLoss, "tiles[0].scales: has 2 values for 3");
  a = makeDenseRelu();
  a.mutable_tiles(0)->set_g_pos(3, 1.5f);
  expectLoadError(a, Code::DataLoss, "tiles[0].g_pos[3]: conductance 1.5");
  // The compiler's codes: one per weight, on the grid of the cells.
  a = makeDenseRelu();
  {
    artifact::Tile *t = a.mutable_tiles(0);
    const int n = int(t->rows() * t->cols());
    for (int i = 0; i < n; ++i)
      t->add_codes(i % 2 ? 15 : -15);
    expectLoadError(a, Code::DataLoss,
                    "tiles[0].codes: target.arrays[0] has unquantised cells");
    a.mutable_target()->mutable_arrays(0)->set_bits_per_cell(4);
    const int32_t top = 15;
    EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
    t->set_codes(1, top + 1);
    expectLoadError(a, Code::DataLoss,
                    "tiles[0].codes[1]: " + std::to_string(top + 1) +
                        " is not a code of " + std::to_string(top) + " levels");
    t->mutable_codes()->RemoveLast();
    expectLoadError(a, Code::DataLoss, "tiles[0].codes: has " +
                                           std::to_string(n - 1) +
                                           " values for");
  }
  a = makeDenseRelu();
  a.mutable_target()->mutable_arrays(0)->set_encoding(
      artifact::ENCODING_UNSPECIFIED);
  expectLoadError(a, Code::Unimplemented, "target.arrays[0].encoding");
  a = makeDenseRelu();
  a.mutable_target()->clear_arrays();
  expectLoadError(a, Code::DataLoss,
                  "target.arrays: the target has no kind of array");
  a = makeDenseRelu();
  a.mutable_target()->set_dac_bits(25);
  expectLoadError(a, Code::DataLoss, "target.dac_bits: 25 is out of range");
  a = makeDenseRelu();
  a.mutable_target()->set_input_bits(30);
  expectLoadError(a, Code::DataLoss, "target.input_bits: 30 is out of range");
}

TEST(ArtifactLoad, BadRampReadout) {
  artifact::Artifact a = makeDenseRelu();
  artifact::RampReadout *r = a.mutable_tiles(0)->mutable_ramp();
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp.bits: 0 is out of range (1..12)");
  r->set_bits(13);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp.bits: 13 is out of range (1..12)");
  r->set_bits(2);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp.steps: a ramp readout needs its function's "
                  "steps");
  r->add_steps()->set_kind(artifact::RampStepKind(99));
  expectLoadError(a, Code::Unimplemented,
                  "tiles[0].ramp.steps[0]: unknown step kind 99");
  r->mutable_steps(0)->set_kind(artifact::RAMP_TANH);
  r->add_thresholds(0.5);
  r->add_thresholds(0.1);
  r->add_levels(-1);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp: 2 thresholds need 3 levels, got 1");
  r->add_levels(0);
  r->add_levels(1);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp.thresholds[1]: thresholds must ascend");
  r->set_thresholds(1, 0.9);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].ramp.conductances_us: has 0 cells for 2 "
                  "thresholds");
  r->add_conductances_us(0.5);
  r->add_conductances_us(0.4);
  EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
}

TEST(ArtifactLoad, BadTargetUnits) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_target()->set_adc_bits(6);
  a.mutable_target()->set_adc_kind(artifact::ADC_KIND_SIGN);
  expectLoadError(a, Code::DataLoss,
                  "target.adc_kind: a sign comparator has 1 bit, but "
                  "adc_bits is 6");
  a = makeDenseRelu();
  a.mutable_target()->set_adc_kind(artifact::ADCKind(9));
  expectLoadError(a, Code::Unimplemented, "target.adc_kind: unknown ADC kind 9");
  a = makeDenseRelu();
  artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
  kind->set_g_min_us(40);
  kind->set_g_max_us(1);
  expectLoadError(a, Code::DataLoss,
                  "target.arrays[0]: conductance range needs 0 <= g_min_us < "
                  "g_max_us, got [40, 1]");
  a = makeDenseRelu();
  a.mutable_target()->mutable_lif()->set_threshold(0);
  expectLoadError(a, Code::DataLoss, "target.lif: needs threshold > 0");
  a = makeDenseRelu();
  a.mutable_target()->mutable_integrator()->set_gain_max(1);
  expectLoadError(a, Code::DataLoss, "target.integrator: needs gain_max > 0, "
                                     "v_sat > 0");
  // Valid units load.
  a = makeDenseRelu();
  a.mutable_target()->mutable_lif()->set_threshold(1);
  a.mutable_target()->mutable_integrator()->set_gain_max(1);
  a.mutable_target()->mutable_integrator()->set_v_sat(2);
  a.mutable_target()->set_adc_kind(artifact::ADC_KIND_RAMP);
  EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
}

TEST(ArtifactLoad, MissingAttr) {
  artifact::Artifact a = makeDenseRelu();
  inst(a, 0)->mutable_attrs()->erase("tile");
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[0].attrs.tile: missing (cim.mvm "
                  "needs int (i) attribute 'tile')");
}

TEST(ArtifactLoad, WrongAttrKind) {
  artifact::Artifact a = makeDenseRelu();
  (*inst(a, 2)->mutable_attrs())["min_fp"].set_i(0);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[2].attrs.min_fp: expected float (f), "
                  "got int (i)");
}

TEST(ArtifactLoad, UnsetListAttrIsEmpty) {
  // An attribute whose oneof is unset reads as an empty list where a list is
  // expected (reshape to a scalar), and is still an error elsewhere.
  ArtifactBuilder b;
  uint32_t x = b.input("x", {1, 1});
  uint32_t y = b.op("tosa.reshape", {x}, {}, {Attr{"new_shape", {}}});
  b.output(y, "y");
  RunResult r = runArtifact(b.artifact(), {makeTensor({1, 1}, {4})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].rank(), 0u);
  artifact::Artifact a = makeDenseRelu();
  (*inst(a, 0)->mutable_attrs())["tile"].Clear();
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[0].attrs.tile: expected int (i), got "
                  "nothing (no kind set)");
}

TEST(ArtifactLoad, MvmUnknownTile) {
  artifact::Artifact a = makeDenseRelu();
  (*inst(a, 0)->mutable_attrs())["tile"].set_i(42);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[0].attrs.tile: no tile with id 42");
  a = makeDenseRelu();
  (*inst(a, 0)->mutable_attrs())["row_offset"].set_i(1);
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[0].inputs[0]: value 1 has last dim 5 "
                  "< row_offset 1 + tile 0 rows 5");
}

TEST(ArtifactLoad, WrongArity) {
  artifact::Artifact a = makeDenseRelu();
  inst(a, 1)->mutable_inputs()->RemoveLast();
  expectLoadError(a, Code::DataLoss,
                  "program.instructions[1].inputs: tosa.add takes 2 inputs, "
                  "got 1");
  a = makeDenseRelu();
  inst(a, 1)->add_outputs(77);
  expectLoadError(a, Code::DataLoss, "program.instructions[1].outputs");
}

TEST(ArtifactLoad, ConstantMismatch) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_program()->mutable_constants(0)->add_f32_data(1.0f);
  expectLoadError(a, Code::DataLoss,
                  "program.constants[0].f32_data: has 4 values, dims [3] "
                  "need 3");
  a = makeDenseRelu();
  a.mutable_program()->mutable_constants(0)->add_i64_data(1);
  expectLoadError(a, Code::DataLoss, "is F32 but the constant has i64_data");
  a = makeDenseRelu();
  a.mutable_program()->mutable_constants(0)->set_dims(0, 4);
  expectLoadError(a, Code::DataLoss, "program.constants[0].dims: [4]");
}

TEST(ArtifactLoad, LifTilesNeedLifNeurons) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_tiles(0)->set_lif(true);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].lif: the target has no LIF neurons");
  a.mutable_target()->mutable_lif()->set_threshold(1);
  rt::Status ok = loadStatus(a);
  EXPECT_TRUE(ok.isOk()) << ok.message();
  a.mutable_tiles(0)->set_analog(true);
  expectLoadError(a, Code::DataLoss,
                  "tiles[0].lif: LIF columns cannot also be bridges, analog "
                  "or a ramp readout");
  a = makeDenseRelu();
  a.mutable_tiles(0)->set_input_coding(artifact::InputCoding(7));
  expectLoadError(a, Code::DataLoss, "tiles[0].input_coding: unknown value 7");
}

TEST(ArtifactLoad, BadAttrValues) {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {2, 3});
  b.output(b.op("tosa.mul", {x, x}, {2, 3}, {attrI("shift", 1)}), "y");
  expectLoadError(b.artifact(), Code::Unimplemented,
                  "program.instructions[0].attrs.shift: shift 1");

  ArtifactBuilder r;
  x = r.input("x", {2, 3});
  r.output(
      r.op("tosa.reshape", {x}, {-1, -1}, {attrInts("new_shape", {-1, -1})}),
      "y");
  expectLoadError(r.artifact(), Code::DataLoss,
                  "program.instructions[0].attrs.new_shape");

  ArtifactBuilder t;
  x = t.input("x", {2, 3});
  t.output(t.op("tosa.transpose", {x}, {3, 2}, {attrInts("perms", {0, 0})}),
           "y");
  expectLoadError(t.artifact(), Code::DataLoss,
                  "program.instructions[0].attrs.perms");

  ArtifactBuilder s;
  x = s.input("x", {2, 3});
  s.output(s.op("tosa.reduce_sum", {x}, {2, 1}, {attrI("axis", 2)}), "y");
  expectLoadError(s.artifact(), Code::DataLoss,
                  "program.instructions[0].attrs.axis: 2 is out of range");
}

TEST(ArtifactLoad, DtypeRules) {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {2}, artifact::I64);
  b.output(b.op("tosa.exp", {x}, {2}), "y");
  expectLoadError(b.artifact(), Code::DataLoss,
                  "program.instructions[0].inputs[0]: value 1 is I64 but "
                  "tosa.exp needs F32");
}

TEST(ArtifactLoad, NoOutputs) {
  artifact::Artifact a = makeDenseRelu();
  a.mutable_program()->clear_outputs();
  expectLoadError(a, Code::DataLoss,
                  "program.outputs: the program has no "
                  "outputs");
}

} // namespace

TEST(ArtifactLoad, PlacementFitsAndDoesNotOverlap) {
  // Two 4x3 differential blocks (4x6 cells each) on two 4x8 arrays.
  artifact::Artifact a = makeSplitK();
  artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
  kind->set_count(2);
  auto place = [&](int tile, uint32_t array, uint32_t row, uint32_t col) {
    artifact::Tile *t = a.mutable_tiles(tile);
    t->set_placed(true);
    t->set_array(array);
    t->set_array_row(row);
    t->set_array_col(col);
  };
  place(0, 0, 0, 0);
  place(1, 1, 0, 0);
  EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
  place(1, 0, 0, 0);
  expectLoadError(a, Code::DataLoss,
                  "tiles[1]: tile 1 overlaps tile 0 in 'rram' array 0 "
                  "(rows 0-3, columns 0-5)");
  place(1, 1, 0, 4);
  expectLoadError(a, Code::DataLoss,
                  "tiles[1]: a 4x6 block at row 0, column 4 does not fit its "
                  "4x8 array 1");
  place(1, 2, 0, 0);
  expectLoadError(a, Code::DataLoss,
                  "tiles[1].array: 2 is beyond the target's 2 'rram' arrays");
  // Blocks reloaded at every inference take turns on one array.
  place(1, 0, 0, 0);
  a.mutable_tiles(1)->set_reload(true);
  EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
}
