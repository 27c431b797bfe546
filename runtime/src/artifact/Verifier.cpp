//===- Verifier.cpp - Artifact validation -----------------------*- C++ -*-===//
//
// The checks, in the order the interpreter depends on them: target bit
// widths, tiles (sizes, fit in the array, sane conductances), values,
// program inputs and constants (each value defined exactly once), then every
// instruction in order (kernel known, arity, attributes, element types,
// kernel-specific static checks, operands defined before use), and finally
// the program outputs. Regions are verified recursively where their owner
// is: a region sees what is defined before its owner plus its own values,
// and nothing it defines is visible after it. Structural problems are
// DATA_LOSS (the file is not what the compiler should have written); things
// a newer runtime might support are UNIMPLEMENTED.
//
//===----------------------------------------------------------------------===//

#include "artifact/Verifier.h"

#include "artifact/Placement.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Readout.h"
#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"
#include "interp/Kernels.h"

#include <cmath>

namespace cim::rt {

using namespace cim::macro;

Status Verifier::run() {
  CIM_TRY(verifyTarget());
  CIM_TRY(verifyTiles());
  CIM_TRY(verifyPlacement(m_.artifact_));
  CIM_TRY(verifyValues());
  CIM_TRY(verifyInputs());
  CIM_TRY(verifyConstants());
  // Top-level values live in one block: inputs, constants and the outputs
  // of top-level instructions.
  std::vector<int> locals = m_.inputs_;
  for (const auto &c : m_.constants_)
    locals.push_back(c.first);
  CIM_TRY(verifyBlock(m_.artifact_.program().instructions(),
                      "program.instructions", m_.instructions_, locals));
  CIM_TRY(verifyOutputs());
  computeLiveness(m_.instructions_, locals, m_.outputs_);
  return Status::ok();
}

Status Verifier::verifyTarget() {
  const artifact::Target &t = m_.artifact_.target();
  // 1 bit is a sign converter (a comparator); more bits are uniform.
  auto converter = [](const char *field, uint32_t bits) -> Status {
    if (bits > kMaxConverterBits)
      return makeError(Code::DataLoss, "target.", field, ": ", bits,
                       " is out of range (0 = ideal, 1..", kMaxConverterBits,
                       ")");
    return Status::ok();
  };
  CIM_TRY(converter("dac_bits", t.dac_bits()));
  CIM_TRY(converter("adc_bits", t.adc_bits()));
  CIM_TRY(converter("input_bits", t.input_bits()));
  switch (t.adc_kind()) {
  case artifact::ADC_KIND_UNSPECIFIED:
  case artifact::ADC_KIND_UNIFORM:
  case artifact::ADC_KIND_RAMP:
    break;
  case artifact::ADC_KIND_SIGN:
    if (t.adc_bits() != 1)
      return makeError(Code::DataLoss, "target.adc_kind: a sign comparator "
                       "has 1 bit, but adc_bits is ", t.adc_bits());
    break;
  default:
    return makeError(Code::Unimplemented, "target.adc_kind: unknown ADC kind ",
                     int(t.adc_kind()));
  }
  if (t.arrays_size() == 0)
    return makeError(Code::DataLoss,
                     "target.arrays: the target has no kind of array");
  for (int i = 0; i < t.arrays_size(); ++i) {
    const artifact::ArrayKind &a = t.arrays(i);
    std::string path = strCat("target.arrays[", i, "]");
    if (a.rows() == 0 || a.cols() == 0)
      return makeError(Code::DataLoss, path, ": empty array (rows ", a.rows(),
                       ", cols ", a.cols(), ")");
    if (a.spare_rows() >= a.rows() || a.spare_cols() >= a.cols())
      return makeError(Code::DataLoss, path, ": spares (", a.spare_rows(),
                       " rows, ", a.spare_cols(), " columns) leave no room "
                       "in a ", a.rows(), "x", a.cols(), " array");
    if (a.bits_per_cell() > kMaxBitsPerCell)
      return makeError(Code::DataLoss, path, ".bits_per_cell: ",
                       a.bits_per_cell(), " is out of range (0 = ideal, 1..",
                       kMaxBitsPerCell, ")");
    if (a.weight_bits() > kMaxWeightBits)
      return makeError(Code::DataLoss, path, ".weight_bits: ", a.weight_bits(),
                       " is more than ", kMaxWeightBits);
    if (a.encoding() != artifact::DIFFERENTIAL &&
        a.encoding() != artifact::OFFSET)
      return makeError(Code::Unimplemented, path,
                       ".encoding: unsupported weight encoding ",
                       int(a.encoding()),
                       " (this runtime supports DIFFERENTIAL and OFFSET)");
    if ((a.g_min_us() != 0 || a.g_max_us() != 0) &&
        !(a.g_min_us() >= 0 && a.g_min_us() < a.g_max_us()))
      return makeError(Code::DataLoss, "target.arrays[", i,
                       "]: conductance range needs 0 <= g_min_us < g_max_us, "
                       "got [", a.g_min_us(), ", ", a.g_max_us(), "]");
  }
  if (t.has_lif() && !(t.lif().threshold() > 0 && t.lif().leak() >= 0 &&
                       t.lif().leak() < 1))
    return makeError(Code::DataLoss, "target.lif: needs threshold > 0 and "
                     "leak in [0, 1), got threshold ", t.lif().threshold(),
                     ", leak ", t.lif().leak());
  if (t.has_integrator() &&
      !(t.integrator().gain_max() > 0 && t.integrator().v_sat() > 0 &&
        t.integrator().leak() >= 0 && t.integrator().leak() < 1 &&
        t.integrator().noise() >= 0))
    return makeError(Code::DataLoss, "target.integrator: needs gain_max > 0, "
                     "v_sat > 0, leak in [0, 1) and noise >= 0");
  return Status::ok();
}

/// `count` finite values in `values` (the field at `path`), one per
/// `what`.
template <typename List>
static Status finiteValues(const std::string &path, const List &values,
                           uint32_t count, const char *what) {
  if (uint32_t(values.size()) != count)
    return makeError(Code::DataLoss, path, ": has ", values.size(),
                     " values for ", count, " ", what);
  for (auto v : values)
    if (!std::isfinite(v))
      return makeError(Code::DataLoss, path, ": a value is ", v);
  return Status::ok();
}

Status Verifier::verifyTiles() {
  const artifact::Target &target = m_.artifact_.target();
  const auto &tiles = m_.artifact_.tiles();
  for (int i = 0; i < tiles.size(); ++i) {
    const artifact::Tile &t = tiles[i];
    std::string path = strCat("tiles[", i, "]");
    auto [it, inserted] = tileIndexById_.emplace(t.id(), i);
    if (!inserted)
      return makeError(Code::DataLoss, path, ".id: duplicate tile id ", t.id(),
                       " (also tiles[", it->second, "])");
    if (t.rows() == 0 || t.cols() == 0)
      return makeError(Code::DataLoss, path, ": empty tile (rows ", t.rows(),
                       ", cols ", t.cols(), ")");
    if (t.array_kind() >= uint32_t(target.arrays_size()))
      return makeError(Code::DataLoss, path, ".array_kind: ", t.array_kind(),
                       ", but the target has ", target.arrays_size(),
                       " kind(s) of array");
    uint64_t n = uint64_t(t.rows()) * t.cols();
    if (uint64_t(t.g_pos_size()) != n)
      return makeError(Code::DataLoss, path, ".g_pos: has ", t.g_pos_size(),
                       " values, rows*cols = ", t.rows(), "*", t.cols(), " = ",
                       n);
    if (uint64_t(t.g_neg_size()) != n)
      return makeError(Code::DataLoss, path, ".g_neg: has ", t.g_neg_size(),
                       " values, rows*cols = ", t.rows(), "*", t.cols(), " = ",
                       n);
    if (t.bridge() && !target.bridge_neurons())
      return makeError(Code::DataLoss, path,
                       ".bridge: the target has no bridge neurons");
    if (t.lif() && !target.has_lif())
      return makeError(Code::DataLoss, path,
                       ".lif: the target has no LIF neurons");
    if (t.lif() && (t.bridge() || t.analog() || t.has_ramp()))
      return makeError(Code::DataLoss, path,
                       ".lif: LIF columns cannot also be bridges, analog or "
                       "a ramp readout");
    if (!artifact::InputCoding_IsValid(t.input_coding()))
      return makeError(Code::DataLoss, path, ".input_coding: unknown value ",
                       int(t.input_coding()));
    if (t.bridge())
      for (int k = 0; k < t.g_pos_size() && k < t.g_neg_size(); ++k)
        if ((t.g_pos(k) != 0 && t.g_pos(k) != 1) ||
            (t.g_neg(k) != 0 && t.g_neg(k) != 1) ||
            (t.g_pos(k) == 1 && t.g_neg(k) == 1))
          return makeError(Code::DataLoss, path, ".g_pos/g_neg[", k,
                           "]: a bridge holds +1, -1 or 0, got ", t.g_pos(k),
                           " - ", t.g_neg(k));
    if (t.input_means_size() > 0) {
      if (!t.bridge())
        return makeError(Code::DataLoss, path,
                         ".input_means: only bridge tiles have them");
      CIM_TRY(finiteValues(path + ".input_means", t.input_means(), t.rows(),
                           "rows"));
    }
    if (t.has_neurons()) {
      const artifact::BinaryNeurons &b = t.neurons();
      if (!t.bridge())
        return makeError(Code::DataLoss, path,
                         ".neurons: binary neurons read bridge tiles only");
      if (b.fan_in() < t.rows())
        return makeError(Code::DataLoss, path, ".neurons.fan_in: ",
                         b.fan_in(), " is below the tile's ", t.rows(),
                         " rows");
      CIM_TRY(finiteValues(path + ".neurons.pre", b.pre(), t.cols(),
                           "columns"));
      CIM_TRY(finiteValues(path + ".neurons.scale", b.scale(), t.cols(),
                           "columns"));
      CIM_TRY(finiteValues(path + ".neurons.bias", b.bias(), t.cols(),
                           "columns"));
      CIM_TRY(finiteValues(path + ".neurons.cmp", b.cmp(), t.cols(),
                           "columns"));
      CIM_TRY(finiteValues(path + ".neurons.reference", b.reference(),
                           t.cols(), "columns"));
      if (b.tie() != 0 && b.tie() != 1 && b.tie() != -1)
        return makeError(Code::DataLoss, path, ".neurons.tie: ", b.tie(),
                         " is not 0, 1 or -1");
    }
    if (t.has_ramp()) {
      const artifact::RampReadout &r = t.ramp();
      if (r.bits() == 0 || r.bits() > kMaxRampBits)
        return makeError(Code::DataLoss, path, ".ramp.bits: ", r.bits(),
                         " is out of range (1..", kMaxRampBits, ")");
      if (r.steps_size() == 0)
        return makeError(Code::DataLoss, path,
                         ".ramp.steps: a ramp readout needs its function's "
                         "steps (version 1 artifacts named it as text; "
                         "compile the model again)");
      for (int k = 0; k < r.steps_size(); ++k)
        if (r.steps(k).kind() < artifact::RAMP_TANH ||
            r.steps(k).kind() > artifact::RAMP_ADD)
          return makeError(Code::Unimplemented, path, ".ramp.steps[", k,
                           "]: unknown step kind ", int(r.steps(k).kind()),
                           " (this runtime has tanh, sigmoid, exp, log, relu, "
                           "clamp, mul, add)");
      if (r.levels_size() != r.thresholds_size() + 1)
        return makeError(Code::DataLoss, path, ".ramp: ",
                         r.thresholds_size(), " thresholds need ",
                         r.thresholds_size() + 1, " levels, got ",
                         r.levels_size());
      for (int k = 1; k < r.thresholds_size(); ++k)
        if (!(r.thresholds(k - 1) <= r.thresholds(k)))
          return makeError(Code::DataLoss, path, ".ramp.thresholds[", k,
                           "]: thresholds must ascend");
      if (r.conductances_us_size() != r.thresholds_size())
        return makeError(Code::DataLoss, path, ".ramp.conductances_us: has ",
                         r.conductances_us_size(), " cells for ",
                         r.thresholds_size(), " thresholds");
    }
    // The tile's kind of array: its geometry, encoding and slices.
    const artifact::ArrayKind &kind = target.arrays(int(t.array_kind()));
    std::string kindPath = strCat("target.arrays[", t.array_kind(), "]");
    // Weights use the lines the spares leave.
    const unsigned rows = usableLines(kind.rows(), kind.spare_rows());
    const unsigned cols = usableLines(kind.cols(), kind.spare_cols());
    if (t.rows() > rows)
      return makeError(Code::DataLoss, path, ".rows: ", t.rows(), " exceeds ",
                       kindPath, ".rows ", kind.rows(),
                       kind.spare_rows()
                           ? strCat(" less ", kind.spare_rows(), " spare rows")
                           : std::string());
    // DIFFERENTIAL uses two physical columns per weight column; OFFSET one,
    // plus a shared reference column.
    bool offset = kind.encoding() == artifact::OFFSET;
    if (t.weight_bits() > kMaxWeightBits)
      return makeError(Code::DataLoss, path, ".weight_bits: ", t.weight_bits(),
                       " exceeds ", kMaxWeightBits);
    unsigned slices = weightSlices(t.weight_bits(), kind.bits_per_cell());
    uint64_t physical = physicalColumns(t.cols(), slices, offset);
    if (physical > cols)
      return makeError(Code::DataLoss, path, ".cols: ",
                       offset ? "OFFSET needs " : "DIFFERENTIAL needs ",
                       physical, " array columns for ", t.cols(),
                       " weight columns, ", kindPath, ".cols is ", kind.cols(),
                       kind.spare_cols()
                           ? strCat(" less ", kind.spare_cols(),
                                    " spare columns")
                           : std::string());
    if (t.scales_size() != int(t.cols()))
      return makeError(Code::DataLoss, path, ".scales: has ", t.scales_size(),
                       " values for ", t.cols(), " columns");
    for (int j = 0; j < t.scales_size(); ++j)
      if (!(t.scales(j) > 0) || !std::isfinite(t.scales(j)))
        return makeError(Code::DataLoss, path, ".scales[", j,
                         "]: ", t.scales(j), " must be finite and > 0");
    uint64_t windows = uint64_t(slices) * t.cols();
    if (uint64_t(t.adc_lo_size()) != windows ||
        uint64_t(t.adc_hi_size()) != windows)
      return makeError(Code::DataLoss, path, ".adc_lo/.adc_hi: have ",
                       t.adc_lo_size(), "/", t.adc_hi_size(), " values for ",
                       slices, " slices of ", t.cols(), " columns");
    for (int j = 0; j < t.adc_lo_size(); ++j)
      if (!std::isfinite(t.adc_lo(j)) || !std::isfinite(t.adc_hi(j)) ||
          !(t.adc_hi(j) > t.adc_lo(j)))
        return makeError(Code::DataLoss, path, ".adc_lo[", j, "]/.adc_hi[", j,
                         "]: [", t.adc_lo(j), ", ", t.adc_hi(j),
                         "] is not a finite, non-empty window");
    for (const auto *field : {&t.g_pos(), &t.g_neg()}) {
      for (int j = 0; j < field->size(); ++j) {
        float g = (*field)[j];
        if (!(g >= 0.0f && g <= 1.0f))
          return makeError(Code::DataLoss, path,
                           field == &t.g_pos() ? ".g_pos[" : ".g_neg[", j,
                           "]: conductance ", g, " is outside [0, 1]");
      }
    }
    if (t.codes_size() > 0) {
      uint64_t n = uint64_t(t.rows()) * t.cols();
      if (uint64_t(t.codes_size()) != n)
        return makeError(Code::DataLoss, path, ".codes: has ", t.codes_size(),
                         " values for ", t.rows(), " x ", t.cols(),
                         " weights");
      if (kind.bits_per_cell() == 0)
        return makeError(Code::DataLoss, path, ".codes: ", kindPath,
                         " has unquantised cells (bits_per_cell 0)");
      for (int j = 0; j < t.codes_size(); ++j)
        if (!validCode(t.codes(j), kind.bits_per_cell(), t.weight_bits(),
                       offset))
          return makeError(Code::DataLoss, path, ".codes[", j, "]: ",
                           t.codes(j), " is not a code of ",
                           int64_t(weightLevels(kind.bits_per_cell(),
                                                t.weight_bits())),
                           " levels", offset ? " (odd, for offset cells)" : "");
    }
  }
  return Status::ok();
}

Status Verifier::verifyValues() {
  const auto &values = m_.artifact_.program().values();
  m_.values_.reserve(values.size());
  for (int i = 0; i < values.size(); ++i) {
    const artifact::Value &v = values[i];
    std::string path = strCat("program.values[", i, "]");
    auto [it, inserted] = slotById_.emplace(v.id(), i);
    if (!inserted)
      return makeError(Code::DataLoss, path, ".id: duplicate value id ", v.id(),
                       " (also program.values[", it->second, "])");
    ValueInfo info;
    info.id = v.id();
    info.name = v.name();
    if (!dtypeFromProto(v.type().dtype(), info.dtype))
      return makeError(Code::DataLoss, path,
                       ".type.dtype: unspecified or unknown element type ",
                       int(v.type().dtype()));
    for (int d = 0; d < v.type().dims_size(); ++d) {
      int64_t dim = v.type().dims(d);
      if (dim < -1)
        return makeError(Code::DataLoss, path, ".type.dims[", d, "]: ", dim,
                         " is invalid (-1 marks a dynamic dim)");
      info.dims.push_back(dim);
    }
    m_.values_.push_back(std::move(info));
  }
  definedBy_.assign(m_.values_.size(), std::string());
  hiddenBy_.assign(m_.values_.size(), std::string());
  return Status::ok();
}

Status Verifier::lookup(uint32_t id, const std::string &path, int &slot) {
  auto it = slotById_.find(id);
  if (it == slotById_.end())
    return makeError(Code::DataLoss, path, ": value ", id,
                     " is not declared in program.values");
  slot = it->second;
  return Status::ok();
}

Status Verifier::use(uint32_t id, const std::string &path, int &slot) {
  CIM_TRY(lookup(id, path, slot));
  if (definedBy_[slot].empty())
    return makeError(Code::DataLoss, path, ": value ", id,
                     " is used before it is defined");
  if (!hiddenBy_[slot].empty())
    return makeError(Code::DataLoss, path, ": value ", id,
                     " is defined inside ", hiddenBy_[slot],
                     " and not visible here");
  return Status::ok();
}

Status Verifier::define(uint32_t id, const std::string &path,
                        const std::string &by, int &slot) {
  CIM_TRY(lookup(id, path, slot));
  if (!definedBy_[slot].empty())
    return makeError(Code::DataLoss, path, ": value ", id,
                     " is already defined by ", definedBy_[slot]);
  definedBy_[slot] = by;
  return Status::ok();
}

Status Verifier::verifyInputs() {
  const auto &inputs = m_.artifact_.program().inputs();
  for (int i = 0; i < inputs.size(); ++i) {
    std::string path = strCat("program.inputs[", i, "]");
    int slot;
    CIM_TRY(define(inputs[i], path, path, slot));
    m_.inputs_.push_back(slot);
  }
  return Status::ok();
}

Status Verifier::verifyConstants() {
  const auto &constants = m_.artifact_.program().constants();
  for (int i = 0; i < constants.size(); ++i) {
    const artifact::Constant &c = constants[i];
    std::string path = strCat("program.constants[", i, "]");
    int slot;
    CIM_TRY(define(c.value(), path + ".value", path, slot));
    const ValueInfo &info = m_.values_[slot];
    Shape dims(c.dims().begin(), c.dims().end());
    auto count = checkedElementCount(dims, path + ".dims");
    if (!count.isOk())
      return Status(Code::DataLoss, count.status().message());
    int64_t n = *count;

    // The constant's shape must be an instance of the declared type.
    bool compatible = dims.size() == info.dims.size();
    for (size_t d = 0; compatible && d < dims.size(); ++d)
      compatible = info.dims[d] == -1 || info.dims[d] == dims[d];
    if (!compatible)
      return makeError(Code::DataLoss, path, ".dims: ", shapeToString(dims),
                       " does not match the declared type ",
                       shapeToString(info.dims), " of value ", info.id);

    Tensor t = Tensor::zeros(info.dtype, dims);
    if (info.dtype == DType::F32) {
      if (c.i64_data_size() != 0)
        return makeError(Code::DataLoss, path, ": value ", info.id,
                         " is F32 but the constant has i64_data");
      if (c.f32_data_size() != n)
        return makeError(Code::DataLoss, path, ".f32_data: has ",
                         c.f32_data_size(), " values, dims ",
                         shapeToString(dims), " need ", n);
      std::copy(c.f32_data().begin(), c.f32_data().end(),
                t.mutableData<float>());
    } else {
      if (c.f32_data_size() != 0)
        return makeError(Code::DataLoss, path, ": value ", info.id, " is ",
                         dtypeName(info.dtype),
                         " but the constant has f32_data");
      if (c.i64_data_size() != n)
        return makeError(Code::DataLoss, path, ".i64_data: has ",
                         c.i64_data_size(), " values, dims ",
                         shapeToString(dims), " need ", n);
      if (info.dtype == DType::I64) {
        std::copy(c.i64_data().begin(), c.i64_data().end(),
                  t.mutableData<int64_t>());
      } else {
        bool *out = t.mutableData<bool>();
        for (int64_t j = 0; j < n; ++j)
          out[j] = c.i64_data(int(j)) != 0;
      }
    }
    m_.constants_.emplace_back(slot, std::move(t));
  }
  return Status::ok();
}

namespace {

const char *protoAttrKindName(artifact::Attribute::KindCase kind) {
  switch (kind) {
  case artifact::Attribute::kI:
    return attrKindName(AttrKind::Int);
  case artifact::Attribute::kF:
    return attrKindName(AttrKind::Float);
  case artifact::Attribute::kS:
    return attrKindName(AttrKind::String);
  case artifact::Attribute::kInts:
    return attrKindName(AttrKind::Ints);
  case artifact::Attribute::kFloats:
    return attrKindName(AttrKind::Floats);
  case artifact::Attribute::kStrings:
    return attrKindName(AttrKind::Strings);
  default:
    return "nothing (no kind set)";
  }
}

bool kindMatches(AttrKind want, artifact::Attribute::KindCase got) {
  // A writer that adds no element to an empty list leaves the oneof unset
  // (proto3 cannot tell the two apart on the wire); read it as the empty
  // list wherever a list is expected.
  bool isList = want == AttrKind::Ints || want == AttrKind::Floats ||
                want == AttrKind::Strings;
  if (isList && got == artifact::Attribute::KIND_NOT_SET)
    return true;
  switch (want) {
  case AttrKind::Int:
    return got == artifact::Attribute::kI;
  case AttrKind::Float:
    return got == artifact::Attribute::kF;
  case AttrKind::String:
    return got == artifact::Attribute::kS;
  case AttrKind::Ints:
    return got == artifact::Attribute::kInts;
  case AttrKind::Floats:
    return got == artifact::Attribute::kFloats;
  case AttrKind::Strings:
    return got == artifact::Attribute::kStrings;
  }
  return false;
}

std::string countNoun(int n, const char *noun) {
  return strCat(n, " ", noun, n == 1 ? "" : "s");
}

/// "takes 2 inputs" / "takes at least 1 input" / "takes 3 to 6 inputs".
std::string arityText(int lo, int hi, const char *noun) {
  if (hi < 0)
    return strCat("at least ", countNoun(lo, noun));
  if (lo == hi)
    return countNoun(lo, noun);
  return strCat(lo, " to ", hi, " ", noun, "s");
}

/// The generic element-type rules of the kernel table (all but Custom):
/// which input types are accepted and what the single output is.
Status checkTypeRule(const KernelDef &k, const std::string &path,
                     const std::vector<const ValueInfo *> &inputs,
                     const ValueInfo &out) {
  if (k.types == TypeRule::Custom)
    return Status::ok();
  const ValueInfo *ref = nullptr;
  for (const ValueInfo *v : inputs)
    if (v && !ref)
      ref = v;
  if (!ref)
    return Status::ok();
  auto allowed = [&](DType t) {
    switch (k.types) {
    case TypeRule::F32:
      return t == DType::F32;
    case TypeRule::Numeric:
    case TypeRule::Compare:
      return t == DType::F32 || t == DType::I64;
    case TypeRule::Logical:
      return t == DType::Bool;
    default:
      return true;
    }
  };
  const char *allowedText = k.types == TypeRule::F32       ? "F32"
                            : k.types == TypeRule::Logical ? "BOOL"
                                                           : "F32 or I64";
  for (size_t j = 0; j < inputs.size(); ++j) {
    const ValueInfo *v = inputs[j];
    if (!v)
      continue;
    if (!allowed(v->dtype))
      return makeError(Code::DataLoss, path, ".inputs[", j, "]: value ",
                       v->id, " is ", dtypeName(v->dtype), " but ", k.name,
                       " needs ", allowedText);
    if (v->dtype != ref->dtype)
      return makeError(Code::DataLoss, path, ".inputs[", j, "]: value ",
                       v->id, " is ", dtypeName(v->dtype), " but ", k.name,
                       " needs all inputs ", dtypeName(ref->dtype));
  }
  bool toBool = k.types == TypeRule::Compare ||
                k.types == TypeRule::CompareAny ||
                k.types == TypeRule::Logical;
  DType result = toBool ? DType::Bool : ref->dtype;
  if (out.dtype != result)
    return makeError(Code::DataLoss, path, ".outputs[0]: value ", out.id,
                     " is declared ", dtypeName(out.dtype), " but ", k.name,
                     " produces ", dtypeName(result));
  return Status::ok();
}

} // namespace

Status Verifier::verifyBlock(const Instructions &insts,
                             const std::string &prefix,
                             std::vector<CompiledInstruction> &out,
                             std::vector<int> &locals) {
  out.reserve(size_t(insts.size()));
  for (int i = 0; i < insts.size(); ++i) {
    CompiledInstruction ci;
    CIM_TRY(verifyInstruction(insts[i], strCat(prefix, "[", i, "]"), ci,
                              locals));
    out.push_back(std::move(ci));
  }
  return Status::ok();
}

Status Verifier::verifyInstruction(const artifact::Instruction &inst,
                                   const std::string &path,
                                   CompiledInstruction &ci,
                                   std::vector<int> &locals) {
  const KernelDef *k = findKernel(inst.kernel());
  if (!k)
    return makeError(Code::Unimplemented, path, ".kernel: unknown kernel '",
                     inst.kernel(), "'");
  int nIn = inst.inputs_size();
  if (nIn < k->minInputs || (k->maxInputs >= 0 && nIn > k->maxInputs))
    return makeError(Code::DataLoss, path, ".inputs: ", k->name, " takes ",
                     arityText(k->minInputs, k->maxInputs, "input"), ", got ",
                     nIn);
  int nOut = inst.outputs_size();
  if (nOut < k->minOutputs || (k->maxOutputs >= 0 && nOut > k->maxOutputs))
    return makeError(Code::DataLoss, path, ".outputs: ", k->name,
                     " produces ",
                     arityText(k->minOutputs, k->maxOutputs, "output"),
                     ", got ", nOut);
  if (inst.regions_size() != k->numRegions)
    return makeError(Code::DataLoss, path, ".regions: ", k->name, " has ",
                     countNoun(k->numRegions, "region"), ", got ",
                     inst.regions_size());

  ci.kernel = k;
  ci.proto = &inst;
  ci.where = strCat(path, " (", k->name);
  if (!inst.location().empty())
    ci.where += strCat(" from '", inst.location(), "'");
  ci.where += ")";

  std::vector<const ValueInfo *> inputInfos;
  for (int j = 0; j < nIn; ++j) {
    std::string ipath = strCat(path, ".inputs[", j, "]");
    if (inst.inputs(j) == kAbsentValue) {
      if (j >= 32 || !(k->optionalInputs & (1u << j)))
        return makeError(Code::DataLoss, ipath, ": input ", j, " of ",
                         k->name,
                         " is required but absent (id 0xFFFFFFFF)");
      ci.inputs.push_back(-1);
      inputInfos.push_back(nullptr);
      continue;
    }
    int slot;
    CIM_TRY(use(inst.inputs(j), ipath, slot));
    ci.inputs.push_back(slot);
    inputInfos.push_back(&m_.values_[slot]);
  }

  for (const AttrSpec &spec : k->attrs) {
    auto it = inst.attrs().find(spec.name);
    std::string apath = strCat(path, ".attrs.", spec.name);
    if (it == inst.attrs().end()) {
      if (spec.required)
        return makeError(Code::DataLoss, apath, ": missing (", k->name,
                         " needs ", attrKindName(spec.kind), " attribute '",
                         spec.name, "')");
      continue;
    }
    if (!kindMatches(spec.kind, it->second.kind_case()))
      return makeError(Code::DataLoss, apath, ": expected ",
                       attrKindName(spec.kind), ", got ",
                       protoAttrKindName(it->second.kind_case()));
  }

  // Outputs are looked up now but defined only after the regions, which
  // must not see them.
  std::vector<const ValueInfo *> outputInfos;
  for (int j = 0; j < nOut; ++j) {
    int slot;
    CIM_TRY(lookup(inst.outputs(j), strCat(path, ".outputs[", j, "]"), slot));
    outputInfos.push_back(&m_.values_[slot]);
  }
  CIM_TRY(checkTypeRule(*k, path, inputInfos, *outputInfos[0]));

  VerifyContext vc{m_.artifact_, inst, path, inputInfos, outputInfos,
                   outputInfos[0], tileIndexById_, {}, {}};
  for (int r = 0; r < inst.regions_size(); ++r) {
    CompiledRegion region;
    CIM_TRY(
        verifyRegion(inst.regions(r), strCat(path, ".regions[", r, "]"),
                     region));
    std::vector<const ValueInfo *> args, results;
    for (int slot : region.arguments)
      args.push_back(&m_.values_[slot]);
    for (int slot : region.results)
      results.push_back(&m_.values_[slot]);
    vc.regionArgs.push_back(std::move(args));
    vc.regionResults.push_back(std::move(results));
    ci.regions.push_back(std::move(region));
  }

  if (k->verify) {
    CIM_TRY(k->verify(vc));
    ci.tileIndex = vc.tileIndex;
  }
  for (int j = 0; j < nOut; ++j) {
    int slot;
    CIM_TRY(define(inst.outputs(j), strCat(path, ".outputs[", j, "]"), path,
                   slot));
    ci.outputs.push_back(slot);
    locals.push_back(slot);
  }
  return Status::ok();
}

Status Verifier::verifyRegion(const artifact::Region &region,
                              const std::string &path, CompiledRegion &out) {
  out.path = path;
  for (int i = 0; i < region.arguments_size(); ++i) {
    std::string apath = strCat(path, ".arguments[", i, "]");
    int slot;
    CIM_TRY(define(region.arguments(i), apath, apath, slot));
    out.arguments.push_back(slot);
    out.locals.push_back(slot);
  }
  CIM_TRY(verifyBlock(region.instructions(), path + ".instructions",
                      out.instructions, out.locals));
  for (int i = 0; i < region.results_size(); ++i) {
    int slot;
    CIM_TRY(use(region.results(i), strCat(path, ".results[", i, "]"), slot));
    out.results.push_back(slot);
  }
  computeLiveness(out.instructions, out.locals, out.results);
  // What a region defines is its own: later instructions cannot read it.
  for (int slot : out.locals)
    hiddenBy_[slot] = path;
  return Status::ok();
}

Status Verifier::verifyOutputs() {
  const auto &outputs = m_.artifact_.program().outputs();
  if (outputs.empty())
    return makeError(Code::DataLoss,
                     "program.outputs: the program has no outputs");
  for (int i = 0; i < outputs.size(); ++i) {
    int slot;
    CIM_TRY(use(outputs[i], strCat("program.outputs[", i, "]"), slot));
    m_.outputs_.push_back(slot);
  }
  return Status::ok();
}

namespace {

/// Every slot `region` reads, including from nested regions.
void collectReads(const CompiledRegion &region, std::vector<int> &reads) {
  for (const CompiledInstruction &ci : region.instructions) {
    for (int slot : ci.inputs)
      if (slot >= 0)
        reads.push_back(slot);
    for (const CompiledRegion &r : ci.regions)
      collectReads(r, reads);
  }
  reads.insert(reads.end(), region.results.begin(), region.results.end());
}

} // namespace

void Verifier::computeLiveness(std::vector<CompiledInstruction> &block,
                               const std::vector<int> &locals,
                               const std::vector<int> &keep) {
  // Intermediates are dropped after their last reader so that peak memory
  // is that of the live set, not of the whole program. A value read inside
  // a region lives until the owning instruction is done, since the region
  // may run many times.
  std::unordered_map<int, int> lastUse;
  for (int slot : locals)
    lastUse[slot] = -1;
  std::vector<int> reads;
  for (size_t i = 0; i < block.size(); ++i) {
    const CompiledInstruction &ci = block[i];
    reads.clear();
    for (int slot : ci.inputs)
      if (slot >= 0)
        reads.push_back(slot);
    for (const CompiledRegion &r : ci.regions)
      collectReads(r, reads);
    for (int slot : reads) {
      auto it = lastUse.find(slot);
      if (it != lastUse.end())
        it->second = int(i);
    }
    // A result nobody reads dies where it is made.
    for (int slot : ci.outputs)
      if (lastUse[slot] < int(i))
        lastUse[slot] = int(i);
  }
  for (int slot : keep)
    lastUse.erase(slot);
  for (int slot : locals) {
    auto it = lastUse.find(slot);
    if (it != lastUse.end() && it->second >= 0)
      block[it->second].releaseAfter.push_back(slot);
  }
}

} // namespace cim::rt
