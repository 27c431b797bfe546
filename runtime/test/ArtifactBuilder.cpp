//===- ArtifactBuilder.cpp - Build .cimx artifacts in tests -----*- C++ -*-===//
//
// Implementation of the test artifact builder and the sample models.
//
//===----------------------------------------------------------------------===//

#include "ArtifactBuilder.h"
#include "cim/Macro/Artifact.h"
#include "cim/Macro/Slicing.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace cim::test {

Attr attrI(const std::string &name, int64_t v) {
  Attr a{name, {}};
  a.value.set_i(v);
  return a;
}

Attr attrF(const std::string &name, double v) {
  Attr a{name, {}};
  a.value.set_f(v);
  return a;
}

Attr attrS(const std::string &name, const std::string &v) {
  Attr a{name, {}};
  a.value.set_s(v);
  return a;
}

Attr attrInts(const std::string &name, const std::vector<int64_t> &v) {
  Attr a{name, {}};
  a.value.mutable_ints(); // an empty list is still an ints attribute
  for (int64_t x : v)
    a.value.mutable_ints()->add_values(x);
  return a;
}

Attr attrFloats(const std::string &name, const std::vector<double> &v) {
  Attr a{name, {}};
  a.value.mutable_floats(); // an empty list is still a floats attribute
  for (double x : v)
    a.value.mutable_floats()->add_values(x);
  return a;
}

Attr attrStrings(const std::string &name, const std::vector<std::string> &v) {
  Attr a{name, {}};
  a.value.mutable_strings(); // an empty list is still a strings attribute
  for (const std::string &x : v)
    a.value.mutable_strings()->add_values(x);
  return a;
}

ArtifactBuilder::ArtifactBuilder(uint32_t arrayRows, uint32_t arrayCols,
                                 uint32_t bitsPerCell, uint32_t dacBits,
                                 uint32_t adcBits) {
  a_.set_magic(0x584D4943);
  a_.set_version(macro::kArtifactVersion);
  a_.set_producer("cim-test ArtifactBuilder");
  artifact::Target *t = a_.mutable_target();
  t->set_name("test-target");
  artifact::ArrayKind *kind = t->add_arrays();
  kind->set_name("rram");
  kind->set_cell_tech(artifact::RRAM);
  kind->set_rows(arrayRows);
  kind->set_cols(arrayCols);
  kind->set_bits_per_cell(bitsPerCell);
  kind->set_count(1024);
  kind->set_encoding(artifact::DIFFERENTIAL);
  t->set_dac_bits(dacBits);
  t->set_adc_bits(adcBits);
}

uint32_t ArtifactBuilder::value(const Dims &dims, artifact::DataType dtype,
                                const std::string &name) {
  artifact::Value *v = a_.mutable_program()->add_values();
  v->set_id(nextValue_++);
  v->set_name(name);
  v->mutable_type()->set_dtype(dtype);
  for (int64_t d : dims)
    v->mutable_type()->add_dims(d);
  return v->id();
}

uint32_t ArtifactBuilder::input(const std::string &name, const Dims &dims,
                                artifact::DataType dtype) {
  uint32_t id = value(dims, dtype, name);
  a_.mutable_program()->add_inputs(id);
  return id;
}

uint32_t ArtifactBuilder::constant(const Dims &dims,
                                   const std::vector<float> &data) {
  uint32_t id = value(dims);
  artifact::Constant *c = a_.mutable_program()->add_constants();
  c->set_value(id);
  for (int64_t d : dims)
    c->add_dims(d);
  for (float f : data)
    c->add_f32_data(f);
  return id;
}

uint32_t ArtifactBuilder::constantI64(const Dims &dims,
                                      const std::vector<int64_t> &data) {
  uint32_t id = value(dims, artifact::I64);
  artifact::Constant *c = a_.mutable_program()->add_constants();
  c->set_value(id);
  for (int64_t d : dims)
    c->add_dims(d);
  for (int64_t v : data)
    c->add_i64_data(v);
  return id;
}

uint32_t ArtifactBuilder::constantBool(const Dims &dims,
                                       const std::vector<bool> &data) {
  uint32_t id = value(dims, artifact::I1);
  artifact::Constant *c = a_.mutable_program()->add_constants();
  c->set_value(id);
  for (int64_t d : dims)
    c->add_dims(d);
  for (bool v : data)
    c->add_i64_data(v ? 1 : 0);
  return id;
}

uint32_t ArtifactBuilder::op(const std::string &kernel,
                             const std::vector<uint32_t> &inputs,
                             const Dims &outDims,
                             const std::vector<Attr> &attrs,
                             artifact::DataType outType) {
  return opN(kernel, inputs, {{outDims, outType}}, attrs)[0];
}

std::vector<uint32_t> ArtifactBuilder::opN(
    const std::string &kernel, const std::vector<uint32_t> &inputs,
    const std::vector<VType> &outputs, const std::vector<Attr> &attrs,
    std::vector<artifact::Region> regions) {
  std::vector<uint32_t> outs;
  for (const VType &t : outputs)
    outs.push_back(value(t.dims, t.dtype));
  artifact::Instruction *inst =
      open_.empty() ? a_.mutable_program()->add_instructions()
                    : open_.back().add_instructions();
  inst->set_kernel(kernel);
  for (uint32_t in : inputs)
    inst->add_inputs(in);
  for (uint32_t out : outs)
    inst->add_outputs(out);
  for (const Attr &a : attrs)
    (*inst->mutable_attrs())[a.name] = a.value;
  for (artifact::Region &r : regions)
    *inst->add_regions() = std::move(r);
  inst->set_location(kernel + "_" + std::to_string(outs.empty() ? 0 : outs[0]));
  return outs;
}

void ArtifactBuilder::beginRegion() { open_.emplace_back(); }

uint32_t ArtifactBuilder::regionArg(const Dims &dims,
                                    artifact::DataType dtype) {
  uint32_t id = value(dims, dtype);
  open_.back().add_arguments(id);
  return id;
}

artifact::Region
ArtifactBuilder::endRegion(const std::vector<uint32_t> &results) {
  artifact::Region r = std::move(open_.back());
  open_.pop_back();
  for (uint32_t id : results)
    r.add_results(id);
  return r;
}

void ArtifactBuilder::output(uint32_t id, const std::string &name) {
  for (auto &v : *a_.mutable_program()->mutable_values())
    if (v.id() == id)
      v.set_name(name);
  a_.mutable_program()->add_outputs(id);
}

uint32_t ArtifactBuilder::tile(uint32_t rows, uint32_t cols,
                               const std::vector<float> &w,
                               float adcFullScale) {
  artifact::Tile *t = a_.add_tiles();
  t->set_id(nextTile_++);
  t->set_rows(rows);
  t->set_cols(cols);
  t->set_array_kind(0);
  float scale = 0;
  for (float v : w)
    scale = std::max(scale, std::fabs(v));
  if (scale == 0)
    scale = 1;
  for (uint32_t c = 0; c < cols; ++c)
    t->add_scales(scale);
  for (float v : w) {
    t->add_g_pos(v > 0 ? v / scale : 0.0f);
    t->add_g_neg(v < 0 ? -v / scale : 0.0f);
  }
  // The kind's weight bits, and one window per column of each slice.
  unsigned slices = 1;
  if (a_.target().arrays_size() > 0) {
    const artifact::ArrayKind &kind = a_.target().arrays(0);
    t->set_weight_bits(kind.weight_bits());
    slices = macro::weightSlices(kind.weight_bits(), kind.bits_per_cell());
  }
  float fullScale = adcFullScale > 0 ? adcFullScale : float(rows);
  for (uint32_t i = 0; i < slices * cols; ++i) {
    t->add_adc_lo(-fullScale);
    t->add_adc_hi(fullScale);
  }
  t->set_source("test weight");
  return t->id();
}

uint32_t ArtifactBuilder::mvm(uint32_t x, uint32_t tileId, int64_t rowOffset,
                              const Dims &outDims) {
  return op("cim.mvm", {x}, outDims,
            {attrI("tile", tileId), attrI("row_offset", rowOffset)});
}

//===----------------------------------------------------------------------===//
// Sample models
//===----------------------------------------------------------------------===//

std::vector<float> denseReluWeights() {
  return {0.5f, -0.25f, 0.125f, -0.75f, 0.3f,  0.6f,  0.2f, -0.4f,
          0.9f, 0.05f,  -0.6f,  0.35f,  -0.1f, 0.45f, -0.2f};
}

std::vector<float> denseReluBias() { return {0.1f, -0.2f, 0.05f}; }

artifact::Artifact makeDenseRelu() {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {-1, 5});
  uint32_t t = b.tile(5, 3, denseReluWeights());
  uint32_t xw = b.mvm(x, t, 0, {-1, 3});
  uint32_t bias = b.constant({3}, denseReluBias());
  uint32_t sum = b.op("tosa.add", {xw, bias}, {-1, 3});
  uint32_t y = b.op("tosa.clamp", {sum}, {-1, 3},
                    {attrF("min_fp", 0.0), attrF("max_fp", FLT_MAX),
                     attrI("min_int", 0), attrI("max_int", INT64_MAX)});
  b.output(y, "y");
  return b.artifact();
}

std::vector<float> splitKWeights() {
  std::vector<float> w(8 * 3);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.1f * float(int(i % 7) - 3) + 0.01f * float(i);
  return w;
}

artifact::Artifact makeSplitK() {
  ArtifactBuilder b(/*arrayRows=*/4, /*arrayCols=*/8);
  std::vector<float> w = splitKWeights();
  std::vector<float> top(w.begin(), w.begin() + 12);
  std::vector<float> bottom(w.begin() + 12, w.end());
  uint32_t x = b.input("x", {-1, 8});
  uint32_t t0 = b.tile(4, 3, top);
  uint32_t t1 = b.tile(4, 3, bottom);
  uint32_t p0 = b.mvm(x, t0, 0, {-1, 3});
  uint32_t p1 = b.mvm(x, t1, 4, {-1, 3});
  uint32_t y = b.op("tosa.add", {p0, p1}, {-1, 3});
  b.output(y, "y");
  return b.artifact();
}

artifact::Artifact makeRelu3d() {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {3, 4, 5});
  uint32_t y = b.op("tosa.clamp", {x}, {3, 4, 5},
                    {attrF("min_fp", 0.0), attrF("max_fp", FLT_MAX)});
  b.output(y, "y");
  return b.artifact();
}

artifact::Artifact makeMatmul2d() {
  ArtifactBuilder b;
  uint32_t a = b.input("a", {3, 4});
  uint32_t bb = b.input("b", {4, 3});
  uint32_t c = b.op("cim.matmul", {a, bb}, {3, 3});
  b.output(c, "c");
  return b.artifact();
}

artifact::Artifact makeLoopSum() {
  ArtifactBuilder b;
  uint32_t trip = b.input("trip_count", {}, artifact::I64);
  uint32_t cond = b.input("cond", {}, artifact::I1);
  uint32_t y = b.input("y", {1});
  // The body's constants, read from inside the region.
  uint32_t x = b.constant({5}, {1, 2, 3, 4, 5});
  uint32_t one = b.constantI64({}, {1});
  uint32_t axes = b.constantI64({1}, {0});
  uint32_t steps = b.constantI64({1}, {1});

  b.beginRegion();
  uint32_t iter = b.regionArg({}, artifact::I64);
  uint32_t condIn = b.regionArg({}, artifact::I1);
  uint32_t yIn = b.regionArg({1});
  uint32_t condOut = b.op("tosa.identity", {condIn}, {}, {}, artifact::I1);
  uint32_t end = b.op("tosa.add", {iter, one}, {}, {}, artifact::I64);
  uint32_t start1 = b.op("tosa.reshape", {iter}, {1},
                         {attrInts("new_shape", {1})}, artifact::I64);
  uint32_t end1 = b.op("tosa.reshape", {end}, {1},
                       {attrInts("new_shape", {1})}, artifact::I64);
  uint32_t slice = b.op("cim.slice", {x, start1, end1, axes, steps}, {1});
  uint32_t yOut = b.op("tosa.add", {yIn, slice}, {1});
  uint32_t scanOut = b.op("tosa.identity", {yOut}, {1});
  artifact::Region body = b.endRegion({condOut, yOut, scanOut});

  auto outs = b.opN("cim.loop", {trip, cond, y}, {{{1}}, {{-1, 1}}}, {},
                    {std::move(body)});
  b.output(outs[0], "res_y");
  b.output(outs[1], "res_scan");
  return b.artifact();
}

artifact::Artifact makeScanSum() {
  ArtifactBuilder b;
  uint32_t initial = b.input("initial", {2});
  uint32_t x = b.input("x", {3, 2});
  b.beginRegion();
  uint32_t sumIn = b.regionArg({2});
  uint32_t next = b.regionArg({2});
  uint32_t sumOut = b.op("tosa.add", {sumIn, next}, {2});
  uint32_t scanOut = b.op("tosa.identity", {sumOut}, {2});
  artifact::Region body = b.endRegion({sumOut, scanOut});
  auto outs = b.opN("cim.scan", {initial, x}, {{{2}}, {{3, 2}}},
                    {attrI("num_scan_inputs", 1),
                     attrInts("scan_input_axes", {0}),
                     attrInts("scan_input_directions", {0}),
                     attrInts("scan_output_axes", {0}),
                     attrInts("scan_output_directions", {0})},
                    {std::move(body)});
  b.output(outs[0], "y");
  b.output(outs[1], "z");
  return b.artifact();
}

const std::vector<OnnxRecurrentCase> &onnxRecurrentCases() {
  // hidden_size and layout as in each test's model.onnx (no other
  // attributes are set there: direction forward, default activations).
  static const std::vector<OnnxRecurrentCase> cases = {
      {"test_lstm_defaults", "cim.lstm", 3, 0},
      {"test_lstm_with_initial_bias", "cim.lstm", 4, 0},
      {"test_lstm_with_peepholes", "cim.lstm", 3, 0},
      {"test_lstm_batchwise", "cim.lstm", 7, 1},
      {"test_gru_defaults", "cim.gru", 5, 0},
      {"test_gru_seq_length", "cim.gru", 5, 0},
      {"test_gru_with_initial_bias", "cim.gru", 3, 0},
      {"test_gru_batchwise", "cim.gru", 6, 1},
      {"test_rnn_seq_length", "cim.rnn", 5, 0},
      {"test_simple_rnn_defaults", "cim.rnn", 4, 0},
      {"test_simple_rnn_with_initial_bias", "cim.rnn", 5, 0},
      {"test_simple_rnn_batchwise", "cim.rnn", 4, 1},
  };
  return cases;
}

std::vector<std::string> defaultActivations(const std::string &kernel) {
  if (kernel == "cim.lstm")
    return {"Sigmoid", "Tanh", "Tanh"};
  if (kernel == "cim.gru")
    return {"Sigmoid", "Tanh"};
  return {"Tanh"};
}

artifact::Artifact
makeRecurrent(const OnnxRecurrentCase &c,
              const std::vector<std::pair<std::string, Dims>> &inputs) {
  static const char *kOnnxNames[] = {"X",         "W",         "R",
                                     "B",         "sequence_lens",
                                     "initial_h", "initial_c", "P"};
  bool lstm = std::string(c.kernel) == "cim.lstm";
  size_t maxInputs = lstm ? 8 : 6;
  ArtifactBuilder b;
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < maxInputs; ++i) {
    if (i >= inputs.size()) {
      ids.push_back(kAbsent);
      continue;
    }
    std::string name = inputs[i].first.empty() ? kOnnxNames[i] : inputs[i].first;
    ids.push_back(b.input(name, inputs[i].second,
                          i == 4 ? artifact::I64 : artifact::F32));
  }
  std::vector<VType> outs = {{{-1, -1, -1, -1}}, {{-1, -1, -1}}};
  if (lstm)
    outs.push_back({{-1, -1, -1}});
  auto o = b.opN(c.kernel, ids, outs,
                 {attrS("direction", "forward"),
                  attrI("hidden_size", c.hiddenSize),
                  attrStrings("activations", defaultActivations(c.kernel)),
                  attrI("layout", c.layout)});
  b.output(o[0], "Y");
  b.output(o[1], "Y_h");
  if (lstm)
    b.output(o[2], "Y_c");
  return b.artifact();
}

artifact::Artifact makeTyped() {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {-1});
  uint32_t ids = b.input("ids", {-1}, artifact::I64);
  uint32_t flag = b.input("flag", {}, artifact::I1);
  uint32_t zero = b.constant({}, {0.0f});
  uint32_t twice = b.op("tosa.add", {ids, ids}, {-1}, {}, artifact::I64);
  uint32_t gt = b.op("tosa.greater", {x, zero}, {-1}, {}, artifact::I1);
  uint32_t pos =
      b.op("tosa.logical_and", {gt, flag}, {-1}, {}, artifact::I1);
  uint32_t am = b.op("tosa.argmax", {x}, {}, {attrI("axis", 0)}, artifact::I64);
  b.output(twice, "twice");
  b.output(pos, "positive");
  b.output(am, "argmax");
  return b.artifact();
}

std::vector<float> referenceDense(const std::vector<float> &x, int64_t batch,
                                  int64_t k, int64_t n,
                                  const std::vector<float> &w,
                                  const std::vector<float> *bias, bool relu) {
  std::vector<float> y(size_t(batch * n));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < n; ++c) {
      double acc = 0;
      for (int64_t r = 0; r < k; ++r)
        acc += double(x[b * k + r]) * double(w[r * n + c]);
      float v = float(acc);
      if (bias)
        v += (*bias)[c];
      if (relu)
        v = std::max(v, 0.0f);
      y[b * n + c] = v;
    }
  }
  return y;
}

} // namespace cim::test
