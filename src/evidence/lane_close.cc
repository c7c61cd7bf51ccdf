#include "evidence/lane_close.h"

#include <fmt/format.h>

#include <filesystem>

#include "authority/decisions.h"
#include "authority/lanes.h"
#include "core/file_io.h"
#include "core/sha256.h"
#include "evidence/lane_report.h"
#include "evidence/packet.h"
#include "model/blocker_ops.h"
#include "render/authority_report.h"

namespace prodgate::evidence {
namespace {

namespace fs = std::filesystem;

Result<std::string> WriteJson(const std::string& path, const Json& j) {
  PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  text += "\n";
  PG_RETURN_IF_ERROR(WriteFileAtomic(path, text, 0644));
  return ToHex(Sha256Of(text));
}

}  // namespace

Result<LaneCloseOutcome> CloseLane(model::Workspace& ws, const std::string& out,
                                   const std::string& next_decision_spec,
                                   const std::string& actor) {
  PG_ASSIGN_OR_RETURN(auto current, model::CurrentLane(ws));
  if (!current) {
    return Status::BadInput("no lane is open",
                            "open one: prodgate lane open NAME --decision ID --option OPT");
  }
  LaneCloseOutcome o;
  o.lane = *current;
  o.out = out;
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    return Status::BadInput(fmt::format("{} exists and is not empty", out),
                            "give a new directory for the lane's outputs");
  }
  // The next decision is recorded first, so that the report and the packet include it.
  std::string decision_id = o.lane.decision;
  if (!next_decision_spec.empty()) {
    PG_ASSIGN_OR_RETURN(model::DecisionState next,
                        authority::NewDecision(ws, next_decision_spec, actor));
    decision_id = next.spec.id;
  }
  fs::create_directories(out, ec);
  if (ec) return Status::BadInput(fmt::format("cannot create {}: {}", out, ec.message()));

  PG_ASSIGN_OR_RETURN(Json report, ComputeLaneReport(ws, o.lane));
  o.final_status = report.value("final_status", "");
  PG_ASSIGN_OR_RETURN(Json map, RefreshedBlockerMap(ws, o.lane, report));
  PG_ASSIGN_OR_RETURN(model::DecisionState d, authority::FindDecision(ws, decision_id));
  PG_ASSIGN_OR_RETURN(std::vector<model::Blocker> blockers, model::ListBlockers(ws));
  std::string packet_md = render::DecisionMarkdown(d, blockers, ws.config);

  PG_ASSIGN_OR_RETURN(std::string report_sha, WriteJson(out + "/lane-report.json", report));
  PG_ASSIGN_OR_RETURN(std::string map_sha, WriteJson(out + "/blocker-map.json", map));
  PG_RETURN_IF_ERROR(WriteFileAtomic(out + "/decision-packet.md", packet_md, 0644));

  PacketSpec spec;
  spec.out = out + "/packet";
  spec.kind = "lane";
  spec.external_identifier = "lane:" + o.lane.name;
  spec.artifacts = {{out + "/lane-report.json", "lane-report.json"},
                    {out + "/blocker-map.json", "blocker-map.json"},
                    {out + "/decision-packet.md", "decision-packet.md"}};
  // Sealed trees of the lane: evidence, and each rehearsal's output (its change is sealed).
  auto add_sealed_tree = [&](const std::string& dir, const std::string& name) {
    if (!fs::exists(fs::path(dir) / "prodgate.seal.json", ec)) {
      o.notes.push_back(fmt::format("{}: no seal manifest, included without a check", dir));
    } else {
      spec.commands.push_back({"prodgate", "verify", "--root", name, "--json"});
    }
    spec.artifacts.push_back({dir, name});
  };
  for (const auto& e : report.value("workstream_evidence", Json::array())) {
    std::string dir = e.value("dir", "");
    if (!fs::is_directory(dir, ec)) {
      o.notes.push_back(fmt::format("evidence {} is gone from {}", e.value("root", ""), dir));
      continue;
    }
    add_sealed_tree(dir, "evidence/" + e.value("root", "").substr(0, 12));
  }
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> rehearsals,
                      model::VerifiedEventsOfKind(ws, "rehearsal.result"));
  for (const auto& e : rehearsals) {
    if (e.seq < o.lane.opened_seq) continue;
    std::string dir = e.body.value("out", "");
    std::string change = e.body.value("change", "");
    if (dir.empty() || !fs::is_directory(dir, ec)) {
      o.notes.push_back(
          fmt::format("rehearsal of {}: its output directory is gone", change.substr(0, 12)));
      continue;
    }
    std::string name = fmt::format("rehearsals/{}-{}", change.substr(0, 12), e.seq);
    spec.artifacts.push_back({dir, name});
    if (fs::exists(fs::path(dir) / "change" / "prodgate.seal.json", ec)) {
      spec.commands.push_back({"prodgate", "verify", "--root", name + "/change", "--json"});
    }
  }
  PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
  spec.ledger_head = {{"seq", head.seq}, {"hash", ToHex(head.hash)}};
  spec.labels = {{"Prodgate-Lane", o.lane.name}, {"Prodgate-Final-Status", o.final_status}};
  PG_ASSIGN_OR_RETURN(PacketOutcome packet, BuildPacket(spec));
  o.packet_tree = packet.packet_tree;
  for (size_t i = 0; i < packet.exit_codes.size(); ++i) {
    if (packet.exit_codes[i] != 0) {
      o.notes.push_back(fmt::format("packet command {} exited {}: {}", i + 1, packet.exit_codes[i],
                                    fmt::join(spec.commands[i], " ")));
    }
  }
  Json produced = {{"lane_report_sha256", report_sha},
                   {"blocker_map_sha256", map_sha},
                   {"decision_packet_sha256", ToHex(Sha256Of(packet_md))},
                   {"decision", decision_id},
                   {"packet_tree", packet.packet_tree},
                   {"final_status", o.final_status},
                   {"out", fs::absolute(out).lexically_normal().string()}};
  PG_ASSIGN_OR_RETURN(o.lane, authority::RecordLaneClose(ws, o.lane.name, produced, actor));
  return o;
}

}  // namespace prodgate::evidence
