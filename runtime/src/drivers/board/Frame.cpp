//===- Frame.cpp - The board protocol's frames ------------------*- C++ -*-===//

#include "drivers/board/Frame.h"

#include <google/protobuf/message_lite.h>

#include <array>
#include <cstring>

namespace cim::rt::board {

namespace {

/// Tables for CRC-32 eight bytes at a time ("slicing by 8"): t[0] is the
/// byte-wise table, t[k][i] the CRC of byte i followed by k zero bytes.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
const CrcTables &crcTables() {
  static const CrcTables tables = [] {
    CrcTables t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int k = 1; k < 8; ++k)
        t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    return t;
  }();
  return tables;
}

void put16(std::string &out, uint16_t v) {
  out.push_back(char(v & 0xFF));
  out.push_back(char(v >> 8));
}

void put32(std::string &out, uint32_t v) {
  for (int k = 0; k < 4; ++k)
    out.push_back(char((v >> (8 * k)) & 0xFF));
}

uint16_t get16(const char *p) {
  return uint16_t(uint8_t(p[0]) | uint16_t(uint8_t(p[1])) << 8);
}

uint32_t get32(const char *p) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k)
    v |= uint32_t(uint8_t(p[k])) << (8 * k);
  return v;
}

} // namespace

uint32_t crc32(std::string_view bytes) {
  const CrcTables &t = crcTables();
  uint32_t c = 0xFFFFFFFFu;
  const auto *p = reinterpret_cast<const uint8_t *>(bytes.data());
  size_t n = bytes.size();
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo = c ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 |
                       uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^
        t[4][lo >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; --n, ++p)
    c = t[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string encodeFrame(const Frame &frame) {
  std::string out;
  out.reserve(kFrameHeader + frame.payload.size() + kFrameTrailer);
  put32(out, kFrameMagic);
  put16(out, frame.version);
  put16(out, frame.type);
  put32(out, frame.sequence);
  put32(out, uint32_t(frame.payload.size()));
  out += frame.payload;
  put32(out, crc32(out));
  return out;
}

Frame messageFrame(uint16_t type, uint32_t sequence,
                   const google::protobuf::MessageLite &message) {
  Frame f;
  f.type = type;
  f.sequence = sequence;
  f.payload = message.SerializeAsString();
  return f;
}

std::optional<Frame> FrameDecoder::next() {
  while (true) {
    // Resynchronise: drop bytes up to the next magic (keeping a partial
    // magic at the end, which more bytes may complete).
    size_t start = 0;
    while (start + 4 <= buffer_.size() &&
           get32(buffer_.data() + start) != kFrameMagic)
      ++start;
    if (start + 4 > buffer_.size())
      start = buffer_.size() >= 3 ? buffer_.size() - 3 : 0;
    if (start > 0) {
      buffer_.erase(0, start);
    }
    if (buffer_.size() < kFrameHeader)
      return std::nullopt;
    const char *h = buffer_.data();
    uint16_t version = get16(h + 4);
    uint32_t length = get32(h + 12);
    if (version != kBoardProtocolVersion || length > kMaxFramePayload) {
      // Not a frame this decoder can read: skip its magic and look again.
      ++rejected_;
      buffer_.erase(0, 4);
      continue;
    }
    size_t total = kFrameHeader + size_t(length) + kFrameTrailer;
    if (buffer_.size() < total)
      return std::nullopt;
    uint32_t crc = get32(h + kFrameHeader + length);
    if (crc != crc32(std::string_view(h, kFrameHeader + length))) {
      ++rejected_;
      buffer_.erase(0, 4);
      continue;
    }
    Frame f;
    f.version = version;
    f.type = get16(h + 6);
    f.sequence = get32(h + 8);
    f.payload.assign(h + kFrameHeader, length);
    buffer_.erase(0, total);
    return f;
  }
}

} // namespace cim::rt::board
