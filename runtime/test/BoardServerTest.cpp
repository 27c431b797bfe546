//===- BoardServerTest.cpp - A board's side of the protocol -----*- C++ -*-===//
//
// The board server over the simulator against the simulator itself: it
// identifies itself, programs a tile sent as the artifact holds it, and
// its MVM replies equal the device's own reads; a re-sent request gets the
// recorded reply without running again; malformed payloads, unknown
// handles, wrong sizes, malformed tiles and replies sent as requests get
// ERROR replies that name the problem.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"
#include "drivers/board/BoardServer.h"

#include <gtest/gtest.h>

using namespace cim;
using namespace cim::rt::board;
namespace pb = cim::board;

namespace {

Frame request(pb::MessageType type, uint32_t sequence,
              const google::protobuf::MessageLite &message) {
  return messageFrame(uint16_t(type), sequence, message);
}

/// The ERROR reply's code and message.
std::pair<std::string, std::string> errorOf(const Frame &reply) {
  EXPECT_EQ(reply.type, pb::ERROR);
  pb::Error e;
  EXPECT_TRUE(e.ParseFromString(reply.payload));
  return {e.code(), e.message()};
}

struct Board {
  BoardServer server;
  artifact::Artifact artifact; // holds the tile programmed as handle 5
  Board()
      : server([] { return rt::DriverRegistry::global().open("sim://ideal"); },
               "test board") {
    test::ArtifactBuilder b(4, 8);
    std::vector<float> w = {0.5f, -0.25f, 1.0f,  0.0f, -1.0f, 0.75f,
                            0.25f, 0.5f,  -0.5f, 1.0f, 0.125f, -0.75f};
    b.tile(4, 3, w);
    artifact = b.artifact();
  }
  pb::ProgramTile program(uint32_t handle) const {
    pb::ProgramTile p;
    p.set_handle(handle);
    *p.mutable_tile() = artifact.tiles(0);
    *p.mutable_target() = artifact.target();
    return p;
  }
};

TEST(BoardServer, IdentifiesItself) {
  Board board;
  Frame reply = board.server.handle(request(pb::IDENTIFY, 1, pb::Identify()));
  ASSERT_EQ(reply.type, pb::IDENTITY);
  EXPECT_EQ(reply.sequence, 1u);
  pb::Identity id;
  ASSERT_TRUE(id.ParseFromString(reply.payload));
  EXPECT_EQ(id.protocol_version(), kBoardProtocolVersion);
  EXPECT_EQ(id.board(), "test board");
}

TEST(BoardServer, MvmRepliesEqualTheDevicesReads) {
  Board board;
  Frame programmed =
      board.server.handle(request(pb::PROGRAM_TILE, 1, board.program(5)));
  ASSERT_EQ(programmed.type, pb::TILE_PROGRAMMED) << errorOf(programmed).second;
  pb::Mvm mvm;
  mvm.set_handle(5);
  mvm.set_batch(2);
  std::vector<float> x = {1, 0.5f, -1, 0.25f, 0, 1, 1, -0.5f};
  for (float v : x)
    mvm.add_x(v);
  Frame reply = board.server.handle(request(pb::MVM, 2, mvm));
  ASSERT_EQ(reply.type, pb::MVM_RESULT) << errorOf(reply).second;
  pb::MvmResult result;
  ASSERT_TRUE(result.ParseFromString(reply.payload));
  // The same tile on a device of its own.
  auto direct = *rt::DriverRegistry::global().open("sim://ideal");
  const artifact::Target &target = board.artifact.target();
  std::vector<float> want = test::programAndRead(
      *direct, rt::toTileImage(board.artifact.tiles(0), target),
      rt::toMacroConfig(target), x, 2);
  EXPECT_EQ(std::vector<float>(result.y().begin(), result.y().end()), want);

  // Re-sent (the reply was lost): the recorded reply, not a second run.
  Frame again = board.server.handle(request(pb::MVM, 2, mvm));
  EXPECT_EQ(again.payload, reply.payload);
  EXPECT_EQ(board.server.duplicatesAnswered(), 1u);
  Frame counters =
      board.server.handle(request(pb::READ_COUNTERS, 3, pb::ReadCounters()));
  pb::Counters c;
  ASSERT_TRUE(c.ParseFromString(counters.payload));
  EXPECT_EQ(c.mvm_calls(), 1u);
  EXPECT_EQ(c.duplicates_answered(), 1u);

  // Reset releases the tile.
  EXPECT_EQ(board.server.handle(request(pb::RESET, 4, pb::Reset())).type,
            pb::DONE);
  EXPECT_EQ(errorOf(board.server.handle(request(pb::MVM, 5, mvm))).first,
            "NOT_FOUND");
}

TEST(BoardServer, RefusesWhatItCannotDo) {
  Board board;
  Frame garbage;
  garbage.type = pb::MVM;
  garbage.sequence = 1;
  garbage.payload = "\xff\xff\xff";
  EXPECT_EQ(errorOf(board.server.handle(garbage)),
            std::make_pair(std::string("INVALID_ARGUMENT"),
                           std::string("MVM: the payload does not parse")));
  pb::Mvm mvm;
  mvm.set_handle(9);
  mvm.set_batch(1);
  EXPECT_EQ(errorOf(board.server.handle(request(pb::MVM, 2, mvm))).second,
            "tile handle 9 is not programmed");
  ASSERT_EQ(board.server.handle(request(pb::PROGRAM_TILE, 3, board.program(9)))
                .type,
            pb::TILE_PROGRAMMED);
  mvm.add_x(1.0f); // one input for a 4-row tile
  EXPECT_EQ(errorOf(board.server.handle(request(pb::MVM, 4, mvm))).second,
            "MVM: 1 inputs, tile 9 needs batch 1 x 4 rows");
  EXPECT_EQ(errorOf(board.server.handle(request(pb::PROGRAM_TILE, 5,
                                                board.program(9))))
                .second,
            "tile handle 9 is programmed already");
  // A malformed tile is refused as the runtime refuses an artifact's (the
  // request's argument is wrong).
  pb::ProgramTile broken = board.program(10);
  broken.mutable_tile()->mutable_g_pos()->RemoveLast();
  auto [code, message] =
      errorOf(board.server.handle(request(pb::PROGRAM_TILE, 6, broken)));
  EXPECT_EQ(code, "INVALID_ARGUMENT");
  EXPECT_NE(message.find("tiles[0].g_pos: has 11 values"), std::string::npos)
      << message;
  // A reply is not a request.
  EXPECT_EQ(errorOf(board.server.handle(request(pb::DONE, 7, pb::Done())))
                .second,
            "message type 13 is not a request this board serves");
}

} // namespace

TEST(BoardServer, SessionsStartAfreshAndResumeOnlyTheirOwn) {
  Board board;
  pb::Identify start;
  start.set_session(77);
  Frame id = board.server.handle(request(pb::IDENTIFY, 1, start));
  ASSERT_EQ(id.type, pb::IDENTITY);
  ASSERT_EQ(board.server.handle(request(pb::PROGRAM_TILE, 2, board.program(1)))
                .type,
            pb::TILE_PROGRAMMED);
  // Resuming the same session keeps the tile and the record of replies.
  pb::Identify resume = start;
  resume.set_resume(true);
  EXPECT_EQ(board.server.handle(request(pb::IDENTIFY, 3, resume)).type,
            pb::IDENTITY);
  EXPECT_EQ(board.server.handle(request(pb::PROGRAM_TILE, 2, board.program(1)))
                .type,
            pb::TILE_PROGRAMMED); // sequence 2 again: from the record
  EXPECT_EQ(board.server.duplicatesAnswered(), 1u);
  // Another host's session resets the board: the tile is gone, and its
  // sequence numbers start again without meeting the old record.
  pb::Identify other;
  other.set_session(78);
  EXPECT_EQ(board.server.handle(request(pb::IDENTIFY, 1, other)).type,
            pb::IDENTITY);
  pb::Mvm mvm;
  mvm.set_handle(1);
  mvm.set_batch(1);
  for (int i = 0; i < 4; ++i)
    mvm.add_x(1.0f);
  EXPECT_EQ(errorOf(board.server.handle(request(pb::MVM, 2, mvm))).first,
            "NOT_FOUND");
  // The first host cannot resume.
  auto [code, message] =
      errorOf(board.server.handle(request(pb::IDENTIFY, 4, resume)));
  EXPECT_EQ(code, "FAILED_PRECONDITION");
  EXPECT_NE(message.find("session 77 cannot be resumed"), std::string::npos)
      << message;
}

TEST(BoardServer, AnalogSolvesAreTheDevicesBoundary) {
  // A quantising board: the state entering the analog domain goes through
  // the DAC as the device's own analog state does it.
  BoardServer server(
      [] { return rt::DriverRegistry::global().open("sim://quantized"); },
      "test board");
  test::ArtifactBuilder b(4, 8, 4, 3, 3);
  pb::AnalogOpen open;
  open.set_handle(1);
  *open.mutable_target() = b.artifact().target();
  ASSERT_EQ(server.handle(request(pb::ANALOG_OPEN, 1, open)).type, pb::DONE);
  pb::AnalogStep step;
  step.set_handle(1);
  step.set_kind(pb::AnalogStep::ENTER);
  step.set_rows(2);
  step.set_width(3);
  std::vector<float> h = {0.4f, -1.0f, 0.1f, 2.0f, 0.7f, -0.2f};
  for (float v : h)
    step.add_v(v);
  Frame entered = server.handle(request(pb::ANALOG_STEP, 2, step));
  ASSERT_EQ(entered.type, pb::ANALOG_STATE);
  pb::AnalogState state;
  ASSERT_TRUE(state.ParseFromString(entered.payload));
  auto device = *rt::DriverRegistry::global().open("sim://quantized");
  auto direct = device->openAnalogState(rt::toMacroConfig(open.target()));
  ASSERT_TRUE(direct.isOk());
  std::vector<float> want = h;
  ASSERT_TRUE((*direct)->enter(want.data(), 2, 3).isOk());
  EXPECT_EQ(std::vector<float>(state.v().begin(), state.v().end()), want);
  // Steps must keep the size entered; unknown solves are refused.
  step.set_kind(pb::AnalogStep::INTEGRATE);
  step.mutable_v()->RemoveLast();
  EXPECT_EQ(errorOf(server.handle(request(pb::ANALOG_STEP, 3, step))).second,
            "ANALOG_STEP: analog solve 1 holds 6 values, got 5");
  step.set_handle(2);
  EXPECT_EQ(errorOf(server.handle(request(pb::ANALOG_STEP, 4, step))).first,
            "NOT_FOUND");
}
