//===- Link.cpp - Byte links to a board -------------------------*- C++ -*-===//

#include "drivers/board/Link.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace cim::rt::board {
namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - Clock::now())
                  .count();
  return left < 0 ? 0 : int(left);
}

/// poll() on one descriptor, retried on EINTR; the revents, 0 on timeout.
int waitFor(int fd, short events, int timeoutMs) {
  Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, msLeft(deadline));
    if (n > 0)
      return p.revents;
    if (n == 0)
      return 0;
    if (errno != EINTR)
      return POLLERR;
  }
}

void setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

Link::Link(int fd, std::string name, bool socket)
    : fd_(fd), name_(std::move(name)), socket_(socket) {
  setNonBlocking(fd_);
}

Link::~Link() {
  if (fd_ >= 0)
    ::close(fd_);
}

StatusOr<std::unique_ptr<Link>> Link::connectTcp(const std::string &host,
                                                 const std::string &port,
                                                 int timeoutMs) {
  std::string name = host + ":" + port;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found))
    return makeError(Code::InvalidArgument, "cannot resolve ", name, ": ",
                     ::gai_strerror(rc));
  std::string lastError = "no address";
  for (addrinfo *a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
                      a->ai_protocol);
    if (fd < 0) {
      lastError = std::strerror(errno);
      continue;
    }
    setNonBlocking(fd);
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      int ev = waitFor(fd, POLLOUT, timeoutMs);
      int err = 0;
      socklen_t len = sizeof err;
      if (ev == 0)
        err = ETIMEDOUT;
      else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
      rc = err ? -1 : 0;
      errno = err;
    }
    if (rc != 0) {
      lastError = std::strerror(errno);
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(found);
    return std::make_unique<Link>(fd, name, /*socket=*/true);
  }
  ::freeaddrinfo(found);
  return makeError(Code::Unavailable, "cannot connect to ", name, ": ",
                   lastError);
}

StatusOr<std::unique_ptr<Link>> Link::openSerial(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return makeError(Code::Unavailable, "cannot open serial line ", path, ": ",
                     std::strerror(errno));
  termios t{};
  if (::tcgetattr(fd, &t) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return makeError(Code::InvalidArgument, path, " is not a serial line: ",
                     why);
  }
  ::cfmakeraw(&t);
  ::tcsetattr(fd, TCSANOW, &t);
  return std::make_unique<Link>(fd, path, /*socket=*/false);
}

Status Link::send(std::string_view bytes, int timeoutMs) {
  Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (!bytes.empty()) {
    ssize_t n = socket_ ? ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                        : ::write(fd_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int left = msLeft(deadline);
      int ev = left ? waitFor(fd_, POLLOUT, left) : 0;
      if (ev == 0)
        return makeError(Code::Unavailable, name_, ": sending timed out");
      if (ev & (POLLERR | POLLHUP | POLLNVAL))
        return makeError(Code::Unavailable, name_, ": the link is closed");
      continue;
    }
    return makeError(Code::Unavailable, name_, ": ",
                     n < 0 ? std::strerror(errno) : "the link is closed");
  }
  return Status::ok();
}

StatusOr<size_t> Link::receive(std::string &out, int timeoutMs) {
  int ev = waitFor(fd_, POLLIN, timeoutMs);
  if (ev == 0)
    return size_t(0);
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, size_t(n));
      return size_t(n);
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return size_t(0);
    return makeError(Code::Unavailable, name_, ": ",
                     n < 0 ? std::strerror(errno) : "the link is closed");
  }
}

Listener::~Listener() {
  if (fd_ >= 0)
    ::close(fd_);
}

StatusOr<std::unique_ptr<Listener>> Listener::listenTcp(const std::string &host,
                                                        uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return makeError(Code::InvalidArgument, "'", host,
                     "' is not a numeric IPv4 address");
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return makeError(Code::Unavailable, "socket: ", std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 4) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return makeError(Code::Unavailable, "cannot listen on ", host, ":", port,
                     ": ", why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
  return std::unique_ptr<Listener>(new Listener(fd, host, ntohs(addr.sin_port)));
}

StatusOr<std::unique_ptr<Link>> Listener::accept() {
  while (true) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return std::make_unique<Link>(fd, "host", /*socket=*/true);
    }
    if (errno != EINTR && errno != ECONNABORTED)
      return makeError(Code::Unavailable, "accept: ", std::strerror(errno));
  }
}

} // namespace cim::rt::board
