//===- BoardServer.h - A board's side of the protocol -----------*- C++ -*-===//
//
// What a board does with the requests of the board protocol (docs/Board.md),
// computing with a HAL device: cim-board-emu runs one over the simulator.
// Each request frame gets one reply frame with its sequence number. A
// request whose sequence number was answered before (a host re-sending
// after a lost reply) gets the recorded reply again and is not executed
// twice. A tile arrives as the artifact holds it, with its target, and is
// validated exactly as the runtime validates an artifact's tiles before it
// reaches the device; anything malformed is an ERROR reply naming what.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H
#define CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H

#include "board.pb.h"
#include "drivers/board/Frame.h"
#include "hal/Hal.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace cim::rt::board {

class BoardServer {
public:
  /// A board named `name` that computes with `device`.
  BoardServer(std::shared_ptr<Device> device, std::string name);

  /// The reply to one request frame.
  Frame handle(const Frame &request);

  /// Requests answered again from the record (re-sent by the host).
  uint64_t duplicatesAnswered() const { return duplicates_; }

  /// Replies remembered for re-sent requests.
  static constexpr size_t kRememberedReplies = 64;

private:
  Frame execute(const Frame &request);
  Frame reply(const Frame &request, cim::board::MessageType type,
              const google::protobuf::MessageLite &message) const;
  Frame error(const Frame &request, const Status &status) const;

  std::shared_ptr<Device> device_;
  std::string name_;
  /// A programmed tile: the device's handle and the tile's shape.
  struct Programmed {
    TileHandle handle = 0;
    int64_t rows = 0, cols = 0;
  };
  std::map<uint32_t, Programmed> tiles_; // by the host's handle
  std::unordered_map<uint32_t, Frame> answered_;
  std::deque<uint32_t> answeredOrder_;
  uint64_t received_ = 0, duplicates_ = 0;
};

} // namespace cim::rt::board

#endif // CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H
