//===- BridgeNeuronTest.cpp - RRAM bridges and binary neurons ---*- C++ -*-===//
//
// The simulator's bridge tiles against their definitions: in ideal mode a
// binary neuron computes the model's float32 steps on the pre-activation
// and compares (Sign's 0 included); a device's comparator decides against
// its reference, which with +-1 inputs gives the model's sign everywhere
// but at exact ties; groups of rows share their charge before the
// comparators decide; a bridge reads a ratio of conductances, so
// variation that moves each conductance barely moves it; and calibration
// trims the comparators' offsets.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include "cim/Macro/Readout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace cim;
using namespace cim::test;

namespace {

/// The model's output for pre-activation q, written out from the
/// definition (one float32 rounding per step).
float modelOutput(float q, float pre, float scale, float bias, float cmp,
                  float tie) {
  float a = q + pre;
  float m = a * scale;
  float v = m + bias;
  return v > cmp ? 1.0f : v < cmp ? -1.0f : tie;
}

/// A bridge tile of +-1 weights (rows x cols, row-major) on an RRAM target
/// of 1..40 uS cells with 1-bit inputs.
struct Bridge {
  rt::hal::TileImage image;
  rt::hal::MacroConfig target;

  Bridge(uint32_t rows, uint32_t cols, const std::vector<float> &w,
         std::vector<macro::BinaryNeuron> neurons, uint32_t fanIn = 0) {
    ArtifactBuilder b(rows, 2 * cols, 1, 1, 8);
    b.tile(rows, cols, w);
    artifact::Artifact a = b.artifact();
    artifact::Target *t = a.mutable_target();
    t->mutable_arrays(0)->set_g_min_us(1);
    t->mutable_arrays(0)->set_g_max_us(40);
    t->set_bridge_neurons(true);
    image = rt::toTileImage(a.tiles(0), *t);
    image.bridge = true;
    image.neurons = std::move(neurons);
    image.fanIn = fanIn ? fanIn : rows;
    target = rt::toMacroConfig(*t);
  }
};

std::shared_ptr<rt::Device> open(const std::string &uri) {
  auto dev = rt::DriverRegistry::global().open(uri);
  EXPECT_TRUE(dev.isOk()) << dev.status().message();
  return dev.isOk() ? *dev : nullptr;
}

/// A noise file with the given JSON fields.
std::string noiseFile(const std::string &name, const std::string &fields) {
  std::string path = ::testing::TempDir() + "/" + name + ".json";
  std::ofstream(path) << "{\"name\": \"" << name << "\"" << fields << "}";
  return path;
}

/// y = the device's read of `bridge` for inputs x (batch x rows), with an
/// optional carried charge.
std::vector<float> read(rt::Device &dev, const Bridge &bridge,
                        const std::vector<float> &x, int64_t batch,
                        const float *carry = nullptr) {
  return programAndRead(dev, bridge.image, bridge.target, x, batch, carry);
}

/// A fixed +-1 pattern of n values: -1 where i is a multiple of `period`
/// (after mixing in i / `mix`), else +1.
std::vector<float> pattern(size_t n, size_t period, size_t mix = 0) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = (i * (period + 2) + (mix ? i / mix : 0)) % period ? 1.0f : -1.0f;
  return v;
}

/// x (rows) times w (rows x cols, row-major), exactly.
std::vector<float> product(const std::vector<float> &x,
                           const std::vector<float> &w, uint32_t cols) {
  std::vector<float> y(cols, 0.0f);
  for (size_t r = 0; r < x.size(); ++r)
    for (uint32_t c = 0; c < cols; ++c)
      y[c] += x[r] * w[r * cols + c];
  return y;
}

/// Every +-1 vector of `rows` elements (2^rows of them).
std::vector<float> allBinaryInputs(uint32_t rows) {
  std::vector<float> x;
  for (uint32_t k = 0; k < (1u << rows); ++k)
    for (uint32_t r = 0; r < rows; ++r)
      x.push_back((k >> r) & 1 ? 1.0f : -1.0f);
  return x;
}

// Three neurons over four +-1 weights each: a BatchNormalization with
// gamma > 0 whose output is exactly 0 at q = -2 (Sign gives 0 there), one
// with gamma < 0 (the comparison reverses), and Where(v >= 0.5, 1, -1)
// after a bias (ties read +1).
const std::vector<float> kWeights = {1,  -1, 1,  //
                                     1,  1,  -1, //
                                     -1, 1,  1,  //
                                     1,  -1, 1};
const float kPre[] = {0, 0, -2}, kScale[] = {0.5f, -2, 4}, kBias[] = {1, 3, 1},
            kCmp[] = {0, 0, 0.5f}, kTie[] = {0, 0, 1};

std::vector<macro::BinaryNeuron> neurons(uint32_t fanIn) {
  std::vector<macro::BinaryNeuron> n;
  for (int c = 0; c < 3; ++c) {
    macro::BinaryNeuron b{kPre[c], kScale[c], kBias[c], kCmp[c], kTie[c]};
    int64_t nonzero = fanIn;
    b.reference = macro::binaryReference(b, nonzero, true);
    n.push_back(b);
  }
  return n;
}

float preActivation(const std::vector<float> &x, size_t b, uint32_t rows,
                    int c) {
  float q = 0;
  for (uint32_t r = 0; r < rows; ++r)
    q += x[b * rows + r] * kWeights[r * 3 + size_t(c)];
  return q;
}

TEST(BridgeNeuron, IdealIsTheModelsSteps) {
  Bridge bridge(4, 3, kWeights, neurons(4));
  std::vector<float> x = allBinaryInputs(4);
  const int64_t batch = 16;
  auto dev = open("sim://ideal");
  std::vector<float> y = read(*dev, bridge, x, batch);
  int zeros = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int c = 0; c < 3; ++c) {
      float q = preActivation(x, size_t(b), 4, c);
      float want = modelOutput(q, kPre[c], kScale[c], kBias[c], kCmp[c], kTie[c]);
      EXPECT_EQ(y[size_t(b * 3 + c)], want) << "input " << b << " neuron " << c;
      zeros += want == 0;
    }
  EXPECT_GT(zeros, 0) << "no pre-activation at Sign's zero was exercised";
}

TEST(BridgeNeuron, ComparatorGivesTheModelsSignButAtTies) {
  Bridge bridge(4, 3, kWeights, neurons(4));
  std::vector<float> x = allBinaryInputs(4);
  auto ideal = open("sim://ideal"), device = open("sim://quantized");
  std::vector<float> exact = read(*ideal, bridge, x, 16);
  std::vector<float> y = read(*device, bridge, x, 16);
  for (size_t i = 0; i < y.size(); ++i) {
    // A comparator has no zero: Sign's 0 reads -1.
    float want = exact[i] == 0 ? -1.0f : exact[i];
    EXPECT_EQ(y[i], want) << i;
  }
  rt::DeviceStats s = device->stats();
  EXPECT_EQ(s.comparisons, 16u * 3u);
  EXPECT_EQ(s.adcConversions, 0u);
  EXPECT_EQ(s.chargeShares, 0u);
}

TEST(BridgeNeuron, GroupsShareTheirCharge) {
  // Eight rows as one tile, and as two tiles of four whose first passes
  // its charge on to the second: the same decisions.
  std::vector<float> w8 = kWeights;
  w8.insert(w8.end(), kWeights.begin(), kWeights.end());
  for (size_t i = 12; i < 24; ++i)
    w8[i] = -w8[i] * ((i % 2) ? 1.0f : -1.0f);
  std::vector<float> top(w8.begin(), w8.begin() + 12),
      bottom(w8.begin() + 12, w8.end());
  Bridge whole(8, 3, w8, neurons(8));
  Bridge first(4, 3, top, {}, 8), second(4, 3, bottom, neurons(8), 8);
  std::vector<float> x = allBinaryInputs(8);
  const int64_t batch = 256;
  std::vector<float> xTop, xBottom;
  for (int64_t b = 0; b < batch; ++b) {
    xTop.insert(xTop.end(), x.begin() + b * 8, x.begin() + b * 8 + 4);
    xBottom.insert(xBottom.end(), x.begin() + b * 8 + 4, x.begin() + b * 8 + 8);
  }
  for (const char *uri : {"sim://ideal", "sim://quantized"}) {
    auto dev = open(uri);
    std::vector<float> want = read(*dev, whole, x, batch);
    std::vector<float> charge = read(*dev, first, xTop, batch);
    // Without neurons the read is the group's charge: its partial sum.
    for (int64_t b = 0; b < batch; ++b)
      for (int c = 0; c < 3; ++c) {
        float q = 0;
        for (int r = 0; r < 4; ++r)
          q += xTop[size_t(b * 4 + r)] * top[size_t(r * 3 + c)];
        EXPECT_EQ(charge[size_t(b * 3 + c)], q);
      }
    std::vector<float> y = read(*dev, second, xBottom, batch, charge.data());
    EXPECT_EQ(y, want) << uri;
  }
  auto dev = open("sim://quantized");
  std::vector<float> charge = read(*dev, first, xTop, batch);
  read(*dev, second, xBottom, batch, charge.data());
  EXPECT_EQ(dev->stats().chargeShares, uint64_t(batch) * 3);
  EXPECT_EQ(dev->stats().comparisons, uint64_t(batch) * 3);
}

TEST(BridgeNeuron, BridgesReadRatiosSoVariationBarelyMovesThem) {
  // 32 rows of +-1 weights under 30% conductance variation: a bridge
  // reads (G+ - G-) / (G+ + G-), which moves by about 2 G_off / G_on x
  // 30% = 1.5% per bridge; a current sum moves by 30% per cell.
  const uint32_t rows = 32, cols = 16;
  std::vector<float> w = pattern(rows * cols, 3, 5), x = pattern(rows, 3);
  Bridge bridge(rows, cols, w, {});
  std::string noise = noiseFile("variation30", ", \"prog_sigma_rel\": 0.3");
  auto dev = open("sim://quantized?noise=" + noise + "&seed=3");
  std::vector<float> q = read(*dev, bridge, x, 1);
  // The same cells read by current summing (no bridge).
  Bridge sum = bridge;
  sum.image.bridge = false;
  auto h = dev->programTile(sum.image, sum.target);
  ASSERT_TRUE(h.isOk()) << h.status().message();
  std::vector<float> i(cols);
  ASSERT_TRUE(dev->mvm(*h, x.data(), 1, i.data()).isOk());
  std::vector<float> exact = product(x, w, cols);
  double bridgeErr = 0, sumErr = 0;
  for (uint32_t c = 0; c < cols; ++c) {
    bridgeErr += std::pow(q[c] - exact[c], 2);
    sumErr += std::pow(i[c] - exact[c], 2);
  }
  bridgeErr = std::sqrt(bridgeErr / cols);
  sumErr = std::sqrt(sumErr / cols);
  EXPECT_LT(bridgeErr, 0.3) << "bridge RMS error over 32 rows";
  EXPECT_GT(sumErr, 5 * bridgeErr) << "current-sum RMS error " << sumErr;
}

TEST(BridgeNeuron, CalibrationTrimsComparatorOffsets) {
  // Offsets of one bridge swing (sigma), i.e. 4 units of q for a fan-in
  // of 4, flip many decisions; the calibrated device trims them.
  const uint32_t rows = 4, cols = 3 * 40;
  std::vector<float> w;
  std::vector<macro::BinaryNeuron> n;
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t k = 0; k < 40; ++k)
      w.insert(w.end(), kWeights.begin() + r * 3, kWeights.begin() + r * 3 + 3);
  for (uint32_t k = 0; k < 40; ++k) {
    std::vector<macro::BinaryNeuron> three = neurons(4);
    n.insert(n.end(), three.begin(), three.end());
  }
  Bridge bridge(rows, cols, w, n);
  std::vector<float> x = allBinaryInputs(rows);
  auto ideal = open("sim://ideal");
  std::vector<float> exact = read(*ideal, bridge, x, 16);
  std::string noise = noiseFile("offsets", ", \"comparator_offset_sigma\": 1.0");
  auto count = [&](const std::string &query) {
    auto dev = open("sim://quantized?noise=" + noise + "&seed=5" + query);
    std::vector<float> y = read(*dev, bridge, x, 16);
    int wrong = 0;
    for (size_t i = 0; i < y.size(); ++i)
      wrong += y[i] != (exact[i] == 0 ? -1.0f : exact[i]);
    return wrong;
  };
  EXPECT_GT(count(""), int(16 * cols / 10));
  EXPECT_EQ(count("&calibrate=1"), 0);
}

TEST(BridgeNeuron, CalibrationAddsBrokenBridgesExpectedCharge) {
  // Many stuck cells break bridges (a cell stuck in its partner's state
  // reads 0). With the rows' mean inputs from calibration data, the
  // calibrated device adds each broken bridge's expected charge: for an
  // input equal to its means the charge is the designed one again.
  const uint32_t rows = 32, cols = 8;
  std::vector<float> w = pattern(rows * cols, 2, 3), x = pattern(rows, 4);
  Bridge bridge(rows, cols, w, {});
  bridge.image.inputMeans = x;
  std::vector<float> exact = product(x, w, cols);
  std::string noise = noiseFile(
      "stuck", ", \"stuck_on_rate\": 0.15, \"stuck_off_rate\": 0.15");
  auto error = [&](const std::string &query) {
    auto dev = open("sim://quantized?noise=" + noise + "&seed=2" + query);
    std::vector<float> q = read(*dev, bridge, x, 1);
    double worst = 0;
    for (uint32_t c = 0; c < cols; ++c)
      worst = std::max(worst, double(std::fabs(q[c] - exact[c])));
    return worst;
  };
  EXPECT_GE(error(""), 2.0) << "the stuck cells broke no bridge";
  // What remains is how far a broken pair's cells read from 0 (G_min
  // against G_min is exactly 0; G_max against G_max too).
  EXPECT_LT(error("&calibrate=1"), 1e-4);
}

} // namespace

