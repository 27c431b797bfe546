//===- LifNeuronTest.cpp - LIF layers and LIF columns -----------*- C++ -*-===//
//
// The runtime's LIF path against its definition: the cim.lif kernel runs
// v <- beta v + (I + bias) in float32, spikes where v > theta (or >=) and
// resets by subtraction or to zero, for every combination, exactly as the
// steps are written out here; a tile of LIF columns reads the product of
// its (sliced) weights with no ADC, and joins a carried charge.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

using namespace cim;
using namespace cim::test;

namespace {

/// The steps of a LIF layer, written out from the definition.
std::vector<std::vector<float>>
referenceLif(const std::vector<std::vector<float>> &currents,
             const std::vector<float> &bias, std::vector<float> v, float beta,
             float theta, bool ge, bool subtract, bool refractory = false) {
  std::vector<std::vector<float>> spikes;
  size_t n = bias.size();
  for (const std::vector<float> &current : currents) {
    std::vector<float> s(current.size());
    for (size_t i = 0; i < current.size(); ++i) {
      float leaked = beta * v[i];
      float in = current[i] + bias[i % n];
      // Refractory: no input in the step after a spike.
      if (refractory && !spikes.empty())
        in = in * (1.0f - spikes.back()[i]);
      v[i] = leaked + in;
      bool fire = ge ? v[i] >= theta : v[i] > theta;
      s[i] = fire ? 1.0f : 0.0f;
      if (fire)
        v[i] = subtract ? v[i] - theta : 0.0f;
    }
    spikes.push_back(s);
  }
  spikes.push_back(v); // the final membrane
  return spikes;
}

TEST(LifKernel, MatchesTheDefinition) {
  const Dims dims = {3, 5};
  const size_t steps = 6, count = 15;
  std::vector<std::vector<float>> currents;
  for (size_t t = 0; t < steps; ++t) {
    std::vector<float> c = ramp(count, uint32_t(t + 1));
    for (float &x : c)
      x *= 0.7f; // about [-0.7, 0.7]: some steps fire, some do not
    currents.push_back(c);
  }
  std::vector<float> bias = {0.25f, -0.1f, 0.0f, 0.4f, 0.05f};
  std::vector<float> init = ramp(count, 99);
  for (bool ge : {false, true})
    for (bool subtract : {false, true})
      for (bool withInit : {false, true})
        for (bool refractory : {false, true}) {
        std::vector<rt::Tensor> in = {makeTensor({1, 5}, bias),
                                      withInit ? makeTensor(dims, init)
                                               : rt::Tensor()};
        for (const auto &c : currents)
          in.push_back(makeTensor(dims, c));
        std::vector<VType> outs(steps + 1, VType{dims});
        RunResult r = runOpN(
            "cim.lif", in, outs,
            {attrF("beta", 0.9f), attrF("theta", 0.5), attrS("compare", ge ? "ge" : "gt"),
             attrS("reset", subtract ? "subtract" : "zero"),
             attrI("refractory", refractory)});
        ASSERT_TRUE(r.status.isOk()) << r.status.message();
        auto want = referenceLif(currents, bias,
                                 withInit ? init : std::vector<float>(count, 0),
                                 0.9f, 0.5f, ge, subtract, refractory);
        ASSERT_EQ(r.outputs.size(), want.size());
        float fired = 0;
        for (size_t t = 0; t < want.size(); ++t) {
          EXPECT_EQ(values(r.outputs[t]), want[t])
              << "step " << t << " ge " << ge << " subtract " << subtract
              << " refractory " << refractory;
          if (t < steps)
            for (float s : want[t])
              fired += s;
        }
        EXPECT_GT(fired, 0.0f);                  // the test sees spikes
        EXPECT_LT(fired, float(steps * count)); // and silences
      }
}

TEST(LifKernel, ThresholdTiesFollowTheComparison) {
  // The membrane reaches theta exactly at the second step (0.5 + 0.5).
  std::vector<rt::Tensor> in = {rt::Tensor(), rt::Tensor(),
                                makeTensor({1}, {0.5f}),
                                makeTensor({1}, {0.5f})};
  for (bool ge : {false, true}) {
    RunResult r = runOpN("cim.lif", in, {{{1}}, {{1}}, {{1}}},
                         {attrF("beta", 1.0), attrF("theta", 1.0),
                          attrS("compare", ge ? "ge" : "gt"),
                          attrS("reset", "subtract")});
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    EXPECT_EQ(values(r.outputs[1]), std::vector<float>{ge ? 1.0f : 0.0f});
    EXPECT_EQ(values(r.outputs[2]), std::vector<float>{ge ? 0.0f : 1.0f});
  }
}

TEST(LifKernel, RefusesBadAttributesAndArity) {
  // A cim.lif of `steps` currents and two outputs, with the attributes
  // given (compare, refractory), must fail to load with `text`.
  auto expectRefused = [](int steps, const std::string &compare,
                          int64_t refractory, const std::string &text) {
    ArtifactBuilder b;
    uint32_t i = b.input("i", {4});
    std::vector<uint32_t> inputs = {kAbsent, kAbsent};
    inputs.insert(inputs.end(), size_t(steps), i);
    auto outs = b.opN("cim.lif", inputs, {{{4}}, {{4}}},
                      {attrF("beta", 1.0), attrF("theta", 1.0),
                       attrS("compare", compare), attrS("reset", "zero"),
                       attrI("refractory", refractory)});
    b.output(outs[0], "s");
    expectDataLoss(b.artifact(), text);
  };
  expectRefused(1, "lt", 0, "attrs.compare: expected gt or ge, got 'lt'");
  expectRefused(2, "gt", 0, "2 time steps need 3 outputs");
  expectRefused(1, "gt", 2, "attrs.refractory: expected 0 or 1, got 2");
}

/// A tile of LIF columns: rows x cols weights in 2-bit cells, 4-bit
/// weights (two slices), 8-bit ADC on the target.
struct LifTile {
  rt::hal::TileImage image;
  rt::hal::MacroConfig target;

  LifTile(uint32_t rows, uint32_t cols, const std::vector<float> &w,
          bool lif) {
    ArtifactBuilder b(rows, 4 * cols, 2, 0, 8);
    b.artifact().mutable_target()->mutable_arrays(0)->set_weight_bits(4);
    b.tile(rows, cols, w);
    artifact::Artifact a = b.artifact();
    image = rt::toTileImage(a.tiles(0), a.target());
    image.lifColumns = lif;
    target = rt::toMacroConfig(a.target());
  }
};

std::vector<float> readTile(rt::Device &dev, const LifTile &tile,
                            const std::vector<float> &x, int64_t batch,
                            const float *carry = nullptr) {
  return programAndRead(dev, tile.image, tile.target, x, batch, carry);
}

TEST(LifColumns, ReadTheChargeWithoutAnAdc) {
  // Weights on the 4-bit grid of each column's scale (max |w| = 1), so the
  // quantised device stores them exactly; inputs without a DAC.
  const uint32_t rows = 32, cols = 3;
  std::vector<float> w(rows * cols);
  for (uint32_t i = 0; i < w.size(); ++i)
    w[i] = float(int(i * 7 % 31) - 15) / 15.0f;
  std::vector<float> x = ramp(rows * 2, 5);
  auto dev = rt::DriverRegistry::global().open("sim://quantized");
  ASSERT_TRUE(dev.isOk()) << dev.status().message();
  std::vector<float> exact(2 * cols, 0.0f);
  for (int b = 0; b < 2; ++b)
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < cols; ++c)
        exact[b * cols + c] += x[b * rows + r] * w[r * cols + c];
  // LIF columns: the slices merge as charge, nothing is converted.
  std::vector<float> charge = readTile(**dev, LifTile(rows, cols, w, true), x, 2);
  // The same tile through its 8-bit ADCs (worst-case windows).
  std::vector<float> adc = readTile(**dev, LifTile(rows, cols, w, false), x, 2);
  double chargeErr = 0, adcErr = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    chargeErr = std::max(chargeErr, double(std::abs(charge[i] - exact[i])));
    adcErr = std::max(adcErr, double(std::abs(adc[i] - exact[i])));
  }
  EXPECT_LT(chargeErr, 1e-4);
  EXPECT_GT(adcErr, 10 * chargeErr + 1e-3);
  // A carried charge joins the columns' own.
  std::vector<float> carry = {1, 2, 3, -1, -2, -3};
  std::vector<float> joined =
      readTile(**dev, LifTile(rows, cols, w, true), x, 2, carry.data());
  for (size_t i = 0; i < exact.size(); ++i)
    EXPECT_NEAR(joined[i], charge[i] + carry[i], 1e-5);
}

TEST(LifColumns, AdcTilesRefuseACarry) {
  const uint32_t rows = 4, cols = 2;
  std::vector<float> w(rows * cols, 0.5f), x(rows, 1.0f), carry(cols, 1.0f);
  auto dev = rt::DriverRegistry::global().open("sim://ideal");
  ASSERT_TRUE(dev.isOk());
  LifTile tile(rows, cols, w, false);
  auto h = (*dev)->programTile(tile.image, tile.target);
  ASSERT_TRUE(h.isOk());
  std::vector<float> y(cols);
  rt::Status s = (*dev)->mvmShared(*h, x.data(), carry.data(), 1, y.data());
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("neither a bridge tile nor LIF columns"),
            std::string::npos)
      << s.message();
}

} // namespace
