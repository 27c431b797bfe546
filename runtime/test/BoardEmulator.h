//===- BoardEmulator.h - cim-board-emu as a test's child process -*- C++ -*-===//
//
// Starts cim-board-emu on a loopback port it picks (port 0) or a
// pseudo-terminal, reads where it listens from its first line, and stops it
// (SIGTERM, then waits) when the object goes. The child is also told to die
// with the test (PR_SET_PDEATHSIG), so a crashed test leaves no process
// behind.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_TEST_BOARDEMULATOR_H
#define CIMRT_TEST_BOARDEMULATOR_H

#include <csignal>
#include <cstdio>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cim::test {

class BoardEmulator {
public:
  /// Starts the emulator with `args` after --listen 127.0.0.1:0 (or
  /// --pty); address() is empty if it did not start.
  explicit BoardEmulator(std::vector<std::string> args, bool pty = false) {
    std::vector<std::string> where = {"--pty"};
    if (!pty)
      where = {"--listen", "127.0.0.1:0"};
    args.insert(args.begin(), where.begin(), where.end());
    args.insert(args.begin(), CIM_BOARD_EMU);
    int out[2];
    if (::pipe(out) != 0)
      return;
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(1);
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char *> argv;
      for (std::string &a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line += c;
    ::close(out[0]);
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) == 0)
      address_ = line.substr(prefix.size());
  }

  ~BoardEmulator() { stop(); }
  BoardEmulator(const BoardEmulator &) = delete;
  BoardEmulator &operator=(const BoardEmulator &) = delete;

  /// "127.0.0.1:NNNN" or "/dev/pts/N".
  const std::string &address() const { return address_; }

  /// The device URI of the emulator, with `query` (may be empty).
  std::string uri(const std::string &query = "") const {
    std::string u = address_.rfind("/", 0) == 0
                        ? "board+serial://" + address_
                        : "board://" + address_;
    return query.empty() ? u : u + "?" + query;
  }

  /// Stops the emulator; its exit status (-1 if it was not running).
  int stop() {
    if (pid_ <= 0)
      return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

private:
  pid_t pid_ = -1;
  std::string address_;
};

} // namespace cim::test

#endif // CIMRT_TEST_BOARDEMULATOR_H
