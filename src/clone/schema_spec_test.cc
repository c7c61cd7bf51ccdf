#include "clone/schema_spec.h"

#include <gtest/gtest.h>

#include "core/toml.h"
#include "db/test_support.h"
#include "tests/test_util.h"

namespace prodgate::clone {
namespace {

using db::testing::Sql;

Result<SchemaSpec> Spec(std::string_view toml) {
  PG_ASSIGN_OR_RETURN(Json doc, ParseToml(toml, "spec.toml"));
  return ParseSchemaSpec(doc, "spec.toml");
}

constexpr std::string_view kSpec = R"toml(
format = "prodgate.schema/1"
[[table]]
name = "births"
primary_key = ["id"]
  [[table.column]]
  name = "id"
  type = "INTEGER"
  [[table.column]]
  name = "object_id"
  type = ["varchar(32)", "TEXT"]
  not_null = true
  [[table.column]]
  name = "born"
  affinity = "TEXT"
[[table]]
name = "approvals"
primary_key = ["id"]
without_rowid = false
strict = true
  [[table.column]]
  name = "id"
  type = "INTEGER"
  [[table.column]]
  name = "birth_id"
  type = "INTEGER"
  not_null = true
)toml";

std::vector<std::string> Check(const std::string& db_sql, std::string_view spec_text = kSpec) {
  prodgate::testing::ScratchDir dir;
  std::string p = dir / "x.db";
  Sql(p, db_sql);
  auto db = db::OpenTarget("sqlite:" + p, db::OpenMode::kReadOnly);
  EXPECT_TRUE(db.ok());
  auto schema = (*db)->Introspect();
  EXPECT_TRUE(schema.ok());
  auto spec = Spec(spec_text);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  CheckOutcome out = CheckSchema(*schema, *spec);
  std::vector<std::string> lines;
  for (const auto& f : out.findings) lines.push_back(f.rule + ": " + f.message);
  EXPECT_EQ(out.state == CheckState::kFail, !lines.empty());
  return lines;
}

TEST(SchemaSpec, AMatchingDatabasePasses) {
  auto findings = Check(
      "CREATE TABLE births(id INTEGER PRIMARY KEY, object_id VARCHAR( 32 ) NOT NULL, born "
      "datetime_text);"
      "CREATE TABLE approvals(id INTEGER PRIMARY KEY, birth_id INTEGER NOT NULL);");
  EXPECT_TRUE(findings.empty()) << findings[0];
}

TEST(SchemaSpec, EveryMismatchIsReported) {
  auto findings = Check(
      "CREATE TABLE births(id TEXT, object_id INT, born REAL, PRIMARY KEY(object_id));"
      "CREATE TABLE approvals(id INTEGER PRIMARY KEY, birth_id, extra TEXT);");
  std::string all;
  for (const auto& f : findings) all += f + "\n";
  for (const char* needle :
       {"wrong-type: column births.id has type \"TEXT\", expected \"INTEGER\"",
        "wrong-type: column births.object_id has type \"INT\", expected one of \"varchar(32)\", "
        "\"TEXT\"",
        "wrong-not-null: column births.object_id allows NULL",
        "wrong-affinity: column births.born has affinity REAL",
        "wrong-primary-key: table births has primary key (object_id), expected (id)",
        "wrong-type: column approvals.birth_id has type \"\"",
        "wrong-not-null: column approvals.birth_id allows NULL",
        "extra-column: column approvals.extra is not in the spec"}) {
    EXPECT_NE(all.find(needle), std::string::npos) << "missing: " << needle << "\nin:\n" << all;
  }
  EXPECT_EQ(findings.size(), 8u) << all;
}

TEST(SchemaSpec, MissingTablesAndColumnsAreReported) {
  auto findings = Check("CREATE TABLE births(id INTEGER PRIMARY KEY, born TEXT);");
  std::string all;
  for (const auto& f : findings) all += f + "\n";
  EXPECT_NE(all.find("missing-column: column births.object_id is missing"), std::string::npos)
      << all;
  EXPECT_NE(all.find("missing-table: table approvals is missing"), std::string::npos) << all;
  EXPECT_EQ(findings.size(), 2u) << all;
}

TEST(SchemaSpec, NamesMatchIgnoringCase) {
  auto findings = Check(
      "CREATE TABLE Births(ID INTEGER PRIMARY KEY, Object_Id TEXT NOT NULL, born TEXT);"
      "CREATE TABLE approvals(id INTEGER PRIMARY KEY, birth_id INTEGER NOT NULL);");
  EXPECT_TRUE(findings.empty()) << findings[0];
}

TEST(SchemaSpec, AMalformedSpecListsEveryProblem) {
  auto spec = Spec(R"toml(
format = "prodgate.schema/2"
colour = "blue"
[[table]]
name = "a"
primry_key = ["id"]
  [[table.column]]
  name = "id"
  affinity = "STRING"
  not_null = "yes"
[[table]]
name = "A"
)toml");
  ASSERT_FALSE(spec.ok());
  const std::string& what = spec.status().what();
  for (const char* needle : {"6 problems", "unknown key \"colour\"", "is \"prodgate.schema/2\"",
                             "unknown key \"primry_key\"", "\"affinity\" must be",
                             "\"not_null\" must be true or false", "appears twice"}) {
    EXPECT_NE(what.find(needle), std::string::npos) << needle << "\n" << what;
  }
}

TEST(SchemaSpec, TypeRules) {
  EXPECT_EQ(NormalizeType("varchar( 36 )"), "VARCHAR(36)");
  EXPECT_EQ(NormalizeType("character varying(36)"), "VARCHAR(36)");
  EXPECT_EQ(NormalizeType("character(36)"), "CHAR(36)");
  EXPECT_EQ(NormalizeType("timestamp with time zone"), "TIMESTAMPTZ");
  EXPECT_NE(NormalizeType("timestamp without time zone"), NormalizeType("timestamptz"));
  EXPECT_EQ(TypeAffinity("BIGINT"), "INTEGER");
  EXPECT_EQ(TypeAffinity("varchar(36)"), "TEXT");
  EXPECT_EQ(TypeAffinity(""), "BLOB");
  EXPECT_EQ(TypeAffinity("double precision"), "REAL");
  EXPECT_EQ(TypeAffinity("datetime"), "NUMERIC");
  EXPECT_EQ(TypeAffinity("point"), "INTEGER");  // SQLite's rule: "poINT" contains INT
}

}  // namespace
}  // namespace prodgate::clone
