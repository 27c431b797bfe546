//===- BoardServer.cpp - A board's side of the protocol ---------*- C++ -*-===//

#include "drivers/board/BoardServer.h"

#include "artifact/Artifact.h"
#include "cim/Macro/Artifact.h"
#include "cimrt/cimrt.h"

namespace cim::rt::board {

namespace pb = cim::board;

namespace {

/// `tile` and `target` as the runtime reads an artifact's: validated and
/// converted (a one-tile artifact whose program passes its input through).
StatusOr<std::shared_ptr<const Model>> tileModel(const pb::ProgramTile &req) {
  artifact::Artifact a;
  a.set_magic(macro::kArtifactMagic);
  a.set_version(macro::kArtifactVersion);
  a.set_producer("board protocol");
  *a.mutable_target() = req.target();
  *a.add_tiles() = req.tile();
  artifact::Value *v = a.mutable_program()->add_values();
  v->set_id(1);
  v->set_name("x");
  v->mutable_type()->set_dtype(artifact::F32);
  v->mutable_type()->add_dims(1);
  a.mutable_program()->add_inputs(1);
  a.mutable_program()->add_outputs(1);
  return Model::fromArtifact(std::move(a), "PROGRAM_TILE");
}

} // namespace

BoardServer::BoardServer(std::shared_ptr<Device> device, std::string name)
    : device_(std::move(device)), name_(std::move(name)) {}

Frame BoardServer::reply(const Frame &request, pb::MessageType type,
                         const google::protobuf::MessageLite &message) const {
  Frame f;
  f.type = uint16_t(type);
  f.sequence = request.sequence;
  f.payload = message.SerializeAsString();
  return f;
}

Frame BoardServer::error(const Frame &request, const Status &status) const {
  pb::Error e;
  // The status codes' names, as the C API spells them.
  e.set_code(cimrt_status_code_string(cimrt_status_code_t(status.code())));
  e.set_message(status.message());
  return reply(request, pb::ERROR, e);
}

Frame BoardServer::handle(const Frame &request) {
  ++received_;
  if (auto it = answered_.find(request.sequence); it != answered_.end()) {
    ++duplicates_;
    return it->second;
  }
  Frame answer = execute(request);
  answered_[request.sequence] = answer;
  answeredOrder_.push_back(request.sequence);
  if (answeredOrder_.size() > kRememberedReplies) {
    answered_.erase(answeredOrder_.front());
    answeredOrder_.pop_front();
  }
  return answer;
}

Frame BoardServer::execute(const Frame &request) {
  auto parse = [&](google::protobuf::MessageLite &m) {
    return m.ParseFromString(request.payload);
  };
  auto bad = [&](const char *what) {
    return error(request, makeError(Code::InvalidArgument, what,
                                    ": the payload does not parse"));
  };
  auto tile = [&](uint32_t handle) -> StatusOr<Programmed> {
    auto it = tiles_.find(handle);
    if (it == tiles_.end())
      return makeError(Code::NotFound, "tile handle ", handle,
                       " is not programmed");
    return it->second;
  };
  switch (request.type) {
  case pb::IDENTIFY: {
    pb::Identity id;
    id.set_protocol_version(kBoardProtocolVersion);
    id.set_board(name_);
    id.add_capabilities("program-verify");
    id.add_capabilities("charge-sharing");
    return reply(request, pb::IDENTITY, id);
  }
  case pb::PROGRAM_TILE: {
    pb::ProgramTile req;
    if (!parse(req))
      return bad("PROGRAM_TILE");
    if (tiles_.count(req.handle()))
      return error(request, makeError(Code::FailedPrecondition,
                                      "tile handle ", req.handle(),
                                      " is programmed already"));
    StatusOr<std::shared_ptr<const Model>> model = tileModel(req);
    if (!model.isOk())
      return error(request, model.status());
    const hal::TileImage &image = (*model)->tileImages().front();
    StatusOr<TileHandle> h =
        device_->programTile(image, (*model)->macroConfig());
    if (!h.isOk())
      return error(request, h.status());
    tiles_[req.handle()] = {*h, int64_t(image.rows), int64_t(image.cols)};
    pb::TileProgrammed out;
    out.set_handle(req.handle());
    DeviceStats stats = device_->stats();
    if (!stats.tiles.empty()) {
      const TileReport &r = stats.tiles.back();
      out.set_cells(r.cells);
      out.set_writes(r.writes);
      out.set_verify_failures(r.verifyFailures);
      out.set_stuck_on(r.stuckOn);
      out.set_stuck_off(r.stuckOff);
    }
    return reply(request, pb::TILE_PROGRAMMED, out);
  }
  case pb::MVM: {
    pb::Mvm req;
    if (!parse(req))
      return bad("MVM");
    StatusOr<Programmed> t = tile(req.handle());
    if (!t.isOk())
      return error(request, t.status());
    // x is batch x rows, a carry (if any) batch x cols.
    const int64_t batch = req.batch();
    if (int64_t(req.x_size()) != batch * t->rows)
      return error(request, makeError(Code::InvalidArgument, "MVM: ",
                                      req.x_size(), " inputs, tile ",
                                      req.handle(), " needs batch ", batch,
                                      " x ", t->rows, " rows"));
    if (req.carry_size() != 0 && int64_t(req.carry_size()) != batch * t->cols)
      return error(request, makeError(Code::InvalidArgument, "MVM: ",
                                      req.carry_size(),
                                      " carried values, tile ", req.handle(),
                                      " needs batch ", batch, " x ", t->cols,
                                      " columns"));
    pb::MvmResult out;
    out.set_handle(req.handle());
    out.mutable_y()->Resize(int(batch * t->cols), 0.0f);
    Status s = req.carry_size()
                   ? device_->mvmShared(t->handle, req.x().data(),
                                        req.carry().data(), batch,
                                        out.mutable_y()->mutable_data())
                   : device_->mvm(t->handle, req.x().data(), batch,
                                  out.mutable_y()->mutable_data());
    if (!s.isOk())
      return error(request, s);
    return reply(request, pb::MVM_RESULT, out);
  }
  case pb::READ_COUNTERS: {
    DeviceStats s = device_->stats();
    pb::Counters c;
    c.set_mvm_count(s.mvmCount);
    c.set_mvm_calls(s.mvmCalls);
    c.set_macs(s.macs);
    c.set_dac_conversions(s.dacConversions);
    c.set_adc_conversions(s.adcConversions);
    c.set_program_writes(s.programWrites);
    c.set_frames_received(received_);
    c.set_duplicates_answered(duplicates_);
    return reply(request, pb::COUNTERS, c);
  }
  case pb::RELEASE_TILE: {
    pb::ReleaseTile req;
    if (!parse(req))
      return bad("RELEASE_TILE");
    if (auto it = tiles_.find(req.handle()); it != tiles_.end()) {
      device_->releaseTile(it->second.handle);
      tiles_.erase(it);
    }
    return reply(request, pb::DONE, pb::Done());
  }
  case pb::RESET: {
    for (const auto &[handle, t] : tiles_)
      device_->releaseTile(t.handle);
    tiles_.clear();
    return reply(request, pb::DONE, pb::Done());
  }
  case pb::READ_CONDUCTANCES:
    return error(request,
                 makeError(Code::Unimplemented, "READ_CONDUCTANCES: this "
                           "board's device cannot read conductances back"));
  default:
    return error(request, makeError(Code::Unimplemented, "message type ",
                                    request.type,
                                    " is not a request this board serves"));
  }
}

} // namespace cim::rt::board
