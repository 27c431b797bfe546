//===- TensorIO.h - ONNX test-data tensor files (.pb) -----------*- C++ -*-===//
//
// Reads and writes the input_N.pb / output_N.pb files of ONNX test data
// (serialized onnx.TensorProto) through the wire-compatible cim.io.Tensor,
// so the tools need no ONNX library. Reading accepts the encodings test data
// uses in practice (typed fields or raw_data; FLOAT, DOUBLE, INT32, INT64,
// UINT8, BOOL) into the runtime's three element types: FLOAT and DOUBLE
// become F32, the integer types I64, BOOL stays BOOL. Writing produces
// FLOAT, INT64 or BOOL with raw_data.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_TENSORIO_H
#define CIMRT_SRC_TOOLING_TENSORIO_H

#include "base/Status.h"
#include "base/Tensor.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cim::rt {

/// A named tensor as stored in a .pb file.
struct HostTensor {
  std::string name;
  Shape dims;
  std::vector<float> data; // the elements when dtype is F32
  DType dtype = DType::F32;
  std::vector<int64_t> ints = {}; // the elements when dtype is I64 or BOOL
};

/// ONNX TensorProto.DataType codes the reader understands.
enum OnnxDataType : int {
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxBool = 9,
  kOnnxDouble = 11,
};

/// The runtime tensor holding `host`'s elements in its dtype.
Tensor toTensor(const HostTensor &host);
/// A host tensor named `name` holding `t`'s elements in its dtype.
HostTensor fromTensor(const Tensor &t, const std::string &name);

/// Decodes a serialized TensorProto; errors start with `label`.
StatusOr<HostTensor> parseTensorProto(const std::string &bytes,
                                      const std::string &label);
/// Reads a .pb file; errors start with the path.
StatusOr<HostTensor> readTensorFile(const std::string &path);
/// Reads a NumPy .npy file (C order; float32/64, int32/64, uint8 or bool
/// elements, little-endian) into the runtime's element types as
/// readTensorFile does; the tensor is named after the file's stem.
StatusOr<HostTensor> readNpyFile(const std::string &path);
/// Decodes the bytes of a .npy file as readNpyFile does; errors start with
/// `path`, whose stem names the tensor.
StatusOr<HostTensor> parseNpyBytes(std::string_view bytes,
                                   const std::string &path);
/// Encodes as a NumPy .npy file (version 1, C order: <f4, <i8 or |b1).
std::string serializeNpy(const HostTensor &tensor);
/// Writes a NumPy .npy file (version 1, C order: <f4, <i8 or |b1)
/// atomically.
Status writeNpyFile(const std::string &path, const HostTensor &tensor);
/// Reads `path` as .npy if it ends in ".npy" or starts with NumPy's magic
/// string (so a pipe works), else as a TensorProto .pb.
StatusOr<HostTensor> readAnyTensorFile(const std::string &path);
/// Parses an inline tensor literal, in the style of iree-run-module:
/// "[DxDx...x]TYPE=VALUES" with TYPE f32, i64 or i1 (bool), VALUES
/// separated by commas or spaces (brackets ignored); one value for a
/// shape of more fills it. Examples: "i64=8", "2x3xf32=[1,2,3,4,5,6]",
/// "4xf32=0". Returns nothing if `text` is not of that form.
std::optional<StatusOr<HostTensor>> parseTensorLiteral(const std::string &text);
/// Encodes as data_type FLOAT, INT64 or BOOL with little-endian raw_data.
std::string serializeTensorProto(const HostTensor &tensor);
/// Writes a .pb file atomically (temporary file + rename), so that a failed
/// or interrupted write never leaves a truncated file at `path`.
Status writeTensorFile(const std::string &path, const HostTensor &tensor);
/// Writes any bytes atomically, as writeTensorFile does.
Status writeFileAtomically(const std::string &path, const std::string &bytes);

} // namespace cim::rt

#endif // CIMRT_SRC_TOOLING_TENSORIO_H
