//===- cim-bench.cpp - Simulator throughput against OpenBLAS sgemm ---------===//
//
// A benchmark, not a test: times the simulator's MVMs against a plain
// OpenBLAS sgemm of the same shape, in the same process, and prints both
// throughputs and their ratio. Modes: ideal, and quantized with a noise
// model (read noise and ADC per element, static effects folded into the
// weights); batch 1 and 256; square tiles of 256 and 1024 (8-bit DAC and
// ADC, 4-bit cells, differential pairs).
//
//   cim-bench [--noise PRESET] [--threads N] [--min-time SECONDS]
//             [--tile N] [--batch B] [--mode ideal|quantized]
//
//===----------------------------------------------------------------------===//

#include "Hal.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

artifact::Artifact makeTile(int n, std::mt19937 &rng) {
  artifact::Artifact a;
  artifact::Target *t = a.mutable_target();
  t->set_name("bench");
  t->set_array_rows(uint32_t(n));
  t->set_array_cols(uint32_t(2 * n));
  t->set_bits_per_cell(4);
  t->set_dac_bits(8);
  t->set_adc_bits(8);
  artifact::Tile *tile = a.add_tiles();
  tile->set_rows(uint32_t(n));
  tile->set_cols(uint32_t(n));
  tile->set_cell_tech(artifact::RRAM);
  tile->set_encoding(artifact::DIFFERENTIAL);
  tile->set_scale(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int i = 0; i < n * n; ++i) {
    float w = u(rng);
    tile->add_g_pos(w > 0 ? w : 0);
    tile->add_g_neg(w < 0 ? -w : 0);
  }
  tile->set_adc_full_scale(float(n) / 4);
  return a;
}

} // namespace

int main(int argc, char **argv) {
  std::string noise = "rram-nominal";
  unsigned threads = std::thread::hardware_concurrency();
  double minTime = 0.5;
  int onlyTile = 0, onlyBatch = 0;
  std::string onlyMode;
  for (int i = 1; i < argc; ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--noise"))
      noise = value();
    else if (!std::strcmp(argv[i], "--threads"))
      threads = unsigned(std::atoi(value().c_str()));
    else if (!std::strcmp(argv[i], "--min-time"))
      minTime = std::atof(value().c_str());
    else if (!std::strcmp(argv[i], "--mode"))
      onlyMode = value();
    else if (!std::strcmp(argv[i], "--tile"))
      onlyTile = std::atoi(value().c_str());
    else if (!std::strcmp(argv[i], "--batch"))
      onlyBatch = std::atoi(value().c_str());
    else {
      std::fprintf(stderr,
                   "usage: cim-bench [--noise PRESET] [--threads N] "
                   "[--min-time SECONDS] [--tile N] [--batch B] "
                   "[--mode ideal|quantized]\n");
      return 2;
    }
  }
  if (threads == 0)
    threads = 1;
  std::printf("cim-bench: %u threads; the simulator against OpenBLAS sgemm "
              "(%u threads) on the same shapes\n",
              threads, threads);
  std::printf("%-28s %6s %6s %12s %12s %7s\n", "mode", "tile", "batch",
              "sim GMAC/s", "sgemm GMAC/s", "ratio");
  std::mt19937 rng(1);
  const std::string modes[] = {
      "sim://ideal?threads=" + std::to_string(threads),
      "sim://quantized?noise=" + noise + "&seed=1&threads=" +
          std::to_string(threads)};
  for (int n : {256, 1024}) {
    if (onlyTile && n != onlyTile)
      continue;
    artifact::Artifact a = makeTile(n, rng);
    std::vector<float> w(size_t(n) * n);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = a.tiles(0).g_pos(int(i)) - a.tiles(0).g_neg(int(i));
    for (int batch : {1, 256}) {
      if (onlyBatch && batch != onlyBatch)
        continue;
      std::vector<float> x(size_t(batch) * n), y(size_t(batch) * n);
      std::uniform_real_distribution<float> u(-1, 1);
      for (float &v : x)
        v = u(rng);
      double macs = double(batch) * n * n;
      auto sgemmCall = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n, n,
                    1.0f, x.data(), n, w.data(), n, 0.0f, y.data(), n);
      };
      for (const std::string &uri : modes) {
        if (!onlyMode.empty() && uri.find("sim://" + onlyMode) != 0)
          continue;
        auto dev = rt::DriverRegistry::global().open(uri);
        if (!dev.isOk()) {
          std::fprintf(stderr, "error: %s\n", dev.status().message().c_str());
          return 1;
        }
        auto h = (*dev)->programTile(a.tiles(0), a.target());
        if (!h.isOk()) {
          std::fprintf(stderr, "error: %s\n", h.status().message().c_str());
          return 1;
        }
        // Rounds alternate between the two, and each keeps its best time,
        // so that a busy moment of the machine hits neither alone.
        double sgemm = 1e30, sim = 1e30;
        for (int round = 0; round < 3; ++round) {
          openblas_set_num_threads(int(threads));
          sgemm = std::min(sgemm, timePerCall(sgemmCall, minTime / 3));
          openblas_set_num_threads(1); // as the simulator runs it
          sim = std::min(sim, timePerCall(
                                  [&] {
                                    (void)(*dev)->mvm(*h, x.data(), batch,
                                                      y.data());
                                  },
                                  minTime / 3));
        }
        std::string mode = uri.substr(0, uri.find("&threads"));
        mode = mode.substr(0, mode.find("?threads"));
        std::printf("%-28s %6d %6d %12.2f %12.2f %7.2f\n", mode.c_str(), n,
                    batch, macs / sim * 1e-9, macs / sgemm * 1e-9,
                    sgemm / sim);
      }
    }
  }
  return 0;
}
