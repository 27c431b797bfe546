//===- ConvHandlers.cpp - Import of convolutions and pools ------*- C++ -*-===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool over 1-D
// and 2-D images (NCW, NCHW). A convolution is weight-stationary: the
// digital unit gathers the input's windows as rows (cim.im2col), and the
// kernel, unrolled as a (C/group x K1 x K2) by M/group matrix per group,
// multiplies them (cim.matmul), so that a constant kernel maps onto arrays
// like any product; bias and the layout back to NCHW stay digital. A pool
// is the same windows of one channel at a time, reduced by max or sum
// (the average's divisor a constant per output position, computed here).
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Windows.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <limits>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

/// Where the windows of a Conv or a pool fall: per spatial dimension the
/// kernel, stride, dilation and the pads before (pads[i]) and after
/// (pads[k + i]), auto_pad resolved.
struct Windows {
  SmallVector<int64_t> kernel, strides, dilations, pads;
  bool ceilMode = false;
  size_t rank() const { return kernel.size(); }
};

/// Reads the window attributes of `node` for an input of `inputShape`
/// ([N, C, D1(, D2)]); `kernel` comes from the weight (Conv) or the
/// kernel_shape attribute (pools).
Windows readWindows(const Node &node, ArrayRef<int64_t> inputShape,
                    std::optional<SmallVector<int64_t>> kernel) {
  size_t k = inputShape.size() - 2;
  Windows w;
  if (std::optional<SmallVector<int64_t>> shape = intsAttr(node, "kernel_shape")) {
    if (kernel && *kernel != *shape)
      throw ImportError{"kernel_shape " + shapeString(*shape) +
                        " differs from the weight's " + shapeString(*kernel)};
    kernel = shape;
  }
  if (!kernel)
    throw ImportError{"kernel_shape is required"};
  w.kernel = *kernel;
  auto list = [&](const char *name, size_t size, int64_t fallback) {
    SmallVector<int64_t> v =
        intsAttr(node, name).value_or(SmallVector<int64_t>(size, fallback));
    if (v.size() != size)
      throw ImportError{std::string(name) + " has " + std::to_string(v.size()) +
                        " entries, needs " + std::to_string(size)};
    return v;
  };
  if (w.kernel.size() != k)
    throw ImportError{"kernel_shape has " + std::to_string(w.kernel.size()) +
                      " entries for " + std::to_string(k) +
                      " spatial dimensions"};
  w.strides = list("strides", k, 1);
  w.dilations = list("dilations", k, 1);
  w.ceilMode = intAttr(node, "ceil_mode", 0) != 0;
  for (size_t i = 0; i < k; ++i)
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.dilations[i] < 1)
      throw ImportError{"kernel_shape, strides and dilations must be at "
                        "least 1"};
  std::string autoPad = stringAttr(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    w.pads = list("pads", 2 * k, 0);
    for (int64_t p : w.pads)
      if (p < 0)
        throw ImportError{"pads must be at least 0"};
    return w;
  }
  if (intsAttr(node, "pads"))
    throw ImportError{"pads and auto_pad " + autoPad + " are both given"};
  w.pads.assign(2 * k, 0);
  if (autoPad == "VALID")
    return w;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    throw ImportError{"auto_pad '" + autoPad +
                      "' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID"};
  // SAME: ceil(size / stride) windows, the pad split evenly with the odd
  // one after (SAME_UPPER) or before (SAME_LOWER).
  for (size_t i = 0; i < k; ++i) {
    int64_t size = inputShape[2 + i];
    if (ShapedType::isDynamic(size))
      throw ImportError{"auto_pad " + autoPad +
                        " needs the input's spatial dimensions at compile time"};
    int64_t out = (size + w.strides[i] - 1) / w.strides[i];
    int64_t span = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - size);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[k + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return w;
}

/// The input of a Conv or a pool: f32 of rank 3 or 4. With `eightBit`, an
/// INT8 or UINT8 input (widened to i64) is taken as float32, which holds
/// its levels exactly.
Value imageOperand(GraphImporter &g, const Node &node, bool eightBit = false) {
  Value x = operand(g, node, 0);
  int32_t declared = g.onnxElementType(node.input(0));
  if (eightBit && elementType(x).isInteger(64) &&
      (declared == onnx::TensorProto::INT8 ||
       declared == onnx::TensorProto::UINT8))
    x = g.b().createOrFold<CastOp>(
        g.loc(),
        RankedTensorType::get(tensorType(x).getShape(), g.b().getF32Type()), x);
  requireF32(x, "X");
  int64_t rank = tensorType(x).getRank();
  if (rank != 3 && rank != 4)
    throw ImportError{"X has rank " + std::to_string(rank) +
                      "; 1-D and 2-D images (rank 3 or 4) are supported"};
  return x;
}

/// cim.im2col of `x` ([N, C, D...]) by `w`: [N, O..., C * K...].
Value im2col(GraphImporter &g, Value x, const Windows &w, float padValue) {
  auto type = tensorType(x);
  OpBuilder &b = g.b();
  SmallVector<int64_t> shape = {type.getDimSize(0)};
  int64_t patch = type.getDimSize(1);
  size_t k = w.rank();
  for (size_t i = 0; i < k; ++i) {
    int64_t size = type.getDimSize(2 + i);
    int64_t out = ShapedType::isDynamic(size)
                      ? ShapedType::kDynamic
                      : macro::windowCount(size, w.kernel[i], w.strides[i],
                                           w.pads[i], w.pads[k + i],
                                           w.dilations[i], w.ceilMode);
    if (out == 0)
      throw ImportError{"no window fits: input dimension " +
                        std::to_string(2 + i) + " has size " +
                        std::to_string(size) + ", the window spans " +
                        std::to_string(w.dilations[i] * (w.kernel[i] - 1) + 1) +
                        " with pads " + std::to_string(w.pads[i]) + " and " +
                        std::to_string(w.pads[k + i])};
    shape.push_back(out);
    if (!ShapedType::isDynamic(patch))
      patch *= w.kernel[i];
  }
  shape.push_back(patch);
  // The windows of one image (a dynamic batch multiplies them at run time).
  checkElementCount(ArrayRef<int64_t>(shape).drop_front(), "the windows (im2col)");
  return b.create<Im2ColOp>(
      g.loc(), RankedTensorType::get(shape, b.getF32Type()), x,
      b.getDenseI64ArrayAttr(w.kernel), b.getDenseI64ArrayAttr(w.strides),
      b.getDenseI64ArrayAttr(w.pads), b.getDenseI64ArrayAttr(w.dilations),
      b.getF32FloatAttr(padValue), b.getI64IntegerAttr(w.ceilMode));
}

/// [N, O..., M] -> [N, M, O...].
Value channelsFirst(GraphImporter &g, Value y) {
  int64_t rank = tensorType(y).getRank();
  SmallVector<int64_t> perms = {0, rank - 1};
  for (int64_t i = 1; i < rank - 1; ++i)
    perms.push_back(i);
  return g.transpose(y, perms);
}

/// Group `group`'s kernel [M/G, C/G, K...] as the (C/G x K...) by M/G
/// matrix its patches multiply: a constant when the kernel is one.
Value kernelMatrix(GraphImporter &g, Value weight, int64_t group,
                   int64_t groups) {
  auto type = tensorType(weight);
  int64_t m = type.getDimSize(0) / groups;
  int64_t rows = product(type.getShape().drop_front());
  DenseElementsAttr attr;
  if (matchPattern(weight, m_Constant(&attr))) {
    auto values = attr.getValues<float>();
    std::vector<float> out(size_t(rows * m));
    for (int64_t j = 0; j < m; ++j)
      for (int64_t r = 0; r < rows; ++r)
        out[size_t(r * m + j)] = values[(group * m + j) * rows + r];
    return g.constant(DenseElementsAttr::get(
        RankedTensorType::get({rows, m}, g.b().getF32Type()),
        ArrayRef<float>(out)));
  }
  Value w = weight;
  if (groups > 1)
    w = sliceStatic(g, w, {group * m}, {(group + 1) * m}, {0}, {1});
  return g.transpose2D(g.reshape(w, {m, rows}));
}

void importConv(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"auto_pad", "dilations", "group", "kernel_shape", "pads",
                    "strides"});
  Value x = imageOperand(g, node);
  Value weight = operand(g, node, 1);
  requireF32(weight, "W");
  auto xt = tensorType(x), wt = tensorType(weight);
  if (wt.getRank() != xt.getRank() || !wt.hasStaticShape())
    throw ImportError{"W must have X's rank and a static shape, got " +
                      shapeString(wt.getShape())};
  int64_t groups = intAttr(node, "group", 1);
  int64_t channels = xt.getDimSize(1), m = wt.getDimSize(0),
          perGroup = wt.getDimSize(1);
  if (groups < 1 || m % groups != 0)
    throw ImportError{"group " + std::to_string(groups) +
                      " does not divide the " + std::to_string(m) +
                      " output channels"};
  if (ShapedType::isDynamic(channels) || channels != perGroup * groups)
    throw ImportError{"X has " + std::to_string(channels) +
                      " channels; W expects " + std::to_string(perGroup) +
                      " per group times " + std::to_string(groups) + " groups"};
  Windows w = readWindows(node, xt.getShape(),
                          SmallVector<int64_t>(wt.getShape().drop_front(2)));
  Value patches = im2col(g, x, w, 0.0f);
  auto pt = tensorType(patches);
  int64_t last = pt.getRank() - 1;
  int64_t rows = pt.getDimSize(last) / groups;
  StringAttr name = g.lookupConstant(node.input(1))
                        ? g.b().getStringAttr(node.input(1))
                        : StringAttr();
  Value bias;
  if (hasOperand(node, 2)) {
    bias = operand(g, node, 2);
    requireF32(bias, "B");
    if (tensorType(bias).getRank() != 1 || tensorType(bias).getDimSize(0) != m)
      throw ImportError{"B must have shape [" + std::to_string(m) + "]"};
  }
  // Each group's product plus its share of the bias, so that a readout can
  // take both (and the activation after them).
  SmallVector<Value> parts;
  for (int64_t k = 0; k < groups; ++k) {
    Value p = groups == 1 ? patches
                          : sliceStatic(g, patches, {k * rows},
                                        {(k + 1) * rows}, {last}, {1});
    SmallVector<int64_t> shape(pt.getShape());
    shape[last] = m / groups;
    Value part = g.b().create<MatMulOp>(
        g.loc(), RankedTensorType::get(shape, g.b().getF32Type()), p,
        kernelMatrix(g, weight, k, groups), name);
    if (bias) {
      Value b = bias;
      DenseElementsAttr attr;
      if (groups > 1 && matchPattern(bias, m_Constant(&attr))) {
        SmallVector<float> all(attr.getValues<float>());
        b = g.constant(DenseElementsAttr::get(
            RankedTensorType::get({m / groups}, g.b().getF32Type()),
            ArrayRef<float>(all).slice(k * (m / groups), m / groups)));
      } else if (groups > 1) {
        b = sliceStatic(g, bias, {k * (m / groups)}, {(k + 1) * (m / groups)},
                        {0}, {1});
      }
      part = g.binary<tosa::AddOp>(part, g.expandRank(b, pt.getRank()));
    }
    parts.push_back(part);
  }
  Value y = parts.front();
  if (parts.size() > 1) {
    SmallVector<int64_t> shape(pt.getShape());
    shape[last] = m;
    y = g.b().create<tosa::ConcatOp>(
        g.loc(), RankedTensorType::get(shape, g.b().getF32Type()), parts,
        g.b().getI32IntegerAttr(last));
  }
  bindResult(g, node, channelsFirst(g, y));
}

/// The windows of each channel alone: [N * C, O..., K...] from [N, C, D...].
Value channelWindows(GraphImporter &g, Value x, const Windows &w,
                     float padValue) {
  auto type = tensorType(x);
  SmallVector<int64_t> flat = {product(type.getShape().take_front(2)), 1};
  llvm::append_range(flat, type.getShape().drop_front(2));
  return im2col(g, g.reshape(x, flat), w, padValue);
}

/// [N * C, O..., 1] -> [N, C, O...].
Value unflattenChannels(GraphImporter &g, Value reduced, Value x) {
  auto xt = tensorType(x), rt = tensorType(reduced);
  SmallVector<int64_t> shape(xt.getShape().take_front(2));
  llvm::append_range(shape, rt.getShape().drop_front().drop_back());
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1)
    throw ImportError{"pools need X's channel count at compile time"};
  return g.reshape(reduced, shape);
}

/// `x` reduced along its last dimension, kept as size 1.
template <typename OpTy>
Value reduceLast(GraphImporter &g, Value x) {
  auto type = tensorType(x);
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = 1;
  return g.b().createOrFold<OpTy>(
      g.loc(), RankedTensorType::get(shape, type.getElementType()), x,
      g.b().getI32IntegerAttr(int32_t(shape.size() - 1)));
}

void importMaxPool(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape",
                    "pads", "storage_order", "strides"});
  if (node.output_size() > 1 && !node.output(1).empty())
    throw ImportError{"the Indices output is not supported"};
  // An 8-bit image is pooled as float32 and the maxima turned back.
  Value x = imageOperand(g, node, /*eightBit=*/true);
  bool eightBit = !elementType(operand(g, node, 0)).isF32();
  Windows w = readWindows(node, tensorType(x).getShape(), std::nullopt);
  Value windows = channelWindows(g, x, w,
                                 -std::numeric_limits<float>::infinity());
  Value y = unflattenChannels(g, reduceLast<tosa::ReduceMaxOp>(g, windows), x);
  if (eightBit)
    y = g.b().createOrFold<CastOp>(
        g.loc(),
        RankedTensorType::get(tensorType(y).getShape(), g.b().getI64Type()), y);
  bindResult(g, node, y);
}

/// How many of a window's taps count in its average, per output position
/// along one axis: those inside the input, or inside input and pads with
/// count_include_pad (never the overhang of a ceil_mode window).
std::vector<int64_t> tapCounts(int64_t size, int64_t out, const Windows &w,
                               size_t i, bool includePad) {
  size_t k = w.rank();
  int64_t lo = includePad ? -w.pads[i] : 0;
  int64_t hi = includePad ? size + w.pads[k + i] : size;
  std::vector<int64_t> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t n = 0;
    for (int64_t t = 0; t < w.kernel[i]; ++t) {
      int64_t at = o * w.strides[i] - w.pads[i] + t * w.dilations[i];
      n += at >= lo && at < hi;
    }
    counts.push_back(n);
  }
  return counts;
}

void importAveragePool(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"auto_pad", "ceil_mode", "count_include_pad", "dilations",
                    "kernel_shape", "pads", "strides"});
  Value x = imageOperand(g, node);
  auto xt = tensorType(x);
  for (int64_t d : xt.getShape().drop_front(2))
    if (ShapedType::isDynamic(d))
      throw ImportError{"AveragePool needs X's spatial dimensions at compile "
                        "time"};
  Windows w = readWindows(node, xt.getShape(), std::nullopt);
  bool includePad = intAttr(node, "count_include_pad", 0) != 0;
  Value windows = channelWindows(g, x, w, 0.0f);
  Value sum = unflattenChannels(g, reduceLast<tosa::ReduceSumOp>(g, windows), x);
  // The reciprocal of each output position's tap count, [O1(, O2)].
  auto st = tensorType(sum);
  SmallVector<int64_t> outShape(st.getShape().drop_front(2));
  std::vector<std::vector<int64_t>> counts;
  for (size_t i = 0; i < w.rank(); ++i)
    counts.push_back(tapCounts(xt.getDimSize(2 + i), outShape[i], w, i,
                               includePad));
  std::vector<float> scale;
  if (w.rank() == 1) {
    for (int64_t c : counts[0])
      scale.push_back(c ? 1.0f / float(c) : 0.0f);
  } else {
    for (int64_t a : counts[0])
      for (int64_t b : counts[1])
        scale.push_back(a && b ? 1.0f / float(a * b) : 0.0f);
  }
  Value factor = g.constant(DenseElementsAttr::get(
      RankedTensorType::get(outShape, g.b().getF32Type()),
      ArrayRef<float>(scale)));
  bindResult(g, node, g.mul(sum, g.expandRank(factor, st.getRank())));
}

/// GlobalAveragePool / GlobalMaxPool: each channel reduced over all its
/// spatial dimensions, kept as size 1.
template <bool Max>
void importGlobalPool(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = imageOperand(g, node);
  auto xt = tensorType(x);
  Value y = x;
  int64_t taps = 1;
  for (int64_t axis = 2; axis < xt.getRank(); ++axis) {
    auto type = tensorType(y);
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = 1;
    auto rt = RankedTensorType::get(shape, type.getElementType());
    auto axisAttr = g.b().getI32IntegerAttr(int32_t(axis));
    y = Max ? g.b().createOrFold<tosa::ReduceMaxOp>(g.loc(), rt, y, axisAttr)
            : g.b().createOrFold<tosa::ReduceSumOp>(g.loc(), rt, y, axisAttr);
    taps = ShapedType::isDynamic(taps) || ShapedType::isDynamic(xt.getDimSize(axis))
               ? ShapedType::kDynamic
               : taps * xt.getDimSize(axis);
  }
  if (!Max) {
    if (ShapedType::isDynamic(taps) || taps == 0)
      throw ImportError{"GlobalAveragePool needs X's spatial dimensions at "
                        "compile time"};
    y = g.mul(y, g.scalar(1.0f / float(taps), xt.getRank()));
  }
  bindResult(g, node, y);
}

} // namespace

void cim::onnx_import::addConvHandlers(HandlerTable &t) {
  t["Conv"] = importConv;
  t["MaxPool"] = importMaxPool;
  t["AveragePool"] = importAveragePool;
  t["GlobalAveragePool"] = importGlobalPool<false>;
  t["GlobalMaxPool"] = importGlobalPool<true>;
}
