// lane.
#include <fmt/format.h>

#include <memory>

#include "authority/lanes.h"
#include "cli/context.h"
#include "evidence/lane_close.h"
#include "evidence/lane_report.h"
#include "render/authority_report.h"

namespace prodgate::cli {
namespace {

void RegisterLaneCommands(CLI::App& app, const GlobalFlags& global, int& exit_code) {
  CLI::App* lane = app.add_subcommand("lane", "Units of work under one selected decision option");
  lane->require_subcommand(1);
  {
    struct Args {
      std::string name, decision, option;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = lane->add_subcommand("open", "Open a lane under an option an owner selected");
    cmd->add_option("name", a->name, "lane name")->required();
    cmd->add_option("--decision", a->decision, "the decision")->required();
    cmd->add_option("--option", a->option, "the selected option: the lane's authority")->required();
    cmd->callback([a, &global, &exit_code] {
      auto ws = OpenWs(global);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto l = authority::OpenLane(*ws, a->name, a->decision, a->option, model::LocalActor());
      if (!l.ok()) {
        exit_code = ReportError(l.status());
        return;
      }
      std::string pairs;
      for (const auto& r : l->authority)
        pairs += fmt::format("{}{} in {}", pairs.empty() ? "" : ", ", r.action, r.scope);
      Print(fmt::format("lane {} open under {} of {}; it authorizes {}; every other action holds\n",
                        l->name, l->option, l->decision, pairs.empty() ? "nothing" : pairs));
      exit_code = 0;
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = lane->add_subcommand("status", "The open lane and its report so far");
    cmd->add_flag("--json", *json, "print the report as JSON");
    cmd->callback([json, &global, &exit_code] {
      auto ws = OpenWs(global);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto cur = model::CurrentLane(*ws);
      if (!cur.ok()) {
        exit_code = ReportError(cur.status());
        return;
      }
      if (!*cur) {
        Print("no lane is open\n");
        exit_code = 0;
        return;
      }
      auto report = evidence::ComputeLaneReport(*ws, **cur);
      if (!report.ok()) {
        exit_code = ReportError(report.status());
        return;
      }
      if (*json) {
        exit_code = PrintResult(render::JsonDocument(*report));
        return;
      }
      Print(fmt::format("lane {} (open since {}) under {} of {}\n  status so far: {}\n  next: {}\n",
                        (*cur)->name, (*cur)->opened_at, (*cur)->option, (*cur)->decision,
                        report->value("final_status", ""), report->value("next_macro", "")));
      exit_code = 0;
    });
  }
  {
    struct Args {
      std::string out, next_decision;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = lane->add_subcommand(
        "close", "Close the open lane: report, blocker map, decision packet, evidence packet");
    cmd->add_option("--out", a->out, "directory for the lane's outputs")->required();
    cmd->add_option("--next-decision", a->next_decision, "decision spec for what comes next");
    cmd->callback([a, &global, &exit_code] {
      auto ws = OpenWs(global);
      if (!ws.ok()) {
        exit_code = ReportError(ws.status());
        return;
      }
      auto o = evidence::CloseLane(*ws, a->out, a->next_decision, model::LocalActor());
      if (!o.ok()) {
        exit_code = ReportError(o.status());
        return;
      }
      std::string text = fmt::format(
          "lane {} closed: {}\n  report   {}/lane-report.json\n  map      {}/blocker-map.json\n"
          "  decision {}/decision-packet.md\n  packet   {}/packet (tree {})\n",
          o->lane.name, o->final_status, o->out, o->out, o->out, o->out, o->packet_tree);
      for (const auto& n : o->notes) text += "note: " + n + "\n";
      Print(text);
      exit_code = 0;
    });
  }
}

PRODGATE_COMMAND_GROUP(55, RegisterLaneCommands);

}  // namespace
}  // namespace prodgate::cli
