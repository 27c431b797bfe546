//===- Link.h - Byte links to a board ---------------------------*- C++ -*-===//
//
// The byte stream between a host and a board: a TCP connection or a
// serial line (a tty in raw mode, or a pseudo-terminal). Frames
// (Frame.h) travel over it; the link only moves bytes, with deadlines, so
// that nothing above it blocks for ever on a board that went silent.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_BOARD_LINK_H
#define CIMRT_SRC_DRIVERS_BOARD_LINK_H

#include "base/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cim::rt::board {

class Link {
public:
  /// A link over the open descriptor `fd` (owned), named `name` in errors.
  Link(int fd, std::string name, bool socket);
  ~Link();
  Link(const Link &) = delete;
  Link &operator=(const Link &) = delete;

  /// Connects to HOST:PORT over TCP within `timeoutMs`.
  static StatusOr<std::unique_ptr<Link>>
  connectTcp(const std::string &host, const std::string &port, int timeoutMs);

  /// Opens a serial line (a tty or pseudo-terminal) in raw mode.
  static StatusOr<std::unique_ptr<Link>> openSerial(const std::string &path);

  /// Writes all of `bytes` within `timeoutMs`; UNAVAILABLE if the peer
  /// closed the link or the time ran out.
  Status send(std::string_view bytes, int timeoutMs);

  /// Appends what arrives within `timeoutMs` (at most one read's worth) to
  /// `out`; 0 bytes when the time ran out. UNAVAILABLE once the peer has
  /// closed the link.
  StatusOr<size_t> receive(std::string &out, int timeoutMs);

  int fd() const { return fd_; }
  const std::string &name() const { return name_; }

private:
  int fd_;
  std::string name_;
  bool socket_;
};

/// A TCP listener on a numeric IPv4 address (port 0: the system picks one).
class Listener {
public:
  ~Listener();
  Listener(const Listener &) = delete;
  Listener &operator=(const Listener &) = delete;

  static StatusOr<std::unique_ptr<Listener>> listenTcp(const std::string &host,
                                                       uint16_t port);
  /// The next connection (blocks until one arrives).
  StatusOr<std::unique_ptr<Link>> accept();

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  const std::string &host() const { return host_; }

private:
  Listener(int fd, std::string host, uint16_t port)
      : fd_(fd), host_(std::move(host)), port_(port) {}
  int fd_;
  std::string host_;
  uint16_t port_;
};

} // namespace cim::rt::board

#endif // CIMRT_SRC_DRIVERS_BOARD_LINK_H
