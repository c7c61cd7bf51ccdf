#include "model/blocker_map.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/sha256.h"
#include "core/toml.h"
#include "tests/test_util.h"

namespace prodgate::model {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// The seeds are the repository's own fixtures (examples/fix7/seeds/README.md).
fs::path SeedsDir() { return fs::path(PRODGATE_SOURCE_DIR) / "examples/fix7/seeds"; }

// The text of the seed whose file name starts with `prefix` ("000_").
std::string Seed(std::string_view prefix) {
  for (const auto& e : fs::directory_iterator(SeedsDir())) {
    if (e.path().filename().string().starts_with(prefix)) {
      return testing::ReadFileOrDie(e.path().string());
    }
  }
  ADD_FAILURE() << "no seed " << prefix << "* in " << SeedsDir();
  return "";
}

const Config& DefaultConfig() {
  static const Config config = [] {
    Result<Json> doc = ParseToml(DefaultConfigToml(), "default");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    Result<Config> c = ParseConfig(*doc, "default");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }();
  return config;
}

ImportedMap Import(std::string_view text, std::string_view name = "map.json") {
  Result<ImportedMap> m = ParseBlockerMap(text, name, DefaultConfig());
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : ImportedMap{};
}

std::vector<Blocker> SeedBlockers(std::string_view prefix) { return Import(Seed(prefix)).blockers; }

// extra[key], or null when absent (a const Json's operator[] would abort instead of fail).
Json Extra(const Blocker& b, const std::string& key) { return b.extra.value(key, Json()); }

const Blocker& Find(const std::vector<Blocker>& blockers, std::string_view id) {
  for (const auto& b : blockers) {
    if (b.id == id) return b;
  }
  static const Blocker kNone;
  ADD_FAILURE() << "no blocker " << id;
  return kNone;
}

// Asserts that `text` is refused as bad input and that the message holds every `needle`.
void ExpectRefused(std::string_view text, const Strings& needles,
                   std::string_view name = "bad.json") {
  Result<ImportedMap> m = ParseBlockerMap(text, name, DefaultConfig());
  ASSERT_FALSE(m.ok()) << "accepted: " << text;
  EXPECT_EQ(m.status().code(), StatusCode::kBadInput);
  EXPECT_NE(m.status().what().find(name), std::string::npos) << m.status().what();
  for (const auto& n : needles) {
    EXPECT_NE(m.status().what().find(n), std::string::npos) << "\"" << n << "\" not in:\n"
                                                            << m.status().ToString();
  }
  EXPECT_FALSE(m.status().fix().empty());
}

// A "blockers"-shaped map around one row's JSON members.
std::string OneRow(std::string_view members) {
  return std::string(R"({"doc":"t","blockers":[{)") + std::string(members) + "}]}";
}

constexpr std::string_view kGoodRow =
    R"("id":"B-1","item":"x","status":"OPEN","actor_needed":"owner","blocks":"production")";

// --- Import: the three seeds -----------------------------------------------------------------

// The fixtures are the seed documents byte for byte: an edit, a re-encoding or a lost file
// fails here, not later as a puzzling import difference.
TEST(ModelBlockerMapImportTest, SeedFixturesAreTheSeedsByteForByte) {
  const std::map<std::string, std::string> seeds = {
      {"000_e21fdb5fceaf2802.txt",
       "a0bb0c1bc9db0038e668c1efdb483da87da67d3c88802a72ec853241de25bc96"},
      {"001_aadb98cec8920608.txt",
       "351e2e801ca9460338f97d3b08ce3f9c8aa0395bed50beb4ff0dc95240db14d9"},
      {"002_a34dbc961c84791a.txt",
       "56cb54ad38fa04ba17007296f93947f7e7efb0a76d0c33c3e4c6a5165ff2f8e5"},
      {"003_db0e339d7e62b882.txt",
       "b3f8e8021bc767d49a827f00c51235f5f8b8782d3f709798227c6210bf075246"},
      {"004_83ffdc72bb4c3f5d.txt",
       "7e365b875b76267f4dba3112cfd30d1cbd07ad04520fde738721989875f66947"},
  };
  std::set<std::string> present;
  for (const auto& e : fs::directory_iterator(SeedsDir())) {
    if (e.path().extension() == ".txt") present.insert(e.path().filename().string());
  }
  std::set<std::string> expected;
  for (const auto& [name, digest] : seeds) {
    expected.insert(name);
    std::string text = testing::ReadFileOrDie((SeedsDir() / name).string());
    EXPECT_EQ(ToHex(Sha256Of(text)), digest) << name;
  }
  EXPECT_EQ(present, expected);
}

TEST(ModelBlockerMapImportTest, Seed000IsTheBlockersShape) {
  std::string text = Seed("000_");
  ImportedMap m = Import(text);
  EXPECT_EQ(m.shape, kShapeBlockers);
  ASSERT_EQ(m.blockers.size(), 7u);
  EXPECT_EQ(m.blockers[0].id, "FIX7-P0-PROD-BIRTH-SURFACE-1");  // document order
  EXPECT_EQ(m.source_sha256, ToHex(Sha256Of(text)));
  EXPECT_TRUE(m.warnings.empty()) << m.warnings[0];

  const Blocker& ci = Find(m.blockers, "FIX7-P0-PROD-CI-SCOPE-1");
  EXPECT_EQ(ci.status, "OPEN_DESIGN_DELIVERED");
  EXPECT_EQ(ci.category, "");
  EXPECT_EQ(ci.actor_needed, (Strings{"owner", "operator"}));
  EXPECT_EQ(Extra(ci, "actor_needed_raw"), "owner (adopt?) + operator (wire off-production)");
  EXPECT_EQ(ci.blocks, Strings{"production-ci"});
  EXPECT_EQ(Extra(ci, "blocks_raw"), "production-ci (NOT clone rehearsal, NOT this design)");
  EXPECT_TRUE(Extra(ci, "change_this_lane").get<std::string>().starts_with("DESIGNED OFF"));
  EXPECT_TRUE(ci.evidence.empty());

  const Blocker& birth = Find(m.blockers, "FIX7-P0-PROD-BIRTH-SURFACE-1");
  EXPECT_EQ(birth.actor_needed, (Strings{"owner", "operator"}));
  EXPECT_FALSE(birth.extra.contains("actor_needed_raw"));  // "owner + operator" is exact
  EXPECT_FALSE(birth.extra.contains("blocks_raw"));

  // "+" inside a remark does not split.
  EXPECT_EQ(Find(m.blockers, "FIX7-P0-DRYRUN-PROD-ROLLBACK-1").actor_needed, Strings{"operator"});
  const Blocker& sep = Find(m.blockers, "FIX7-P0-PLAN-SEPARATE-AUTH-1");
  EXPECT_EQ(sep.blocks, (Strings{"cutover", "apply", "permit", "activation", "repoint"}));
  EXPECT_FALSE(sep.extra.contains("blocks_raw"));  // "a/b/c" is the labels joined by "/"

  EXPECT_EQ(m.metadata["open_count"], 7);
  EXPECT_EQ(m.metadata["doc"], "fix7-p0-updated-production-blocker-map-after-shaped-clone-attempt");
  EXPECT_FALSE(m.metadata.contains("blockers"));
}

TEST(ModelBlockerMapImportTest, Seed003IsFoundInsideTheKbPageText) {
  ImportedMap m = Import(Seed("003_"));
  EXPECT_EQ(m.shape, kShapeBlockers);
  ASSERT_EQ(m.blockers.size(), 7u);
  const Blocker& realrun = Find(m.blockers, "FIX7-P0-PLAN-REALRUN-1");
  EXPECT_EQ(realrun.status, "OPEN");
  EXPECT_EQ(realrun.blocks, Strings{"REAL_RUN"});
  // Free-text evidence is not a digest: it goes to extra, never to `evidence`.
  EXPECT_TRUE(realrun.evidence.empty());
  EXPECT_EQ(Extra(realrun, "evidence_text"), "precondition PC-7 FAIL");
  EXPECT_EQ(Extra(realrun, "required_owner_gpt_decision"), "separate REAL_RUN authorization");
  EXPECT_EQ(Extra(realrun, "required_technical_proof"), "n/a (authorization gate)");
  EXPECT_EQ(m.metadata["doc"], "fix7-p0-production-blocker-map");
  EXPECT_EQ(m.metadata["newly_closed_in_this_macro"].size(), 1u);
}

TEST(ModelBlockerMapImportTest, Seed001IsTableFWithCategoriesAndNoStatus) {
  ImportedMap m = Import(Seed("001_"));
  EXPECT_EQ(m.shape, kShapeTableF);
  ASSERT_EQ(m.blockers.size(), 7u);
  EXPECT_TRUE(m.warnings.empty()) << m.warnings[0];
  for (const auto& b : m.blockers) {
    EXPECT_EQ(b.status, "") << b.id << ": the map states no status";
    EXPECT_TRUE(IsHumanCategory(b.category)) << b.id << ": " << b.category;
    EXPECT_EQ(Extra(b, "closed_this_lane"), false);
    EXPECT_TRUE(b.extra.contains("category_raw"));
    EXPECT_TRUE(b.extra.contains("why_not_self_resolvable"));
  }
  const Blocker& birth = Find(m.blockers, "FIX7-P0-PROD-BIRTH-SURFACE-1");
  EXPECT_EQ(birth.category, "needs-live-production-read");
  EXPECT_EQ(Extra(birth, "category_raw"), "requires live production read");
  EXPECT_EQ(birth.actor_needed, (Strings{"operator", "owner"}));
  EXPECT_EQ(Extra(birth, "actor_needed_raw"), "operator (live read) + owner");
  EXPECT_EQ(birth.blocks, (Strings{"production dry-run", "REAL_RUN", "QT001", "cutover"}));
  EXPECT_FALSE(birth.extra.contains("blocks_raw"));
  EXPECT_EQ(Extra(birth, "can_close_now"), false);
  EXPECT_EQ(Find(m.blockers, "FIX7-P0-PROD-CI-SCOPE-1").category, "needs-ci-adoption");
  EXPECT_EQ(Find(m.blockers, "FIX7-P0-PLAN-SEPARATE-AUTH-1").category, "needs-grant");
  EXPECT_EQ(m.metadata["engineering_blockers_remaining"], 0);
  EXPECT_FALSE(m.metadata.contains("table_F_final_blockers"));
}

// --- Import: what is refused -----------------------------------------------------------------

TEST(ModelBlockerMapImportTest, UnknownGateLabelIsRefused) {
  ExpectRefused(OneRow(R"("id":"B-1","blocks":"production/staging")"),
                {"blocker \"B-1\"", "unknown gate label \"staging\""});
}

TEST(ModelBlockerMapImportTest, UnknownGateLabelInTableFArrayIsRefused) {
  ExpectRefused(
      R"({"table_F_final_blockers":[{"blocker_id":"F-1","blocks":["REAL_RUN","launch"]}]})",
      {"blocker \"F-1\"", "unknown gate label \"launch\""});
}

TEST(ModelBlockerMapImportTest, UnknownCategoryPhraseIsRefused) {
  ExpectRefused(
      R"({"table_F_final_blockers":[{"blocker_id":"F-1","category":"requires a miracle"}]})",
      {"blocker \"F-1\"", "unknown blocker category \"requires a miracle\""});
}

TEST(ModelBlockerMapImportTest, ClosedStatusIsRefused) {
  ExpectRefused(OneRow(R"("id":"B-1","status":"CLOSED","blocks":"production")"),
                {"blocker \"B-1\"", "status CLOSED is refused"});
}

TEST(ModelBlockerMapImportTest, ClosedThisLaneTrueIsRefused) {
  ExpectRefused(R"({"table_F_final_blockers":[{"blocker_id":"F-1","closed_this_lane":true}]})",
                {"blocker \"F-1\"", "closed_this_lane is true"});
  ExpectRefused(R"({"table_F_final_blockers":[{"blocker_id":"F-1","closed_this_lane":"no"}]})",
                {"blocker \"F-1\"", "\"closed_this_lane\" must be true or false"});
}

TEST(ModelBlockerMapImportTest, UnknownStatusIsRefused) {
  ExpectRefused(OneRow(R"("id":"B-1","status":"DONE-ISH")"),
                {"blocker \"B-1\"", "unknown status \"DONE-ISH\""});
  ExpectRefused(OneRow(R"("id":"B-1","status":"")"), {"unknown status \"\""});
}

TEST(ModelBlockerMapImportTest, DuplicateIdIsRefused) {
  ExpectRefused(R"({"blockers":[{"id":"B-1"},{"id":"B-2"},{"id":"B-1"}]})",
                {"blocker \"B-1\" appears 2 times"});
}

TEST(ModelBlockerMapImportTest, BlockerWithoutIdIsRefused) {
  ExpectRefused(R"({"blockers":[{"id":"B-1"},{"item":"no id here"}]})",
                {"blocker #2: has no \"id\""});
  ExpectRefused(R"({"table_F_final_blockers":[{"id":"F-1"}]})", {"has no \"blocker_id\""});
  ExpectRefused(OneRow(R"("id":"")"), {"the id is empty"});
  ExpectRefused(OneRow(R"("id":"B 1")"), {"id \"B 1\" holds a space"});
}

TEST(ModelBlockerMapImportTest, NoMapInTheTextIsRefused) {
  ExpectRefused("just a title line\nand no JSON at all\n", {"no blocker map found"}, "notes.txt");
  ExpectRefused(R"(title {"doc":"x","items":[]} {"blockers":"none"})", {"no blocker map found"},
                "notes.txt");
  ExpectRefused("", {"no blocker map found"}, "empty.txt");
}

TEST(ModelBlockerMapImportTest, TruncatedJsonIsRefused) {
  std::string text = Seed("000_");
  ExpectRefused(text.substr(0, text.size() / 2),
                {"no blocker map found", "line 2, column 1 is not closed", "truncated"}, "000.txt");
}

TEST(ModelBlockerMapImportTest, InvalidJsonIsRefusedNamingWhere) {
  ExpectRefused("title\n{\"blockers\": [ {\"id\": \"B-1\",} ]}", {"line 2, column 1"});
  ExpectRefused(R"({"blockers":[{"id":"B-1"}], "blockers":[]})", {"appears twice"});
}

TEST(ModelBlockerMapImportTest, WrongFieldTypesAreRefused) {
  ExpectRefused(OneRow(R"("id":"B-1","item":7)"), {"\"item\" must be a string, not number"});
  ExpectRefused(OneRow(R"("id":"B-1","actor_needed":{"who":"owner"})"),
                {"\"actor_needed\" must be a string or an array of strings"});
  ExpectRefused(OneRow(R"("id":"B-1","actor_needed":"owner + ")"), {"names an empty actor"});
  ExpectRefused("[1, 2]", {"no blocker map found"});
  ExpectRefused(R"({"blockers":[42]})", {"blocker #1: is not a JSON object"});
}

TEST(ModelBlockerMapImportTest, EveryProblemIsReportedNotOnlyTheFirst) {
  ExpectRefused(
      R"({"blockers":[{"id":"B-1","status":"CLOSED"},{"id":"B-2","blocks":"nowhere"},
                      {"id":"B-3","category":"vibes"},{"id":"B-2"}]})",
      {"4 problems", "blocker \"B-1\": status CLOSED", "blocker \"B-2\": blocks: unknown gate",
       "blocker \"B-3\": category: unknown", "blocker \"B-2\" appears 2 times"});
}

TEST(ModelBlockerMapImportTest, BothListsInOneObjectAreAmbiguous) {
  ExpectRefused(R"({"blockers":[{"id":"B-1"}],"table_F_final_blockers":[{"blocker_id":"B-2"}]})",
                {"holds both"});
}

TEST(ModelBlockerMapImportTest, ExtraFieldClashIsRefused) {
  ExpectRefused(OneRow(R"("id":"B-1","evidence":"a","evidence_text":"b")"),
                {"field \"evidence_text\" clashes"});
}

// --- Import: finding the JSON ----------------------------------------------------------------

TEST(ModelBlockerMapImportTest, BracesInProseAndInStringsDoNotConfuseTheSearch) {
  std::string text = "Title {draft} with a stray { brace\n" +
                     OneRow(R"("id":"B-1","item":"a } and a { in a string \"}\"")") + "\nfooter }";
  ImportedMap m = Import(text);
  ASSERT_EQ(m.blockers.size(), 1u);
  EXPECT_EQ(m.blockers[0].item, "a } and a { in a string \"}\"");
}

TEST(ModelBlockerMapImportTest, MapNestedInAReportIsFound) {
  ImportedMap m = Import(R"({"report":"r","production_blocker_map":{"open_count":1,
                            "blockers":[{"id":"B-1","status":"OPEN"}]}})");
  ASSERT_EQ(m.blockers.size(), 1u);
  EXPECT_EQ(m.metadata, (Json{{"open_count", 1}}));
}

TEST(ModelBlockerMapImportTest, FirstMapInTheTextWins) {
  ImportedMap m = Import(OneRow(R"("id":"FIRST")") + "\n" + OneRow(R"("id":"SECOND")"));
  ASSERT_EQ(m.blockers.size(), 1u);
  EXPECT_EQ(m.blockers[0].id, "FIRST");
}

TEST(ModelBlockerMapImportTest, StatusAbsentInBlockersShapeIsUnsetAndAbsentListsAreEmpty) {
  ImportedMap m = Import(OneRow(R"("id":"B-1")"));
  ASSERT_EQ(m.blockers.size(), 1u);
  EXPECT_EQ(m.blockers[0].status, "");
  EXPECT_TRUE(m.blockers[0].blocks.empty());
  EXPECT_TRUE(m.blockers[0].actor_needed.empty());
}

TEST(ModelBlockerMapImportTest, ClaimedFiguresThatDisagreeAreWarnings) {
  ImportedMap m = Import(R"({"open_count":3,"engineering_blockers_remaining":0,
      "blockers":[{"id":"B-1","status":"OPEN","category":"engineering"}]})");
  ASSERT_EQ(m.warnings.size(), 2u);
  EXPECT_NE(m.warnings[0].find("open_count 3 but lists 1 open blocker"), std::string::npos);
  EXPECT_NE(m.warnings[1].find("engineering_blockers_remaining 0"), std::string::npos);
}

// --- Export ----------------------------------------------------------------------------------

TEST(ModelBlockerMapExportTest, JsonIsSortedByIdWithFormatAndOpenCount) {
  std::vector<Blocker> blockers = SeedBlockers("000_");
  Json doc = ExportJson(blockers, Json{{"doc", "d"}});
  EXPECT_EQ(doc["format"], "prodgate.blockers/1");
  EXPECT_EQ(doc["open_count"], 7);
  EXPECT_EQ(doc["metadata"], (Json{{"doc", "d"}}));
  ASSERT_EQ(doc["blockers"].size(), 7u);
  EXPECT_EQ(doc["blockers"][0]["id"], "FIX7-P0-DRYRUN-PROD-ROLLBACK-1");
  for (size_t i = 1; i < doc["blockers"].size(); ++i) {
    EXPECT_LT(doc["blockers"][i - 1]["id"], doc["blockers"][i]["id"]);
  }
  EXPECT_TRUE(CanonicalJson(doc, NumberPolicy::kIntegersOnly).ok());
}

TEST(ModelBlockerMapExportTest, ExportThenImportGivesTheSameBlockers) {
  for (std::string_view seed : {"000_", "001_", "003_"}) {
    ImportedMap m = Import(Seed(seed));
    std::string text = *CanonicalJson(ExportJson(m.blockers, m.metadata), NumberPolicy::kAny);
    Result<ImportedMap> back = ParseBlockerMap(text, "export.json", DefaultConfig());
    ASSERT_TRUE(back.ok()) << seed << ": " << back.status().ToString();
    EXPECT_EQ(back->shape, kShapeExport);
    EXPECT_EQ(back->metadata, m.metadata);
    Json before = ExportJson(m.blockers, Json())["blockers"];
    Json after = ExportJson(back->blockers, Json())["blockers"];
    EXPECT_EQ(before, after) << seed;
    EXPECT_TRUE(DiffBlockerMaps(m.blockers, back->blockers).empty()) << seed;
    // An unset status stays unset (001 states none), it does not come back as OPEN.
    for (const auto& b : back->blockers) EXPECT_EQ(b.status.empty(), seed == "001_") << b.id;
    Result<std::vector<Blocker>> list = ParseBlockerExport(text, "export.json", DefaultConfig());
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->size(), 7u);
  }
}

TEST(ModelBlockerMapExportTest, ParseBlockerExportRefusesASeedShape) {
  Result<std::vector<Blocker>> r = ParseBlockerExport(Seed("000_"), "000.txt", DefaultConfig());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
  EXPECT_NE(r.status().what().find("000.txt is a \"blockers\" map"), std::string::npos);
}

std::string ExportOf(const Blocker& b) { return ExportJson({b}, Json::object()).dump(); }

TEST(ModelBlockerMapExportTest, ReimportChecksWhatTheExportHolds) {
  Blocker b;
  b.id = "B-1";
  b.blocks = {"production"};
  std::string good = ExportOf(b);
  EXPECT_TRUE(ParseBlockerExport(good, "e.json", DefaultConfig()).ok());

  Blocker closed = b;
  closed.status = "CLOSED";
  closed.evidence = {std::string(64, 'a')};
  ExpectRefused(ExportOf(closed), {"blocker \"B-1\": status CLOSED is refused"});

  Blocker label = b;
  label.blocks = {"staging"};
  ExpectRefused(ExportOf(label), {"unknown gate label \"staging\""});
  label.blocks = {"cutover/apply"};
  ExpectRefused(ExportOf(label), {"blocks holds \"cutover/apply\", not one gate label"});

  Blocker phrase = b;
  phrase.category = "requires REAL_RUN grant";
  ExpectRefused(ExportOf(phrase), {"is a phrase", "\"needs-grant\""});

  Blocker digest = b;
  digest.evidence = {"not-a-digest"};
  ExpectRefused(ExportOf(digest), {"evidence \"not-a-digest\" is not a SHA-256 digest"});

  std::string miscounted = good;
  miscounted.replace(miscounted.find("\"open_count\":1"), 14, "\"open_count\":0");
  ExpectRefused(miscounted, {"open_count is 0 but 1 open blocker is listed"});
  ExpectRefused(R"({"format":"prodgate.blockers/2","blockers":[],"open_count":0})",
                {"format \"prodgate.blockers/2\" is not supported"});
  ExpectRefused(R"({"format":"prodgate.blockers/1","blockers":[],"open_count":0,"x":1})",
                {"unknown top-level field \"x\""});
  ExpectRefused(R"({"format":"prodgate.blockers/1","blockers":[{"id":"B-1","rank":1}],
                    "open_count":1})",
                {"unknown field \"rank\""});
  ExpectRefused(R"({"format":"prodgate.blockers/1","blockers":[{"item":"x"}],"open_count":1})",
                {"blocker #1: has no \"id\""});
}

TEST(ModelBlockerMapExportTest, MarkdownHasSummaryTableAndEscapedCells) {
  std::vector<Blocker> blockers = SeedBlockers("001_");
  Blocker pipe;
  pipe.id = "A-PIPE";
  pipe.item = "left | right";
  pipe.status = "OPEN";
  pipe.category = "needs-grant";
  pipe.next_action = "line one\nline two";
  pipe.blocks = {"REAL_RUN"};
  blockers.push_back(pipe);
  std::string md = ExportMarkdown(blockers, DefaultConfig());
  EXPECT_NE(md.find("**8 open** of 8 · engineering blockers remaining: 0"), std::string::npos)
      << md;
  EXPECT_NE(md.find("the next step is a decision, not another preparation macro"),
            std::string::npos);
  EXPECT_NE(md.find("| blocker | status | category | actor | blocks | next action |\n|---|"),
            std::string::npos);
  EXPECT_NE(md.find("| A-PIPE — left \\| right | OPEN | needs-grant |  | REAL_RUN | line one "
                    "line two |"),
            std::string::npos)
      << md;
  // The first data row is the smallest id.
  EXPECT_LT(md.find("A-PIPE"), md.find("FIX7-P0-DRYRUN-PROD-ROLLBACK-1"));
  EXPECT_NE(md.find("| (unset) | needs-ci-adoption | owner + operator | production-ci |"),
            std::string::npos);
  EXPECT_NE(md.find("- `REAL_RUN`: `real_run` in any scope"), std::string::npos);
  EXPECT_NE(md.find("- `production`: any action in scope `production`"), std::string::npos);
}

TEST(ModelBlockerMapExportTest, MarkdownOfAnUncategorizedMapSaysSo) {
  std::string md = ExportMarkdown(SeedBlockers("000_"), DefaultConfig());
  EXPECT_NE(md.find("(uncategorized)"), std::string::npos);
  EXPECT_NE(md.find("uncategorized: 7"), std::string::npos);
  EXPECT_EQ(md.find("the next step is a decision"), std::string::npos);
}

// --- Diff ------------------------------------------------------------------------------------

const BlockerChange* ChangeOf(const MapDiff& d, std::string_view id) {
  for (const auto& c : d.changed) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const FieldChange* FieldOf(const BlockerChange* c, std::string_view field) {
  if (c == nullptr) return nullptr;
  for (const auto& f : c->changes) {
    if (f.field == field) return &f;
  }
  return nullptr;
}

TEST(ModelBlockerMapDiffTest, Seed003To000) {
  MapDiff d = DiffBlockerMaps(SeedBlockers("003_"), SeedBlockers("000_"));
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.removed.empty());
  EXPECT_EQ(d.changed.size(), 7u);

  const BlockerChange* ci = ChangeOf(d, "FIX7-P0-PROD-CI-SCOPE-1");
  const FieldChange* status = FieldOf(ci, "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->before, "OPEN");
  EXPECT_EQ(status->after, "OPEN_DESIGN_DELIVERED");
  // Same actors and label, only written differently: the raw texts are the change.
  EXPECT_EQ(FieldOf(ci, "actor_needed"), nullptr);
  EXPECT_EQ(FieldOf(ci, "blocks"), nullptr);
  ASSERT_NE(FieldOf(ci, "extra.blocks_raw"), nullptr);
  EXPECT_EQ(FieldOf(ci, "extra.blocks_raw")->kind, FieldChangeKind::kAdded);
  ASSERT_NE(FieldOf(ci, "extra.evidence_text"), nullptr);
  EXPECT_EQ(FieldOf(ci, "extra.evidence_text")->kind, FieldChangeKind::kRemoved);

  const FieldChange* rollback = FieldOf(ChangeOf(d, "FIX7-P0-DRYRUN-PROD-ROLLBACK-1"), "status");
  ASSERT_NE(rollback, nullptr);
  EXPECT_EQ(rollback->after, "OPEN_PARTIALLY_DISCHARGED");
  // REAL_RUN's status did not change.
  EXPECT_EQ(FieldOf(ChangeOf(d, "FIX7-P0-PLAN-REALRUN-1"), "status"), nullptr);

  std::string text = RenderDiffText(d);
  EXPECT_NE(text.find("blocker map diff: 0 added, 0 removed, 7 changed"), std::string::npos);
  EXPECT_NE(
      text.find("~ FIX7-P0-PROD-CI-SCOPE-1\n    status: \"OPEN\" → \"OPEN_DESIGN_DELIVERED\""),
      std::string::npos)
      << text;
}

TEST(ModelBlockerMapDiffTest, Seed000To001DoesNotClaimAStatusChange) {
  MapDiff d = DiffBlockerMaps(SeedBlockers("000_"), SeedBlockers("001_"));
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.removed.empty());
  ASSERT_EQ(d.changed.size(), 7u);
  for (const auto& c : d.changed) {
    EXPECT_EQ(FieldOf(&c, "status"), nullptr) << c.id;
    ASSERT_EQ(c.unstated.size(), 1u) << c.id;
    EXPECT_EQ(c.unstated[0].field, "status");
    EXPECT_EQ(c.unstated[0].missing_in, 'B');
    // 000 has no categories; 001 categorizes every blocker.
    const FieldChange* cat = FieldOf(&c, "category");
    ASSERT_NE(cat, nullptr) << c.id;
    EXPECT_EQ(cat->before, "");
  }
  const BlockerChange* ci = ChangeOf(d, "FIX7-P0-PROD-CI-SCOPE-1");
  EXPECT_EQ(ci->unstated[0].stated, "OPEN_DESIGN_DELIVERED");
  const FieldChange* blocks = FieldOf(ChangeOf(d, "FIX7-P0-PROD-BIRTH-SURFACE-1"), "blocks");
  ASSERT_NE(blocks, nullptr);
  EXPECT_EQ(blocks->before, (Json{"production"}));
  EXPECT_EQ(blocks->after, (Json{"production dry-run", "REAL_RUN", "QT001", "cutover"}));

  std::string text = RenderDiffText(d);
  EXPECT_NE(text.find("status: not stated by B; A says \"OPEN_DESIGN_DELIVERED\" (not compared)"),
            std::string::npos)
      << text;
  Json j = DiffToJson(d);
  EXPECT_EQ(j["format"], "prodgate.blocker-diff/1");
  EXPECT_EQ(j["changed"][0]["unstated"][0]["missing_in"], "b");
}

TEST(ModelBlockerMapDiffTest, IdenticalMapsHaveNoDiff) {
  std::vector<Blocker> a = SeedBlockers("001_");
  MapDiff d = DiffBlockerMaps(a, a);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(RenderDiffText(d), "blocker map diff: no changes\n");
}

TEST(ModelBlockerMapDiffTest, AddedRemovedAndEveryKindOfFieldChange) {
  Blocker x;
  x.id = "X";
  x.item = "x";
  x.actor_needed = {"owner", "operator"};
  x.blocks = {"production", "REAL_RUN"};
  x.extra = Json{{"kept", 1}, {"gone", "g"}, {"edited", "old"}};
  Blocker only_a;
  only_a.id = "A-ONLY";
  Blocker only_b;
  only_b.id = "B-ONLY";
  only_b.item = "new";

  Blocker y = x;
  y.actor_needed = {"operator", "owner"};  // same set, other order: no change
  y.blocks = {"production"};
  y.status = "OPEN_DESIGN_DELIVERED";
  y.evidence = {std::string(64, 'b')};
  y.next_action = "next";
  y.extra = Json{{"kept", 1}, {"edited", "new"}, {"fresh", true}};

  MapDiff d = DiffBlockerMaps({x, only_a}, {only_b, y});
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].id, "B-ONLY");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].id, "A-ONLY");
  ASSERT_EQ(d.changed.size(), 1u);
  Strings fields;
  for (const auto& f : d.changed[0].changes) fields.push_back(f.field);
  EXPECT_EQ(fields, (Strings{"status", "next_action", "blocks", "evidence", "extra.edited",
                             "extra.fresh", "extra.gone"}));
  EXPECT_TRUE(d.changed[0].unstated.empty());

  Json j = DiffToJson(d);
  EXPECT_EQ(j["added"][0]["id"], "B-ONLY");
  EXPECT_EQ(j["removed"][0]["id"], "A-ONLY");
  Json fresh = j["changed"][0]["changes"][5];
  EXPECT_EQ(fresh, (Json{{"field", "extra.fresh"}, {"kind", "added"}, {"after", true}}));
  Json gone = j["changed"][0]["changes"][6];
  EXPECT_EQ(gone, (Json{{"field", "extra.gone"}, {"kind", "removed"}, {"before", "g"}}));

  std::string text = RenderDiffText(d);
  EXPECT_NE(text.find("+ B-ONLY: new\n"), std::string::npos) << text;
  EXPECT_NE(text.find("- A-ONLY\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    extra.fresh: added true\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    extra.gone: removed \"g\"\n"), std::string::npos) << text;
}

// --- Summary ---------------------------------------------------------------------------------

TEST(ModelBlockerMapSummaryTest, Seed001AgreesWithItsOwnFigures) {
  ImportedMap m = Import(Seed("001_"));
  BlockerSummary s = Summarize(m.blockers);
  EXPECT_EQ(s.open_count, 7);
  EXPECT_EQ(s.open_count, m.metadata["open_count"]);
  EXPECT_EQ(s.engineering_open.size(), 0u);
  EXPECT_EQ(s.engineering_open.size(), m.metadata["engineering_blockers_remaining"]);
  EXPECT_TRUE(s.uncategorized_open.empty());
  EXPECT_TRUE(s.decision_next);
  EXPECT_NE(s.conclusion.find("all 7 open blockers need a human"), std::string::npos);
  EXPECT_NE(s.conclusion.find("the next step is a decision, not another preparation macro"),
            std::string::npos);
  // The seed says the same in its own words.
  EXPECT_NE(m.metadata["consequence"].get<std::string>().find("not another preparation macro"),
            std::string::npos);
  EXPECT_EQ(s.by_category["needs-grant"], 2);
  EXPECT_EQ(s.by_status, (std::map<std::string, int>{{"unset", 7}}));

  Json j = SummaryToJson(s);
  EXPECT_EQ(j["open_count"], 7);
  EXPECT_EQ(j["engineering_blockers_remaining"], 0);
  EXPECT_EQ(j["uncategorized_open"], 0);
  EXPECT_EQ(j["decision_next"], true);
  EXPECT_EQ(j["by_category"]["needs-ci-adoption"], 1);
  EXPECT_EQ(j["conclusion"], s.conclusion);
  std::string text = RenderSummaryText(s);
  EXPECT_NE(text.find("open_count: 7\nengineering_blockers_remaining: 0\n"), std::string::npos);
}

TEST(ModelBlockerMapSummaryTest, Seed000WithoutCategoriesDoesNotConcludeADecision) {
  BlockerSummary s = Summarize(SeedBlockers("000_"));
  EXPECT_EQ(s.open_count, 7);
  EXPECT_FALSE(s.decision_next);
  EXPECT_EQ(s.uncategorized_open.size(), 7u);
  EXPECT_EQ(s.by_category, (std::map<std::string, int>{{"uncategorized", 7}}));
  EXPECT_EQ(s.by_status["OPEN"], 5);
  EXPECT_EQ(s.by_status["OPEN_DESIGN_DELIVERED"], 1);
  EXPECT_EQ(s.by_status["OPEN_PARTIALLY_DISCHARGED"], 1);
  EXPECT_NE(s.conclusion.find("7 open blockers have no category"), std::string::npos);
  EXPECT_NE(s.conclusion.find("FIX7-P0-PROD-OPT4-1"), std::string::npos);
  EXPECT_NE(s.conclusion.find("prodgate blocker set ID --category C"), std::string::npos);
  EXPECT_EQ(s.conclusion.find("the next step is a decision"), std::string::npos);
  EXPECT_EQ(SummaryToJson(s)["uncategorized_open"], 7);
}

TEST(ModelBlockerMapSummaryTest, EngineeringBlockersAreNamedAndHoldTheDecision) {
  std::vector<Blocker> blockers = SeedBlockers("001_");
  blockers[2].category = kEngineering;
  blockers[4].category = "";
  Blocker done;
  done.id = "DONE-1";
  done.status = "CLOSED";
  done.category = kEngineering;
  blockers.push_back(done);
  BlockerSummary s = Summarize(blockers);
  EXPECT_EQ(s.open_count, 7);
  EXPECT_FALSE(s.decision_next);
  EXPECT_EQ(s.engineering_open, Strings{blockers[2].id});  // the closed one is not counted
  EXPECT_EQ(s.uncategorized_open, Strings{blockers[4].id});
  EXPECT_EQ(s.by_status["CLOSED"], 1);
  EXPECT_EQ(s.by_category[kEngineering], 1);
  EXPECT_NE(s.conclusion.find("1 engineering blocker remains (" + blockers[2].id + ")"),
            std::string::npos)
      << s.conclusion;
  EXPECT_NE(s.conclusion.find("1 open blocker has no category (" + blockers[4].id + ")"),
            std::string::npos)
      << s.conclusion;
}

TEST(ModelBlockerMapSummaryTest, NoOpenBlockersIsNotADecision) {
  Blocker done;
  done.id = "DONE-1";
  done.status = "CLOSED";
  BlockerSummary s = Summarize({done});
  EXPECT_EQ(s.open_count, 0);
  EXPECT_FALSE(s.decision_next);
  EXPECT_EQ(s.conclusion, "no open blockers: this map holds no gate");
  EXPECT_FALSE(Summarize({}).decision_next);
}

}  // namespace
}  // namespace prodgate::model
