//===- NoiseTest.cpp - Statistics of the simulator's non-idealities -------===//
//
// Each non-ideality is measured through the device's own MVMs and compared
// with its configuration: programming and read-noise sigma within 5%, the
// drift exponent recovered, stuck-at counts within binomial bounds, the IR
// drop formula, program-and-verify windows, ADC range and offsets, and
// bit-identical results for one seed on any number of threads. Also the
// readout circuits (ramp ADC, LIF neuron, integrator) against their
// definitions, and the noise-model files' errors.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/Noise.h"
#include "cim/Macro/Readout.h"
#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

/// Writes a noise-model JSON file and returns its path.
std::string noiseFile(const std::string &name, const std::string &json) {
  std::string path = ::testing::TempDir() + "/" + name + ".json";
  std::ofstream(path) << json;
  return path;
}

/// A rows x cols offset tile whose cells are programmed to `g` (one cell
/// per weight: the cell value is g, the weight 2 g - 1), read without ADC
/// quantisation.
struct CellTile {
  artifact::Artifact a;
  int64_t rows, cols;
  CellTile(int64_t rows, int64_t cols, const std::vector<double> &g,
           double gMinUs = 0, double gMaxUs = 0)
      : rows(rows), cols(cols) {
    ArtifactBuilder b(uint32_t(rows), uint32_t(cols + 1), 0, 8, 0);
    std::vector<float> w(g.size());
    for (size_t i = 0; i < g.size(); ++i)
      w[i] = float(2 * g[i] - 1);
    b.tile(uint32_t(rows), uint32_t(cols), w, float(rows));
    a = b.artifact();
    artifact::Tile *t = a.mutable_tiles(0);
    artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
    kind->set_encoding(artifact::OFFSET);
    for (int c = 0; c < t->scales_size(); ++c)
      t->set_scales(c, 1.0f);
    for (size_t i = 0; i < g.size(); ++i) {
      t->set_g_pos(int(i), std::max(w[i], 0.0f));
      t->set_g_neg(int(i), std::max(-w[i], 0.0f));
    }
    if (gMaxUs > 0) {
      kind->set_g_min_us(gMinUs);
      kind->set_g_max_us(gMaxUs);
    }
  }
};

struct Programmed {
  std::shared_ptr<rt::Device> device;
  rt::TileHandle handle;
};

Programmed program(const std::string &uri, const CellTile &t) {
  auto dev = rt::DriverRegistry::global().open(uri);
  EXPECT_TRUE(dev.isOk()) << dev.status().message();
  auto h = rt::programTile(**dev, t.a.tiles(0), t.a.target());
  EXPECT_TRUE(h.isOk()) << h.status().message();
  return {*dev, *h};
}

/// The programmed cell values, read row by row with one-hot inputs.
std::vector<double> readCells(const Programmed &p, const CellTile &t) {
  std::vector<float> x(size_t(t.rows * t.rows), 0.0f);
  for (int64_t r = 0; r < t.rows; ++r)
    x[size_t(r * t.rows + r)] = 1.0f;
  std::vector<float> y(size_t(t.rows * t.cols));
  EXPECT_TRUE(p.device->mvm(p.handle, x.data(), t.rows, y.data()).isOk());
  std::vector<double> g(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    g[i] = (double(y[i]) + 1) / 2;
  return g;
}

double stddev(const std::vector<double> &v) {
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  double ss = 0;
  for (double x : v)
    ss += (x - mean) * (x - mean);
  return std::sqrt(ss / double(v.size() - 1));
}

std::string uri(const std::string &noise, uint64_t seed = 1,
                const std::string &extra = "") {
  return "sim://quantized?noise=" + noise + "&seed=" + std::to_string(seed) +
         extra;
}

/// Programs tile 0 of `a` on a fresh device at `u` and runs one MVM of
/// `batch` vectors `x`; `stats`, if given, receives the device's counters.
std::vector<float> mvmOnce(const std::string &u, const artifact::Artifact &a,
                           const std::vector<float> &x, int64_t batch,
                           rt::DeviceStats *stats = nullptr) {
  auto dev = rt::DriverRegistry::global().open(u);
  EXPECT_TRUE(dev.isOk()) << dev.status().message();
  auto h = rt::programTile(**dev, a.tiles(0), a.target());
  EXPECT_TRUE(h.isOk()) << h.status().message();
  std::vector<float> y(size_t(batch) * a.tiles(0).cols());
  EXPECT_TRUE((*dev)->mvm(*h, x.data(), batch, y.data()).isOk());
  if (stats)
    *stats = (*dev)->stats();
  return y;
}

TEST(Noise, LogarithmWithinOneUlpOfTheLibrary) {
  // The Gaussians' tails take their logarithm without a call (so that they
  // vectorise); it must agree with the C library's to the last bit but one
  // over every binade a tail probability reaches.
  std::mt19937_64 rng(3);
  int64_t same = 0, n = 0;
  for (int e = 0; e <= 60; ++e)
    for (int k = 0; k < 20000; ++k, ++n) {
      double p = std::ldexp(rt::NoiseStream::toUniform(rng()) * 0.5, -e);
      double got = rt::NoiseStream::logPositive(p), want = std::log(p);
      int64_t a, b;
      std::memcpy(&a, &got, sizeof a);
      std::memcpy(&b, &want, sizeof b);
      ASSERT_LE(std::abs(a - b), 1) << "log(" << p << ")";
      same += a == b;
    }
  // Mostly the very same double.
  EXPECT_GT(double(same) / double(n), 0.9);
}

TEST(Noise, ProgrammingSigmaWithinFivePercent) {
  // 256 x 256 cells at g = 0.5 with sigma = 0.02 (absolute) and at g = 1
  // with sigma = 0.05 * G + 0.01 (conductance-dependent).
  const int64_t n = 256;
  std::string file = noiseFile(
      "prog", R"({"prog_sigma_rel": 0.05, "prog_sigma_abs": 0.01})");
  for (double g0 : {0.5, 1.0}) {
    CellTile t(n, n, std::vector<double>(size_t(n * n), g0));
    std::vector<double> g = readCells(program(uri(file), t), t);
    double expected = 0.05 * g0 + 0.01;
    EXPECT_NEAR(stddev(g) / expected, 1.0, 0.05) << "g = " << g0;
    double mean = std::accumulate(g.begin(), g.end(), 0.0) / double(g.size());
    EXPECT_NEAR(mean, g0, 4 * expected / n) << "g = " << g0;
  }
}

TEST(Noise, ProgrammingSigmaIsRelativeToGmax) {
  // With G_min = 10 uS of G_max = 40 uS, a sigma of 0.02 G_max is
  // 0.02 / 0.75 of the normalised range.
  const int64_t n = 256;
  std::string file = noiseFile("gmin", R"({"prog_sigma_abs": 0.02})");
  CellTile t(n, n, std::vector<double>(size_t(n * n), 0.5), 10, 40);
  std::vector<double> g = readCells(program(uri(file), t), t);
  EXPECT_NEAR(stddev(g) / (0.02 / 0.75), 1.0, 0.05);
}

TEST(Noise, ReadSigmaWithinFivePercent) {
  // Read noise is redrawn every MVM: 2000 reads of one column sum. For an
  // offset cell (weight 2 g - 1) the weight's sigma is 2 sigma ||x||.
  const int64_t rows = 64, cols = 32, reads = 2000;
  std::string file = noiseFile("read", R"({"read_sigma": 0.01})");
  CellTile t(rows, cols, std::vector<double>(size_t(rows * cols), 0.75));
  Programmed p = program(uri(file), t);
  std::vector<float> x(size_t(reads * rows));
  for (int64_t b = 0; b < reads; ++b)
    for (int64_t r = 0; r < rows; ++r)
      x[size_t(b * rows + r)] = (r % 2 ? 1.0f : -1.0f);
  std::vector<float> y(size_t(reads * cols));
  ASSERT_TRUE(p.device->mvm(p.handle, x.data(), reads, y.data()).isOk());
  std::vector<double> v(y.begin(), y.end());
  double expected = 2 * 0.01 * std::sqrt(double(rows));
  EXPECT_NEAR(stddev(v) / expected, 1.0, 0.05);
  // The mean is the noise-free sum: alternating inputs cancel.
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  EXPECT_NEAR(mean, 0.0, 5 * expected / std::sqrt(double(v.size())));
  // A second call draws new noise.
  std::vector<float> y2(y.size());
  ASSERT_TRUE(p.device->mvm(p.handle, x.data(), reads, y2.data()).isOk());
  EXPECT_NE(y, y2);
}

TEST(Noise, ProportionalReadNoiseMatchesPerCellDraws) {
  // Each cell reads N(0, read_sigma_rel * G) on top of G. The simulator
  // draws one Gaussian per output with the column's variance (a GEMM of
  // the squared inputs with the cells' variances); the reference draws
  // every cell's noise on its own and sums the column. Cells span 0.05 to
  // 1 of G_max and the inputs 1/127 to 1, differently per column, so a
  // column's sigma depends on which inputs meet which conductances.
  const int64_t rows = 64, cols = 16, reads = 4000;
  const double rel = 0.05;
  std::string file = noiseFile("read-rel", R"({"read_sigma_rel": 0.05})");
  std::vector<double> g(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      g[size_t(r * cols + c)] =
          0.05 + 0.95 * double((r * (c + 1)) % rows) / double(rows - 1);
  CellTile t(rows, cols, g);
  Programmed p = program(uri(file), t);
  // Inputs on the 8-bit DAC's grid (largest 1), alternating in sign.
  std::vector<float> xv(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r)
    xv[size_t(r)] = float((r % 2 ? -1 : 1) * double(1 + 2 * r) / 127.0);
  std::vector<float> x(size_t(reads * rows));
  for (int64_t b = 0; b < reads; ++b)
    std::copy(xv.begin(), xv.end(), x.begin() + b * rows);
  std::vector<float> y(size_t(reads * cols));
  ASSERT_TRUE(p.device->mvm(p.handle, x.data(), reads, y.data()).isOk());

  // The reference: per-cell draws of the same model (the weight is 2 g - 1,
  // so each cell's noise counts twice).
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> ref(size_t(reads * cols));
  for (int64_t b = 0; b < reads; ++b)
    for (int64_t c = 0; c < cols; ++c) {
      double sum = 0;
      for (int64_t r = 0; r < rows; ++r) {
        double cell = g[size_t(r * cols + c)];
        sum +=
            double(xv[size_t(r)]) * (2 * (cell + rel * cell * normal(rng)) - 1);
      }
      ref[size_t(b * cols + c)] = sum;
    }
  auto column = [&](const auto &v, int64_t c) {
    std::vector<double> out(static_cast<size_t>(reads));
    for (int64_t b = 0; b < reads; ++b)
      out[size_t(b)] = double(v[size_t(b * cols + c)]);
    return out;
  };
  double lo = 1e30, hi = 0;
  for (int64_t c = 0; c < cols; ++c) {
    double sim = stddev(column(y, c)), want = stddev(column(ref, c));
    lo = std::min(lo, want);
    hi = std::max(hi, want);
    // Two sample sigmas of 4000 draws: each within about 1.1% (1 sigma).
    EXPECT_NEAR(sim / want, 1.0, 0.06) << "column " << c;
    std::vector<double> ys = column(y, c), rs = column(ref, c);
    double meanSim = std::accumulate(ys.begin(), ys.end(), 0.0) / double(reads);
    double meanRef = std::accumulate(rs.begin(), rs.end(), 0.0) / double(reads);
    EXPECT_NEAR(meanSim, meanRef, 6 * want / std::sqrt(double(reads)))
        << "column " << c;
  }
  // The columns' sigmas differ: a single additive sigma could not pass.
  EXPECT_GT(hi / lo, 1.3);
}

TEST(Noise, DriftExponentRecovered) {
  // G(t) = G0 (t / t0)^-nu: cells read at 10 s and at 1e4 s.
  const int64_t n = 64;
  std::string file = noiseFile(
      "drift", R"({"drift_nu": 0.06, "drift_nu_sigma": 0.01, "drift_t0": 1})");
  CellTile t(n, n, std::vector<double>(size_t(n * n), 0.8));
  std::vector<double> g1 =
      readCells(program(uri(file, 3, "&drift_time=10"), t), t);
  std::vector<double> g2 =
      readCells(program(uri(file, 3, "&drift_time=10000"), t), t);
  double nuSum = 0;
  for (size_t i = 0; i < g1.size(); ++i)
    nuSum += -std::log(g2[i] / g1[i]) / std::log(1000.0);
  EXPECT_NEAR(nuSum / double(g1.size()), 0.06, 0.001);
  // At t0 nothing has drifted yet.
  std::vector<double> g0 = readCells(program(uri(file, 3, "&drift_time=1"), t), t);
  for (double g : g0)
    EXPECT_NEAR(g, 0.8, 1e-6);
}

TEST(Noise, StuckCellsWithinBinomialBounds) {
  const int64_t n = 256;
  const double on = 0.03, off = 0.08;
  std::string file =
      noiseFile("stuck", R"({"stuck_on_rate": 0.03, "stuck_off_rate": 0.08})");
  CellTile t(n, n, std::vector<double>(size_t(n * n), 0.5));
  Programmed p = program(uri(file, 5), t);
  std::vector<double> g = readCells(p, t);
  uint64_t ones = 0, zeros = 0;
  for (double v : g) {
    ones += std::fabs(v - 1) < 1e-6;
    zeros += std::fabs(v) < 1e-6;
    EXPECT_TRUE(std::fabs(v - 1) < 1e-6 || std::fabs(v) < 1e-6 ||
                std::fabs(v - 0.5) < 1e-6);
  }
  double cells = double(n * n);
  for (auto [count, rate] : {std::pair{ones, on}, std::pair{zeros, off}}) {
    double sigma = std::sqrt(cells * rate * (1 - rate));
    EXPECT_LT(std::fabs(double(count) - cells * rate), 4.5 * sigma);
  }
  rt::DeviceStats s = p.device->stats();
  ASSERT_EQ(s.tiles.size(), 1u);
  EXPECT_EQ(s.tiles[0].stuckOn, ones);
  EXPECT_EQ(s.tiles[0].stuckOff, zeros);
  EXPECT_EQ(s.tiles[0].cells, uint64_t(n * n));
}

TEST(Noise, StuckCompensationKeepsPairDifferences) {
  // Differential pairs with many stuck cells: without compensation a stuck
  // cell moves its weight by up to a full scale; with it, a pair with one
  // stuck cell keeps g+ - g- wherever the other cell can reach it.
  const int64_t rows = 64, cols = 64;
  auto w = ramp(size_t(rows * cols), 77);
  ArtifactBuilder b(uint32_t(rows), uint32_t(2 * cols), 0, 0, 0);
  b.tile(uint32_t(rows), uint32_t(cols), w);
  artifact::Artifact a = b.artifact();
  auto weightsWith = [&](const std::string &noise) {
    std::vector<float> x(size_t(rows * rows), 0.0f);
    for (int64_t r = 0; r < rows; ++r)
      x[size_t(r * rows + r)] = 1.0f;
    return mvmOnce(uri(noiseFile("comp", noise)), a, x, rows);
  };
  auto plain = weightsWith(R"({"stuck_on_rate": 0.1, "stuck_off_rate": 0.1})");
  auto fixed = weightsWith(R"({"stuck_on_rate": 0.1, "stuck_off_rate": 0.1,
                               "stuck_compensation": true})");
  double errPlain = 0, errFixed = 0;
  size_t exact = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    errPlain += std::fabs(plain[i] - w[i]);
    errFixed += std::fabs(fixed[i] - w[i]);
    exact += std::fabs(fixed[i] - w[i]) < 1e-5;
  }
  // A stuck-on partner or a stuck-off cell opposite the weight's sign can
  // be compensated; a cell stuck off on the weight's own side cannot.
  EXPECT_LT(errFixed, 0.7 * errPlain);
  // Pairs with no stuck cell (64%) or a compensable one are exact.
  EXPECT_GT(double(exact) / double(w.size()), 0.75);
}

TEST(Noise, ProgramAndVerifyKeepsCellsInTheWindow) {
  // sigma 0.05, window 0.02: a write lands inside with p = 0.311, so about
  // 1 / p writes per cell, and every cell ends inside (or is counted).
  const int64_t n = 128;
  std::string file = noiseFile(
      "verify", R"({"prog_sigma_abs": 0.05, "verify_tolerance": 0.02,
                    "verify_max_iterations": 100})");
  CellTile t(n, n, std::vector<double>(size_t(n * n), 0.5));
  Programmed p = program(uri(file), t);
  std::vector<double> g = readCells(p, t);
  for (double v : g)
    EXPECT_LE(std::fabs(v - 0.5), 0.02 + 1e-6);
  rt::TileReport r = p.device->stats().tiles.at(0);
  EXPECT_EQ(r.verifyFailures, 0u);
  double perCell = double(r.writes) / double(r.cells);
  double p1 = std::erf(0.02 / 0.05 / std::sqrt(2.0));
  EXPECT_NEAR(perCell * p1, 1.0, 0.05);
  // With at most 2 writes some cells stay outside, and are counted.
  std::string few = noiseFile(
      "verify2", R"({"prog_sigma_abs": 0.05, "verify_tolerance": 0.02,
                     "verify_max_iterations": 2})");
  Programmed q = program(uri(few), t);
  std::vector<double> gq = readCells(q, t);
  uint64_t outside = 0;
  for (double v : gq)
    outside += std::fabs(v - 0.5) > 0.02 + 1e-9;
  EXPECT_EQ(q.device->stats().tiles.at(0).verifyFailures, outside);
  EXPECT_NEAR(double(outside) / double(n * n), (1 - p1) * (1 - p1), 0.01);
}

TEST(Noise, IrDropFollowsTheFirstOrderFormula) {
  // Every cell at g = 1: row r is j = rows - r segments from the sense end
  // and reads 1 - a * mean * (j N - j (j - 1) / 2), mean = 1.
  const int64_t rows = 32, cols = 4;
  const double a = 1e-4;
  std::string file = noiseFile("ir", R"({"ir_drop": 1e-4})");
  CellTile t(rows, cols, std::vector<double>(size_t(rows * cols), 1.0));
  std::vector<double> g = readCells(program(uri(file), t), t);
  for (int64_t r = 0; r < rows; ++r) {
    double j = double(rows - r), n = double(rows);
    double expected = 1 - a * (j * n - j * (j - 1) / 2);
    for (int64_t c = 0; c < cols; ++c)
      EXPECT_NEAR(g[size_t(r * cols + c)], expected, 1e-6) << r;
  }
}

TEST(Noise, DeviceCalibrationPrecompensatesIrDrop) {
  // With calibrate=1 the driver divides each cell's target by its row's
  // attenuation before writing: cells below G_max read back as asked.
  const int64_t rows = 32, cols = 3;
  std::string file = noiseFile("ir", R"({"ir_drop": 1e-4})");
  std::vector<double> want(size_t(rows * cols));
  for (size_t i = 0; i < want.size(); ++i)
    want[i] = 0.2 + 0.6 * double(i % 7) / 6;
  CellTile t(rows, cols, want);
  std::vector<double> plain = readCells(program(uri(file), t), t);
  std::vector<double> compensated =
      readCells(program(uri(file, 1, "&calibrate=1"), t), t);
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    worst = std::max(worst, want[i] - plain[i]);
    EXPECT_NEAR(compensated[i], want[i], 1e-4) << i;
  }
  EXPECT_GT(worst, 0.01); // what the compensation removed
}

TEST(Noise, OneSeedIsBitIdenticalOnAnyThreadCount) {
  const int64_t rows = 64, cols = 48, batch = 37;
  auto w = ramp(rows * cols, 41);
  auto x = ramp(batch * rows, 42);
  ArtifactBuilder b(uint32_t(rows), uint32_t(2 * cols), 4, 8, 8);
  b.tile(uint32_t(rows), uint32_t(cols), w);
  artifact::Artifact a = b.artifact();
  auto run = [&](const std::string &u) { return mvmOnce(u, a, x, batch); };
  auto one = run(uri("rram-worst", 9, "&threads=1"));
  EXPECT_EQ(run(uri("rram-worst", 9, "&threads=1")), one);
  EXPECT_EQ(run(uri("rram-worst", 9, "&threads=3")), one);
  EXPECT_EQ(run(uri("rram-worst", 9, "&threads=8")), one);
  EXPECT_NE(run(uri("rram-worst", 10, "&threads=1")), one);
}

TEST(Noise, AdcRangeClipsAndOffsetShifts) {
  // One cell column at g = 1 (weight 1), 4 rows of +1: the sum is 4 of a
  // full scale of 4. A range of 0.5 clips it to 2; an offset of +2 LSB on
  // a 3-bit ADC (L = 3) moves 0 by 2 / 3 of the range.
  ArtifactBuilder b(4, 2, 0, 8, 3);
  b.tile(4, 1, {1, 1, 1, 1}, 4);
  artifact::Artifact a = b.artifact();
  auto read = [&](const std::string &noise, std::vector<float> x) {
    return mvmOnce(uri(noiseFile("adc", noise)), a, x, 1)[0];
  };
  std::vector<float> ones(4, 1.0f), alternating{1, -1, 1, -1};
  EXPECT_FLOAT_EQ(read("{}", ones), 4.0f);
  EXPECT_FLOAT_EQ(read(R"({"adc_range": 0.5})", ones), 2.0f);
  EXPECT_FLOAT_EQ(read("{}", alternating), 0.0f);
  EXPECT_FLOAT_EQ(read(R"({"adc_offset_lsb": 2})", alternating), 8.0f / 3);
}

TEST(Noise, PresetsAndFileErrors) {
  EXPECT_EQ(rt::noisePresetNames(),
            (std::vector<std::string>{"ideal", "rram-nominal", "rram-worst"}));
  auto nominal = rt::resolveNoiseModel("rram-nominal");
  ASSERT_TRUE(nominal.isOk());
  EXPECT_DOUBLE_EQ(nominal->read_sigma(), 0.01);
  EXPECT_TRUE(rt::isIdeal(*rt::resolveNoiseModel("ideal")));

  auto missing = rt::resolveNoiseModel("no-such-preset");
  EXPECT_EQ(missing.status().code(), Code::NotFound);
  EXPECT_NE(missing.status().message().find(
                "no-such-preset: not a noise preset (ideal, rram-nominal, "
                "rram-worst)"),
            std::string::npos);
  std::string bad = noiseFile("bad-field", R"({"read_sigmaa": 0.1})");
  auto unknown = rt::resolveNoiseModel(bad);
  EXPECT_EQ(unknown.status().code(), Code::InvalidArgument);
  EXPECT_NE(unknown.status().message().find(bad + ": "), std::string::npos);
  EXPECT_NE(unknown.status().message().find("read_sigmaa"), std::string::npos);
  std::string negative = noiseFile("negative", R"({"read_sigma": -0.1})");
  EXPECT_NE(rt::resolveNoiseModel(negative).status().message().find(
                "read_sigma: must be a non-negative number"),
            std::string::npos);
  std::string negativeRel =
      noiseFile("negative-rel", R"({"read_sigma_rel": -0.05})");
  EXPECT_NE(rt::resolveNoiseModel(negativeRel).status().message().find(
                "read_sigma_rel: must be a non-negative number"),
            std::string::npos);
  // A model with only proportional read noise is not ideal.
  auto rel = rt::resolveNoiseModel(
      noiseFile("only-rel", R"({"read_sigma_rel": 0.05})"));
  ASSERT_TRUE(rel.isOk()) << rel.status().message();
  EXPECT_FALSE(rt::isIdeal(*rel));
  std::string rates =
      noiseFile("rates", R"({"stuck_on_rate": 0.7, "stuck_off_rate": 0.5})");
  EXPECT_NE(rt::resolveNoiseModel(rates).status().message().find(
                "stuck_on_rate + stuck_off_rate: must be at most 1"),
            std::string::npos);

  // Device URIs: the ideal simulator refuses a noise model; unknown options
  // and bad numbers are errors.
  auto ideal = rt::DriverRegistry::global().open("sim://ideal?noise=rram-worst");
  EXPECT_NE(ideal.status().message().find("sim://ideal has no non-idealities"),
            std::string::npos);
  auto option = rt::DriverRegistry::global().open("sim://quantized?colour=red");
  EXPECT_NE(option.status().message().find("unknown option 'colour'"),
            std::string::npos);
  auto seed = rt::DriverRegistry::global().open("sim://quantized?seed=-3");
  EXPECT_NE(seed.status().message().find("seed must be a whole number from 0 to"),
            std::string::npos);
}

TEST(Noise, RampColumnIsProgrammedLikeTheWeights) {
  // A fused readout's ramp column holds the steps between thresholds:
  // thresholds 0.1, 0.3, 0.7 from lo = 0. Drift by (10 / 1)^-nu = 0.9
  // scales every cell: the offset weight g = 1 becomes 2 * 0.9 - 1 = 0.8
  // and the thresholds become 0.09, 0.27, 0.63. Inputs 0.35625 and 0.825
  // (v = 0.285 and 0.66) still read levels 2 and 3, as without drift; with
  // the undrifted ramp they would read 1 and 2. With every cell stuck on,
  // the weight stays 1 and verify replaces the ramp column's stuck cells,
  // so the levels stay 2 and 3 (an all-stuck ramp would give 0 and 2).
  CellTile t(1, 1, {1.0});
  artifact::RampReadout *ramp = t.a.mutable_tiles(0)->mutable_ramp();
  ramp->add_steps()->set_kind(artifact::RAMP_RELU);
  ramp->set_bits(2);
  ramp->set_lo(0);
  ramp->set_hi(1.6);
  for (double th : {0.1, 0.3, 0.7})
    ramp->add_thresholds(th);
  // The steps 0.1, 0.2, 0.4 over the largest (normalised: no range given).
  for (double g : {0.25, 0.5, 1.0})
    ramp->add_conductances_us(g);
  for (double level : {0.0, 1.0, 2.0, 3.0})
    ramp->add_levels(level);
  double nu = -std::log(0.9) / std::log(10.0);
  std::string drift = noiseFile(
      "ramp-drift", R"({"drift_nu": )" + std::to_string(nu) +
                        R"(, "drift_t0": 1})");
  std::string stuck = noiseFile("ramp-stuck", R"({"stuck_on_rate": 1.0})");
  const std::vector<float> inputs = {0.35625f, 0.825f};
  struct Case {
    std::string uri;
    std::vector<float> levels;
  };
  for (const Case &c : {Case{uri(drift, 1, "&drift_time=1"), {2, 3}},
                        Case{uri(drift, 1, "&drift_time=10"), {2, 3}},
                        Case{uri(stuck), {2, 3}}}) {
    Programmed p = program(c.uri, t);
    for (size_t i = 0; i < inputs.size(); ++i) {
      float x = inputs[i], y = -1;
      ASSERT_TRUE(p.device->mvm(p.handle, &x, 1, &y).isOk());
      EXPECT_EQ(y, c.levels[i]) << c.uri << ", input " << x;
    }
  }
}

TEST(Readout, RampAdcEqualsItsThresholdTable) {
  // Non-uniform thresholds (a sigmoid's inverse at 15 codes).
  macro::RampADC adc;
  for (int k = 1; k < 16; ++k) {
    double p = double(k) / 16;
    adc.thresholds.push_back(std::log(p / (1 - p)));
  }
  for (int k = 0; k < 16; ++k)
    adc.levels.push_back(double(k) / 15);
  auto lookup = [&](double v) {
    size_t code = 0;
    for (double t : adc.thresholds)
      code += v >= t;
    return adc.levels[code];
  };
  for (double v = -6; v <= 6; v += 0.001)
    EXPECT_EQ(adc.convert(v), lookup(v)) << v;
  for (double t : adc.thresholds) // exactly at a threshold: the upper code
    EXPECT_EQ(adc.convert(t), lookup(t));
}

TEST(Readout, UniformRampMatchesTheUniformAdc) {
  macro::RampADC ramp = macro::RampADC::uniform(5, 2.0);
  macro::UniformADC uniform{15, 2.0};
  for (double v = -3; v <= 3; v += 0.0013)
    EXPECT_DOUBLE_EQ(ramp.convert(v), uniform.convert(v)) << v;
}

TEST(Readout, LifNeuron) {
  // beta 0.5, reset to zero, v > 1.
  macro::LIFNeuron zero{0.5f, 1.0f, /*ge=*/false, /*subtractReset=*/false};
  std::vector<float> spikes;
  float v = 0;
  for (float i : {0.6f, 0.6f, 0.6f, 1.2f, 0.0f})
    spikes.push_back(zero.step(v, i));
  // v: 0.6, 0.9, 1.05 -> spike, reset 0; 1.2 -> spike, 0; 0.
  EXPECT_EQ(spikes, (std::vector<float>{0, 0, 1, 1, 0}));
  EXPECT_EQ(v, 0.0f);
  // No leak, subtraction: 1.75 -> spike, 0.75; + 0.25 = 1.0 is not > 1.
  macro::LIFNeuron subtract{1.0f, 1.0f, false, true};
  v = 0;
  EXPECT_EQ(subtract.step(v, 1.75f), 1.0f);
  EXPECT_EQ(v, 0.75f);
  EXPECT_EQ(subtract.step(v, 0.25f), 0.0f);
  EXPECT_EQ(v, 1.0f);
  // With >= the same membrane fires.
  macro::LIFNeuron ge{1.0f, 1.0f, true, true};
  EXPECT_EQ(ge.step(v, 0.0f), 1.0f);
  EXPECT_EQ(v, 0.0f);
}

TEST(Readout, IntegratorGainLeakSaturationNoise) {
  macro::Integrator in{0.5, 0.1, 1.0, 0.0};
  EXPECT_DOUBLE_EQ(in.step(1.0), 0.5);
  EXPECT_DOUBLE_EQ(in.step(1.0), 0.95);
  EXPECT_DOUBLE_EQ(in.step(1.0), 1.0); // 1.355 saturates
  EXPECT_DOUBLE_EQ(in.step(-10.0), -1.0);
  // Noise per step: sigma times the step's standard normal sample; over
  // many steps of a leaky integrator at rest, var = sigma^2 / (1 - (1-l)^2).
  macro::Integrator noisy{1.0, 0.1, 100.0, 0.01};
  rt::NoiseStream stream(1, rt::kIntegrator);
  std::vector<double> v;
  for (uint64_t k = 0; k < 200000; ++k) {
    noisy.step(0.0, stream.gaussian(k));
    if (k > 100)
      v.push_back(noisy.v);
  }
  EXPECT_NEAR(stddev(v) / (0.01 / std::sqrt(1 - 0.81)), 1.0, 0.05);
}

} // namespace

/// calibrate=1: after programming, the device drives known vectors, fits
/// every column's gain and offset against the tile as designed, and
/// divides them out; before writing, it also divides each cell's target by
/// its row's IR-drop attenuation (DeviceCalibrationPrecompensatesIrDrop).
/// The ADCs' offsets and IR drop go: here the RMS error falls from 0.88 to
/// 0.12. The fit's MVMs are counted apart
/// from inference, with their energy under "calibrate".
TEST(Noise, DeviceCalibrationCorrectsColumnGainAndOffset) {
  const int64_t rows = 128, cols = 16, batch = 64;
  auto w = ramp(rows * cols, 61);
  auto x = ramp(batch * rows, 62);
  ArtifactBuilder b(uint32_t(rows), uint32_t(2 * cols), 8, 8, 10);
  b.tile(uint32_t(rows), uint32_t(cols), w);
  artifact::Artifact a = b.artifact();
  auto ref = referenceDense(x, batch, rows, cols, w, nullptr, false);
  std::string noise = noiseFile(
      "systematic", R"({"ir_drop": 5e-5, "adc_offset_sigma_lsb": 3})");
  auto run = [&](const std::string &extra, rt::DeviceStats *stats) {
    std::vector<float> y = mvmOnce(uri(noise, 1, extra), a, x, batch, stats);
    double error = 0;
    for (size_t i = 0; i < y.size(); ++i)
      error += (double(y[i]) - ref[i]) * (double(y[i]) - ref[i]);
    return std::sqrt(error / double(y.size()));
  };
  rt::DeviceStats plain, calibrated;
  double before = run("", &plain), after = run("&calibrate=1", &calibrated);
  EXPECT_LT(after * 5, before) << "before " << before << " after " << after;
  EXPECT_EQ(plain.calibrationMvms, 0u);
  EXPECT_EQ(calibrated.calibrationMvms, 64u);
  EXPECT_GT(calibrated.energyPj["calibrate"], 0.0);
  EXPECT_GT(calibrated.calibrationNs, 0.0);
  // Inference counters are the same either way.
  EXPECT_EQ(calibrated.mvmCount, plain.mvmCount);
  EXPECT_EQ(calibrated.adcConversions, plain.adcConversions);
  // A bad value is refused.
  auto bad = rt::DriverRegistry::global().open(
      "sim://quantized?noise=rram-nominal&calibrate=2");
  EXPECT_FALSE(bad.isOk());
}
