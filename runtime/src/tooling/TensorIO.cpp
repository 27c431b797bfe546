//===- TensorIO.cpp - ONNX test-data tensor files (.pb) ---------*- C++ -*-===//
//
// The .pb reader and writer. raw_data is decoded byte by byte as little
// endian, which is what ONNX specifies regardless of the host.
//
//===----------------------------------------------------------------------===//

#include "tooling/TensorIO.h"

#include "base/FileBytes.h"
#include "base/ProtobufLog.h"

#include "tensor.pb.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
/// Whether this host stores integers least significant byte first, as
/// .pb raw_data and .npy "<" data are.
const bool kLittleEndian = [] {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}();
} // namespace

namespace cim::rt {
namespace {

uint64_t loadLE(std::string_view raw, size_t offset, size_t bytes) {
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

namespace {


/// The top-level raw_data field (9, length-delimited) of a serialized
/// TensorProto, found without copying it: the message's other bytes (its
/// fields before and after), and a view of the data. Nothing if the bytes
/// do not parse as fields or have no raw_data.
struct SplitRaw {
  std::string rest;
  std::string_view raw;
};
std::optional<SplitRaw> splitRawData(std::string_view bytes) {
  if (bytes.size() > size_t(INT_MAX))
    return std::nullopt;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
  in.SetTotalBytesLimit(INT_MAX);
  while (true) {
    int at = in.CurrentPosition();
    uint32_t tag = in.ReadTag();
    if (tag == 0)
      return std::nullopt; // the end (or garbage): no raw_data
    if (tag == (9u << 3 | 2u)) {
      uint32_t length;
      if (!in.ReadVarint32(&length))
        return std::nullopt;
      int begin = in.CurrentPosition();
      if (length > bytes.size() - size_t(begin))
        return std::nullopt;
      SplitRaw s;
      s.raw = bytes.substr(size_t(begin), length);
      s.rest.assign(bytes.substr(0, size_t(at)));
      s.rest.append(bytes.substr(size_t(begin) + length));
      return s;
    }
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag))
      return std::nullopt;
  }
}

StatusOr<HostTensor> parseTensorBytes(std::string_view bytes,
                                      const std::string &label) {
  io::Tensor proto;
  // raw_data, where the data of large tensors is, stays where it is; the
  // other fields parse as usual.
  std::optional<SplitRaw> split = splitRawData(bytes);
  std::string_view parsed = split ? std::string_view(split->rest) : bytes;
  ProtobufLogCapture log;
  if (bytes.size() > size_t(INT_MAX) ||
      !proto.ParseFromArray(parsed.data(), int(parsed.size())) ||
      (split && proto.has_raw_data()))
    return makeError(Code::DataLoss, label,
                     ": not an ONNX TensorProto (protobuf parse failed",
                     log.suffix(), ")");
  HostTensor t;
  t.name = proto.name();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  auto count = checkedElementCount(t.dims, label + ": dims");
  if (!count.isOk())
    return Status(Code::DataLoss, count.status().message());
  size_t n = size_t(*count);
  int type = proto.data_type();
  std::string_view raw = split ? split->raw : proto.raw_data();
  bool useRaw = split || proto.has_raw_data();

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
  case kOnnxInt8:
    elemBytes = 1;
    break;
  default:
    return makeError(Code::Unimplemented, label, ": data_type ", type, " (",
                     onnxTypeName(type),
                     ") is not supported (FLOAT, DOUBLE, INT32, INT64, UINT8, "
                     "INT8, BOOL are)");
  }
  bool isFloat = type == kOnnxFloat || type == kOnnxDouble;
  t.dtype = isFloat ? DType::F32 : type == kOnnxBool ? DType::Bool : DType::I64;
  // The data must hold the elements the dims say before any memory is
  // taken for them: a few bytes of dims may claim 2^40 elements.
  if (useRaw) {
    if (raw.size() % elemBytes != 0)
      return makeError(Code::DataLoss, label, ": raw_data has ", raw.size(),
                       " bytes, not a multiple of ", elemBytes);
    CIM_TRY(checkCount(raw.size() / elemBytes, "raw_data"));
  } else if (type == kOnnxFloat) {
    CIM_TRY(checkCount(proto.float_data_size(), "float_data"));
  } else if (type == kOnnxDouble) {
    CIM_TRY(checkCount(proto.double_data_size(), "double_data"));
  } else if (type == kOnnxInt64) {
    CIM_TRY(checkCount(proto.int64_data_size(), "int64_data"));
  } else {
    // ONNX stores BOOL, UINT8 and INT8 in int32_data as well.
    CIM_TRY(checkCount(proto.int32_data_size(), "int32_data"));
  }
  if (isFloat)
    t.data.resize(n);
  else
    t.ints.resize(n);
  if (useRaw) {
    // Little-endian hosts read float32 and int64 data as it lies (an
    // empty tensor's vector has no storage to copy to).
    if (kLittleEndian && type == kOnnxFloat) {
      if (n)
        std::memcpy(t.data.data(), raw.data(), n * 4);
      return t;
    }
    if (kLittleEndian && type == kOnnxInt64) {
      if (n)
        std::memcpy(t.ints.data(), raw.data(), n * 8);
      return t;
    }
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
      case kOnnxInt8:
        t.ints[i] = int8_t(uint8_t(bits));
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
    std::copy(proto.float_data().begin(), proto.float_data().end(),
              t.data.begin());
    break;
  case kOnnxDouble:
    for (size_t i = 0; i < n; ++i)
      t.data[i] = float(proto.double_data(int(i)));
    break;
  case kOnnxInt64:
    std::copy(proto.int64_data().begin(), proto.int64_data().end(),
              t.ints.begin());
    break;
  case kOnnxInt32:
  case kOnnxUint8:
  case kOnnxInt8:
  case kOnnxBool:
    for (size_t i = 0; i < n; ++i) {
      int32_t v = proto.int32_data(int(i));
      t.ints[i] = type == kOnnxBool    ? (v != 0 ? 1 : 0)
                  : type == kOnnxUint8 ? int64_t(uint8_t(v))
                  : type == kOnnxInt8  ? int64_t(int8_t(v))
                                       : int64_t(v);
    }
    break;
  }
  return t;
}

} // namespace

StatusOr<HostTensor> parseTensorProto(const std::string &bytes,
                                      const std::string &label) {
  return parseTensorBytes(bytes, label);
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
  CIM_ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::open(path));
  return parseTensorBytes(file->bytes(), path);
}

namespace {
/// The value of `key` in a .npy header dict ("{'descr': '<f4', ...}"): the
/// text after "'key':" up to the next top-level comma or closing brace.
std::string npyField(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string::npos)
    return "";
  int depth = 0;
  size_t end = at + 1;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  std::string v = header.substr(at + 1, end - at - 1);
  v.erase(0, v.find_first_not_of(" "));
  v.erase(v.find_last_not_of(" ") + 1);
  return v;
}
} // namespace

namespace {
constexpr std::string_view kNpyMagic("\x93NUMPY", 6);
} // namespace

StatusOr<HostTensor> parseNpyBytes(std::string_view bytes,
                                   const std::string &path) {
  auto bad = [&](const std::string &why) {
    return makeError(Code::InvalidArgument, path, ": not a readable .npy file (",
                     why, ")");
  };
  if (bytes.size() < 10 || bytes.substr(0, 6) != kNpyMagic)
    return bad("no NUMPY magic");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return bad("format version " + std::to_string(major));
  }
  if (headerLen > bytes.size() - offset)
    return bad("truncated header");
  const std::string header(bytes.substr(offset, headerLen));
  offset += headerLen;
  if (npyField(header, "fortran_order") != "False")
    return bad("only C-order arrays are read");
  std::string descr = npyField(header, "descr");
  std::string shape = npyField(header, "shape");
  if (descr.size() < 2 || shape.size() < 2 || shape.front() != '(' ||
      shape.back() != ')')
    return bad("header without descr or shape");
  descr = descr.substr(1, descr.size() - 2); // drop the quotes
  HostTensor t;
  t.name = std::filesystem::path(path).stem().string();
  std::string dims = shape.substr(1, shape.size() - 2);
  for (size_t pos = 0; pos < dims.size();) {
    size_t comma = dims.find(',', pos);
    std::string d = dims.substr(pos, comma == std::string::npos ? std::string::npos
                                                                : comma - pos);
    d.erase(0, d.find_first_not_of(" "));
    d.erase(d.find_last_not_of(" ") + 1);
    if (!d.empty()) {
      char *end = nullptr;
      long long v = std::strtoll(d.c_str(), &end, 10);
      if (*end != 0 || v < 0 || v > (int64_t(1) << 40))
        return bad("shape " + shape);
      t.dims.push_back(v);
    }
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  // The limits of .pb files: the same shapes read in both formats.
  StatusOr<int64_t> checked = checkedElementCount(t.dims, "shape");
  if (!checked.isOk())
    return bad("shape " + shape);
  int64_t count = *checked;
  struct Kind {
    const char *descr;
    size_t size;
  };
  static const Kind kinds[] = {{"<f4", 4}, {"<f8", 8}, {"<i8", 8},
                               {"<i4", 4}, {"|u1", 1}, {"|b1", 1}};
  const Kind *kind = nullptr;
  for (const Kind &k : kinds)
    if (descr == k.descr)
      kind = &k;
  if (!kind)
    return bad("element type '" + descr +
               "' (read: <f4, <f8, <i8, <i4, |u1, |b1)");
  if (bytes.size() - offset != size_t(count) * kind->size)
    return bad("holds " + std::to_string(bytes.size() - offset) +
               " data bytes, the shape needs " +
               std::to_string(size_t(count) * kind->size));
  const char *data = bytes.data() + offset;
  t.dtype = descr[1] == 'f' ? DType::F32 : descr == "|b1" ? DType::Bool
                                                          : DType::I64;
  // Little-endian hosts read float32 and int64 data as it lies.
  if (kLittleEndian && descr == "<f4") {
    t.data.resize(size_t(count));
    if (count)
      std::memcpy(t.data.data(), data, size_t(count) * 4);
    return t;
  }
  if (kLittleEndian && descr == "<i8") {
    t.ints.resize(size_t(count));
    if (count)
      std::memcpy(t.ints.data(), data, size_t(count) * 8);
    return t;
  }
  for (int64_t i = 0; i < count; ++i) {
    const char *at = data + size_t(i) * kind->size;
    if (descr == "<f4") {
      float f;
      std::memcpy(&f, at, 4);
      t.data.push_back(f);
    } else if (descr == "<f8") {
      double d;
      std::memcpy(&d, at, 8);
      t.data.push_back(float(d));
    } else if (descr == "<i8") {
      int64_t v;
      std::memcpy(&v, at, 8);
      t.ints.push_back(v);
    } else if (descr == "<i4") {
      int32_t v;
      std::memcpy(&v, at, 4);
      t.ints.push_back(v);
    } else {
      t.ints.push_back(uint8_t(*at));
    }
  }
  return t;
}

StatusOr<HostTensor> readNpyFile(const std::string &path) {
  CIM_ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::open(path));
  return parseNpyBytes(file->bytes(), path);
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
    if (kLittleEndian) {
      raw.assign(reinterpret_cast<const char *>(tensor.data.data()),
                 tensor.data.size() * 4);
      break;
    }
    for (float f : tensor.data) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      put(bits, 4);
    }
    break;
  case DType::I64:
    proto.set_data_type(kOnnxInt64);
    if (kLittleEndian) {
      raw.assign(reinterpret_cast<const char *>(tensor.ints.data()),
                 tensor.ints.size() * 8);
      break;
    }
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

std::string serializeNpy(const HostTensor &tensor) {
  const char *descr = tensor.dtype == DType::F32   ? "<f4"
                      : tensor.dtype == DType::I64 ? "<i8"
                                                   : "|b1";
  std::string shape = "(";
  for (int64_t d : tensor.dims)
    shape += std::to_string(d) + (tensor.dims.size() == 1 ? ",)" : ", ");
  if (tensor.dims.size() != 1) {
    if (tensor.dims.size() > 1)
      shape.resize(shape.size() - 2);
    shape += ")";
  }
  std::string header = strCat("{'descr': '", descr,
                              "', 'fortran_order': False, 'shape': ", shape,
                              ", }");
  // Magic, version, 2-byte length, header: padded with spaces to a
  // multiple of 64 bytes, ending in a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes.push_back(char(header.size() & 0xFF));
  bytes.push_back(char(header.size() >> 8));
  bytes += header;
  if (tensor.dtype == DType::F32) {
    bytes.append(reinterpret_cast<const char *>(tensor.data.data()),
                 tensor.data.size() * sizeof(float));
  } else if (tensor.dtype == DType::I64) {
    bytes.append(reinterpret_cast<const char *>(tensor.ints.data()),
                 tensor.ints.size() * sizeof(int64_t));
  } else {
    for (int64_t v : tensor.ints)
      bytes.push_back(v != 0 ? 1 : 0);
  }
  return bytes;
}

Status writeNpyFile(const std::string &path, const HostTensor &tensor) {
  return writeFileAtomically(path, serializeNpy(tensor));
}

StatusOr<HostTensor> readAnyTensorFile(const std::string &path) {
  CIM_ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::open(path));
  std::string_view bytes = file->bytes();
  if (std::filesystem::path(path).extension() == ".npy" ||
      bytes.substr(0, kNpyMagic.size()) == kNpyMagic)
    return parseNpyBytes(bytes, path);
  return parseTensorBytes(bytes, path);
}

std::optional<StatusOr<HostTensor>>
parseTensorLiteral(const std::string &text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos)
    return std::nullopt;
  // DxDx...xTYPE: dims are digits, then the type.
  std::string spec = text.substr(0, eq);
  Shape dims;
  size_t pos = 0;
  while (true) {
    size_t x = spec.find('x', pos);
    if (x == std::string::npos)
      break;
    std::string d = spec.substr(pos, x - pos);
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos ||
        d.size() > 12)
      return std::nullopt;
    dims.push_back(std::stoll(d));
    pos = x + 1;
  }
  std::string type = spec.substr(pos);
  HostTensor t;
  if (type == "f32")
    t.dtype = DType::F32;
  else if (type == "i64")
    t.dtype = DType::I64;
  else if (type == "i1" || type == "bool")
    t.dtype = DType::Bool;
  else
    return std::nullopt;
  t.dims = dims;
  auto bad = [&](const std::string &why) -> StatusOr<HostTensor> {
    return makeError(Code::InvalidArgument, "tensor literal '", text, "': ",
                     why);
  };
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d > (int64_t(1) << 32) || (d > 0 && count > (int64_t(1) << 32) / d))
      return bad("the shape is too large");
    count *= d;
  }
  std::vector<std::string> values;
  std::string item;
  for (char c : text.substr(eq + 1) + " ") {
    if (c == ',' || c == ' ' || c == '[' || c == ']' || c == '\t') {
      if (!item.empty())
        values.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (values.empty())
    return bad("no values");
  if (values.size() != 1 && int64_t(values.size()) != count)
    return bad(strCat(values.size(), " values for a shape of ", count,
                      " elements"));
  for (const std::string &v : values) {
    char *end = nullptr;
    errno = 0;
    double d = t.dtype == DType::F32 ? std::strtod(v.c_str(), &end)
                                     : double(std::strtoll(v.c_str(), &end, 10));
    if (*end != 0 || errno == ERANGE)
      return bad(strCat("'", v, "' is not ",
                        t.dtype == DType::F32 ? "a number" : "an integer"));
    if (t.dtype == DType::Bool && d != 0 && d != 1)
      return bad(strCat("'", v, "' is not 0 or 1"));
    if (t.dtype == DType::F32)
      t.data.push_back(float(d));
    else
      t.ints.push_back(std::strtoll(v.c_str(), nullptr, 10));
  }
  // One value fills the shape.
  if (values.size() == 1 && count != 1) {
    if (t.dtype == DType::F32)
      t.data.assign(size_t(count), t.data[0]);
    else
      t.ints.assign(size_t(count), t.ints[0]);
  }
  return StatusOr<HostTensor>(std::move(t));
}

} // namespace cim::rt
