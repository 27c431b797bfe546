//===- BoardServer.cpp - A board's side of the protocol ---------*- C++ -*-===//

#include "base/ProtobufLog.h"
#include "drivers/board/BoardServer.h"

#include "artifact/Artifact.h"
#include "cim/Macro/Artifact.h"
#include "cimrt/cimrt.h"

#include <algorithm>

namespace cim::rt::board {

namespace pb = cim::board;

namespace {

/// `target` (and `tile`, if given) as the runtime reads an artifact's:
/// validated and converted (an artifact whose program passes its input
/// through). Anything malformed is the request's INVALID_ARGUMENT.
StatusOr<std::shared_ptr<const Model>>
validated(const char *request, const artifact::Target &target,
          const artifact::Tile *tile) {
  artifact::Artifact a;
  a.set_magic(macro::kArtifactMagic);
  a.set_version(macro::kArtifactVersion);
  a.set_producer("board protocol");
  *a.mutable_target() = target;
  if (tile)
    *a.add_tiles() = *tile;
  artifact::Value *v = a.mutable_program()->add_values();
  v->set_id(1);
  v->set_name("x");
  v->mutable_type()->set_dtype(artifact::F32);
  v->mutable_type()->add_dims(1);
  a.mutable_program()->add_inputs(1);
  a.mutable_program()->add_outputs(1);
  StatusOr<std::shared_ptr<const Model>> model =
      Model::fromArtifact(std::move(a), request);
  if (!model.isOk()) {
    std::string message = model.status().message();
    std::string label = std::string(request) + ": ";
    if (message.rfind(label, 0) == 0)
      message.erase(0, label.size());
    return makeError(Code::InvalidArgument, message);
  }
  return model;
}

} // namespace

BoardServer::BoardServer(DeviceFactory open, std::string name)
    : open_(std::move(open)), name_(std::move(name)) {
  (void)reset();
}

Status BoardServer::reset() {
  solves_.clear();
  tiles_.clear();
  device_.reset();
  StatusOr<std::shared_ptr<Device>> d = open_();
  deviceStatus_ = d.status();
  if (d.isOk())
    device_ = *d;
  return deviceStatus_;
}

Frame BoardServer::reply(const Frame &request, pb::MessageType type,
                         const google::protobuf::MessageLite &message) const {
  return messageFrame(uint16_t(type), request.sequence, message);
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
  // IDENTIFY is never answered from the record: it starts or resumes a
  // session, which is safe to repeat.
  if (request.type == pb::IDENTIFY)
    return execute(request);
  if (auto it = answered_.find(request.sequence); it != answered_.end()) {
    ++duplicates_;
    ++duplicatesTotal_;
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
  ProtobufLogCapture log; // a payload that does not parse is answered, not logged
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
  if (request.type == pb::IDENTIFY) {
    pb::Identify req;
    if (!parse(req))
      return bad("IDENTIFY");
    if (req.resume() && req.session() != session_)
      return error(request,
                   makeError(Code::FailedPrecondition, "session ", req.session(),
                             " cannot be resumed: the board is in session ",
                             session_,
                             " now (another host started it, or the board "
                             "was restarted); its tiles are gone"));
    if (!req.resume()) {
      session_ = req.session();
      answered_.clear();
      answeredOrder_.clear();
      received_ = 1;
      duplicates_ = 0;
      if (Status s = reset(); !s.isOk())
        return error(request, s);
    }
    pb::Identity id;
    id.set_protocol_version(kBoardProtocolVersion);
    id.set_board(name_);
    id.add_capabilities("program-verify");
    id.add_capabilities("charge-sharing");
    id.add_capabilities("analog-integrators");
    id.set_session(session_);
    return reply(request, pb::IDENTITY, id);
  }
  if (!device_)
    return error(request, deviceStatus_);
  switch (request.type) {
  case pb::PROGRAM_TILE: {
    pb::ProgramTile req;
    if (!parse(req))
      return bad("PROGRAM_TILE");
    if (tiles_.count(req.handle()))
      return error(request, makeError(Code::FailedPrecondition,
                                      "tile handle ", req.handle(),
                                      " is programmed already"));
    StatusOr<std::shared_ptr<const Model>> model =
        validated("PROGRAM_TILE", req.target(), &req.tile());
    if (!model.isOk())
      return error(request, model.status());
    hal::TileImage image = (*model)->tileImages().front();
    image.spareRows = std::min(image.spareRows, req.spare_rows());
    image.spareCols = std::min(image.spareCols, req.spare_cols());
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
      out.set_row_remaps(r.rowRemaps);
      out.set_col_remaps(r.colRemaps);
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
    if (uint64_t(batch) * uint64_t(t->cols) >
        kMaxFramePayload / sizeof(float))
      return error(request, makeError(Code::InvalidArgument, "MVM: batch ",
                                      batch, " x ", t->cols,
                                      " results would not fit in a frame"));
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
    c.set_digital_ops(s.digitalOps);
    c.set_comparisons(s.comparisons);
    c.set_charge_shares(s.chargeShares);
    c.set_program_writes(s.programWrites);
    c.set_calibration_mvms(s.calibrationMvms);
    c.set_calibration_ns(s.calibrationNs);
    c.mutable_energy_pj()->insert(s.energyPj.begin(), s.energyPj.end());
    c.set_latency_ns(s.latencyNs);
    c.set_frames_received(received_);
    c.set_frames_rejected(rejected_);
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
  case pb::RESET:
    if (Status s = reset(); !s.isOk())
      return error(request, s);
    return reply(request, pb::DONE, pb::Done());
  case pb::ANALOG_OPEN: {
    pb::AnalogOpen req;
    if (!parse(req))
      return bad("ANALOG_OPEN");
    if (solves_.count(req.handle()))
      return error(request, makeError(Code::FailedPrecondition,
                                      "analog solve ", req.handle(),
                                      " is open already"));
    StatusOr<std::shared_ptr<const Model>> model =
        validated("ANALOG_OPEN", req.target(), nullptr);
    if (!model.isOk())
      return error(request, model.status());
    StatusOr<std::unique_ptr<hal::AnalogState>> state =
        device_->openAnalogState((*model)->macroConfig());
    if (!state.isOk())
      return error(request, state.status());
    solves_[req.handle()].state = std::move(*state);
    return reply(request, pb::DONE, pb::Done());
  }
  case pb::ANALOG_STEP:
    return analogStep(request);
  case pb::ANALOG_CLOSE: {
    pb::AnalogClose req;
    if (!parse(req))
      return bad("ANALOG_CLOSE");
    solves_.erase(req.handle());
    return reply(request, pb::DONE, pb::Done());
  }
  case pb::READ_CONDUCTANCES: {
    pb::ReadConductances req;
    if (!parse(req))
      return bad("READ_CONDUCTANCES");
    StatusOr<Programmed> t = tile(req.handle());
    if (!t.isOk())
      return error(request, t.status());
    StatusOr<TileConductances> read =
        device_->readConductances(t->handle);
    if (!read.isOk())
      return error(request, read.status());
    pb::Conductances out;
    out.set_handle(req.handle());
    out.set_slices(uint32_t(read->gPos.size()));
    out.set_rows(read->rows);
    out.set_cols(read->cols);
    out.set_g_min_us(read->gMinUs);
    out.set_g_max_us(read->gMaxUs);
    for (const std::vector<float> &slice : read->gPos)
      out.mutable_g_pos()->Add(slice.begin(), slice.end());
    for (const std::vector<float> &slice : read->gNeg)
      out.mutable_g_neg()->Add(slice.begin(), slice.end());
    return reply(request, pb::CONDUCTANCES, out);
  }
  default:
    return error(request, makeError(Code::Unimplemented, "message type ",
                                    request.type,
                                    " is not a request this board serves"));
  }
}

Frame BoardServer::analogStep(const Frame &request) {
  ProtobufLogCapture log;
  pb::AnalogStep req;
  if (!req.ParseFromString(request.payload))
    return error(request, makeError(Code::InvalidArgument,
                                    "ANALOG_STEP: the payload does not parse"));
  auto it = solves_.find(req.handle());
  if (it == solves_.end())
    return error(request, makeError(Code::NotFound, "analog solve ",
                                    req.handle(), " is not open"));
  Solve &solve = it->second;
  uint64_t values = uint64_t(req.v_size());
  Status s = Status::ok();
  switch (req.kind()) {
  case pb::AnalogStep::ENTER:
    if (req.rows() == 0 || req.width() == 0 || values % req.rows() != 0 ||
        values / req.rows() != req.width())
      return error(request, makeError(Code::InvalidArgument, "ANALOG_STEP: ",
                                      values, " values are not ", req.rows(),
                                      " rows of width ", req.width()));
    solve.values = values;
    s = solve.state->enter(req.mutable_v()->mutable_data(),
                           int64_t(req.rows()), int64_t(req.width()));
    break;
  case pb::AnalogStep::INTEGRATE:
  case pb::AnalogStep::LEAVE:
    if (solve.values == 0 || values != solve.values)
      return error(request,
                   makeError(Code::InvalidArgument, "ANALOG_STEP: analog solve ",
                             req.handle(), " holds ", solve.values,
                             " values, got ", values,
                             solve.values ? "" : " (it was not entered)"));
    s = req.kind() == pb::AnalogStep::LEAVE
            ? solve.state->leave(req.mutable_v()->mutable_data())
            : solve.state->integrate(req.mutable_v()->mutable_data(),
                                     req.step());
    break;
  default:
    return error(request, makeError(Code::InvalidArgument,
                                    "ANALOG_STEP: unknown kind ",
                                    int(req.kind())));
  }
  if (!s.isOk())
    return error(request, s);
  pb::AnalogState out;
  out.set_handle(req.handle());
  *out.mutable_v() = std::move(*req.mutable_v());
  return reply(request, pb::ANALOG_STATE, out);
}

} // namespace cim::rt::board
