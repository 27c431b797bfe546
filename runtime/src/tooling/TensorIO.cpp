//===- TensorIO.cpp - ONNX test-data tensor files (.pb) ---------*- C++ -*-===//
//
// The .pb reader and writer. raw_data is decoded byte by byte as little
// endian, which is what ONNX specifies regardless of the host.
//
//===----------------------------------------------------------------------===//

#include "tooling/TensorIO.h"

#include "tensor.pb.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace cim::rt {
namespace {

uint64_t loadLE(const std::string &raw, size_t offset, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= uint64_t(uint8_t(raw[offset + i])) << (8 * i);
  return v;
}

const char *onnxTypeName(int type) {
  switch (type) {
  case 0:
    return "UNDEFINED";
  case 3:
    return "INT8";
  case 4:
    return "UINT16";
  case 5:
    return "INT16";
  case 8:
    return "STRING";
  case 10:
    return "FLOAT16";
  case 12:
    return "UINT32";
  case 13:
    return "UINT64";
  case 14:
    return "COMPLEX64";
  case 15:
    return "COMPLEX128";
  case 16:
    return "BFLOAT16";
  default:
    return "unknown";
  }
}

} // namespace

StatusOr<HostTensor> parseTensorProto(const std::string &bytes,
                                      const std::string &label) {
  io::Tensor proto;
  if (bytes.size() > size_t(INT_MAX) ||
      !proto.ParseFromArray(bytes.data(), int(bytes.size())))
    return makeError(Code::DataLoss, label,
                     ": not an ONNX TensorProto (protobuf parse failed)");
  HostTensor t;
  t.name = proto.name();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  auto count = checkedElementCount(t.dims, label + ": dims");
  if (!count.isOk())
    return Status(Code::DataLoss, count.status().message());
  size_t n = size_t(*count);
  int type = proto.data_type();
  const std::string &raw = proto.raw_data();
  bool useRaw = proto.has_raw_data();

  auto checkCount = [&](size_t have, const char *field) -> Status {
    if (have != n)
      return makeError(Code::DataLoss, label, ": ", field, " holds ", have,
                       " elements, dims ", shapeToString(t.dims), " need ", n);
    return Status::ok();
  };
  size_t elemBytes = 0;
  switch (type) {
  case kOnnxFloat:
  case kOnnxInt32:
    elemBytes = 4;
    break;
  case kOnnxInt64:
  case kOnnxDouble:
    elemBytes = 8;
    break;
  case kOnnxBool:
  case kOnnxUint8:
    elemBytes = 1;
    break;
  default:
    return makeError(Code::Unimplemented, label, ": data_type ", type, " (",
                     onnxTypeName(type),
                     ") is not supported (FLOAT, DOUBLE, INT32, INT64, UINT8, "
                     "BOOL are)");
  }
  bool isFloat = type == kOnnxFloat || type == kOnnxDouble;
  t.dtype = isFloat ? DType::F32 : type == kOnnxBool ? DType::Bool : DType::I64;
  if (isFloat)
    t.data.resize(n);
  else
    t.ints.resize(n);
  if (useRaw) {
    if (raw.size() % elemBytes != 0)
      return makeError(Code::DataLoss, label, ": raw_data has ", raw.size(),
                       " bytes, not a multiple of ", elemBytes);
    CIM_TRY(checkCount(raw.size() / elemBytes, "raw_data"));
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits = loadLE(raw, i * elemBytes, elemBytes);
      switch (type) {
      case kOnnxFloat: {
        uint32_t b32 = uint32_t(bits);
        float f;
        std::memcpy(&f, &b32, 4);
        t.data[i] = f;
        break;
      }
      case kOnnxDouble: {
        double d;
        std::memcpy(&d, &bits, 8);
        t.data[i] = float(d);
        break;
      }
      case kOnnxInt32:
        t.ints[i] = int32_t(uint32_t(bits));
        break;
      case kOnnxInt64:
        t.ints[i] = int64_t(bits);
        break;
      case kOnnxUint8:
        t.ints[i] = int64_t(bits);
        break;
      case kOnnxBool:
        t.ints[i] = bits != 0 ? 1 : 0;
        break;
      }
    }
    return t;
  }
  switch (type) {
  case kOnnxFloat:
    CIM_TRY(checkCount(proto.float_data_size(), "float_data"));
    std::copy(proto.float_data().begin(), proto.float_data().end(),
              t.data.begin());
    break;
  case kOnnxDouble:
    CIM_TRY(checkCount(proto.double_data_size(), "double_data"));
    for (size_t i = 0; i < n; ++i)
      t.data[i] = float(proto.double_data(int(i)));
    break;
  case kOnnxInt64:
    CIM_TRY(checkCount(proto.int64_data_size(), "int64_data"));
    std::copy(proto.int64_data().begin(), proto.int64_data().end(),
              t.ints.begin());
    break;
  case kOnnxInt32: // ONNX stores BOOL and UINT8 in int32_data as well.
  case kOnnxUint8:
  case kOnnxBool:
    CIM_TRY(checkCount(proto.int32_data_size(), "int32_data"));
    for (size_t i = 0; i < n; ++i) {
      int32_t v = proto.int32_data(int(i));
      t.ints[i] = type == kOnnxBool    ? (v != 0 ? 1 : 0)
                  : type == kOnnxUint8 ? int64_t(uint8_t(v))
                                       : int64_t(v);
    }
    break;
  }
  return t;
}

Tensor toTensor(const HostTensor &host) {
  Tensor t = Tensor::zeros(host.dtype, host.dims);
  int64_t n = t.numElements();
  switch (host.dtype) {
  case DType::F32:
    std::copy_n(host.data.begin(), std::min<size_t>(n, host.data.size()),
                t.mutableData<float>());
    break;
  case DType::I64:
    std::copy_n(host.ints.begin(), std::min<size_t>(n, host.ints.size()),
                t.mutableData<int64_t>());
    break;
  case DType::Bool: {
    bool *dst = t.mutableData<bool>();
    for (size_t i = 0; i < std::min<size_t>(n, host.ints.size()); ++i)
      dst[i] = host.ints[i] != 0;
    break;
  }
  }
  return t;
}

HostTensor fromTensor(const Tensor &t, const std::string &name) {
  HostTensor h;
  h.name = name;
  h.dims = t.dims();
  h.dtype = t.dtype();
  int64_t n = t.numElements();
  switch (t.dtype()) {
  case DType::F32:
    h.data.assign(t.data<float>(), t.data<float>() + n);
    break;
  case DType::I64:
    h.ints.assign(t.data<int64_t>(), t.data<int64_t>() + n);
    break;
  case DType::Bool:
    for (int64_t i = 0; i < n; ++i)
      h.ints.push_back(t.data<bool>()[i] ? 1 : 0);
    break;
  }
  return h;
}

StatusOr<HostTensor> readTensorFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(errno == ENOENT ? Code::NotFound : Code::InvalidArgument,
                     path, ": cannot open: ", std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return makeError(Code::DataLoss, path, ": read error");
  return parseTensorProto(ss.str(), path);
}

std::string serializeTensorProto(const HostTensor &tensor) {
  io::Tensor proto;
  for (int64_t d : tensor.dims)
    proto.add_dims(d);
  if (!tensor.name.empty())
    proto.set_name(tensor.name);
  std::string raw;
  auto put = [&raw](uint64_t bits, int bytes) {
    for (int b = 0; b < bytes; ++b)
      raw.push_back(char((bits >> (8 * b)) & 0xFF));
  };
  switch (tensor.dtype) {
  case DType::F32:
    proto.set_data_type(kOnnxFloat);
    for (float f : tensor.data) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      put(bits, 4);
    }
    break;
  case DType::I64:
    proto.set_data_type(kOnnxInt64);
    for (int64_t v : tensor.ints)
      put(uint64_t(v), 8);
    break;
  case DType::Bool:
    proto.set_data_type(kOnnxBool);
    for (int64_t v : tensor.ints)
      put(v != 0 ? 1 : 0, 1);
    break;
  }
  proto.set_raw_data(std::move(raw));
  return proto.SerializeAsString();
}

Status writeFileAtomically(const std::string &path, const std::string &bytes) {
  std::string tmp = strCat(path, ".tmp.", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return makeError(Code::InvalidArgument, path,
                       ": cannot write: ", std::strerror(errno));
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return makeError(Code::Internal, path, ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return makeError(Code::Internal, path,
                     ": cannot rename temporary file: ", ec.message());
  }
  return Status::ok();
}

Status writeTensorFile(const std::string &path, const HostTensor &tensor) {
  return writeFileAtomically(path, serializeTensorProto(tensor));
}

} // namespace cim::rt
