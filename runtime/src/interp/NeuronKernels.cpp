//===- NeuronKernels.cpp - Spiking layers -----------------------*- C++ -*-===//
//
// cim.lif: a layer of leaky integrate-and-fire neurons over T time steps
// (macro::LIFNeuron, one per element of the currents). Inputs: the bias
// current (absent: none, else [1, ..., N] added to every step's current),
// the initial membrane (absent: zero), then one current per step. Outputs:
// the spikes of every step and the final membrane. With `neurons` the
// layer runs on the columns' LIF neurons (the currents are the charges of
// its tiles, read with no ADC), charged as neuron updates; without, in the
// digital unit, charged as its operations.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Readout.h"
#include "interp/CostCounter.h"
#include "interp/Kernels.h"

#include <algorithm>

namespace cim::rt {
namespace {

constexpr size_t kFixedInputs = 2; // bias, init

Status runLif(ExecContext &ctx, const std::vector<const Tensor *> &in,
              std::vector<Tensor> &out) {
  const artifact::Instruction &inst = *ctx.inst.proto;
  macro::LIFNeuron neuron;
  neuron.beta = float(attrFloat(inst, "beta"));
  neuron.theta = float(attrFloat(inst, "theta"));
  neuron.ge = attrString(inst, "compare") == "ge";
  neuron.subtractReset = attrString(inst, "reset") == "subtract";
  neuron.refractory = attrInt(inst, "refractory", 0) != 0;
  const Tensor *bias = in[0], *init = in[1];
  const size_t steps = in.size() - kFixedInputs;
  const Tensor &first = *in[kFixedInputs];
  const Shape &dims = first.dims();
  for (size_t t = 1; t < steps; ++t)
    if (in[kFixedInputs + t]->dims() != dims)
      return makeError(Code::InvalidArgument, "current of step ", t,
                       " has shape ", shapeToString(in[kFixedInputs + t]->dims()),
                       ", step 0's ", shapeToString(dims));
  if (dims.empty())
    return makeError(Code::InvalidArgument, "currents are scalars");
  const int64_t n = dims.back();
  if (init && init->dims() != dims)
    return makeError(Code::InvalidArgument, "initial membrane has shape ",
                     shapeToString(init->dims()), ", the currents' ",
                     shapeToString(dims));
  if (bias && (bias->rank() != first.rank() || bias->dims().back() != n ||
               bias->numElements() != n))
    return makeError(Code::InvalidArgument, "bias has shape ",
                     shapeToString(bias->dims()), " for currents ",
                     shapeToString(dims));
  const int64_t count = first.numElements();
  Tensor v = Tensor::zeros(DType::F32, dims);
  float *membrane = v.mutableData<float>();
  if (init)
    std::copy_n(init->data<float>(), count, membrane);
  const float *b = bias ? bias->data<float>() : nullptr;
  uint64_t spikes = 0;
  out.clear();
  for (size_t t = 0; t < steps; ++t) {
    const float *current = in[kFixedInputs + t]->data<float>();
    const float *previous = t ? out[t - 1].data<float>() : nullptr;
    Tensor s = Tensor::zeros(DType::F32, dims);
    float *spike = s.mutableData<float>();
    for (int64_t i = 0; i < count; ++i) {
      // The bias joins the current first, as the product's bias add does.
      float c = b ? current[i] + b[i % n] : current[i];
      spike[i] = neuron.step(membrane[i], c, previous ? previous[i] : 0.0f);
      spikes += spike[i] != 0.0f;
    }
    out.push_back(std::move(s));
  }
  out.push_back(std::move(v));
  if (ctx.costs)
    ctx.costs->chargeLIF(inst, attrInt(inst, "neurons", 0) != 0, uint64_t(n),
                         steps, n ? uint64_t(count / n) : 0, spikes);
  return Status::ok();
}

Status verifyLif(VerifyContext &ctx) {
  size_t steps = ctx.inputs.size() - kFixedInputs;
  if (ctx.outputs.size() != steps + 1)
    return makeError(Code::DataLoss, ctx.path, ": ", steps,
                     " time steps need ", steps + 1,
                     " outputs (a spike tensor per step and the membrane), "
                     "got ",
                     ctx.outputs.size());
  for (const ValueInfo *v : ctx.inputs)
    if (v && v->dtype != DType::F32)
      return makeError(Code::DataLoss, ctx.path, ": value ", v->id,
                       " is not f32");
  for (const ValueInfo *v : ctx.outputs)
    if (v->dtype != DType::F32)
      return makeError(Code::DataLoss, ctx.path, ": output value ", v->id,
                       " is not f32");
  std::string compare = attrString(ctx.inst, "compare");
  if (compare != "gt" && compare != "ge")
    return makeError(Code::DataLoss, ctx.path,
                     ".attrs.compare: expected gt or ge, got '", compare, "'");
  int64_t refractory = attrInt(ctx.inst, "refractory", 0);
  if (refractory != 0 && refractory != 1)
    return makeError(Code::DataLoss, ctx.path,
                     ".attrs.refractory: expected 0 or 1, got ", refractory);
  std::string reset = attrString(ctx.inst, "reset");
  if (reset != "subtract" && reset != "zero")
    return makeError(Code::DataLoss, ctx.path,
                     ".attrs.reset: expected subtract or zero, got '", reset,
                     "'");
  return Status::ok();
}

} // namespace

void addNeuronKernels(std::vector<KernelDef> &t) {
  KernelDef lif{"cim.lif",
                int(kFixedInputs) + 1,
                -1,
                {{"beta", AttrKind::Float, true},
                 {"theta", AttrKind::Float, true},
                 {"compare", AttrKind::String, true},
                 {"reset", AttrKind::String, true},
                 {"refractory", AttrKind::Int, false},
                 {"neurons", AttrKind::Int, false}},
                TypeRule::Custom,
                nullptr,
                verifyLif};
  lif.runMulti = runLif;
  lif.minOutputs = 2;
  lif.maxOutputs = -1;
  lif.optionalInputs = 0b11; // bias, init
  t.push_back(lif);
}

} // namespace cim::rt
