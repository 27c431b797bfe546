//===- BoardFrameTest.cpp - The board protocol's frames ---------*- C++ -*-===//
//
// Frames against their definition (docs/Board.md): the CRC-32 check value,
// the byte layout, round trips of every message type through any split of
// the bytes, and what a link's faults do: garbage before a frame, a flipped
// byte anywhere (the frame is dropped, the next one still arrives), an
// unknown version or an oversized length.
//
//===----------------------------------------------------------------------===//

#include "board.pb.h"
#include "drivers/board/Frame.h"

#include <gtest/gtest.h>

using namespace cim::rt::board;

namespace {

Frame makeFrame(uint16_t type, uint32_t sequence, std::string payload) {
  Frame f;
  f.type = type;
  f.sequence = sequence;
  f.payload = std::move(payload);
  return f;
}

/// Every frame `bytes` decode to, fed in pieces of `step` bytes.
std::vector<Frame> decodeAll(const std::string &bytes, size_t step,
                             FrameDecoder &decoder) {
  std::vector<Frame> out;
  for (size_t i = 0; i < bytes.size(); i += step) {
    decoder.push(std::string_view(bytes).substr(i, step));
    while (std::optional<Frame> f = decoder.next())
      out.push_back(*f);
  }
  return out;
}

TEST(BoardFrame, Crc32CheckValue) {
  // The standard check value of CRC-32/ISO-HDLC.
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
}

TEST(BoardFrame, Crc32EqualsTheBitwiseDefinition) {
  // The table-driven CRC (eight bytes at a time) against the polynomial
  // division bit by bit, for every length up to 100 and every alignment
  // of the eight-byte steps.
  auto bitwise = [](std::string_view bytes) {
    uint32_t c = 0xFFFFFFFFu;
    for (char b : bytes) {
      c ^= uint8_t(b);
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::string data;
  uint32_t s = 12345;
  for (int i = 0; i < 108; ++i) {
    s = s * 1664525u + 1013904223u;
    data += char(s >> 24);
  }
  for (size_t offset = 0; offset < 8; ++offset)
    for (size_t n = 0; n <= 100; ++n) {
      std::string_view v = std::string_view(data).substr(offset, n);
      EXPECT_EQ(crc32(v), bitwise(v)) << "offset " << offset << ", " << n;
    }
}

TEST(BoardFrame, LayoutIsLittleEndian) {
  std::string bytes = encodeFrame(makeFrame(7, 0x01020304, "ab"));
  ASSERT_EQ(bytes.size(), kFrameHeader + 2 + kFrameTrailer);
  EXPECT_EQ(bytes.substr(0, 4), "CIMB");
  EXPECT_EQ(uint8_t(bytes[4]), kBoardProtocolVersion);
  EXPECT_EQ(uint8_t(bytes[5]), 0);
  EXPECT_EQ(uint8_t(bytes[6]), 7);
  EXPECT_EQ(uint8_t(bytes[8]), 0x04);
  EXPECT_EQ(uint8_t(bytes[11]), 0x01);
  EXPECT_EQ(uint8_t(bytes[12]), 2); // payload length
  EXPECT_EQ(bytes.substr(16, 2), "ab");
  uint32_t crc = crc32(std::string_view(bytes).substr(0, 18));
  EXPECT_EQ(uint8_t(bytes[18]), crc & 0xFF);
  EXPECT_EQ(uint8_t(bytes[21]), crc >> 24);
}

TEST(BoardFrame, RoundTripsAnySplit) {
  cim::board::Mvm mvm;
  mvm.set_handle(3);
  mvm.set_batch(2);
  for (int i = 0; i < 8; ++i)
    mvm.add_x(float(i) * 0.25f);
  std::string stream;
  std::vector<Frame> sent;
  for (uint16_t type = cim::board::IDENTIFY; type <= cim::board::ERROR;
       ++type) {
    sent.push_back(makeFrame(type, 100u + type,
                             type == cim::board::MVM ? mvm.SerializeAsString()
                                                     : std::string()));
    stream += encodeFrame(sent.back());
  }
  for (size_t step : {size_t(1), size_t(3), size_t(17), stream.size()}) {
    FrameDecoder decoder;
    std::vector<Frame> got = decodeAll(stream, step, decoder);
    ASSERT_EQ(got.size(), sent.size()) << "step " << step;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].type, sent[i].type);
      EXPECT_EQ(got[i].sequence, sent[i].sequence);
      EXPECT_EQ(got[i].payload, sent[i].payload);
    }
    EXPECT_EQ(decoder.rejected(), 0u);
    EXPECT_EQ(decoder.buffered(), 0u);
  }
  cim::board::Mvm back;
  FrameDecoder decoder;
  std::vector<Frame> got = decodeAll(stream, 5, decoder);
  ASSERT_EQ(got[6].type, cim::board::MVM);
  ASSERT_TRUE(back.ParseFromString(got[6].payload));
  EXPECT_EQ(back.x_size(), 8);
  EXPECT_EQ(back.x(7), 1.75f);
}

TEST(BoardFrame, ACorruptedFrameIsDroppedAndTheNextArrives) {
  std::string first = encodeFrame(makeFrame(cim::board::MVM, 1, "payload-1"));
  std::string second = encodeFrame(makeFrame(cim::board::MVM, 2, "payload-2"));
  // A flip of every byte position in turn: the first frame never arrives
  // intact, the second always does.
  for (size_t i = 0; i < first.size(); ++i) {
    std::string bad = first;
    bad[i] = char(bad[i] ^ 0x5A);
    FrameDecoder decoder;
    std::vector<Frame> got = decodeAll(bad + second, 7, decoder);
    if (i >= 12 && i < 16) {
      // A corrupted length may hold the decoder waiting for bytes that
      // never come (the host's timeout clears it); a shorter one is a bad
      // CRC. Either way the corrupted frame itself never arrives.
      for (const Frame &f : got)
        EXPECT_EQ(f.sequence, 2u) << "byte " << i;
      continue;
    }
    ASSERT_EQ(got.size(), 1u) << "byte " << i;
    EXPECT_EQ(got[0].sequence, 2u);
    EXPECT_EQ(got[0].payload, "payload-2");
    // A broken magic is garbage to skip; anything else a rejected frame.
    EXPECT_EQ(decoder.rejected(), i < 4 ? 0u : 1u) << "byte " << i;
  }
}

TEST(BoardFrame, GarbageVersionsAndLengthsAreSkipped) {
  std::string good = encodeFrame(makeFrame(cim::board::RESET, 9, ""));
  Frame future = makeFrame(cim::board::RESET, 8, "");
  future.version = kBoardProtocolVersion + 1;
  std::string huge = encodeFrame(makeFrame(cim::board::RESET, 7, ""));
  huge[12] = huge[13] = huge[14] = huge[15] = char(0xFF); // 4 GiB - 1
  FrameDecoder decoder;
  std::vector<Frame> got =
      decodeAll("noise CIM" + encodeFrame(future) + huge + good, 4, decoder);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sequence, 9u);
  EXPECT_EQ(decoder.rejected(), 2u);
  // clear() drops a partial frame.
  decoder.push(good.substr(0, 10));
  EXPECT_EQ(decoder.buffered(), 10u);
  decoder.clear();
  EXPECT_FALSE(decoder.next());
  EXPECT_EQ(decoder.buffered(), 0u);
}

} // namespace
