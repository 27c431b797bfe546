//===- Frame.h - The board protocol's frames --------------------*- C++ -*-===//
//
// One frame of the board protocol (docs/Board.md), little-endian:
//
//   offset  size  field
//   0       4     magic "CIMB"
//   4       2     protocol version (kBoardProtocolVersion)
//   6       2     message type (board.proto's MessageType)
//   8       4     sequence number
//   12      4     payload length L (at most kMaxFramePayload)
//   16      L     payload: the message, protobuf-encoded
//   16 + L  4     CRC-32 (IEEE 802.3) of bytes [0, 16 + L)
//
// FrameDecoder takes bytes as a link delivers them (any split) and yields
// whole frames; it skips to the next magic after garbage and counts the
// frames it rejects (bad CRC, an unknown version, a length over the bound),
// so that one corrupted frame costs that frame, not the link.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_BOARD_FRAME_H
#define CIMRT_SRC_DRIVERS_BOARD_FRAME_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
} // namespace google::protobuf

namespace cim::rt::board {

inline constexpr uint32_t kFrameMagic = 0x424D4943; // "CIMB" little-endian
inline constexpr uint16_t kBoardProtocolVersion = 1;
inline constexpr size_t kFrameHeader = 16, kFrameTrailer = 4;
/// The largest payload a frame may carry (a 1024x1024 tile's image is
/// about 8 MiB).
inline constexpr uint32_t kMaxFramePayload = 64u << 20;

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of `bytes`.
uint32_t crc32(std::string_view bytes);

struct Frame {
  uint16_t version = kBoardProtocolVersion;
  uint16_t type = 0;
  uint32_t sequence = 0;
  std::string payload;
};

/// The bytes of `frame` on the wire.
std::string encodeFrame(const Frame &frame);

/// A frame of `type` and `sequence` carrying `message` (board.proto).
Frame messageFrame(uint16_t type, uint32_t sequence,
                   const google::protobuf::MessageLite &message);

class FrameDecoder {
public:
  /// Appends bytes received from the link.
  void push(std::string_view bytes) { buffer_.append(bytes); }

  /// The next whole, valid frame, or nothing until more bytes arrive.
  /// Invalid frames are dropped (and counted); the decoder resynchronises
  /// on the next magic.
  std::optional<Frame> next();

  /// Drops what is buffered: a length corrupted into a large one holds
  /// the decoder waiting for bytes that never come, until the host's
  /// timeout clears it and re-sends.
  void clear() { buffer_.clear(); }

  uint64_t rejected() const { return rejected_; }
  /// Bytes held, waiting for the rest of a frame.
  size_t buffered() const { return buffer_.size(); }

private:
  std::string buffer_;
  uint64_t rejected_ = 0;
};

} // namespace cim::rt::board

#endif // CIMRT_SRC_DRIVERS_BOARD_FRAME_H
