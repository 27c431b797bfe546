//===- DriverRegistry.cpp - URI scheme -> driver ----------------*- C++ -*-===//
//
// Resolves device URIs to drivers. The built-in drivers are registered the
// first time the global registry is used, so that linking the runtime
// statically needs no static-initialiser tricks.
//
//===----------------------------------------------------------------------===//

#include "hal/Hal.h"

#include <algorithm>

namespace cim::rt {

std::vector<std::pair<std::string, std::string>>
uriOptions(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    size_t eq = item.find('=');
    out.emplace_back(std::string(item.substr(0, eq)),
                     eq == std::string_view::npos
                         ? std::string()
                         : std::string(item.substr(eq + 1)));
  }
  return out;
}

DriverRegistry &DriverRegistry::global() {
  static DriverRegistry *registry = [] {
    auto *r = new DriverRegistry();
    (void)r->registerDriver(createSimDriver());
    (void)r->registerDriver(createBoardDriver(/*serial=*/false));
    (void)r->registerDriver(createBoardDriver(/*serial=*/true));
    return r;
  }();
  return *registry;
}

Status DriverRegistry::registerDriver(std::unique_ptr<Driver> driver) {
  if (!driver)
    return makeError(Code::InvalidArgument, "registerDriver: null driver");
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto &d : drivers_)
    if (d->scheme() == driver->scheme())
      return makeError(Code::FailedPrecondition, "device scheme '",
                       driver->scheme(), "' is already registered");
  drivers_.push_back(std::move(driver));
  return Status::ok();
}

std::vector<std::string> DriverRegistry::schemes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto &d : drivers_)
    out.emplace_back(d->scheme());
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::shared_ptr<Device>> DriverRegistry::open(const std::string &uri) {
  auto knownSchemes = [&] {
    std::string list;
    for (const auto &s : schemes())
      list += (list.empty() ? "" : ", ") + s + "://";
    return list;
  };
  size_t sep = uri.find("://");
  if (sep == std::string::npos || sep == 0)
    return makeError(Code::InvalidArgument, "device URI '", uri,
                     "' is not of the form scheme://path (known schemes: ",
                     knownSchemes(), ")");
  std::string_view scheme(uri.data(), sep);
  std::string_view path(uri.data() + sep + 3, uri.size() - sep - 3);
  Driver *driver = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto &d : drivers_)
      if (d->scheme() == scheme)
        driver = d.get();
  }
  if (!driver)
    return makeError(Code::NotFound, "device URI '", uri,
                     "': no driver for scheme '", scheme,
                     "' (known schemes: ", knownSchemes(), ")");
  return driver->open(uri, path);
}

} // namespace cim::rt
