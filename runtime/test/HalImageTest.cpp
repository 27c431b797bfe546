//===- HalImageTest.cpp - Artifact tiles to HAL images and back -----------===//
//
// The board protocol carries a HAL tile image as the artifact's Tile: the
// conversion back must give what the compiler wrote, field for field, for
// every kind of tile (sliced, with codes and ADC windows, ramp readouts,
// binary neurons, LIF columns with pulsed inputs, analog) and for a target
// with several array kinds, integrators, LIF neurons and cost figures.
//
//===----------------------------------------------------------------------===//

#include "TestHelpers.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

using namespace cim;
using google::protobuf::util::MessageDifferencer;

namespace {

artifact::Target richTarget() {
  test::ArtifactBuilder b(64, 32, 4, 8, 8);
  artifact::Target t = b.artifact().target();
  t.set_input_bits(4);
  t.set_adc_kind(artifact::ADC_KIND_RAMP);
  t.set_macros(3);
  t.set_digital_lanes(16);
  artifact::ArrayKind *sram = t.add_arrays();
  sram->set_name("sram");
  sram->set_cell_tech(artifact::SRAM);
  sram->set_rows(128);
  sram->set_cols(64);
  sram->set_bits_per_cell(1);
  sram->set_count(2);
  sram->set_encoding(artifact::OFFSET);
  sram->set_weight_bits(4);
  sram->set_g_min_us(1.5);
  sram->set_g_max_us(40);
  t.mutable_integrator()->set_gain_max(2);
  t.mutable_integrator()->set_leak(0.01);
  t.mutable_integrator()->set_v_sat(1.2);
  t.mutable_integrator()->set_noise(0.003);
  t.mutable_lif()->set_threshold(1);
  t.mutable_lif()->set_leak(0.1);
  t.mutable_lif()->set_reset(artifact::RESET_MODE_SUBTRACT);
  t.set_bridge_neurons(true);
  (*t.mutable_costs())["mac_pj"] = 0.25;
  (*t.mutable_costs())["adc_pj.sram"] = 1.5;
  return t;
}

std::vector<artifact::Tile> richTiles() {
  test::ArtifactBuilder b(64, 32, 4, 8, 8);
  b.tile(3, 2, {0.5f, -0.25f, 1.0f, 0.0f, -1.0f, 0.75f});
  artifact::Tile base = b.artifact().tiles(0);
  std::vector<artifact::Tile> tiles;

  artifact::Tile sliced = base;
  sliced.set_id(7);
  sliced.set_weight_bits(8);
  for (int i = 0; i < 6; ++i)
    sliced.add_codes(i % 2 ? -i : i);
  for (int i = 0; i < 4; ++i) {
    sliced.add_adc_lo(-0.5f - float(i));
    sliced.add_adc_hi(0.25f + float(i));
  }
  sliced.set_source("fc1.weight");
  tiles.push_back(sliced);

  artifact::Tile ramp = base;
  ramp.set_id(8);
  ramp.set_array_kind(1); // the SRAM kind
  artifact::RampReadout *r = ramp.mutable_ramp();
  r->set_bits(5);
  r->set_lo(-2);
  r->set_hi(3);
  r->add_thresholds(0.5);
  r->add_levels(0.25);
  r->add_conductances_us(12.5);
  artifact::RampStep *step = r->add_steps();
  step->set_kind(artifact::RAMP_CLAMP);
  step->set_a(-1);
  step->set_b(1);
  r->add_steps()->set_kind(artifact::RAMP_TANH);
  tiles.push_back(ramp);

  artifact::Tile bridge = base;
  bridge.set_id(9);
  bridge.set_bridge(true);
  artifact::BinaryNeurons *n = bridge.mutable_neurons();
  n->set_fan_in(3);
  n->set_tie(1);
  for (int c = 0; c < 2; ++c) {
    n->add_pre(0.5f * float(c));
    n->add_scale(2);
    n->add_bias(-0.25f);
    n->add_cmp(0.125f);
    n->add_reference(0.0625 * c);
  }
  bridge.add_input_means(0.5f);
  bridge.add_input_means(0.25f);
  bridge.add_input_means(0.125f);
  tiles.push_back(bridge);

  artifact::Tile lif = base;
  lif.set_id(10);
  lif.set_lif(true);
  lif.set_input_coding(artifact::LATENCY);
  tiles.push_back(lif);

  artifact::Tile analog = base;
  analog.set_id(11);
  analog.set_analog(true);
  tiles.push_back(analog);
  return tiles;
}

TEST(HalImage, TargetsRoundTrip) {
  artifact::Target t = richTarget();
  artifact::Target back = rt::toArtifactTarget(rt::toMacroConfig(t));
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(t, back)) << diff;
}

TEST(HalImage, TilesRoundTrip) {
  artifact::Target t = richTarget();
  rt::hal::MacroConfig config = rt::toMacroConfig(t);
  for (const artifact::Tile &tile : richTiles()) {
    artifact::Tile back =
        rt::toArtifactTile(rt::toTileImage(tile, t), config);
    std::string diff;
    MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(tile, back)) << "tile " << tile.id() << ": " << diff;
  }
}

TEST(HalImage, PlacementStaysWithTheArtifact) {
  // Where a block sits in its array is the compiler's and the loader's
  // business; a device never sees it, so it does not travel.
  artifact::Target t = richTarget();
  artifact::Tile placed = richTiles().front();
  placed.set_placed(true);
  placed.set_array(2);
  placed.set_array_row(32);
  artifact::Tile back =
      rt::toArtifactTile(rt::toTileImage(placed, t), rt::toMacroConfig(t));
  EXPECT_FALSE(back.placed());
  EXPECT_EQ(back.array_row(), 0u);
  EXPECT_EQ(back.g_pos_size(), placed.g_pos_size());
}

} // namespace
