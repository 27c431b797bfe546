//===- Tensor.cpp - Dense tensors and shapes --------------------*- C++ -*-===//
//
// Allocation, reshaping and element-type conversion of runtime tensors, and
// the shape helpers every error message uses.
//
//===----------------------------------------------------------------------===//

#include "base/Tensor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace cim::rt {

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "F32";
  case DType::I64:
    return "I64";
  case DType::Bool:
    return "BOOL";
  }
  return "?";
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return 4;
  case DType::I64:
    return 8;
  case DType::Bool:
    return 1;
  }
  return 1;
}

std::string shapeToString(const Shape &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ",";
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s + "]";
}

StatusOr<int64_t> checkedElementCount(const Shape &dims,
                                      const std::string &what) {
  // Cap well below int64 so that byte sizes and index arithmetic on the
  // result cannot overflow either (2^40 elements is far beyond any model).
  // A 0 makes the count 0 but not the other dims' product, which strides
  // and loops over the other dims still compute: that is what is capped.
  constexpr int64_t kMaxElements = int64_t(1) << 40;
  int64_t n = 1, nonZero = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0)
      return makeError(Code::InvalidArgument, what, ": dim ", i, " is ",
                       dims[i], " (must be >= 0)");
    if (dims[i] != 0 && nonZero > kMaxElements / dims[i])
      return makeError(Code::InvalidArgument, what, ": shape ",
                       shapeToString(dims), " has too many elements");
    n *= dims[i];
    nonZero *= std::max<int64_t>(dims[i], 1);
  }
  return n;
}

int64_t elementCount(const Shape &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

StatusOr<Shape> broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return makeError(Code::InvalidArgument, "cannot broadcast ",
                       shapeToString(a), " with ", shapeToString(b), " (dim ",
                       i, " of the result: ", da, " vs ", db, ")");
  }
  return out;
}

std::vector<int64_t> broadcastStrides(const Shape &dims, const Shape &out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    size_t o = i + (out.size() - dims.size());
    strides[o] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
  return strides;
}

Tensor Tensor::zeros(DType dtype, Shape dims) {
  Tensor t = uninitialized(dtype, std::move(dims)); // last word zeroed
  std::memset(t.buffer_.get(), 0, t.byteSize());
  return t;
}

Tensor Tensor::uninitialized(DType dtype, Shape dims) {
  Tensor t;
  t.dtype_ = dtype;
  t.numElements_ = elementCount(dims);
  t.dims_ = std::move(dims);
  size_t words = (t.byteSize() + 7) / 8;
  // Never a null buffer, so that an empty tensor still counts as bound.
  t.buffer_ = std::shared_ptr<uint64_t[]>(new uint64_t[words ? words : 1]);
  t.buffer_[words ? words - 1 : 0] = 0; // the bytes past the last element
  return t;
}

Tensor Tensor::borrowed(DType dtype, Shape dims, const void *data,
                        std::function<void()> release) {
  Tensor t;
  t.dtype_ = dtype;
  t.numElements_ = elementCount(dims);
  t.dims_ = std::move(dims);
  auto *words = static_cast<uint64_t *>(const_cast<void *>(data));
  t.buffer_ = std::shared_ptr<uint64_t[]>(
      words, [release = std::move(release)](uint64_t *) {
        if (release)
          release();
      });
  return t;
}

Tensor Tensor::reshaped(Shape dims) const {
  Tensor t = *this;
  t.dims_ = std::move(dims);
  return t;
}

namespace {
template <typename From, typename To>
void convertElements(const From *src, To *dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, bool>) {
      dst[i] = src[i] != From(0);
    } else if constexpr (std::is_floating_point_v<From> &&
                         std::is_integral_v<To>) {
      // Out-of-range float -> int casts are undefined; saturate instead.
      double v = std::trunc(static_cast<double>(src[i]));
      if (std::isnan(v))
        dst[i] = 0;
      else if (v <= -9.2233720368547758e18)
        dst[i] = std::numeric_limits<To>::min();
      else if (v >= 9.2233720368547758e18)
        dst[i] = std::numeric_limits<To>::max();
      else
        dst[i] = static_cast<To>(v);
    } else
      dst[i] = static_cast<To>(src[i]);
  }
}

template <typename From> void convertFrom(const Tensor &src, Tensor &dst) {
  const From *in = src.data<From>();
  switch (dst.dtype()) {
  case DType::F32:
    convertElements(in, dst.mutableData<float>(), src.numElements());
    break;
  case DType::I64:
    convertElements(in, dst.mutableData<int64_t>(), src.numElements());
    break;
  case DType::Bool:
    convertElements(in, dst.mutableData<bool>(), src.numElements());
    break;
  }
}
} // namespace

Tensor Tensor::convertedTo(DType dtype) const {
  if (dtype == dtype_)
    return *this;
  Tensor out = zeros(dtype, dims_);
  switch (dtype_) {
  case DType::F32:
    convertFrom<float>(*this, out);
    break;
  case DType::I64:
    convertFrom<int64_t>(*this, out);
    break;
  case DType::Bool:
    convertFrom<bool>(*this, out);
    break;
  }
  return out;
}

} // namespace cim::rt
