//===- cim-run.cpp - Run a .cimx artifact on test data ----------*- C++ -*-===//
//
// The command-line driver of the runtime: loads an artifact, opens a device,
// runs the model on ONNX-style test data (input_N.pb / output_N.pb, possibly
// in several test_data_set_* directories) or on explicitly given inputs,
// compares outputs with the references (F32 like numpy.allclose, I64 / BOOL
// exactly), and optionally writes the outputs and the device's counters. It
// exits 0 only when every output is within tolerance, which makes it the
// end-to-end check of the compiler. The work is in src/tooling; this file
// is the flags and the loop over the cases.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"
#include "tooling/Compare.h"
#include "tooling/Exit.h"
#include "tooling/Flags.h"
#include "tooling/Heap.h"
#include "tooling/Stats.h"
#include "tooling/TestData.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

using namespace cim::tooling;
using cim::rt::HostTensor;

namespace {

const char *kUsage =
    "usage: cim-run MODEL.cimx [options]\n"
    "\n"
    "Runs a compiled cim model and checks it against reference outputs.\n"
    "\n"
    "options:\n"
    "  --test-data DIR        ONNX test data: DIR holds "
    "input_N.pb/output_N.pb,\n"
    "                         or test_data_set_*/ directories (each is run)\n"
    "  --input NAME=SOURCE    an input tensor (repeatable; no reference\n"
    "                         check): a .pb or .npy file, or an inline\n"
    "                         literal [DxD...x]TYPE=VALUES, TYPE f32, i64 or\n"
    "                         i1, e.g. steps=i64=8, x=2x3xf32=[1,2,3,4,5,6]\n"
    "                         (one value fills the shape)\n"
    "  --device URI           sim://ideal (default), sim://quantized, or a\n"
    "                         board: board://HOST:PORT,\n"
    "                         board+serial:///dev/ttyX (docs/Board.md)\n"
    "  --noise PRESET|FILE    device non-idealities: ideal, rram-nominal,\n"
    "                         rram-worst, or a JSON file (implies\n"
    "                         sim://quantized)\n"
    "  --seed N               random seed of the non-idealities (default 0)\n"
    "  --drift-time SECONDS   time since programming, for drift\n"
    "  --threads N            simulator threads, 1 to 256 (default: all\n"
    "                         cores)\n"
    "  --calibrate            calibrate the device (its calibrate=1): write\n"
    "                         each cell's target divided by its row's IR-drop\n"
    "                         attenuation, then measure every column's gain\n"
    "                         and offset with known vectors and correct them\n"
    "                         digitally, and trim each binary neuron's\n"
    "                         comparator offset\n"
    "  --stats                print the device's counters, energy, latency\n"
    "                         and what programming did to each tile (and a\n"
    "                         board's link: requests, retries, reconnects)\n"
    "  --stats-json FILE      write the cost per inference (one per entry of\n"
    "                         the first input's batch dimension) as JSON, with\n"
    "                         the keys of cim-compile --report's totals\n"
    "  --labels FILE          class labels (.npy or .pb, one integer per\n"
    "                         row): prints the top-1 accuracy of the [N, C]\n"
    "                         output and, with reference outputs, how often\n"
    "                         its top-1 agrees with theirs\n"
    "  --rtol R               relative tolerance (default 1e-5)\n"
    "  --atol A               absolute tolerance (default 1e-5)\n"
    "                         On a device other than sim://ideal the\n"
    "                         references are compared for statistics only,\n"
    "                         unless --rtol or --atol is given\n"
    "  --output-dir D         write every output as D/output_N.pb\n"
    "                         (D/test_data_set_K/output_N.pb for several "
    "sets)\n"
    "  --output-format F      pb (default) or npy\n"
    "  --timing               print to stderr where the time went: loading\n"
    "                         and programming, reading inputs, the session's\n"
    "                         runs, comparing and writing outputs\n"
    "  --quiet                print only failures and errors\n"
    "  --help                 show this help\n"
    "\n"
    "An F32 element passes when |actual - expected| <= atol + rtol * "
    "|expected|;\n"
    "I64 and BOOL outputs must match exactly.\n"
    "Exit status: 0 if every output is within tolerance (or only statistics\n"
    "were asked for), 1 otherwise, 2 for usage errors.\n";

/// Whether `uri` names the ideal simulator (sim:// or sim://ideal, with or
/// without options), the one device whose results match float references.
bool isIdealSimulator(const std::string &uri) {
  for (std::string ideal : {"sim://ideal", "sim://"})
    if (uri == ideal || uri.rfind(ideal + "?", 0) == 0)
      return true;
  return false;
}

struct Options {
  std::string model, testData, device = "sim://ideal", outputDir, statsJson;
  std::string labels;
  std::vector<std::pair<std::string, std::string>> inputs;
  bool stats = false, quiet = false, timing = false;
  double rtol = 1e-5, atol = 1e-5;
  bool tolerances = false; // --rtol or --atol given
  OutputFormat outputFormat = OutputFormat::Pb;
};

Options parseArgs(int argc, char **argv) {
  Options o;
  std::vector<std::string> inputs, rtol, atol;
  CLI::App app("cim-run");
  app.add_option("model", o.model);
  app.add_option("--test-data", o.testData);
  app.add_option("--input", inputs)->allow_extra_args(false);
  CLI::Option *device = app.add_option("--device", o.device);
  // Device options (repeatable) become the URI's query in the order given.
  const char *keys[] = {"noise", "seed", "drift_time", "threads"};
  std::vector<std::string> values[4];
  std::map<const CLI::Option *, int> which;
  for (int k = 0; k < 4; ++k) {
    std::string flag = std::string("--") + keys[k];
    std::replace(flag.begin(), flag.end(), '_', '-');
    which[app.add_option(flag, values[k])->allow_extra_args(false)] = k;
  }
  bool calibrate = false;
  app.add_flag("--calibrate", calibrate);
  app.add_flag("--stats", o.stats);
  app.add_option("--stats-json", o.statsJson);
  app.add_option("--rtol", rtol)->allow_extra_args(false);
  app.add_option("--atol", atol)->allow_extra_args(false);
  app.add_option("--output-dir", o.outputDir);
  std::string outputFormat;
  app.add_option("--output-format", outputFormat);
  app.add_option("--labels", o.labels);
  app.add_flag("-q,--quiet", o.quiet);
  app.add_flag("--timing", o.timing);
  std::vector<std::string> extra =
      parseFlags(app, argc, argv, "cim-run", kUsage);
  if (!extra.empty())
    usageError("cim-run", "more than one model given ('" + o.model + "' and '" +
                              extra[0] + "')");
  std::vector<std::string> query;
  size_t used[4] = {0, 0, 0, 0};
  for (const CLI::Option *opt : app.parse_order()) {
    auto it = which.find(opt);
    if (it == which.end())
      continue;
    int k = it->second;
    const std::string &v = values[k][used[k]++];
    // The simulator's own check, at parse time (a usage error, exit 2).
    cim::rt::sim::SimOptions unused;
    cim::rt::Status s = k == 0 ? cim::rt::Status::ok()
                               : cim::rt::sim::setSimOption(keys[k], v, unused);
    if (!s.isOk())
      usageError("cim-run", opt->get_name() + " " + s.message());
    query.push_back(std::string(keys[k]) + "=" + v);
  }
  for (const std::string &r : rtol)
    o.rtol = nonNegative("cim-run", "--rtol", r);
  for (const std::string &a : atol)
    o.atol = nonNegative("cim-run", "--atol", a);
  o.tolerances = !rtol.empty() || !atol.empty();
  if (outputFormat == "npy")
    o.outputFormat = OutputFormat::Npy;
  else if (!outputFormat.empty() && outputFormat != "pb")
    usageError("cim-run", "--output-format must be pb or npy, got '" +
                              outputFormat + "'");
  for (const std::string &spec : inputs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      usageError("cim-run", "--input '" + spec +
                                "' is not NAME=FILE (.pb or .npy) or "
                                "NAME=LITERAL (e.g. steps=i64=8)");
    o.inputs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  if (o.model.empty())
    usageError("cim-run", "no model given");
  if (!o.testData.empty() && !o.inputs.empty())
    usageError("cim-run", "--test-data and --input cannot be combined");
  // A noise model needs the quantised simulator, the default when no
  // --device is given.
  if (!values[0].empty() && !device->count())
    o.device = "sim://quantized";
  // Options that would change nothing are errors, not silence: a drift
  // time needs a noise model to drift, and the ideal simulator draws no
  // random numbers for a seed to pick.
  bool noiseInUri = o.device.find("noise=") != std::string::npos;
  if (!values[2].empty() && values[0].empty() && !noiseInUri)
    usageError("cim-run", "--drift-time needs a noise model (--noise) whose "
                          "cells drift");
  if (!values[1].empty() && values[0].empty() && isIdealSimulator(o.device))
    usageError("cim-run", "--seed has nothing to pick on " + o.device +
                              " (no random draws); give --noise, or a "
                              "--device with draws");
  if (calibrate)
    query.push_back("calibrate=1");
  for (const std::string &q : query)
    o.device += (o.device.find('?') == std::string::npos ? "?" : "&") + q;
  return o;
}

/// Prints the top-1 accuracy of the [N, C] output against `labels` and,
/// with its reference, how often the two agree.
void printTop1(const std::string &file, const std::vector<int64_t> &labels,
               const std::vector<HostTensor> &outs,
               const std::vector<std::optional<HostTensor>> &expected,
               const Runner &r) {
  for (size_t i = 0; i < outs.size(); ++i) {
    std::optional<std::vector<int64_t>> top = argmaxRows(outs[i]);
    if (!top || top->size() != labels.size())
      continue;
    size_t right = 0;
    for (size_t k = 0; k < labels.size(); ++k)
      right += (*top)[k] == labels[k];
    std::printf("cim-run: output '%s': top-1 accuracy %.2f%% (%zu of %zu)",
                r.outputs()[i].name.c_str(), 100.0 * double(right) /
                double(labels.size()), right, labels.size());
    std::optional<std::vector<int64_t>> ref =
        expected[i] ? argmaxRows(*expected[i]) : std::nullopt;
    if (ref && ref->size() == labels.size()) {
      size_t same = 0;
      for (size_t k = 0; k < labels.size(); ++k)
        same += (*top)[k] == (*ref)[k];
      std::printf("; top-1 agreement with the reference %.2f%% (%zu of %zu)",
                  100.0 * double(same) / double(labels.size()), same,
                  labels.size());
    }
    std::printf("\n");
    return;
  }
  fail(file + ": " + std::to_string(labels.size()) +
       " labels, but no output is [" + std::to_string(labels.size()) +
       ", C] scores to take the top-1 of");
}

int runMain(int argc, char **argv) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  Options o = parseArgs(argc, argv);
  Runner r(o.model, o.device);
  const double setup = since(start);
  double reading = 0;
  std::vector<Case> cases(1, Case{"inputs", "", {}, {}});
  if (!o.testData.empty())
    cases = scanTestData(o.testData);
  int passed = 0, failed = 0;
  uint64_t vectors = 0;
  bool compared = false;
  // References decide pass or fail on the exact simulator, or when the
  // user gives a tolerance; elsewhere they give error statistics.
  const std::string uri = cimrt_device_uri(r.device());
  const bool verdict = isIdealSimulator(uri) || o.tolerances;
  std::optional<std::vector<int64_t>> labels;
  if (!o.labels.empty()) {
    if (cases.size() > 1)
      usageError("cim-run", "--labels applies to one set of inputs; " +
                                o.testData + " holds " +
                                std::to_string(cases.size()) + " sets");
    auto t = cim::rt::readAnyTensorFile(o.labels);
    if (!t.isOk())
      fail(t.status().message());
    if (t->dtype == cim::rt::DType::F32)
      for (float v : t->data)
        t->ints.push_back(int64_t(v));
    labels = t->ints;
  }
  // Outputs are written once every set has passed: a failing run leaves
  // no output files, not some sets' and not others'.
  std::vector<std::pair<std::string, std::vector<HostTensor>>> pending;
  for (const Case &c : cases) {
    const Clock::time_point read = Clock::now();
    std::vector<HostTensor> inputs =
        caseInputs(c, r, o.inputs, o.testData, o.model);
    reading += since(read);
    std::vector<HostTensor> outs = r.run(inputs);
    vectors += inputs.empty() ? 1 : inferencesOf(r.inputs()[0].dims, inputs[0]);
    if (!o.outputDir.empty())
      pending.emplace_back(cases.size() > 1 ? o.outputDir + "/" + c.outSubdir
                                            : o.outputDir,
                           outs);
    std::vector<std::optional<HostTensor>> expected(outs.size());
    if (!o.testData.empty() && !c.outputFiles.empty())
      expected = loadByPosition(c.outputFiles, r.outputs(), "output", nullptr);
    if (labels)
      printTop1(o.labels, *labels, outs, expected, r);
    if (o.testData.empty() || c.outputFiles.empty()) {
      for (const HostTensor &t : outs)
        if (!o.quiet)
          std::printf("%s\n", outputLine(c.label, t).c_str());
      continue;
    }
    compared = true;
    bool setOk = true;
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!expected[i])
        continue; // no reference for this output
      Comparison cmp = compare(outs[i], *expected[i], o.rtol, o.atol);
      if (!verdict) {
        if (!o.quiet)
          std::printf("%s\n", statisticsLine(c.label, r.outputs()[i].name,
                                             outs[i].dtype, cmp)
                                  .c_str());
        continue;
      }
      setOk &= cmp.pass;
      if (!cmp.pass || !o.quiet)
        std::printf("%s\n", comparisonLine(c.label, r.outputs()[i].name,
                                           outs[i].dtype, cmp)
                                .c_str());
    }
    (setOk ? passed : failed)++;
  }
  if (failed == 0)
    for (const auto &[dir, outs] : pending)
      writeOutputs(outs, dir, o.outputFormat);
  else if (!pending.empty())
    std::fprintf(stderr, "cim-run: no outputs written to %s (%d set%s failed)\n",
                 o.outputDir.c_str(), failed, failed == 1 ? "" : "s");
  if (!o.statsJson.empty())
    writeStatsJson(o.statsJson, r.session(), r.device(), vectors);
  if (!o.quiet) {
    cimrt_session_stats_t stats;
    check(cimrt_session_stats(r.session(), &stats));
    std::printf(
        "cim-run: device %s, target '%s', %llu tiles, %llu MVMs, "
        "%llu digital ops\n",
        cimrt_device_uri(r.device()), cimrt_model_target_name(r.model()),
        (unsigned long long)stats.tiles, (unsigned long long)stats.mvm_count,
        (unsigned long long)stats.digital_op_count);
    if (o.stats)
      printDeviceStats(r.device());
    if (compared && !verdict)
      std::printf("cim-run: %zu set%s compared for error statistics (on %s "
                  "without --rtol/--atol)\n",
                  cases.size(), cases.size() == 1 ? "" : "s", uri.c_str());
    else if (compared)
      std::printf("cim-run: %d passed, %d failed\n", passed, failed);
    else
      std::printf("cim-run: %zu run%s, no reference outputs\n", cases.size(),
                  cases.size() == 1 ? "" : "s");
  }
  if (o.timing) {
    double total = since(start), run = r.sessionSeconds();
    std::fprintf(stderr,
                 "timing: %.1f ms in main: %.1f ms loading the model and "
                 "programming the device, %.1f ms reading inputs, %.1f ms in "
                 "the session's runs, %.1f ms comparing and writing\n",
                 1e3 * total, 1e3 * setup, 1e3 * reading, 1e3 * run,
                 1e3 * (total - setup - reading - run));
  }
  return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  cim::tooling::tuneHeapForTensors();
  return runTool(runMain, argc, argv);
}
