// packet: evidence packets (BagIt bags, DESIGN.md §3.9). One block per subcommand, each
// registered by its own function below; adding a subcommand is adding a block and a line
// in RegisterPacketCommands.
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "evidence/packet.h"
#include "evidence/packet_sources.h"
#include "render/bag_report.h"
#include "seal/bagit.h"

namespace prodgate::cli {
namespace {

// Exit codes of packet verify: 0 valid (warnings are printed), 1 invalid, 2 unreadable.
int VerdictExitCode(seal::BagVerdict v) {
  switch (v) {
    case seal::BagVerdict::kValid:
      return 0;
    case seal::BagVerdict::kInvalid:
      return 1;
    case seal::BagVerdict::kUnreadable:
      return 2;
  }
  return 2;
}

// prodgate packet verify DIR [--json] [--against DIR]
void AddPacketVerify(CLI::App& packet, const GlobalFlags& global, int& exit_code) {
  struct Args {
    std::string dir, against;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = packet.add_subcommand(
      "verify", "Validate any BagIt bag (0.97, 1.0): every problem, per file, with its cause");
  cmd->add_option("dir", args->dir, "the bag's base directory")->required();
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_option("--against", args->against,
                  "an original copy of the bag, to show how changed files differ");
  cmd->callback([args, &global, &exit_code] {
    seal::BagVerifyOptions options;
    if (!args->against.empty()) options.against = args->against;
    options.progress = !global.quiet;
    auto report = seal::VerifyBag(args->dir, options);
    if (!report.ok()) {
      exit_code = ReportError(report.status());
      return;
    }
    if (args->json) {
      int rc = PrintResult(render::BagReportJson(*report));
      if (rc != 0) {
        exit_code = rc;
        return;
      }
    } else {
      Print(render::BagReportText(*report));
    }
    exit_code = VerdictExitCode(report->verdict);
  });
}

// prodgate packet build --out DIR [--lane NAME | --rehearsal ID] [FILES...]
void AddPacketBuild(CLI::App& packet, const GlobalFlags& global, int& exit_code) {
  auto req = std::make_shared<evidence::PacketRequest>();
  CLI::App* cmd = packet.add_subcommand(
      "build", "Pack a lane, a rehearsal or files, with the commands that check them, as a bag");
  cmd->add_option("--out", req->out, "the bag directory to create")->required();
  cmd->add_option("--lane", req->lane, "a closed lane: its report, map and decision packet");
  cmd->add_option("--rehearsal", req->rehearsal,
                  "a recorded rehearsal: its ledger event number or change digest");
  cmd->add_option("files", req->files, "more files or directories to pack");
  cmd->callback([req, &global, &exit_code] {
    auto ws = OpenWs(global);
    if (!ws.ok()) {
      exit_code = ReportError(ws.status());
      return;
    }
    auto spec = evidence::PacketSpecFor(*ws, *req);
    if (!spec.ok()) {
      exit_code = ReportError(spec.status());
      return;
    }
    auto built = evidence::BuildPacket(*spec);
    if (!built.ok()) {
      exit_code = ReportError(built.status());
      return;
    }
    std::string text = fmt::format("packet {}\n  tree          {}\n  deterministic {}\n",
                                   built->dir, built->packet_tree, built->deterministic_tree);
    exit_code = 0;
    for (size_t i = 0; i < built->exit_codes.size(); ++i) {
      text += fmt::format("  command {}: {} → exit {}\n", i + 1, fmt::join(spec->commands[i], " "),
                          built->exit_codes[i]);
      // A packet whose own checks fail is built (it is evidence of that), but not a pass.
      if (built->exit_codes[i] != 0) exit_code = 1;
    }
    Print(text);
  });
}

// prodgate packet rerun DIR
void AddPacketRerun(CLI::App& packet, const GlobalFlags&, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = packet.add_subcommand(
      "rerun", "Re-run a packet's recorded commands and compare their outputs byte for byte");
  cmd->add_option("dir", *dir, "the packet")->required();
  cmd->callback([dir, &exit_code] {
    auto rep = evidence::RerunPacket(*dir);
    if (!rep.ok()) {
      exit_code = ReportError(rep.status());
      return;
    }
    Print(evidence::RerunText(*rep));
    exit_code = rep->match ? 0 : 1;
  });
}

// prodgate packet mirror SRC DEST
void AddPacketMirror(CLI::App& packet, const GlobalFlags&, int& exit_code) {
  struct Args {
    std::string src, dest;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = packet.add_subcommand(
      "mirror", "Copy a packet into DEST/<tree digest>, sharing bytes already there; re-verify");
  cmd->add_option("src", a->src, "the packet")->required();
  cmd->add_option("dest", a->dest, "the mirror directory")->required();
  cmd->callback([a, &exit_code] {
    auto rep = evidence::MirrorPacket(a->src, a->dest);
    if (!rep.ok()) {
      exit_code = ReportError(rep.status());
      return;
    }
    Print(fmt::format("mirrored to {}: {} files copied, {} already there (linked)\n", rep->dest,
                      rep->copied, rep->referenced));
    Print(render::BagReportText(rep->bag));
    exit_code = VerdictExitCode(rep->bag.verdict);
  });
}

void RegisterPacketCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* packet =
      app.add_subcommand("packet", "Evidence packets: BagIt bags anyone can re-verify offline");
  packet->require_subcommand(1);
  AddPacketBuild(*packet, global, exit_code);
  AddPacketVerify(*packet, global, exit_code);
  AddPacketRerun(*packet, global, exit_code);
  AddPacketMirror(*packet, global, exit_code);
}

PRODGATE_COMMAND_GROUP(60, RegisterPacketCommands);

}  // namespace
}  // namespace prodgate::cli
