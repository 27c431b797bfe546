//===- SimDeviceTest.cpp - The simulator and the HAL ------------*- C++ -*-===//
//
// The ideal simulator equals float math; the quantized one is close to it
// with many bits and within the expected LSB with a 4-bit ADC; each
// quantisation stage follows its formula; an input row holding Inf or NaN
// comes out NaN and no other row does; tiles split along K add up; the
// device counts MVMs; a custom driver plugs into the registry; the analog
// ODE boundary is the device's; and the artifact layer's tile image carries
// the artifact's fields.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

/// A rows x cols tile of `w` (row-major) with the given target bits.
struct TileFixture {
  artifact::Artifact a;
  artifact::Tile tile;
  TileFixture(uint32_t rows, uint32_t cols, const std::vector<float> &w,
              uint32_t cellBits, uint32_t dacBits, uint32_t adcBits,
              float fullScale = 0) {
    ArtifactBuilder b(rows, 2 * cols, cellBits, dacBits, adcBits);
    b.tile(rows, cols, w, fullScale);
    a = b.artifact();
    tile = a.tiles(0);
  }
};

std::vector<float> deviceMvm(const std::string &uri, const TileFixture &f,
                             const std::vector<float> &x, int64_t batch) {
  auto dev = rt::DriverRegistry::global().open(uri);
  EXPECT_TRUE(dev.isOk()) << dev.status().message();
  auto h = rt::programTile(**dev, f.tile, f.a.target());
  EXPECT_TRUE(h.isOk());
  std::vector<float> y(size_t(batch) * f.tile.cols());
  rt::Status s = (*dev)->mvm(*h, x.data(), batch, y.data());
  EXPECT_TRUE(s.isOk()) << s.message();
  auto stats = (*dev)->stats();
  EXPECT_EQ(stats.mvmCount, uint64_t(batch));
  EXPECT_EQ(stats.mvmCalls, 1u);
  EXPECT_EQ(stats.tilesProgrammed, 1u);
  (*dev)->releaseTile(*h);
  EXPECT_EQ((*dev)->stats().tilesProgrammed, 0u);
  return y;
}

TEST(SimDevice, IdealEqualsFloatMath) {
  const int64_t rows = 16, cols = 8, batch = 5;
  auto w = ramp(rows * cols, 11);
  auto x = ramp(batch * rows, 12);
  TileFixture f(rows, cols, w, 0, 0, 0);
  auto y = deviceMvm("sim://ideal", f, x, batch);
  auto ref = referenceDense(x, batch, rows, cols, w, nullptr, false);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 1e-6 * (1 + std::fabs(ref[i]))) << i;
  // "sim://" is the ideal simulator too.
  EXPECT_EQ(deviceMvm("sim://", f, x, batch), y);
}

TEST(SimDevice, QuantizedWithManyBitsIsCloseToIdeal) {
  const int64_t rows = 32, cols = 6, batch = 4;
  auto w = ramp(rows * cols, 21);
  auto x = ramp(batch * rows, 22);
  TileFixture f(rows, cols, w, 16, 16, 16);
  auto y = deviceMvm("sim://quantized", f, x, batch);
  auto ref = referenceDense(x, batch, rows, cols, w, nullptr, false);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 2e-3) << i;
}

TEST(SimDevice, FourBitAdcErrorWithinHalfLsb) {
  const int64_t rows = 16, cols = 5, batch = 6;
  auto w = ramp(rows * cols, 31);
  auto x = ramp(batch * rows, 32);
  auto ref = referenceDense(x, batch, rows, cols, w, nullptr, false);
  double scale = 0;
  for (float v : w)
    scale = std::max(scale, std::fabs(double(v)));
  std::vector<double> s(batch, 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < rows; ++r)
      s[b] = std::max(s[b], std::fabs(double(x[b * rows + r])));
  // A full scale just above the largest column sum (normalised units), so
  // nothing clips and the ADC step is as fine as the data allows.
  double fs = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < cols; ++c)
      fs = std::max(fs, std::fabs(ref[b * cols + c]) / (s[b] * scale));
  fs *= 1.01;

  TileFixture f(rows, cols, w, 16, 16, 4, float(fs));
  auto y = deviceMvm("sim://quantized", f, x, batch);
  const double levels = 7; // 2^(4-1) - 1
  bool anyDifferent = false;
  for (int64_t b = 0; b < batch; ++b) {
    double lsb = fs / levels * s[b] * scale;
    for (int64_t c = 0; c < cols; ++c) {
      double err = std::fabs(y[b * cols + c] - ref[b * cols + c]);
      // Half an ADC step, plus slack for the 16-bit DAC and cells.
      EXPECT_LE(err, 0.5 * lsb + 1e-3 * s[b] * scale)
          << "b " << b << " c " << c;
      anyDifferent |= err > 1e-3;
    }
  }
  EXPECT_TRUE(anyDifferent) << "4 ADC bits should visibly quantise";
}

TEST(SimDevice, NonFiniteInputsGiveNaNRowsOnly) {
  // 37 rows: the DAC scans sixteen at a time and then the last five, so
  // a bad value is placed in the vector body and in the remainder. Only
  // the rows holding one come out NaN; the others equal their result in
  // a batch of their own.
  const int64_t rows = 37, cols = 6;
  auto w = ramp(rows * cols, 41);
  TileFixture f(rows, cols, w, 4, 8, 8);
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::pair<int64_t, float>> bad = {
      {3, inf}, {20, -inf}, {35, inf}, {3, nan}, {36, nan}};
  for (const std::string uri :
       {"sim://quantized", "sim://quantized?noise=rram-nominal&seed=3"}) {
    const int64_t batch = int64_t(bad.size()) + 1;
    auto x = ramp(batch * rows, 42);
    for (size_t i = 0; i < bad.size(); ++i)
      x[(i + 1) * rows + bad[i].first] = bad[i].second;
    auto y = deviceMvm(uri, f, x, batch);
    std::vector<float> first(x.begin(), x.begin() + rows);
    auto alone = deviceMvm(uri, f, first, 1);
    for (int64_t c = 0; c < cols; ++c) {
      EXPECT_TRUE(std::isfinite(y[c])) << uri << " c " << c;
      EXPECT_EQ(y[c], alone[c]) << uri << " c " << c;
    }
    for (int64_t b = 1; b < batch; ++b)
      for (int64_t c = 0; c < cols; ++c)
        EXPECT_TRUE(std::isnan(y[b * cols + c]))
            << uri << " row " << b << " c " << c;
  }
}

TEST(SimDevice, BitSlicedWeightsAreQuantisedToWeightBits) {
  // 8-bit weights over 2-bit cells: four slices, each converted by a 16-bit
  // ADC (fine enough that only the weight quantisation shows) with a 16-bit
  // DAC. The result equals x times the weights rounded to 8 bits (255
  // magnitude levels of max|w|), within the converters' resolution.
  const int64_t rows = 12, cols = 5, batch = 3;
  auto w = ramp(rows * cols, 41);
  auto x = ramp(batch * rows, 42);
  ArtifactBuilder b(rows, 2 * 4 * cols, 2, 16, 16);
  b.tile(rows, cols, w, 0);
  artifact::Artifact a = b.artifact();
  a.mutable_target()->mutable_arrays(0)->set_weight_bits(8);
  // Four slices: each column's window per slice, its worst case (rows).
  artifact::Tile *t = a.mutable_tiles(0);
  t->set_weight_bits(8);
  for (int i = 0; i < 3 * int(cols); ++i) {
    t->add_adc_lo(-float(rows));
    t->add_adc_hi(float(rows));
  }
  TileFixture f(rows, cols, w, 2, 16, 16);
  f.a = a;
  f.tile = a.tiles(0);
  auto y = deviceMvm("sim://quantized", f, x, batch);

  double maxAbs = 0;
  for (float v : w)
    maxAbs = std::max(maxAbs, std::fabs(double(v)));
  std::vector<float> wq(w.size());
  double worstStep = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    wq[i] = float(std::round(w[i] / maxAbs * 255.0) / 255.0 * maxAbs);
    worstStep = std::max(worstStep, std::fabs(double(wq[i]) - w[i]));
  }
  EXPECT_GT(worstStep, 1e-5) << "8-bit rounding should change some weight";
  auto ref = referenceDense(x, batch, rows, cols, wq, nullptr, false);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 2e-3 * (1 + std::fabs(ref[i]))) << i;

  // The same tile without slicing (one 2-bit pair per weight) is far off.
  TileFixture coarse(rows, cols, w, 2, 16, 16);
  auto yc = deviceMvm("sim://quantized", coarse, x, batch);
  double sliced = 0, unsliced = 0;
  auto exact = referenceDense(x, batch, rows, cols, w, nullptr, false);
  for (size_t i = 0; i < y.size(); ++i) {
    sliced = std::max(sliced, double(std::fabs(y[i] - exact[i])));
    unsliced = std::max(unsliced, double(std::fabs(yc[i] - exact[i])));
  }
  EXPECT_LT(sliced * 10, unsliced);
}

TEST(SimDevice, BitSerialInputsAreQuantisedToInputBits) {
  // 8-bit inputs through a 2-bit DAC: magnitude digits of 1 bit, 7 passes,
  // each converted by a 16-bit ADC, with 16-bit cells. The result equals
  // the inputs rounded to 8 bits (127 magnitude levels of max|x|) times W.
  const int64_t rows = 10, cols = 4, batch = 3;
  auto w = ramp(rows * cols, 51);
  auto x = ramp(batch * rows, 52);
  TileFixture f(rows, cols, w, 16, 2, 16);
  f.a.mutable_target()->set_input_bits(8);
  auto y = deviceMvm("sim://quantized", f, x, batch);
  std::vector<float> xq(x.size());
  for (int64_t b = 0; b < batch; ++b) {
    double s = 0;
    for (int64_t r = 0; r < rows; ++r)
      s = std::max(s, std::fabs(double(x[b * rows + r])));
    for (int64_t r = 0; r < rows; ++r)
      xq[b * rows + r] = float(std::round(x[b * rows + r] / s * 127.0) / 127.0 * s);
  }
  auto ref = referenceDense(xq, batch, rows, cols, w, nullptr, false);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 2e-3 * (1 + std::fabs(ref[i]))) << i;
  // One pass of the 2-bit DAC alone (input_bits unset) is far coarser.
  TileFixture coarse(rows, cols, w, 16, 2, 16);
  auto yc = deviceMvm("sim://quantized", coarse, x, batch);
  auto exact = referenceDense(x, batch, rows, cols, w, nullptr, false);
  double serial = 0, single = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    serial = std::max(serial, double(std::fabs(y[i] - exact[i])));
    single = std::max(single, double(std::fabs(yc[i] - exact[i])));
  }
  EXPECT_LT(serial * 10, single);
}

TEST(SimDevice, OneBitConvertersAreSignConverters) {
  // A 1-bit DAC drives sign(x); a 1-bit ADC gives +-full scale by the sign
  // of the column sum (a comparator, as in binarised networks).
  TileFixture f(2, 2, {1.0f, -1.0f, 1.0f, 1.0f}, 0, 1, 1, 2.0f);
  auto y = deviceMvm("sim://quantized", f, {3.0f, -0.5f}, 1);
  // sign(x) = (1, -1); sums: 1 - 1 = 0 and -1 - 1 = -2 (normalised, scale 1).
  // Outputs: 0 and -full scale (2) x s (3) x scale (1).
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], -6.0f);
}

TEST(SimDevice, QuantizedStagesFollowTheFormulas) {
  // One row, two columns: w = [0.6, -0.3] -> scale 0.6, g_pos = [1, 0],
  // g_neg = [0, 0.5].
  std::vector<float> w = {0.6f, -0.3f};
  {
    // Cells with 1 bit: 0.5 rounds to 1 (half away from zero), so the second
    // weight becomes -0.6. No DAC/ADC quantisation.
    TileFixture f(1, 2, w, 1, 0, 0);
    auto y = deviceMvm("sim://quantized", f, {2.0f}, 1);
    EXPECT_NEAR(y[0], 1.2f, 1e-6);
    EXPECT_NEAR(y[1], -1.2f, 1e-6);
  }
  {
    // DAC with 2 bits (L = 1): x = [1, 0.4] over two rows -> s = 1,
    // xq = [1, 0] so the second row does not contribute.
    TileFixture f(2, 1, {0.5f, 0.5f}, 0, 2, 0);
    auto y = deviceMvm("sim://quantized", f, {1.0f, 0.4f}, 1);
    EXPECT_NEAR(y[0], 0.5f, 1e-6);
  }
  {
    // ADC clipping: full scale 0.25 in normalised units, column sum 1
    // clips to 0.25 -> y = 0.25 * s * scale.
    TileFixture f(1, 1, {0.8f}, 0, 0, 8, /*fullScale=*/0.25f);
    auto y = deviceMvm("sim://quantized", f, {3.0f}, 1);
    EXPECT_NEAR(y[0], 0.25 * 3.0 * 0.8, 1e-6);
  }
  {
    // A zero input vector gives exactly zero.
    TileFixture f(2, 2, {1, 2, 3, 4}, 4, 4, 4);
    auto y = deviceMvm("sim://quantized", f, {0.0f, 0.0f}, 1);
    EXPECT_EQ(y, (std::vector<float>{0, 0}));
  }
}

TEST(SimDevice, DenseModelMatchesReference) {
  for (int64_t batch : {1, 7}) {
    auto x = ramp(size_t(batch * 5), 40 + uint32_t(batch));
    RunResult r = runArtifact(makeDenseRelu(), {makeTensor({batch, 5}, x)});
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    ASSERT_EQ(r.outputs[0].dims(), (Dims{batch, 3}));
    auto bias = denseReluBias();
    auto ref = referenceDense(x, batch, 5, 3, denseReluWeights(), &bias, true);
    auto y = values(r.outputs[0]);
    for (size_t i = 0; i < y.size(); ++i)
      EXPECT_NEAR(y[i], ref[i], 1e-6) << i;
  }
}

TEST(SimDevice, SplitKAddsPartialSums) {
  const int64_t batch = 3;
  auto x = ramp(batch * 8, 50);
  // A wider input exercises the row_offset slicing with copies.
  RunResult r = runArtifact(makeSplitK(), {makeTensor({batch, 8}, x)});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  auto ref = referenceDense(x, batch, 8, 3, splitKWeights(), nullptr, false);
  auto y = values(r.outputs[0]);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 1e-6) << i;
}

TEST(SimDevice, MvmOnHigherRankInput) {
  // x [2, 3, 5] -> the leading dims are one batch of 6 vectors.
  ArtifactBuilder b;
  uint32_t x = b.input("x", {-1, 3, 5});
  uint32_t t = b.tile(5, 3, denseReluWeights());
  b.output(b.mvm(x, t, 0, {-1, 3, 3}), "y");
  auto xv = ramp(30, 60);
  RunResult r = runArtifact(b.artifact(), {makeTensor({2, 3, 5}, xv)});
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(r.outputs[0].dims(), (Dims{2, 3, 3}));
  auto ref = referenceDense(xv, 6, 5, 3, denseReluWeights(), nullptr, false);
  auto y = values(r.outputs[0]);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 1e-6);
}

TEST(SimDevice, UnknownModeAndScheme) {
  auto bad = rt::DriverRegistry::global().open("sim://analog");
  EXPECT_EQ(bad.status().code(), Code::InvalidArgument);
  EXPECT_NE(bad.status().message().find("sim://quantized"), std::string::npos);
  auto none = rt::DriverRegistry::global().open("fpga://0");
  EXPECT_EQ(none.status().code(), Code::NotFound);
  EXPECT_EQ(none.status().message(),
            "device URI 'fpga://0': no driver for scheme 'fpga' (known "
            "schemes: board://, board+serial://, sim://)");
  auto malformed = rt::DriverRegistry::global().open("sim");
  EXPECT_EQ(malformed.status().code(), Code::InvalidArgument);
}

/// A device that computes nothing but records what it is asked, to show the
/// HAL boundary: the interpreter only calls programTile and mvm.
class RecordingDevice final : public rt::Device {
public:
  const std::string &uri() const override { return uri_; }
  rt::StatusOr<rt::TileHandle> programTile(const rt::hal::TileImage &tile,
                                           const rt::hal::MacroConfig &) override {
    cols_ = tile.cols;
    return rt::TileHandle(++programmed_);
  }
  void releaseTile(rt::TileHandle) override { --programmed_; }
  rt::Status mvm(rt::TileHandle, const float *, int64_t batch,
                 float *y) override {
    for (int64_t i = 0; i < batch * cols_; ++i)
      y[i] = 42.0f;
    mvms_ += uint64_t(batch);
    return rt::Status::ok();
  }
  rt::DeviceStats stats() const override {
    rt::DeviceStats s;
    s.tilesProgrammed = uint64_t(programmed_);
    s.mvmCount = mvms_;
    return s;
  }

private:
  std::string uri_ = "recording://";
  int programmed_ = 0;
  int64_t cols_ = 0;
  uint64_t mvms_ = 0;
};

class RecordingDriver final : public rt::Driver {
public:
  std::string_view scheme() const override { return "recording"; }
  rt::StatusOr<std::shared_ptr<rt::Device>> open(const std::string &,
                                                 std::string_view) override {
    return std::shared_ptr<rt::Device>(std::make_shared<RecordingDevice>());
  }
};

TEST(SimDevice, CustomDriverPlugsIn) {
  auto &reg = rt::DriverRegistry::global();
  if (!reg.open("recording://").isOk()) {
    ASSERT_TRUE(reg.registerDriver(std::make_unique<RecordingDriver>()).isOk());
  }
  EXPECT_EQ(reg.registerDriver(std::make_unique<RecordingDriver>()).code(),
            Code::FailedPrecondition);
  RunResult r =
      runArtifact(makeSplitK(), {makeTensor({1, 8}, ramp(8))}, "recording://");
  ASSERT_TRUE(r.status.isOk()) << r.status.message();
  EXPECT_EQ(values(r.outputs[0]), (std::vector<float>{84, 84, 84}));
}

/// The HAL's analog ODE boundary: an ideal device leaves the state alone;
/// the quantised simulator quantises each vector by its largest magnitude
/// on entry (DAC), clamps it to +-v_sat times that magnitude per step
/// (integrators) and quantises it over that range on the way out (ADC).
TEST(SimDevice, AnalogStateIsTheDevicesBoundary) {
  rt::hal::MacroConfig target;
  target.dacBits = 3; // levels -3..3 of the vector's largest magnitude
  target.adcBits = 3;
  target.hasIntegrator = true;
  target.integrator.vSat = 0.5;
  const std::vector<float> h = {0.4f, -1.0f, 0.1f, 2.0f, 0.7f, -0.2f};

  auto ideal = rt::DriverRegistry::global().open("sim://ideal");
  ASSERT_TRUE(ideal.isOk());
  auto opened = (*ideal)->openAnalogState(target);
  ASSERT_TRUE(opened.isOk());
  std::unique_ptr<rt::hal::AnalogState> none = std::move(*opened);
  std::vector<float> v = h;
  ASSERT_TRUE(none->enter(v.data(), 2, 3).isOk());
  ASSERT_TRUE(none->integrate(v.data(), 0).isOk());
  ASSERT_TRUE(none->leave(v.data()).isOk());
  EXPECT_EQ(v, h);

  auto quantized = rt::DriverRegistry::global().open("sim://quantized");
  ASSERT_TRUE(quantized.isOk());
  opened = (*quantized)->openAnalogState(target);
  ASSERT_TRUE(opened.isOk());
  std::unique_ptr<rt::hal::AnalogState> analog = std::move(*opened);
  v = h;
  ASSERT_TRUE(analog->enter(v.data(), 2, 3).isOk());
  // Row 0 (s = 1): 0.4 -> 1/3, -1 -> -1, 0.1 -> 0; row 1 (s = 2): 2 -> 2,
  // 0.7 -> 2/3, -0.2 -> 0.
  std::vector<float> entered = {1.0f / 3, -1.0f, 0.0f, 2.0f, 2.0f / 3, 0.0f};
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_FLOAT_EQ(v[i], entered[i]) << i;
  ASSERT_TRUE(analog->integrate(v.data(), 0).isOk()); // clamp to +-0.5 s
  std::vector<float> clamped = {1.0f / 3, -0.5f, 0.0f, 1.0f, 2.0f / 3, 0.0f};
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_FLOAT_EQ(v[i], clamped[i]) << i;
  ASSERT_TRUE(analog->leave(v.data()).isOk()); // 3 levels over +-0.5 s
  std::vector<float> left = {1.0f / 3, -0.5f, 0.0f, 1.0f, 2.0f / 3, 0.0f};
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_FLOAT_EQ(v[i], left[i]) << i;
}

/// The artifact layer hands devices the tile and target as written.
TEST(SimDevice, TileImageCarriesTheArtifactsFields) {
  ArtifactBuilder b(16, 8, 4, 6, 5);
  b.tile(3, 2, ramp(6, 1), 1.5f);
  artifact::Artifact a = b.artifact();
  a.mutable_tiles(0)->set_weight_bits(8);
  a.mutable_tiles(0)->set_scales(1, 0.25f);
  a.mutable_tiles(0)->set_adc_lo(1, -0.5f);
  a.mutable_tiles(0)->set_analog(true);
  a.mutable_target()->mutable_integrator()->set_v_sat(0.75);
  (*a.mutable_target()->mutable_costs())["mac_pj"] = 0.25;
  rt::hal::TileImage t = rt::toTileImage(a.tiles(0), a.target());
  EXPECT_EQ(t.id, a.tiles(0).id());
  EXPECT_EQ(t.rows, 3u);
  EXPECT_EQ(t.cols, 2u);
  EXPECT_EQ(t.gPos.size(), 6u);
  EXPECT_EQ(t.gNeg.size(), 6u);
  EXPECT_EQ(t.gPos[4], a.tiles(0).g_pos(4));
  ASSERT_EQ(t.scales.size(), 2u);
  EXPECT_EQ(t.scales[0], a.tiles(0).scales(0));
  EXPECT_EQ(t.scales[1], 0.25f);
  ASSERT_EQ(t.adcWindows.size(), 2u);
  EXPECT_EQ(t.adcWindows[0].lo, -1.5);
  EXPECT_EQ(t.adcWindows[0].hi, 1.5);
  EXPECT_EQ(t.adcWindows[1].lo, -0.5);
  // The tile says its weight bits; its kind of array its cells and
  // geometry.
  EXPECT_EQ(t.weightBits, 8u);
  EXPECT_EQ(t.arrayRows, 16u);
  EXPECT_EQ(t.arrayCols, 8u);
  EXPECT_EQ(t.bitsPerCell, 4u);
  EXPECT_EQ(t.cellTech, rt::hal::CellTech::Rram);
  EXPECT_EQ(t.encoding, rt::hal::WeightEncoding::Differential);
  EXPECT_TRUE(t.analog);
  EXPECT_FALSE(t.ramp);
  rt::hal::MacroConfig m = rt::toMacroConfig(a.target());
  EXPECT_EQ(m.arrayRows, 16u);
  EXPECT_EQ(m.arrayCols, 8u);
  EXPECT_EQ(m.bitsPerCell, 4u);
  EXPECT_EQ(m.dacBits, 6u);
  EXPECT_EQ(m.adcBits, 5u);
  EXPECT_TRUE(m.hasIntegrator);
  EXPECT_EQ(m.integrator.vSat, 0.75);
  EXPECT_EQ(m.costs.at("mac_pj"), 0.25);
}

} // namespace

/// Each column's cells span the conductance range on the column's own
/// scale, so a column of small weights beside one of large weights keeps
/// its precision on coarse cells; with one scale for the tile it would
/// sit in the lowest levels.
TEST(SimDevice, PerColumnScalesKeepSmallColumnsPrecise) {
  const int64_t rows = 16, cols = 2, batch = 8;
  auto base = ramp(rows * cols, 51);
  std::vector<float> w(base.size());
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = base[i] * (i % cols == 0 ? 1.0f : 0.01f);
  auto x = ramp(batch * rows, 52);
  auto ref = referenceDense(x, batch, rows, cols, w, nullptr, false);
  // 4-bit cells, converters fine enough to show only the cells.
  TileFixture shared(rows, cols, w, 4, 16, 16);
  TileFixture perColumn = shared;
  artifact::Tile &t = perColumn.tile;
  std::vector<float> scale(cols, 0.0f);
  for (size_t i = 0; i < w.size(); ++i)
    scale[i % cols] = std::max(scale[i % cols], std::fabs(w[i]));
  for (int64_t c = 0; c < cols; ++c)
    t.set_scales(int(c), scale[c]);
  for (size_t i = 0; i < w.size(); ++i) {
    t.set_g_pos(int(i), std::max(w[i], 0.0f) / scale[i % cols]);
    t.set_g_neg(int(i), std::max(-w[i], 0.0f) / scale[i % cols]);
  }
  auto ySharedScale = deviceMvm("sim://quantized", shared, x, batch);
  auto yPerColumn = deviceMvm("sim://quantized", perColumn, x, batch);
  // Ideal mode reads the weights back through the per-column scales.
  auto yIdeal = deviceMvm("sim://ideal", perColumn, x, batch);
  double small = 0, errShared = 0, errPerColumn = 0;
  for (int64_t b = 0; b < batch; ++b) {
    size_t i = size_t(b * cols + 1);
    small = std::max(small, std::fabs(double(ref[i])));
    errShared = std::max(errShared, std::fabs(double(ySharedScale[i] - ref[i])));
    errPerColumn = std::max(errPerColumn, std::fabs(double(yPerColumn[i] - ref[i])));
    EXPECT_NEAR(yIdeal[i], ref[i], 1e-6) << b;
  }
  EXPECT_LT(errPerColumn, 0.1 * small);
  EXPECT_GT(errShared, 5 * errPerColumn);
}

/// A column's ADC window: results inside it convert on its finer codes,
/// results outside clip to its ends.
TEST(SimDevice, AdcWindowsClipAndRefine) {
  const int64_t rows = 4, cols = 1;
  std::vector<float> w = {1, 1, 1, 1};
  // x = (v, 0, 0, largest 1): column result in normalised units is v + 1.
  std::vector<float> x = {0.25f, 0, 0, 1, -0.9f, 0, 0, 1, 1, 1, 1, 1};
  const int64_t batch = 3;
  TileFixture worst(rows, cols, w, 16, 16, 4); // window [-4, 4], 7 levels
  TileFixture tight = worst;
  tight.tile.set_adc_lo(0, 0.0f);
  tight.tile.set_adc_hi(0, 1.4f);
  auto yWorst = deviceMvm("sim://quantized", worst, x, batch);
  auto yTight = deviceMvm("sim://quantized", tight, x, batch);
  // Worst case: steps of 4/7. 1.25 -> 8/7, 0.1 -> 0.
  EXPECT_NEAR(yWorst[0], 8.0 / 7, 1e-3);
  EXPECT_NEAR(yWorst[1], 0.0, 1e-3);
  EXPECT_NEAR(yWorst[2], 4.0, 1e-3);
  // Window [0, 1.4]: mid 0.7, steps of 0.1: 1.25 is 5.5 steps above the
  // mid and rounds away to 1.3; 0.1 is a code; 4 clips to 1.4.
  EXPECT_NEAR(yTight[0], 1.3, 1e-3);
  EXPECT_NEAR(yTight[1], 0.1, 1e-3);
  EXPECT_NEAR(yTight[2], 1.4, 1e-3);
}

/// A tile that carries the compiler's codes is programmed with them: a
/// quantising device realises code / L on each column's scale (here codes
/// one away from the nearest), the ideal device keeps the exact weights.
TEST(SimDevice, CodesChooseTheProgrammedLevels) {
  const int64_t rows = 6, cols = 2, batch = 4;
  std::vector<float> w = ramp(rows * cols, 61);
  auto x = ramp(batch * rows, 62);
  // 4-bit cells (L = 15), converters fine enough to show only the cells.
  TileFixture f(rows, cols, w, 4, 16, 16);
  artifact::Tile &t = f.tile;
  std::vector<float> coded(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    double wn = double(t.g_pos(int(i))) - double(t.g_neg(int(i)));
    int32_t nearest = int32_t(std::lround(wn * 15));
    int32_t code = nearest + (nearest < 15 ? 1 : -1);
    t.add_codes(code);
    coded[i] = float(t.scales(int(i % cols)) * code / 15.0);
  }
  auto want = referenceDense(x, batch, rows, cols, coded, nullptr, false);
  auto exact = referenceDense(x, batch, rows, cols, w, nullptr, false);
  auto yQuantized = deviceMvm("sim://quantized", f, x, batch);
  auto yIdeal = deviceMvm("sim://ideal", f, x, batch);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(yQuantized[i], want[i], 1e-3 * (1 + std::fabs(want[i]))) << i;
    EXPECT_NEAR(yIdeal[i], exact[i], 1e-5) << i;
  }
  // The artifact layer carries them (ArtifactLoad.BadTileFields: a code
  // off the grid is refused).
  rt::hal::TileImage image = rt::toTileImage(t, f.a.target());
  ASSERT_EQ(image.codes.size(), w.size());
  EXPECT_EQ(image.codes[0], t.codes(0));
}

/// A tile image handed to the device directly (a custom HAL user, with no
/// artifact verifier in between) is checked too: codes must cover every
/// weight.
TEST(SimDevice, CodesOfTheWrongSizeAreRefused) {
  TileFixture f(4, 2, ramp(8, 71), 4, 8, 8);
  rt::hal::TileImage image = rt::toTileImage(f.tile, f.a.target());
  image.codes = {1, 2, 3};
  auto dev = rt::DriverRegistry::global().open("sim://quantized");
  ASSERT_TRUE(dev.isOk());
  auto h = (*dev)->programTile(image, rt::toMacroConfig(f.a.target()));
  ASSERT_FALSE(h.isOk());
  EXPECT_EQ(h.status().code(), Code::InvalidArgument);
  EXPECT_NE(h.status().message().find("codes do not hold rows*cols values"),
            std::string::npos)
      << h.status().message();
}
