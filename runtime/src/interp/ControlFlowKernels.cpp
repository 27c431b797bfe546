//===- ControlFlowKernels.cpp - cim.loop, cim.scan, cim.if, cim.ode -*- C++ -*-===//
//
// ONNX Loop, Scan and If, and ODE solves. cim.if runs one of its two
// regions (then, else) by its condition. cim.ode runs its region (f) once per
// Euler step or four times per RK4 step. Loop and Scan run their single
// region through the session's
// interpreter (ExecContext::runRegion) once per iteration, thread the
// carried values / states from one iteration to the next, and stack the
// per-iteration scan values into the scan outputs. Load-time checks make
// the region's signature agree with the instruction (counts and element
// types); shapes, which may change per run, are checked as they appear.
//
//===----------------------------------------------------------------------===//

#include "interp/CostCounter.h"
#include "interp/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace cim::rt {

namespace {

/// Stacks `parts` (all of one shape S) along a new `axis` of the result:
/// out[..., k, ...] = parts[k] (or parts[L-1-k] when `reverse`). With no
/// parts the result has 0 at `axis` and the other dims of `declared`, with
/// dynamic dims taken as 0.
Tensor stack(const std::vector<Tensor> &parts, int64_t axis, bool reverse,
             const ValueInfo &declared) {
  if (parts.empty()) {
    Shape dims = declared.dims;
    for (int64_t &d : dims)
      d = d < 0 ? 0 : d;
    if (axis < int64_t(dims.size()))
      dims[axis] = 0;
    return Tensor::zeros(declared.dtype, dims);
  }
  const Shape &s = parts[0].dims();
  int64_t count = int64_t(parts.size());
  Shape od = s;
  od.insert(od.begin() + axis, count);
  Tensor out = Tensor::zeros(parts[0].dtype(), od);
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= s[i];
  size_t chunk = outer == 0 ? 0
                            : size_t(parts[0].numElements() / outer) *
                                  dtypeSize(out.dtype());
  auto *dst = static_cast<uint8_t *>(out.mutableRawData());
  if (chunk == 0)
    return out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k) {
      const Tensor &p = parts[size_t(reverse ? count - 1 - k : k)];
      std::memcpy(dst, static_cast<const uint8_t *>(p.rawData()) + o * chunk,
                  chunk);
      dst += chunk;
    }
  return out;
}

/// Element `index` of `x` along `axis`, with that axis removed.
Tensor sliceAlong(const Tensor &x, int64_t axis, int64_t index) {
  Shape od = x.dims();
  int64_t n = od[axis];
  od.erase(od.begin() + axis);
  Tensor out = Tensor::zeros(x.dtype(), od);
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x.dims()[i];
  size_t chunk = size_t(elementCount(Shape(x.dims().begin() + axis + 1,
                                           x.dims().end()))) *
                 dtypeSize(x.dtype());
  if (chunk == 0)
    return out;
  const auto *src = static_cast<const uint8_t *>(x.rawData());
  auto *dst = static_cast<uint8_t *>(out.mutableRawData());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + o * chunk, src + (o * n + index) * chunk, chunk);
  return out;
}

/// Appends one iteration's scan value, which must have the shape of the
/// earlier ones.
Status collect(std::vector<Tensor> &parts, Tensor value, size_t which) {
  if (!parts.empty() && parts[0].dims() != value.dims())
    return makeError(Code::InvalidArgument, "scan output ", which,
                     " has shape ", shapeToString(value.dims()),
                     " but earlier iterations gave ",
                     shapeToString(parts[0].dims()));
  parts.push_back(std::move(value));
  return Status::ok();
}

Tensor scalarI64(int64_t v) {
  Tensor t = Tensor::zeros(DType::I64, {});
  t.mutableData<int64_t>()[0] = v;
  return t;
}

Tensor scalarBool(bool v) {
  Tensor t = Tensor::zeros(DType::Bool, {});
  t.mutableData<bool>()[0] = v;
  return t;
}

/// The most iterations a loop or an ODE solve may run: a run-time trip
/// count beyond it (a wrong input, a condition that never turns false) is
/// an error, not a run without end.
constexpr int64_t kMaxLoopIterations = int64_t(1) << 24;


//===----------------------------------------------------------------------===//
// cim.loop
//===----------------------------------------------------------------------===//

Status runLoop(ExecContext &ctx, const std::vector<const Tensor *> &in,
               std::vector<Tensor> &out) {
  size_t nCarried = in.size() - 2;
  size_t nScan = ctx.inst.outputs.size() - nCarried;
  for (int j = 0; j < 2; ++j)
    if (in[j] && in[j]->numElements() != 1)
      return makeError(Code::InvalidArgument,
                       j == 0 ? "max_trip_count" : "cond", " has shape ",
                       shapeToString(in[j]->dims()),
                       ", needs exactly one element");
  int64_t maxTrip =
      in[0] ? in[0]->data<int64_t>()[0] : std::numeric_limits<int64_t>::max();
  bool cond = in[1] ? in[1]->data<bool>()[0] : true;

  std::vector<Tensor> carried;
  for (size_t j = 0; j < nCarried; ++j)
    carried.push_back(*in[2 + j]);
  std::vector<std::vector<Tensor>> scans(nScan);
  std::vector<Tensor> results;
  for (int64_t i = 0; i < maxTrip && cond; ++i) {
    if (i == kMaxLoopIterations)
      return makeError(Code::InvalidArgument,
                       "the loop's condition is still true after ", i,
                       " iterations, the runtime's limit");
    std::vector<Tensor> args;
    args.push_back(scalarI64(i));
    args.push_back(scalarBool(cond));
    for (Tensor &c : carried)
      args.push_back(std::move(c));
    Status s = ctx.runRegion(0, std::move(args), results);
    if (!s.isOk())
      return s.withPrefix(strCat("iteration ", i, ": "));
    if (results[0].numElements() != 1)
      return makeError(Code::InvalidArgument, "iteration ", i,
                       ": cond_out has shape ",
                       shapeToString(results[0].dims()),
                       ", needs exactly one element");
    cond = results[0].data<bool>()[0];
    for (size_t j = 0; j < nCarried; ++j)
      carried[j] = std::move(results[1 + j]);
    for (size_t k = 0; k < nScan; ++k) {
      Status c = collect(scans[k], std::move(results[1 + nCarried + k]), k);
      if (!c.isOk())
        return c.withPrefix(strCat("iteration ", i, ": "));
    }
  }
  out = std::move(carried);
  for (size_t k = 0; k < nScan; ++k)
    out.push_back(stack(scans[k], 0, false, ctx.outputInfo(nCarried + k)));
  return Status::ok();
}

/// "value 12 is F32 but regions[0].arguments[2] must match inputs[2] (I64)"
Status expectDType(const VerifyContext &ctx, const ValueInfo *v,
                   const std::string &field, DType want,
                   const std::string &because) {
  if (!v || v->dtype == want)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".", field, ": value ", v->id,
                   " is ", dtypeName(v->dtype), " but ", ctx.inst.kernel(),
                   " needs ", dtypeName(want), because.empty() ? "" : " (",
                   because, because.empty() ? "" : ")");
}

Status expectRank(const VerifyContext &ctx, const ValueInfo *v,
                  const std::string &field, size_t rank,
                  const std::string &because) {
  if (!v || v->dims.size() == rank)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".", field, ": value ", v->id,
                   " has rank ", v->dims.size(), " but ", ctx.inst.kernel(),
                   " needs rank ", rank, " (", because, ")");
}

Status verifyLoop(VerifyContext &ctx) {
  size_t nCarried = ctx.inputs.size() - 2;
  size_t nOut = ctx.outputs.size();
  if (nOut < nCarried)
    return makeError(Code::DataLoss, ctx.path, ".outputs: cim.loop with ",
                     nCarried, " carried values needs at least ", nCarried,
                     " outputs, got ", nOut);
  size_t nScan = nOut - nCarried;
  const auto &args = ctx.regionArgs[0];
  const auto &results = ctx.regionResults[0];
  if (args.size() != 2 + nCarried)
    return makeError(Code::DataLoss, ctx.path,
                     ".regions[0].arguments: cim.loop with ", nCarried,
                     " carried values needs ", 2 + nCarried,
                     " arguments (iteration, cond, carried...), got ",
                     args.size());
  if (results.size() != 1 + nCarried + nScan)
    return makeError(Code::DataLoss, ctx.path,
                     ".regions[0].results: cim.loop with ", nCarried,
                     " carried values and ", nScan, " scan outputs needs ",
                     1 + nCarried + nScan,
                     " results (cond, carried..., scans...), got ",
                     results.size());
  CIM_TRY(checkInputDType(ctx, 0, {DType::I64}));
  CIM_TRY(checkInputDType(ctx, 1, {DType::Bool}));
  CIM_TRY(expectDType(ctx, args[0], "regions[0].arguments[0]", DType::I64,
                      "the iteration number"));
  CIM_TRY(expectDType(ctx, args[1], "regions[0].arguments[1]", DType::Bool,
                      "the condition"));
  CIM_TRY(expectDType(ctx, results[0], "regions[0].results[0]", DType::Bool,
                      "the condition"));
  for (size_t j = 0; j < nCarried; ++j) {
    DType t = ctx.inputs[2 + j]->dtype;
    std::string why = strCat("the type of inputs[", 2 + j, "]");
    CIM_TRY(expectDType(ctx, args[2 + j],
                        strCat("regions[0].arguments[", 2 + j, "]"), t, why));
    CIM_TRY(expectDType(ctx, results[1 + j],
                        strCat("regions[0].results[", 1 + j, "]"), t, why));
    CIM_TRY(expectDType(ctx, ctx.outputs[j], strCat("outputs[", j, "]"), t,
                        why));
  }
  for (size_t k = 0; k < nScan; ++k) {
    const ValueInfo *r = results[1 + nCarried + k];
    std::string why = strCat("stacks regions[0].results[", 1 + nCarried + k,
                             "]");
    CIM_TRY(expectDType(ctx, ctx.outputs[nCarried + k],
                        strCat("outputs[", nCarried + k, "]"), r->dtype, why));
    CIM_TRY(expectRank(ctx, ctx.outputs[nCarried + k],
                       strCat("outputs[", nCarried + k, "]"),
                       r->dims.size() + 1, why));
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// cim.if
//===----------------------------------------------------------------------===//

Status runIf(ExecContext &ctx, const std::vector<const Tensor *> &in,
             std::vector<Tensor> &out) {
  if (in[0]->numElements() != 1)
    return makeError(Code::InvalidArgument, "the condition has shape ",
                     shapeToString(in[0]->dims()),
                     ", needs exactly one element");
  bool cond = in[0]->data<bool>()[0];
  Status s = ctx.runRegion(cond ? 0 : 1, {}, out);
  if (!s.isOk())
    return s.withPrefix(cond ? "then: " : "else: ");
  return Status::ok();
}

Status verifyIf(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::Bool}));
  for (size_t k = 0; k < 2; ++k) {
    std::string region = strCat("regions[", k, "]");
    if (!ctx.regionArgs[k].empty())
      return makeError(Code::DataLoss, ctx.path, ".", region,
                       ".arguments: cim.if's regions take no arguments, got ",
                       ctx.regionArgs[k].size());
    const auto &results = ctx.regionResults[k];
    if (results.size() != ctx.outputs.size())
      return makeError(Code::DataLoss, ctx.path, ".", region,
                       ".results: cim.if with ", ctx.outputs.size(),
                       " outputs needs as many results, got ", results.size());
    for (size_t j = 0; j < results.size(); ++j) {
      std::string field = strCat(region, ".results[", j, "]");
      std::string why = strCat("the type of outputs[", j, "]");
      CIM_TRY(expectDType(ctx, results[j], field, ctx.outputs[j]->dtype, why));
      CIM_TRY(expectRank(ctx, results[j], field, ctx.outputs[j]->dims.size(),
                         why));
    }
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// cim.scan
//===----------------------------------------------------------------------===//

/// An ints attribute, or `n` zeros when it is absent.
std::vector<int64_t> intsOrZeros(const artifact::Instruction &inst,
                                 const char *name, size_t n) {
  if (!hasAttr(inst, name))
    return std::vector<int64_t>(n, 0);
  return attrInts(inst, name);
}

Status runScan(ExecContext &ctx, const std::vector<const Tensor *> &in,
               std::vector<Tensor> &out) {
  const artifact::Instruction &inst = *ctx.inst.proto;
  size_t nScanIn = size_t(attrInt(inst, "num_scan_inputs"));
  size_t nState = in.size() - nScanIn;
  size_t nScanOut = ctx.inst.outputs.size() - nState;
  std::vector<int64_t> inAxes = intsOrZeros(inst, "scan_input_axes", nScanIn);
  std::vector<int64_t> inDirs =
      intsOrZeros(inst, "scan_input_directions", nScanIn);
  std::vector<int64_t> outAxes =
      intsOrZeros(inst, "scan_output_axes", nScanOut);
  std::vector<int64_t> outDirs =
      intsOrZeros(inst, "scan_output_directions", nScanOut);

  int64_t length = -1;
  for (size_t j = 0; j < nScanIn; ++j) {
    const Tensor &x = *in[nState + j];
    int64_t axis = inAxes[j];
    if (axis < 0 || axis >= int64_t(x.rank()))
      return makeError(Code::InvalidArgument, "scan_input_axes[", j, "] = ",
                       axis, " is out of range for scan input ", j,
                       " of shape ", shapeToString(x.dims()));
    int64_t n = x.dims()[axis];
    if (length >= 0 && n != length)
      return makeError(Code::InvalidArgument, "scan input ", j, " of shape ",
                       shapeToString(x.dims()), " has ", n,
                       " entries along axis ", axis,
                       " but the earlier scan inputs have ", length);
    length = n;
  }

  std::vector<Tensor> states;
  for (size_t i = 0; i < nState; ++i)
    states.push_back(*in[i]);
  std::vector<std::vector<Tensor>> scans(nScanOut);
  std::vector<Tensor> results;
  for (int64_t it = 0; it < length; ++it) {
    std::vector<Tensor> args = std::move(states);
    for (size_t j = 0; j < nScanIn; ++j) {
      int64_t at = inDirs[j] == 1 ? length - 1 - it : it;
      args.push_back(sliceAlong(*in[nState + j], inAxes[j], at));
    }
    Status s = ctx.runRegion(0, std::move(args), results);
    if (!s.isOk())
      return s.withPrefix(strCat("iteration ", it, ": "));
    states.assign(std::make_move_iterator(results.begin()),
                  std::make_move_iterator(results.begin() + nState));
    for (size_t k = 0; k < nScanOut; ++k) {
      Tensor &v = results[nState + k];
      if (outAxes[k] < 0 || outAxes[k] > int64_t(v.rank()))
        return makeError(Code::InvalidArgument, "scan_output_axes[", k,
                         "] = ", outAxes[k],
                         " is out of range for a scan value of shape ",
                         shapeToString(v.dims()));
      Status c = collect(scans[k], std::move(v), k);
      if (!c.isOk())
        return c.withPrefix(strCat("iteration ", it, ": "));
    }
  }
  out = std::move(states);
  for (size_t k = 0; k < nScanOut; ++k)
    out.push_back(stack(scans[k], outAxes[k], outDirs[k] == 1,
                        ctx.outputInfo(nState + k)));
  return Status::ok();
}

Status verifyAxisList(const VerifyContext &ctx, const char *name, size_t n,
                      bool directions) {
  if (!hasAttr(ctx.inst, name))
    return Status::ok();
  std::vector<int64_t> v = attrInts(ctx.inst, name);
  if (v.size() != n)
    return makeError(Code::DataLoss, ctx.path, ".attrs.", name, ": has ",
                     v.size(), " entries, needs ", n);
  if (directions)
    for (size_t i = 0; i < n; ++i)
      if (v[i] != 0 && v[i] != 1)
        return makeError(Code::DataLoss, ctx.path, ".attrs.", name, "[", i,
                         "]: ", v[i], " is not 0 (forward) or 1 (reverse)");
  return Status::ok();
}

Status verifyScan(VerifyContext &ctx) {
  int64_t nScanIn = attrInt(ctx.inst, "num_scan_inputs");
  size_t nIn = ctx.inputs.size();
  if (nScanIn < 1 || nScanIn > int64_t(nIn))
    return makeError(Code::DataLoss, ctx.path, ".attrs.num_scan_inputs: ",
                     nScanIn, " is out of range for ", nIn, " inputs");
  size_t nState = nIn - size_t(nScanIn);
  if (ctx.outputs.size() < nState)
    return makeError(Code::DataLoss, ctx.path, ".outputs: cim.scan with ",
                     nState, " states needs at least ", nState,
                     " outputs, got ", ctx.outputs.size());
  size_t nScanOut = ctx.outputs.size() - nState;
  const auto &args = ctx.regionArgs[0];
  const auto &results = ctx.regionResults[0];
  if (args.size() != nIn)
    return makeError(Code::DataLoss, ctx.path,
                     ".regions[0].arguments: cim.scan with ", nState,
                     " states and ", nScanIn, " scan inputs needs ", nIn,
                     " arguments, got ", args.size());
  if (results.size() != nState + nScanOut)
    return makeError(Code::DataLoss, ctx.path,
                     ".regions[0].results: cim.scan with ", nState,
                     " states and ", nScanOut, " scan outputs needs ",
                     nState + nScanOut, " results, got ", results.size());
  CIM_TRY(verifyAxisList(ctx, "scan_input_axes", size_t(nScanIn), false));
  CIM_TRY(verifyAxisList(ctx, "scan_input_directions", size_t(nScanIn), true));
  CIM_TRY(verifyAxisList(ctx, "scan_output_axes", nScanOut, false));
  CIM_TRY(verifyAxisList(ctx, "scan_output_directions", nScanOut, true));

  for (size_t i = 0; i < nState; ++i) {
    DType t = ctx.inputs[i]->dtype;
    std::string why = strCat("the type of inputs[", i, "]");
    CIM_TRY(expectDType(ctx, args[i], strCat("regions[0].arguments[", i, "]"),
                        t, why));
    CIM_TRY(expectDType(ctx, results[i], strCat("regions[0].results[", i, "]"),
                        t, why));
    CIM_TRY(expectDType(ctx, ctx.outputs[i], strCat("outputs[", i, "]"), t,
                        why));
  }
  std::vector<int64_t> inAxes =
      intsOrZeros(ctx.inst, "scan_input_axes", size_t(nScanIn));
  for (size_t j = 0; j < size_t(nScanIn); ++j) {
    const ValueInfo *x = ctx.inputs[nState + j];
    std::string field = strCat("regions[0].arguments[", nState + j, "]");
    std::string why = strCat("a slice of inputs[", nState + j, "]");
    if (inAxes[j] < 0 || inAxes[j] >= int64_t(x->dims.size()))
      return makeError(Code::DataLoss, ctx.path, ".attrs.scan_input_axes[", j,
                       "]: ", inAxes[j], " is out of range for rank ",
                       x->dims.size());
    CIM_TRY(expectDType(ctx, args[nState + j], field, x->dtype, why));
    CIM_TRY(expectRank(ctx, args[nState + j], field, x->dims.size() - 1, why));
  }
  std::vector<int64_t> outAxes =
      intsOrZeros(ctx.inst, "scan_output_axes", nScanOut);
  for (size_t k = 0; k < nScanOut; ++k) {
    const ValueInfo *r = results[nState + k];
    std::string field = strCat("outputs[", nState + k, "]");
    std::string why = strCat("stacks regions[0].results[", nState + k, "]");
    if (outAxes[k] < 0 || outAxes[k] > int64_t(r->dims.size()))
      return makeError(Code::DataLoss, ctx.path, ".attrs.scan_output_axes[",
                       k, "]: ", outAxes[k], " is out of range for rank ",
                       r->dims.size() + 1);
    CIM_TRY(expectDType(ctx, ctx.outputs[nState + k], field, r->dtype, why));
    CIM_TRY(expectRank(ctx, ctx.outputs[nState + k], field,
                       r->dims.size() + 1, why));
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// cim.ode
//===----------------------------------------------------------------------===//

/// a + c * b, elementwise (same shapes), in float like the exporting
/// frameworks.
Tensor axpy(const Tensor &a, float c, const Tensor &b) {
  Tensor out = Tensor::zeros(DType::F32, a.dims()); // tensors share storage
  float *o = out.mutableData<float>();
  const float *x = a.data<float>(), *y = b.data<float>();
  for (int64_t i = 0; i < out.numElements(); ++i)
    o[i] = x[i] + c * y[i];
  return out;
}

/// A copy of `h` whose storage the analog state may change (tensors share
/// storage).
Tensor copyOf(const Tensor &h) {
  Tensor out = Tensor::zeros(h.dtype(), h.dims());
  std::memcpy(out.mutableRawData(), h.rawData(), h.byteSize());
  return out;
}

/// f(h) through the region, checking the shape it gives back.
Status evaluate(ExecContext &ctx, const Tensor &h, Tensor &k, int64_t step) {
  std::vector<Tensor> results;
  Status s = ctx.runRegion(0, {h}, results);
  if (!s.isOk())
    return s.withPrefix(strCat("step ", step, ": "));
  if (results[0].dims() != h.dims() || results[0].dtype() != DType::F32)
    return makeError(Code::InvalidArgument, "step ", step, ": f gives ",
                     shapeToString(results[0].dims()), " for a state of ",
                     shapeToString(h.dims()));
  k = std::move(results[0]);
  return Status::ok();
}

Status runODE(ExecContext &ctx, const std::vector<const Tensor *> &in,
              std::vector<Tensor> &out) {
  const artifact::Instruction &inst = *ctx.inst.proto;
  int64_t steps = attrInt(inst, "num_steps", -1);
  if (in.size() > 1 && in[1]) {
    if (in[1]->numElements() != 1)
      return makeError(Code::InvalidArgument, "steps has shape ",
                       shapeToString(in[1]->dims()),
                       ", needs exactly one element");
    steps = in[1]->data<int64_t>()[0];
  }
  if (steps < 0)
    return makeError(Code::InvalidArgument, "negative step count ", steps);
  if (steps > kMaxLoopIterations)
    return makeError(Code::InvalidArgument, "the step count ", steps,
                     " exceeds the runtime's limit of ", kMaxLoopIterations,
                     " iterations");
  const float dt = float(attrFloat(inst, "dt", 0));
  const bool rk4 = attrString(inst, "solver", "euler") == "rk4";
  // The analog schedule: the device models the boundary of the analog
  // domain (on a simulator with converters: a DAC at the input, the state
  // in integrators, an ADC at the output; nothing on an ideal device).
  const bool analogSchedule = attrString(inst, "schedule", "") == "analog";
  std::unique_ptr<hal::AnalogState> analog;
  if (analogSchedule && ctx.device && ctx.target) {
    CIM_ASSIGN_OR_RETURN(analog, ctx.device->openAnalogState(*ctx.target));
  }
  Tensor h = *in[0];
  if (analog) {
    int64_t width = h.rank() ? std::max<int64_t>(1, h.dims().back()) : 1;
    h = copyOf(h);
    CIM_TRY(
        analog->enter(h.mutableData<float>(), h.numElements() / width, width));
  }
  for (int64_t i = 0; i < steps; ++i) {
    Tensor k1, k2, k3, k4;
    CIM_TRY(evaluate(ctx, h, k1, i));
    if (!rk4) {
      h = axpy(h, dt, k1);
    } else {
      CIM_TRY(evaluate(ctx, axpy(h, 0.5f * dt, k1), k2, i));
      CIM_TRY(evaluate(ctx, axpy(h, 0.5f * dt, k2), k3, i));
      CIM_TRY(evaluate(ctx, axpy(h, dt, k3), k4, i));
      // h + dt/6 (k1 + 2 k2 + 2 k3 + k4)
      Tensor sum = axpy(axpy(axpy(k1, 2.0f, k2), 2.0f, k3), 1.0f, k4);
      h = axpy(h, dt / 6.0f, sum);
    }
    if (analog)
      CIM_TRY(analog->integrate(h.mutableData<float>(), i));
  }
  if (analog) {
    h = copyOf(h);
    CIM_TRY(analog->leave(h.mutableData<float>()));
  }
  if (analogSchedule && ctx.costs) {
    int64_t width = h.rank() ? std::max<int64_t>(1, h.dims().back()) : 1;
    ctx.costs->chargeAnalogODE(inst, uint64_t(width),
                               uint64_t(steps) * (rk4 ? 4 : 1),
                               uint64_t(h.numElements() / width));
  }
  out.clear();
  out.push_back(std::move(h));
  return Status::ok();
}

Status verifyODE(VerifyContext &ctx) {
  const auto &args = ctx.regionArgs[0];
  const auto &results = ctx.regionResults[0];
  if (args.size() != 1 || results.size() != 1)
    return makeError(Code::DataLoss, ctx.path,
                     ".regions[0]: cim.ode's f needs one argument (the "
                     "state) and one result (dh/dt), got ",
                     args.size(), " and ", results.size());
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32}));
  if (ctx.inputs.size() > 1)
    CIM_TRY(checkInputDType(ctx, 1, {DType::I64}));
  std::string solver = attrString(ctx.inst, "solver", "euler");
  if (solver != "euler" && solver != "rk4")
    return makeError(Code::Unimplemented, ctx.path,
                     ".attrs.solver: unknown ODE solver '", solver,
                     "' (this runtime has euler and rk4)");
  if (!(attrFloat(ctx.inst, "dt", 0) > 0))
    return makeError(Code::DataLoss, ctx.path, ".attrs.dt: must be positive");
  bool hasSteps = ctx.inputs.size() > 1 && ctx.inputs[1];
  if (hasSteps == hasAttr(ctx.inst, "num_steps"))
    return makeError(Code::DataLoss, ctx.path,
                     ": cim.ode needs the step count as the attribute "
                     "num_steps or as input 1, not ",
                     hasSteps ? "both" : "neither");
  return Status::ok();
}

} // namespace

void addControlFlowKernels(std::vector<KernelDef> &t) {
  KernelDef ode{"cim.ode",
                1,
                2,
                {{"solver", AttrKind::String, true},
                 {"dt", AttrKind::Float, true},
                 {"t0", AttrKind::Float, false},
                 {"num_steps", AttrKind::Int, false},
                 {"schedule", AttrKind::String, false}},
                TypeRule::Custom,
                nullptr,
                verifyODE};
  ode.runMulti = runODE;
  ode.numRegions = 1;
  ode.optionalInputs = 1u << 1; // steps
  t.push_back(ode);

  KernelDef loop{"cim.loop", 2, -1, {}, TypeRule::Custom, nullptr, verifyLoop};
  loop.runMulti = runLoop;
  loop.minOutputs = 1;
  loop.maxOutputs = -1;
  loop.numRegions = 1;
  loop.optionalInputs = (1u << 0) | (1u << 1); // max_trip_count, cond
  t.push_back(loop);

  KernelDef cond{"cim.if", 1, 1, {}, TypeRule::Custom, nullptr, verifyIf};
  cond.runMulti = runIf;
  cond.minOutputs = 0;
  cond.maxOutputs = -1;
  cond.numRegions = 2;
  t.push_back(cond);

  KernelDef scan{"cim.scan",
                 1,
                 -1,
                 {{"num_scan_inputs", AttrKind::Int, true},
                  {"scan_input_axes", AttrKind::Ints, false},
                  {"scan_input_directions", AttrKind::Ints, false},
                  {"scan_output_axes", AttrKind::Ints, false},
                  {"scan_output_directions", AttrKind::Ints, false}},
                 TypeRule::Custom,
                 nullptr,
                 verifyScan};
  scan.runMulti = runScan;
  scan.minOutputs = 1;
  scan.maxOutputs = -1;
  scan.numRegions = 1;
  t.push_back(scan);
}

} // namespace cim::rt
