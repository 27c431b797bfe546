//===- SimDriver.cpp - The "sim" driver: URIs to devices --------*- C++ -*-===//
//
// Opens simulator devices: sim:// and sim://ideal (exact), sim://quantized
// (the target's signal chain), with options in the URI's query: noise=
// PRESET|FILE (a noise model), seed=N, drift_time=SECONDS, threads=N.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"

#include <cblas.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <thread>

namespace cim::rt::sim {

Status setSimOption(std::string_view key, std::string_view value,
                    SimOptions &options) {
  auto quoted = [&] { return strCat(", got '", value, "'"); };
  auto whole = [&](uint64_t &out) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(),
                                     out);
    return !value.empty() && ec == std::errc() &&
           end == value.data() + value.size();
  };
  uint64_t n = 0;
  if (key == "seed") {
    // Exactly, every 64-bit seed distinct: not through a double.
    if (!whole(n))
      return makeError(Code::InvalidArgument,
                       "must be a whole number from 0 to "
                       "18446744073709551615",
                       quoted());
    options.seed = n;
  } else if (key == "drift_time") {
    std::istringstream in{std::string(value)};
    double v = 0;
    in >> v;
    if (value.empty() || !in.eof() || in.fail() || !(v >= 0) ||
        !std::isfinite(v))
      return makeError(Code::InvalidArgument,
                       "must be a non-negative number of seconds", quoted());
    options.driftTime = v;
  } else if (key == "threads") {
    if (!whole(n) || n < 1 || n > kMaxPoolThreads)
      return makeError(Code::InvalidArgument,
                       "must be a whole number from 1 to ", kMaxPoolThreads,
                       quoted());
    options.threads = unsigned(n);
  } else if (key == "calibrate") {
    if (value != "0" && value != "1")
      return makeError(Code::InvalidArgument, "must be 0 or 1", quoted());
    options.calibrate = value == "1";
  } else {
    return makeError(Code::InvalidArgument, "is not a simulator option");
  }
  return Status::ok();
}

namespace {

/// Parses the query of a simulator URI: noise=PRESET|FILE and the scalar
/// options of setSimOption.
Status parseOptions(const std::string &uri, std::string_view query,
                    SimOptions &options, bool ideal) {
  options.noise.set_name("ideal");
  unsigned hw = std::thread::hardware_concurrency();
  options.threads = std::clamp(hw, 1u, kMaxPoolThreads);
  for (const auto &[key, value] : uriOptions(query)) {
    if (key == "noise") {
      CIM_ASSIGN_OR_RETURN(options.noise, resolveNoiseModel(value));
      continue;
    }
    if (key != "seed" && key != "drift_time" && key != "threads" &&
        key != "calibrate")
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown option '", key,
                       "' (known: noise, seed, drift_time, threads, "
                       "calibrate)");
    Status s = setSimOption(key, value, options);
    if (!s.isOk())
      return s.withPrefix(strCat("device URI '", uri, "': ", key, " "));
  }
  if (ideal && !isIdeal(options.noise))
    return makeError(Code::InvalidArgument, "device URI '", uri,
                     "': sim://ideal has no non-idealities; use "
                     "sim://quantized?noise=",
                     options.noise.name());
  return Status::ok();
}

class SimDriver final : public Driver {
public:
  std::string_view scheme() const override { return "sim"; }

  StatusOr<std::shared_ptr<Device>> open(const std::string &uri,
                                         std::string_view path) override {
    size_t q = path.find('?');
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
    std::string_view mode = path.substr(0, q);
    if (mode != "" && mode != "ideal" && mode != "quantized")
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown simulator mode '", std::string(mode),
                       "' (known: sim://ideal, sim://quantized)");
    bool ideal = mode != "quantized";
    SimOptions options;
    CIM_TRY(parseOptions(uri, query, options, ideal));
    // The simulator splits the batch over its own threads; one OpenBLAS
    // thread per GEMM keeps results independent of the thread count.
    openblas_set_num_threads(1);
    std::string canonical = ideal ? "sim://ideal" : "sim://quantized";
    if (!query.empty())
      canonical += "?" + std::string(query);
    return std::shared_ptr<Device>(std::make_shared<SimDevice>(
        canonical, ideal ? SimMode::Ideal : SimMode::Quantized,
        std::move(options)));
  }
};

} // namespace
} // namespace cim::rt::sim

namespace cim::rt {

std::unique_ptr<Driver> createSimDriver() {
  return std::make_unique<sim::SimDriver>();
}

} // namespace cim::rt