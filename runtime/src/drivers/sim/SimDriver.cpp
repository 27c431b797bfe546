//===- SimDriver.cpp - The "sim" driver: URIs to devices --------*- C++ -*-===//
//
// Opens simulator devices: sim:// and sim://ideal (exact), sim://quantized
// (the target's signal chain), with options in the URI's query: noise=
// PRESET|FILE (a noise model), seed=N, drift_time=SECONDS, threads=N.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"

#include <cblas.h>

#include <charconv>
#include <cmath>
#include <sstream>
#include <thread>

namespace cim::rt::sim {
namespace {

/// Parses the query of a simulator URI: noise=PRESET|FILE, seed=N,
/// drift_time=SECONDS, threads=N, calibrate=0|1.
Status parseOptions(const std::string &uri, std::string_view query,
                    SimOptions &options, bool ideal) {
  options.noise.set_name("ideal");
  unsigned hw = std::thread::hardware_concurrency();
  options.threads = hw ? hw : 1;
  for (const auto &option : uriOptions(query)) {
    // Named, not bound: lambdas below capture them.
    const std::string &key = option.first, &value = option.second;
    auto number = [&](double &out) -> Status {
      std::istringstream in(value);
      in >> out;
      if (value.empty() || !in.eof() || in.fail() || !(out >= 0))
        return makeError(Code::InvalidArgument, "device URI '", uri, "': ", key,
                         " must be a non-negative number, got '", value, "'");
      return Status::ok();
    };
    double v = 0;
    if (key == "noise") {
      CIM_ASSIGN_OR_RETURN(options.noise, resolveNoiseModel(value));
    } else if (key == "seed") {
      // Exactly, every 64-bit seed distinct: not through a double.
      uint64_t seed = 0;
      auto [end, ec] =
          std::from_chars(value.data(), value.data() + value.size(), seed);
      if (value.empty() || ec != std::errc() ||
          end != value.data() + value.size())
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': seed must be a whole number from 0 to "
                         "18446744073709551615, got '",
                         value, "'");
      options.seed = seed;
    } else if (key == "drift_time") {
      CIM_TRY(number(v));
      options.driftTime = v;
    } else if (key == "calibrate") {
      CIM_TRY(number(v));
      if (v != 0 && v != 1)
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': calibrate must be 0 or 1, got '", value, "'");
      options.calibrate = v == 1;
    } else if (key == "threads") {
      CIM_TRY(number(v));
      if (v < 1 || v > kMaxPoolThreads || v != std::floor(v))
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': threads must be a whole number from 1 to ",
                         kMaxPoolThreads, ", got '", value, "'");
      options.threads = unsigned(v);
    } else {
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown option '", key,
                       "' (known: noise, seed, drift_time, threads, calibrate)");
    }
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