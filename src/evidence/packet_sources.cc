#include "evidence/packet_sources.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/file_io.h"
#include "core/sha256.h"
#include "model/lane.h"

namespace prodgate::evidence {
namespace {

namespace fs = std::filesystem;

// Refuses a file whose bytes are not the ones the ledger recorded.
Status CheckRecorded(const std::string& path, const std::string& recorded,
                     const std::string& what) {
  auto bytes = ReadFile(path, uint64_t{1} << 30);
  if (!bytes.ok()) {
    return Status::BadInput(fmt::format("{}: {} is gone ({})", what, path, bytes.status().what()),
                            "a packet holds only what the ledger vouches for; restore the file");
  }
  std::string now = ToHex(Sha256Of(*bytes));
  if (now != recorded) {
    return Status::BadInput(
        fmt::format("{}: {} has sha256 {} but the ledger recorded {}: it changed after it was "
                    "recorded",
                    what, path, now.substr(0, 12), recorded.substr(0, 12)),
        "restore the recorded bytes; a packet never holds bytes the ledger does not vouch for");
  }
  return Status::Ok();
}

Status AddLane(model::Workspace& ws, const std::string& name, PacketSpec& spec) {
  PG_ASSIGN_OR_RETURN(model::LaneState lane, model::FindLane(ws, name));
  if (lane.open()) {
    return Status::BadInput(
        fmt::format("lane {} is still open", name),
        "close it first: prodgate lane close --out DIR (that builds its packet)");
  }
  std::string out = lane.close.value("out", "");
  for (const auto& [file, key] : std::vector<std::pair<std::string, std::string>>{
           {"lane-report.json", "lane_report_sha256"},
           {"blocker-map.json", "blocker_map_sha256"},
           {"decision-packet.md", "decision_packet_sha256"}}) {
    std::string path = out + "/" + file;
    PG_RETURN_IF_ERROR(CheckRecorded(path, lane.close.value(key, ""), "lane " + name));
    spec.artifacts.push_back({path, "lane/" + file});
  }
  spec.labels.push_back({"Prodgate-Lane", name});
  if (spec.external_identifier.empty()) spec.external_identifier = "lane:" + name;
  return Status::Ok();
}

Result<ledger::Event> FindRehearsal(model::Workspace& ws, const std::string& id) {
  PG_ASSIGN_OR_RETURN(std::vector<ledger::Event> events,
                      model::VerifiedEventsOfKind(ws, "rehearsal.result"));
  const ledger::Event* found = nullptr;
  bool numeric = !id.empty() && id.size() < 8 &&
                 std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  for (const auto& e : events) {
    if (e.kind != "rehearsal.result") continue;
    if (numeric ? std::to_string(e.seq) == id
                : (id.size() >= 8 && e.body.value("change", "").starts_with(id))) {
      found = &e;  // the last one wins
    }
  }
  if (found == nullptr) {
    return Status::BadInput(fmt::format("no rehearsal {} in the ledger", id),
                            "name it by its ledger event number or its change digest (8+ hex "
                            "digits); see `prodgate ledger log`");
  }
  return *found;
}

Status AddRehearsal(model::Workspace& ws, const std::string& id, PacketSpec& spec) {
  PG_ASSIGN_OR_RETURN(ledger::Event e, FindRehearsal(ws, id));
  std::string out = e.body.value("out", "");
  std::string change = e.body.value("change", "");
  PG_RETURN_IF_ERROR(CheckRecorded(out + "/rehearsal.json", e.body.value("report_sha256", ""),
                                   fmt::format("rehearsal {}", e.seq)));
  std::string name = fmt::format("rehearsal-{}", e.seq);
  spec.artifacts.push_back({out + "/rehearsal.json", name + "/rehearsal.json"});
  spec.artifacts.push_back({out + "/change", name + "/change"});
  spec.commands.push_back({"prodgate", "verify", "--root", name + "/change", "--json"});
  spec.labels.push_back(
      {"Prodgate-Rehearsal", fmt::format("{} {} {}", e.seq, change, e.body.value("verdict", ""))});
  if (spec.external_identifier.empty()) spec.external_identifier = "rehearsal:" + change;
  return Status::Ok();
}

}  // namespace

Result<PacketSpec> PacketSpecFor(model::Workspace& ws, const PacketRequest& request) {
  PacketSpec spec;
  spec.out = request.out;
  if (!request.lane.empty() && !request.rehearsal.empty()) {
    return Status::BadInput("--lane and --rehearsal name two packets", "build one packet each");
  }
  if (request.lane.empty() && request.rehearsal.empty() && request.files.empty()) {
    return Status::BadInput("nothing to pack", "name --lane NAME, --rehearsal ID or FILES");
  }
  spec.kind = !request.lane.empty() ? "lane" : !request.rehearsal.empty() ? "rehearsal" : "files";
  if (!request.lane.empty()) PG_RETURN_IF_ERROR(AddLane(ws, request.lane, spec));
  if (!request.rehearsal.empty()) PG_RETURN_IF_ERROR(AddRehearsal(ws, request.rehearsal, spec));
  std::error_code ec;
  for (const auto& f : request.files) {
    fs::path p = fs::path(f).lexically_normal();
    if (!fs::exists(p, ec)) {
      return Status::BadInput(fmt::format("{}: no such file or directory", f));
    }
    std::string name = "files/" + p.filename().string();
    if (p.filename().empty() || p.filename() == "." || p.filename() == "..") {
      name = "files/" + fs::absolute(p).lexically_normal().filename().string();
    }
    for (const auto& a : spec.artifacts) {
      if (a.name == name) {
        return Status::BadInput(fmt::format("two sources would be packed as {}", name),
                                "give files with distinct names");
      }
    }
    spec.artifacts.push_back({p.string(), name});
    if (fs::is_directory(p, ec) && fs::exists(p / "prodgate.seal.json", ec)) {
      spec.commands.push_back({"prodgate", "verify", "--root", name, "--json"});
    }
  }
  if (spec.external_identifier.empty()) {
    spec.external_identifier = fmt::format("files:{}", request.files.size());
  }
  PG_ASSIGN_OR_RETURN(ledger::Head head, ws.ledger->ReadHead());
  spec.ledger_head = {{"seq", head.seq}, {"hash", ToHex(head.hash)}};
  return spec;
}

}  // namespace prodgate::evidence
