// The surrogate spec (clone/surrogate.h: ParseSurrogateSpec over core/toml.h: ParseToml),
// and the generator run on what the parser accepts.
//
// A spec the parser accepts is one `prodgate surrogate` runs, so the harness also generates
// its rows (WriteSurrogate) into a database that keeps nothing (below): every parameter the
// parser lets through must generate without undefined behaviour. Small specs only (at most
// kMaxRows rows in all and short values), so that an input runs in microseconds.
//
// Properties: refusal is a Status; CREATE TABLE statements are written for every table;
// generation of an accepted spec succeeds or refuses as bad input (a sequence that leaves
// the integer range for the rows it gets); text values are UTF-8; a row sets every column
// once.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "clone/surrogate.h"
#include "core/unicode.h"
#include "fuzz/fuzz_util.h"

using namespace prodgate;
using namespace prodgate::clone;

namespace {

constexpr int64_t kMaxRows = 16;
constexpr int64_t kMaxValueBytes = 1 << 12;

class NullWriter : public db::RowWriter {
 public:
  explicit NullWriter(size_t columns) : set_(columns, 0) {}
  void Set(size_t i, const db::ValueRef& v) override {
    FUZZ_CHECK(i < set_.size(), "value for a column that does not exist");
    ++set_[i];
    if (v.type == db::ValueType::kText) {
      FUZZ_CHECK(IsValidUtf8(v.bytes), "generated text is not UTF-8: " + std::string(v.bytes));
    }
  }
  Status AddRow() override {
    for (int n : set_) FUZZ_CHECK(n == 1, "a row did not set every column exactly once");
    std::fill(set_.begin(), set_.end(), 0);
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  std::vector<int> set_;
};

// A writable database that keeps nothing; only what the generator calls is implemented.
// It implements db::Database (db/database.h): a method added there must be added here.
class NullDatabase : public db::Database {
 public:
  NullDatabase() {
    identity_.engine = "null";
    identity_.target = "null:";
  }
  const db::Identity& identity() const override { return identity_; }
  Result<db::Schema> Introspect() override { return Status::Internal("not kept"); }
  Result<db::LogicalHash> Hash(const db::HashOptions&) override {
    return Status::Internal("not kept");
  }
  Result<std::unique_ptr<db::RowCursor>> Scan(const db::RowScan&) override {
    return Status::Internal("not kept");
  }
  Result<uint64_t> CountRows(std::string_view) override { return Status::Internal("not kept"); }
  Status BeginRead() override { return Status::Ok(); }
  Status EndRead() override { return Status::Ok(); }
  Result<std::vector<db::Sequence>> Sequences() override { return Status::Internal("not kept"); }
  Status Snapshot(const std::string&) override { return Status::Internal("not kept"); }
  Status Restore(const std::string&) override { return Status::Internal("not kept"); }
  Status DiscardSnapshot(const std::string&) override { return Status::Internal("not kept"); }
  Status Execute(std::string_view) override { return Status::Ok(); }
  Result<std::unique_ptr<db::RowWriter>> Insert(std::string_view,
                                                const std::vector<std::string>& columns) override {
    return std::unique_ptr<db::RowWriter>(new NullWriter(columns.size()));
  }
  Status Finish() override { return Status::Ok(); }

 private:
  db::Identity identity_;
};

bool SmallEnough(const SurrogateSpec& spec) {
  int64_t rows = 0;
  for (const auto& t : spec.tables) {
    if (t.rows > kMaxRows) return false;
    rows += t.rows;
    for (const auto& c : t.columns) {
      if ((c.generator == Generator::kBytes || c.generator == Generator::kWords) &&
          c.max_int > kMaxValueBytes) {
        return false;
      }
    }
  }
  return rows <= kMaxRows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<Json> doc = fuzz::ParseTomlChecked(fuzz::AsText(data, size), "surrogate.toml");
  if (!doc.ok()) return 0;
  Result<SurrogateSpec> spec = ParseSurrogateSpec(*doc, "surrogate.toml");
  if (!spec.ok()) {
    FUZZ_CHECK(!spec.status().what().empty(), "refusal without a message");
    return 0;
  }
  for (const auto& t : spec->tables) {
    FUZZ_CHECK(CreateTableSql(t).starts_with("CREATE TABLE "), "no CREATE TABLE for " + t.name);
  }
  if (!SmallEnough(*spec)) return 0;
  NullDatabase out;
  uint64_t seed = size > 0 ? data[0] : 0;
  Result<SurrogateReport> report = WriteSurrogate(*spec, "spec", seed, 1.0, out);
  if (!report.ok()) {
    // What the parser cannot know (the rows a scale gives) is refused here, as bad input.
    FUZZ_CHECK(report.status().code() == StatusCode::kBadInput,
               "an accepted spec fails to generate: " + report.status().ToString());
    return 0;
  }
  (void)SurrogateText(*report);
  Result<std::string> json = SurrogateJson(*report);
  FUZZ_CHECK(json.ok(), "the report does not serialize: " + json.status().ToString());
  return 0;
}
