//===- BoardDriver.cpp - board:// and board+serial:// -----------*- C++ -*-===//
//
// The host's side of the board protocol (docs/Board.md) as a HAL driver:
// a device whose tiles live on a board reached over TCP
// (board://HOST:PORT) or a serial line (board+serial:///dev/ttyX).
//
// Every call is one request and its reply. A request that gets no valid
// reply within its timeout is sent again with the same sequence number
// (the board answers a repeat from its record, never running it twice),
// waiting twice as long each time up to 16 times the first timeout; a
// link that fails is re-opened and the session resumed. When the retries
// run out the call fails with UNAVAILABLE naming the request: a result is
// either the board's answer to that request or an error, never a guess.
//
//===----------------------------------------------------------------------===//

#include "artifact/HalImage.h"
#include "board.pb.h"
#include "cimrt/cimrt.h"
#include "base/ProtobufLog.h"
#include "drivers/board/Frame.h"
#include "drivers/board/Link.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace cim::rt::board {
namespace {

namespace pb = cim::board;
using Clock = std::chrono::steady_clock;

/// The largest payload the driver puts in one MVM frame; a larger batch
/// goes in several MVMs.
constexpr size_t kMvmChunkBytes = 32u << 20;

struct Options {
  int timeoutMs = 250; // the first wait for a reply
  int retries = 8;     // sendings after the first
};

const char *typeName(uint16_t type) {
  const std::string &name = pb::MessageType_Name(pb::MessageType(type));
  return name.empty() ? "message" : name.c_str();
}

Code codeNamed(const std::string &name) {
  for (int c = CIMRT_INVALID_ARGUMENT; c <= CIMRT_UNAVAILABLE; ++c)
    if (name == cimrt_status_code_string(cimrt_status_code_t(c)))
      return Code(c);
  return Code::Internal;
}

/// The link to one board and the session on it: requests, their replies,
/// retries and reconnection. Thread-safe (one request at a time).
class Connection {
public:
  Connection(std::string uri, std::string address, bool serial,
             Options options)
      : uri_(std::move(uri)), address_(std::move(address)), serial_(serial),
        options_(options) {
    std::random_device rd;
    session_ = (uint64_t(rd()) << 32 ^ rd()) ^
               uint64_t(Clock::now().time_since_epoch().count()) ^
               uint64_t(::getpid()) << 17;
    if (session_ == 0)
      session_ = 1;
  }

  const std::string &uri() const { return uri_; }

  /// Opens the link and starts a fresh session on the board, retrying as
  /// requests do.
  Status open() {
    std::lock_guard<std::mutex> lock(mutex_);
    Status last = Status::ok();
    bool connected = false;
    const uint32_t sequence = nextSequence_++;
    for (int attempt = 0; attempt <= options_.retries; ++attempt) {
      const int timeout = beginAttempt(attempt);
      if (!link_open_) {
        last = connect();
        if (!last.isOk()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
          continue;
        }
        connected = true;
      }
      pb::Identity id;
      last = identify(/*resume=*/false, id, timeout, sequence);
      if (last.isOk() || last.code() != Code::Unavailable)
        return last;
    }
    if (!connected)
      return makeError(Code::Unavailable, uri_, ": ", last.message(), " (",
                       options_.retries + 1, " attempts)");
    return makeError(Code::Unavailable, uri_, ": the board did not answer "
                     "IDENTIFY in ", sendings(), "; last: ", last.message());
  }

  /// Sends `request` as `type` and parses its reply (of type `replyType`)
  /// into `reply`.
  Status request(pb::MessageType type,
                 const google::protobuf::MessageLite &request,
                 pb::MessageType replyType,
                 google::protobuf::MessageLite &reply) {
    std::lock_guard<std::mutex> lock(mutex_);
    Frame f = messageFrame(uint16_t(type), nextSequence_++, request);
    std::string bytes = encodeFrame(f);
    std::string lastProblem;
    for (int attempt = 0; attempt <= options_.retries; ++attempt) {
      const int timeout = beginAttempt(attempt);
      if (!link_open_) {
        Status s = reconnect(timeout);
        if (s.code() == Code::FailedPrecondition)
          return s; // the session is gone: retrying cannot help
        if (!s.isOk()) {
          lastProblem = s.message();
          std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
          continue;
        }
      }
      StatusOr<Frame> answer = exchange(f.sequence, bytes, timeout);
      if (!answer.isOk()) {
        lastProblem = answer.status().message();
        continue;
      }
      ++link_.requests;
      return unpack(type, *answer, replyType, reply);
    }
    return makeError(Code::Unavailable, uri_, ": no reply to ", typeName(type),
                     " (sequence ", f.sequence, ") after ", sendings(),
                     "; last: ", lastProblem);
  }

  LinkStats linkStats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    LinkStats s = link_;
    s.framesRejected = decoder_.rejected();
    return s;
  }

private:
  /// The wait for a reply at attempt `attempt` (0: the first sending): the
  /// timeout, doubled at every retry up to 16 times it. Counts the retry.
  int beginAttempt(int attempt) {
    if (attempt > 0)
      ++link_.retries;
    return options_.timeoutMs << std::min(attempt, 4);
  }

  /// "N sendings (T ms timeout, doubling)", for errors.
  std::string sendings() const {
    return strCat(options_.retries + 1, " sendings (", options_.timeoutMs,
                  " ms timeout, doubling)");
  }

  Status connect() {
    decoder_.clear();
    StatusOr<std::unique_ptr<Link>> l =
        serial_ ? Link::openSerial(address_)
                : [&]() -> StatusOr<std::unique_ptr<Link>> {
          size_t colon = address_.rfind(':');
          return Link::connectTcp(address_.substr(0, colon),
                                  address_.substr(colon + 1),
                                  std::max(options_.timeoutMs, 1000));
        }();
    if (!l.isOk())
      return l.status();
    wire_ = std::move(*l);
    link_open_ = true;
    return Status::ok();
  }

  /// Re-opens a link that failed and resumes the session on it; until the
  /// board confirms the session, the link counts as not open.
  Status reconnect(int timeoutMs) {
    ++link_.reconnects;
    CIM_TRY(connect());
    pb::Identity id;
    Status s = identify(/*resume=*/true, id, timeoutMs);
    if (!s.isOk())
      link_open_ = false;
    return s;
  }

  /// IDENTIFY (one sending: the caller retries), checking the protocol.
  /// `sequence` 0 takes the next number; a caller re-sending passes the
  /// number of its first sending, so that a late reply still counts.
  Status identify(bool resume, pb::Identity &id, int timeoutMs,
                  uint32_t sequence = 0) {
    pb::Identify req;
    req.set_session(session_);
    req.set_resume(resume);
    Frame f =
        messageFrame(pb::IDENTIFY, sequence ? sequence : nextSequence_++, req);
    StatusOr<Frame> answer = exchange(f.sequence, encodeFrame(f), timeoutMs);
    if (!answer.isOk())
      return answer.status();
    CIM_TRY(unpack(pb::IDENTIFY, *answer, pb::IDENTITY, id));
    if (id.protocol_version() != kBoardProtocolVersion)
      return makeError(Code::Unimplemented, uri_, ": the board speaks protocol "
                       "version ", id.protocol_version(), ", this runtime ",
                       kBoardProtocolVersion);
    board_ = id.board();
    return Status::ok();
  }

  /// One sending of `bytes` and the wait for the reply with `sequence`.
  StatusOr<Frame> exchange(uint32_t sequence, const std::string &bytes,
                           int timeoutMs) {
    Status sent = wire_->send(bytes, timeoutMs);
    if (!sent.isOk()) {
      link_open_ = false;
      return sent;
    }
    ++link_.framesSent;
    link_.bytesSent += bytes.size();
    Clock::time_point deadline =
        Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
      while (std::optional<Frame> f = decoder_.next()) {
        ++link_.framesReceived;
        link_.bytesReceived += kFrameHeader + f->payload.size() + kFrameTrailer;
        if (f->sequence == sequence)
          return std::move(*f);
        ++link_.staleReplies; // a late reply to an earlier sending
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - Clock::now())
                      .count();
      if (left <= 0)
        break;
      std::string in;
      StatusOr<size_t> got = wire_->receive(in, int(left));
      if (!got.isOk()) {
        link_open_ = false;
        return got.status();
      }
      decoder_.push(in);
    }
    ++link_.timeouts;
    // A frame whose length was corrupted holds the decoder; start afresh.
    decoder_.clear();
    return makeError(Code::Unavailable, "timed out after ", timeoutMs, " ms");
  }

  Status unpack(pb::MessageType type, const Frame &answer,
                pb::MessageType replyType,
                google::protobuf::MessageLite &reply) const {
    ProtobufLogCapture log; // a reply that does not parse is an error here
    if (answer.type == pb::ERROR) {
      pb::Error e;
      if (!e.ParseFromString(answer.payload))
        return makeError(Code::DataLoss, uri_, ": ", typeName(type),
                         ": the board's ERROR reply does not parse");
      return makeError(codeNamed(e.code()), uri_, ": ", typeName(type), ": ",
                       e.message());
    }
    if (answer.type != replyType)
      return makeError(Code::DataLoss, uri_, ": ", typeName(type),
                       ": the board replied ", typeName(answer.type),
                       ", expected ", typeName(replyType));
    if (!reply.ParseFromString(answer.payload))
      return makeError(Code::DataLoss, uri_, ": ", typeName(type), ": the "
                       "board's ", typeName(replyType), " does not parse");
    return Status::ok();
  }

  std::string uri_, address_;
  bool serial_;
  Options options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Link> wire_;
  bool link_open_ = false;
  FrameDecoder decoder_;
  uint64_t session_ = 0;
  uint32_t nextSequence_ = 1;
  std::string board_;
  LinkStats link_;
};

/// One ODE solve's analog domain on the board.
class BoardAnalogState final : public hal::AnalogState {
public:
  BoardAnalogState(std::shared_ptr<Connection> c, uint32_t handle)
      : c_(std::move(c)), handle_(handle) {}
  ~BoardAnalogState() override {
    pb::AnalogClose req;
    req.set_handle(handle_);
    pb::Done done;
    (void)c_->request(pb::ANALOG_CLOSE, req, pb::DONE, done);
  }

  Status enter(float *v, int64_t rows, int64_t width) override {
    size_ = size_t(rows * width);
    return step(pb::AnalogStep::ENTER, v, rows, width, 0);
  }
  Status integrate(float *v, int64_t step) override {
    return this->step(pb::AnalogStep::INTEGRATE, v, 0, 0, step);
  }
  Status leave(float *v) override {
    return step(pb::AnalogStep::LEAVE, v, 0, 0, 0);
  }

private:
  Status step(pb::AnalogStep::Kind kind, float *v, int64_t rows, int64_t width,
              int64_t step) {
    pb::AnalogStep req;
    req.set_handle(handle_);
    req.set_kind(kind);
    req.set_rows(uint64_t(rows));
    req.set_width(uint64_t(width));
    req.set_step(step);
    req.mutable_v()->Add(v, v + size_);
    pb::AnalogState out;
    CIM_TRY(c_->request(pb::ANALOG_STEP, req, pb::ANALOG_STATE, out));
    if (size_t(out.v_size()) != size_)
      return makeError(Code::DataLoss, c_->uri(), ": ANALOG_STEP: the board "
                       "returned ", out.v_size(), " values, expected ", size_);
    std::copy(out.v().begin(), out.v().end(), v);
    return Status::ok();
  }

  std::shared_ptr<Connection> c_;
  uint32_t handle_;
  size_t size_ = 0;
};

class BoardDevice final : public Device {
public:
  explicit BoardDevice(std::shared_ptr<Connection> c) : c_(std::move(c)) {}

  const std::string &uri() const override { return c_->uri(); }

  StatusOr<TileHandle> programTile(const hal::TileImage &tile,
                                   const hal::MacroConfig &target) override {
    const uint32_t handle = nextHandle_++;
    pb::ProgramTile req;
    req.set_handle(handle);
    *req.mutable_tile() = toArtifactTile(tile, target);
    *req.mutable_target() = toArtifactTarget(target);
    req.set_spare_rows(tile.spareRows);
    req.set_spare_cols(tile.spareCols);
    pb::TileProgrammed out;
    CIM_TRY(c_->request(pb::PROGRAM_TILE, req, pb::TILE_PROGRAMMED, out));
    std::lock_guard<std::mutex> lock(mutex_);
    tiles_[handle] = {int64_t(tile.rows), int64_t(tile.cols)};
    TileReport r;
    r.tileId = tile.id;
    r.cells = out.cells();
    r.writes = out.writes();
    r.verifyFailures = out.verify_failures();
    r.stuckOn = out.stuck_on();
    r.stuckOff = out.stuck_off();
    r.rowRemaps = out.row_remaps();
    r.colRemaps = out.col_remaps();
    reports_.push_back(r);
    return TileHandle(handle);
  }

  void releaseTile(TileHandle handle) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!tiles_.erase(handle))
        return;
    }
    pb::ReleaseTile req;
    req.set_handle(uint32_t(handle));
    pb::Done done;
    (void)c_->request(pb::RELEASE_TILE, req, pb::DONE, done);
  }

  Status mvm(TileHandle handle, const float *x, int64_t batch,
             float *y) override {
    return mvmShared(handle, x, nullptr, batch, y);
  }

  Status mvmShared(TileHandle handle, const float *x, const float *carry,
                   int64_t batch, float *y) override {
    if (batch < 0)
      return makeError(Code::InvalidArgument, uri(), ": negative batch ",
                       batch);
    Shape shape;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tiles_.find(handle);
      if (it == tiles_.end())
        return makeError(Code::FailedPrecondition, uri(), ": tile handle ",
                         handle, " is not programmed");
      shape = it->second;
    }
    // Batches larger than a frame holds go in several MVMs.
    size_t rowBytes = size_t(shape.rows + (carry ? shape.cols : 0) +
                             shape.cols) * sizeof(float);
    int64_t chunk = std::max<int64_t>(1, int64_t(kMvmChunkBytes / rowBytes));
    int64_t done = 0;
    do {
      int64_t n = std::min(chunk, batch - done);
      pb::Mvm req;
      req.set_handle(uint32_t(handle));
      req.set_batch(uint32_t(n));
      if (n > 0) {
        req.mutable_x()->Add(x + done * shape.rows, x + (done + n) * shape.rows);
        if (carry)
          req.mutable_carry()->Add(carry + done * shape.cols,
                                   carry + (done + n) * shape.cols);
      }
      pb::MvmResult out;
      CIM_TRY(c_->request(pb::MVM, req, pb::MVM_RESULT, out));
      if (int64_t(out.y_size()) != n * shape.cols)
        return makeError(Code::DataLoss, uri(), ": MVM: the board returned ",
                         out.y_size(), " values, expected ", n * shape.cols);
      std::copy(out.y().begin(), out.y().end(), y + done * shape.cols);
      done += n;
    } while (done < batch);
    return Status::ok();
  }

  DeviceStats stats() const override {
    DeviceStats s;
    pb::Counters c;
    Status read =
        c_->request(pb::READ_COUNTERS, pb::ReadCounters(), pb::COUNTERS, c);
    std::lock_guard<std::mutex> lock(mutex_);
    if (read.isOk())
      lastCounters_ = c;
    const pb::Counters &k = lastCounters_; // the last the board gave
    s.mvmCount = k.mvm_count();
    s.mvmCalls = k.mvm_calls();
    s.macs = k.macs();
    s.dacConversions = k.dac_conversions();
    s.adcConversions = k.adc_conversions();
    s.digitalOps = k.digital_ops();
    s.comparisons = k.comparisons();
    s.chargeShares = k.charge_shares();
    s.programWrites = k.program_writes();
    s.calibrationMvms = k.calibration_mvms();
    s.calibrationNs = k.calibration_ns();
    s.energyPj.insert(k.energy_pj().begin(), k.energy_pj().end());
    s.latencyNs = k.latency_ns();
    s.tilesProgrammed = tiles_.size();
    s.tiles = reports_;
    LinkStats link = c_->linkStats();
    link.boardFramesRejected = k.frames_rejected();
    link.boardDuplicatesAnswered = k.duplicates_answered();
    s.link = link;
    return s;
  }

  StatusOr<TileConductances>
  readConductances(TileHandle handle) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!tiles_.count(handle))
        return makeError(Code::FailedPrecondition, uri(), ": tile handle ",
                         handle, " is not programmed");
    }
    pb::ReadConductances req;
    req.set_handle(uint32_t(handle));
    pb::Conductances out;
    CIM_TRY(c_->request(pb::READ_CONDUCTANCES, req, pb::CONDUCTANCES, out));
    const uint64_t n = uint64_t(out.rows()) * out.cols();
    if (n == 0 || uint64_t(out.g_pos_size()) != n * out.slices() ||
        (out.g_neg_size() != 0 && out.g_neg_size() != out.g_pos_size()))
      return makeError(Code::DataLoss, uri(), ": READ_CONDUCTANCES: the "
                       "board's reply holds ", out.g_pos_size(), " and ",
                       out.g_neg_size(), " values for ", out.slices(),
                       " slices of ", out.rows(), " x ", out.cols());
    TileConductances read;
    read.rows = out.rows();
    read.cols = out.cols();
    read.gMinUs = out.g_min_us();
    read.gMaxUs = out.g_max_us();
    for (uint32_t s = 0; s < out.slices(); ++s) {
      auto from = [&](const auto &values) {
        return std::vector<float>(values.begin() + int64_t(s * n),
                                  values.begin() + int64_t((s + 1) * n));
      };
      read.gPos.push_back(from(out.g_pos()));
      if (out.g_neg_size())
        read.gNeg.push_back(from(out.g_neg()));
    }
    return read;
  }

  StatusOr<std::unique_ptr<hal::AnalogState>>
  openAnalogState(const hal::MacroConfig &target) override {
    const uint32_t handle = nextSolve_++;
    pb::AnalogOpen req;
    req.set_handle(handle);
    *req.mutable_target() = toArtifactTarget(target);
    pb::Done done;
    CIM_TRY(c_->request(pb::ANALOG_OPEN, req, pb::DONE, done));
    return std::unique_ptr<hal::AnalogState>(
        std::make_unique<BoardAnalogState>(c_, handle));
  }

private:
  struct Shape {
    int64_t rows = 0, cols = 0;
  };
  std::shared_ptr<Connection> c_;
  mutable std::mutex mutex_;
  std::map<TileHandle, Shape> tiles_;
  std::vector<TileReport> reports_;
  std::atomic<uint32_t> nextHandle_{1}, nextSolve_{1};
  mutable pb::Counters lastCounters_;
};

Status parseOptions(const std::string &uri, std::string_view query,
                    Options &options) {
  for (const auto &option : uriOptions(query)) {
    // Named, not bound: lambdas below capture them.
    const std::string &key = option.first, &value = option.second;
    if (key == "noise" || key == "seed" || key == "drift_time" ||
        key == "threads" || key == "calibrate")
      return makeError(Code::InvalidArgument, "device URI '", uri, "': ", key,
                       " is the board's own, not the host's (for the "
                       "emulator: cim-board-emu --noise ... --seed ...)");
    long v = -1;
    std::istringstream in(value);
    in >> v;
    bool number = !value.empty() && in.eof() && !in.fail();
    if (key == "timeout_ms") {
      if (!number || v < 1 || v > 600000)
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': timeout_ms must be 1 to 600000, got '", value,
                         "'");
      options.timeoutMs = int(v);
    } else if (key == "retries") {
      if (!number || v < 0 || v > 100)
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': retries must be 0 to 100, got '", value, "'");
      options.retries = int(v);
    } else {
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown option '", key,
                       "' (known: timeout_ms, retries)");
    }
  }
  return Status::ok();
}

class BoardDriver final : public Driver {
public:
  explicit BoardDriver(bool serial) : serial_(serial) {}

  std::string_view scheme() const override {
    return serial_ ? "board+serial" : "board";
  }

  StatusOr<std::shared_ptr<Device>> open(const std::string &uri,
                                         std::string_view path) override {
    size_t q = path.find('?');
    std::string address(path.substr(0, q));
    Options options;
    if (q != std::string_view::npos)
      CIM_TRY(parseOptions(uri, path.substr(q + 1), options));
    if (serial_) {
      if (address.empty() || address[0] != '/')
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "' is not board+serial:///PATH (e.g. "
                         "board+serial:///dev/ttyUSB0)");
    } else {
      size_t colon = address.rfind(':');
      if (colon == std::string::npos || colon == 0 ||
          colon + 1 == address.size() ||
          address.find_first_not_of("0123456789", colon + 1) !=
              std::string::npos)
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "' is not board://HOST:PORT (e.g. "
                         "board://127.0.0.1:7070)");
    }
    std::string canonical = std::string(scheme()) + "://" + address;
    auto c = std::make_shared<Connection>(canonical, address, serial_, options);
    CIM_TRY(c->open());
    return std::shared_ptr<Device>(std::make_shared<BoardDevice>(c));
  }

private:
  bool serial_;
};

} // namespace
} // namespace cim::rt::board

namespace cim::rt {

std::unique_ptr<Driver> createBoardDriver(bool serial) {
  return std::make_unique<board::BoardDriver>(serial);
}

} // namespace cim::rt
