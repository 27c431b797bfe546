//===- Session.cpp - The interpreter ----------------------------*- C++ -*-===//
//
// Session creation (tile programming) and the run loop. Everything the loop
// relies on statically was checked by the Verifier; what can only be known
// at run time (shapes with dynamic dims) is checked here, after every
// instruction, against the declared types, so that a wrong shape is reported
// at the instruction that produced it rather than somewhere downstream.
//
//===----------------------------------------------------------------------===//

#include "Session.h"
#include "Kernels.h"

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
  for (int i = 0; i < model->tiles().size(); ++i) {
    const artifact::Tile &tile = model->tiles()[i];
    auto handle = device->programTile(tile, model->target());
    if (!handle.isOk())
      return handle.status().withPrefix(
          strCat(model->label(), ": tiles[", i, "] (id ", tile.id(),
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

Status Session::runLocked(const std::vector<Tensor> &inputs,
                          std::vector<Tensor> &outputs) {
  const Model &m = *model_;
  std::vector<Tensor> slots(m.values().size());
  for (const auto &[slot, tensor] : m.constants())
    slots[slot] = tensor;
  CIM_TRY(bindInputs(inputs, slots));

  std::vector<const Tensor *> args;
  for (const CompiledInstruction &ci : m.instructions()) {
    args.clear();
    for (int slot : ci.inputs)
      args.push_back(&slots[slot]);
    ExecContext ctx{m.artifact(), ci, device_.get(), &tileHandles_};
    StatusOr<Tensor> result = ci.kernel->run(ctx, args);
    if (!result.isOk())
      return result.status().withPrefix(
          strCat(m.label(), ": ", ci.where, ": "));
    const ValueInfo &out = m.values()[ci.output];
    std::string why;
    if (!shapeMatches(out.dims, result->dims(), why))
      return makeError(Code::InvalidArgument, m.label(), ": ", ci.where,
                       ": result value ", out.id, " has ", why);
    if (options_.trace)
      std::fprintf(stderr, "cimrt: %s -> value %u %s\n", ci.where.c_str(),
                   out.id, shapeToString(result->dims()).c_str());
    slots[ci.output] = std::move(*result);
    if (ci.kernel->onDevice)
      mvmCount_ += ctx.mvmCount;
    else
      ++digitalOps_;
    for (int slot : ci.releaseAfter)
      slots[slot] = Tensor();
  }

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
