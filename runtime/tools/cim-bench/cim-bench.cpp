//===- cim-bench.cpp - Simulator against OpenBLAS sgemm ---------*- C++ -*-===//
//
// A benchmark, not a test: times the simulator's MVMs against plain
// OpenBLAS of the same shape (sgemv for one vector, sgemm for a batch), in
// the same process, and prints both throughputs and their ratio. Modes:
// ideal, quantized without noise, quantized with a noise model (read
// noise and ADC per element, static effects folded into the weights), and
// the same with conductance-proportional read noise (--read-sigma-rel of
// each cell's conductance, default 0.05);
// batch 1 and 256; square tiles of 256 and 1024 (8-bit DAC and
// ADC, 4-bit cells, differential pairs).
//
// With --device URI it times that device instead, against a simulator
// (--reference, default sim://ideal) on the same tiles in the same run:
// MVM calls and vectors per second, the ratio, and for a device behind a
// link (board://) the bytes each call moves (scripts/bench-board.sh runs
// it against cim-board-emu).
//
//   cim-bench [--noise PRESET] [--threads N] [--min-time SECONDS]
//             [--tile N] [--batch B] [--read-sigma-rel R]
//             [--mode ideal|quantized|noisy|proportional]
//   cim-bench --device URI [--reference URI] [--min-time SECONDS]
//             [--tile N] [--batch B]
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/Noise.h"
#include "hal/Hal.h"
#include "tooling/Exit.h"
#include "tooling/Flags.h"

#include <cblas.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace cim;
using Clock = std::chrono::steady_clock;

namespace {

/// Seconds per call of fn, repeated for at least `minTime` seconds.
template <typename Fn> double timePerCall(Fn fn, double minTime) {
  fn(); // warm up
  int calls = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    fn();
    ++calls;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < minTime);
  return elapsed / calls;
}

/// An n x n tile of random weights on a target with n x 2n arrays.
void makeTile(int n, std::mt19937 &rng, rt::hal::TileImage &tile,
              rt::hal::MacroConfig &target) {
  target.name = "bench";
  target.arrayRows = uint32_t(n);
  target.arrayCols = uint32_t(2 * n);
  target.bitsPerCell = 4;
  target.dacBits = 8;
  target.adcBits = 8;
  target.cellTech = rt::hal::CellTech::Rram;
  rt::hal::ArrayKind kind;
  kind.name = "rram";
  kind.cellTech = rt::hal::CellTech::Rram;
  kind.rows = target.arrayRows;
  kind.cols = target.arrayCols;
  kind.bitsPerCell = 4;
  kind.count = 1;
  kind.encoding = rt::hal::WeightEncoding::Differential;
  target.arrays = {kind};
  tile.arrayRows = target.arrayRows;
  tile.arrayCols = target.arrayCols;
  tile.bitsPerCell = 4;
  tile.rows = uint32_t(n);
  tile.cols = uint32_t(n);
  tile.cellTech = rt::hal::CellTech::Rram;
  tile.encoding = rt::hal::WeightEncoding::Differential;
  tile.scales.assign(size_t(n), 1.0f);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int i = 0; i < n * n; ++i) {
    float w = u(rng);
    tile.gPos.push_back(w > 0 ? w : 0);
    tile.gNeg.push_back(w < 0 ? -w : 0);
  }
  tile.adcWindows.assign(size_t(n), {-double(n) / 4, double(n) / 4});
}

const char *kUsage =
    "usage: cim-bench [--noise PRESET] [--threads N] [--min-time SECONDS]\n"
    "                 [--tile N] [--batch B] [--read-sigma-rel R]\n"
    "                 [--mode ideal|quantized|noisy|proportional]\n"
    "       cim-bench --device URI [--reference URI] [--min-time SECONDS]\n"
    "                 [--tile N] [--batch B]\n";

/// Opens `uri` and programs `tile` into it, or leaves with the error.
std::pair<std::shared_ptr<rt::Device>, rt::TileHandle>
openWith(const std::string &uri, const rt::hal::TileImage &tile,
         const rt::hal::MacroConfig &target) {
  auto dev = rt::DriverRegistry::global().open(uri);
  if (!dev.isOk())
    tooling::fail(dev.status().message());
  auto h = (*dev)->programTile(tile, target);
  if (!h.isOk())
    tooling::fail(h.status().message());
  return {*dev, *h};
}

/// `device` against `reference` on the same tiles and inputs.
int benchDevice(const std::string &device, const std::string &reference,
                double minTime, int onlyTile, int onlyBatch) {
  std::printf("cim-bench: %s against %s, in this process\n", device.c_str(),
              reference.c_str());
  std::printf("%6s %6s %14s %14s %14s %14s %7s\n", "tile", "batch",
              "device MVM/s", "vectors/s", "bytes/MVM", "reference MVM/s",
              "ratio");
  std::mt19937 rng(1);
  for (int n : {256, 1024}) {
    if (onlyTile && n != onlyTile)
      continue;
    rt::hal::TileImage tile;
    rt::hal::MacroConfig target;
    makeTile(n, rng, tile, target);
    auto [dev, h] = openWith(device, tile, target);
    auto [ref, hr] = openWith(reference, tile, target);
    for (int batch : {1, 16, 256}) {
      if (onlyBatch && batch != onlyBatch)
        continue;
      std::vector<float> x(size_t(batch) * n), y(size_t(batch) * n);
      std::uniform_real_distribution<float> u(-1, 1);
      for (float &v : x)
        v = u(rng);
      rt::DeviceStats before = dev->stats();
      uint64_t calls = 0;
      double t = 1e30, tr = 1e30;
      for (int round = 0; round < 3; ++round) {
        t = std::min(t, timePerCall(
                            [&, dev = dev, h = h] {
                              ++calls;
                              if (!dev->mvm(h, x.data(), batch, y.data()).isOk())
                                tooling::fail(device + ": an MVM failed");
                            },
                            minTime / 3));
        tr = std::min(tr, timePerCall(
                              [&, ref = ref, hr = hr] {
                                (void)ref->mvm(hr, x.data(), batch, y.data());
                              },
                              minTime / 3));
      }
      rt::DeviceStats after = dev->stats();
      double bytes = 0;
      if (after.link && before.link && calls)
        bytes = double(after.link->bytesSent + after.link->bytesReceived -
                       before.link->bytesSent - before.link->bytesReceived) /
                double(calls);
      std::printf("%6d %6d %14.0f %14.0f %14.0f %14.0f %7.3f\n", n, batch,
                  1 / t, batch / t, bytes, 1 / tr, tr / t);
    }
  }
  return 0;
}

int benchMain(int argc, char **argv) {
  std::string noise = "rram-nominal";
  unsigned threads = std::thread::hardware_concurrency();
  double minTime = 0.5;
  int onlyTile = 0, onlyBatch = 0;
  std::string onlyMode, device, reference = "sim://ideal";
  double readSigmaRel = 0.05;
  CLI::App app("cim-bench");
  app.add_option("--device", device);
  app.add_option("--reference", reference);
  app.add_option("--noise", noise);
  app.add_option("--threads", threads);
  app.add_option("--min-time", minTime);
  app.add_option("--mode", onlyMode);
  app.add_option("--read-sigma-rel", readSigmaRel);
  app.add_option("--tile", onlyTile);
  app.add_option("--batch", onlyBatch);
  if (!tooling::parseFlags(app, argc, argv, "cim-bench", kUsage).empty())
    tooling::usageError("cim-bench", "unexpected argument");
  if (!onlyMode.empty() && onlyMode != "ideal" && onlyMode != "quantized" &&
      onlyMode != "noisy" && onlyMode != "proportional")
    tooling::usageError("cim-bench",
                        "--mode: '" + onlyMode +
                            "' is not ideal, quantized, noisy or proportional");
  if (!(readSigmaRel >= 0 && readSigmaRel <= 1))
    tooling::usageError("cim-bench", "--read-sigma-rel: must be in [0, 1]");
  if (threads == 0)
    threads = 1;
  if (!device.empty())
    return benchDevice(device, reference, minTime, onlyTile, onlyBatch);
  std::printf("cim-bench: %u threads; the simulator against OpenBLAS (%u "
              "threads) on the same shapes: sgemv for one vector, sgemm for "
              "a batch\n",
              threads, threads);
  std::printf("%-28s %6s %6s %12s %12s %8s %7s\n", "mode", "tile", "batch",
              "sim GMAC/s", "BLAS GMAC/s", "BLAS", "ratio");
  std::mt19937 rng(1);
  // Modes: the exact product; the quantised signal chain without noise
  // (DAC, cell levels, ADC); with the noise model; and with it plus
  // conductance-proportional read noise (a noise file written here).
  auto model = rt::resolveNoiseModel(noise);
  if (!model.isOk())
    tooling::fail(model.status().message());
  model->set_read_sigma_rel(readSigmaRel);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(*model, &json);
  char dir[] = "/tmp/cim-bench-XXXXXX";
  if (!mkdtemp(dir))
    tooling::fail("cim-bench: cannot create a temporary directory");
  const std::string proportionalFile = std::string(dir) + "/proportional.json";
  std::ofstream(proportionalFile) << json;
  const std::string t = "threads=" + std::to_string(threads);
  const std::pair<std::string, std::string> modes[] = {
      {"ideal", "sim://ideal?" + t},
      {"quantized", "sim://quantized?" + t},
      {"noisy", "sim://quantized?noise=" + noise + "&seed=1&" + t},
      {"proportional",
       "sim://quantized?noise=" + proportionalFile + "&seed=1&" + t}};
  for (int n : {256, 1024}) {
    if (onlyTile && n != onlyTile)
      continue;
    rt::hal::TileImage tile;
    rt::hal::MacroConfig target;
    makeTile(n, rng, tile, target);
    std::vector<float> w(size_t(n) * n);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = tile.gPos[i] - tile.gNeg[i];
    for (int batch : {1, 256}) {
      if (onlyBatch && batch != onlyBatch)
        continue;
      std::vector<float> x(size_t(batch) * n), y(size_t(batch) * n);
      std::uniform_real_distribution<float> u(-1, 1);
      for (float &v : x)
        v = u(rng);
      double macs = double(batch) * n * n;
      // The machine's best kernel for the shape: GEMV for one vector.
      auto blasCall = [&] {
        if (batch == 1)
          cblas_sgemv(CblasRowMajor, CblasTrans, n, n, 1.0f, w.data(), n,
                      x.data(), 1, 0.0f, y.data(), 1);
        else
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n, n,
                      1.0f, x.data(), n, w.data(), n, 0.0f, y.data(), n);
      };
      for (const auto &[label, uri] : modes) {
        if (!onlyMode.empty() && label != onlyMode)
          continue;
        auto [dev, h] = openWith(uri, tile, target);
        // Rounds alternate between the two, and each keeps its best time,
        // so that a busy moment of the machine hits neither alone.
        double blas = 1e30, sim = 1e30;
        for (int round = 0; round < 3; ++round) {
          openblas_set_num_threads(int(threads));
          blas = std::min(blas, timePerCall(blasCall, minTime / 3));
          openblas_set_num_threads(1); // as the simulator runs it
          sim = std::min(
              sim,
              timePerCall(
                  [&, dev = dev, h = h] {
                    (void)dev->mvm(h, x.data(), batch, y.data());
                  },
                  minTime / 3));
        }
        char rel[32];
        std::snprintf(rel, sizeof rel, " + rel %g", readSigmaRel);
        std::string mode = label == "noisy"          ? noise
                           : label == "proportional" ? noise + rel
                           : label == "quantized"    ? "quantized"
                                                     : label;
        std::printf("%-28s %6d %6d %12.2f %12.2f %8s %7.2f\n", mode.c_str(), n,
                    batch, macs / sim * 1e-9, macs / blas * 1e-9,
                    batch == 1 ? "sgemv" : "sgemm", blas / sim);
      }
    }
  }
  std::remove(proportionalFile.c_str());
  rmdir(dir);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  return tooling::runTool(benchMain, argc, argv);
}
