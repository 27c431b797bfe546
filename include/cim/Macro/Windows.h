//===- Windows.h - Sliding-window geometry of convolutions and pools -*- C++ -*-===//
//
// Where the windows of a convolution or a pool fall along one axis, as ONNX
// defines them (Conv, MaxPool, AveragePool): the compiler types cim.im2col
// by it and the runtime's kernel checks and fills by it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_WINDOWS_H
#define CIM_MACRO_WINDOWS_H

#include <cstdint>

namespace cim::macro {

/// The number of windows along an axis of `size` entries: a kernel of
/// `kernel` taps `dilation` apart, moved by `stride`, over the axis padded
/// with `padBegin` and `padEnd` entries. With `ceilMode` a last, partial
/// window counts if it starts inside the input or its leading pad. 0 when
/// not even one window fits; -1 for arguments out of range (kernel, stride
/// or dilation below 1, a negative size or pad).
inline int64_t windowCount(int64_t size, int64_t kernel, int64_t stride,
                           int64_t padBegin, int64_t padEnd, int64_t dilation,
                           bool ceilMode) {
  if (size < 0 || kernel < 1 || stride < 1 || dilation < 1 || padBegin < 0 ||
      padEnd < 0)
    return -1;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = size + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t count = room / stride + 1;
  if (ceilMode && room % stride != 0 && (count * stride) < size + padBegin)
    ++count;
  return count;
}

} // namespace cim::macro

#endif // CIM_MACRO_WINDOWS_H
