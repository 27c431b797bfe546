//===- RnnKernels.cpp - cim.rnn, cim.gru, cim.lstm --------------*- C++ -*-===//
//
// ONNX RNN, GRU and LSTM (opset 14, with `layout`), computed on the host in
// float32: per step, one GEMM of the batch's inputs with W and one of its
// hidden states with R (OpenBLAS), then the gates elementwise. Each batch entry
// runs over its own sequence length: steps past it leave Y at zero, and Y_h /
// Y_c hold the state after the last processed step (time len-1 forward, time 0
// reverse). A zero-length entry gives zero Y_h / Y_c, as onnxruntime does.
//
// Weight layouts follow ONNX: W [dirs, G*hidden, input], R [dirs, G*hidden,
// hidden], B [dirs, 2*G*hidden] (Wb then Rb), gate blocks in the order
// i o f c (LSTM), z r h (GRU); P [dirs, 3*hidden] in the order i o f.
// The compiler passes the activation list in full (one per function per
// direction) with alpha/beta already defaulted and aligned.
//
//===----------------------------------------------------------------------===//

#include "base/VectorClones.h"
#include "cim/Macro/Recurrent.h"
#include "interp/Kernels.h"

#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace cim::rt {
namespace {

//===----------------------------------------------------------------------===//
// Activation functions
//===----------------------------------------------------------------------===//

std::string knownActivations() {
  std::string s;
  for (const macro::RecurrentActivationInfo &a : macro::kRecurrentActivations)
    s += strCat(s.empty() ? "" : ", ", a.name);
  return s;
}

/// An activation with its parameters (cim/Macro/Recurrent.h).
struct Activation {
  macro::RecurrentActivation kind = macro::RecurrentActivation::Tanh;
  float alpha = 0, beta = 0;
};

/// `a` applied in place to x[0, n), vectorised (base/VectorClones.h).
CIM_VECTOR_CLONES void activate(const Activation &a, float *x, int64_t n) {
  macro::evaluateRow(a.kind, a.alpha, a.beta, x, n);
}

//===----------------------------------------------------------------------===//
// Configuration shared by the three cells
//===----------------------------------------------------------------------===//

enum class Cell { Rnn, Gru, Lstm };

int gateCount(Cell c) { return c == Cell::Rnn ? 1 : c == Cell::Gru ? 3 : 4; }
int activationsPerDirection(Cell c) {
  return c == Cell::Rnn ? 1 : c == Cell::Gru ? 2 : 3;
}
Cell cellOf(std::string_view kernel) {
  return kernel == "cim.rnn" ? Cell::Rnn
         : kernel == "cim.gru" ? Cell::Gru
                               : Cell::Lstm;
}

struct Config {
  Cell cell;
  int numDir = 1;
  bool reverseOnly = false; // direction "reverse"
  int64_t hidden = 0;
  bool batchMajor = false; // layout 1
  bool clip = false;
  float clipValue = 0;
  bool linearBeforeReset = false;
  bool inputForget = false;
  std::vector<Activation> acts; // numDir * activationsPerDirection

  bool isReverse(int dir) const { return reverseOnly || dir == 1; }
};

/// Reads and checks the attributes; `path` prefixes errors (load time) or
/// is empty (run time, where they were checked already).
Status parseConfig(const artifact::Instruction &inst, const std::string &path,
                   Config &c) {
  c.cell = cellOf(inst.kernel());
  std::string dir = attrString(inst, "direction", "forward");
  if (dir == "forward") {
    c.numDir = 1;
  } else if (dir == "reverse") {
    c.numDir = 1;
    c.reverseOnly = true;
  } else if (dir == "bidirectional") {
    c.numDir = 2;
  } else {
    return makeError(Code::DataLoss, path, ".attrs.direction: '", dir,
                     "' is not forward, reverse or bidirectional");
  }
  c.hidden = attrInt(inst, "hidden_size");
  if (c.hidden <= 0 || c.hidden > (int64_t(1) << 24))
    return makeError(Code::DataLoss, path, ".attrs.hidden_size: ", c.hidden,
                     " is out of range (1..2^24)");
  int64_t layout = attrInt(inst, "layout", 0);
  if (layout != 0 && layout != 1)
    return makeError(Code::DataLoss, path, ".attrs.layout: ", layout,
                     " is not 0 or 1");
  c.batchMajor = layout == 1;
  if (hasAttr(inst, "clip")) {
    double clip = attrFloat(inst, "clip");
    if (!(clip >= 0))
      return makeError(Code::DataLoss, path, ".attrs.clip: ", clip,
                       " is not >= 0");
    c.clip = true;
    c.clipValue = float(clip);
  }
  for (const char *flag : {"linear_before_reset", "input_forget"}) {
    int64_t v = attrInt(inst, flag, 0);
    if (v != 0 && v != 1)
      return makeError(Code::DataLoss, path, ".attrs.", flag, ": ", v,
                       " is not 0 or 1");
  }
  c.linearBeforeReset = attrInt(inst, "linear_before_reset", 0) != 0;
  c.inputForget = attrInt(inst, "input_forget", 0) != 0;

  std::vector<std::string> names = attrStrings(inst, "activations");
  size_t want = size_t(c.numDir * activationsPerDirection(c.cell));
  if (names.size() != want)
    return makeError(Code::DataLoss, path, ".attrs.activations: has ",
                     names.size(), " entries, ", inst.kernel(), " ", dir,
                     " needs ", want, " (", activationsPerDirection(c.cell),
                     " per direction)");
  std::vector<double> alphas = attrFloats(inst, "activation_alpha");
  std::vector<double> betas = attrFloats(inst, "activation_beta");
  for (const char *name : {"activation_alpha", "activation_beta"}) {
    size_t n = std::string_view(name) == "activation_alpha" ? alphas.size()
                                                             : betas.size();
    if (hasAttr(inst, name) && n != want)
      return makeError(Code::DataLoss, path, ".attrs.", name, ": has ", n,
                       " entries, needs one per activation (", want, ")");
  }
  c.acts.clear();
  for (size_t i = 0; i < names.size(); ++i) {
    const macro::RecurrentActivationInfo *info =
        macro::findRecurrentActivation(names[i]);
    if (!info)
      return makeError(Code::DataLoss, path, ".attrs.activations[", i,
                       "]: unknown activation '", names[i],
                       "' (known: ", knownActivations(), ")");
    Activation a;
    a.kind = info->kind;
    a.alpha = i < alphas.size() ? float(alphas[i]) : info->alpha;
    a.beta = i < betas.size() ? float(betas[i]) : info->beta;
    c.acts.push_back(a);
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// The computation
//===----------------------------------------------------------------------===//

/// Input positions (ONNX order).
enum { kX, kW, kR, kB, kSeqLens, kInitH, kInitC, kP };

Status expectShape(const Tensor *t, const Shape &want, const char *name) {
  if (t && t->dims() != want)
    return makeError(Code::InvalidArgument, name, " has shape ",
                     shapeToString(t->dims()), ", expected ",
                     shapeToString(want));
  return Status::ok();
}

/// Y (rows x n) = X (rows x k, leading dim ldx) · Wᵀ (W: n x k) + beta Y,
/// in float32 on OpenBLAS.
void productNT(int64_t rows, int64_t n, int64_t k, const float *X, int64_t ldx,
               const float *W, float beta, float *Y, int64_t ldy) {
  if (rows == 0 || n == 0)
    return;
  if (k == 0) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j)
        Y[r * ldy + j] *= beta;
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(n),
              int(k), 1.0f, X, int(ldx), W, int(k), beta, Y, int(ldy));
}

/// One direction of a cell over the whole batch: per step, one GEMM of the
/// batch's inputs with W, one of its states with R (two for a GRU that
/// resets before its product), and the gates.
struct Direction {
  const Config &c;
  int64_t input, hidden, batch, G;
  const float *W, *R;    // this direction's [G*H, input] and [G*H, H]
  const float *Wb, *Rb;  // this direction's biases (G*H each), or null
  const float *P;        // this direction's peepholes (3*H), or null
  const Activation *act; // this direction's activations

  float clip(float f) const {
    if (c.clip)
      f = std::min(std::max(f, -c.clipValue), c.clipValue);
    return f;
  }

  /// The GRU's hidden-gate recurrent bias goes inside r * (...) when it
  /// resets after the product; every other bias is added to the input
  /// projections once.
  bool rbInsideReset(int64_t row) const {
    return c.cell == Cell::Gru && c.linearBeforeReset && row >= 2 * hidden;
  }

  /// The biases added to every input projection.
  std::vector<float> projectionBias() const {
    const int64_t GH = G * hidden;
    std::vector<float> bias(static_cast<size_t>(GH), 0.0f);
    if (Wb)
      for (int64_t j = 0; j < GH; ++j)
        bias[j] = rbInsideReset(j) ? Wb[j] : Wb[j] + Rb[j];
    return bias;
  }

  /// Gate block k's pre-activation, in place in xw: xw + hr, plus the
  /// peephole p ⊙ state if p is not null, clipped.
  void preActivation(int64_t k, float *xw, const float *hr, const float *p,
                     const float *state) const {
    float *g = xw + k * hidden;
    const float *r = hr + k * hidden;
    if (p)
      for (int64_t j = 0; j < hidden; ++j)
        g[j] = clip(g[j] + r[j] + p[j] * state[j]);
    else
      for (int64_t j = 0; j < hidden; ++j)
        g[j] = clip(g[j] + r[j]);
  }

  /// Advances entry b's state h (and c) by one step, from its input
  /// projection xw (G*H, overwritten with the gates) and the recurrent
  /// products hr (G*H each; for a GRU that resets before its product,
  /// hr's hidden block already holds (r ⊙ h) · R_hᵀ). Each gate is a
  /// whole row at a time: its pre-activations, then its activation.
  void gates(float *xw, const float *hr, float *h, float *cell) const {
    const int64_t H = hidden;
    switch (c.cell) {
    case Cell::Rnn:
      preActivation(0, xw, hr, nullptr, nullptr);
      activate(act[0], xw, H);
      std::copy_n(xw, H, h);
      break;
    case Cell::Gru: {
      // Blocks: z [0,H), r [H,2H), h [2H,3H).
      float *z = xw, *r = xw + H, *hh = xw + 2 * H;
      preActivation(0, xw, hr, nullptr, nullptr);
      activate(act[0], z, H);
      if (c.linearBeforeReset) {
        preActivation(1, xw, hr, nullptr, nullptr);
        activate(act[0], r, H);
        for (int64_t j = 0; j < H; ++j) {
          float rb = Wb ? Rb[2 * H + j] : 0.0f;
          hh[j] = clip(hh[j] + r[j] * (hr[2 * H + j] + rb));
        }
      } else {
        preActivation(2, xw, hr, nullptr, nullptr);
      }
      activate(act[1], hh, H);
      for (int64_t j = 0; j < H; ++j)
        h[j] = (1.0f - z[j]) * hh[j] + z[j] * h[j];
      break;
    }
    case Cell::Lstm: {
      // Blocks: i [0,H), o [H,2H), f [2H,3H), c [3H,4H); P: i, o, f.
      float *i = xw, *o = xw + H, *f = xw + 2 * H, *g = xw + 3 * H;
      preActivation(0, xw, hr, P, cell);
      activate(act[0], i, H);
      if (c.inputForget) {
        for (int64_t j = 0; j < H; ++j)
          f[j] = 1.0f - i[j];
      } else {
        preActivation(2, xw, hr, P ? P + 2 * H : nullptr, cell);
        activate(act[0], f, H);
      }
      preActivation(3, xw, hr, nullptr, nullptr);
      activate(act[1], g, H);
      for (int64_t j = 0; j < H; ++j)
        cell[j] = f[j] * cell[j] + i[j] * g[j];
      // The output gate's peephole reads the new cell state.
      preActivation(1, xw, hr, P ? P + H : nullptr, cell);
      activate(act[0], o, H);
      std::copy_n(cell, H, g);
      activate(act[2], g, H);
      for (int64_t j = 0; j < H; ++j)
        h[j] = o[j] * g[j];
      break;
    }
    }
  }
};

Status runRecurrent(ExecContext &ctx, const std::vector<const Tensor *> &in,
                    std::vector<Tensor> &out) {
  Config c;
  CIM_TRY(parseConfig(*ctx.inst.proto, "", c));
  auto input = [&](int i) -> const Tensor * {
    return i < int(in.size()) ? in[i] : nullptr;
  };
  const Tensor &X = *in[kX];
  int64_t seq = c.batchMajor ? X.dims()[1] : X.dims()[0];
  int64_t batch = c.batchMajor ? X.dims()[0] : X.dims()[1];
  int64_t inputSize = X.dims()[2];
  int64_t H = c.hidden, G = gateCount(c.cell), D = c.numDir;
  bool lstm = c.cell == Cell::Lstm;

  CIM_TRY(expectShape(in[kW], {D, G * H, inputSize}, "W"));
  CIM_TRY(expectShape(in[kR], {D, G * H, H}, "R"));
  CIM_TRY(expectShape(input(kB), {D, 2 * G * H}, "B"));
  CIM_TRY(expectShape(input(kSeqLens), {batch}, "sequence_lens"));
  Shape stateDims = c.batchMajor ? Shape{batch, D, H} : Shape{D, batch, H};
  CIM_TRY(expectShape(input(kInitH), stateDims, "initial_h"));
  if (lstm) {
    CIM_TRY(expectShape(input(kInitC), stateDims, "initial_c"));
    CIM_TRY(expectShape(input(kP), {D, 3 * H}, "P"));
  }
  std::vector<int64_t> lens(size_t(batch), seq);
  if (const Tensor *sl = input(kSeqLens)) {
    const int64_t *p = sl->data<int64_t>();
    for (int64_t b = 0; b < batch; ++b) {
      if (p[b] < 0 || p[b] > seq)
        return makeError(Code::InvalidArgument, "sequence_lens[", b, "] = ",
                         p[b], " is outside [0, ", seq, "]");
      lens[b] = p[b];
    }
  }
  int64_t longest = 0;
  for (int64_t len : lens)
    longest = std::max(longest, len);

  Shape yDims = c.batchMajor ? Shape{batch, seq, D, H} : Shape{seq, D, batch, H};
  Tensor Y = Tensor::zeros(DType::F32, yDims);
  Tensor Yh = Tensor::zeros(DType::F32, stateDims);
  Tensor Yc = Tensor::zeros(DType::F32, stateDims);
  float *y = Y.mutableData<float>();
  float *yh = Yh.mutableData<float>();
  float *yc = Yc.mutableData<float>();
  const float *x = X.data<float>();
  auto stateIndex = [&](int64_t d, int64_t b) {
    return (c.batchMajor ? b * D + d : d * batch + b) * H;
  };
  // Row of X (and of the input projections) of step t of entry b.
  auto xRow = [&](int64_t t, int64_t b) {
    return c.batchMajor ? b * seq + t : t * batch + b;
  };
  auto yIndex = [&](int64_t t, int64_t d, int64_t b) {
    return (c.batchMajor ? (b * seq + t) * D + d : (t * D + d) * batch + b) *
           H;
  };

  const int64_t GH = G * H;
  std::vector<float> xs(size_t(batch * inputSize)), xw(size_t(batch * GH)),
      hr(size_t(batch * GH)), h(size_t(batch * H)), cell(size_t(batch * H)), rh;
  for (int64_t d = 0; d < D; ++d) {
    Direction dir{c,
                  inputSize,
                  H,
                  batch,
                  G,
                  in[kW]->data<float>() + d * GH * inputSize,
                  in[kR]->data<float>() + d * GH * H,
                  nullptr,
                  nullptr,
                  nullptr,
                  c.acts.data() + d * activationsPerDirection(c.cell)};
    if (const Tensor *B = input(kB)) {
      dir.Wb = B->data<float>() + d * 2 * GH;
      dir.Rb = dir.Wb + GH;
    }
    if (const Tensor *P = lstm ? input(kP) : nullptr)
      dir.P = P->data<float>() + d * 3 * H;
    std::vector<float> bias = dir.projectionBias();
    bool reverse = c.isReverse(int(d));
    std::fill(h.begin(), h.end(), 0.0f);
    std::fill(cell.begin(), cell.end(), 0.0f);
    for (int64_t b = 0; b < batch; ++b) {
      if (const Tensor *ih = input(kInitH))
        std::copy_n(ih->data<float>() + stateIndex(d, b), H, &h[b * H]);
      if (const Tensor *ic = lstm ? input(kInitC) : nullptr)
        std::copy_n(ic->data<float>() + stateIndex(d, b), H, &cell[b * H]);
    }
    // Step t of entry b: s forward, counted back from its length in reverse.
    auto timeOf = [&](int64_t s, int64_t b) {
      return reverse ? lens[b] - 1 - s : s;
    };
    bool resetFirst = c.cell == Cell::Gru && !c.linearBeforeReset;
    for (int64_t s = 0; s < longest; ++s) {
      // The batch's inputs of this step (entries already done read zeros)
      // and their projections plus the biases, in one GEMM.
      for (int64_t b = 0; b < batch; ++b) {
        float *row = xs.data() + b * inputSize;
        if (s < lens[b])
          std::copy_n(x + xRow(timeOf(s, b), b) * inputSize, inputSize, row);
        else
          std::fill_n(row, inputSize, 0.0f);
        std::copy(bias.begin(), bias.end(), xw.begin() + b * GH);
      }
      productNT(batch, GH, inputSize, xs.data(), inputSize, dir.W, 1.0f,
                xw.data(), GH);
      // The recurrent products: all gates, or a GRU's z and r first and
      // its hidden gate on the reset states.
      productNT(batch, resetFirst ? 2 * H : GH, H, h.data(), H, dir.R, 0.0f,
                hr.data(), GH);
      if (resetFirst) {
        rh.resize(size_t(batch * H));
        for (int64_t b = 0; b < batch; ++b) {
          // The reset gate in place in xw: gates() reads only its z and h
          // blocks.
          float *xwb = xw.data() + b * GH, *r = xwb + H;
          dir.preActivation(1, xwb, hr.data() + b * GH, nullptr, nullptr);
          activate(dir.act[0], r, H);
          for (int64_t j = 0; j < H; ++j)
            rh[b * H + j] = r[j] * h[b * H + j];
        }
        productNT(batch, H, H, rh.data(), H, dir.R + 2 * H * H, 0.0f,
                  hr.data() + 2 * H, GH);
      }
      for (int64_t b = 0; b < batch; ++b) {
        if (s >= lens[b])
          continue; // done: Y stays zero, its state is final
        dir.gates(xw.data() + b * GH, hr.data() + b * GH, &h[b * H],
                  &cell[b * H]);
        std::copy_n(&h[b * H], H, y + yIndex(timeOf(s, b), d, b));
      }
    }
    for (int64_t b = 0; b < batch; ++b) {
      if (lens[b] == 0)
        continue; // a zero-length entry's Y_h / Y_c stay zero
      std::copy_n(&h[b * H], H, yh + stateIndex(d, b));
      std::copy_n(&cell[b * H], H, yc + stateIndex(d, b));
    }
  }
  out.push_back(std::move(Y));
  out.push_back(std::move(Yh));
  if (lstm)
    out.push_back(std::move(Yc));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Load-time checks
//===----------------------------------------------------------------------===//

/// Dim `d` of input `i` must be `want` when both are static.
Status expectDim(const VerifyContext &ctx, size_t i, size_t d, int64_t want,
                 const char *what) {
  const ValueInfo *v = i < ctx.inputs.size() ? ctx.inputs[i] : nullptr;
  if (!v || v->dims[d] < 0 || v->dims[d] == want)
    return Status::ok();
  return makeError(Code::DataLoss, ctx.path, ".inputs[", i, "]: value ",
                   v->id, " has shape ", shapeToString(v->dims), ", dim ", d,
                   " must be ", want, " (", what, ")");
}

Status verifyRecurrent(VerifyContext &ctx) {
  Config c;
  CIM_TRY(parseConfig(ctx.inst, ctx.path, c));
  bool lstm = c.cell == Cell::Lstm;
  static const size_t kRanks[] = {3, 3, 3, 2, 1, 3, 3, 2};
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    CIM_TRY(checkInputDType(ctx, i,
                            {i == kSeqLens ? DType::I64 : DType::F32}));
    CIM_TRY(checkInputRank(ctx, i, kRanks[i]));
  }
  for (size_t o = 0; o < ctx.outputs.size(); ++o) {
    CIM_TRY(checkOutputDType(ctx, o, DType::F32));
    CIM_TRY(checkOutputRank(ctx, o, o == 0 ? 4 : 3));
  }
  int64_t H = c.hidden, G = gateCount(c.cell), D = c.numDir;
  CIM_TRY(expectDim(ctx, kW, 0, D, "num_directions"));
  CIM_TRY(expectDim(ctx, kW, 1, G * H, "gates * hidden_size"));
  CIM_TRY(expectDim(ctx, kR, 0, D, "num_directions"));
  CIM_TRY(expectDim(ctx, kR, 1, G * H, "gates * hidden_size"));
  CIM_TRY(expectDim(ctx, kR, 2, H, "hidden_size"));
  CIM_TRY(expectDim(ctx, kB, 0, D, "num_directions"));
  CIM_TRY(expectDim(ctx, kB, 1, 2 * G * H, "2 * gates * hidden_size"));
  if (lstm) {
    CIM_TRY(expectDim(ctx, kP, 0, D, "num_directions"));
    CIM_TRY(expectDim(ctx, kP, 1, 3 * H, "3 * hidden_size"));
  }
  return Status::ok();
}

} // namespace

void addRnnKernels(std::vector<KernelDef> &t) {
  std::vector<AttrSpec> common = {
      {"direction", AttrKind::String, false},
      {"hidden_size", AttrKind::Int, true},
      {"activations", AttrKind::Strings, true},
      {"activation_alpha", AttrKind::Floats, false},
      {"activation_beta", AttrKind::Floats, false},
      {"clip", AttrKind::Float, false},
      {"layout", AttrKind::Int, false},
  };
  auto def = [&](std::string_view name, int maxIn, int outs,
                 std::vector<AttrSpec> extra) {
    KernelDef k{name,   3,      maxIn, common, TypeRule::Custom,
                nullptr, verifyRecurrent};
    k.attrs.insert(k.attrs.end(), extra.begin(), extra.end());
    k.runMulti = runRecurrent;
    k.minOutputs = k.maxOutputs = outs;
    // B, sequence_lens, initial_h (and initial_c, P) may be absent.
    for (int i = kB; i < maxIn; ++i)
      k.optionalInputs |= 1u << i;
    t.push_back(k);
  };
  def("cim.rnn", 6, 2, {});
  def("cim.gru", 6, 2, {{"linear_before_reset", AttrKind::Int, false}});
  def("cim.lstm", 8, 3, {{"input_forget", AttrKind::Int, false}});
}

} // namespace cim::rt
