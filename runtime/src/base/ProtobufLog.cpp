//===- ProtobufLog.cpp - protobuf's log lines into cim's errors -*- C++ -*-===//

#include "base/ProtobufLog.h"

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <mutex>

namespace cim::rt {

namespace {
thread_local ProtobufLogCapture *current = nullptr;
} // namespace

struct ProtobufLogRouter {
  static void log(google::protobuf::LogLevel level, const char *, int,
                  const std::string &text) {
    if (ProtobufLogCapture *capture = current) {
      if (capture->message_.empty()) {
        std::string line = text.substr(0, text.find('\n'));
        capture->message_ = line.substr(0, line.find(" when parsing"));
      }
      return;
    }
    if (level >= google::protobuf::LOGLEVEL_WARNING)
      std::fprintf(stderr, "warning: protobuf: %s\n",
                   text.substr(0, text.find('\n')).c_str());
  }
};

ProtobufLogCapture::ProtobufLogCapture() : outer_(current) {
  static std::once_flag installed;
  std::call_once(installed,
                 [] { google::protobuf::SetLogHandler(&ProtobufLogRouter::log); });
  current = this;
}

ProtobufLogCapture::~ProtobufLogCapture() { current = outer_; }

std::string ProtobufLogCapture::suffix() const {
  return message_.empty() ? std::string() : ": " + message_;
}

} // namespace cim::rt
