//===- cim-board-emu.cpp - A board that speaks the board protocol ---------===//
//
// Emulates a CIM board behind a host link: listens on a TCP port (or a
// pseudo-terminal), speaks the board protocol (docs/Board.md) and computes
// with the simulator. It injects link faults on request (frames dropped or
// corrupted in either direction, replies delayed, one forced disconnect),
// so that the host's retries and reconnection can be tested against it;
// stuck cells and verify failures come from the noise model as on sim://.
//
//===----------------------------------------------------------------------===//

#include "drivers/board/BoardServer.h"
#include "drivers/board/Link.h"
#include "tooling/Exit.h"
#include "tooling/Flags.h"

#include <google/protobuf/stubs/logging.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <sstream>
#include <termios.h>
#include <thread>
#include <unistd.h>

using namespace cim::tooling;
using namespace cim::rt;
using namespace cim::rt::board;

namespace {

const char *kUsage =
    "usage: cim-board-emu (--listen HOST:PORT | --pty) [options]\n"
    "\n"
    "Emulates a CIM board: speaks the board protocol (docs/Board.md) on a\n"
    "TCP port or a pseudo-terminal and computes with the simulator. Its\n"
    "first line of output is where it listens (\"listening on\n"
    "127.0.0.1:NNNN\" or \"listening on /dev/pts/N\"); hosts reach it as\n"
    "board://127.0.0.1:NNNN or board+serial:///dev/pts/N. It serves until\n"
    "SIGTERM or SIGINT, then prints its counters to stderr.\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT     a numeric IPv4 address and port (port 0: the\n"
    "                         system picks a free one)\n"
    "  --pty                  a pseudo-terminal instead of TCP\n"
    "  --device URI           the simulator the board computes with\n"
    "                         (default sim://ideal)\n"
    "  --noise PRESET|FILE    device non-idealities, as cim-run's (implies\n"
    "                         sim://quantized)\n"
    "  --seed N               random seed of the non-idealities (default 0)\n"
    "  --threads N            simulator threads (default: all cores)\n"
    "  --faults SPEC          link faults, comma-separated: drop=P and\n"
    "                         corrupt=P (probability per frame, each\n"
    "                         direction), delay=MS (before every reply),\n"
    "                         disconnect-after=N (close the link once, after\n"
    "                         the Nth request, before its reply)\n"
    "  --fault-seed N         random seed of the faults (default 1)\n"
    "  --name NAME            the board's name in IDENTITY\n"
    "  --help                 show this help\n";

volatile std::sig_atomic_t stopRequested = 0;
void onSignal(int) { stopRequested = 1; }

struct Faults {
  double drop = 0, corrupt = 0;
  int delayMs = 0;
  long disconnectAfter = -1;
};

Faults parseFaults(const std::string &spec) {
  Faults f;
  std::stringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == std::string::npos || value.empty())
      usageError("cim-board-emu", "--faults: '" + item + "' is not KEY=VALUE");
    double v = nonNegative("cim-board-emu", "--faults " + key, value);
    if (key == "drop" || key == "corrupt") {
      if (v > 1)
        usageError("cim-board-emu",
                   "--faults: " + key + " is a probability, got " + value);
      (key == "drop" ? f.drop : f.corrupt) = v;
    } else if (key == "delay") {
      f.delayMs = int(v);
    } else if (key == "disconnect-after") {
      if (v < 1 || v != double(long(v)))
        usageError("cim-board-emu",
                   "--faults: disconnect-after must be a whole number of "
                   "requests, at least 1, got " + value);
      f.disconnectAfter = long(v);
    } else {
      usageError("cim-board-emu",
                 "--faults: unknown fault '" + key +
                     "' (known: drop, corrupt, delay, disconnect-after)");
    }
  }
  return f;
}

struct Counts {
  uint64_t requests = 0, droppedIn = 0, droppedOut = 0, corruptedIn = 0,
           corruptedOut = 0, disconnects = 0, connections = 0,
           partialDiscarded = 0;
};

/// Serves the board on one link at a time. Frames arrive through `wire`
/// (clean frames, split from the byte stream), pass the faults, and reach
/// the board's own decoder as bytes.
class Emulator {
public:
  Emulator(BoardServer &server, Faults faults, uint64_t faultSeed)
      : server_(server), faults_(faults), rng_(faultSeed) {}

  /// Handles the bytes that arrived; false to close the link.
  bool receive(Link &link, std::string_view bytes) {
    if (faults_.drop == 0 && faults_.corrupt == 0)
      board_.push(bytes); // a clean link: no frames to pick out first
    else
      wire_.push(bytes);
    while (std::optional<Frame> f = wire_.next()) {
      std::string encoded = encodeFrame(*f);
      if (chance(faults_.drop)) {
        ++counts_.droppedIn;
        continue;
      }
      if (chance(faults_.corrupt)) {
        ++counts_.corruptedIn;
        flipBit(encoded);
      }
      board_.push(encoded);
    }
    while (std::optional<Frame> request = board_.next()) {
      ++counts_.requests;
      server_.setFramesRejected(board_.rejected() + wire_.rejected());
      Frame reply = server_.handle(*request);
      if (faults_.disconnectAfter > 0 &&
          long(counts_.requests) == faults_.disconnectAfter) {
        ++counts_.disconnects;
        return false; // the reply is lost with the link
      }
      if (faults_.delayMs)
        std::this_thread::sleep_for(std::chrono::milliseconds(faults_.delayMs));
      if (chance(faults_.drop)) {
        ++counts_.droppedOut;
        continue;
      }
      std::string bytes = encodeFrame(reply);
      if (chance(faults_.corrupt)) {
        ++counts_.corruptedOut;
        flipBit(bytes);
      }
      if (!link.send(bytes, 10000).isOk())
        return false;
    }
    return true;
  }

  /// The link was quiet: a partial frame will not be completed (its
  /// length was corrupted); the host re-sends.
  void idle() {
    if (board_.buffered()) {
      ++counts_.partialDiscarded;
      board_.clear();
    }
  }

  void newLink() {
    ++counts_.connections;
    wire_.clear();
    board_.clear();
  }

  const Counts &counts() const { return counts_; }
  uint64_t rejected() const { return board_.rejected() + wire_.rejected(); }

private:
  bool chance(double p) {
    return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  void flipBit(std::string &bytes) {
    size_t at = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng_);
    bytes[at] = char(bytes[at] ^ (1 << (rng_() % 8)));
  }

  BoardServer &server_;
  Faults faults_;
  std::mt19937_64 rng_;
  FrameDecoder wire_, board_;
  Counts counts_;
};

/// How long a partial frame may wait for its next byte.
constexpr int kIdleMs = 100;

int runMain(int argc, char **argv) {
  std::string listen, device = "sim://ideal", faultSpec, name = "cim-board-emu";
  std::vector<std::string> noise, seed, threads, faultSeed;
  bool pty = false;
  CLI::App app("cim-board-emu");
  app.add_option("--listen", listen);
  app.add_flag("--pty", pty);
  CLI::Option *deviceOpt = app.add_option("--device", device);
  app.add_option("--noise", noise)->allow_extra_args(false);
  app.add_option("--seed", seed)->allow_extra_args(false);
  app.add_option("--threads", threads)->allow_extra_args(false);
  app.add_option("--faults", faultSpec);
  app.add_option("--fault-seed", faultSeed)->allow_extra_args(false);
  app.add_option("--name", name);
  std::vector<std::string> extra =
      parseFlags(app, argc, argv, "cim-board-emu", kUsage);
  if (!extra.empty())
    usageError("cim-board-emu", "unexpected argument '" + extra[0] + "'");
  if (listen.empty() == !pty)
    usageError("cim-board-emu", "give exactly one of --listen HOST:PORT and "
                                "--pty");
  std::vector<std::string> query;
  if (!noise.empty()) {
    if (!deviceOpt->count())
      device = "sim://quantized";
    query.push_back("noise=" + noise.back());
  }
  if (!seed.empty())
    query.push_back(
        "seed=" + std::to_string(uint64_t(
                      nonNegative("cim-board-emu", "--seed", seed.back()))));
  if (!threads.empty())
    query.push_back("threads=" + threads.back());
  for (const std::string &q : query)
    device += (device.find('?') == std::string::npos ? "?" : "&") + q;
  Faults faults = parseFaults(faultSpec);
  uint64_t fseed =
      faultSeed.empty()
          ? 1
          : uint64_t(nonNegative("cim-board-emu", "--fault-seed",
                                 faultSeed.back()));
  if (device.rfind("sim://", 0) != 0)
    usageError("cim-board-emu", "--device must be a sim:// URI, got '" +
                                    device + "'");
  // The server opens its first device now, so that a bad URI or noise file
  // fails at start.
  BoardServer server(
      [device] { return DriverRegistry::global().open(device); }, name);
  if (!server.deviceStatus().isOk())
    fail(server.deviceStatus().message());
  Emulator emu(server, faults, fseed);

  // A payload that does not parse gets an ERROR reply saying so; protobuf's
  // own log lines about it (invalid UTF-8) would only repeat it.
  google::protobuf::SetLogHandler(nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = onSignal; // no SA_RESTART: poll returns on a signal
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  std::unique_ptr<Listener> listener;
  std::unique_ptr<Link> link;
  int slave = -1;
  if (pty) {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
      fail(std::string("cannot open a pseudo-terminal: ") +
           std::strerror(errno));
    std::string path = ::ptsname(master);
    // Holding the other end open keeps the master readable while no host
    // has it open.
    slave = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    termios t{};
    ::tcgetattr(slave, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(slave, TCSANOW, &t);
    link = std::make_unique<Link>(master, path, /*socket=*/false);
    emu.newLink();
    std::printf("listening on %s\n", path.c_str());
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos)
      usageError("cim-board-emu", "--listen '" + listen + "' is not HOST:PORT");
    double port = nonNegative("cim-board-emu", "--listen port",
                              listen.substr(colon + 1));
    if (port > 65535 || port != double(int(port)))
      usageError("cim-board-emu", "--listen: port " + listen.substr(colon + 1) +
                                      " is not 0 to 65535");
    StatusOr<std::unique_ptr<Listener>> l =
        Listener::listenTcp(listen.substr(0, colon), uint16_t(port));
    if (!l.isOk())
      fail("--listen " + listen + ": " + l.status().message());
    listener = std::move(*l);
    std::printf("listening on %s:%u\n", listener->host().c_str(),
                unsigned(listener->port()));
  }
  std::fflush(stdout);

  while (!stopRequested) {
    pollfd fds[2];
    int n = 0;
    if (listener)
      fds[n++] = {listener->fd(), POLLIN, 0};
    int linkAt = -1;
    if (link) {
      linkAt = n;
      fds[n++] = {link->fd(), POLLIN, 0};
    }
    int ready = ::poll(fds, nfds_t(n), kIdleMs);
    if (ready < 0) {
      if (errno == EINTR)
        continue;
      fail(std::string("poll: ") + std::strerror(errno));
    }
    if (ready == 0) {
      emu.idle();
      continue;
    }
    if (listener && (fds[0].revents & POLLIN)) {
      // A board has one host link: a new connection replaces the old.
      StatusOr<std::unique_ptr<Link>> accepted = listener->accept();
      if (accepted.isOk()) {
        link = std::move(*accepted);
        emu.newLink();
        continue;
      }
    }
    if (linkAt >= 0 && fds[linkAt].revents) {
      std::string in;
      StatusOr<size_t> got = link->receive(in, 0);
      bool keep = got.isOk();
      if (keep && !in.empty())
        keep = emu.receive(*link, in);
      if (!keep) {
        if (pty) {
          // A pseudo-terminal cannot be closed and re-opened under the
          // same name: drop what is buffered and pause instead.
          std::this_thread::sleep_for(std::chrono::milliseconds(kIdleMs));
          emu.newLink();
          continue;
        }
        link.reset();
      }
    }
  }
  const Counts &c = emu.counts();
  std::fprintf(stderr,
               "cim-board-emu: %llu requests, %llu connections, %llu frames "
               "rejected, %llu re-sent requests answered from the record; "
               "faults: %llu dropped in, %llu dropped out, %llu corrupted "
               "in, %llu corrupted out, %llu disconnects\n",
               (unsigned long long)c.requests,
               (unsigned long long)c.connections,
               (unsigned long long)emu.rejected(),
               (unsigned long long)server.duplicatesAnswered(),
               (unsigned long long)c.droppedIn,
               (unsigned long long)c.droppedOut,
               (unsigned long long)c.corruptedIn,
               (unsigned long long)c.corruptedOut,
               (unsigned long long)c.disconnects);
  if (slave >= 0)
    ::close(slave);
  return 0;
}

} // namespace

int main(int argc, char **argv) { return runTool(runMain, argc, argv); }
