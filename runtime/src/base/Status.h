//===- Status.h - Errors inside the runtime ---------------------*- C++ -*-===//
//
// The C++ side of cimrt_status_t: a Status is a code plus a message, and
// StatusOr<T> is a value or the Status explaining why there is none. Every
// fallible function in the runtime returns one of these instead of throwing,
// so that a bad artifact or a bad call becomes a message for the host app and
// never a crash. Messages always start with what they are about (a file, a
// field path, an input name), because the host app shows them verbatim.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_STATUS_H
#define CIMRT_SRC_BASE_STATUS_H

#include "cimrt/cimrt.h"

#include <cassert>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace cim::rt {

enum class Code {
  Ok = CIMRT_OK,
  InvalidArgument = CIMRT_INVALID_ARGUMENT,
  NotFound = CIMRT_NOT_FOUND,
  DataLoss = CIMRT_DATA_LOSS,
  Unimplemented = CIMRT_UNIMPLEMENTED,
  FailedPrecondition = CIMRT_FAILED_PRECONDITION,
  Internal = CIMRT_INTERNAL,
  Unavailable = CIMRT_UNAVAILABLE,
};

class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool isOk() const { return code_ == Code::Ok; }
  explicit operator bool() const { return isOk(); }
  Code code() const { return code_; }
  const std::string &message() const { return message_; }

  /// Returns this error with `prefix` put in front of the message, for
  /// callers that know what the error is about (a file name, a field path).
  Status withPrefix(const std::string &prefix) const {
    if (isOk())
      return *this;
    return Status(code_, prefix + message_);
  }

private:
  Code code_ = Code::Ok;
  std::string message_;
};

/// Concatenates anything streamable; the message builder for every error.
template <typename... Args> std::string strCat(const Args &...args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <typename... Args> Status makeError(Code code, const Args &...args) {
  return Status(code, strCat(args...));
}

template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(Status status) : status_(std::move(status)) {
    assert(!status_.isOk() && "StatusOr needs a value or an error");
    if (status_.isOk())
      status_ = Status(Code::Internal, "StatusOr built from an OK status");
  }
  StatusOr(T value) : value_(std::move(value)) {}

  bool isOk() const { return value_.has_value(); }
  const Status &status() const { return status_; }
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T &operator*() { return *value_; }
  T *operator->() { return &*value_; }

private:
  Status status_;
  std::optional<T> value_;
};

} // namespace cim::rt

#define CIM_CONCAT_IMPL(a, b) a##b
#define CIM_CONCAT(a, b) CIM_CONCAT_IMPL(a, b)

/// Returns the Status of `expr` from the enclosing function unless it is OK.
#define CIM_TRY(expr)                                                          \
  do {                                                                         \
    ::cim::rt::Status cim_try_status_ = (expr);                                \
    if (!cim_try_status_.isOk())                                               \
      return cim_try_status_;                                                  \
  } while (0)

/// `CIM_ASSIGN_OR_RETURN(auto x, f())`: binds the value of a StatusOr or
/// returns its error.
#define CIM_ASSIGN_OR_RETURN(lhs, expr)                                        \
  CIM_ASSIGN_OR_RETURN_IMPL(CIM_CONCAT(cim_statusor_, __LINE__), lhs, expr)
#define CIM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                              \
  auto tmp = (expr);                                                           \
  if (!tmp.isOk())                                                             \
    return tmp.status();                                                       \
  lhs = std::move(tmp.value())

#endif // CIMRT_SRC_BASE_STATUS_H
