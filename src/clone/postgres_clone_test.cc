// Clones on a real PostgreSQL server (tests/pg_cluster.h): the surrogate written with COPY,
// the isolation checks (production identity, marker, ways out), the whole clone check.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clone/clone_check.h"
#include "clone/isolation.h"
#include "clone/surrogate.h"
#include "core/sha256.h"
#include "db/database.h"
#include "tests/pg_cluster.h"

namespace prodgate::clone {
namespace {

const std::string kFix7Spec = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/surrogate.toml";

class PostgresCloneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = prodgate::testing::SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = *cluster;
  }
  std::string Name() { return fmt::format("pgclone_{}", ++databases_); }
  std::string Uri(const std::string& db) const { return cluster_->Uri(db); }
  void Sql(const std::string& db, const std::string& sql) {
    Status s = cluster_->Exec(db, sql);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\nin: " << sql;
  }
  // A fix7 surrogate clone in a new database; its name.
  std::string Surrogate(uint64_t seed) {
    std::string db = Name();
    auto r = GenerateSurrogate({kFix7Spec, seed, 1, Uri(db), false});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return db;
  }
  std::string Root(const std::string& db) {
    auto d = db::OpenTarget(Uri(db), db::OpenMode::kReadOnly);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return "";
    auto h = (*d)->Hash();
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? ToHex(h->root) : "";
  }
  std::vector<std::string> Rules(const CheckOutcome& o) {
    std::vector<std::string> out;
    for (const auto& f : o.findings) out.push_back(f.rule);
    return out;
  }
  Result<CheckOutcome> Isolation(const std::string& db, std::vector<ProductionIdentity> prod) {
    PG_ASSIGN_OR_RETURN(auto d, db::OpenTarget(Uri(db), db::OpenMode::kReadOnly));
    PG_ASSIGN_OR_RETURN(CheckOutcome out, CheckIsolation(*d, prod));
    PG_RETURN_IF_ERROR(CheckMarker(*d, out));
    PG_RETURN_IF_ERROR(CheckOutboundLinks(*d, out));
    return out;
  }

  static inline int databases_ = 0;
  prodgate::testing::PgCluster* cluster_ = nullptr;
};

TEST_F(PostgresCloneTest, SameSpecAndSeedGiveTheSameHashOnPostgres) {
  std::string a = Surrogate(7), b = Surrogate(7), c = Surrogate(8);
  std::string ra = Root(a);
  ASSERT_FALSE(ra.empty());
  EXPECT_EQ(Root(b), ra);
  EXPECT_NE(Root(c), ra) << "the control: another seed gives another database";
  auto rows = cluster_->Query(a, "SELECT count(*) FROM birth_registry");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->front().front(), "494");
  // The types were mapped and the identity continues after the rows.
  auto type = cluster_->Query(a,
                              "SELECT data_type FROM information_schema.columns WHERE "
                              "table_name = 'directus_users' AND column_name = 'last_access'");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(*type->front().front(), "timestamp with time zone");
}

TEST_F(PostgresCloneTest, AProductionIdentityIsAFinding) {
  std::string clone = Surrogate(7);
  auto sysid = cluster_->Query("postgres",
                               "SELECT system_identifier::text FROM "
                               "pg_control_system()");
  ASSERT_TRUE(sysid.ok());
  std::string id = *sysid->front().front();
  // The same host, port and database, written as a keyword string.
  auto same = Isolation(clone, {{"prod", "postgresql:" + cluster_->KeywordString(clone)}});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(Rules(*same), (std::vector<std::string>{"production-identity"}));
  // The same server by system_identifier (another address) and the same database.
  auto by_id = Isolation(clone, {{"prod", "postgresql://db.internal:5432/" + clone, id}});
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(Rules(*by_id), (std::vector<std::string>{"production-identity"}));
  // Negative controls: the same server but another database; another server.
  auto other_db = Isolation(clone, {{"prod", "postgresql://db.internal:5432/directus", id}});
  ASSERT_TRUE(other_db.ok());
  EXPECT_TRUE(other_db->findings.empty()) << other_db->findings[0].message;
  EXPECT_EQ(other_db->facts["production"][0]["result"], "same server, another database");
  auto other = Isolation(clone, {{"prod", "postgresql://db.internal:5432/" + clone, "1"}});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->findings.empty());
  EXPECT_EQ(other->state, CheckState::kPass);
}

TEST_F(PostgresCloneTest, WaysOutOfTheCloneAreFindings) {
  std::string clone = Surrogate(7);
  std::vector<ProductionIdentity> prod = {{"prod", "postgresql://db.internal/directus"}};
  auto clean = Isolation(clone, prod);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_TRUE(clean->findings.empty()) << "the control: a fresh surrogate has no way out";
  Sql(clone,
      "CREATE EXTENSION postgres_fdw; CREATE SERVER prod_srv FOREIGN DATA WRAPPER postgres_fdw "
      "OPTIONS (host 'db.internal', dbname 'directus'); CREATE USER MAPPING FOR CURRENT_USER "
      "SERVER prod_srv OPTIONS (user 'app', password 'hunter2'); CREATE EXTENSION dblink");
  Sql(clone,
      "CREATE SUBSCRIPTION prod_sub CONNECTION 'host=db.internal dbname=directus' PUBLICATION "
      "p WITH (connect = false)");
  auto dirty = Isolation(clone, prod);
  ASSERT_TRUE(dirty.ok()) << dirty.status().ToString();
  EXPECT_EQ(Rules(*dirty),
            (std::vector<std::string>{"foreign-server", "user-mapping", "subscription", "dblink"}));
  EXPECT_EQ(dirty->state, CheckState::kFail);
  for (const auto& f : dirty->findings) {
    EXPECT_FALSE(f.fix.empty()) << f.rule;
    EXPECT_EQ(f.message.find("hunter2"), std::string::npos) << f.message;
  }
  // The whole clone check fails on it.
  CloneCheckOptions o;
  o.production = prod;
  auto report = CheckClone(Uri(clone), o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->pass);
  Sql(clone, "ALTER SUBSCRIPTION prod_sub SET (slot_name = NONE); DROP SUBSCRIPTION prod_sub");
}

TEST_F(PostgresCloneTest, ACleanSurrogateCloneCheckPassesAndOneWithoutMarkerFails) {
  std::string clone = Surrogate(7);
  CloneCheckOptions o;
  o.production = {{"prod", "postgresql://db.internal/directus"}};
  o.schema_spec = std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/schema.toml";
  auto report = CheckClone(Uri(clone), o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& c : report->checks) {
    for (const auto& f : c.findings) ADD_FAILURE() << c.name << ": " << f.rule << ": " << f.message;
  }
  EXPECT_TRUE(report->pass);
  // Negative control: without the marker the isolation check fails.
  Sql(clone, "DROP TABLE prodgate_clone");
  auto unmarked = CheckClone(Uri(clone), o);
  ASSERT_TRUE(unmarked.ok()) << unmarked.status().ToString();
  EXPECT_FALSE(unmarked->pass);
  EXPECT_EQ(Rules(unmarked->checks[0]), (std::vector<std::string>{"marker-missing"}));
}

}  // namespace
}  // namespace prodgate::clone
