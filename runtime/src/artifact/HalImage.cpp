//===- HalImage.cpp - Artifact tiles and target for the HAL -----*- C++ -*-===//
//
// Field-by-field copies of the schema's Tile and Target into the HAL's
// structs, with the schema's enums mapped to the HAL's. Nothing is derived
// here (no defaults resolved, no bits computed): a device sees exactly what
// the compiler wrote, so this file changes only when the schema does.
//
//===----------------------------------------------------------------------===//

#include "artifact/HalImage.h"

namespace cim::rt {
namespace {

hal::CellTech cellTech(artifact::CellTech t) {
  switch (t) {
  case artifact::RRAM:
    return hal::CellTech::Rram;
  case artifact::ROM:
    return hal::CellTech::Rom;
  case artifact::SRAM:
    return hal::CellTech::Sram;
  default:
    return hal::CellTech::Unspecified;
  }
}

hal::WeightEncoding encoding(artifact::WeightEncoding e) {
  switch (e) {
  case artifact::DIFFERENTIAL:
    return hal::WeightEncoding::Differential;
  case artifact::OFFSET:
    return hal::WeightEncoding::Offset;
  default:
    return hal::WeightEncoding::Unspecified;
  }
}

hal::AdcKind adcKind(artifact::ADCKind k) {
  switch (k) {
  case artifact::ADC_KIND_UNIFORM:
    return hal::AdcKind::Uniform;
  case artifact::ADC_KIND_RAMP:
    return hal::AdcKind::Ramp;
  case artifact::ADC_KIND_SIGN:
    return hal::AdcKind::Sign;
  default:
    return hal::AdcKind::Unspecified;
  }
}

} // namespace

const artifact::ArrayKind &arrayKindOf(const artifact::Tile &tile,
                                       const artifact::Target &target) {
  static const artifact::ArrayKind kNone;
  return tile.array_kind() < uint32_t(target.arrays_size())
             ? target.arrays(int(tile.array_kind()))
             : kNone;
}

hal::TileImage toTileImage(const artifact::Tile &tile,
                           const artifact::Target &target) {
  const artifact::ArrayKind &kind = arrayKindOf(tile, target);
  hal::TileImage t;
  t.id = tile.id();
  t.rows = tile.rows();
  t.cols = tile.cols();
  t.cellTech = cellTech(kind.cell_tech());
  t.encoding = encoding(kind.encoding());
  t.scales.assign(tile.scales().begin(), tile.scales().end());
  t.gPos.assign(tile.g_pos().begin(), tile.g_pos().end());
  t.gNeg.assign(tile.g_neg().begin(), tile.g_neg().end());
  t.codes.assign(tile.codes().begin(), tile.codes().end());
  for (int i = 0; i < tile.adc_lo_size() && i < tile.adc_hi_size(); ++i)
    t.adcWindows.push_back({tile.adc_lo(i), tile.adc_hi(i)});
  t.source = tile.source();
  t.arrayRows = kind.rows();
  t.arrayCols = kind.cols();
  t.bitsPerCell = kind.bits_per_cell();
  t.weightBits = tile.weight_bits();
  t.analog = tile.analog();
  if (tile.has_ramp()) {
    const artifact::RampReadout &r = tile.ramp();
    hal::RampImage ramp;
    for (const artifact::RampStep &step : r.steps())
      ramp.steps.push_back(
          {macro::RampStepKind(int(step.kind()) - 1), step.a(), step.b()});
    ramp.conductancesUs.assign(r.conductances_us().begin(),
                               r.conductances_us().end());
    ramp.bits = r.bits();
    ramp.lo = r.lo();
    ramp.hi = r.hi();
    ramp.thresholds.assign(r.thresholds().begin(), r.thresholds().end());
    ramp.levels.assign(r.levels().begin(), r.levels().end());
    t.ramp = std::move(ramp);
  }
  t.bridge = tile.bridge();
  t.lifColumns = tile.lif();
  switch (tile.input_coding()) {
  case artifact::SPIKES:
    t.inputCoding = macro::InputCoding::Spikes;
    break;
  case artifact::RATE:
    t.inputCoding = macro::InputCoding::Rate;
    break;
  case artifact::LATENCY:
    t.inputCoding = macro::InputCoding::Latency;
    break;
  default:
    t.inputCoding = macro::InputCoding::Dac;
  }
  t.inputMeans.assign(tile.input_means().begin(), tile.input_means().end());
  if (tile.has_neurons()) {
    const artifact::BinaryNeurons &n = tile.neurons();
    t.fanIn = n.fan_in();
    for (int c = 0; c < n.scale_size(); ++c)
      t.neurons.push_back({n.pre(c), n.scale(c), n.bias(c), n.cmp(c),
                           n.tie(), n.reference(c)});
  }
  return t;
}

hal::MacroConfig toMacroConfig(const artifact::Target &target) {
  hal::MacroConfig m;
  m.name = target.name();
  // The first kind of array is the default one.
  if (target.arrays_size() > 0) {
    const artifact::ArrayKind &first = target.arrays(0);
    m.arrayRows = first.rows();
    m.arrayCols = first.cols();
    m.cellTech = cellTech(first.cell_tech());
    m.bitsPerCell = first.bits_per_cell();
  }
  m.dacBits = target.dac_bits();
  m.adcBits = target.adc_bits();
  m.inputBits = target.input_bits();
  m.adcKind = adcKind(target.adc_kind());
  m.macros = target.macros();
  m.digitalLanes = target.digital_lanes();
  for (const artifact::ArrayKind &k : target.arrays()) {
    hal::ArrayKind a;
    a.name = k.name();
    a.cellTech = cellTech(k.cell_tech());
    a.rows = k.rows();
    a.cols = k.cols();
    a.bitsPerCell = k.bits_per_cell();
    a.count = k.count();
    a.encoding = encoding(k.encoding());
    a.weightBits = k.weight_bits();
    a.gMinUs = k.g_min_us();
    a.gMaxUs = k.g_max_us();
    m.arrays.push_back(std::move(a));
  }
  if (target.has_integrator()) {
    m.hasIntegrator = true;
    m.integrator.gainMax = target.integrator().gain_max();
    m.integrator.leak = target.integrator().leak();
    m.integrator.vSat = target.integrator().v_sat();
    m.integrator.noise = target.integrator().noise();
  }
  m.bridgeNeurons = target.bridge_neurons();
  m.costs.insert(target.costs().begin(), target.costs().end());
  return m;
}

StatusOr<TileHandle> programTile(Device &device, const artifact::Tile &tile,
                                 const artifact::Target &target) {
  return device.programTile(toTileImage(tile, target), toMacroConfig(target));
}

} // namespace cim::rt
