//===- HalImage.cpp - Artifact tiles and target for the HAL -----*- C++ -*-===//
//
// Field-by-field copies of the schema's Tile and Target into the HAL's
// structs, with the schema's enums mapped to the HAL's, and back (for the
// board protocol, which carries tiles as the artifact holds them). Nothing
// is derived here (no defaults resolved, no bits computed): a device sees
// exactly what the compiler wrote, so this file changes only when the
// schema does.
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

artifact::CellTech toSchema(hal::CellTech t) {
  switch (t) {
  case hal::CellTech::Rram:
    return artifact::RRAM;
  case hal::CellTech::Rom:
    return artifact::ROM;
  case hal::CellTech::Sram:
    return artifact::SRAM;
  default:
    return artifact::CELL_TECH_UNSPECIFIED;
  }
}

artifact::WeightEncoding toSchema(hal::WeightEncoding e) {
  switch (e) {
  case hal::WeightEncoding::Differential:
    return artifact::DIFFERENTIAL;
  case hal::WeightEncoding::Offset:
    return artifact::OFFSET;
  default:
    return artifact::ENCODING_UNSPECIFIED;
  }
}

artifact::ADCKind toSchema(hal::AdcKind k) {
  switch (k) {
  case hal::AdcKind::Uniform:
    return artifact::ADC_KIND_UNIFORM;
  case hal::AdcKind::Ramp:
    return artifact::ADC_KIND_RAMP;
  case hal::AdcKind::Sign:
    return artifact::ADC_KIND_SIGN;
  default:
    return artifact::ADC_KIND_UNSPECIFIED;
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
  t.spareRows = kind.spare_rows();
  t.spareCols = kind.spare_cols();
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
    a.spareRows = k.spare_rows();
    a.spareCols = k.spare_cols();
    m.arrays.push_back(std::move(a));
  }
  if (target.has_integrator()) {
    m.hasIntegrator = true;
    m.integrator.gainMax = target.integrator().gain_max();
    m.integrator.leak = target.integrator().leak();
    m.integrator.vSat = target.integrator().v_sat();
    m.integrator.noise = target.integrator().noise();
  }
  if (target.has_lif()) {
    const artifact::LIF &l = target.lif();
    m.lif = hal::LifNeurons{l.threshold(), l.leak(),
                            l.reset() == artifact::RESET_MODE_ZERO
                                ? hal::LifReset::Zero
                            : l.reset() == artifact::RESET_MODE_SUBTRACT
                                ? hal::LifReset::Subtract
                                : hal::LifReset::Unspecified};
  }
  m.bridgeNeurons = target.bridge_neurons();
  m.costs.insert(target.costs().begin(), target.costs().end());
  return m;
}

artifact::Target toArtifactTarget(const hal::MacroConfig &m) {
  artifact::Target t;
  t.set_name(m.name);
  t.set_dac_bits(m.dacBits);
  t.set_adc_bits(m.adcBits);
  t.set_input_bits(m.inputBits);
  t.set_adc_kind(toSchema(m.adcKind));
  t.set_macros(m.macros);
  t.set_digital_lanes(m.digitalLanes);
  for (const hal::ArrayKind &a : m.arrays) {
    artifact::ArrayKind *k = t.add_arrays();
    k->set_name(a.name);
    k->set_cell_tech(toSchema(a.cellTech));
    k->set_rows(a.rows);
    k->set_cols(a.cols);
    k->set_bits_per_cell(a.bitsPerCell);
    k->set_count(a.count);
    k->set_encoding(toSchema(a.encoding));
    k->set_weight_bits(a.weightBits);
    k->set_g_min_us(a.gMinUs);
    k->set_g_max_us(a.gMaxUs);
    k->set_spare_rows(a.spareRows);
    k->set_spare_cols(a.spareCols);
  }
  if (m.hasIntegrator) {
    artifact::Integrator *i = t.mutable_integrator();
    i->set_gain_max(m.integrator.gainMax);
    i->set_leak(m.integrator.leak);
    i->set_v_sat(m.integrator.vSat);
    i->set_noise(m.integrator.noise);
  }
  if (m.lif) {
    artifact::LIF *l = t.mutable_lif();
    l->set_threshold(m.lif->threshold);
    l->set_leak(m.lif->leak);
    l->set_reset(m.lif->reset == hal::LifReset::Zero ? artifact::RESET_MODE_ZERO
                 : m.lif->reset == hal::LifReset::Subtract
                     ? artifact::RESET_MODE_SUBTRACT
                     : artifact::RESET_MODE_UNSPECIFIED);
  }
  t.set_bridge_neurons(m.bridgeNeurons);
  t.mutable_costs()->insert(m.costs.begin(), m.costs.end());
  return t;
}

artifact::Tile toArtifactTile(const hal::TileImage &image,
                              const hal::MacroConfig &target) {
  artifact::Tile t;
  t.set_id(image.id);
  t.set_rows(image.rows);
  t.set_cols(image.cols);
  // The first kind whose fields the image copied; none: an index past the
  // kinds (the image's kind fields are then empty, as toTileImage gives).
  uint32_t kind = uint32_t(target.arrays.size());
  for (size_t k = 0; k < target.arrays.size(); ++k) {
    const hal::ArrayKind &a = target.arrays[k];
    if (a.cellTech == image.cellTech && a.encoding == image.encoding &&
        a.rows == image.arrayRows && a.cols == image.arrayCols &&
        a.bitsPerCell == image.bitsPerCell) {
      kind = uint32_t(k);
      break;
    }
  }
  t.set_array_kind(kind);
  t.mutable_scales()->Add(image.scales.begin(), image.scales.end());
  t.mutable_g_pos()->Add(image.gPos.begin(), image.gPos.end());
  t.mutable_g_neg()->Add(image.gNeg.begin(), image.gNeg.end());
  t.mutable_codes()->Add(image.codes.begin(), image.codes.end());
  for (const macro::AdcWindow &w : image.adcWindows) {
    t.add_adc_lo(w.lo);
    t.add_adc_hi(w.hi);
  }
  t.set_source(image.source);
  t.set_weight_bits(image.weightBits);
  t.set_analog(image.analog);
  if (image.ramp) {
    artifact::RampReadout *r = t.mutable_ramp();
    for (const macro::RampStep &step : image.ramp->steps) {
      artifact::RampStep *s = r->add_steps();
      s->set_kind(artifact::RampStepKind(int(step.kind) + 1));
      s->set_a(step.a);
      s->set_b(step.b);
    }
    r->mutable_conductances_us()->Add(image.ramp->conductancesUs.begin(),
                                      image.ramp->conductancesUs.end());
    r->set_bits(image.ramp->bits);
    r->set_lo(image.ramp->lo);
    r->set_hi(image.ramp->hi);
    r->mutable_thresholds()->Add(image.ramp->thresholds.begin(),
                                 image.ramp->thresholds.end());
    r->mutable_levels()->Add(image.ramp->levels.begin(),
                             image.ramp->levels.end());
  }
  t.set_bridge(image.bridge);
  t.set_lif(image.lifColumns);
  switch (image.inputCoding) {
  case macro::InputCoding::Spikes:
    t.set_input_coding(artifact::SPIKES);
    break;
  case macro::InputCoding::Rate:
    t.set_input_coding(artifact::RATE);
    break;
  case macro::InputCoding::Latency:
    t.set_input_coding(artifact::LATENCY);
    break;
  default:
    break;
  }
  t.mutable_input_means()->Add(image.inputMeans.begin(),
                               image.inputMeans.end());
  if (image.fanIn || !image.neurons.empty()) {
    artifact::BinaryNeurons *n = t.mutable_neurons();
    n->set_fan_in(image.fanIn);
    for (const macro::BinaryNeuron &b : image.neurons) {
      n->add_pre(b.pre);
      n->add_scale(b.scale);
      n->add_bias(b.bias);
      n->add_cmp(b.cmp);
      n->add_reference(b.reference);
      n->set_tie(b.tie);
    }
  }
  return t;
}

StatusOr<TileHandle> programTile(Device &device, const artifact::Tile &tile,
                                 const artifact::Target &target) {
  return device.programTile(toTileImage(tile, target), toMacroConfig(target));
}

} // namespace cim::rt
