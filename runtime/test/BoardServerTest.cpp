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
  Frame f;
  f.type = uint16_t(type);
  f.sequence = sequence;
  f.payload = message.SerializeAsString();
  return f;
}

/// The ERROR reply's code and message.
std::pair<std::string, std::string> errorOf(const Frame &reply) {
  EXPECT_EQ(reply.type, pb::ERROR);
  pb::Error e;
  EXPECT_TRUE(e.ParseFromString(reply.payload));
  return {e.code(), e.message()};
}

struct Board {
  std::shared_ptr<rt::Device> device;
  BoardServer server;
  artifact::Artifact artifact; // holds the tile programmed as handle 5
  Board()
      : device(*rt::DriverRegistry::global().open("sim://ideal")),
        server(device, "test board") {
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
  // A malformed tile is refused as the runtime refuses an artifact's.
  pb::ProgramTile broken = board.program(10);
  broken.mutable_tile()->mutable_g_pos()->RemoveLast();
  auto [code, message] =
      errorOf(board.server.handle(request(pb::PROGRAM_TILE, 6, broken)));
  EXPECT_EQ(code, "DATA_LOSS");
  EXPECT_NE(message.find("tiles[0].g_pos: has 11 values"), std::string::npos)
      << message;
  // A reply is not a request.
  EXPECT_EQ(errorOf(board.server.handle(request(pb::DONE, 7, pb::Done())))
                .second,
            "message type 13 is not a request this board serves");
}

} // namespace
