// Probes against evidence: blockers closed without proof, packets (BagIt bags) tampered
// with or unsafe.
#include <fmt/format.h>

#include "core/sha256.h"
#include "probes/probe_set.h"

namespace prodgate::probes {
namespace {

std::string Sha256Line(const std::string& bytes, const std::string& path) {
  return fmt::format("{}  {}\n", ToHex(Sha256Of(bytes)), path);
}

// A minimal BagIt 1.0 bag in `rel`, made by hand as other tools do: one payload file and a
// manifest whose lines are `manifest` (the payload's own line first).
bool HandMadeBag(Fixture& f, const std::string& rel, const std::string& extra_manifest_lines) {
  const std::string payload = "rollback restored every row\n";
  return f.Write(rel + "/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n") &&
         f.Write(rel + "/data/report.txt", payload) &&
         f.Write(rel + "/manifest-sha256.txt",
                 Sha256Line(payload, "data/report.txt") + extra_manifest_lines);
}

bool BlockerWithEvidence(Fixture& f, std::string& root) {
  if (!f.Setup("a blocker", {"blocker", "add", "--id", "B1", "--item", "rollback proof", "--blocks",
                             "production", "--category", "engineering"})) {
    return false;
  }
  f.Write("proof/report.txt", "rollback restored the data row for row\n");
  f.Setup("seal the proof", {"seal", "proof"});
  f.Setup("record it", {"evidence", "add", "proof"});
  Json seal = Json::parse(f.Read("proof/prodgate.seal.json"), nullptr, false);
  root = seal.is_object() ? seal.value("root", "") : "";
  if (f.ok() && root.empty()) f.Broken("the proof's seal has no root");
  return f.ok();
}

void BlockerClosedWithStaleEvidence(Fixture& f) {
  std::string root;
  if (!BlockerWithEvidence(f, root)) return;
  // The proof changes after it was recorded.
  f.Write("proof/report.txt", "rollback restored the data row for row (mostly)\n");
  f.Refused("blocker close with evidence that no longer verifies",
            {"blocker", "close", "B1", "--evidence", root, "--key", f.Key("agent")}, {2},
            {"does not verify now"});
  auto show = f.Run({"blocker", "show", "B1", "--json"});
  Json b = show ? Json::parse(show->out, nullptr, false) : Json();
  f.Require(b.is_object() && b.value("status", "") == "OPEN", "the blocker is not OPEN any more");
}

void BlockerClosedWithoutEvidence(Fixture& f) {
  std::string root;
  if (!BlockerWithEvidence(f, root)) return;
  f.Refused("blocker set --status CLOSED", {"blocker", "set", "B1", "--status", "CLOSED"}, {2},
            {"blocker close B1 --evidence"});
  f.Refused("blocker close with a digest nobody recorded",
            {"blocker", "close", "B1", "--evidence", std::string(64, 'e'), "--key", f.Key("agent")},
            {2}, {"no evidence with seal root"});
}

void BlockerUnknownGateLabel(Fixture& f) {
  std::string head = f.LedgerHead();
  f.Write("map.json",
          R"({"blockers":[{"id":"B1","item":"x","status":"OPEN","blocks":"launch-the-rocket"}]})");
  f.Refused("blocker import", {"blocker", "import", "map.json"}, {2},
            {"unknown gate label \"launch-the-rocket\""});
  f.Require(f.LedgerHead() == head, "a refused import changed the ledger");
}

void PacketTampered(Fixture& f) {
  f.Write("ev/report.txt", "before 3f2a\nafter_apply 9c1d\nafter_rollback 3f2a\n");
  if (!f.Setup("build a packet", {"packet", "build", "--out", "packet", "ev"}) ||
      !f.Setup("it verifies", {"packet", "verify", "packet"}) ||
      !f.Setup("it re-runs", {"packet", "rerun", "packet"})) {
    return;
  }
  // One payload file edited after the packet was written.
  f.Write("packet/data/artifacts/files/ev/report.txt",
          "before 3f2a\nafter_apply 9c1d\nafter_rollback 3f2a (restored)\n");
  f.Refused("packet verify", {"packet", "verify", "packet"}, {1},
            {"checksum_mismatch", "data/artifacts/files/ev/report.txt"});
  f.Refused("packet rerun", {"packet", "rerun", "packet"}, {1}, {"PACKET_TREE MISMATCH"});
}

void PacketPathEscapesBag(Fixture& f) {
  // A manifest line and a fetch.txt entry that leave the bag.
  if (!HandMadeBag(f, "bag", Sha256Line("x", "data/../../../etc/hostname"))) return;
  f.Refused("packet verify (manifest)", {"packet", "verify", "bag"}, {1},
            {"unsafe_path", "'..' component"});
  if (!HandMadeBag(f, "bag2", "")) return;
  f.Write("bag2/fetch.txt", "https://example.com/x 1 ../../etc/passwd\n");
  f.Refused("packet verify (fetch.txt)", {"packet", "verify", "bag2"}, {1},
            {"fetch.txt", "unsafe_path"});
}

void BagitDuplicateManifestEntry(Fixture& f) {
  if (!HandMadeBag(f, "bag", Sha256Line("rollback restored every row\n", "data/report.txt"))) {
    return;
  }
  f.Refused("packet verify", {"packet", "verify", "bag"}, {1}, {"duplicate_entry"});
}

}  // namespace

std::vector<Probe> EvidenceProbes() {
  return {
      {{"blocker_closed_with_stale_evidence", "evidence",
        "a blocker closed with evidence edited after it was recorded"},
       BlockerClosedWithStaleEvidence},
      {{"blocker_closed_without_evidence", "evidence",
        "a blocker set CLOSED by status, or closed with an unrecorded digest"},
       BlockerClosedWithoutEvidence},
      {{"blocker_unknown_gate_label", "evidence",
        "a blocker map whose blocker holds a gate the config does not know"},
       BlockerUnknownGateLabel},
      {{"packet_tampered", "evidence", "a payload file of an evidence packet edited"},
       PacketTampered},
      {{"packet_path_escapes_bag", "evidence",
        "a bag whose manifest or fetch.txt names a path outside it"},
       PacketPathEscapesBag},
      {{"bagit_duplicate_manifest_entry", "evidence", "a bag manifest listing one file twice"},
       BagitDuplicateManifestEntry},
  };
}

}  // namespace prodgate::probes
