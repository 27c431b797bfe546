//===- WindowKernels.cpp - cim.im2col ---------------------------*- C++ -*-===//
//
// The windows of a 1-D or 2-D image as rows: the digital unit's half of a
// weight-stationary convolution (the arrays multiply the rows by the
// unrolled kernel) and the input of a pool's reduction. The geometry is the
// macro model's (cim/Macro/Windows.h), as the compiler typed the result.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "cim/Macro/Windows.h"

#include <algorithm>

namespace cim::rt {
namespace {

/// The window attributes of a cim.im2col, checked against `k` spatial
/// dimensions.
struct Geometry {
  std::vector<int64_t> kernel, strides, pads, dilations;
  bool ceilMode = false;
  float padValue = 0;
};

Geometry geometry(const artifact::Instruction &inst) {
  Geometry g;
  g.kernel = attrInts(inst, "kernel_shape");
  g.strides = attrInts(inst, "strides");
  g.pads = attrInts(inst, "pads");
  g.dilations = attrInts(inst, "dilations");
  g.ceilMode = attrInt(inst, "ceil_mode", 0) != 0;
  g.padValue = float(attrFloat(inst, "pad_value", 0));
  return g;
}

/// The number of windows along spatial dimension `i` of size `size`; -1 for
/// attributes out of range.
int64_t outputExtent(const Geometry &g, size_t i, int64_t size) {
  size_t k = g.kernel.size();
  return macro::windowCount(size, g.kernel[i], g.strides[i], g.pads[i],
                            g.pads[k + i], g.dilations[i], g.ceilMode);
}

StatusOr<Tensor> runIm2Col(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  Geometry g = geometry(*ctx.inst.proto);
  const Shape &xd = x.dims();
  size_t k = g.kernel.size();
  int64_t n = xd[0], c = xd[1];
  int64_t h = xd[2], w = k == 2 ? xd[3] : 1;
  int64_t oh = outputExtent(g, 0, h);
  int64_t ow = k == 2 ? outputExtent(g, 1, w) : 1;
  if (oh < 1 || ow < 1)
    return makeError(Code::InvalidArgument, "no window fits input shape ",
                     shapeToString(xd));
  int64_t kh = g.kernel[0], kw = k == 2 ? g.kernel[1] : 1;
  int64_t sh = g.strides[0], sw = k == 2 ? g.strides[1] : 1;
  int64_t dh = g.dilations[0], dw = k == 2 ? g.dilations[1] : 1;
  int64_t ph = g.pads[0], pw = k == 2 ? g.pads[1] : 0;
  Shape od = {n, oh};
  if (k == 2)
    od.push_back(ow);
  od.push_back(c * kh * kw);
  auto count = checkedElementCount(od, "the windows");
  if (!count.isOk())
    return count.status();
  Tensor out = Tensor::zeros(DType::F32, od);
  const float *src = x.data<float>();
  float *dst = out.mutableData<float>();
  // Row (b, y, z) of the result holds, for each channel and tap (ky, kx),
  // the input at (y * sh - ph + ky * dh, z * sw - pw + kx * dw) or the pad.
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t ch = 0; ch < c; ++ch) {
          const float *plane = src + (b * c + ch) * h * w;
          for (int64_t ky = 0; ky < kh; ++ky) {
            int64_t iy = y * sh - ph + ky * dh;
            bool rowInside = iy >= 0 && iy < h;
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t ix = z * sw - pw + kx * dw;
              *dst++ = rowInside && ix >= 0 && ix < w ? plane[iy * w + ix]
                                                      : g.padValue;
            }
          }
        }
  return out;
}

Status verifyIm2Col(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32}));
  CIM_TRY(checkOutputDType(ctx, 0, DType::F32));
  Geometry g = geometry(ctx.inst);
  size_t k = g.kernel.size();
  if (k < 1 || k > 2 || g.strides.size() != k || g.dilations.size() != k ||
      g.pads.size() != 2 * k)
    return makeError(Code::DataLoss, ctx.path,
                     ": kernel_shape needs 1 or 2 entries, strides and "
                     "dilations as many, pads twice as many");
  for (size_t i = 0; i < k; ++i)
    if (outputExtent(g, i, 0) < 0)
      return makeError(Code::DataLoss, ctx.path,
                       ": kernel_shape, strides and dilations must be at "
                       "least 1 and pads at least 0");
  const ValueInfo *x = ctx.inputs[0];
  if (x->dims.size() != k + 2)
    return makeError(Code::DataLoss, ctx.path, ".inputs[0]: value ", x->id,
                     " has rank ", x->dims.size(), " but a ", k,
                     "-D cim.im2col needs rank ", k + 2);
  return checkOutputRank(ctx, 0, k + 2);
}

} // namespace

void addWindowKernels(std::vector<KernelDef> &t) {
  t.push_back({"cim.im2col",
               1,
               1,
               {{"kernel_shape", AttrKind::Ints, true},
                {"strides", AttrKind::Ints, true},
                {"pads", AttrKind::Ints, true},
                {"dilations", AttrKind::Ints, true},
                {"pad_value", AttrKind::Float, true},
                {"ceil_mode", AttrKind::Int, true}},
               TypeRule::Custom,
               runIm2Col,
               verifyIm2Col});
}

} // namespace cim::rt
