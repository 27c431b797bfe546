//===- SpareRemapTest.cpp - Faulty lines remapped onto spares --------------===//
//
// The simulator's remap of faulty rows and columns onto an array's spare
// ones at programming: a tile with stuck cells is repaired exactly when
// the spares suffice; without spares, or without faulty cells, the cells
// are those programmed without the remap; the remap is the same for one
// seed on any number of threads; over seeds, spares remove most of the
// weight error of 1% stuck cells. Also the loader's checks of the spare
// fields, and its division of an array's spares among the blocks packed
// into it.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace cim;
using namespace cim::test;

namespace {

/// Writes a noise-model JSON file and returns its path.
std::string noiseFile(const std::string &name, const std::string &json) {
  std::string path = ::testing::TempDir() + "/spares-" + name + ".json";
  std::ofstream(path) << json;
  return path;
}

/// A rows x cols differential tile (unquantised cells, no converters) on
/// an array with `spareRows` and `spareCols` spare lines beyond it.
struct SpareTile {
  artifact::Artifact a;
  std::vector<float> w;
  int64_t rows, cols;
  SpareTile(int64_t rows, int64_t cols, uint32_t spareRows, uint32_t spareCols)
      : w(ramp(size_t(rows * cols), 7)), rows(rows), cols(cols) {
    ArtifactBuilder b(uint32_t(rows) + spareRows,
                      uint32_t(2 * cols) + spareCols, 0, 0, 0);
    b.tile(uint32_t(rows), uint32_t(cols), w);
    a = b.artifact();
    artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
    kind->set_cell_tech(artifact::RRAM);
    kind->set_spare_rows(spareRows);
    kind->set_spare_cols(spareCols);
  }
};

/// The tile's weights as programmed on a fresh device at `uri` (one-hot
/// inputs, one row each), and the device's report of the tile.
struct Read {
  std::vector<float> w;
  rt::TileReport report;
};

Read readWeights(const std::string &uri, const SpareTile &t) {
  auto dev = rt::DriverRegistry::global().open(uri);
  EXPECT_TRUE(dev.isOk()) << dev.status().message();
  Read out;
  if (!dev.isOk())
    return out;
  auto h = rt::programTile(**dev, t.a.tiles(0), t.a.target());
  EXPECT_TRUE(h.isOk()) << h.status().message();
  if (!h.isOk())
    return out;
  std::vector<float> x(size_t(t.rows * t.rows), 0.0f);
  for (int64_t r = 0; r < t.rows; ++r)
    x[size_t(r * t.rows + r)] = 1.0f;
  out.w.resize(size_t(t.rows * t.cols));
  EXPECT_TRUE((*dev)->mvm(*h, x.data(), t.rows, out.w.data()).isOk());
  out.report = (*dev)->stats().tiles.at(0);
  return out;
}

std::string uri(const std::string &noise, uint64_t seed,
                const std::string &extra = "") {
  return "sim://quantized?noise=" + noise + "&seed=" + std::to_string(seed) +
         extra;
}

/// Sum of |programmed - designed| over the weights.
double weightError(const std::vector<float> &got, const std::vector<float> &w) {
  double e = 0;
  for (size_t i = 0; i < w.size(); ++i)
    e += std::fabs(double(got[i]) - double(w[i]));
  return e;
}

/// Weights further than `tol` from their designed value.
size_t wrongWeights(const std::vector<float> &got, const std::vector<float> &w,
                    double tol = 1e-5) {
  size_t n = 0;
  for (size_t i = 0; i < w.size(); ++i)
    n += std::fabs(double(got[i]) - double(w[i])) > tol;
  return n;
}

TEST(SpareRemap, RepairsEveryFaultyLineWhenSparesSuffice) {
  // 0.2% stuck on and 0.2% stuck off of 1024 cells: a few faulty cells,
  // and 4 spare rows and 4 spare columns (whose own
  // cells may be stuck too). Without spares some weights are wrong; with
  // them every weight is exact (the cells have no other noise), for each
  // of the seeds.
  SpareTile none(32, 16, 0, 0), spared(32, 16, 4, 4);
  std::string file = noiseFile(
      "few", R"({"stuck_on_rate": 0.002, "stuck_off_rate": 0.002})");
  uint64_t remaps = 0;
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    Read before = readWeights(uri(file, seed), none);
    Read after = readWeights(uri(file, seed), spared);
    EXPECT_GT(before.report.stuckOn + before.report.stuckOff, 0u)
        << "seed " << seed;
    EXPECT_EQ(before.report.rowRemaps + before.report.colRemaps, 0u);
    EXPECT_EQ(wrongWeights(after.w, spared.w), 0u) << "seed " << seed;
    // A remap for every line with a wrong weight (a stuck cell at its
    // target's level is harmless and stays).
    size_t wrong = wrongWeights(before.w, none.w);
    EXPECT_GE(after.report.rowRemaps + after.report.colRemaps,
              wrong > 0 ? 1u : 0u)
        << "seed " << seed;
    remaps += after.report.rowRemaps + after.report.colRemaps;
  }
  EXPECT_GT(remaps, 0u);
}

TEST(SpareRemap, WithoutSparesOrFaultsTheCellsAreUnchanged) {
  // With stuck cells: the spares change only the weights of the lines
  // remapped; the others are the cells as programmed without spares.
  SpareTile none(32, 16, 0, 0), spared(32, 16, 4, 4);
  std::string stuck = noiseFile(
      "stuck", R"({"stuck_on_rate": 0.01, "stuck_off_rate": 0.01,
                   "prog_sigma_abs": 0.01})");
  Read before = readWeights(uri(stuck, 9), none);
  Read after = readWeights(uri(stuck, 9), spared);
  ASSERT_GT(after.report.rowRemaps + after.report.colRemaps, 0u);
  std::vector<char> rowMoved(32, 0), colMoved(16, 0);
  size_t differing = 0;
  for (int64_t r = 0; r < 32; ++r)
    for (int64_t c = 0; c < 16; ++c)
      if (before.w[size_t(r * 16 + c)] != after.w[size_t(r * 16 + c)]) {
        ++differing;
        rowMoved[size_t(r)] = colMoved[size_t(c)] = 1;
      }
  // Every differing weight lies on a remapped row or column: at most
  // rowRemaps whole rows and colRemaps whole (weight) columns.
  EXPECT_GT(differing, 0u);
  EXPECT_LE(differing, after.report.rowRemaps * 16 +
                           after.report.colRemaps * 32);
  EXPECT_LT(weightError(after.w, spared.w), weightError(before.w, none.w));
  // The spare cells are programmed (and counted) beside the tile's own.
  EXPECT_GT(after.report.cells, before.report.cells);
  EXPECT_EQ(before.report.cells, uint64_t(32 * 16 * 2));

  // Programming variation alone, with no verify, leaves no cell faulty:
  // spares or not, the same cells and no remap.
  std::string varied = noiseFile("varied", R"({"prog_sigma_abs": 0.02})");
  Read plain = readWeights(uri(varied, 9), none);
  Read withSpares = readWeights(uri(varied, 9), spared);
  EXPECT_EQ(plain.w, withSpares.w);
  EXPECT_EQ(withSpares.report.rowRemaps + withSpares.report.colRemaps, 0u);
  EXPECT_EQ(plain.report.cells, withSpares.report.cells);
}

TEST(SpareRemap, CellsOutsideTheVerifyWindowAreRemappedToo) {
  // No stuck cells, but a verify limit of 1 write at a window of 1.5
  // sigma: about 13% of cells end outside the window and count as
  // faulty. The spares lower the weight error.
  SpareTile none(32, 16, 0, 0), spared(32, 16, 8, 8);
  std::string file = noiseFile(
      "verify", R"({"prog_sigma_abs": 0.02, "verify_tolerance": 0.03,
                    "verify_max_iterations": 1})");
  Read before = readWeights(uri(file, 4), none);
  Read after = readWeights(uri(file, 4), spared);
  EXPECT_GT(before.report.verifyFailures, 0u);
  EXPECT_GT(after.report.rowRemaps, 0u);
  EXPECT_GT(after.report.colRemaps, 0u);
  EXPECT_LT(weightError(after.w, spared.w), weightError(before.w, none.w));
}

TEST(SpareRemap, SameRemapForOneSeedOnAnyThreads) {
  SpareTile t(64, 32, 6, 6);
  std::string file = noiseFile(
      "det", R"({"stuck_on_rate": 0.01, "stuck_off_rate": 0.01,
                 "prog_sigma_rel": 0.02, "stuck_compensation": true})");
  Read one = readWeights(uri(file, 11, "&threads=1"), t);
  Read four = readWeights(uri(file, 11, "&threads=4"), t);
  EXPECT_EQ(one.w, four.w);
  EXPECT_EQ(one.report.rowRemaps, four.report.rowRemaps);
  EXPECT_EQ(one.report.colRemaps, four.report.colRemaps);
  EXPECT_EQ(one.report.cells, four.report.cells);
  EXPECT_GT(one.report.rowRemaps + one.report.colRemaps, 0u);
  // Another seed draws other faults and other spares.
  Read other = readWeights(uri(file, 12, "&threads=1"), t);
  EXPECT_NE(one.w, other.w);
}

TEST(SpareRemap, SparesRemoveMostErrorOfOnePercentStuckCells) {
  // Statistical, over seeds 1-5: a 64 x 32 tile (4096 cells) with 0.5%
  // stuck on and 0.5% stuck off (about 41 faulty cells, rarely two on
  // one line), with 12 spare rows and 12 spare columns, against no
  // spares. The mean weight error falls below 35% of it (the spares
  // cover the lines with the largest errors, but not all 41).
  SpareTile none(64, 32, 0, 0), spared(64, 32, 12, 12);
  std::string file = noiseFile(
      "stat", R"({"stuck_on_rate": 0.005, "stuck_off_rate": 0.005})");
  double before = 0, after = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    before += weightError(readWeights(uri(file, seed), none).w, none.w);
    after += weightError(readWeights(uri(file, seed), spared).w, spared.w);
  }
  EXPECT_GT(before, 0);
  EXPECT_LT(after, 0.35 * before) << "before " << before << ", after " << after;
}

TEST(SpareRemap, LoaderChecksTheSpareFields) {
  // A 5 x 3 differential tile on 64 x 64 arrays.
  artifact::Artifact a = makeDenseRelu();
  artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
  kind->set_spare_rows(4);
  kind->set_spare_cols(4);
  EXPECT_TRUE(loadStatus(a).isOk()) << loadStatus(a).message();
  // The spares may not take a whole array.
  kind->set_spare_rows(64);
  expectDataLoss(a, "target.arrays[0]: spares (64 rows, 4 columns) leave no "
                    "room in a 64x64 array");
  // A tile may not use the spare rows or columns.
  kind->set_spare_rows(60);
  expectDataLoss(a, "tiles[0].rows: 5 exceeds target.arrays[0].rows 64 "
                    "less 60 spare rows");
  kind->set_spare_rows(0);
  kind->set_spare_cols(60);
  expectDataLoss(a, "tiles[0].cols: DIFFERENTIAL needs 6 array columns for "
                    "3 weight columns, target.arrays[0].cols is 64 less 60 "
                    "spare columns");
}

TEST(SpareRemap, BlocksOfOneArrayShareItsSpares) {
  // Three 5 x 3 blocks (6 columns each) in one 64 x 64 array with 4 spare
  // rows and 4 spare columns: tile 0 at (0, 0), tile 1 below it at (8, 0)
  // (the same columns: they share the spare rows), tile 2 beside tile 0
  // at (0, 16) (the same rows: they share the spare columns).
  artifact::Artifact a = makeDenseRelu();
  artifact::ArrayKind *kind = a.mutable_target()->mutable_arrays(0);
  kind->set_spare_rows(4);
  kind->set_spare_cols(4);
  *a.add_tiles() = a.tiles(0);
  *a.add_tiles() = a.tiles(0);
  const uint32_t at[3][2] = {{0, 0}, {8, 0}, {0, 16}};
  for (int i = 0; i < 3; ++i) {
    artifact::Tile *t = a.mutable_tiles(i);
    t->set_id(uint32_t(i));
    t->set_placed(true);
    t->set_array(0);
    t->set_array_row(at[i][0]);
    t->set_array_col(at[i][1]);
  }
  std::string bytes = a.SerializeAsString();
  auto model = rt::Model::loadMemory(bytes.data(), bytes.size());
  ASSERT_TRUE(model.isOk()) << model.status().message();
  const std::vector<rt::hal::TileImage> &images = (*model)->tileImages();
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].spareRows, 2u);
  EXPECT_EQ(images[0].spareCols, 2u);
  EXPECT_EQ(images[1].spareRows, 2u);
  EXPECT_EQ(images[1].spareCols, 4u);
  EXPECT_EQ(images[2].spareRows, 4u);
  EXPECT_EQ(images[2].spareCols, 2u);
  // A block placed alone, or not placed, has them all.
  a.mutable_tiles(2)->set_array(1);
  bytes = a.SerializeAsString();
  model = rt::Model::loadMemory(bytes.data(), bytes.size());
  ASSERT_TRUE(model.isOk()) << model.status().message();
  EXPECT_EQ((*model)->tileImages()[2].spareRows, 4u);
  EXPECT_EQ((*model)->tileImages()[2].spareCols, 4u);
  EXPECT_EQ((*model)->tileImages()[0].spareCols, 4u);
}

} // namespace
