//===- Tensor.h - Dense tensors and shapes ----------------------*- C++ -*-===//
//
// The runtime's value type: a dense row-major tensor with an element type and
// a concrete shape. Tensors are immutable once a kernel has filled them, so
// their storage is shared (reshape, identity and binding constants copy no
// data) and a tensor handed to the host can never change under it.
//
// Shapes here are always concrete (no -1); declared types with dynamic dims
// live in the artifact and are checked against these at run time.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_TENSOR_H
#define CIMRT_SRC_BASE_TENSOR_H

#include "base/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cim::rt {

/// Element types: the artifact's F32, I64 and I1 (stored as one bool byte,
/// 0 or 1, which is also the C API's BOOL layout).
enum class DType : uint8_t { F32, I64, Bool };

const char *dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

using Shape = std::vector<int64_t>;

/// "[2,?,5]"; -1 prints as "?".
std::string shapeToString(const Shape &dims);

/// The product of `dims`, or an error if a dim is negative or the product
/// of the dims other than 0 passes 2^40 (so that no stride or partial
/// product of an empty tensor overflows either). `what` names the shape for
/// the message.
StatusOr<int64_t> checkedElementCount(const Shape &dims,
                                      const std::string &what);

/// Product of dims that are known to be valid.
int64_t elementCount(const Shape &dims);

/// The numpy broadcast of two shapes, or INVALID_ARGUMENT naming both.
StatusOr<Shape> broadcastShapes(const Shape &a, const Shape &b);

/// Strides (in elements) for walking a tensor of shape `dims` as if it had
/// the broadcast shape `out`: missing leading dims and size-1 dims get 0.
std::vector<int64_t> broadcastStrides(const Shape &dims, const Shape &out);

class Tensor {
public:
  Tensor() = default;

  /// A zero-filled tensor. `dims` must be valid (see checkedElementCount).
  static Tensor zeros(DType dtype, Shape dims);

  /// A tensor whose elements are left unset, for a producer that writes
  /// every one of them (saves zeroing large outputs).
  static Tensor uninitialized(DType dtype, Shape dims);

  /// A tensor over memory it does not own (8-byte aligned, holding the
  /// elements), read in place; `release` runs when the last tensor sharing
  /// it goes. Kernels never write into their inputs, so the memory is only
  /// read.
  static Tensor borrowed(DType dtype, Shape dims, const void *data,
                         std::function<void()> release);

  DType dtype() const { return dtype_; }
  const Shape &dims() const { return dims_; }
  size_t rank() const { return dims_.size(); }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return numElements_ * dtypeSize(dtype_); }
  bool isNull() const { return buffer_ == nullptr; }

  template <typename T> const T *data() const {
    return reinterpret_cast<const T *>(buffer_.get());
  }
  /// Only for the producer that just allocated the tensor.
  template <typename T> T *mutableData() {
    return reinterpret_cast<T *>(buffer_.get());
  }
  const void *rawData() const { return buffer_.get(); }
  void *mutableRawData() { return buffer_.get(); }

  /// The same elements under another shape of equal element count; shares
  /// the storage.
  Tensor reshaped(Shape dims) const;

  /// A copy converted to `dtype` (F32 <-> I64 <-> Bool; bool is x != 0;
  /// F32 -> I64 truncates toward zero, saturates out-of-range values to
  /// INT64_MIN/INT64_MAX and maps NaN to 0). Same dtype: shares storage.
  Tensor convertedTo(DType dtype) const;

private:
  DType dtype_ = DType::F32;
  Shape dims_;
  int64_t numElements_ = 0;
  // uint64_t storage keeps every element type aligned.
  std::shared_ptr<uint64_t[]> buffer_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_BASE_TENSOR_H
