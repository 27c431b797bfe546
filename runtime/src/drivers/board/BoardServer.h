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
// A board serves one host session at a time (Identify in board.proto): a
// new session, or RESET, starts from a fresh device, so that a run gives
// the same results whatever ran on the board before it.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H
#define CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H

#include "board.pb.h"
#include "drivers/board/Frame.h"
#include "hal/Hal.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace cim::rt::board {

class BoardServer {
public:
  /// Opens the device a session computes with.
  using DeviceFactory = std::function<StatusOr<std::shared_ptr<Device>>()>;

  /// A board named `name` that computes with devices from `open` (one
  /// opened now, a fresh one for every session and RESET).
  BoardServer(DeviceFactory open, std::string name);

  /// The reply to one request frame.
  Frame handle(const Frame &request);

  /// Why the board has no device (OK when it has one): its last opening
  /// failed.
  const Status &deviceStatus() const { return deviceStatus_; }

  /// Frames the link's decoder dropped (reported in COUNTERS).
  void setFramesRejected(uint64_t n) { rejected_ = n; }

  /// Requests answered again from the record (re-sent by the host), in
  /// every session.
  uint64_t duplicatesAnswered() const { return duplicatesTotal_; }

  /// Replies remembered for re-sent requests.
  static constexpr size_t kRememberedReplies = 64;

private:
  Frame execute(const Frame &request);
  Frame reply(const Frame &request, cim::board::MessageType type,
              const google::protobuf::MessageLite &message) const;
  Frame error(const Frame &request, const Status &status) const;
  Frame analogStep(const Frame &request);
  /// A fresh device, no tiles or solves.
  Status reset();

  DeviceFactory open_;
  std::shared_ptr<Device> device_;
  Status deviceStatus_ = Status::ok(); // why device_ is null
  std::string name_;
  uint64_t session_ = 0;
  /// A programmed tile: the device's handle and the tile's shape.
  struct Programmed {
    TileHandle handle = 0;
    int64_t rows = 0, cols = 0;
  };
  std::map<uint32_t, Programmed> tiles_; // by the host's handle
  /// An open analog solve: its state, and the size of its vectors.
  struct Solve {
    std::unique_ptr<hal::AnalogState> state;
    uint64_t values = 0; // rows x width, 0 before ENTER
  };
  std::map<uint32_t, Solve> solves_; // by the host's handle
  std::unordered_map<uint32_t, Frame> answered_;
  std::deque<uint32_t> answeredOrder_;
  uint64_t received_ = 0, duplicates_ = 0, rejected_ = 0;
  uint64_t duplicatesTotal_ = 0;
};

} // namespace cim::rt::board

#endif // CIMRT_SRC_DRIVERS_BOARD_BOARDSERVER_H
