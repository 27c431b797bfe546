//===- FuzzReplay.cpp - Running fuzz targets without libFuzzer ------------===//
//
// The seeds run first, each as it is; then each mutated input starts from
// a seed picked at random and applies one change: flipped bits, a
// truncation, inserted random bytes, a duplicated piece, a 32-bit field
// overwritten with an extreme value, a token of the text formats (numbers
// at the limits, brackets, quotes) inserted, or the head of one seed
// joined to the tail of another.
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace cim::fuzz {
namespace {

std::string readBytes(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

bool wanted(const ReplayTarget &target, const fs::path &path) {
  if (target.extensions.empty())
    return true;
  std::string name = path.filename().string();
  for (const std::string &ext : target.extensions)
    if (name.size() >= ext.size() &&
        name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  return false;
}

/// The files a PATH argument names, in a fixed order.
std::vector<fs::path> filesOf(const ReplayTarget &target,
                              const std::string &arg) {
  std::vector<fs::path> files;
  if (!fs::is_directory(arg)) {
    files.emplace_back(arg);
    return files;
  }
  for (const fs::directory_entry &e : fs::recursive_directory_iterator(arg))
    if (e.is_regular_file() && wanted(target, e.path()) &&
        e.file_size() <= target.maxSeedBytes)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Applies mutation `kind` to `input`, leaving its first `prefix` bytes.
void mutate(std::string &input, unsigned kind, size_t prefix,
            const std::vector<std::string> &seeds, std::mt19937_64 &rng) {
  auto below = [&](size_t n) { return n ? size_t(rng() % n) : size_t(0); };
  prefix = std::min(prefix, input.size());
  size_t body = input.size() - prefix;
  switch (kind) {
  case 0: // flip bits
    for (int k = 0, n = 1 + int(below(8)); body && k < n; ++k)
      input[prefix + below(body)] ^= char(1 << below(8));
    break;
  case 1: // truncate
    input.resize(prefix + below(body + 1));
    break;
  case 2: { // insert random bytes
    std::string junk(below(32), '\0');
    for (char &c : junk)
      c = char(rng() & 0xFF);
    input.insert(prefix + below(body + 1), junk);
    break;
  }
  case 3: { // duplicate a piece
    if (!body)
      break;
    size_t from = prefix + below(body);
    size_t n = below(input.size() - from + 1);
    input.insert(prefix + below(body + 1), input.substr(from, n));
    break;
  }
  case 4: { // overwrite a 32-bit field with an extreme value
    static const uint32_t extremes[] = {0u,          1u,          0x7FFFFFFFu,
                                        0x80000000u, 0xFFFFFFFFu, 64u << 20};
    if (body >= 4) {
      uint32_t v = extremes[below(std::size(extremes))];
      std::memcpy(&input[prefix + below(body - 3)], &v, 4);
    }
    break;
  }
  case 5: { // insert a token of JSON, a .npy header or a number's text
    static const char *tokens[] = {
        "0",    "-1",  "1e309",      "-1e309", "nan",   "4294967297",
        "1e-320", "[",  "]",         "{",      "}",     "\"",
        ",",    ":",   "null",       "true",   "(",     ")",
        "'",    "9223372036854775807", "-9223372036854775808", "\\u0000"};
    const char *t = tokens[below(std::size(tokens))];
    size_t at = prefix + below(body + 1);
    if (body && rng() % 2) // replace a byte rather than insert
      input.erase(at < input.size() ? at : input.size() - 1, 1);
    input.insert(std::min(at, input.size()), t);
    break;
  }
  default: { // the head of this input, the tail of another seed
    const std::string &other = seeds[below(seeds.size())];
    size_t cut = prefix + below(body + 1);
    size_t from = std::min(prefix + below(other.size() + 1), other.size());
    input.resize(cut);
    input.append(other, from, std::string::npos);
    break;
  }
  }
}

/// The input running, and where a crash leaves it.
const std::string *current = nullptr;
std::string crashFile;

/// On a crash: writes the input running to crashFile (with calls safe in
/// a signal handler) and dies of the signal.
void saveInput(int sig) {
  if (current) {
    int fd = ::open(crashFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t written = ::write(fd, current->data(), current->size());
      (void)written;
      ::close(fd);
      const char note[] = "fuzz replay: the crashing input is in ";
      written = ::write(2, note, sizeof(note) - 1);
      written = ::write(2, crashFile.data(), crashFile.size());
      written = ::write(2, "\n", 1);
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

int usage(const ReplayTarget &target) {
  std::fprintf(stderr,
               "usage: %s [--runs N] [--seconds S] [--write-corpus DIR] "
               "[PATH...]\n",
               target.name.c_str());
  return 2;
}

} // namespace

int replayMain(int argc, char **argv, const ReplayTarget &target) {
  long runs = 20000;
  double seconds = 0;
  std::string corpus;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool hasValue = i + 1 < argc;
    if (a == "--runs" && hasValue)
      runs = std::atol(argv[++i]);
    else if (a == "--seconds" && hasValue)
      seconds = std::atof(argv[++i]);
    else if (a == "--write-corpus" && hasValue)
      corpus = argv[++i];
    else if (a.rfind("--", 0) == 0)
      return usage(target);
    else
      paths.push_back(a);
  }

  std::vector<std::string> seeds;
  size_t files = 0;
  for (const std::string &p : paths) {
    if (!fs::exists(p)) {
      std::fprintf(stderr, "%s: %s: no such file or directory\n",
                   target.name.c_str(), p.c_str());
      return 2;
    }
    for (const fs::path &f : filesOf(target, p)) {
      seeds.push_back(readBytes(f));
      ++files;
    }
  }
  if (target.seeds) {
    std::vector<std::string> made = target.seeds(seeds);
    seeds.insert(seeds.end(), made.begin(), made.end());
  }

  if (!corpus.empty()) {
    // Named with the target's first extension, so that the directory is a
    // seed PATH for the replay too.
    fs::create_directories(corpus);
    std::string ext = target.extensions.empty() ? "" : target.extensions[0];
    for (size_t k = 0; k < seeds.size(); ++k)
      std::ofstream(fs::path(corpus) / ("seed-" + std::to_string(k) + ext),
                    std::ios::binary)
          << seeds[k];
    std::printf("%s: wrote %zu seeds to %s\n", target.name.c_str(),
                seeds.size(), corpus.c_str());
    return 0;
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "%s: no seeds\n", target.name.c_str());
    return 2;
  }

  // A crash leaves its input in the working directory, named after the
  // program; running the program on that file repeats it.
  crashFile = target.name + "-crash";
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
    std::signal(sig, saveInput);
  auto run = [](const std::string &input) {
    current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.data()),
                           input.size());
  };
  auto start = std::chrono::steady_clock::now();
  for (const std::string &s : seeds)
    run(s);
  std::mt19937_64 rng(1);
  long done = 0;
  for (; done < runs; ++done) {
    if (seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                .count() > seconds)
      break;
    std::string input = seeds[rng() % seeds.size()];
    mutate(input, unsigned(done % 7), target.fixedPrefix, seeds, rng);
    run(input);
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start)
                    .count();
  std::printf("%s: %zu seeds (%zu from files) and %ld mutated inputs ran "
              "without a crash in %.1f s\n",
              target.name.c_str(), seeds.size(), files, done, took);
  return 0;
}

} // namespace cim::fuzz
