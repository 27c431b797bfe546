//===- ProtobufLog.h - protobuf's log lines into cim's errors ---*- C++ -*-===//
//
// protobuf logs some parse failures itself ("String field ... contains
// invalid UTF-8 data") on stderr, in its own format, before the parser
// returns false. While a ProtobufLogCapture lives on a thread, such lines
// from that thread are kept in it instead, for the caller's one error
// line; elsewhere they are printed as cim warnings.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_PROTOBUFLOG_H
#define CIMRT_SRC_BASE_PROTOBUFLOG_H

#include <string>

namespace cim::rt {

class ProtobufLogCapture {
public:
  ProtobufLogCapture();
  ~ProtobufLogCapture();
  ProtobufLogCapture(const ProtobufLogCapture &) = delete;
  ProtobufLogCapture &operator=(const ProtobufLogCapture &) = delete;

  /// The first line protobuf logged meanwhile, without its advice
  /// ("String field 'x.y' contains invalid UTF-8 data"); empty if none.
  const std::string &message() const { return message_; }
  /// ": " + message(), or nothing when protobuf said nothing.
  std::string suffix() const;

private:
  friend struct ProtobufLogRouter;
  std::string message_;
  ProtobufLogCapture *outer_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_BASE_PROTOBUFLOG_H
