//===- RnnKernelTest.cpp - cim.rnn, cim.gru, cim.lstm -----------*- C++ -*-===//
//
// The recurrent kernels against ONNX's own reference data (the RNN, GRU and
// LSTM node tests of libonnx-testdata, each wired as one instruction with
// the attributes of its model.onnx, see onnxRecurrentCases()), plus
// hand-computed single-unit cases for what those tests do not cover:
// bidirectional runs with per-entry sequence lengths, every activation
// function with alpha/beta, clip, GRU linear_before_reset, LSTM
// input_forget, layout 1 against layout 0, and the load-time errors.
//
//===----------------------------------------------------------------------===//

#include "tooling/TensorIO.h"
#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

const char *kNodeData = "/usr/share/libonnx-testdata/data/node";

/// Reads input_N.pb / output_N.pb of one ONNX test data set, in N order.
std::vector<rt::HostTensor> readSet(const std::string &dir,
                                    const std::string &prefix) {
  std::vector<rt::HostTensor> out;
  for (int n = 0;; ++n) {
    std::string path = dir + "/" + prefix + std::to_string(n) + ".pb";
    if (!std::filesystem::exists(path))
      break;
    auto t = rt::readTensorFile(path);
    EXPECT_TRUE(t.isOk()) << t.status().message();
    if (t.isOk())
      out.push_back(std::move(*t));
  }
  return out;
}

/// |a - e| <= atol + rtol |e| for every element (numpy.allclose).
void expectClose(const rt::Tensor &actual, const rt::HostTensor &expected,
                 const std::string &what, double rtol = 1e-5,
                 double atol = 1e-6) {
  ASSERT_EQ(actual.dims(), expected.dims) << what;
  auto a = values(actual);
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::fabs(double(a[i]) - expected.data[i]),
              atol + rtol * std::fabs(expected.data[i]))
        << what << " element " << i << ": got " << a[i] << ", expected "
        << expected.data[i];
}

TEST(RnnKernels, OnnxNodeTests) {
  if (!std::filesystem::exists(kNodeData))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  for (const OnnxRecurrentCase &c : onnxRecurrentCases()) {
    SCOPED_TRACE(c.test);
    std::string dir = std::string(kNodeData) + "/" + c.test +
                      "/test_data_set_0";
    std::vector<rt::HostTensor> in = readSet(dir, "input_");
    std::vector<rt::HostTensor> want = readSet(dir, "output_");
    ASSERT_GE(in.size(), 3u);
    ASSERT_FALSE(want.empty());
    std::vector<std::pair<std::string, Dims>> shapes;
    std::vector<rt::Tensor> tensors;
    for (size_t i = 0; i < in.size(); ++i) {
      shapes.emplace_back(in[i].name, in[i].dims);
      // sequence_lens is INT32 in the file, I64 in the artifact.
      tensors.push_back(rt::toTensor(in[i]).convertedTo(
          i == 4 ? rt::DType::I64 : rt::DType::F32));
    }
    RunResult r = runArtifact(makeRecurrent(c, shapes), tensors);
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    std::map<std::string, size_t> byName = {{"Y", 0}, {"Y_h", 1}, {"Y_c", 2}};
    for (const rt::HostTensor &w : want) {
      ASSERT_TRUE(byName.count(w.name)) << w.name;
      expectClose(r.outputs[byName[w.name]], w, w.name);
    }
  }
}

//===----------------------------------------------------------------------===//
// Hand-computed single-unit cases (hidden 1, input 1)
//===----------------------------------------------------------------------===//

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

rt::Tensor scalar3(float v) { return makeTensor({1, 1, 1}, {v}); }

TEST(RnnKernels, BidirectionalRnnWithSequenceLengths) {
  // batch 2, seq 3; forward: Affine(0.5, 1); reverse: LeakyRelu(0.1).
  // X[t][b]: b0 = 1, 2, 3; b1 = -1, 4, (9 beyond its length 2).
  rt::Tensor X = makeTensor({3, 2, 1}, {1, -1, 2, 4, 3, 9});
  rt::Tensor W = makeTensor({2, 1, 1}, {1, 2});
  rt::Tensor R = makeTensor({2, 1, 1}, {0.5f, -1});
  rt::Tensor B = makeTensor({2, 2}, {0, 0, 0.5f, -0.25f});
  rt::Tensor lens = makeI64({2}, {3, 2});
  rt::Tensor h0 = makeTensor({2, 2, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  RunResult r = runOpN(
      "cim.rnn", {X, W, R, B, lens, h0},
      {{{3, 2, 2, 1}}, {{2, 2, 1}}},
      {attrS("direction", "bidirectional"), attrI("hidden_size", 1),
       attrStrings("activations", {"Affine", "LeakyRelu"}),
       attrFloats("activation_alpha", {0.5, 0.1}),
       attrFloats("activation_beta", {1.0, 0.0})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();

  auto fwd = [](float x, float h) { return 0.5f * (x + 0.5f * h) + 1.0f; };
  auto rev = [](float x, float h) {
    float v = 2 * x - h + 0.25f;
    return v >= 0 ? v : 0.1f * v;
  };
  float xs[2][3] = {{1, 2, 3}, {-1, 4, 9}};
  int len[2] = {3, 2};
  float init[2][2] = {{0.1f, 0.2f}, {0.3f, 0.4f}}; // [dir][batch]
  float y[3][2][2] = {};                           // [t][dir][batch]
  float yh[2][2] = {};
  for (int b = 0; b < 2; ++b) {
    float h = init[0][b];
    for (int t = 0; t < len[b]; ++t)
      y[t][0][b] = h = fwd(xs[b][t], h);
    yh[0][b] = h;
    h = init[1][b];
    for (int t = len[b] - 1; t >= 0; --t)
      y[t][1][b] = h = rev(xs[b][t], h);
    yh[1][b] = h;
  }
  std::vector<float> wantY(&y[0][0][0], &y[0][0][0] + 12);
  std::vector<float> wantYh(&yh[0][0], &yh[0][0] + 4);
  EXPECT_EQ(values(r.outputs[0]), wantY);
  EXPECT_EQ(values(r.outputs[1]), wantYh);
  // Beyond batch 1's length, Y is zero in both directions.
  EXPECT_EQ(values(r.outputs[0])[2 * 4 + 0 * 2 + 1], 0.0f);
  EXPECT_EQ(values(r.outputs[0])[2 * 4 + 1 * 2 + 1], 0.0f);
}

TEST(RnnKernels, EveryActivation) {
  // One step from h0 = 0 with W = 1: Y = f(x). ScaledTanh and HardSigmoid
  // use both alpha and beta.
  struct Case {
    const char *name;
    double alpha, beta;
    std::function<float(float)> f;
  };
  std::vector<Case> cases = {
      {"Relu", 0, 0, [](float x) { return std::max(x, 0.0f); }},
      {"Tanh", 0, 0, [](float x) { return std::tanh(x); }},
      {"Sigmoid", 0, 0, sigmoid},
      {"Affine", 2, 0.5, [](float x) { return 2 * x + 0.5f; }},
      {"LeakyRelu", 0.2, 0, [](float x) { return x >= 0 ? x : 0.2f * x; }},
      {"ThresholdedRelu", 0.5, 0, [](float x) { return x > 0.5f ? x : 0; }},
      {"ScaledTanh", 1.5, 0.5,
       [](float x) { return 1.5f * std::tanh(0.5f * x); }},
      {"HardSigmoid", 0.2, 0.5,
       [](float x) { return std::max(0.0f, std::min(1.0f, 0.2f * x + 0.5f)); }},
      {"Elu", 0.7, 0,
       [](float x) { return x >= 0 ? x : 0.7f * (std::exp(x) - 1); }},
      {"Softsign", 0, 0, [](float x) { return x / (1 + std::fabs(x)); }},
      {"Softplus", 0, 0, [](float x) { return std::log1p(std::exp(x)); }},
      {"tanh", 0, 0, [](float x) { return std::tanh(x); }}, // any case
  };
  for (const Case &c : cases)
    for (float x : {-3.0f, -0.25f, 0.75f, 4.0f}) {
      RunResult r = runOpN("cim.rnn",
                           {scalar3(x), scalar3(1), scalar3(0.3f)},
                           {{{1, 1, 1, 1}}, {{1, 1, 1}}},
                           {attrI("hidden_size", 1),
                            attrStrings("activations", {c.name}),
                            attrFloats("activation_alpha", {c.alpha}),
                            attrFloats("activation_beta", {c.beta})});
      ASSERT_TRUE(r.status.isOk()) << r.status.message();
      EXPECT_FLOAT_EQ(values(r.outputs[1])[0], c.f(x)) << c.name << "(" << x
                                                       << ")";
    }
}

TEST(RnnKernels, GruLinearBeforeResetAndClip) {
  // W rows z, r, h = 0.5, -1, 2; R rows = 0.25, 0.5, -1.5; Wb = 0.1, 0.2,
  // 0.3; Rb = -0.1, 0.4, 0.6; x = 0.8, h0 = 0.5.
  rt::Tensor X = makeTensor({1, 1, 1}, {0.8f});
  rt::Tensor W = makeTensor({1, 3, 1}, {0.5f, -1, 2});
  rt::Tensor R = makeTensor({1, 3, 1}, {0.25f, 0.5f, -1.5f});
  rt::Tensor B = makeTensor({1, 6}, {0.1f, 0.2f, 0.3f, -0.1f, 0.4f, 0.6f});
  rt::Tensor h0 = makeTensor({1, 1, 1}, {0.5f});
  float x = 0.8f, h = 0.5f;
  for (int lbr = 0; lbr < 2; ++lbr)
    for (double clip : {0.0, 0.4}) {
      auto cl = [&](float v) {
        return clip > 0 ? std::max(-0.4f, std::min(0.4f, v)) : v;
      };
      float z = sigmoid(cl(0.5f * x + 0.25f * h + 0.1f - 0.1f));
      float r = sigmoid(cl(-1 * x + 0.5f * h + 0.2f + 0.4f));
      float hh = lbr ? std::tanh(cl(2 * x + r * (-1.5f * h + 0.6f) + 0.3f))
                     : std::tanh(cl(2 * x + (r * h) * -1.5f + 0.6f + 0.3f));
      float want = (1 - z) * hh + z * h;
      std::vector<Attr> attrs = {attrI("hidden_size", 1),
                                 attrStrings("activations", {"Sigmoid", "Tanh"}),
                                 attrI("linear_before_reset", lbr)};
      if (clip > 0)
        attrs.push_back(attrF("clip", clip));
      RunResult res = runOpN("cim.gru", {X, W, R, B, rt::Tensor(), h0},
                             {{{1, 1, 1, 1}}, {{1, 1, 1}}}, attrs);
      ASSERT_TRUE(res.status.isOk()) << res.status.message();
      EXPECT_NEAR(values(res.outputs[1])[0], want, 1e-6)
          << "linear_before_reset " << lbr << " clip " << clip;
    }
}

TEST(RnnKernels, LstmPeepholesInputForgetAndClip) {
  // Gate rows i, o, f, c: W = 1, -0.5, 0.25, 2; R = 0.5, 1, -1, 0.75;
  // no bias; P (i, o, f) = 0.1, 0.2, 0.3; x = 0.6, h0 = -0.2, c0 = 0.9.
  rt::Tensor X = makeTensor({1, 1, 1}, {0.6f});
  rt::Tensor W = makeTensor({1, 4, 1}, {1, -0.5f, 0.25f, 2});
  rt::Tensor R = makeTensor({1, 4, 1}, {0.5f, 1, -1, 0.75f});
  rt::Tensor h0 = makeTensor({1, 1, 1}, {-0.2f});
  rt::Tensor c0 = makeTensor({1, 1, 1}, {0.9f});
  rt::Tensor P = makeTensor({1, 3}, {0.1f, 0.2f, 0.3f});
  float x = 0.6f, h = -0.2f, c = 0.9f;
  for (int inputForget = 0; inputForget < 2; ++inputForget)
    for (double clip : {0.0, 0.5}) {
      auto cl = [&](float v) {
        return clip > 0 ? std::max(-0.5f, std::min(0.5f, v)) : v;
      };
      float i = sigmoid(cl(x * 1 + h * 0.5f + 0.1f * c));
      float f = inputForget ? 1 - i : sigmoid(cl(x * 0.25f + h * -1 + 0.3f * c));
      float g = std::tanh(cl(x * 2 + h * 0.75f));
      float cNew = f * c + i * g;
      float o = sigmoid(cl(x * -0.5f + h * 1 + 0.2f * cNew));
      float hNew = o * std::tanh(cNew);
      std::vector<Attr> attrs = {
          attrI("hidden_size", 1),
          attrStrings("activations", {"Sigmoid", "Tanh", "Tanh"}),
          attrI("input_forget", inputForget)};
      if (clip > 0)
        attrs.push_back(attrF("clip", clip));
      RunResult r = runOpN(
          "cim.lstm",
          {X, W, R, rt::Tensor(), rt::Tensor(), h0, c0, P},
          {{{1, 1, 1, 1}}, {{1, 1, 1}}, {{1, 1, 1}}}, attrs);
      ASSERT_TRUE(r.status.isOk()) << r.status.message();
      EXPECT_NEAR(values(r.outputs[0])[0], hNew, 1e-6);
      EXPECT_NEAR(values(r.outputs[1])[0], hNew, 1e-6);
      EXPECT_NEAR(values(r.outputs[2])[0], cNew, 1e-6)
          << "input_forget " << inputForget << " clip " << clip;
    }
}

/// out[b][t][...] = in[t][b][...] for a [A, B, rest] tensor.
rt::Tensor swap01(const rt::Tensor &t) {
  Dims d = t.dims();
  int64_t rest = t.numElements() / (d[0] * d[1]);
  Dims od = d;
  std::swap(od[0], od[1]);
  rt::Tensor out = rt::Tensor::zeros(t.dtype(), od);
  const float *src = t.data<float>();
  float *dst = out.mutableData<float>();
  for (int64_t a = 0; a < d[0]; ++a)
    for (int64_t b = 0; b < d[1]; ++b)
      std::copy_n(src + (a * d[1] + b) * rest, rest,
                  dst + (b * d[0] + a) * rest);
  return out;
}

TEST(RnnKernels, LayoutOneMatchesLayoutZero) {
  // Bidirectional LSTM, batch 3, seq 4, input 2, hidden 3, lengths 4, 1, 0.
  int64_t S = 4, Bt = 3, I = 2, H = 3;
  rt::Tensor X = makeTensor({S, Bt, I}, ramp(size_t(S * Bt * I), 1));
  rt::Tensor W = makeTensor({2, 4 * H, I}, ramp(size_t(2 * 4 * H * I), 2));
  rt::Tensor R = makeTensor({2, 4 * H, H}, ramp(size_t(2 * 4 * H * H), 3));
  rt::Tensor B = makeTensor({2, 8 * H}, ramp(size_t(2 * 8 * H), 4));
  rt::Tensor lens = makeI64({Bt}, {4, 1, 0});
  rt::Tensor h0 = makeTensor({2, Bt, H}, ramp(size_t(2 * Bt * H), 5));
  rt::Tensor c0 = makeTensor({2, Bt, H}, ramp(size_t(2 * Bt * H), 6));
  rt::Tensor P = makeTensor({2, 3 * H}, ramp(size_t(2 * 3 * H), 7));
  std::vector<std::string> acts = {"Sigmoid", "Tanh", "Tanh",
                                   "HardSigmoid", "Softsign", "Relu"};
  auto run = [&](int64_t layout, const std::vector<rt::Tensor> &in) {
    return runOpN("cim.lstm", in,
                  {{{-1, -1, -1, -1}}, {{-1, -1, -1}}, {{-1, -1, -1}}},
                  {attrS("direction", "bidirectional"), attrI("hidden_size", H),
                   attrStrings("activations", acts),
                   attrFloats("activation_alpha", {0, 0, 0, 0.3, 0, 0}),
                   attrFloats("activation_beta", {0, 0, 0, 0.4, 0, 0}),
                   attrI("layout", layout)});
  };
  RunResult r0 = run(0, {X, W, R, B, lens, h0, c0, P});
  ASSERT_TRUE(r0.status.isOk()) << r0.status.message();
  RunResult r1 =
      run(1, {swap01(X), W, R, B, lens, swap01(h0), swap01(c0), P});
  ASSERT_TRUE(r1.status.isOk()) << r1.status.message();
  // Y: [seq, dir, batch, H] vs [batch, seq, dir, H].
  auto y0 = values(r0.outputs[0]), y1 = values(r1.outputs[0]);
  ASSERT_EQ(r1.outputs[0].dims(), (Dims{Bt, S, 2, H}));
  for (int64_t t = 0; t < S; ++t)
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t b = 0; b < Bt; ++b)
        for (int64_t j = 0; j < H; ++j)
          EXPECT_EQ(y0[((t * 2 + d) * Bt + b) * H + j],
                    y1[((b * S + t) * 2 + d) * H + j]);
  EXPECT_EQ(values(swap01(r0.outputs[1])), values(r1.outputs[1]));
  EXPECT_EQ(values(swap01(r0.outputs[2])), values(r1.outputs[2]));
  // Batch 2 has length 0: its Y_h and Y_c are zero (as in onnxruntime), and
  // batch 1 only ran step 0 in both directions.
  auto yh = values(r0.outputs[1]);
  for (int64_t d = 0; d < 2; ++d)
    for (int64_t j = 0; j < H; ++j) {
      EXPECT_EQ(yh[(d * Bt + 2) * H + j], 0.0f);
      EXPECT_EQ(yh[(d * Bt + 1) * H + j], y0[((0 * 2 + d) * Bt + 1) * H + j]);
    }
}

TEST(RnnKernels, RunTimeShapeChecks) {
  rt::Tensor X = makeTensor({2, 1, 1}, {1, 2});
  rt::Tensor W = makeTensor({1, 1, 1}, {1});
  rt::Tensor R = makeTensor({1, 1, 1}, {1});
  auto run = [&](const std::vector<rt::Tensor> &in) {
    return runOpN("cim.rnn", in, {{{-1, -1, -1, -1}}, {{-1, -1, -1}}},
                  {attrI("hidden_size", 1),
                   attrStrings("activations", {"Tanh"})});
  };
  RunResult r = run({X, W, R, rt::Tensor(), makeI64({1}, {3})});
  EXPECT_EQ(r.status.code(), Code::InvalidArgument);
  EXPECT_NE(r.status.message().find("sequence_lens[0] = 3 is outside [0, 2]"),
            std::string::npos)
      << r.status.message();
  r = run({X, makeTensor({1, 1, 2}, {1, 1}), R});
  EXPECT_NE(r.status.message().find("W has shape [1,1,2], expected [1,1,1]"),
            std::string::npos)
      << r.status.message();
  // An empty batch and an empty sequence run and give empty / zero outputs.
  r = run({makeTensor({2, 0, 1}, {}), W, R});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{2, 1, 0, 1}));
  r = run({makeTensor({0, 1, 1}, {}), W, R, rt::Tensor(), rt::Tensor(),
           makeTensor({1, 1, 1}, {0.5f})});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{0, 1, 1, 1}));
  EXPECT_EQ(values(r.outputs[1]), (std::vector<float>{0}));
}

/// An LSTM over X [2,1,3] with hidden 2 and `attrs` replacing defaults.
artifact::Artifact lstm(std::vector<Attr> attrs,
                        artifact::DataType seqType = artifact::I64) {
  ArtifactBuilder b;
  uint32_t x = b.input("X", {2, 1, 3});
  uint32_t w = b.input("W", {1, 8, 3});
  uint32_t r = b.input("R", {1, 8, 2});
  uint32_t s = b.input("seq", {1}, seqType);
  std::vector<uint32_t> ids = {x, w, r, kAbsent, s};
  std::vector<Attr> all = {attrI("hidden_size", 2),
                           attrStrings("activations", {"Sigmoid", "Tanh",
                                                       "Tanh"})};
  for (Attr &a : attrs) {
    bool replaced = false;
    for (Attr &e : all)
      if (e.name == a.name)
        e = a, replaced = true;
    if (!replaced)
      all.push_back(a);
  }
  auto o = b.opN("cim.lstm", ids,
                 {{{2, 1, 1, 2}}, {{1, 1, 2}}, {{1, 1, 2}}}, all);
  b.output(o[0], "Y");
  b.output(o[1], "Y_h");
  b.output(o[2], "Y_c");
  return b.artifact();
}

TEST(RnnKernels, LoadTimeErrors) {
  EXPECT_TRUE(loadStatus(lstm({})).isOk()) << loadStatus(lstm({})).message();
  expectDataLoss(lstm({attrStrings("activations", {"Sigmoid", "Foo", "Tanh"})}),
                  "program.instructions[0].attrs.activations[1]: unknown "
                  "activation 'Foo' (known: Relu, Tanh, Sigmoid, Affine, "
                  "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, "
                  "Softsign, Softplus)");
  expectDataLoss(lstm({attrStrings("activations", {"Sigmoid", "Tanh"})}),
                  "attrs.activations: has 2 entries, cim.lstm forward needs 3");
  expectDataLoss(lstm({attrS("direction", "bidirectional")}),
                  "attrs.activations: has 3 entries, cim.lstm bidirectional "
                  "needs 6");
  expectDataLoss(lstm({attrS("direction", "sideways")}),
                  "attrs.direction: 'sideways' is not forward, reverse or "
                  "bidirectional");
  expectDataLoss(lstm({attrFloats("activation_alpha", {1.0})}),
                  "attrs.activation_alpha: has 1 entries, needs one per "
                  "activation (3)");
  expectDataLoss(lstm({attrI("hidden_size", 3)}),
                  "inputs[1]: value 2 has shape [1,8,3], dim 1 must be 12");
  expectDataLoss(lstm({attrI("layout", 2)}), "attrs.layout: 2 is not 0 or 1");
  expectDataLoss(lstm({attrF("clip", -1.0)}), "attrs.clip: -1 is not >= 0");
  expectDataLoss(lstm({attrStrings("activations", {})}),
                  "attrs.activations: has 0 entries");
  expectDataLoss(lstm({}, artifact::F32),
                  "inputs[4]: value 4 is F32 but cim.lstm needs I64 here");
  artifact::Artifact a = lstm({});
  a.mutable_program()->mutable_instructions(0)->set_inputs(0, kAbsent);
  expectDataLoss(a, "program.instructions[0].inputs[0]: input 0 of cim.lstm "
                     "is required but absent");
  a = lstm({});
  a.mutable_program()->mutable_instructions(0)->mutable_outputs()->RemoveLast();
  expectDataLoss(a, "outputs: cim.lstm produces 3 outputs, got 2");
}

} // namespace
