#!/usr/bin/env python3
"""Compares a compiler cost report with the runtime's per-inference counters.

  compare_costs.py REPORT.json STATS.json [--tolerance 0.01] [--activity]

REPORT.json is `cim-compile --report`, STATS.json `cim-run --stats-json`.
Prints each key's two values and relative difference; exit 1 if any key of
energy_pj.total, latency_ns, mvms, dac_conversions, adc_conversions,
comparisons, charge_shares, neuron_updates differs
by more than the tolerance (relative to the report's value). With
--activity (a model with rows driven by pulses, whose energy depends on
the data) the runtime's energy must be at most the report's, which
assumes every row pulses.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("stats")
    ap.add_argument("--tolerance", type=float, default=0.01)
    ap.add_argument("--activity", action="store_true")
    args = ap.parse_args()
    report = json.load(open(args.report))["total"]
    stats = json.load(open(args.stats))
    bad = 0
    for key in ["energy_pj", "latency_ns", "mvms", "dac_conversions",
                "adc_conversions", "comparisons", "charge_shares",
                "neuron_updates"]:
        want = report[key]["total"] if key == "energy_pj" else report[key]
        got = stats[key]["total"] if key == "energy_pj" else stats[key]
        diff = abs(got - want) / abs(want) if want else abs(got)
        ok = diff <= args.tolerance
        if key == "energy_pj" and args.activity:
            ok = got <= want * (1 + args.tolerance)
        bad += not ok
        print("%-16s report %14.4f  runtime %14.4f  %s %.4f%%" % (
            key, want, got, "ok" if ok else "DIFFERS", 100 * diff))
    print("agree" if not bad else "%d keys differ" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
