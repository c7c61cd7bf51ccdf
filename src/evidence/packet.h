// Evidence packets (DESIGN.md §3.9): BagIt bags (seal/bagit.h) that hold artifacts, the
// commands that check them, and those commands' deterministic outputs, so that anyone can
// verify the packet offline and re-run its checks.
//
// Payload layout:
//   data/artifacts/...         the artifacts (files, and directories copied whole)
//   data/commands.json         {"format":"prodgate.commands/1","commands":[{"argv":[…],
//                              "cwd":"artifacts","exit_code":N,"stdout":{"path","sha256",
//                              "size"},"stderr":{"sha256","size"}}]}
//   data/outputs/NN.stdout     each command's standard output (deterministic)
//   data/ledger-head.json      the ledger head when the packet was built
//   data/volatile/timings.json timings and build time: kept apart, never compared
// A command whose argv[0] is "prodgate" runs the prodgate that builds (or re-runs) the
// packet; commands run with data/artifacts as their working directory.
//
// The deterministic tree digest (bag-info "Prodgate-Deterministic-Tree-Sha256") is the seal
// tree digest (DESIGN.md §3.1) over data/artifacts/**, data/commands.json and
// data/outputs/**, paths relative to data/. A rerun recomputes it from the re-run outputs:
// equal digests print PACKET_TREE MATCH.
#pragma once

#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"
#include "seal/bagit.h"

namespace prodgate::evidence {

struct PacketArtifact {
  std::string source;  // a file or a directory
  std::string name;    // its path under data/artifacts/
};

struct PacketSpec {
  std::string out;                  // the bag directory to create (must not exist or be empty)
  std::string external_identifier;  // e.g. "lane:FIX7-…" or "rehearsal:<change>"
  std::string kind;                 // "lane", "rehearsal", "files"
  std::vector<PacketArtifact> artifacts;
  std::vector<std::vector<std::string>> commands;
  Json ledger_head = Json::object();                        // {"seq","hash"} or empty
  std::vector<std::pair<std::string, std::string>> labels;  // more bag-info elements
};

struct PacketOutcome {
  std::string dir;
  std::string packet_tree;         // seal::PacketTreeDigest: the packet's name
  std::string deterministic_tree;  // what rerun compares
  std::vector<int> exit_codes;
};

// Runs the commands in a scratch copy of the artifacts and writes the bag.
Result<PacketOutcome> BuildPacket(const PacketSpec& spec);

struct RerunDifference {
  std::string path;    // "outputs/01.stdout", "artifacts/x", "commands[0].exit_code", …
  std::string detail;  // what differs (with the drift diagnosis for changed bytes)
};

struct RerunReport {
  bool match = false;
  std::string recorded_tree, rerun_tree;
  // The prodgate that made the packet (bag-info Prodgate-Tool-*) and the one re-running it.
  // A re-run by another build is named as such: its differences may be the tool's.
  std::string recorded_tool_version, recorded_tool_sha256, tool_version, tool_sha256;
  bool tool_differs() const { return recorded_tool_sha256 != tool_sha256; }
  size_t commands = 0;
  std::vector<RerunDifference> differences;
  seal::BagReport bag;  // the packet must verify before anything is re-run
};

// Verifies the bag, re-executes its commands in a scratch copy of data/artifacts and
// compares every deterministic output byte for byte. A packet that names no tool, or
// another one, is re-run all the same; the report says which tool made it.
Result<RerunReport> RerunPacket(const std::string& dir);
// "PACKET_TREE MATCH …" or "PACKET_TREE MISMATCH recorded … rerun …" and every difference,
// with a line naming the tool when another build re-ran the packet.
std::string RerunText(const RerunReport& r);

struct MirrorReport {
  std::string dest;  // DEST/<packet tree digest>
  size_t copied = 0, referenced = 0;
  seal::BagReport bag;
};

// Copies the packet to DEST/<packet tree digest>/ through a content-addressed store
// DEST/.objects/<sha256>: a file whose bytes are already there is hard-linked, not
// duplicated. The copy is then verified.
Result<MirrorReport> MirrorPacket(const std::string& src, const std::string& dest);

}  // namespace prodgate::evidence
