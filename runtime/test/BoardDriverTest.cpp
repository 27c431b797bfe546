//===- BoardDriverTest.cpp - board:// against cim-board-emu ---------------===//
//
// The board driver against the emulator, each test with an emulator of its
// own on a loopback port (or a pseudo-terminal) that it stops itself:
//  - through a lossy link (frames dropped and corrupted both ways, a forced
//    disconnect) a board with read noise gives bit for bit what sim://
//    gives with the same noise model and seed, and the link's counters show
//    what it took;
//  - a link too bad for the retries is an UNAVAILABLE error naming the
//    request, never a result;
//  - another host's session takes the board: the first host's calls fail
//    with an error instead of computing with tiles that are gone;
//  - malformed URIs and options the board owns are refused by name.
//
//===----------------------------------------------------------------------===//

#include "BoardEmulator.h"
#include "TestHelpers.h"

#include <gtest/gtest.h>

using namespace cim;
using namespace cim::test;
using rt::Code;
using rt::Status;

namespace {

/// Three tiles of a noisy 4-bit target and the MVMs of a small run: the
/// results of each call, in order.
std::vector<std::vector<float>> runOn(rt::Device &dev) {
  ArtifactBuilder b(48, 48, 4, 8, 8);
  for (int i = 0; i < 3; ++i)
    b.tile(40, 24, ramp(40 * 24, uint32_t(20 + i)));
  const artifact::Artifact &a = b.artifact();
  std::vector<rt::TileHandle> handles;
  for (int i = 0; i < 3; ++i) {
    auto h = rt::programTile(dev, a.tiles(i), a.target());
    EXPECT_TRUE(h.isOk()) << h.status().message();
    if (!h.isOk())
      return {};
    handles.push_back(*h);
  }
  std::vector<std::vector<float>> out;
  for (int rep = 0; rep < 12; ++rep)
    for (int i = 0; i < 3; ++i) {
      int64_t batch = 1 + (rep * 3 + i) % 5;
      auto x = ramp(size_t(batch * 40), uint32_t(rep * 7 + i));
      std::vector<float> y(size_t(batch * 24));
      Status s = dev.mvm(handles[size_t(i)], x.data(), batch, y.data());
      EXPECT_TRUE(s.isOk()) << s.message();
      out.push_back(y);
    }
  return out;
}

TEST(BoardDriver, LossyLinkGivesTheSimulatorsResultsBitForBit) {
  auto sim = rt::DriverRegistry::global().open(
      "sim://quantized?noise=rram-nominal&seed=1");
  ASSERT_TRUE(sim.isOk());
  std::vector<std::vector<float>> want = runOn(**sim);

  BoardEmulator emu({"--noise", "rram-nominal", "--seed", "1", "--faults",
                     "drop=0.05,corrupt=0.05,disconnect-after=20"});
  ASSERT_FALSE(emu.address().empty());
  auto board = rt::DriverRegistry::global().open(
      emu.uri("timeout_ms=50&retries=12"));
  ASSERT_TRUE(board.isOk()) << board.status().message();
  EXPECT_EQ((*board)->uri(), "board://" + emu.address());
  std::vector<std::vector<float>> got = runOn(**board);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], want[i]) << "call " << i;

  // The counters agree with the simulator's, tile reports included, and
  // the link's show the faults it hid.
  rt::DeviceStats s = (*board)->stats(), ref = (*sim)->stats();
  EXPECT_EQ(s.mvmCount, ref.mvmCount);
  EXPECT_EQ(s.macs, ref.macs);
  EXPECT_EQ(s.adcConversions, ref.adcConversions);
  EXPECT_EQ(s.energyPj, ref.energyPj);
  ASSERT_EQ(s.tiles.size(), ref.tiles.size());
  for (size_t i = 0; i < s.tiles.size(); ++i) {
    EXPECT_EQ(s.tiles[i].cells, ref.tiles[i].cells);
    EXPECT_EQ(s.tiles[i].writes, ref.tiles[i].writes);
    EXPECT_EQ(s.tiles[i].stuckOn + s.tiles[i].stuckOff,
              ref.tiles[i].stuckOn + ref.tiles[i].stuckOff);
  }
  ASSERT_TRUE(s.link.has_value());
  EXPECT_GT(s.link->retries, 0u);
  EXPECT_GT(s.link->timeouts, 0u);
  EXPECT_GE(s.link->reconnects, 1u); // more if a resuming IDENTIFY is lost
  EXPECT_GT(s.link->framesRejected + s.link->boardFramesRejected, 0u);
  EXPECT_GT(s.link->boardDuplicatesAnswered, 0u);
  EXPECT_FALSE(ref.link.has_value());
  EXPECT_EQ(emu.stop(), 0);
}

TEST(BoardDriver, SerialLineOnAPseudoTerminal) {
  BoardEmulator emu({}, /*pty=*/true);
  ASSERT_EQ(emu.address().rfind("/dev/pts/", 0), 0u) << emu.address();
  auto board = rt::DriverRegistry::global().open(emu.uri());
  ASSERT_TRUE(board.isOk()) << board.status().message();
  EXPECT_EQ((*board)->uri(), "board+serial://" + emu.address());
  ArtifactBuilder b(16, 8);
  b.tile(6, 4, ramp(24, 3));
  auto x = ramp(2 * 6, 5);
  auto sim = rt::DriverRegistry::global().open("sim://ideal");
  const artifact::Artifact &a = b.artifact();
  EXPECT_EQ(programAndRead(**board, rt::toTileImage(a.tiles(0), a.target()),
                           rt::toMacroConfig(a.target()), x, 2),
            programAndRead(**sim, rt::toTileImage(a.tiles(0), a.target()),
                           rt::toMacroConfig(a.target()), x, 2));
}

TEST(BoardDriver, ALinkBeyondRetriesIsAnErrorNotAResult) {
  // Every frame lost: opening fails, naming the request.
  {
    BoardEmulator emu({"--faults", "drop=1"});
    auto board = rt::DriverRegistry::global().open(
        emu.uri("timeout_ms=20&retries=2"));
    ASSERT_FALSE(board.isOk());
    EXPECT_EQ(board.status().code(), Code::Unavailable);
    EXPECT_NE(board.status().message().find("timed out"), std::string::npos)
        << board.status().message();
  }
  // Replies slower than every timeout: the MVM fails, and its output is
  // left as it was.
  BoardEmulator emu({"--faults", "delay=400"});
  auto board =
      rt::DriverRegistry::global().open(emu.uri("timeout_ms=20&retries=1"));
  // Opening waits long enough (IDENTIFY doubles up to 16x the timeout)?
  // Not with one retry: 20 + 40 ms < 400 ms.
  ASSERT_FALSE(board.isOk());
  auto slow =
      rt::DriverRegistry::global().open(emu.uri("timeout_ms=300&retries=3"));
  ASSERT_TRUE(slow.isOk()) << slow.status().message();
  ArtifactBuilder b(16, 8);
  b.tile(6, 4, ramp(24, 3));
  auto h = rt::programTile(**slow, b.artifact().tiles(0), b.artifact().target());
  ASSERT_TRUE(h.isOk()) << h.status().message();
  emu.stop(); // the board goes away
  std::vector<float> x(6, 1.0f), y(4, 42.0f);
  Status s = (*slow)->mvm(*h, x.data(), 1, y.data());
  EXPECT_EQ(s.code(), Code::Unavailable);
  EXPECT_NE(s.message().find("no reply to MVM"), std::string::npos)
      << s.message();
  EXPECT_EQ(y, std::vector<float>(4, 42.0f));
}

TEST(BoardDriver, AnotherHostsSessionEndsThisOne) {
  BoardEmulator emu({});
  auto first = rt::DriverRegistry::global().open(emu.uri("timeout_ms=100"));
  ASSERT_TRUE(first.isOk()) << first.status().message();
  ArtifactBuilder b(16, 8);
  b.tile(6, 4, ramp(24, 3));
  auto h = rt::programTile(**first, b.artifact().tiles(0), b.artifact().target());
  ASSERT_TRUE(h.isOk());
  auto second = rt::DriverRegistry::global().open(emu.uri("timeout_ms=100"));
  ASSERT_TRUE(second.isOk()) << second.status().message();
  std::vector<float> x(6, 1.0f), y(4);
  Status s = (*first)->mvm(*h, x.data(), 1, y.data());
  EXPECT_EQ(s.code(), Code::FailedPrecondition) << s.message();
  EXPECT_NE(s.message().find("cannot be resumed"), std::string::npos)
      << s.message();
}

TEST(BoardDriver, ConductancesReadBackAsProgrammed) {
  ArtifactBuilder b(16, 16, 4, 8, 8);
  b.tile(12, 6, ramp(72, 9));
  const artifact::Artifact &a = b.artifact();
  rt::hal::TileImage image = rt::toTileImage(a.tiles(0), a.target());
  rt::hal::MacroConfig target = rt::toMacroConfig(a.target());
  auto readOn = [&](rt::Device &dev) {
    auto h = dev.programTile(image, target);
    EXPECT_TRUE(h.isOk()) << h.status().message();
    auto read = dev.readConductances(*h);
    EXPECT_TRUE(read.isOk()) << read.status().message();
    return read.isOk() ? *read : rt::TileConductances();
  };
  // Ideal: the tile's own conductances.
  auto ideal = rt::DriverRegistry::global().open("sim://ideal");
  rt::TileConductances exact = readOn(**ideal);
  ASSERT_EQ(exact.gPos.size(), 1u);
  EXPECT_EQ(exact.gPos[0], image.gPos);
  EXPECT_EQ(exact.gNeg[0], image.gNeg);
  // Quantised, no noise: the 4-bit cell's levels.
  auto quantized = rt::DriverRegistry::global().open("sim://quantized");
  rt::TileConductances levels = readOn(**quantized);
  ASSERT_EQ(levels.gPos.size(), 1u);
  for (float g : levels.gPos[0])
    EXPECT_NEAR(g * 15, std::round(g * 15), 1e-5) << g;
  // With programming noise: what the cells hold, the same on the board as
  // on the simulator with the same noise model and seed.
  auto sim = rt::DriverRegistry::global().open(
      "sim://quantized?noise=rram-worst&seed=2");
  rt::TileConductances want = readOn(**sim);
  EXPECT_NE(want.gPos[0], levels.gPos[0]);
  BoardEmulator emu({"--noise", "rram-worst", "--seed", "2"});
  auto board = rt::DriverRegistry::global().open(emu.uri());
  ASSERT_TRUE(board.isOk()) << board.status().message();
  rt::TileConductances got = readOn(**board);
  EXPECT_EQ(got.rows, 12u);
  EXPECT_EQ(got.cols, 6u);
  EXPECT_EQ(got.gPos, want.gPos);
  EXPECT_EQ(got.gNeg, want.gNeg);
  EXPECT_EQ(got.gMaxUs, want.gMaxUs);
  EXPECT_EQ((*board)->readConductances(12345).status().code(),
            Code::FailedPrecondition);
}

TEST(BoardDriver, UrisAreCheckedByName) {
  auto &registry = rt::DriverRegistry::global();
  auto expectError = [&](const std::string &uri, Code code,
                         const std::string &text) {
    auto d = registry.open(uri);
    ASSERT_FALSE(d.isOk()) << uri;
    EXPECT_EQ(d.status().code(), code) << uri;
    EXPECT_NE(d.status().message().find(text), std::string::npos)
        << d.status().message();
  };
  expectError("board://localhost", Code::InvalidArgument,
              "is not board://HOST:PORT");
  expectError("board://127.0.0.1:x", Code::InvalidArgument,
              "is not board://HOST:PORT");
  expectError("board+serial://ttyUSB0", Code::InvalidArgument,
              "is not board+serial:///PATH");
  expectError("board://127.0.0.1:1?noise=rram-nominal", Code::InvalidArgument,
              "noise is the board's own");
  expectError("board://127.0.0.1:1?timeout_ms=0", Code::InvalidArgument,
              "timeout_ms must be 1 to 600000");
  expectError("board://127.0.0.1:1?speed=9", Code::InvalidArgument,
              "unknown option 'speed' (known: timeout_ms, retries)");
  // Nothing listens on port 1 of the loopback.
  expectError("board://127.0.0.1:1?timeout_ms=10&retries=1",
              Code::Unavailable, "cannot connect to 127.0.0.1:1");
  expectError("board+serial:///nonexistent/tty?retries=0", Code::Unavailable,
              "cannot open serial line /nonexistent/tty");
}

} // namespace
