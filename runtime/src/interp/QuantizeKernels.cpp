//===- QuantizeKernels.cpp - cim.quantize_linear and dynamic ----*- C++ -*-===//
//
// ONNX QuantizeLinear in the digital unit: float32 to integer levels, per
// tensor or per axis, by the macro model's formula (cim/Macro/Quantize.h),
// which the compiler also folds constants with. The levels are held as
// int64 (8-bit types are widened); the saturation range is an attribute.
// DynamicQuantizeLinear derives a uint8 scale and zero point from the
// input's own range first (the same header's formula).
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "cim/Macro/Quantize.h"

#include <algorithm>

namespace cim::rt {
namespace {

StatusOr<Tensor> runQuantizeLinear(ExecContext &ctx,
                                   const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0], &scale = *in[1], &zp = *in[2];
  const artifact::Instruction &inst = *ctx.inst.proto;
  int64_t axis = attrInt(inst, "axis", 0);
  int64_t lo = attrInt(inst, "min", 0), hi = attrInt(inst, "max", 0);
  int64_t length = scale.numElements();
  if (zp.numElements() != length)
    return makeError(Code::InvalidArgument, "scale has ", length,
                     " entries but zero_point ", zp.numElements());
  int64_t inner = 1;
  if (length != 1) {
    if (axis < 0 || size_t(axis) >= x.rank() || x.dims()[axis] != length)
      return makeError(Code::InvalidArgument, "a per-axis scale of ", length,
                       " entries does not match input shape ",
                       shapeToString(x.dims()), " along axis ", axis);
    for (size_t d = size_t(axis) + 1; d < x.rank(); ++d)
      inner *= x.dims()[d];
  }
  Tensor out = Tensor::zeros(DType::I64, x.dims());
  const float *src = x.data<float>(), *s = scale.data<float>();
  const int64_t *z = zp.data<int64_t>();
  int64_t *dst = out.mutableData<int64_t>();
  for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
    int64_t c = length != 1 ? (i / inner) % length : 0;
    dst[i] = macro::quantizeLinear(src[i], s[c], z[c], lo, hi);
  }
  return out;
}

Status verifyQuantizeLinear(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32}));
  CIM_TRY(checkInputDType(ctx, 1, {DType::F32}));
  CIM_TRY(checkInputDType(ctx, 2, {DType::I64}));
  CIM_TRY(checkInputRank(ctx, 1, 1));
  CIM_TRY(checkInputRank(ctx, 2, 1));
  CIM_TRY(checkOutputDType(ctx, 0, DType::I64));
  CIM_TRY(checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size()));
  if (attrInt(ctx.inst, "min", 0) > attrInt(ctx.inst, "max", 0))
    return makeError(Code::DataLoss, ctx.path, ": min is above max");
  return Status::ok();
}

Status runDynamicQuantizeLinear(ExecContext &,
                                const std::vector<const Tensor *> &in,
                                std::vector<Tensor> &out) {
  const Tensor &x = *in[0];
  const float *src = x.data<float>();
  int64_t n = x.numElements();
  // ONNX's ReduceMin/ReduceMax: NaN propagates.
  float lo = 0, hi = 0;
  if (n > 0) {
    lo = hi = src[0];
    for (int64_t i = 0; i < n; ++i) {
      if (std::isnan(src[i])) {
        lo = hi = src[i];
        break;
      }
      lo = std::min(lo, src[i]);
      hi = std::max(hi, src[i]);
    }
  }
  macro::DynamicQuantization q = macro::dynamicQuantization(lo, hi);
  Tensor levels = Tensor::zeros(DType::I64, x.dims());
  int64_t *dst = levels.mutableData<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    dst[i] = macro::quantizeLinear(src[i], q.scale, q.zeroPoint, 0, 255);
  Tensor scale = Tensor::zeros(DType::F32, {});
  scale.mutableData<float>()[0] = q.scale;
  Tensor zp = Tensor::zeros(DType::I64, {});
  zp.mutableData<int64_t>()[0] = q.zeroPoint;
  out.clear();
  out.push_back(std::move(levels));
  out.push_back(std::move(scale));
  out.push_back(std::move(zp));
  return Status::ok();
}

Status verifyDynamicQuantizeLinear(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32}));
  CIM_TRY(checkOutputDType(ctx, 0, DType::I64));
  CIM_TRY(checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size()));
  CIM_TRY(checkOutputDType(ctx, 1, DType::F32));
  CIM_TRY(checkOutputRank(ctx, 1, 0));
  CIM_TRY(checkOutputDType(ctx, 2, DType::I64));
  return checkOutputRank(ctx, 2, 0);
}

} // namespace

void addQuantizeKernels(std::vector<KernelDef> &t) {
  t.push_back({"cim.quantize_linear",
               3,
               3,
               {{"axis", AttrKind::Int, true},
                {"min", AttrKind::Int, true},
                {"max", AttrKind::Int, true}},
               TypeRule::Custom,
               runQuantizeLinear,
               verifyQuantizeLinear});
  KernelDef dynamic{"cim.dynamic_quantize_linear", 1, 1, {}, TypeRule::Custom,
                    nullptr, verifyDynamicQuantizeLinear};
  dynamic.runMulti = runDynamicQuantizeLinear;
  dynamic.minOutputs = dynamic.maxOutputs = 3;
  t.push_back(dynamic);
}

} // namespace cim::rt
