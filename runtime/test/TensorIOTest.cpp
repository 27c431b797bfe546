//===- TensorIOTest.cpp - Reading and writing ONNX .pb tensors --*- C++ -*-===//
//
// Every encoding the reader accepts, the errors for what it does not, the
// writer's round trip, and a real file from the ONNX node tests when the
// Debian test data is installed.
//
//===----------------------------------------------------------------------===//

#include "tooling/TensorIO.h"

#include "tensor.pb.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace cim;
using rt::Code;

namespace {

std::string encode(const io::Tensor &t) { return t.SerializeAsString(); }

TEST(TensorIO, RoundTrip) {
  rt::HostTensor t{"y", {2, 2}, {1.5f, -2.0f, 0.0f, 3.25e-7f}};
  std::string path = ::testing::TempDir() + "cimrt_roundtrip.pb";
  ASSERT_TRUE(rt::writeTensorFile(path, t).isOk());
  auto back = rt::readTensorFile(path);
  ASSERT_TRUE(back.isOk()) << back.status().message();
  EXPECT_EQ(back->name, "y");
  EXPECT_EQ(back->dims, t.dims);
  EXPECT_EQ(back->data, t.data);
  // Written as FLOAT + raw_data, like ONNX's own test data.
  io::Tensor proto;
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(proto.ParseFromIstream(&in));
  EXPECT_EQ(proto.data_type(), 1);
  EXPECT_EQ(proto.raw_data().size(), 16u);
  EXPECT_EQ(proto.float_data_size(), 0);
  std::remove(path.c_str());
  // No temporary file is left behind.
  for (const auto &e :
       std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_EQ(e.path().filename().string().find("cimrt_roundtrip.pb.tmp"),
              std::string::npos);
}

TEST(TensorIO, TypedEncodings) {
  io::Tensor f;
  f.add_dims(3);
  f.set_data_type(1);
  for (float v : {1.0f, 2.0f, 3.0f})
    f.add_float_data(v);
  auto t = rt::parseTensorProto(encode(f), "f.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->data, (std::vector<float>{1, 2, 3}));

  io::Tensor d;
  d.add_dims(2);
  d.set_data_type(11);
  d.add_double_data(0.5);
  d.add_double_data(-4.0);
  t = rt::parseTensorProto(encode(d), "d.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->data, (std::vector<float>{0.5f, -4.0f}));

  io::Tensor i64;
  i64.add_dims(2);
  i64.set_data_type(7);
  i64.add_int64_data(-3);
  i64.add_int64_data(1LL << 40);
  t = rt::parseTensorProto(encode(i64), "i64.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->dtype, rt::DType::I64);
  EXPECT_EQ(t->ints, (std::vector<int64_t>{-3, 1LL << 40}));
  EXPECT_TRUE(t->data.empty());

  io::Tensor i32;
  i32.add_dims(1);
  i32.set_data_type(6);
  i32.add_int32_data(-7);
  t = rt::parseTensorProto(encode(i32), "i32.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->dtype, rt::DType::I64);
  EXPECT_EQ(t->ints, (std::vector<int64_t>{-7}));

  // INT8, raw (one byte each) and in int32_data, widens to I64 with its
  // sign (UINT8 below).
  io::Tensor s8;
  s8.add_dims(3);
  s8.set_data_type(3);
  s8.set_raw_data(std::string("\xff\x7f\x80", 3));
  t = rt::parseTensorProto(encode(s8), "s8.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->dtype, rt::DType::I64);
  EXPECT_EQ(t->ints, (std::vector<int64_t>{-1, 127, -128}));
  s8.clear_raw_data();
  for (int v : {-1, 127, -128})
    s8.add_int32_data(v);
  t = rt::parseTensorProto(encode(s8), "s8.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->ints, (std::vector<int64_t>{-1, 127, -128}));
  io::Tensor b;
  b.add_dims(3);
  b.set_data_type(9);
  b.set_raw_data(std::string("\x01\x00\x01", 3));
  t = rt::parseTensorProto(encode(b), "b.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->dtype, rt::DType::Bool);
  EXPECT_EQ(t->ints, (std::vector<int64_t>{1, 0, 1}));

  io::Tensor b32; // BOOL in int32_data, nonzero is true
  b32.add_dims(2);
  b32.set_data_type(9);
  b32.add_int32_data(0);
  b32.add_int32_data(5);
  t = rt::parseTensorProto(encode(b32), "b32.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->ints, (std::vector<int64_t>{0, 1}));

  io::Tensor u8;
  u8.add_dims(2);
  u8.set_data_type(2);
  u8.set_raw_data(std::string("\x07\xff", 2));
  t = rt::parseTensorProto(encode(u8), "u8.pb");
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->dtype, rt::DType::I64);
  EXPECT_EQ(t->ints, (std::vector<int64_t>{7, 255}));
  u8.clear_raw_data();
  u8.add_int32_data(200);
  u8.add_int32_data(1);
  t = rt::parseTensorProto(encode(u8), "u8.pb");
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->ints, (std::vector<int64_t>{200, 1}));

  io::Tensor rawI64;
  rawI64.add_dims(1);
  rawI64.set_data_type(7);
  rawI64.set_raw_data(std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8));
  t = rt::parseTensorProto(encode(rawI64), "r.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_EQ(t->ints, (std::vector<int64_t>{-2}));

  io::Tensor scalar;
  scalar.set_data_type(1);
  scalar.add_float_data(9.0f);
  t = rt::parseTensorProto(encode(scalar), "s.pb");
  ASSERT_TRUE(t.isOk());
  EXPECT_TRUE(t->dims.empty());
  EXPECT_EQ(t->data, (std::vector<float>{9.0f}));
}

TEST(TensorIO, TypedRoundTripAndScalars) {
  // I64 and BOOL are written as INT64 / BOOL raw_data and read back
  // exactly; rank-0 tensors keep no dims.
  rt::HostTensor i{"ids", {3}, {}, rt::DType::I64, {-1, 1LL << 62, 7}};
  rt::HostTensor b{"mask", {2, 1}, {}, rt::DType::Bool, {1, 0}};
  rt::HostTensor s{"s", {}, {2.5f}};
  rt::HostTensor si{"si", {}, {}, rt::DType::I64, {-9}};
  for (const rt::HostTensor *t : {&i, &b, &s, &si}) {
    std::string bytes = rt::serializeTensorProto(*t);
    io::Tensor proto;
    ASSERT_TRUE(proto.ParseFromString(bytes));
    int want = t->dtype == rt::DType::F32   ? 1
               : t->dtype == rt::DType::I64 ? 7
                                            : 9;
    EXPECT_EQ(proto.data_type(), want) << t->name;
    EXPECT_TRUE(proto.has_raw_data()) << t->name;
    auto back = rt::parseTensorProto(bytes, t->name);
    ASSERT_TRUE(back.isOk()) << back.status().message();
    EXPECT_EQ(back->dtype, t->dtype) << t->name;
    EXPECT_EQ(back->dims, t->dims) << t->name;
    EXPECT_EQ(back->data, t->data) << t->name;
    EXPECT_EQ(back->ints, t->ints) << t->name;
  }
  // toTensor / fromTensor keep the type and values.
  rt::Tensor bt = rt::toTensor(b);
  EXPECT_EQ(bt.dtype(), rt::DType::Bool);
  EXPECT_TRUE(bt.data<bool>()[0]);
  EXPECT_FALSE(bt.data<bool>()[1]);
  EXPECT_EQ(rt::fromTensor(bt, "m").ints, b.ints);
  EXPECT_EQ(rt::fromTensor(rt::toTensor(i), "x").ints, i.ints);
}

TEST(TensorIO, EmptyTensorsRoundTrip) {
  // A dimension of 0: no elements, and nothing copied from or to the
  // element vectors (which have no storage), in both formats and types.
  rt::HostTensor f{"f", {0, 3}, {}};
  rt::HostTensor i{"i", {2, 0}, {}, rt::DType::I64, {}};
  for (const rt::HostTensor *t : {&f, &i}) {
    for (bool npy : {false, true}) {
      std::string bytes =
          npy ? rt::serializeNpy(*t) : rt::serializeTensorProto(*t);
      auto back = npy ? rt::parseNpyBytes(bytes, "t.npy")
                      : rt::parseTensorProto(bytes, "t.pb");
      ASSERT_TRUE(back.isOk()) << back.status().message();
      EXPECT_EQ(back->dtype, t->dtype) << t->name;
      EXPECT_EQ(back->dims, t->dims) << t->name;
      EXPECT_TRUE(back->data.empty() && back->ints.empty()) << t->name;
    }
  }
}

TEST(TensorIO, DimsAreCheckedBeforeAllocating) {
  // Dims claiming 2^39 elements with no data: an error, not 2 TiB taken.
  io::Tensor t;
  t.set_data_type(1);
  t.add_dims(int64_t(1) << 20);
  t.add_dims(int64_t(1) << 19);
  auto r = rt::parseTensorProto(encode(t), "t.pb");
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("float_data holds 0 elements"),
            std::string::npos)
      << r.status().message();
  // A 0 beside dims whose product passes 2^40: refused in both formats.
  rt::HostTensor wide{"w", {0, int64_t(1) << 30, int64_t(1) << 30}, {}};
  EXPECT_FALSE(rt::parseTensorProto(rt::serializeTensorProto(wide), "w.pb")
                   .isOk());
  EXPECT_FALSE(rt::parseNpyBytes(rt::serializeNpy(wide), "w.npy").isOk());
}

TEST(TensorIO, Errors) {
  auto bad = rt::parseTensorProto("\xff\xff\xff", "bad.pb");
  EXPECT_EQ(bad.status().code(), Code::DataLoss);
  EXPECT_EQ(bad.status().message(),
            "bad.pb: not an ONNX TensorProto (protobuf parse failed)");

  io::Tensor f16;
  f16.add_dims(1);
  f16.set_data_type(10);
  f16.set_raw_data("ab");
  bad = rt::parseTensorProto(encode(f16), "h.pb");
  EXPECT_EQ(bad.status().code(), Code::Unimplemented);
  EXPECT_NE(bad.status().message().find("h.pb: data_type 10 (FLOAT16)"),
            std::string::npos);

  io::Tensor shortData;
  shortData.add_dims(4);
  shortData.set_data_type(1);
  shortData.add_float_data(1.0f);
  bad = rt::parseTensorProto(encode(shortData), "s.pb");
  EXPECT_EQ(bad.status().code(), Code::DataLoss);
  EXPECT_EQ(bad.status().message(),
            "s.pb: float_data holds 1 elements, dims [4] need 4");

  io::Tensor oddRaw;
  oddRaw.add_dims(1);
  oddRaw.set_data_type(1);
  oddRaw.set_raw_data("abc");
  EXPECT_EQ(rt::parseTensorProto(encode(oddRaw), "o.pb").status().code(),
            Code::DataLoss);

  io::Tensor negative;
  negative.add_dims(-2);
  negative.set_data_type(1);
  EXPECT_EQ(rt::parseTensorProto(encode(negative), "n.pb").status().code(),
            Code::DataLoss);

  auto missing = rt::readTensorFile("/no/such/file.pb");
  EXPECT_EQ(missing.status().code(), Code::NotFound);
}

TEST(TensorIO, ReadsOnnxNodeTestData) {
  const char *path = "/usr/share/libonnx-testdata/data/node/test_relu/"
                     "test_data_set_0/input_0.pb";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  auto t = rt::readTensorFile(path);
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->name, "x");
  EXPECT_EQ(t->dims, (rt::Shape{3, 4, 5}));
  EXPECT_EQ(t->data.size(), 60u);

  const char *boolPath = "/usr/share/libonnx-testdata/data/node/test_loop11/"
                         "test_data_set_0/input_1.pb";
  if (!std::filesystem::exists(boolPath))
    return;
  t = rt::readTensorFile(boolPath); // the scalar BOOL 'cond'
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->dtype, rt::DType::Bool);
  EXPECT_TRUE(t->dims.empty());
  EXPECT_EQ(t->ints, (std::vector<int64_t>{1}));
}

} // namespace

namespace {
/// A version 1 .npy file of `descr` and `shape` (Python tuple text) holding
/// `data`, its header padded to a multiple of 64 bytes as NumPy writes it.
std::string npy(const std::string &descr, const std::string &shape,
                const std::string &data) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xFF);
  out += char(header.size() >> 8);
  return out + header + data;
}

std::string writeFile(const std::string &name, const std::string &bytes) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}
} // namespace

TEST(TensorIO, NpyFiles) {
  float f[6] = {1, -2, 3.5f, 0, 5, 6};
  auto t = rt::readNpyFile(writeFile(
      "images.npy", npy("<f4", "(2, 3)", std::string((char *)f, sizeof f))));
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->name, "images");
  EXPECT_EQ(t->dims, (rt::Shape{2, 3}));
  EXPECT_EQ(t->dtype, rt::DType::F32);
  EXPECT_EQ(t->data, std::vector<float>(f, f + 6));
  double d[2] = {0.25, -8};
  auto td = rt::readNpyFile(
      writeFile("d.npy", npy("<f8", "(2,)", std::string((char *)d, sizeof d))));
  ASSERT_TRUE(td.isOk()) << td.status().message();
  EXPECT_EQ(td->data, (std::vector<float>{0.25f, -8.0f}));
  int64_t i[3] = {7, -1, 1LL << 40};
  auto ti = rt::readNpyFile(
      writeFile("i.npy", npy("<i8", "(3,)", std::string((char *)i, sizeof i))));
  ASSERT_TRUE(ti.isOk()) << ti.status().message();
  EXPECT_EQ(ti->dtype, rt::DType::I64);
  EXPECT_EQ(ti->ints, (std::vector<int64_t>{7, -1, 1LL << 40}));
  auto scalar = rt::readNpyFile(
      writeFile("s.npy", npy("<f4", "()", std::string((char *)f, 4))));
  ASSERT_TRUE(scalar.isOk()) << scalar.status().message();
  EXPECT_TRUE(scalar->dims.empty());

  // Errors name the file and what is wrong.
  auto bad = rt::readNpyFile(writeFile("bad.npy", "not numpy"));
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("bad.npy: not a readable .npy file "
                                        "(no NUMPY magic)"),
            std::string::npos);
  auto shortData = rt::readNpyFile(writeFile(
      "short.npy", npy("<f4", "(2, 3)", std::string((char *)f, 8))));
  ASSERT_FALSE(shortData.isOk());
  EXPECT_NE(shortData.status().message().find(
                "holds 8 data bytes, the shape needs 24"),
            std::string::npos);
  auto big = rt::readNpyFile(
      writeFile("big.npy", npy(">f4", "(1,)", std::string((char *)f, 4))));
  ASSERT_FALSE(big.isOk());
  EXPECT_NE(big.status().message().find("element type '>f4'"),
            std::string::npos);
  auto fortran = writeFile(
      "f.npy", std::string(npy("<f4", "(1,)", std::string((char *)f, 4)))
                   .replace(std::string(npy("<f4", "(1,)", "")).find("False"),
                            5, "True "));
  EXPECT_FALSE(rt::readNpyFile(fortran).isOk());
  EXPECT_EQ(rt::readNpyFile(::testing::TempDir() + "none.npy").status().code(),
            rt::Code::NotFound);
}

TEST(TensorIO, NpyRoundTrips) {
  // Written as .npy and read back: every element type, 0-d to 3-d, and an
  // empty tensor.
  std::vector<rt::HostTensor> cases;
  rt::HostTensor scalar;
  scalar.dims = {};
  scalar.data = {2.5f};
  cases.push_back(scalar);
  rt::HostTensor steps;
  steps.dtype = rt::DType::I64;
  steps.dims = {};
  steps.ints = {1LL << 40};
  cases.push_back(steps);
  rt::HostTensor ints;
  ints.dtype = rt::DType::I64;
  ints.dims = {3};
  ints.ints = {7, -1, -(1LL << 50)};
  cases.push_back(ints);
  rt::HostTensor flags;
  flags.dtype = rt::DType::Bool;
  flags.dims = {2, 2};
  flags.ints = {1, 0, 0, 1};
  cases.push_back(flags);
  rt::HostTensor cube;
  cube.dims = {2, 1, 3};
  cube.data = {1, -2, 3.5f, 0, 1e-30f, -6};
  cases.push_back(cube);
  rt::HostTensor empty;
  empty.dims = {0, 4};
  cases.push_back(empty);
  for (size_t k = 0; k < cases.size(); ++k) {
    std::string path = ::testing::TempDir() + "rt" + std::to_string(k) + ".npy";
    ASSERT_TRUE(rt::writeNpyFile(path, cases[k]).isOk());
    auto back = rt::readAnyTensorFile(path);
    ASSERT_TRUE(back.isOk()) << back.status().message();
    EXPECT_EQ(back->dims, cases[k].dims) << k;
    EXPECT_EQ(back->dtype, cases[k].dtype) << k;
    EXPECT_EQ(back->data, cases[k].data) << k;
    EXPECT_EQ(back->ints, cases[k].ints) << k;
    // The header is padded so that the data starts on a 64-byte boundary.
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    size_t headerLen = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
    EXPECT_EQ((10 + headerLen) % 64, 0u) << k;
    EXPECT_EQ(bytes[10 + headerLen - 1], '\n') << k;
  }
}

TEST(TensorIO, Literals) {
  auto t = rt::parseTensorLiteral("i64=8");
  ASSERT_TRUE(t && t->isOk());
  EXPECT_TRUE((*t)->dims.empty());
  EXPECT_EQ((*t)->dtype, rt::DType::I64);
  EXPECT_EQ((*t)->ints, (std::vector<int64_t>{8}));
  t = rt::parseTensorLiteral("2x3xf32=[1, 2, 3, 4, 5, 6.5]");
  ASSERT_TRUE(t && t->isOk());
  EXPECT_EQ((*t)->dims, (rt::Shape{2, 3}));
  EXPECT_EQ((*t)->data, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
  t = rt::parseTensorLiteral("4xf32=0.5"); // one value fills the shape
  ASSERT_TRUE(t && t->isOk());
  EXPECT_EQ((*t)->data, std::vector<float>(4, 0.5f));
  t = rt::parseTensorLiteral("2xi1=1 0");
  ASSERT_TRUE(t && t->isOk());
  EXPECT_EQ((*t)->dtype, rt::DType::Bool);
  EXPECT_EQ((*t)->ints, (std::vector<int64_t>{1, 0}));
  // Not literals: file names.
  EXPECT_FALSE(rt::parseTensorLiteral("a.npy"));
  EXPECT_FALSE(rt::parseTensorLiteral("data/x=1.pb"));
  EXPECT_FALSE(rt::parseTensorLiteral("f64=1"));
  // Malformed literals are errors naming the literal.
  auto message = [](const char *text) {
    auto r = rt::parseTensorLiteral(text);
    EXPECT_TRUE(r && !r->isOk()) << text;
    return r && !r->isOk() ? r->status().message() : std::string();
  };
  EXPECT_EQ(message("2x3xf32=[1,2]"),
            "tensor literal '2x3xf32=[1,2]': 2 values for a shape of 6 "
            "elements");
  EXPECT_EQ(message("i64=1.5"), "tensor literal 'i64=1.5': '1.5' is not an "
                                "integer");
  EXPECT_EQ(message("i1=2"), "tensor literal 'i1=2': '2' is not 0 or 1");
  EXPECT_EQ(message("f32="), "tensor literal 'f32=': no values");
  EXPECT_EQ(message("f32=abc"), "tensor literal 'f32=abc': 'abc' is not a "
                                "number");
  EXPECT_EQ(message("99999999999x99999999999xf32=0"),
            "tensor literal '99999999999x99999999999xf32=0': the shape is "
            "too large");
}
