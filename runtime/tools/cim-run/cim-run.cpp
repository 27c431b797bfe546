//===- cim-run.cpp - Run a .cimx artifact on test data ----------*- C++ -*-===//
//
// The command-line driver of the runtime: loads an artifact, opens a device,
// runs the model on ONNX-style test data (input_N.pb / output_N.pb, possibly
// in several test_data_set_* directories) or on explicitly given inputs
// (each converted to its input's declared element type), compares F32
// outputs with the references like numpy.allclose and I64 / BOOL outputs
// exactly, and optionally writes the outputs as .pb files. It exits 0 only when every
// output is within tolerance, which makes it the end-to-end check of the
// compiler: compile an ONNX node test, run cim-run on its test data.
//
// It uses the public C API for everything model-related, as a host app
// would, and the runtime's internal TensorIO for the .pb files.
//
//===----------------------------------------------------------------------===//

#include "cimrt/cimrt.h"

#include "TensorIO.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using cim::rt::DType;
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
    "  --input NAME=FILE.pb   an input tensor (repeatable; no reference "
    "check)\n"
    "  --device URI           sim://ideal (default), sim://quantized\n"
    "  --noise PRESET|FILE    device non-idealities: ideal, rram-nominal,\n"
    "                         rram-worst, or a JSON file (implies\n"
    "                         sim://quantized)\n"
    "  --seed N               random seed of the non-idealities (default 0)\n"
    "  --drift-time SECONDS   time since programming, for drift\n"
    "  --threads N            simulator threads (default: all cores)\n"
    "  --stats                print the device's counters, energy, latency\n"
    "                         and what programming did to each tile\n"
    "  --rtol R               relative tolerance (default 1e-5)\n"
    "  --atol A               absolute tolerance (default 1e-5)\n"
    "  --output-dir D         write every output as D/output_N.pb\n"
    "                         (D/test_data_set_K/output_N.pb for several "
    "sets)\n"
    "  --quiet                print only failures and errors\n"
    "  --help                 show this help\n"
    "\n"
    "An F32 element passes when |actual - expected| <= atol + rtol * "
    "|expected|;\n"
    "I64 and BOOL outputs must match exactly.\n"
    "Exit status: 0 if every output is within tolerance, 1 otherwise, 2 for\n"
    "usage errors.\n";

struct Options {
  std::string model;
  std::string testData;
  std::vector<std::pair<std::string, std::string>> inputs;
  std::string device = "sim://ideal";
  bool deviceGiven = false;
  std::vector<std::string> deviceOptions; // key=value for the device URI
  bool stats = false;
  double rtol = 1e-5;
  double atol = 1e-5;
  std::string outputDir;
  bool quiet = false;
};

/// Thrown to leave main with a message and exit code; main prints it.
struct Exit {
  int code;
  std::string message;
};

[[noreturn]] void fail(const std::string &message) { throw Exit{1, message}; }
[[noreturn]] void usageError(const std::string &message) {
  throw Exit{2, message + " (see cim-run --help)"};
}

/// Turns a non-NULL status into a thrown error, freeing it.
void check(cimrt_status_t status) {
  if (!status)
    return;
  std::string message = cimrt_status_message(status);
  cimrt_status_free(status);
  fail(message);
}

double parseNumber(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0))
    usageError(flag + ": '" + text + "' is not a non-negative number");
  return v;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    auto next = [&]() -> std::string {
      if (hasInlineValue)
        return value;
      if (i + 1 >= argc)
        usageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      throw Exit{0, ""};
    } else if (arg == "--test-data") {
      o.testData = next();
    } else if (arg == "--input") {
      std::string spec = next();
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        usageError("--input '" + spec + "' is not NAME=FILE.pb");
      o.inputs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
    } else if (arg == "--device") {
      o.device = next();
      o.deviceGiven = true;
    } else if (arg == "--noise") {
      o.deviceOptions.push_back("noise=" + next());
    } else if (arg == "--seed" || arg == "--drift-time" ||
               arg == "--threads") {
      std::string v = next();
      parseNumber(arg, v);
      std::string key = arg == "--drift-time" ? "drift_time" : arg.substr(2);
      o.deviceOptions.push_back(key + "=" + v);
    } else if (arg == "--stats") {
      o.stats = true;
    } else if (arg == "--rtol") {
      o.rtol = parseNumber(arg, next());
    } else if (arg == "--atol") {
      o.atol = parseNumber(arg, next());
    } else if (arg == "--output-dir") {
      o.outputDir = next();
    } else if (arg == "--quiet" || arg == "-q") {
      o.quiet = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else if (o.model.empty()) {
      o.model = arg;
    } else {
      usageError("more than one model given ('" + o.model + "' and '" + arg +
                 "')");
    }
  }
  if (o.model.empty())
    usageError("no model given");
  if (!o.testData.empty() && !o.inputs.empty())
    usageError("--test-data and --input cannot be combined");
  // Device options become the URI's query; a noise model needs the
  // quantised simulator, the default when no --device is given.
  if (!o.deviceOptions.empty()) {
    bool noise = false;
    for (const std::string &opt : o.deviceOptions)
      noise |= opt.rfind("noise=", 0) == 0;
    if (noise && !o.deviceGiven)
      o.device = "sim://quantized";
    for (const std::string &opt : o.deviceOptions)
      o.device += (o.device.find('?') == std::string::npos ? "?" : "&") + opt;
  }
  return o;
}

//===----------------------------------------------------------------------===//
// The model, through the C API
//===----------------------------------------------------------------------===//

struct IoInfo {
  std::string name;
  std::vector<int64_t> dims;
  DType dtype = DType::F32;
};

DType fromC(cimrt_dtype_t dtype) {
  switch (dtype) {
  case CIMRT_DTYPE_I64:
    return DType::I64;
  case CIMRT_DTYPE_BOOL:
    return DType::Bool;
  default:
    return DType::F32;
  }
}

cimrt_dtype_t toC(DType dtype) {
  switch (dtype) {
  case DType::I64:
    return CIMRT_DTYPE_I64;
  case DType::Bool:
    return CIMRT_DTYPE_BOOL;
  default:
    return CIMRT_DTYPE_F32;
  }
}

/// `t` with its elements converted to `dtype` (F32 -> I64 truncates, -> BOOL
/// is x != 0).
HostTensor converted(const HostTensor &t, DType dtype) {
  if (t.dtype == dtype)
    return t;
  return cim::rt::fromTensor(cim::rt::toTensor(t).convertedTo(dtype), t.name);
}

struct Runner {
  cimrt_model_t *model = nullptr;
  cimrt_device_t *device = nullptr;
  cimrt_session_t *session = nullptr;
  std::vector<IoInfo> inputs, outputs;

  ~Runner() {
    cimrt_session_release(session);
    cimrt_device_release(device);
    cimrt_model_release(model);
  }

  void open(const Options &o) {
    check(cimrt_model_load_file(o.model.c_str(), &model));
    check(cimrt_device_open(o.device.c_str(), &device));
    check(cimrt_session_create(model, device, nullptr, &session));
    for (int io = 0; io < 2; ++io) {
      bool in = io == 0;
      size_t n =
          in ? cimrt_model_input_count(model) : cimrt_model_output_count(model);
      for (size_t i = 0; i < n; ++i) {
        const char *name;
        size_t rank;
        const int64_t *dims;
        check(in ? cimrt_model_input_name(model, i, &name)
                 : cimrt_model_output_name(model, i, &name));
        check(in ? cimrt_model_input_dims(model, i, &rank, &dims)
                 : cimrt_model_output_dims(model, i, &rank, &dims));
        cimrt_dtype_t dtype = in ? cimrt_model_input_dtype(model, i)
                                 : cimrt_model_output_dtype(model, i);
        (in ? inputs : outputs)
            .push_back({name, {dims, dims + rank}, fromC(dtype)});
      }
    }
  }

  /// Runs on `in` (one per model input, in order, each converted to the
  /// input's declared element type) and returns the outputs.
  std::vector<HostTensor> run(const std::vector<HostTensor> &in) {
    std::vector<cimrt_tensor_t *> tensors(in.size(), nullptr);
    std::vector<cimrt_tensor_t *> results(outputs.size(), nullptr);
    auto releaseAll = [&] {
      for (auto *t : tensors)
        cimrt_tensor_release(t);
      for (auto *t : results)
        cimrt_tensor_release(t);
    };
    cimrt_status_t status = nullptr;
    for (size_t i = 0; i < in.size() && !status; ++i) {
      cim::rt::Tensor t =
          cim::rt::toTensor(in[i]).convertedTo(inputs[i].dtype);
      status = cimrt_tensor_create_typed(toC(t.dtype()), t.dims().data(),
                                         t.rank(), t.rawData(), &tensors[i]);
    }
    if (!status)
      status = cimrt_session_run(session, tensors.size(), tensors.data(),
                                 results.size(), results.data());
    std::vector<HostTensor> out;
    if (!status) {
      for (size_t i = 0; i < results.size(); ++i) {
        const int64_t *d = cimrt_tensor_dims(results[i]);
        size_t n = cimrt_tensor_element_count(results[i]);
        DType dtype = fromC(cimrt_tensor_dtype(results[i]));
        cim::rt::Tensor t = cim::rt::Tensor::zeros(
            dtype, cim::rt::Shape(d, d + cimrt_tensor_rank(results[i])));
        if (n)
          std::memcpy(t.mutableRawData(), cimrt_tensor_raw_data(results[i]),
                      n * cimrt_dtype_size(cimrt_tensor_dtype(results[i])));
        out.push_back(cim::rt::fromTensor(t, outputs[i].name));
      }
    }
    releaseAll();
    check(status);
    return out;
  }
};

//===----------------------------------------------------------------------===//
// Test data
//===----------------------------------------------------------------------===//

/// One run: inputs to bind and (optionally) reference outputs.
struct Case {
  std::string label;     // "test_data_set_0"
  std::string outSubdir; // where --output-dir puts this case's outputs
  std::map<int, std::string> inputFiles;  // N -> input_N.pb
  std::map<int, std::string> outputFiles; // N -> output_N.pb
};

/// N for "prefix_N.pb", or -1.
int fileIndex(const std::string &name, const std::string &prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + 3 ||
      name.compare(name.size() - 3, 3, ".pb") != 0)
    return -1;
  std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - 3);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return -1;
  return std::atoi(digits.c_str());
}

Case scanSet(const fs::path &dir) {
  Case c;
  c.label = dir.filename().string();
  if (c.label.empty())
    c.label = dir.parent_path().filename().string();
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (int n = fileIndex(name, "input_"); n >= 0)
      c.inputFiles[n] = entry.path().string();
    else if (int m = fileIndex(name, "output_"); m >= 0)
      c.outputFiles[m] = entry.path().string();
  }
  if (ec)
    fail(dir.string() + ": cannot read directory: " + ec.message());
  return c;
}

/// Orders "test_data_set_2" before "test_data_set_10".
bool naturalLess(const std::string &a, const std::string &b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit((unsigned char)a[i]) &&
        std::isdigit((unsigned char)b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit((unsigned char)a[i2]))
        ++i2;
      while (j2 < b.size() && std::isdigit((unsigned char)b[j2]))
        ++j2;
      unsigned long long x =
          std::strtoull(a.substr(i, i2 - i).c_str(), nullptr, 10);
      unsigned long long y =
          std::strtoull(b.substr(j, j2 - j).c_str(), nullptr, 10);
      if (x != y)
        return x < y;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j])
        return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<Case> scanTestData(const std::string &dirName) {
  fs::path dir(dirName);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail(dirName + ": not a directory");
  std::vector<fs::path> sets;
  for (const auto &entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory() &&
        entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(entry.path());
  if (ec)
    fail(dirName + ": cannot read directory: " + ec.message());
  std::sort(sets.begin(), sets.end(), [](const fs::path &a, const fs::path &b) {
    return naturalLess(a.filename().string(), b.filename().string());
  });
  std::vector<Case> cases;
  if (sets.empty()) {
    cases.push_back(scanSet(dir));
    if (cases[0].inputFiles.empty() && cases[0].outputFiles.empty())
      fail(dirName + ": no input_N.pb/output_N.pb files and no "
                     "test_data_set_* directories");
  } else {
    for (const auto &s : sets) {
      cases.push_back(scanSet(s));
      cases.back().outSubdir = s.filename().string();
    }
  }
  return cases;
}

/// Index of the model input/output named `name`, or -1.
int findByName(const std::vector<IoInfo> &ios, const std::string &name) {
  for (size_t i = 0; i < ios.size(); ++i)
    if (!name.empty() && ios[i].name == name)
      return int(i);
  return -1;
}

/// Places the tensors of `files` (N -> path) at model positions: by name when
/// the file's tensor names a model input/output, else by N.
std::vector<std::optional<HostTensor>>
loadByPosition(const std::map<int, std::string> &files,
               const std::vector<IoInfo> &ios, const char *what,
               std::vector<std::string> *sources) {
  std::vector<std::optional<HostTensor>> placed(ios.size());
  if (sources)
    sources->assign(ios.size(), std::string());
  for (const auto &[n, path] : files) {
    auto t = cim::rt::readTensorFile(path);
    if (!t.isOk())
      fail(t.status().message());
    int pos = findByName(ios, t->name);
    if (pos < 0)
      pos = n;
    if (pos >= int(ios.size()))
      fail(path + ": the model has only " + std::to_string(ios.size()) + " " +
           what + (ios.size() == 1 ? "" : "s") + " (no " + what + " #" +
           std::to_string(n) + ")");
    if (placed[pos])
      fail(path + ": model " + what + " '" + ios[pos].name +
           "' is given twice");
    placed[pos] = std::move(*t);
    if (sources)
      (*sources)[pos] = path;
  }
  return placed;
}

struct Comparison {
  bool pass = true;
  std::string detail; // why it failed
  double maxAbs = 0, maxRel = 0; // F32
  size_t mismatches = 0;         // I64 and BOOL
};

std::string shapeStr(const std::vector<int64_t> &d) {
  return cim::rt::shapeToString(d);
}

Comparison compare(const HostTensor &actual, const HostTensor &expectedFile,
                   double rtol, double atol) {
  Comparison c;
  if (actual.dims != expectedFile.dims) {
    c.pass = false;
    c.detail = "shape " + shapeStr(actual.dims) + " but expected " +
               shapeStr(expectedFile.dims);
    return c;
  }
  // The reference is read in the output's element type: integers and
  // booleans are compared exactly, floats with the tolerance.
  HostTensor expected = converted(expectedFile, actual.dtype);
  size_t bad = 0, firstBad = 0;
  if (actual.dtype != DType::F32) {
    for (size_t i = 0; i < actual.ints.size(); ++i)
      if (actual.ints[i] != expected.ints[i] && bad++ == 0)
        firstBad = i;
    c.mismatches = bad;
    if (bad) {
      c.pass = false;
      c.detail = std::to_string(bad) + " of " +
                 std::to_string(actual.ints.size()) +
                 " elements differ; first at flat index " +
                 std::to_string(firstBad) + ": got " +
                 std::to_string(actual.ints[firstBad]) + ", expected " +
                 std::to_string(expected.ints[firstBad]);
    }
    return c;
  }
  for (size_t i = 0; i < actual.data.size(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    double diff;
    bool ok;
    if (std::isinf(e) || std::isinf(a)) {
      ok = a == e; // numpy.allclose: infinities must match exactly
      diff = ok ? 0.0 : INFINITY;
    } else {
      diff = std::fabs(a - e); // NaN when either is NaN: never ok
      ok = diff <= atol + rtol * std::fabs(e);
    }
    double rel = diff / std::max(std::fabs(e), double(FLT_MIN));
    if (!(diff <= c.maxAbs))
      c.maxAbs = diff;
    if (!(rel <= c.maxRel))
      c.maxRel = rel;
    if (!ok && bad++ == 0)
      firstBad = i;
  }
  if (bad) {
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "%zu of %zu elements off; first at flat index %zu: got %.8g, "
                  "expected %.8g",
                  bad, actual.data.size(), firstBad,
                  double(actual.data[firstBad]),
                  double(expected.data[firstBad]));
    c.pass = false;
    c.detail = buf;
  }
  return c;
}

void writeOutputs(const std::vector<HostTensor> &outs, const fs::path &dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    fail(dir.string() + ": cannot create directory: " + ec.message());
  for (size_t i = 0; i < outs.size(); ++i) {
    fs::path p = dir / ("output_" + std::to_string(i) + ".pb");
    cim::rt::Status s = cim::rt::writeTensorFile(p.string(), outs[i]);
    if (!s.isOk())
      fail(s.message());
  }
}

std::string previewValues(const HostTensor &t) {
  std::string s;
  size_t count = t.dtype == DType::F32 ? t.data.size() : t.ints.size();
  size_t n = std::min<size_t>(count, 8);
  for (size_t i = 0; i < n; ++i) {
    char buf[32];
    if (t.dtype == DType::F32)
      std::snprintf(buf, sizeof(buf), "%s%.6g", i ? " " : "",
                    double(t.data[i]));
    else
      std::snprintf(buf, sizeof(buf), "%s%lld", i ? " " : "",
                    (long long)t.ints[i]);
    s += buf;
  }
  if (count > n)
    s += " ...";
  return s;
}

/// --stats: the device's counters, energy and latency, and per tile what
/// programming did to its cells.
void printDeviceStats(const cimrt_device_t *device) {
  cimrt_device_stats_t s;
  check(cimrt_device_stats(device, &s));
  std::printf("stats: %llu MVMs in %llu calls, %llu MACs, %llu DAC and %llu "
              "ADC conversions, %llu digital ops, %llu cell writes\n",
              (unsigned long long)s.mvm_count, (unsigned long long)s.mvm_calls,
              (unsigned long long)s.macs,
              (unsigned long long)s.dac_conversions,
              (unsigned long long)s.adc_conversions,
              (unsigned long long)s.digital_ops,
              (unsigned long long)s.program_writes);
  std::printf("stats: energy %.6g pJ (mac %.6g, dac %.6g, adc %.6g, digital "
              "%.6g, write %.6g), latency %.6g ns\n",
              s.energy_pj, s.energy_mac_pj, s.energy_dac_pj, s.energy_adc_pj,
              s.energy_digital_pj, s.energy_write_pj, s.latency_ns);
  for (size_t i = 0; i < s.tiles_reported; ++i) {
    cimrt_tile_report_t t;
    check(cimrt_device_tile_report(device, i, &t));
    if (t.cells == 0)
      continue; // not an analog tile, or no noise model
    std::printf("stats: tile %u: %llu cells, %llu writes, %llu outside the "
                "verify window, stuck on %llu, stuck off %llu\n",
                t.tile_id, (unsigned long long)t.cells,
                (unsigned long long)t.writes,
                (unsigned long long)t.verify_failures,
                (unsigned long long)t.stuck_on,
                (unsigned long long)t.stuck_off);
  }
}

int runMain(const Options &o) {
  Runner r;
  r.open(o);

  std::vector<Case> cases;
  if (!o.testData.empty()) {
    cases = scanTestData(o.testData);
  } else {
    Case c;
    c.label = "inputs";
    cases.push_back(c);
  }

  int passed = 0, failed = 0;
  bool compared = false;
  for (const Case &c : cases) {
    // Inputs: from the test data, or from --input NAME=FILE.
    std::vector<std::optional<HostTensor>> in;
    std::vector<std::string> sources;
    if (!o.testData.empty()) {
      in = loadByPosition(c.inputFiles, r.inputs, "input", &sources);
    } else {
      in.resize(r.inputs.size());
      for (const auto &[name, file] : o.inputs) {
        int pos = findByName(r.inputs, name);
        if (pos < 0) {
          std::string known;
          for (const auto &io : r.inputs)
            known += (known.empty() ? "" : ", ") + io.name;
          fail(o.model + ": the model has no input named '" + name +
               "' (inputs: " + known + ")");
        }
        auto t = cim::rt::readTensorFile(file);
        if (!t.isOk())
          fail(t.status().message());
        in[pos] = std::move(*t);
      }
    }
    std::vector<HostTensor> inputs;
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i])
        fail((o.testData.empty() ? o.model : o.testData) + ": missing input '" +
             r.inputs[i].name + "' (#" + std::to_string(i) + ")" +
             (o.testData.empty() ? "; give it with --input NAME=FILE.pb"
                                 : " in " + c.label));
      inputs.push_back(std::move(*in[i]));
    }

    std::vector<HostTensor> outs = r.run(inputs);

    if (!o.outputDir.empty()) {
      fs::path dir(o.outputDir);
      if (cases.size() > 1)
        dir /= c.outSubdir;
      writeOutputs(outs, dir);
    }

    if (o.testData.empty() || c.outputFiles.empty()) {
      if (!o.quiet)
        for (const auto &t : outs) {
          // F32 lines stay as they were; other types are named.
          std::string kind = t.dtype == DType::F32
                                 ? ""
                                 : std::string(cim::rt::dtypeName(t.dtype)) +
                                       " ";
          std::printf("%s: output '%s' %sshape %s: %s\n", c.label.c_str(),
                      t.name.c_str(), kind.c_str(), shapeStr(t.dims).c_str(),
                      previewValues(t).c_str());
        }
      continue;
    }

    compared = true;
    auto expected = loadByPosition(c.outputFiles, r.outputs, "output", nullptr);
    bool setOk = true;
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!expected[i])
        continue; // no reference for this output
      Comparison cmp = compare(outs[i], *expected[i], o.rtol, o.atol);
      setOk &= cmp.pass;
      if (cmp.pass && o.quiet)
        continue;
      if (outs[i].dtype == DType::F32)
        std::printf(
            "%s: output '%s' max_abs_err=%.3g max_rel_err=%.3g %s%s%s\n",
            c.label.c_str(), r.outputs[i].name.c_str(), cmp.maxAbs,
            cmp.maxRel, cmp.pass ? "OK" : "FAIL",
            cmp.detail.empty() ? "" : ": ", cmp.detail.c_str());
      else
        std::printf("%s: output '%s' %s mismatches=%zu %s%s%s\n",
                    c.label.c_str(), r.outputs[i].name.c_str(),
                    cim::rt::dtypeName(outs[i].dtype), cmp.mismatches,
                    cmp.pass ? "OK" : "FAIL", cmp.detail.empty() ? "" : ": ",
                    cmp.detail.c_str());
    }
    (setOk ? passed : failed)++;
  }

  if (!o.quiet) {
    cimrt_session_stats_t stats;
    check(cimrt_session_stats(r.session, &stats));
    std::printf("cim-run: device %s, target '%s', %llu tiles, %llu MVMs, "
                "%llu digital ops\n",
                cimrt_device_uri(r.device), cimrt_model_target_name(r.model),
                (unsigned long long)stats.tiles,
                (unsigned long long)stats.mvm_count,
                (unsigned long long)stats.digital_op_count);
    if (o.stats)
      printDeviceStats(r.device);
    if (compared)
      std::printf("cim-run: %d passed, %d failed\n", passed, failed);
    else
      std::printf("cim-run: %zu run%s, no reference outputs\n", cases.size(),
                  cases.size() == 1 ? "" : "s");
  }
  return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return runMain(parseArgs(argc, argv));
  } catch (const Exit &e) {
    if (!e.message.empty())
      std::fprintf(stderr, "error: %s\n", e.message.c_str());
    return e.code;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
