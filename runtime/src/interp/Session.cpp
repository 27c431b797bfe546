//===- Session.cpp - The interpreter ----------------------------*- C++ -*-===//
//
// Session creation (tile programming) and the run loop. Everything the loop
// relies on statically was checked by the Verifier; what can only be known
// at run time (shapes with dynamic dims) is checked here, after every
// instruction, against the declared types, so that a wrong shape is reported
// at the instruction that produced it rather than somewhere downstream.
// Control-flow kernels run their regions through the same interpreter, on
// the same value slots (value ids are global to the artifact).
//
//===----------------------------------------------------------------------===//

#include "interp/Session.h"
#include "interp/CostCounter.h"
#include "interp/Kernels.h"

#include <cmath>
#include <cstdio>

namespace cim::rt {

bool shapeMatches(const Shape &declared, const Shape &actual,
                  std::string &why) {
  if (declared.size() != actual.size()) {
    why = strCat("rank ", actual.size(), " ", shapeToString(actual),
                 " but the declared type has rank ", declared.size(), " ",
                 shapeToString(declared));
    return false;
  }
  for (size_t d = 0; d < declared.size(); ++d) {
    if (declared[d] != -1 && declared[d] != actual[d]) {
      why = strCat("dim ", d, " is ", actual[d], " but the declared type ",
                   shapeToString(declared), " needs ", declared[d]);
      return false;
    }
  }
  return true;
}

StatusOr<std::unique_ptr<Session>>
Session::create(std::shared_ptr<const Model> model,
                std::shared_ptr<Device> device, SessionOptions options) {
  if (!model || !device)
    return makeError(Code::InvalidArgument,
                     "session: a model and a device are required");
  std::unique_ptr<Session> s(new Session(model, device, options));
  s->costs_ = std::make_unique<CostCounter>(*model);
  for (int i = 0; i < model->tiles().size(); ++i) {
    const hal::TileImage &tile = model->tileImages()[size_t(i)];
    auto handle = device->programTile(tile, model->macroConfig());
    if (!handle.isOk())
      return handle.status().withPrefix(
          strCat(model->label(), ": tiles[", i, "] (id ", tile.id,
                 "): programming ", device->uri(), " failed: "));
    // Pushed one by one so the destructor frees exactly what was programmed.
    s->tileHandles_.push_back(*handle);
  }
  return s;
}

Session::~Session() {
  for (TileHandle h : tileHandles_)
    device_->releaseTile(h);
}

macro::Cost Session::cost() const { return costs_->total(); }

SessionStats Session::stats() const {
  SessionStats s;
  s.runs = runs_;
  s.tiles = tileHandles_.size();
  s.mvmCount = mvmCount_;
  s.digitalOps = digitalOps_;
  return s;
}

Status Session::bindInputs(const std::vector<Tensor> &inputs,
                           std::vector<Tensor> &slots) const {
  const Model &m = *model_;
  if (inputs.size() != m.inputs().size())
    return makeError(
        Code::InvalidArgument, m.label(), ": the model has ", m.inputs().size(),
        " input", m.inputs().size() == 1 ? "" : "s", ", got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    int slot = m.inputs()[i];
    const ValueInfo &info = m.values()[slot];
    const Tensor &t = inputs[i];
    std::string label = strCat("input '", info.name, "' (index ", i, ")");
    if (t.isNull())
      return makeError(Code::InvalidArgument, m.label(), ": ", label,
                       ": no tensor given");
    std::string why;
    if (!shapeMatches(info.dims, t.dims(), why))
      return makeError(Code::InvalidArgument, m.label(), ": ", label, ": ",
                       why);
    slots[slot] = t.convertedTo(info.dtype);
  }
  return Status::ok();
}

Status Session::run(const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs) {
  // One run at a time per session; devices and models are shared safely.
  std::lock_guard<std::mutex> lock(runMutex_);
  outputs.clear();
  Status s = runLocked(inputs, outputs);
  if (!s.isOk())
    outputs.clear();
  else
    ++runs_;
  return s;
}

namespace {

/// Executes blocks of instructions on one run's value slots; also the
/// RegionRunner that control-flow kernels call back into.
class Interpreter final : public RegionRunner {
public:
  Interpreter(const Model &m, Device *device,
              const std::vector<TileHandle> &tiles, bool trace,
              std::vector<Tensor> &slots, CostCounter &costs)
      : m_(m), device_(device), tiles_(tiles), trace_(trace), slots_(slots),
        costs_(costs) {}

  uint64_t mvmCount = 0, digitalOps = 0;

  /// Errors are prefixed with the failing instruction's `where`.
  Status executeBlock(const std::vector<CompiledInstruction> &block) {
    std::vector<const Tensor *> args;
    std::vector<Tensor> results;
    for (const CompiledInstruction &ci : block) {
      args.clear();
      for (int slot : ci.inputs)
        args.push_back(slot < 0 ? nullptr : &slots_[slot]);
      ExecContext ctx{m_.artifact(), ci,     m_.values(),
                      device_,       &tiles_, this};
      ctx.target = &m_.macroConfig();
      ctx.costs = &costs_;
      results.clear();
      if (ci.kernel->runMulti) {
        Status s = ci.kernel->runMulti(ctx, args, results);
        if (!s.isOk())
          return s.withPrefix(ci.where + ": ");
      } else {
        StatusOr<Tensor> r = ci.kernel->run(ctx, args);
        if (!r.isOk())
          return r.status().withPrefix(ci.where + ": ");
        results.push_back(std::move(*r));
      }
      CIM_TRY(checkResults(ci, results));
      if (ci.proto->charge() != artifact::CHARGE_NONE)
        costs_.chargeMarked(*ci.proto, results[0]);
      for (size_t j = 0; j < results.size(); ++j)
        slots_[ci.outputs[j]] = std::move(results[j]);
      if (ci.kernel->onDevice)
        mvmCount += ctx.mvmCount;
      else
        ++digitalOps;
      for (int slot : ci.releaseAfter)
        slots_[slot] = Tensor();
    }
    return Status::ok();
  }

  Status run(const CompiledRegion &region, std::vector<Tensor> args,
             std::vector<Tensor> &results) override {
    results.clear();
    if (args.size() != region.arguments.size())
      return makeError(Code::Internal, region.path, ": bound ", args.size(),
                       " arguments, the region has ",
                       region.arguments.size());
    for (size_t i = 0; i < args.size(); ++i) {
      const ValueInfo &info = m_.values()[region.arguments[i]];
      std::string why;
      if (args[i].dtype() != info.dtype)
        why = strCat("element type ", dtypeName(args[i].dtype()),
                     " but is declared ", dtypeName(info.dtype));
      else if (!shapeMatches(info.dims, args[i].dims(), why))
        why = strCat("shape ", shapeToString(args[i].dims()), ": ", why);
      if (!why.empty()) {
        clear(region);
        return makeError(Code::InvalidArgument, region.path, ".arguments[",
                         i, "]: value ", info.id, " gets ", why);
      }
      slots_[region.arguments[i]] = std::move(args[i]);
    }
    Status s = executeBlock(region.instructions);
    if (s.isOk())
      for (int slot : region.results)
        results.push_back(slots_[slot]);
    clear(region);
    return s;
  }

private:
  void clear(const CompiledRegion &region) {
    for (int slot : region.locals)
      slots_[slot] = Tensor();
  }

  Status checkResults(const CompiledInstruction &ci,
                      const std::vector<Tensor> &results) {
    if (results.size() != ci.outputs.size())
      return makeError(Code::Internal, ci.where, ": the kernel produced ",
                       results.size(), " outputs, expected ",
                       ci.outputs.size());
    for (size_t j = 0; j < results.size(); ++j) {
      const ValueInfo &out = m_.values()[ci.outputs[j]];
      if (results[j].dtype() != out.dtype)
        return makeError(Code::Internal, ci.where, ": result value ", out.id,
                         " is ", dtypeName(results[j].dtype()),
                         " but declared ", dtypeName(out.dtype));
      std::string why;
      if (!shapeMatches(out.dims, results[j].dims(), why))
        return makeError(Code::InvalidArgument, ci.where, ": result value ",
                         out.id, " has ", why);
      if (trace_)
        std::fprintf(stderr, "cimrt: %s -> value %u %s %s\n",
                     ci.where.c_str(), out.id, dtypeName(out.dtype),
                     shapeToString(results[j].dims()).c_str());
    }
    return Status::ok();
  }

  const Model &m_;
  Device *device_;
  const std::vector<TileHandle> &tiles_;
  bool trace_;
  std::vector<Tensor> &slots_;
  CostCounter &costs_;
};

} // namespace

Status Session::runLocked(const std::vector<Tensor> &inputs,
                          std::vector<Tensor> &outputs) {
  const Model &m = *model_;
  std::vector<Tensor> slots(m.values().size());
  for (const auto &[slot, tensor] : m.constants())
    slots[slot] = tensor;
  CIM_TRY(bindInputs(inputs, slots));

  Interpreter interp(m, device_.get(), tileHandles_, options_.trace, slots,
                     *costs_);
  Status s = interp.executeBlock(m.instructions());
  mvmCount_ += interp.mvmCount;
  digitalOps_ += interp.digitalOps;
  if (!s.isOk())
    return s.withPrefix(m.label() + ": ");

  for (size_t i = 0; i < m.outputs().size(); ++i) {
    const Tensor &t = slots[m.outputs()[i]];
    if (options_.checkFinite && t.dtype() == DType::F32) {
      const float *p = t.data<float>();
      for (int64_t j = 0; j < t.numElements(); ++j)
        if (!std::isfinite(p[j]))
          return makeError(Code::Internal, m.label(), ": output '",
                           m.values()[m.outputs()[i]].name, "' element ", j,
                           " is ", p[j], " (check_finite is on)");
    }
    outputs.push_back(t);
  }
  return Status::ok();
}

} // namespace cim::rt
