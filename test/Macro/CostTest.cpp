//===- CostTest.cpp - The macro model's cost functions ----------*- C++ -*-===//
//
// Hand-derived figures for the cost functions both the compiler's report
// and the runtime's counters use (docs/CostModel.md).
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Cost.h"
#include "cim/Macro/Slicing.h"

#include <gtest/gtest.h>

using namespace cim::macro;

TEST(CostFigures, CellSpecificKeyWinsOverGeneralKeyOverDefault) {
  CostFigures figures({{"adc_pj", 2.0}, {"adc_pj.rom", 3.0}});
  EXPECT_DOUBLE_EQ(figures.get("adc_pj", Cell::RRAM), 2.0);
  EXPECT_DOUBLE_EQ(figures.get("adc_pj", Cell::ROM), 3.0);
  EXPECT_DOUBLE_EQ(figures.get("mac_pj", Cell::SRAM), 0.002); // default
  EXPECT_DOUBLE_EQ(figures.get("no_such_key", Cell::RRAM), 0.0);
  // Resolved once per cell technology for the cost functions.
  EXPECT_DOUBLE_EQ(CellFigures(figures, Cell::ROM).adcPj, 3.0);
  EXPECT_DOUBLE_EQ(CellFigures(figures, Cell::SRAM).adcPj, 2.0);
  EXPECT_DOUBLE_EQ(CellFigures(figures, Cell::SRAM).rampStepNs, 0.5);
}

TEST(Slicing, SlicesAndPasses) {
  EXPECT_EQ(weightSlices(8, 2), 4u);
  EXPECT_EQ(weightSlices(8, 3), 3u);
  EXPECT_EQ(weightSlices(0, 4), 1u);
  EXPECT_EQ(weightSlices(4, 4), 1u);
  // 8-bit inputs through a 4-bit DAC: 7 magnitude bits in 3-bit digits.
  EXPECT_EQ(inputPasses(8, 4), 3u);
  EXPECT_EQ(inputPasses(8, 8), 1u);
  EXPECT_EQ(inputPasses(8, 1), 1u);
  EXPECT_DOUBLE_EQ(signedLevels(8), 127.0);
  EXPECT_DOUBLE_EQ(signedLevels(0), 0.0);
}

TEST(TileReadCost, CountsConversionsEnergyAndTime) {
  CellFigures figures(CostFigures(), Cell::RRAM); // defaults
  TileRead read;
  read.rows = 64;
  read.cols = 10;
  read.slices = 2;
  read.passes = 3;
  Cost c = tileReadCost(read, /*vectors=*/5, figures, /*lanes=*/4);
  EXPECT_EQ(c.mvms, 15u);
  EXPECT_EQ(c.macs, 64u * 10 * 5);
  EXPECT_EQ(c.dacConversions, 64u * 3 * 5);
  EXPECT_EQ(c.adcConversions, 10u * 2 * 3 * 5);
  // Slices x passes - 1 shift-adds per column.
  EXPECT_EQ(c.digitalOps, 10u * 5 * 5);
  EXPECT_DOUBLE_EQ(c.energyPj["mac"], 64.0 * 10 * 2 * 3 * 5 * 0.002);
  EXPECT_DOUBLE_EQ(c.energyPj["dac"], 960 * 0.05);
  EXPECT_DOUBLE_EQ(c.energyPj["adc"], 300 * 1.0);
  EXPECT_DOUBLE_EQ(c.energyPj["digital"], 250 * 0.05);
  // ceil(50 / 4) lane steps of 0.5 ns per vector.
  EXPECT_DOUBLE_EQ(c.latencyNs, 13 * 0.5 * 5);
  EXPECT_DOUBLE_EQ(c.arrayNs, 15 * 20.0);
}

TEST(TileReadCost, AnalogReadsConvertNothingAndRampsCountTheirSteps) {
  CellFigures figures(CostFigures(), Cell::RRAM);
  TileRead read;
  read.rows = 8;
  read.cols = 4;
  read.passes = 2;
  read.analog = true;
  Cost analog = tileReadCost(read, 1, figures, 1);
  EXPECT_EQ(analog.dacConversions, 0u);
  EXPECT_EQ(analog.adcConversions, 0u);
  EXPECT_EQ(analog.mvms, 1u); // one pass: no DAC
  read.analog = false;
  read.passes = 1;
  read.rampBits = 5;
  Cost ramp = tileReadCost(read, 1, figures, 1);
  EXPECT_DOUBLE_EQ(ramp.arrayNs, 20.0 + 32 * 0.5);
}

TEST(CostLedger, ArraysOfALayerOverlapAndLayersAdd) {
  CostLedger ledger;
  Cost read;
  read.arrayNs = 10;
  read.energyPj["mac"] = 1;
  Cost digital;
  digital.latencyNs = 3;
  // Layer a: two arrays in parallel (10 each), one of them read twice.
  ledger.charge("a", {0, 0}, read);
  ledger.charge("a", {0, 1}, read);
  ledger.charge("a", {0, 1}, read);
  ledger.charge("a", digital);
  // Layer b: one array.
  ledger.charge("b", {0, 2}, read);
  EXPECT_DOUBLE_EQ(ledger.layer("a").latencyNs, 20 + 3);
  EXPECT_DOUBLE_EQ(ledger.layer("b").latencyNs, 10);
  Cost total = ledger.total();
  EXPECT_DOUBLE_EQ(total.latencyNs, 33);
  EXPECT_DOUBLE_EQ(total.energy(), 4);
  ASSERT_EQ(ledger.layers().size(), 2u);
  EXPECT_EQ(ledger.layers()[0], "a");
}

TEST(AnalogODECost, BoundaryConvertersAndIntegrators) {
  CellFigures figures(CostFigures(), Cell::RRAM);
  Cost c = analogODECost(/*state=*/32, /*evaluations=*/8, /*vectors=*/2,
                         figures);
  EXPECT_EQ(c.dacConversions, 64u);
  EXPECT_EQ(c.adcConversions, 64u);
  EXPECT_DOUBLE_EQ(c.energyPj["integrator"], 32.0 * 8 * 2 * 0.05);
}

TEST(ReloadCost, SharedByReuse) {
  CellFigures figures(CostFigures(), Cell::SRAM);
  Cost c = reloadCost(/*cells=*/100, /*rows=*/10, /*weightBits=*/400,
                      figures, /*reuse=*/4);
  EXPECT_DOUBLE_EQ(c.energyPj["reload"], (100 * 0.1 + 400 * 20.0) / 4);
  // A row of cells per write pulse of write_ns (100 ns by default).
  EXPECT_DOUBLE_EQ(c.cellWrites, 100.0 / 4);
  EXPECT_DOUBLE_EQ(c.arrayNs, 10 * 100.0 / 4);
}

TEST(LifNeuronCost, AnUpdatePerNeuronAndStep) {
  CellFigures figures(CostFigures(), Cell::RRAM);
  Cost c = lifNeuronCost(/*neurons=*/256, /*steps=*/10, /*vectors=*/3,
                         figures);
  EXPECT_EQ(c.neuronUpdates, 256u * 10 * 3);
  EXPECT_DOUBLE_EQ(c.energyPj["neuron"], 256.0 * 10 * 3 * 0.05);
  EXPECT_EQ(c.adcConversions, 0u);
}

TEST(TileReadCost, LifColumnsConvertNothingAndMergeSlicesAsCharge) {
  CellFigures figures(CostFigures(), Cell::RRAM);
  TileRead read;
  read.rows = 64;
  read.cols = 8;
  read.slices = 4;
  read.lif = true;
  Cost c = tileReadCost(read, /*vectors=*/2, figures, /*lanes=*/1);
  EXPECT_EQ(c.adcConversions, 0u);
  EXPECT_EQ(c.digitalOps, 0u); // no shift-adds
  EXPECT_EQ(c.dacConversions, 64u * 2);
  EXPECT_EQ(c.chargeShares, 0u);
  read.shared = true; // joins the previous row block's charge
  c = tileReadCost(read, 2, figures, 1);
  EXPECT_EQ(c.chargeShares, 8u * 2);
  read.lif = false; // the same read through ADCs
  c = tileReadCost(read, 2, figures, 1);
  EXPECT_EQ(c.adcConversions, 8u * 4 * 2);
  EXPECT_EQ(c.digitalOps, 8u * 3 * 2);
}
