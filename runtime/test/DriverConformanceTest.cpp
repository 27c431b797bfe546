//===- DriverConformanceTest.cpp - What every device driver must do -------===//
//
// The contract of the HAL (Hal.h) as tests parametrised by a device URI and
// an accuracy bound. The simulator passes them in every mode; a new driver
// passes them by adding its URI to the instantiation at the end (or to its
// own INSTANTIATE_TEST_SUITE_P of DriverConformance). docs/Runtime.md lists
// the contract.
//
//===----------------------------------------------------------------------===//

#include "BoardEmulator.h"
#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <map>
#include <thread>

using namespace cim;
using namespace cim::test;
using rt::Code;

namespace {

struct DriverCase {
  std::string uri;
  /// |y - x W| <= tolerance * sum_r |x_r| |W_rc| for every output.
  double tolerance;
  /// A call repeated gives the same result (false with read noise).
  bool repeatable = true;
  /// Two devices opened from the same URI give the same results.
  bool deterministic = true;
  /// A batch row equals the same vector's own MVM bit for bit. Integer
  /// codes sum exactly; a float GEMM may sum a row in another order by its
  /// place in the batch (OpenBLAS's kernels do on some CPUs), which only
  /// the rounding shows.
  bool batchExact = true;
  /// For "board://emulator[?query]": the cim-board-emu options of the
  /// emulator the device is (started once per process, on a loopback port
  /// it picks, and stopped at exit).
  std::vector<std::string> emulator = {};
};

/// The device URI of `c`, starting its emulator if it has one.
std::string deviceUri(const DriverCase &c) {
  const std::string placeholder = "board://emulator";
  if (c.uri.rfind(placeholder, 0) != 0)
    return c.uri;
  static std::map<std::vector<std::string>, std::unique_ptr<BoardEmulator>>
      running;
  std::unique_ptr<BoardEmulator> &emu = running[c.emulator];
  if (!emu)
    emu = std::make_unique<BoardEmulator>(c.emulator);
  std::string query = c.uri.substr(placeholder.size());
  return emu->uri(query.empty() ? "" : query.substr(1));
}

void PrintTo(const DriverCase &c, std::ostream *os) { *os << c.uri; }

class DriverConformance : public ::testing::TestWithParam<DriverCase> {
protected:
  std::shared_ptr<rt::Device> open() {
    auto dev = rt::DriverRegistry::global().open(deviceUri(GetParam()));
    EXPECT_TRUE(dev.isOk()) << dev.status().message();
    return dev.isOk() ? *dev : nullptr;
  }

  /// A target of 8-bit converters and 4-bit cells with `rows` x `cols`
  /// tiles of ramp weights.
  static artifact::Artifact tiles(uint32_t rows, uint32_t cols, int count) {
    ArtifactBuilder b(rows, 2 * cols, 4, 8, 8);
    for (int i = 0; i < count; ++i)
      b.tile(rows, cols, ramp(size_t(rows) * cols, uint32_t(100 + i)));
    return b.artifact();
  }

  static std::vector<float> weights(const artifact::Tile &t) {
    std::vector<float> w(size_t(t.rows()) * t.cols());
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = t.scales(int(i % t.cols())) * (t.g_pos(int(i)) - t.g_neg(int(i)));
    return w;
  }

  /// Checks y against x W within the case's tolerance.
  void expectProduct(const artifact::Tile &t, const std::vector<float> &x,
                     int64_t batch, const std::vector<float> &y) {
    std::vector<float> w = weights(t);
    int64_t rows = t.rows(), cols = t.cols();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = 0; c < cols; ++c) {
        double exact = 0, magnitude = 0;
        for (int64_t r = 0; r < rows; ++r) {
          double term = double(x[b * rows + r]) * w[r * cols + c];
          exact += term;
          magnitude += std::fabs(term);
        }
        EXPECT_NEAR(y[b * cols + c], exact,
                    GetParam().tolerance * magnitude + 1e-6)
            << "batch row " << b << ", column " << c;
      }
  }
};

TEST_P(DriverConformance, UriHasTheScheme) {
  auto dev = open();
  ASSERT_TRUE(dev);
  std::string scheme = GetParam().uri.substr(0, GetParam().uri.find("://"));
  EXPECT_EQ(dev->uri().rfind(scheme + "://", 0), 0u) << dev->uri();
}

TEST_P(DriverConformance, ComputesTheProduct) {
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(96, 40, 1);
  auto h = rt::programTile(*dev, a.tiles(0), a.target());
  ASSERT_TRUE(h.isOk()) << h.status().message();
  for (int64_t batch : {1, 7, 64}) {
    auto x = ramp(size_t(batch * 96), uint32_t(batch));
    std::vector<float> y(size_t(batch * 40));
    ASSERT_TRUE(dev->mvm(*h, x.data(), batch, y.data()).isOk());
    expectProduct(a.tiles(0), x, batch, y);
  }
}

TEST_P(DriverConformance, BatchRowsAreIndependent) {
  // Row b of a batched MVM is the same vector's own MVM: within rounding,
  // and for a repeatable driver with exact sums bit for bit.
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(32, 16, 1);
  auto h = rt::programTile(*dev, a.tiles(0), a.target());
  ASSERT_TRUE(h.isOk());
  auto x = ramp(5 * 32, 7);
  std::vector<float> y(5 * 16), single(16);
  ASSERT_TRUE(dev->mvm(*h, x.data(), 5, y.data()).isOk());
  ASSERT_TRUE(dev->mvm(*h, x.data() + 2 * 32, 1, single.data()).isOk());
  std::vector<float> again(5 * 16);
  ASSERT_TRUE(dev->mvm(*h, x.data(), 5, again.data()).isOk());
  if (GetParam().repeatable) {
    EXPECT_EQ(again, y); // the same batch, bit for bit
  }
  if (GetParam().repeatable && GetParam().batchExact) {
    for (int c = 0; c < 16; ++c)
      EXPECT_EQ(single[c], y[2 * 16 + c]) << c;
  }
  // Within float rounding of the product wherever the BLAS sums it.
  std::vector<float> row(x.begin() + 64, x.begin() + 96);
  expectProduct(a.tiles(0), row, 1, single);
  expectProduct(a.tiles(0), row, 1,
                std::vector<float>(y.begin() + 32, y.begin() + 48));
}

TEST_P(DriverConformance, EmptyBatchWritesNothing) {
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(8, 4, 1);
  auto h = rt::programTile(*dev, a.tiles(0), a.target());
  ASSERT_TRUE(h.isOk());
  float sentinel = 42;
  EXPECT_TRUE(dev->mvm(*h, nullptr, 0, &sentinel).isOk());
  EXPECT_EQ(sentinel, 42);
}

TEST_P(DriverConformance, BadCallsAreErrorsNotCrashes) {
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(8, 4, 1);
  auto h = rt::programTile(*dev, a.tiles(0), a.target());
  ASSERT_TRUE(h.isOk());
  std::vector<float> x(8, 1), y(4);
  EXPECT_EQ(dev->mvm(*h, x.data(), -1, y.data()).code(), Code::InvalidArgument);
  EXPECT_EQ(dev->mvm(*h + 1000, x.data(), 1, y.data()).code(),
            Code::FailedPrecondition);
  dev->releaseTile(*h);
  EXPECT_EQ(dev->mvm(*h, x.data(), 1, y.data()).code(),
            Code::FailedPrecondition);
  dev->releaseTile(*h + 1000); // unknown handles are ignored
  artifact::Tile broken = a.tiles(0);
  broken.mutable_g_pos()->RemoveLast();
  EXPECT_EQ(rt::programTile(*dev, broken, a.target()).status().code(),
            Code::InvalidArgument);
}

TEST_P(DriverConformance, CountsWhatItDoes) {
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(16, 8, 2);
  auto h0 = rt::programTile(*dev, a.tiles(0), a.target());
  auto h1 = rt::programTile(*dev, a.tiles(1), a.target());
  ASSERT_TRUE(h0.isOk() && h1.isOk());
  EXPECT_NE(*h0, *h1);
  EXPECT_EQ(dev->stats().tilesProgrammed, 2u);
  std::vector<float> x(3 * 16, 0.5f), y(3 * 8);
  ASSERT_TRUE(dev->mvm(*h0, x.data(), 3, y.data()).isOk());
  ASSERT_TRUE(dev->mvm(*h1, x.data(), 2, y.data()).isOk());
  rt::DeviceStats s = dev->stats();
  EXPECT_EQ(s.mvmCount, 5u);
  EXPECT_EQ(s.mvmCalls, 2u);
  dev->releaseTile(*h0);
  EXPECT_EQ(dev->stats().tilesProgrammed, 1u);
}

TEST_P(DriverConformance, TilesAreIndependent) {
  // Programming a second tile does not change the first one's results.
  auto dev = open();
  ASSERT_TRUE(dev);
  artifact::Artifact a = tiles(24, 12, 2);
  auto h0 = rt::programTile(*dev, a.tiles(0), a.target());
  ASSERT_TRUE(h0.isOk());
  auto x = ramp(24, 3);
  std::vector<float> before(12), after(12);
  ASSERT_TRUE(dev->mvm(*h0, x.data(), 1, before.data()).isOk());
  auto h1 = rt::programTile(*dev, a.tiles(1), a.target());
  ASSERT_TRUE(h1.isOk());
  ASSERT_TRUE(dev->mvm(*h0, x.data(), 1, after.data()).isOk());
  expectProduct(a.tiles(0), x, 1, after);
  if (GetParam().repeatable) {
    EXPECT_EQ(before, after);
  }
}

TEST_P(DriverConformance, ConcurrentMvmsOnDifferentTiles) {
  // The interpreter may run independent MVMs from several threads.
  auto dev = open();
  ASSERT_TRUE(dev);
  const int tilesCount = 4;
  artifact::Artifact a = tiles(64, 32, tilesCount);
  std::vector<rt::TileHandle> handles;
  for (int i = 0; i < tilesCount; ++i) {
    auto h = rt::programTile(*dev, a.tiles(i), a.target());
    ASSERT_TRUE(h.isOk());
    handles.push_back(*h);
  }
  auto x = ramp(16 * 64, 5);
  std::vector<std::vector<float>> y(tilesCount, std::vector<float>(16 * 32));
  std::vector<std::thread> threads;
  std::vector<int> ok(tilesCount, 0);
  for (int i = 0; i < tilesCount; ++i)
    threads.emplace_back([&, i] {
      for (int rep = 0; rep < 5; ++rep)
        ok[i] += dev->mvm(handles[i], x.data(), 16, y[i].data()).isOk();
    });
  for (std::thread &t : threads)
    t.join();
  for (int i = 0; i < tilesCount; ++i) {
    EXPECT_EQ(ok[i], 5);
    expectProduct(a.tiles(i), x, 16, y[i]);
  }
  EXPECT_EQ(dev->stats().mvmCount, uint64_t(tilesCount * 5 * 16));
}

TEST_P(DriverConformance, SameUriSameResults) {
  if (!GetParam().deterministic)
    GTEST_SKIP() << "nondeterministic driver";
  artifact::Artifact a = tiles(48, 24, 1);
  auto x = ramp(4 * 48, 9);
  std::vector<std::vector<float>> results;
  for (int i = 0; i < 2; ++i) {
    auto dev = open();
    ASSERT_TRUE(dev);
    auto h = rt::programTile(*dev, a.tiles(0), a.target());
    ASSERT_TRUE(h.isOk());
    results.emplace_back(4 * 24);
    ASSERT_TRUE(dev->mvm(*h, x.data(), 4, results.back().data()).isOk());
  }
  EXPECT_EQ(results[0], results[1]);
}

std::string caseName(const ::testing::TestParamInfo<DriverCase> &info) {
  std::string name;
  for (char c : info.param.uri)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

// The simulator in every mode. The quantised bounds cover an 8-bit DAC,
// 4-bit cells and an 8-bit ADC; the noisy ones the presets' programming
// and read noise.
INSTANTIATE_TEST_SUITE_P(
    Simulator, DriverConformance,
    ::testing::Values(DriverCase{"sim://ideal", 1e-6, /*repeatable=*/true,
                                 /*deterministic=*/true,
                                 /*batchExact=*/false},
                      DriverCase{"sim://quantized", 0.06},
                      DriverCase{"sim://quantized?noise=rram-nominal&seed=4",
                                 0.3, /*repeatable=*/false},
                      DriverCase{"sim://quantized?noise=rram-worst&seed=4&"
                                 "threads=3",
                                 0.6, /*repeatable=*/false}),
    caseName);

} // namespace

// The board driver against cim-board-emu over loopback TCP: ideal, with
// read noise, and through a link that drops and corrupts frames (which
// the driver's retries hide).
INSTANTIATE_TEST_SUITE_P(
    Board, DriverConformance,
    ::testing::Values(
        DriverCase{"board://emulator", 1e-6, /*repeatable=*/true,
                   /*deterministic=*/true, /*batchExact=*/false},
        DriverCase{"board://emulator?timeout_ms=100", 0.3,
                   /*repeatable=*/false, /*deterministic=*/true,
                   /*batchExact=*/true,
                   {"--noise", "rram-nominal", "--seed", "4"}},
        DriverCase{"board://emulator?timeout_ms=50&retries=12", 1e-6,
                   /*repeatable=*/true, /*deterministic=*/true,
                   /*batchExact=*/false,
                   {"--faults", "drop=0.05,corrupt=0.05"}}),
    caseName);

