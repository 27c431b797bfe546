//===- cim-compile.cpp - ONNX model to CIM artifact -------------*- C++ -*-===//
//
// The compiler driver: parses options, imports the ONNX model (or reads MLIR
// of any stage), attaches the files the passes need, runs the pipeline that
// `cim::buildCompilePipeline` builds from the options, and writes the
// requested stage (MLIR, or the .cimx artifact).
// Output is written only when every step succeeded.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"
#include "cim_version.h"
#include "llvm/Config/llvm-config.h"
#include "Calibration.h"
#include "InputFiles.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"
#include "cim/Frontend/ONNX/Importer.h"
#include "cim/Macro/Limits.h"
#include "cim/Target/ArtifactEmitter.h"
#include "cim/Target/CostModel.h"
#include "cim/Target/TargetDescription.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>
#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Stage { Import, Map, Tiled, Artifact };

// cim-compile's own options: --help lists only these; LLVM's and MLIR's
// (e.g. --mlir-timing) still work and are listed by --help-hidden.
cl::OptionCategory cimOptions("cim-compile options");

cl::opt<std::string> inputFile(cl::cat(cimOptions), cl::Positional,
                               cl::desc("<model.onnx | stage.mlir>"));
cl::opt<std::string> outputFile(cl::cat(cimOptions), "o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"));
cl::opt<std::string> targetName(
    cl::cat(cimOptions), "target", cl::desc("Target preset name or JSON target file"),
    cl::init("generic-rram"), cl::value_desc("name|file"));
cl::opt<bool> listTargets(cl::cat(cimOptions), "list-targets", cl::desc("List the target presets"));
cl::list<std::string> placeRules(
    cl::cat(cimOptions), "place", cl::desc("Place weights whose ONNX name matches REGEX on CELL "
                      "(rram, rom or sram) arrays (repeatable)"),
    cl::value_desc("REGEX=CELL"));
cl::list<std::string> tunableWeights(
    cl::cat(cimOptions), "tunable", cl::desc("Mark weights whose ONNX name matches REGEX as "
                        "fine-tunable: placed on SRAM (repeatable)"),
    cl::value_desc("REGEX"));
cl::opt<bool> allowReload(
    cl::cat(cimOptions), "allow-reload",
    cl::desc("Time-share writable arrays that do not fit: reload their "
             "weights at every inference (charged by --report)"));
cl::opt<unsigned> macrosFlag(
    cl::cat(cimOptions), "macros",
    cl::desc("Compile for N macros of the target (a board of several; every "
             "array count is per macro) instead of the target's own number"),
    cl::value_desc("N"));
cl::opt<bool> splitBlocks(
    cl::cat(cimOptions), "split-blocks",
    cl::desc("Split weight blocks into free array space where that saves "
             "arrays (default on; costs extra MVMs and partial sums)"),
    cl::init(true));
cl::opt<std::string> fuseActivations(
    cl::cat(cimOptions), "fuse-activations",
    cl::desc("Fuse monotonic activations after products into ramp-ADC "
             "readouts: on, off, or auto (on where the target's ADC is a "
             "ramp; the default)"),
    cl::init("auto"));
cl::opt<std::string> bnnMapping(
    cl::cat(cimOptions), "bnn-mapping",
    cl::desc("Binary products (+-1 weights) followed by a sign: bridge "
             "(RRAM bridges read by capacitive sign neurons, no ADC), "
             "current-sum (column currents through the ADC, sign in the "
             "digital unit), or auto (bridge where the target has bridge "
             "neurons; the default)"),
    cl::init("auto"));
cl::opt<std::string> snnMapping(
    cl::cat(cimOptions), "snn-mapping",
    cl::desc("Spiking (LIF) layers: neurons (their products read by charge "
             "into the columns' LIF neurons, no ADC per step), digital "
             "(products through the ADC, membranes in the digital unit), or "
             "auto (neurons where the target has LIF neurons; the default)"),
    cl::init("auto"));
cl::opt<std::string> inputCoding(
    cl::cat(cimOptions), "input-coding",
    cl::desc("Real-valued inputs of spiking layers on LIF neurons (an "
             "image): dac (levels through the DAC), rate (each input's DAC "
             "code as that many pulses per step), latency (one pulse per "
             "input and step, its time giving the code), or auto (latency "
             "where the target has LIF neurons; the default). All give the "
             "DAC's values; they differ in pulses and energy"),
    cl::init("auto"));
cl::opt<unsigned> rampBits(
    cl::cat(cimOptions), "ramp-bits", cl::desc("Ramp ADC resolution of fused activations, 1 to "
                          "12 bits (default: the target's ADC bits)"),
    cl::init(0));
cl::opt<double> rampInputRange(
    cl::cat(cimOptions), "ramp-input-range",
    cl::desc("Bound on |input| of fused layers, for their ramp range "
             "(default 1)"),
    cl::init(1.0));
cl::opt<bool> rnnOnArrays(
    cl::cat(cimOptions), "rnn-on-arrays",
    cl::desc("Lower RNN, GRU and LSTM layers with constant weights to time "
             "loops of gate products on arrays (default on; "
             "--rnn-on-arrays=false keeps them in the digital unit)"),
    cl::init(true));
cl::opt<std::string> rampRanges(
    cl::cat(cimOptions), "ramp-ranges",
    cl::desc("JSON of calibrated pre-activation ranges (activation name to "
             "[lo, hi]) for fused activations"),
    cl::value_desc("FILE"));
cl::opt<double> weightErrorBudget(
    cl::cat(cimOptions), "weight-error-budget",
    cl::desc("Precision policy: each product gets the fewest weight bits "
             "(cells per weight) whose relative RMS quantisation error is "
             "at most this (default 0.02)"),
    cl::init(0.02));
cl::list<std::string> weightBits(
    cl::cat(cimOptions), "weight-bits",
    cl::desc("Fix the weight bits instead: N for every product, or REGEX=N "
             "for weights whose ONNX name matches REGEX (repeatable; 0: the "
             "array's own)"),
    cl::value_desc("N|REGEX=N"));
cl::opt<bool> splitRows(
    cl::cat(cimOptions), "split-rows",
    cl::desc("Spread the rows of products on RRAM over the rows their last "
             "row block leaves free: the rows holding the columns' largest "
             "weights get copies of w / k driven by the same input, so each "
             "column's scale drops and its cells' noise shrinks in weight "
             "units; kept where the copies at least halve the columns' "
             "read-noise measure (default on; costs the extra rows' cells "
             "and DAC drives)"),
    cl::init(true));
cl::list<std::string> replicate(
    cl::cat(cimOptions), "replicate",
    cl::desc("Program the matching products K times in separate arrays and "
             "average their reads (programming and read noise / sqrt(K), K "
             "times the arrays and conversions): K for every product, or "
             "REGEX=K by ONNX weight name (repeatable)"),
    cl::value_desc("K|REGEX=K"));
cl::list<std::string> activeRows(
    cl::cat(cimOptions), "active-rows",
    cl::desc("Drive at most N rows of an array at once for the matching "
             "products (less IR drop and narrower ADC windows, at the price "
             "of more MVMs and conversions): N for every product, or "
             "REGEX=N by ONNX weight name (repeatable)"),
    cl::value_desc("N|REGEX=N"));
cl::opt<std::string> calibrationData(
    cl::cat(cimOptions), "calibration-data",
    cl::desc("Sample inputs (a few hundred, e.g. from the training set): a "
             "directory of input_N.pb or NAME.npy files, of "
             "test_data_set_*/ directories of them, or one .pb/.npy file. "
             "The compiler runs the model on them and calibrates each ADC "
             "column's window and each fused activation's ramp range, and "
             "rounds each tile's weights to the codes whose column results "
             "on them are closest to the exact ones"),
    cl::value_desc("PATH"));
cl::opt<bool> dataAwareRounding(
    cl::cat(cimOptions), "data-aware-rounding",
    cl::desc("With --calibration-data, choose each weight's code from the "
             "data (GPTQ-style: each row's rounding error is compensated by "
             "the rows still to round) instead of rounding to nearest "
             "(default on; =false to round to nearest)"),
    cl::init(true));
cl::opt<std::string> reportNoise(
    cl::cat(cimOptions), "report-noise",
    cl::desc("Noise model (preset or JSON file) under which --report, with "
             "--calibration-data, predicts each layer's output error "
             "(default rram-nominal; 'ideal' for quantisation only)"),
    cl::init("rram-nominal"), cl::value_desc("PRESET|FILE"));
cl::opt<bool> exposePreactivations(
    cl::cat(cimOptions), "expose-preactivations",
    cl::desc("Add the inputs of fusable activations as outputs named "
             "preact:NAME (for calibrating ramp ranges)"));
cl::opt<std::string> odeScheduleName(
    cl::cat(cimOptions), "ode-schedule",
    cl::desc("Where ODE solver steps run: analog (integrators, converters "
             "at the ODE's input and output only), digital (converters "
             "around every layer at every step), or auto (analog where the "
             "target has integrators; the default)"),
    cl::init("auto"));
cl::opt<unsigned> reportReuse(
    cl::cat(cimOptions), "reuse", cl::desc("Input vectors that share one load of reloaded weights "
                      "(for --report; default 1)"),
    cl::init(1));
cl::opt<std::string> reportFile(
    cl::cat(cimOptions), "report", cl::desc("Write the cost report (JSON) here and print it as a "
                       "table"),
    cl::value_desc("file.json"));
cl::opt<std::string> placementFile(
    cl::cat(cimOptions), "placement", cl::desc("JSON placement rules (see docs/Targets.md)"),
    cl::value_desc("file"));
cl::opt<bool> listOps(cl::cat(cimOptions), "list-ops", cl::desc("List the ONNX ops the importer supports"));
cl::opt<Stage> emitStage(
    cl::cat(cimOptions), "emit", cl::desc("Stage to write"), cl::init(Stage::Artifact),
    cl::values(clEnumValN(Stage::Import, "import", "imported model (MLIR)"),
               clEnumValN(Stage::Map, "cim", "products mapped to cim.linear (MLIR)"),
               clEnumValN(Stage::Tiled, "tiled", "weights tiled onto arrays (MLIR)"),
               clEnumValN(Stage::Artifact, "artifact",
                          ".cimx artifact (protobuf text format on stdout)")));

/// Prints diagnostics as `error: MODEL: node 'NAME': message`.
void printDiagnostic(Diagnostic &diag) {
  std::string where;
  Location loc = diag.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
      where = file.getFilename().str() + ": ";
    where += "node '" + name.getName().str() + "': ";
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    where = file.getFilename().str();
    if (file.getLine())
      where += ":" + std::to_string(file.getLine()) + ":" +
               std::to_string(file.getColumn());
    where += ": ";
  }
  const char *severity = diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                         : diag.getSeverity() == DiagnosticSeverity::Warning
                             ? "warning"
                         : diag.getSeverity() == DiagnosticSeverity::Remark
                             ? "remark"
                             : "note";
  llvm::errs() << severity << ": " << where << diag.str() << "\n";
}

int fail(const std::string &message) {
  llvm::errs() << "error: " << message << "\n";
  return 1;
}

/// Sends stderr (fd 2) to an anonymous temporary file until release(),
/// which restores it and returns what was written.
class StderrCapture {
public:
  StderrCapture() {
    llvm::errs().flush();
    file_ = std::tmpfile();
    saved_ = file_ ? ::dup(2) : -1;
    if (saved_ >= 0)
      ::dup2(::fileno(file_), 2);
  }
  ~StderrCapture() { release(); }
  std::string release() {
    std::string text;
    if (saved_ < 0)
      return text;
    llvm::errs().flush();
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), file_)) > 0)
      text.append(buf, n);
    std::fclose(file_);
    file_ = nullptr;
    return text;
  }

private:
  std::FILE *file_ = nullptr;
  int saved_ = -1;
};

/// LLVM's command-line parser's complaint as one line: without the
/// program name it puts before each line, with its "did you mean" hint,
/// without its pointers to --help.
std::string parserMessage(StringRef text) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  std::string message;
  for (StringRef line : lines) {
    line = line.trim();
    line.consume_front("cim-compile:");
    line = line.trim();
    if (line.empty() || line.starts_with("Can specify at most"))
      continue;
    if (size_t at = line.find("Try: "); at != StringRef::npos)
      line = line.take_front(at).trim();
    if (line.starts_with("Did you mean")) {
      message += " (" + line.lower() + ")";
      continue;
    }
    message += (message.empty() ? "" : "; ") + line.str();
  }
  return message.empty() ? "bad command line" : message;
}

/// A command-line usage error: exit status 2, as cim-run's.
int usage(const std::string &message) {
  llvm::errs() << "error: " << message << " (see cim-compile --help)\n";
  return 2;
}

/// Writes every (path, contents) pair, all or none: each regular file goes
/// to a temporary file beside it, renamed over the path only once every
/// file is written, so that a failed compile or a full disk leaves nothing
/// half written. "-" is standard output; an existing special file (a
/// device, a FIFO) is written directly.
int writeOutputs(ArrayRef<std::pair<std::string, std::string>> files) {
  namespace fs = llvm::sys::fs;
  SmallVector<std::pair<std::string, std::string>> renames; // temp, path
  auto discard = [&] {
    for (const auto &[temp, path] : renames)
      fs::remove(temp);
  };
  for (const auto &[path, contents] : files) {
    if (path == "-") {
      llvm::outs() << contents;
      llvm::outs().flush();
      continue;
    }
    fs::file_status status;
    bool special = !fs::status(path, status) && fs::exists(status) &&
                   !fs::is_regular_file(status);
    std::string target = path, why;
    int fd = -1;
    if (special) {
      if (std::error_code ec = fs::openFileForWrite(path, fd, fs::CD_OpenExisting))
        why = ec.message();
    } else {
      SmallString<256> temp;
      if (std::error_code ec =
              fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp)) {
        why = ec.message();
      } else {
        renames.emplace_back(temp.str().str(), path);
        target = temp.str().str();
      }
    }
    if (why.empty()) {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << contents;
      os.close();
      if (os.has_error()) {
        why = os.error().message();
        os.clear_error();
      }
    }
    if (!why.empty()) {
      discard();
      return fail(path + ": cannot write: " + why);
    }
  }
  for (const auto &[temp, path] : renames)
    if (std::error_code ec = fs::rename(temp, path)) {
      discard();
      return fail(path + ": cannot write: " + ec.message());
    }
  return 0;
}

/// The pipeline's options from the flags; on a bad value sets `error`.
std::optional<cim::CompileOptions> compileOptions(std::string &error) {
  cim::CompileOptions options;
  if (fuseActivations == "on")
    options.fuseActivations = cim::FuseMode::On;
  else if (fuseActivations == "off")
    options.fuseActivations = cim::FuseMode::Off;
  else if (fuseActivations != "auto") {
    error = "--fuse-activations must be on, off or auto, got '" +
            fuseActivations + "'";
    return std::nullopt;
  }
  if (bnnMapping != "auto" && bnnMapping != "bridge" &&
      bnnMapping != "current-sum") {
    error = "--bnn-mapping must be bridge, current-sum or auto, got '" +
            bnnMapping + "'";
    return std::nullopt;
  }
  options.bnnMapping = bnnMapping;
  if (snnMapping != "auto" && snnMapping != "neurons" &&
      snnMapping != "digital") {
    error = "--snn-mapping must be neurons, digital or auto, got '" +
            snnMapping + "'";
    return std::nullopt;
  }
  options.snnMapping = snnMapping;
  if (inputCoding != "auto" && inputCoding != "dac" && inputCoding != "rate" &&
      inputCoding != "latency") {
    error = "--input-coding must be dac, rate, latency or auto, got '" +
            inputCoding + "'";
    return std::nullopt;
  }
  options.inputCoding = inputCoding;
  if (odeScheduleName == "analog")
    options.odeSchedule = cim::ODEScheduleMode::Analog;
  else if (odeScheduleName == "digital")
    options.odeSchedule = cim::ODEScheduleMode::Digital;
  else if (odeScheduleName != "auto") {
    error = "--ode-schedule must be analog, digital or auto, got '" +
            odeScheduleName + "'";
    return std::nullopt;
  }
  // The target is already on the module (it may be a file, which only the
  // driver reads), so options.target stays empty.
  options.rnnOnArrays = rnnOnArrays;
  options.placeRules = placeRules;
  options.tunable = tunableWeights;
  if (rampBits.getNumOccurrences() &&
      (rampBits < 1 || rampBits > cim::macro::kMaxRampBits)) {
    error = "--ramp-bits must be between 1 and " +
            std::to_string(cim::macro::kMaxRampBits) + ", got " +
            std::to_string(rampBits);
    return std::nullopt;
  }
  if (reportReuse == 0) {
    error = "--reuse must be at least 1";
    return std::nullopt;
  }
  options.rampBits = rampBits;
  options.rampInputRange = rampInputRange;
  options.exposePreactivations = exposePreactivations;
  options.weightErrorBudget = weightErrorBudget;
  options.weightBits = weightBits;
  options.splitRows = splitRows;
  options.replicas = replicate;
  options.activeRows = activeRows;
  options.allowReload = allowReload;
  options.splitBlocks = splitBlocks;
  options.stage = emitStage == Stage::Import ? cim::CompileStage::Import
                  : emitStage == Stage::Map  ? cim::CompileStage::Map
                                             : cim::CompileStage::Tiled;
  return options;
}

/// Passes read no files: the placement file and the calibrated ranges
/// travel as module attributes.
LogicalResult attachInputFiles(ModuleOp module, std::string &error) {
  MLIRContext &context = *module.getContext();
  if (!placementFile.empty()) {
    DictionaryAttr rules = cim::readPlacementFile(placementFile, context, error);
    if (!rules)
      return failure();
    module->setAttr(cim::CIMDialect::getPlacementAttrName(), rules);
  }
  if (!rampRanges.empty()) {
    DictionaryAttr ranges = cim::readRampRangesFile(rampRanges, context, error);
    if (!ranges)
      return failure();
    module->setAttr(cim::CIMDialect::getRampRangesAttrName(), ranges);
  }
  return success();
}
/// A fused activation's ramp spreads its levels over the pre-activation
/// range: measured on the calibration data (the model compiled with its
/// fusable activations' inputs as outputs, run in ideal simulation) where
/// the pipeline fuses activations, and attached as `cim.ramp_ranges`.
LogicalResult calibrateRampRanges(ModuleOp module,
                                  const cim::CompileOptions &options,
                                  std::string &error) {
  cim::TargetAttr target = cim::lookupTarget(module);
  bool fuses = options.fuseActivations == cim::FuseMode::On ||
               (options.fuseActivations == cim::FuseMode::Auto && target &&
                target.getAdcKind() == cim::ADCKind::ramp);
  if (!fuses)
    return success();
  OwningOpRef<ModuleOp> probe = module.clone();
  cim::CompileOptions probeOptions = options;
  probeOptions.exposePreactivations = true;
  probeOptions.fuseActivations = cim::FuseMode::Off;
  // Copies average to the same pre-activations in ideal simulation, and
  // their averaging would hide the activations' inputs from the exposure.
  probeOptions.replicas.clear();
  probeOptions.stage = cim::CompileStage::Tiled;
  PassManager pm(module.getContext());
  cim::buildCompilePipeline(pm, probeOptions);
  if (failed(pm.run(*probe)))
    return failure();
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(cim::emitArtifact(*probe, os, /*text=*/false)))
    return failure();
  std::map<std::string, std::pair<double, double>> ranges;
  if (!cim::measurePreactivations(os.str(), calibrationData, ranges, error))
    return failure();
  Builder b(module.getContext());
  SmallVector<NamedAttribute> entries;
  for (const auto &[name, range] : ranges)
    entries.push_back(b.getNamedAttr(
        name, b.getArrayAttr({b.getF64FloatAttr(range.first),
                              b.getF64FloatAttr(range.second)})));
  module->setAttr(cim::CIMDialect::getRampRangesAttrName(),
                  b.getDictionaryAttr(entries));
  return success();
}

/// With calibration data, every tile's weights get data-aware codes
/// (`codes`) and the tiles read through a uniform ADC calibrated windows
/// (`adc_windows`); without data the ADCs keep each column's worst case,
/// which a remark says.
LogicalResult calibrateTiles(ModuleOp module,
                             std::map<std::string, cim::TileError> &errors,
                             cim::OutputMargins &margins,
                             std::string &lastLayer, std::string &error) {
  cim::TargetAttr target = cim::lookupTarget(module);
  if (!target)
    return success();
  bool uniformAdc = target.getAdcBits() > 1 &&
                    target.getAdcKind() != cim::ADCKind::sign;
  unsigned programmed = 0, converted = 0, worstCase = 0;
  module.walk([&](cim::ProgramTileOp op) {
    bool adc = uniformAdc && !op.getAnalog() && !op.getRamp() &&
               !op.getLif() && !op.readByBinaryNeurons();
    ++programmed;
    converted += adc;
    worstCase += adc && !op.getAdcWindows();
  });
  if (programmed == 0)
    return success();
  if (calibrationData.empty()) {
    if (worstCase == 0) // calibrated already, or no uniform ADC
      return success();
    emitRemark(module.getLoc())
        << worstCase << " tiles are read through ADCs whose windows are each "
        << "column's worst case; --calibration-data calibrates them";
    return success();
  }
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  std::vector<Operation *> tileOps;
  if (failed(cim::emitArtifact(module, os, /*text=*/false, &tileOps)))
    return failure();
  std::vector<cim::TileCalibration> tiles;
  if (!cim::calibrateTiles(os.str(), calibrationData, reportNoise,
                           dataAwareRounding, tiles, margins, error))
    return failure();
  unsigned calibrated = 0, rounded = 0;
  size_t vectors = 0;
  // The copies of a layer's replicated product: its largest replica
  // number + 1 (the tiles of one product share its layer's name).
  llvm::StringMap<unsigned> replicas;
  for (auto [op, tile] : llvm::zip(tileOps, tiles))
    if (auto tileOp = dyn_cast<cim::ProgramTileOp>(op))
      if (std::optional<uint64_t> r = tileOp.getReplica())
        replicas[tile.layer] = std::max(replicas[tile.layer], unsigned(*r));
  for (auto [op, tile] : llvm::zip(tileOps, tiles)) {
    if (!tile.codes.empty()) {
      auto type = RankedTensorType::get(
          cast<ShapedType>(op->getOperand(0).getType()).getShape(),
          IntegerType::get(module.getContext(), 32));
      op->setAttr("codes",
                  DenseIntElementsAttr::get(type, ArrayRef(tile.codes)));
      ++rounded;
    } else if (!dataAwareRounding) {
      op->removeAttr("codes"); // codes of an earlier calibrated compile
    }
    if (!tile.inputMeans.empty())
      op->setAttr("input_means", DenseF64ArrayAttr::get(module.getContext(),
                                                        tile.inputMeans));
    if (!tile.calibrated)
      continue;
    op->setAttr("adc_windows",
                DenseF64ArrayAttr::get(module.getContext(), tile.windows));
    ++calibrated;
    vectors = std::max(vectors, tile.vectors);
    // K copies of a product, averaged: each copy counts 1/K of the signal
    // and of what they share (quantisation, IR drop), 1/K^2 of what is
    // random between them.
    double k = replicas.lookup(tile.layer) + 1;
    const cim::TileError &t = tile.error;
    lastLayer = tile.layer;
    cim::TileError &e = errors[tile.layer];
    e.signal += t.signal / k;
    e.quantisation += t.quantisation / k;
    e.read += t.read / (k * k);
    double random = t.programming - t.systematic;
    e.programming += random / (k * k) + t.systematic / k;
    e.systematic += t.systematic / k;
  }
  if (converted > 0)
    emitRemark(module.getLoc())
        << "calibrated the ADC windows of " << calibrated << " of "
        << converted << " tiles on up to " << vectors
        << " sampled input vectors each";
  if (dataAwareRounding)
    emitRemark(module.getLoc())
        << "rounded the weights of " << rounded << " of " << programmed
        << " tiles to data-aware codes";
  return success();
}
/// The predicted error of the layer that computes the model's scores,
/// as an RMS error of one score: its relative error times the scores'
/// RMS (0 when the last layer is unknown).
double scoreError(const std::map<std::string, cim::TileError> &errors,
                  const cim::OutputMargins &margins, const std::string &last) {
  auto it = errors.find(last);
  if (it == errors.end() || !(it->second.signal > 0) || margins.gaps.empty())
    return 0;
  const cim::TileError &e = it->second;
  return std::sqrt((e.quantisation + e.read + e.programming) / e.signal) *
         margins.rms;
}

/// The expected share of calibration samples whose top-1 class changes,
/// if every score gets an independent error of RMS `sigma`: the mean over
/// samples of P(the gap's error exceeds the gap) = Phi(-gap / (sqrt(2)
/// sigma)) (the two best scores only).
double expectedChanges(const cim::OutputMargins &margins, double sigma) {
  double sum = 0;
  for (double gap : margins.gaps)
    sum += 0.5 * std::erfc(gap / (2 * sigma));
  return margins.gaps.empty() ? 0 : sum / double(margins.gaps.size());
}

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

/// The relative RMS output error of each layer's products, predicted
/// from the calibration data (quantisation, and the --report-noise
/// model's read and programming terms), as "predicted_error" in the
/// report: {noise, layers: {LAYER: {quantisation, read, programming,
/// total}}, margin: {output, layer, median_gap, score_error,
/// expected_top1_changes}}.
void addPredictedErrors(llvm::json::Value &report,
                        const std::map<std::string, cim::TileError> &errors,
                        const cim::OutputMargins &margins,
                        const std::string &last) {
  llvm::json::Object *object = report.getAsObject();
  if (!object || errors.empty())
    return;
  llvm::json::Object layers;
  for (const auto &[layer, e] : errors) {
    if (!(e.signal > 0))
      continue;
    auto rel = [&](double v) { return std::sqrt(v / e.signal); };
    layers[layer] = llvm::json::Object{
        {"quantisation", rel(e.quantisation)},
        {"read", rel(e.read)},
        {"programming", rel(e.programming)},
        {"total", rel(e.quantisation + e.read + e.programming)}};
  }
  llvm::json::Object predicted{{"noise", reportNoise.getValue()},
                               {"layers", std::move(layers)}};
  if (double sigma = scoreError(errors, margins, last); sigma > 0)
    predicted["margin"] = llvm::json::Object{
        {"output", margins.output},
        {"layer", last},
        {"median_gap", median(margins.gaps)},
        {"score_error", sigma},
        {"expected_top1_changes", expectedChanges(margins, sigma)}};
  (*object)["predicted_error"] = std::move(predicted);
}

void printPredictedErrors(const std::map<std::string, cim::TileError> &errors,
                          const cim::OutputMargins &margins,
                          const std::string &last, llvm::raw_ostream &os) {
  if (errors.empty())
    return;
  os << "predicted output error (relative RMS, " << reportNoise
     << "): quant read prog total\n";
  for (const auto &[layer, e] : errors) {
    if (!(e.signal > 0))
      continue;
    auto pct = [&](double v) {
      return llvm::formatv("{0,6:f2}%", 100 * std::sqrt(v / e.signal)).str();
    };
    os << llvm::left_justify(layer, 24) << pct(e.quantisation) << " "
       << pct(e.read) << " " << pct(e.programming) << " "
       << pct(e.quantisation + e.read + e.programming) << "\n";
  }
  if (double sigma = scoreError(errors, margins, last); sigma > 0)
    os << llvm::formatv("margin of '{0}': median top-1 gap {1:f3}, predicted "
                        "score error {2:f3} (RMS, from {3}'s error alone): "
                        "{4:f2}% of the calibration samples expected to "
                        "change their top-1 class\n",
                        margins.output, median(margins.gaps), sigma, last,
                        100 * expectedChanges(margins, sigma));
}
} // namespace

namespace {
int run(int argc, const char *const *argv) {
  // The first call registers MLIR's options; later calls (cim.compile in a
  // Python process) start from every option's default again.
  static const bool registered = [] {
    registerMLIRContextCLOptions();
    registerPassManagerCLOptions();
    registerAsmPrinterCLOptions();
    registerDefaultTimingManagerCLOptions();
    return true;
  }();
  (void)registered;
  cl::ResetAllOptionOccurrences();
  // Others' options move to --help-hidden (HideUnrelatedOptions would
  // hide them from it too).
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *opt = entry.second;
    bool ours = llvm::any_of(opt->Categories, [](cl::OptionCategory *c) {
      return c == &cimOptions || c->getName() == "Generic Options";
    });
    if (!ours && opt->getOptionHiddenFlag() == cl::NotHidden)
      opt->setHiddenFlag(cl::Hidden);
  }
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "cim-compile " << CIM_VERSION << " (" << CIM_REVISION
       << "), built with LLVM/MLIR " << LLVM_VERSION_STRING << "\n";
  });
  // The parser writes some complaints (a bad value of a typed option) to
  // stderr itself rather than to the stream it is given: stderr goes to a
  // temporary file meanwhile, so that every complaint becomes one error line.
  std::string parseErrors;
  llvm::raw_string_ostream parseErrorStream(parseErrors);
  StderrCapture capture;
  bool parsed = cl::ParseCommandLineOptions(
      argc, argv,
      "cim-compile: compile an ONNX model for compute-in-memory macros\n\n"
      "  cim-compile MODEL.onnx -o MODEL.cimx [--target NAME|FILE] "
      "[--place REGEX=CELL]... [--emit=import|cim|tiled|artifact]\n\n"
      "  Without -o the artifact is written beside the model (MODEL.cimx).\n"
      "  The --report table goes to stderr. MLIR's options (--mlir-timing,\n"
      "  --mlir-print-ir-after-all, ...) are listed by --help-hidden.\n",
          &parseErrorStream);
  std::string leaked = capture.release();
  if (!parsed)
    return usage(parserMessage(leaked + parseErrors));
  llvm::errs() << leaked;

  if (listTargets) {
    for (const cim::TargetDesc &p : cim::targetPresets())
      llvm::outs() << llvm::left_justify(p.name, 20) << p.summary << "\n";
    return 0;
  }
  if (listOps) {
    for (const std::string &op : cim::supportedOnnxOps())
      llvm::outs() << op << "\n";
    return 0;
  }
  if (inputFile.empty())
    return usage("no input model (usage: cim-compile MODEL.onnx -o OUT.cimx)");
  if (macrosFlag.getNumOccurrences() &&
      (macrosFlag < 1 || macrosFlag > (1u << 20)))
    return usage("--macros must be between 1 and 1048576, got " +
                 std::to_string(macrosFlag));

  // Where the results go, decided before any work: never over the model.
  std::string output = outputFile;
  if (output.empty() && emitStage == Stage::Artifact) {
    // Beside the model: model.onnx -> model.cimx.
    llvm::SmallString<256> beside(inputFile);
    llvm::sys::path::replace_extension(beside, "cimx");
    output = beside.str().str();
  }
  if (output.empty())
    output = "-";
  for (const std::string &out : {output, std::string(reportFile)}) {
    if (out.empty() || out == "-")
      continue;
    if (llvm::sys::fs::equivalent(inputFile, out))
      return usage((out == output ? "-o " : "--report ") + out +
                   " is the input model; refusing to overwrite it");
  }
  if (!reportFile.empty() && reportFile != "-" &&
      llvm::sys::fs::equivalent(output, reportFile))
    return usage("--report " + reportFile + " is also the output (-o)");

  MLIRContext context;
  context.getDiagEngine().registerHandler([](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  std::string error;
  cim::TargetAttr target = cim::resolveTarget(targetName, context, error);
  if (!target)
    return fail(error);
  OwningOpRef<ModuleOp> module;
  if (StringRef(inputFile).ends_with(".mlir")) {
    // MLIR of any stage: the pipelines leave what is already lowered alone.
    DialectRegistry registry;
    cim::registerImporterDialects(registry);
    context.appendDialectRegistry(registry);
    module = parseSourceFile<ModuleOp>(inputFile, &context);
    if (!module)
      return 1;
    // A target in the file wins unless one is asked for explicitly.
    if (!cim::lookupTarget(*module) || targetName.getNumOccurrences())
      (*module)->setAttr(cim::CIMDialect::getTargetAttrName(), target);
  } else {
    module = cim::importOnnxModel(inputFile, context, error);
    if (!module)
      return fail(error);
    (*module)->setAttr(cim::CIMDialect::getTargetAttrName(), target);
  }
  if (macrosFlag.getNumOccurrences())
    (*module)->setAttr(cim::CIMDialect::getTargetAttrName(),
                       cim::lookupTarget(*module).withMacros(macrosFlag));

  std::optional<cim::CompileOptions> options = compileOptions(error);
  if (!options)
    return usage(error);
  if (failed(attachInputFiles(*module, error)))
    return fail(error);

  if (!calibrationData.empty() && emitStage < Stage::Tiled)
    return fail("--calibration-data needs the tiled stage (--emit=tiled or "
                "artifact)");
  if (!calibrationData.empty() && rampRanges.empty() && !exposePreactivations &&
      failed(calibrateRampRanges(*module, *options, error)))
    return error.empty() ? 1 : fail(error);

  // --mlir-timing: the passes' times, printed when `timing` goes.
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  pm.enableTiming(timing);
  cim::buildCompilePipeline(pm, *options);
  if (failed(pm.run(*module)))
    return 1;
  std::map<std::string, cim::TileError> layerErrors;
  cim::OutputMargins margins;
  std::string lastLayer;
  if (emitStage >= Stage::Tiled &&
      failed(calibrateTiles(*module, layerErrors, margins, lastLayer, error)))
    return error.empty() ? 1 : fail(error);

  std::string reportJson;
  if (!reportFile.empty()) {
    if (emitStage < Stage::Tiled)
      return fail("--report needs the tiled stage (--emit=tiled or artifact)");
    cim::CostReport report = cim::analyzeCost(*module, reportReuse);
    llvm::json::Value value = report.toJson();
    addPredictedErrors(value, layerErrors, margins, lastLayer);
    llvm::raw_string_ostream json(reportJson);
    json << llvm::formatv("{0:2}", value) << "\n";
    // The table is for the user, on stderr: stdout may carry the artifact
    // or IR (-o -, --emit).
    report.printTable(llvm::errs());
    printPredictedErrors(layerErrors, margins, lastLayer, llvm::errs());
  }

  std::string contents;
  llvm::raw_string_ostream os(contents);
  if (emitStage == Stage::Artifact) {
    bool binary = output != "-";
    if (failed(cim::emitArtifact(*module, os, /*text=*/!binary)))
      return 1;
    // The compiler checks its own output as the runtime will: an artifact
    // the runtime would refuse is an error here, not at the user's run.
    if (binary && !cim::checkArtifact(contents, output, error))
      return fail(error);
  } else {
    module->print(os);
    os << "\n";
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {output, std::move(contents)}};
  if (!reportFile.empty())
    files.emplace_back(reportFile, std::move(reportJson));
  return writeOutputs(files);
}
} // namespace

int cim::compileMain(int argc, const char *const *argv) {
  return run(argc, argv);
}
