//===- BoardProtocolFuzz.cpp - Fuzzing the board protocol's decoders ------===//
//
// The first byte of an input chooses what the rest is:
//  - high bit clear: a byte stream as a link would deliver it, split into
//    pieces of (first byte % 64) + 1 bytes. The board's frame decoder takes
//    the pieces; every frame it yields goes to a board server over the
//    ideal simulator (which parses the payload as its message type and
//    executes it);
//  - high bit set: requests past the framing (which a CRC protects, so
//    that mutated payloads would rarely get through it): records of a
//    type byte, a 16-bit little-endian length and the payload, each handed
//    to the server as a frame.
// Every reply is encoded, decoded again as a host would and parsed as its
// type. Nothing may crash, hang or read out of bounds, whatever the bytes.
//
// Built two ways:
//  - with libFuzzer (clang -fsanitize=fuzzer,address; scripts/fuzz.sh):
//    cim-board-fuzz, which explores from the seed corpus it writes;
//  - without (any compiler): cim-board-fuzz-replay, a test that runs the
//    same function over the seeds and a fixed number of seeded mutations of
//    them (FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "artifact/HalImage.h"
#include "board.pb.h"
#include "cim/Macro/Artifact.h"
#include "drivers/board/BoardServer.h"

#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using namespace cim;
using namespace cim::rt;
using namespace cim::rt::board;
namespace pb = cim::board;

namespace {

BoardServer &server() {
  // Payloads with invalid UTF-8 in string fields fail to parse (an ERROR
  // reply says so); protobuf's own log line about them is noise here.
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  static BoardServer *s = new BoardServer(
      [] { return DriverRegistry::global().open("sim://ideal?threads=1"); },
      "fuzz board");
  return *s;
}

/// Parses `payload` as the message of `type` (either direction).
void parseAs(uint16_t type, const std::string &payload) {
  switch (type) {
  case pb::IDENTITY: {
    pb::Identity m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::TILE_PROGRAMMED: {
    pb::TileProgrammed m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::MVM_RESULT: {
    pb::MvmResult m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::COUNTERS: {
    pb::Counters m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::CONDUCTANCES: {
    pb::Conductances m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::ANALOG_STATE: {
    pb::AnalogState m;
    (void)m.ParseFromString(payload);
    break;
  }
  case pb::ERROR: {
    pb::Error m;
    (void)m.ParseFromString(payload);
    break;
  }
  default:
    break;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  // Each input starts a session of its own: a fresh device, and no record
  // of earlier inputs' replies (so that an input behaves the same alone).
  static uint64_t sessions = 0;
  pb::Identify start;
  start.set_session(++sessions);
  Frame identify;
  identify.type = pb::IDENTIFY;
  identify.payload = start.SerializeAsString();
  (void)server().handle(identify);
  std::string_view bytes(reinterpret_cast<const char *>(data + 1), size - 1);
  FrameDecoder host;
  auto serve = [&](const Frame &request) {
    Frame reply = server().handle(request);
    host.push(encodeFrame(reply));
    while (std::optional<Frame> f = host.next())
      parseAs(f->type, f->payload);
  };
  if (data[0] & 0x80) {
    uint32_t sequence = 1;
    while (bytes.size() >= 3) {
      Frame f;
      f.type = uint8_t(bytes[0]);
      size_t length = uint8_t(bytes[1]) | size_t(uint8_t(bytes[2])) << 8;
      bytes.remove_prefix(3);
      length = std::min(length, bytes.size());
      f.payload.assign(bytes.substr(0, length));
      bytes.remove_prefix(length);
      f.sequence = sequence++;
      serve(f);
    }
    return 0;
  }
  size_t piece = 1 + data[0] % 64;
  FrameDecoder board;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    board.push(bytes.substr(at, piece));
    while (std::optional<Frame> request = board.next())
      serve(*request);
  }
  return 0;
}

namespace {

/// A session of valid requests: identify, program a tile, MVMs with and
/// without a carry, an analog solve, counters, release and reset, in the
/// order a host sends them.
std::vector<Frame> seedFrames() {
  artifact::Target target;
  target.set_name("fuzz");
  target.set_dac_bits(8);
  target.set_adc_bits(8);
  artifact::ArrayKind *kind = target.add_arrays();
  kind->set_name("rram");
  kind->set_cell_tech(artifact::RRAM);
  kind->set_rows(8);
  kind->set_cols(8);
  kind->set_bits_per_cell(4);
  kind->set_count(4);
  kind->set_encoding(artifact::DIFFERENTIAL);
  artifact::Tile tile;
  tile.set_id(1);
  tile.set_rows(3);
  tile.set_cols(2);
  for (int c = 0; c < 2; ++c)
    tile.add_scales(0.5f);
  for (int i = 0; i < 6; ++i) {
    tile.add_g_pos(i % 2 ? 0.25f : 0.0f);
    tile.add_g_neg(i % 2 ? 0.0f : 0.5f);
  }
  std::vector<Frame> out;
  uint32_t seq = 1;
  pb::Identify id;
  id.set_session(42);
  out.push_back(messageFrame(pb::IDENTIFY, seq++, id));
  pb::ProgramTile program;
  program.set_handle(1);
  *program.mutable_tile() = tile;
  *program.mutable_target() = target;
  out.push_back(messageFrame(pb::PROGRAM_TILE, seq++, program));
  pb::Mvm mvm;
  mvm.set_handle(1);
  mvm.set_batch(2);
  for (int i = 0; i < 6; ++i)
    mvm.add_x(0.25f * float(i) - 0.5f);
  out.push_back(messageFrame(pb::MVM, seq++, mvm));
  for (int i = 0; i < 4; ++i)
    mvm.add_carry(0.125f);
  out.push_back(messageFrame(pb::MVM, seq++, mvm));
  pb::AnalogOpen open;
  open.set_handle(1);
  *open.mutable_target() = target;
  out.push_back(messageFrame(pb::ANALOG_OPEN, seq++, open));
  pb::AnalogStep step;
  step.set_handle(1);
  step.set_kind(pb::AnalogStep::ENTER);
  step.set_rows(2);
  step.set_width(2);
  for (int i = 0; i < 4; ++i)
    step.add_v(float(i));
  out.push_back(messageFrame(pb::ANALOG_STEP, seq++, step));
  step.set_kind(pb::AnalogStep::INTEGRATE);
  out.push_back(messageFrame(pb::ANALOG_STEP, seq++, step));
  pb::AnalogClose close;
  close.set_handle(1);
  out.push_back(messageFrame(pb::ANALOG_CLOSE, seq++, close));
  out.push_back(messageFrame(pb::READ_COUNTERS, seq++, pb::ReadCounters()));
  pb::ReadConductances read;
  read.set_handle(1);
  out.push_back(messageFrame(pb::READ_CONDUCTANCES, seq++, read));
  pb::ReleaseTile release;
  release.set_handle(1);
  out.push_back(messageFrame(pb::RELEASE_TILE, seq++, release));
  out.push_back(messageFrame(pb::RESET, seq++, pb::Reset()));
  return out;
}

/// The seeds as inputs of each kind: encoded frames (a whole session, and
/// each frame alone), and records past the framing.
std::vector<std::string> seedInputs() {
  std::vector<Frame> frames = seedFrames();
  std::vector<std::string> inputs;
  std::string session(1, char(5)), records(1, char(0x80));
  for (const Frame &f : frames) {
    std::string encoded = encodeFrame(f);
    session += encoded;
    inputs.push_back(char(63) + encoded);
    records += char(f.type);
    records += char(f.payload.size() & 0xFF);
    records += char(f.payload.size() >> 8);
    records += f.payload;
  }
  inputs.push_back(session);
  inputs.push_back(records);
  return inputs;
}

} // namespace

#ifdef CIM_FUZZ_REPLAY_MAIN
/// cim-board-fuzz-replay (FuzzReplay.h): the seeds are made here; the
/// mutations keep the first byte, which chooses the kind of input.
int main(int argc, char **argv) {
  fuzz::ReplayTarget target;
  target.name = "cim-board-fuzz-replay";
  target.fixedPrefix = 1;
  target.seeds = [](const std::vector<std::string> &) { return seedInputs(); };
  return fuzz::replayMain(argc, argv, target);
}
#endif
