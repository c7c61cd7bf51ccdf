#include "evidence/packet.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "core/file_io.h"
#include "core/path_rules.h"
#include "core/process.h"
#include "core/sha256.h"
#include "core/tool.h"
#include "ledger/event.h"
#include "seal/drift.h"
#include "seal/file_facts.h"
#include "seal/manifest.h"

namespace prodgate::evidence {
namespace {

namespace fs = std::filesystem;

// A scratch directory removed when this goes away.
class Scratch {
 public:
  Scratch() {
    std::string t = (fs::temp_directory_path() / "prodgate-packet-XXXXXX").string();
    if (::mkdtemp(t.data()) != nullptr) path_ = t;
  }
  ~Scratch() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<ProcessResult> RunIn(const std::vector<std::string>& argv, const std::string& cwd) {
  std::vector<std::string> args = argv;
  if (!args.empty() && args[0] == "prodgate") args[0] = SelfExecutable();
  ProcessOptions o;
  o.cwd = cwd;
  return RunProcess(args, o);
}

Status CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (fs::is_directory(from)) {
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  } else {
    fs::copy_file(from, to, fs::copy_options::none, ec);
  }
  if (ec) {
    // A readable source that fails to copy is the scratch side: a full disk, which
    // std::filesystem reports as EIO when the kernel copy stops short.
    if (::access(from.c_str(), R_OK) == 0) {
      return Status::Internal(
          fmt::format("cannot copy {} into the packet's scratch directory {}: {}", from,
                      fs::path(to).parent_path().string(), ec.message()),
          "free space in TMPDIR (a full disk shows here as an I/O error), then run the command "
          "again");
    }
    return Status::BadInput(fmt::format("cannot copy {} into the packet: {}", from, ec.message()),
                            "check that the artifact exists and is readable");
  }
  return Status::Ok();
}

std::string OutputName(size_t i) { return fmt::format("outputs/{:02}.stdout", i + 1); }

// The seal tree digest over the files under `root` whose data/-relative path starts with
// one of `prefixes`, with `overrides` (path → bytes) taking the place of files of that path.
Result<std::string> DeterministicTree(const std::string& data_dir,
                                      const std::map<std::string, std::string>& overrides) {
  std::vector<seal::SealEntry> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(data_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string rel = fs::relative(it->path(), data_dir).generic_string();
    if (!(rel.starts_with("artifacts/") || rel == "commands.json" || rel.starts_with("outputs/"))) {
      continue;
    }
    if (overrides.count(rel)) continue;
    AlignedBuffer buf(1 << 18);
    PG_ASSIGN_OR_RETURN(
        seal::FileFacts f,
        seal::FactsOfFile(it->path().string(), seal::FactsOptions::Raw(), buf.span()));
    seal::SealEntry e;
    e.path = rel;
    e.size = f.size;
    e.sha256 = f.sha256;
    entries.push_back(std::move(e));
  }
  if (ec) return Status::BadInput(fmt::format("cannot walk {}: {}", data_dir, ec.message()));
  for (const auto& [rel, bytes] : overrides) {
    seal::SealEntry e;
    e.path = rel;
    e.size = bytes.size();
    e.sha256 = Sha256Of(bytes);
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return ToHex(seal::TreeDigestV1(entries));
}

}  // namespace

Result<PacketOutcome> BuildPacket(const PacketSpec& spec) {
  if (spec.external_identifier.empty()) {
    return Status::BadInput("a packet needs an external identifier");
  }
  std::error_code parent_ec;
  if (fs::path parent = fs::path(spec.out).parent_path(); !parent.empty()) {
    fs::create_directories(parent, parent_ec);
  }
  Scratch scratch;
  if (scratch.path().empty()) return Status::Internal("cannot create a scratch directory");
  std::string data = scratch.path() + "/data";
  std::string artifacts = data + "/artifacts";
  fs::create_directories(artifacts);
  for (const auto& a : spec.artifacts) {
    PG_RETURN_IF_ERROR(CheckRelativePath(a.name));
    PG_RETURN_IF_ERROR(CopyTree(a.source, artifacts + "/" + a.name));
  }
  fs::create_directories(data + "/outputs");
  Json commands = Json::array();
  Json timings = Json::array();
  PacketOutcome out;
  for (size_t i = 0; i < spec.commands.size(); ++i) {
    PG_ASSIGN_OR_RETURN(ProcessResult r, RunIn(spec.commands[i], artifacts));
    PG_RETURN_IF_ERROR(WriteFileAtomic(data + "/" + OutputName(i), r.out, 0644));
    commands.push_back(
        {{"argv", spec.commands[i]},
         {"cwd", "artifacts"},
         {"exit_code", r.exit_code},
         {"stdout",
          {{"path", OutputName(i)}, {"sha256", ToHex(Sha256Of(r.out))}, {"size", r.out.size()}}},
         {"stderr", {{"sha256", ToHex(Sha256Of(r.err))}, {"size", r.err.size()}}}});
    timings.push_back(
        {{"argv", spec.commands[i]}, {"milliseconds", static_cast<int64_t>(r.seconds * 1000)}});
    out.exit_codes.push_back(r.exit_code);
  }
  PG_ASSIGN_OR_RETURN(std::string commands_json,
                      CanonicalJson(Json{{"format", "prodgate.commands/1"}, {"commands", commands}},
                                    NumberPolicy::kIntegersOnly));
  PG_RETURN_IF_ERROR(WriteFileAtomic(data + "/commands.json", commands_json + "\n", 0644));
  PG_ASSIGN_OR_RETURN(out.deterministic_tree, DeterministicTree(data, {}));
  PG_ASSIGN_OR_RETURN(std::string timings_json, CanonicalJson(Json{{"format", "prodgate.timings/1"},
                                                                   {"built_at", ledger::NowUtc()},
                                                                   {"commands", timings}},
                                                              NumberPolicy::kIntegersOnly));
  PG_ASSIGN_OR_RETURN(std::string head_json,
                      CanonicalJson(spec.ledger_head, NumberPolicy::kIntegersOnly));

  seal::BagSpec bag;
  bag.external_identifier = spec.external_identifier;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(data, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    bag.payload.push_back(
        {fs::relative(it->path(), data).generic_string(), std::nullopt, it->path().string()});
  }
  bag.payload.push_back({"ledger-head.json", head_json + "\n", std::nullopt});
  bag.payload.push_back({"volatile/timings.json", timings_json + "\n", std::nullopt});
  bag.labels = {{"Prodgate-Packet-Kind", spec.kind},
                {"Prodgate-Deterministic-Tree-Sha256", out.deterministic_tree},
                {"Prodgate-Ledger-Head", spec.ledger_head.value("hash", "")},
                {"Prodgate-Tool-Version", ToolVersion()},
                {"Prodgate-Tool-Sha256", ToolDigest()}};
  bag.labels.insert(bag.labels.end(), spec.labels.begin(), spec.labels.end());
  PG_RETURN_IF_ERROR(seal::WriteBag(spec.out, bag));
  PG_ASSIGN_OR_RETURN(Digest tree, seal::PacketTreeDigest(spec.out));
  out.dir = spec.out;
  out.packet_tree = ToHex(tree);
  return out;
}

Result<RerunReport> RerunPacket(const std::string& dir) {
  RerunReport rep;
  PG_ASSIGN_OR_RETURN(rep.bag, seal::VerifyBag(dir, {}));
  if (rep.bag.verdict != seal::BagVerdict::kValid) {
    rep.differences.push_back({"(bag)", fmt::format("the packet does not verify ({} errors): run "
                                                    "`prodgate packet verify {}`",
                                                    rep.bag.ErrorCount(), dir)});
    return rep;
  }
  for (const auto& [label, value] : rep.bag.info) {
    if (label == "Prodgate-Tool-Version") rep.recorded_tool_version = value;
    if (label == "Prodgate-Tool-Sha256") rep.recorded_tool_sha256 = value;
  }
  rep.tool_version = ToolVersion();
  rep.tool_sha256 = ToolDigest();
  std::string data = dir + "/data";
  PG_ASSIGN_OR_RETURN(std::string commands_text, ReadFile(data + "/commands.json", 64 << 20));
  PG_ASSIGN_OR_RETURN(Json commands,
                      ParseCanonicalDocument(commands_text, data + "/commands.json"));
  PG_ASSIGN_OR_RETURN(rep.recorded_tree, DeterministicTree(data, {}));
  Scratch scratch;
  std::string artifacts = scratch.path() + "/artifacts";
  PG_RETURN_IF_ERROR(CopyTree(data + "/artifacts", artifacts));
  std::map<std::string, std::string> outputs;
  size_t i = 0;
  for (const auto& c : commands.value("commands", Json::array())) {
    std::vector<std::string> argv = c.value("argv", std::vector<std::string>{});
    PG_ASSIGN_OR_RETURN(ProcessResult r, RunIn(argv, artifacts));
    ++rep.commands;
    std::string label = fmt::format("commands[{}] ({})", i, fmt::join(argv, " "));
    if (r.exit_code != c.value("exit_code", -1)) {
      rep.differences.push_back(
          {label, fmt::format("exit code {} → {}", c.value("exit_code", -1), r.exit_code)});
    }
    if (ToHex(Sha256Of(r.err)) != c["stderr"].value("sha256", "")) {
      rep.differences.push_back({label, "standard error differs from the recorded digest"});
    }
    std::string out_rel = c["stdout"].value("path", OutputName(i));
    outputs[out_rel] = r.out;
    PG_ASSIGN_OR_RETURN(std::string recorded, ReadFile(data + "/" + out_rel, uint64_t{256} << 20));
    if (recorded != r.out) {
      std::string rerun_path = scratch.path() + "/rerun.out";
      PG_RETURN_IF_ERROR(WriteFileAtomic(rerun_path, r.out, 0600));
      seal::FileFacts before = seal::FactsOfBytes(recorded);
      seal::FileFacts after = seal::FactsOfBytes(r.out, seal::FactsOptions::Text(recorded.size()));
      seal::Diagnosis d = seal::DiagnoseContent(before, after, rerun_path, data + "/" + out_rel);
      std::vector<std::string_view> classes;
      for (auto cl : d.classes) classes.push_back(seal::DriftClassName(cl));
      std::string detail =
          fmt::format("{}: {}", fmt::join(classes, ", "), fmt::join(d.notes, "; "));
      if (d.first_difference)
        detail += "; first difference at " + seal::DescribeFirstDifference(*d.first_difference);
      rep.differences.push_back({out_rel, detail});
    }
    ++i;
  }
  // Artifacts the commands changed in the scratch copy count as differences too.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(artifacts, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string rel = "artifacts/" + fs::relative(it->path(), artifacts).generic_string();
    PG_ASSIGN_OR_RETURN(std::string now, ReadFile(it->path().string(), uint64_t{1} << 32));
    outputs[rel] = now;
  }
  PG_ASSIGN_OR_RETURN(rep.rerun_tree, DeterministicTree(data, outputs));
  rep.match = rep.differences.empty() && rep.rerun_tree == rep.recorded_tree;
  if (!rep.match && rep.differences.empty()) {
    rep.differences.push_back({"(tree)", "the deterministic tree differs (an artifact changed)"});
  }
  return rep;
}

std::string RerunText(const RerunReport& r) {
  std::string text =
      r.match ? fmt::format("PACKET_TREE MATCH {} ({} commands re-run)\n", r.rerun_tree, r.commands)
              : fmt::format("PACKET_TREE MISMATCH recorded {} rerun {}\n",
                            r.recorded_tree.empty() ? "-" : r.recorded_tree,
                            r.rerun_tree.empty() ? "-" : r.rerun_tree);
  if (r.tool_differs()) {
    text += fmt::format(
        "  tool: TOOL MISMATCH: the packet was made by prodgate {} (sha256 {}), this is prodgate "
        "{} (sha256 {}){}\n",
        r.recorded_tool_version.empty() ? "(not named)" : r.recorded_tool_version,
        r.recorded_tool_sha256.empty() ? "(not named)" : r.recorded_tool_sha256, r.tool_version,
        r.tool_sha256,
        r.match ? ": another build reproduced it"
                : ": a difference below may be the tool's, not the evidence's; re-run with the "
                  "packet's build to tell them apart");
  }
  for (const auto& d : r.differences) text += fmt::format("  {}: {}\n", d.path, d.detail);
  return text;
}

Result<MirrorReport> MirrorPacket(const std::string& src, const std::string& dest) {
  MirrorReport rep;
  PG_ASSIGN_OR_RETURN(seal::BagReport source_bag, seal::VerifyBag(src, {}));
  if (source_bag.verdict != seal::BagVerdict::kValid) {
    return Status::BadInput(fmt::format("{} does not verify ({} errors); a mirror copies only a "
                                        "valid packet",
                                        src, source_bag.ErrorCount()),
                            fmt::format("run `prodgate packet verify {}`", src));
  }
  PG_ASSIGN_OR_RETURN(Digest tree, seal::PacketTreeDigest(src));
  rep.dest = (fs::path(dest) / ToHex(tree)).string();
  std::string objects = (fs::path(dest) / ".objects").string();
  std::error_code ec;
  if (fs::exists(rep.dest, ec)) {
    return Status::BadInput(fmt::format("{} exists already", rep.dest),
                            "the packet is mirrored there");
  }
  fs::create_directories(objects, ec);
  std::string tmp = rep.dest + ".tmp";
  fs::remove_all(tmp, ec);
  for (auto it = fs::recursive_directory_iterator(src, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), src).generic_string();
    std::string to = tmp + "/" + rel;
    if (it->is_directory()) {
      fs::create_directories(to, ec);
      continue;
    }
    if (!it->is_regular_file()) {
      return Status::BadInput(fmt::format("{} is not a regular file", it->path().string()));
    }
    AlignedBuffer buf(1 << 18);
    PG_ASSIGN_OR_RETURN(
        seal::FileFacts f,
        seal::FactsOfFile(it->path().string(), seal::FactsOptions::Raw(), buf.span()));
    std::string object = objects + "/" + ToHex(f.sha256);
    if (fs::exists(object)) {
      ++rep.referenced;
    } else {
      fs::copy_file(it->path(), object, fs::copy_options::none, ec);
      if (ec) return Status::Internal(fmt::format("cannot copy {}: {}", rel, ec.message()));
      ::chmod(object.c_str(), 0444);
      ++rep.copied;
    }
    fs::create_directories(fs::path(to).parent_path(), ec);
    fs::create_hard_link(object, to, ec);
    if (ec) return Status::Internal(fmt::format("cannot link {}: {}", rel, ec.message()));
  }
  if (ec) return Status::BadInput(fmt::format("cannot walk {}: {}", src, ec.message()));
  fs::rename(tmp, rep.dest, ec);
  if (ec) return Status::Internal(fmt::format("cannot put the mirror in place: {}", ec.message()));
  PG_ASSIGN_OR_RETURN(rep.bag, seal::VerifyBag(rep.dest, {}));
  return rep;
}

}  // namespace prodgate::evidence
