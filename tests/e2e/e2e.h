// Shared fixture for end-to-end tests: they run the real prodgate binary on real files.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace prodgate::testing {

inline RunResult Prodgate(std::vector<std::string> args, const std::string& cwd) {
  args.insert(args.begin(), PRODGATE_BIN);
  return RunCommand(args, cwd);
}

// Parses stdout as JSON, failing the test (not crashing) when it is not.
inline nlohmann::json JsonOut(const RunResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.out << "\nstderr:\n" << r.err;
  return j;
}

// The drift classes a verify --json report gives for `path` (empty when not reported).
inline std::vector<std::string> ClassesOf(const nlohmann::json& report, const std::string& path) {
  std::vector<std::string> out;
  if (!report.contains("files")) return out;
  for (const auto& f : report["files"]) {
    if (f["path"] == path) {
      for (const auto& c : f["classes"]) out.push_back(c.get<std::string>());
    }
  }
  return out;
}

}  // namespace prodgate::testing
