#include "clone/surrogate.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "clone/isolation.h"
#include "core/sha256.h"
#include "core/toml.h"
#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::clone {
namespace {

using db::testing::RootOf;
namespace fs = std::filesystem;

constexpr std::string_view kSpec = R"toml(
format = "prodgate.surrogate-spec/1"
[[table]]
name = "users"
rows = 20
scales = false
  [[table.column]]
  name = "id"
  type = "char(36)"
  primary_key = true
  not_null = true
  generate = "uuid"
  [[table.column]]
  name = "name"
  generate = "name"
  [[table.column]]
  name = "email"
  generate = "email"
  domains = ["example.org", "mail.test"]
[[table]]
name = "births"
rows = 100
  [[table.column]]
  name = "id"
  type = "INTEGER"
  primary_key = true
  generate = "sequence"
  [[table.column]]
  name = "object_id"
  not_null = true
  unique = true
  generate = "pattern"
  pattern = "TKT-OBJ-{seq:03}-{HEX:4}{{x}}"
  [[table.column]]
  name = "status"
  generate = "enum"
  values = ["born", "pending"]
  weights = [3, 1]
  [[table.column]]
  name = "score"
  generate = "real"
  min = 0
  max = 1
  decimals = 3
  [[table.column]]
  name = "n"
  generate = "integer"
  min = -5
  max = 5
  null_ratio = 0.25
  [[table.column]]
  name = "born_at"
  generate = "timestamp"
  from = "2025-01-01T00:00:00Z"
  to = 2025-12-31T23:59:59Z
  ascending = true
  precision = "ms"
  [[table.column]]
  name = "user_id"
  generate = "reference"
  table = "users"
  column = "id"
  [[table.column]]
  name = "user_email"
  generate = "reference"
  table = "users"
  column = "email"
  with = "user_id"
  [[table.column]]
  name = "blob"
  generate = "bytes"
  min = 4
  max = 8
  [[table.column]]
  name = "title"
  generate = "words"
  min = 2
  max = 4
  [[table.column]]
  name = "kind"
  generate = "constant"
  value = 42
  [[table.index]]
  columns = ["status"]
)toml";

Result<SurrogateSpec> Spec(std::string_view text) {
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(text, "s.toml"));
  return ParseSurrogateSpec(doc, "s.toml");
}

class SurrogateTest : public ::testing::Test {
 protected:
  std::string Generate(const std::string& name, uint64_t seed, double scale = 1,
                       std::string_view spec_text = kSpec) {
    std::string spec_path = dir_ / "spec.toml";
    prodgate::testing::WriteFile(spec_path, spec_text);
    std::string out = dir_ / name;
    auto r = GenerateSurrogate({spec_path, seed, scale, "sqlite:" + out, false});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return out;
  }
  std::vector<std::vector<std::string>> Rows(const std::string& path, const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_exec(
        db, sql.c_str(),
        [](void* p, int n, char** v, char**) {
          auto* out = static_cast<std::vector<std::vector<std::string>>*>(p);
          out->emplace_back();
          for (int i = 0; i < n; ++i) out->back().push_back(v[i] ? v[i] : "NULL");
          return 0;
        },
        &rows, nullptr);
    sqlite3_close(db);
    return rows;
  }
  prodgate::testing::ScratchDir dir_;
};

TEST_F(SurrogateTest, SameSpecAndSeedGiveTheSameLogicalHash) {
  std::string a = Generate("a.db", 7), b = Generate("b.db", 7);
  EXPECT_EQ(RootOf(a), RootOf(b));
}

TEST_F(SurrogateTest, ADifferentSeedGivesADifferentHash) {
  EXPECT_NE(RootOf(Generate("a.db", 7)), RootOf(Generate("b.db", 8)));
}

TEST_F(SurrogateTest, ScaleMultipliesRowsExceptFixedTables) {
  std::string p = Generate("s.db", 7, 2.5);
  EXPECT_EQ(Rows(p, "SELECT count(*) FROM births")[0][0], "250");
  EXPECT_EQ(Rows(p, "SELECT count(*) FROM users")[0][0], "20");
  EXPECT_NE(RootOf(p), RootOf(Generate("t.db", 7, 1)));
}

TEST_F(SurrogateTest, ValuesHaveTheirShapes) {
  std::string p = Generate("v.db", 11);
  auto rows = Rows(p,
                   "SELECT object_id, status, score, n, born_at, typeof(blob), length(blob), "
                   "title, kind FROM births ORDER BY id");
  ASSERT_EQ(rows.size(), 100u);
  std::regex object("TKT-OBJ-\\d{3}-[0-9A-F]{4}\\{x\\}");
  std::regex time("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  std::string last_time;
  int nulls = 0, born = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    EXPECT_TRUE(std::regex_match(r[0], object)) << r[0];
    EXPECT_EQ(r[0].substr(8, 3), fmt::format("{:03}", i + 1));
    EXPECT_TRUE(r[1] == "born" || r[1] == "pending");
    born += r[1] == "born";
    double score = std::stod(r[2]);
    EXPECT_TRUE(score >= 0 && score <= 1);
    if (r[3] == "NULL") {
      ++nulls;
    } else {
      EXPECT_TRUE(std::stoi(r[3]) >= -5 && std::stoi(r[3]) <= 5);
    }
    EXPECT_TRUE(std::regex_match(r[4], time)) << r[4];
    EXPECT_GE(r[4], last_time);  // ascending
    last_time = r[4];
    EXPECT_EQ(r[5], "blob");
    EXPECT_TRUE(std::stoi(r[6]) >= 4 && std::stoi(r[6]) <= 8);
    EXPECT_EQ(r[8], "42");
  }
  EXPECT_GT(nulls, 5);  // null_ratio 0.25 of 100
  EXPECT_LT(nulls, 50);
  EXPECT_GT(born, 50);  // weight 3:1
  // UUIDs are version 4, names and emails belong to the same person, domains are reserved.
  auto users = Rows(p, "SELECT id, name, email FROM users");
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const auto& u : users) {
    EXPECT_TRUE(std::regex_match(u[0], uuid)) << u[0];
    std::string first = u[1].substr(0, u[1].find(' '));
    std::transform(first.begin(), first.end(), first.begin(), ::tolower);
    EXPECT_EQ(u[2].substr(0, first.size() + 1), first + ".") << u[1] << " / " << u[2];
    EXPECT_TRUE(u[2].ends_with("@example.org") || u[2].ends_with("@mail.test")) << u[2];
  }
}

TEST_F(SurrogateTest, ReferencesPointAtExistingRowsAndWithKeepsTheRow) {
  std::string p = Generate("r.db", 3);
  auto orphans = Rows(p,
                      "SELECT count(*) FROM births b LEFT JOIN users u ON u.id = b.user_id "
                      "WHERE u.id IS NULL OR u.email <> b.user_email");
  EXPECT_EQ(orphans[0][0], "0");
}

TEST_F(SurrogateTest, TheMarkerRecordsTheProvenance) {
  std::string p = Generate("m.db", 99, 0.5);
  auto rows = Rows(p, "SELECT key, value FROM prodgate_clone ORDER BY key");
  std::map<std::string, std::string> kv;
  for (const auto& r : rows) kv[r[0]] = r[1];
  EXPECT_EQ(kv["made_by"], "surrogate");
  EXPECT_EQ(kv["seed"], "99");
  EXPECT_EQ(kv["scale"], "0.5");
  EXPECT_EQ(kv["format"], "prodgate.clone/1");
  EXPECT_EQ(kv["spec_sha256"], ToHex(Sha256Of(kSpec)));
  EXPECT_FALSE(kv.count("created_at"));  // a timestamp would break determinism
  auto db = db::OpenTarget("sqlite:" + p, db::OpenMode::kReadOnly);
  CheckOutcome out;
  ASSERT_TRUE(CheckMarker(**db, out).ok());
  EXPECT_TRUE(out.findings.empty());
}

TEST_F(SurrogateTest, AnExistingFileIsNotOverwrittenWithoutForce) {
  std::string p = Generate("x.db", 1);
  std::string root = RootOf(p);
  auto again = GenerateSurrogate({dir_ / "spec.toml", 2, 1, "sqlite:" + p, false});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kBadInput);
  EXPECT_EQ(RootOf(p), root);
  auto forced = GenerateSurrogate({dir_ / "spec.toml", 2, 1, "sqlite:" + p, true});
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_NE(RootOf(p), root);
  // No temporary file is left beside it.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 2u);  // spec.toml and x.db
}

TEST(SurrogateSpec, EveryProblemIsReported) {
  auto spec = Spec(R"toml(
[[table]]
name = "a"
rows = 10
  [[table.column]]
  name = "id"
  generate = "sequense"
  [[table.column]]
  name = "mail"
  generate = "email"
  domains = ["gmail.com"]
  [[table.column]]
  name = "ref"
  generate = "reference"
  table = "nowhere"
  column = "id"
  [[table.column]]
  name = "p"
  generate = "pattern"
  pattern = "X-{seq:03"
  [[table.column]]
  name = "t"
  generate = "timestamp"
  from = "2025-13-01T00:00:00Z"
  to = "2025-01-01T00:00:00"
  [[table.column]]
  name = "e"
  generate = "enum"
  values = ["a", "b"]
  weights = [1]
  colour = "red"
)toml");
  ASSERT_FALSE(spec.ok());
  const std::string& what = spec.status().what();
  for (const char* needle :
       {"unknown generator \"sequense\"", "domain \"gmail.com\" is not reserved",
        "unknown table \"nowhere\"", "pattern: an unclosed '{'", "\"from\" is not an RFC 3339",
        "\"to\" is not an RFC 3339", "\"weights\" must list one number per value",
        "unknown key \"colour\" for generator \"enum\""}) {
    EXPECT_NE(what.find(needle), std::string::npos) << needle << "\n" << what;
  }
}

TEST(SurrogateSpec, ReferenceLoopsAreRefused) {
  auto spec = Spec(R"toml(
[[table]]
name = "a"
rows = 1
  [[table.column]]
  name = "x"
  generate = "reference"
  table = "b"
  column = "y"
[[table]]
name = "b"
rows = 1
  [[table.column]]
  name = "y"
  generate = "reference"
  table = "a"
  column = "x"
)toml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().what().find("loop"), std::string::npos) << spec.status().what();
}

TEST(SurrogateSpec, ReservedDomains) {
  for (const char* d : {"example.com", "EXAMPLE.org", "mail.example.net", "corp.test", "x.invalid",
                        "shop.example", "db.localhost"}) {
    EXPECT_TRUE(IsReservedDomain(d)) << d;
  }
  for (const char* d : {"gmail.com", "example.co", "notexample.com", "test", "example.com.evil.io",
                        "", "a..test"}) {
    EXPECT_FALSE(IsReservedDomain(d)) << d;
  }
}

TEST(SurrogateSpec, CreateTableFollowsTheSpec) {
  auto spec = Spec(R"toml(
[[table]]
name = "t"
rows = 1
primary_key = ["a", "b"]
without_rowid = true
  [[table.column]]
  name = "a"
  type = "TEXT"
  not_null = true
  collate = "NOCASE"
  generate = "uuid"
  [[table.column]]
  name = "b"
  generate = "sequence"
)toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(CreateTableSql(spec->tables[0]),
            "CREATE TABLE \"t\" (\n  \"a\" TEXT NOT NULL COLLATE NOCASE,\n  \"b\" INTEGER,\n"
            "  PRIMARY KEY (\"a\", \"b\")\n) WITHOUT ROWID");
}

// Found by fuzz/surrogate_spec_fuzz.cc: start + row × step overflowed int64_t (undefined
// behaviour) for a spec the parser accepts; it is refused before anything is written.
TEST_F(SurrogateTest, ASequenceThatLeavesTheIntegerRangeIsRefused) {
  for (const char* column : {"generate = \"sequence\"\n  start = 9223372036854775807",
                             "generate = \"sequence\"\n  step = -4611686018427387905",
                             "generate = \"pattern\"\n  pattern = \"X{seq}\"\n"
                             "  start = 9223372036854775807"}) {
    std::string spec_path = dir_ / "overflow.toml";
    prodgate::testing::WriteFile(spec_path,
                                 fmt::format("[[table]]\nname = \"t\"\nrows = 3\n"
                                             "  [[table.column]]\n  name = \"c\"\n  {}\n",
                                             column));
    std::string out = dir_ / "overflow.db";
    auto r = GenerateSurrogate({spec_path, 1, 1, "sqlite:" + out, false});
    ASSERT_FALSE(r.ok()) << column;
    EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
    EXPECT_NE(r.status().what().find("64-bit integer range"), std::string::npos)
        << r.status().what();
    EXPECT_FALSE(fs::exists(out));
  }
}

// Found by fuzz/surrogate_spec_fuzz.cc: the smallest int64_t was negated (undefined
// behaviour) when a pattern wrote it.
TEST_F(SurrogateTest, PatternsWriteTheSmallestInteger) {
  std::string out = Generate("min.db", 1, 1, R"toml(
[[table]]
name = "t"
rows = 1
  [[table.column]]
  name = "p"
  generate = "pattern"
  pattern = "{int:-9223372036854775808..-9223372036854775808}"
  [[table.column]]
  name = "s"
  generate = "pattern"
  pattern = "{seq:3}"
  start = -9223372036854775808
)toml");
  EXPECT_EQ(
      Rows(out, "SELECT p, s FROM t"),
      (std::vector<std::vector<std::string>>{{"-9223372036854775808", "-9223372036854775808"}}));
}

}  // namespace
}  // namespace prodgate::clone
