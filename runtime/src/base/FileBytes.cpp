//===- FileBytes.cpp - A file's bytes, mapped when possible -----*- C++ -*-===//

#include "base/FileBytes.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cim::rt {

StatusOr<std::unique_ptr<FileBytes>> FileBytes::open(const std::string &path,
                                                   size_t limit) {
  auto f = std::unique_ptr<FileBytes>(new FileBytes());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeError(errno == ENOENT ? Code::NotFound : Code::InvalidArgument,
                     path, ": cannot open: ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return makeError(Code::InvalidArgument, path, ": is a directory");
  }
  auto tooLarge = [&] {
    ::close(fd);
    return makeError(Code::InvalidArgument, path, ": larger than the ", limit,
                     " bytes such a file may have");
  };
  if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > limit)
    return tooLarge();
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void *p = ::mmap(nullptr, size_t(st.st_size), PROT_READ,
                     MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      ::close(fd);
      f->map_ = p;
      f->view_ = std::string_view(static_cast<const char *>(p),
                                  size_t(st.st_size));
      return f;
    }
  }
  // Not mappable: read until the end, in steps that double.
  size_t size = 0;
  f->copy_.resize(1 << 16);
  for (;;) {
    if (size == f->copy_.size())
      f->copy_.resize(2 * size);
    ssize_t n = ::read(fd, f->copy_.data() + size, f->copy_.size() - size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return makeError(Code::DataLoss, path, ": read error: ",
                       std::strerror(err));
    }
    if (n == 0)
      break;
    size += size_t(n);
    if (size > limit)
      return tooLarge();
  }
  ::close(fd);
  f->copy_.resize(size);
  f->view_ = f->copy_;
  return f;
}

FileBytes::~FileBytes() {
  if (map_)
    ::munmap(map_, view_.size());
}

} // namespace cim::rt
