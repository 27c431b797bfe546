//===- FuzzReplay.h - Running fuzz targets without libFuzzer ----*- C++ -*-===//
//
// Every fuzz target (an LLVMFuzzerTestOneInput) is built two ways: with
// libFuzzer (clang, -DCIM_FUZZ=ON, scripts/fuzz.sh) as cim-NAME-fuzz, and
// with any compiler as cim-NAME-fuzz-replay, whose main is replayMain: a
// test that runs the target over its seeds and then over seeded mutations
// of them. The mutations are the same on every run (a fixed random seed),
// so that a failure repeats.
//
//   cim-NAME-fuzz-replay [--runs N] [--seconds S] [--write-corpus DIR]
//                        [PATH...]
//
// PATHs are seed files, or directories searched recursively for files
// with the target's extensions (up to its size limit). --runs bounds the
// mutated inputs (default 20000), --seconds the time they take (default:
// no bound), whichever ends first. A crash leaves the input that caused
// it in the file NAME-crash of the working directory. --write-corpus
// writes every seed (the files' bytes and those the target makes in code)
// into DIR, for libFuzzer, and runs nothing.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_FUZZ_FUZZREPLAY_H
#define CIMRT_FUZZ_FUZZREPLAY_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cim::fuzz {

/// What replayMain needs to know about a fuzz target.
struct ReplayTarget {
  /// The program's name, for its messages.
  std::string name;
  /// Suffixes of the files taken from a directory (".pb"); empty: all.
  std::vector<std::string> extensions;
  /// Files in a directory larger than this are left out (each run of a
  /// large seed costs its size; libFuzzer explores small inputs faster).
  size_t maxSeedBytes = size_t(-1);
  /// Leading bytes that mutations leave alone (a byte choosing a mode).
  size_t fixedPrefix = 0;
  /// Seeds made in code, given the bytes of the seed files read; may be
  /// empty.
  std::function<std::vector<std::string>(const std::vector<std::string> &)>
      seeds;
};

/// The main of cim-NAME-fuzz-replay; runs LLVMFuzzerTestOneInput.
int replayMain(int argc, char **argv, const ReplayTarget &target);

} // namespace cim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif // CIMRT_FUZZ_FUZZREPLAY_H
