//===- CompilerModule.cpp - The compiler driver in Python ------------------===//
//
// The part of the extension module cim._cim behind cim.compile (python/cim/__init__.py): runs
// cim-compile's driver (tools/cim-compile/Driver.h) in this process with
// the arguments the Python side built, and returns its exit code with what
// it printed. The driver writes to the process's stdout and stderr; both
// are captured around the call (into temporary files), so a Python caller
// gets the messages as strings and its own streams stay clean.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"
#include "Driver.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace py = pybind11;

namespace {

/// Redirects file descriptor `fd` into a temporary file until text() is
/// called.
class Capture {
public:
  explicit Capture(int fd) : fd_(fd), file_(std::tmpfile()) {
    std::fflush(nullptr);
    saved_ = ::dup(fd_);
    if (file_ && saved_ >= 0)
      ::dup2(::fileno(file_), fd_);
  }
  std::string text() {
    std::fflush(nullptr);
    if (saved_ >= 0) {
      ::dup2(saved_, fd_);
      ::close(saved_);
      saved_ = -1;
    }
    std::string out;
    if (!file_)
      return out;
    std::rewind(file_);
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file_)) > 0)
      out.append(buffer, n);
    std::fclose(file_);
    file_ = nullptr;
    return out;
  }
  ~Capture() { (void)text(); }

private:
  int fd_;
  std::FILE *file_;
  int saved_ = -1;
};

/// Runs the driver on `args` (without the program name); (exit code,
/// stdout, stderr). One compile at a time: the driver's flags are global.
py::tuple compile(const std::vector<std::string> &args) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<const char *> argv = {"cim-compile"};
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  int rc;
  std::string out, err;
  {
    py::gil_scoped_release unlocked;
    Capture capturedOut(1), capturedErr(2);
    rc = cim::compileMain(int(argv.size()), argv.data());
    llvm::outs().flush();
    llvm::errs().flush();
    out = capturedOut.text();
    err = capturedErr.text();
  }
  return py::make_tuple(rc, py::bytes(out), err);
}

} // namespace

void bindCompiler(py::module_ &m) {
  m.def("compile", &compile, py::arg("args"),
        "Runs cim-compile with `args`; returns (exit code, stdout bytes, "
        "stderr text).");
}
