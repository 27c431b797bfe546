//===- Frame.cpp - The board protocol's frames ------------------*- C++ -*-===//

#include "drivers/board/Frame.h"

#include <array>
#include <cstring>

namespace cim::rt::board {

namespace {

const std::array<uint32_t, 256> &crcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
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
  const std::array<uint32_t, 256> &t = crcTable();
  uint32_t c = 0xFFFFFFFFu;
  for (char b : bytes)
    c = t[(c ^ uint8_t(b)) & 0xFF] ^ (c >> 8);
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
