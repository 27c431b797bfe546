//===- FileBytes.h - A file's bytes, mapped when possible -------*- C++ -*-===//
//
// Artifacts and tensor files of megabytes are read without a copy: a regular
// file is mapped read-only and faulted in by one system call; anything else
// (a pipe, a character device) is read into memory.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_FILEBYTES_H
#define CIMRT_SRC_BASE_FILEBYTES_H

#include "base/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cim::rt {

class FileBytes {
public:
  /// The bytes of `path`; errors start with the path. A file of more than
  /// `limit` bytes is refused (before it is read, when it is a regular
  /// file; a stream is read no further than the limit).
  static StatusOr<std::unique_ptr<FileBytes>>
  open(const std::string &path, size_t limit = SIZE_MAX);
  ~FileBytes();
  FileBytes(const FileBytes &) = delete;
  FileBytes &operator=(const FileBytes &) = delete;

  std::string_view bytes() const { return view_; }

private:
  FileBytes() = default;
  void *map_ = nullptr;
  std::string copy_;
  std::string_view view_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_BASE_FILEBYTES_H
