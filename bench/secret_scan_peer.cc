// The peers of the secret scan (secret_scan.sh): the same rules run by Vectorscan the way
// prodgate runs them, and by an RE2::Set, over one file in memory, on one thread.
//
//   secret_scan_peer MODE RULES FILE
//     MODE   hs        Vectorscan block mode, HS_FLAG_SOM_LEFTMOST on every byte
//            hs-nosom  Vectorscan block mode without start-of-match (prodgate's first pass)
//            re2       RE2::Set over the whole file: which rules match anywhere (RE2's best case)
//            re2-lines RE2::Set per line: which rules match in each line (to locate findings)
//     RULES  one rule per line: "<caseless 0|1>\t<pattern>" (from `prodgate clone rules --json`)
//
// Prints "<seconds> <bytes> <matches> <rules-that-fired, sorted, comma-separated>"; the time
// covers the scan only (the file is read and the patterns compiled before the clock starts).
#include <hs.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Rule {
  bool caseless;
  std::string pattern;
};

std::string Fired(const std::set<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s.empty() ? "-" : s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s hs|hs-nosom|re2|re2-lines RULES FILE\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  std::vector<Rule> rules;
  {
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
      if (line.size() < 3 || line[1] != '\t') continue;
      rules.push_back({line[0] == '1', line.substr(2)});
    }
  }
  std::string data;
  {
    std::ifstream in(argv[3], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  std::set<int> fired;
  unsigned long long matches = 0;
  double seconds = 0;
  if (mode == "hs" || mode == "hs-nosom") {
    std::vector<const char*> patterns;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < rules.size(); ++i) {
      patterns.push_back(rules[i].pattern.c_str());
      flags.push_back((mode == "hs" ? HS_FLAG_SOM_LEFTMOST : 0) |
                      (rules[i].caseless ? HS_FLAG_CASELESS : 0));
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(patterns.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr, &db,
                         &err) != HS_SUCCESS) {
      std::fprintf(stderr, "hs compile: %s\n", err->message);
      return 2;
    }
    hs_scratch_t* scratch = nullptr;
    hs_alloc_scratch(db, &scratch);
    struct Ctx {
      std::set<int>* fired;
      unsigned long long* matches;
    } ctx{&fired, &matches};
    auto t0 = std::chrono::steady_clock::now();
    const size_t kWindow = size_t{1} << 30;
    for (size_t at = 0; at < data.size(); at += kWindow) {
      size_t len = std::min(kWindow, data.size() - at);
      hs_scan(
          db, data.data() + at, static_cast<unsigned>(len), 0, scratch,
          [](unsigned id, unsigned long long, unsigned long long, unsigned, void* p) -> int {
            auto* c = static_cast<Ctx*>(p);
            c->fired->insert(static_cast<int>(id));
            ++*c->matches;
            return 0;
          },
          &ctx);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    hs_free_scratch(scratch);
    hs_free_database(db);
  } else if (mode == "re2" || mode == "re2-lines") {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(int64_t{1} << 30);
    RE2::Set set(options, RE2::UNANCHORED);
    for (const auto& r : rules) {
      std::string error;
      if (set.Add((r.caseless ? "(?i)" : "") + r.pattern, &error) < 0) {
        std::fprintf(stderr, "re2 add: %s: %s\n", r.pattern.c_str(), error.c_str());
        return 2;
      }
    }
    if (!set.Compile()) {
      std::fprintf(stderr, "re2 compile failed (out of memory?)\n");
      return 2;
    }
    std::vector<int> hit;
    auto t0 = std::chrono::steady_clock::now();
    if (mode == "re2") {
      if (set.Match(data, &hit)) {
        for (int id : hit) fired.insert(id);
        matches = hit.size();
      }
    } else {
      size_t at = 0;
      while (at < data.size()) {
        size_t end = data.find('\n', at);
        if (end == std::string::npos) end = data.size();
        hit.clear();
        if (set.Match(re2::StringPiece(data.data() + at, end - at), &hit)) {
          for (int id : hit) fired.insert(id);
          matches += hit.size();
        }
        at = end + 1;
      }
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("%.6f %zu %llu %s\n", seconds, data.size(), matches, Fired(fired).c_str());
  return 0;
}
