#include "db/postgres.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "core/canonical_json.h"
#include "core/civil_time.h"
#include "core/redact.h"
#include "core/sha256.h"

namespace prodgate::db {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSnapshotFormat = "prodgate.pg-snapshot/1";

// Session defaults, placed before the target's own options (which therefore win).
constexpr std::string_view kPinnedOptions =
    "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3 "
    "-c bytea_output=hex";

// Catalog text (defaults, view and function definitions) is read with these, whatever the
// session says, and the previous values are restored afterwards (SET LOCAL … TO DEFAULT).
constexpr const char* kPinCatalog =
    "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; "
    "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; "
    "SET LOCAL search_path = ''; SET LOCAL bytea_output = 'hex'";
constexpr const char* kUnpinCatalog =
    "SET LOCAL TimeZone TO DEFAULT; SET LOCAL DateStyle TO DEFAULT; "
    "SET LOCAL IntervalStyle TO DEFAULT; SET LOCAL extra_float_digits TO DEFAULT; "
    "SET LOCAL search_path TO DEFAULT; SET LOCAL bytea_output TO DEFAULT";

constexpr const char* kBeginRead =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL row_security = off";

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultClear>;

std::string FirstLine(std::string_view s) {
  size_t nl = s.find('\n');
  return std::string(s.substr(0, nl));
}

void IgnoreNotice(void*, const char*) {}

std::string QuoteIdent(std::string_view id) {
  std::string q = "\"";
  for (char c : id) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  return q + "\"";
}

std::string QuoteLiteral(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q.push_back('\'');
    q.push_back(c);
  }
  return q + "'";
}

// One part of a table's name: as is, or "double-quoted" when it could be misread.
std::string NamePart(std::string_view s) {
  if (!s.empty() && s.find('.') == std::string_view::npos &&
      s.find('"') == std::string_view::npos) {
    return std::string(s);
  }
  return QuoteIdent(s);
}

std::string DisplayName(std::string_view schema, std::string_view rel) {
  if (schema == "public") return NamePart(rel);
  return NamePart(schema) + "." + NamePart(rel);
}

// The inverse of DisplayName: (schema, relation), or nullopt.
std::optional<std::pair<std::string, std::string>> ParseDisplayName(std::string_view name) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    std::string part;
    if (i < name.size() && name[i] == '"') {
      ++i;
      while (true) {
        if (i >= name.size()) return std::nullopt;
        if (name[i] == '"') {
          if (i + 1 < name.size() && name[i + 1] == '"') {
            part.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        part.push_back(name[i++]);
      }
    } else {
      while (i < name.size() && name[i] != '.') {
        if (name[i] == '"') return std::nullopt;
        part.push_back(name[i++]);
      }
      if (part.empty()) return std::nullopt;
    }
    parts.push_back(std::move(part));
    if (i == name.size()) break;
    if (name[i] != '.') return std::nullopt;
    ++i;
  }
  if (parts.size() == 1) return std::make_pair(std::string("public"), parts[0]);
  if (parts.size() == 2) return std::make_pair(parts[0], parts[1]);
  return std::nullopt;
}

std::string SqlName(std::string_view schema, std::string_view rel) {
  return QuoteIdent(schema) + "." + QuoteIdent(rel);
}

bool NameLess(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  });
}

// `s` with `fix` when it has none.
Status WithFix(Status s, const std::string& fix) {
  if (s.ok() || !s.fix().empty()) return s;
  return s.code() == StatusCode::kInternal ? Status::Internal(s.what(), fix)
                                           : Status::BadInput(s.what(), fix);
}

Status ErrorOf(PGconn* c, const PGresult* r, const std::string& what, std::string fix = {}) {
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = primary ? primary : FirstLine(c ? PQerrorMessage(c) : "no connection");
  if (state) msg += fmt::format(" (SQLSTATE {})", state);
  return Status::BadInput(fmt::format("{}: {}", what, msg), std::move(fix));
}

// Runs SQL (one or more statements when there are no parameters); the last result.
Result<PgResult> Run(PGconn* c, const std::string& sql, const std::string& what,
                     const std::vector<std::string>& params = {}) {
  PgResult r;
  if (params.empty()) {
    r.reset(PQexec(c, sql.c_str()));
  } else {
    std::vector<const char*> v;
    for (const auto& p : params) v.push_back(p.c_str());
    r.reset(PQexecParams(c, sql.c_str(), static_cast<int>(v.size()), nullptr, v.data(), nullptr,
                         nullptr, 0));
  }
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COPY_IN) {
    PQputCopyEnd(c, "prodgate does not feed COPY FROM STDIN in scripts");
    while (PGresult* x = PQgetResult(c)) PQclear(x);
    return Status::BadInput(what + ": the SQL uses COPY … FROM STDIN",
                            "load data with INSERT statements or a server-side file");
  }
  if (st == PGRES_COPY_OUT) {
    char* buf = nullptr;
    while (PQgetCopyData(c, &buf, 0) > 0) PQfreemem(buf);
    while (PGresult* x = PQgetResult(c)) PQclear(x);
    return Status::BadInput(what + ": the SQL uses COPY … TO STDOUT", "remove it from the script");
  }
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorOf(c, r.get(), what);
  return r;
}

std::string Cell(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col));
}

bool CellBool(const PGresult* r, int row, int col) { return Cell(r, row, col) == "t"; }

std::optional<int64_t> ParseI64(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return static_cast<int64_t>(v);
}

// Connects with the adapter's session defaults; `dbname` (when not empty) replaces the
// target's database.
Result<Conn> Connect(const std::string& conninfo, const std::string& shown,
                     const std::string& dbname = {}) {
  PG_ASSIGN_OR_RETURN(auto kv, ParseConninfo(conninfo));
  std::string options(kPinnedOptions);
  if (auto it = kv.find("options"); it != kv.end()) {
    options += " " + it->second;
  } else if (const char* env = std::getenv("PGOPTIONS"); env != nullptr && *env) {
    options += " " + std::string(env);
  }
  std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname",
                                   "options", "client_encoding"};
  std::vector<const char*> values = {"10", "prodgate", conninfo.c_str(), options.c_str(), "UTF8"};
  if (!dbname.empty()) {
    keys.push_back("dbname");
    values.push_back(dbname.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  Conn c(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (!c || PQstatus(c.get()) != CONNECTION_OK) {
    std::string why =
        c ? ScrubMessage(FirstLine(PQerrorMessage(c.get())), conninfo, shown) : "out of memory";
    return Status::BadInput(
        fmt::format("cannot connect to {}{}: {}", shown,
                    dbname.empty() ? "" : fmt::format(" (database \"{}\")", dbname), why),
        "check the target, that the PostgreSQL server is running and reachable, and the "
        "role's credentials");
  }
  PQsetNoticeProcessor(c.get(), IgnoreNotice, nullptr);
  const char* enc = PQparameterStatus(c.get(), "server_encoding");
  if (enc == nullptr || std::string_view(enc) != "UTF8") {
    return Status::BadInput(
        fmt::format("{}: the database encoding is {}, not UTF8", shown, enc ? enc : "unknown"),
        "prodgate reads and compares UTF-8 bytes; use a UTF8 database (CREATE DATABASE … "
        "ENCODING 'UTF8' TEMPLATE template0)");
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Types and values.

enum class Kind {
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kBool,
  kFloat4,
  kFloat8,
  kText,
  kJsonb,
  kBytea,
  kNumeric,
  kUuid,
  kDate,
  kTime,
  kTimestamp,
  kTimestamptz,
  kTid,
  kRaw,
};

Kind KindOfBase(uint32_t oid, char typtype) {
  switch (oid) {
    case 16:
      return Kind::kBool;
    case 17:
      return Kind::kBytea;
    case 18:
    case 19:
    case 25:
    case 114:
    case 1042:
    case 1043:
      return Kind::kText;
    case 20:
      return Kind::kInt8;
    case 21:
      return Kind::kInt2;
    case 23:
      return Kind::kInt4;
    case 26:
      return Kind::kOid;
    case 27:
      return Kind::kTid;
    case 700:
      return Kind::kFloat4;
    case 701:
      return Kind::kFloat8;
    case 1082:
      return Kind::kDate;
    case 1083:
      return Kind::kTime;
    case 1114:
      return Kind::kTimestamp;
    case 1184:
      return Kind::kTimestamptz;
    case 1700:
      return Kind::kNumeric;
    case 2950:
      return Kind::kUuid;
    case 3802:
      return Kind::kJsonb;
    default:
      return typtype == 'e' ? Kind::kText : Kind::kRaw;
  }
}

// Key columns whose decoded value orders (db/value.h) as PostgreSQL orders them.
bool NativeKeyOrder(Kind k) {
  switch (k) {
    case Kind::kInt2:
    case Kind::kInt4:
    case Kind::kInt8:
    case Kind::kOid:
    case Kind::kBool:
    case Kind::kBytea:
    case Kind::kUuid:
      return true;
    default:
      return false;
  }
}

uint16_t U16(const char* p) {
  return static_cast<uint16_t>((static_cast<unsigned char>(p[0]) << 8) |
                               static_cast<unsigned char>(p[1]));
}
uint32_t U32(const char* p) {
  return (uint32_t{static_cast<unsigned char>(p[0])} << 24) |
         (uint32_t{static_cast<unsigned char>(p[1])} << 16) |
         (uint32_t{static_cast<unsigned char>(p[2])} << 8) | static_cast<unsigned char>(p[3]);
}
uint64_t U64(const char* p) { return (uint64_t{U32(p)} << 32) | U32(p + 4); }

constexpr int64_t kPgEpochDays = 10957;  // 2000-01-01 - 1970-01-01
constexpr int64_t kUsPerDay = int64_t{86400} * 1000000;

// The renderers below append text in PostgreSQL's own output format (ISO dates, the
// numeric's digits as stored) to `out`. They run once per value of a hashed table, so they
// write digits directly instead of formatting.

// Appends n in decimal, zero-padded to at least `width` digits.
void AppendDecimal(std::string& out, uint64_t n, size_t width) {
  char b[20];
  size_t len = 0;
  do {
    b[sizeof b - 1 - len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  if (len < width) out.append(width - len, '0');
  out.append(b + sizeof b - len, len);
}

// Appends YYYY-MM-DD (the year of a BC date as a positive number; `bc` tells).
void AppendYmd(std::string& out, int64_t days_since_pg_epoch, bool& bc) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days_since_pg_epoch + kPgEpochDays, y, m, d);
  bc = y <= 0;
  AppendDecimal(out, static_cast<uint64_t>(bc ? 1 - y : y), 4);
  out.push_back('-');
  AppendDecimal(out, m, 2);
  out.push_back('-');
  AppendDecimal(out, d, 2);
}

// Appends HH:MM:SS[.ffffff without trailing zeros] for `us` microseconds (>= 0).
void AppendHms(std::string& out, int64_t us) {
  int64_t s = us / 1000000, frac = us % 1000000;
  AppendDecimal(out, static_cast<uint64_t>(s / 3600), 2);
  out.push_back(':');
  AppendDecimal(out, static_cast<uint64_t>(s / 60 % 60), 2);
  out.push_back(':');
  AppendDecimal(out, static_cast<uint64_t>(s % 60), 2);
  if (frac != 0) {
    size_t digits = 6;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    out.push_back('.');
    AppendDecimal(out, static_cast<uint64_t>(frac), digits);
  }
}

void AppendTimestamp(std::string& out, int64_t us, bool tz) {
  if (us == std::numeric_limits<int64_t>::min()) {
    out += "-infinity";
    return;
  }
  if (us == std::numeric_limits<int64_t>::max()) {
    out += "infinity";
    return;
  }
  int64_t days = us / kUsPerDay, rem = us % kUsPerDay;
  if (rem < 0) {
    rem += kUsPerDay;
    --days;
  }
  bool bc = false;
  AppendYmd(out, days, bc);
  out.push_back(' ');
  AppendHms(out, rem);
  if (tz) out += "+00";
  if (bc) out += " BC";
}

// Appends the numeric's decimal text with exactly its display scale; false when the bytes
// are not a valid binary numeric (base-10000 digits each in [0, 9999]).
bool AppendNumeric(std::string& out, const char* p, size_t n) {
  if (n < 8) return false;
  int ndigits = static_cast<int16_t>(U16(p));
  int weight = static_cast<int16_t>(U16(p + 2));
  uint16_t sign = U16(p + 4);
  int dscale = static_cast<int16_t>(U16(p + 6));
  if (ndigits < 0 || dscale < 0 || n != 8 + 2 * static_cast<size_t>(ndigits)) return false;
  if (sign == 0xC000) return out += "NaN", true;
  if (sign == 0xD000) return out += "Infinity", true;
  if (sign == 0xF000) return out += "-Infinity", true;
  if (sign != 0x0000 && sign != 0x4000) return false;
  for (int i = 0; i < ndigits; ++i) {
    if (U16(p + 8 + 2 * i) > 9999) return false;
  }
  auto digit = [&](int i) -> uint64_t { return i >= 0 && i < ndigits ? U16(p + 8 + 2 * i) : 0; };
  if (sign == 0x4000) out.push_back('-');
  if (weight < 0) {
    out.push_back('0');
  } else {
    for (int i = 0; i <= weight; ++i) AppendDecimal(out, digit(i), i == 0 ? 1 : 4);
  }
  if (dscale > 0) {
    out.push_back('.');
    size_t frac_start = out.size();
    for (int i = weight + 1; static_cast<int>(out.size() - frac_start) < dscale; ++i) {
      AppendDecimal(out, digit(i), 4);
    }
    out.resize(frac_start + static_cast<size_t>(dscale));
  }
  return true;
}

// Decodes one binary COPY field into `out` (text it renders lives in `scratch`).
bool DecodeField(Kind kind, const char* p, int32_t len, std::string& scratch, ValueRef& out) {
  if (len < 0) {
    out = ValueRef::Null();
    return true;
  }
  size_t n = static_cast<size_t>(len);
  switch (kind) {
    case Kind::kBool:
      if (n != 1) return false;
      out = ValueRef::Integer(p[0] != 0 ? 1 : 0);
      return true;
    case Kind::kInt2:
      if (n != 2) return false;
      out = ValueRef::Integer(static_cast<int16_t>(U16(p)));
      return true;
    case Kind::kInt4:
      if (n != 4) return false;
      out = ValueRef::Integer(static_cast<int32_t>(U32(p)));
      return true;
    case Kind::kOid:
      if (n != 4) return false;
      out = ValueRef::Integer(U32(p));
      return true;
    case Kind::kInt8:
      if (n != 8) return false;
      out = ValueRef::Integer(static_cast<int64_t>(U64(p)));
      return true;
    case Kind::kFloat4: {
      if (n != 4) return false;
      uint32_t bits = U32(p);
      float f;
      std::memcpy(&f, &bits, 4);
      out = ValueRef::Real(static_cast<double>(f));
      return true;
    }
    case Kind::kFloat8: {
      if (n != 8) return false;
      uint64_t bits = U64(p);
      double d;
      std::memcpy(&d, &bits, 8);
      out = ValueRef::Real(d);
      return true;
    }
    case Kind::kText:
      out = ValueRef::Text(std::string_view(p, n));
      return true;
    case Kind::kJsonb:
      if (n < 1 || p[0] != 1) return false;
      out = ValueRef::Text(std::string_view(p + 1, n - 1));
      return true;
    case Kind::kBytea:
    case Kind::kRaw:
      out = ValueRef::Blob(std::string_view(p, n));
      return true;
    case Kind::kNumeric: {
      scratch.clear();
      bool ok = AppendNumeric(scratch, p, n);
      out = ValueRef::Text(scratch);
      return ok;
    }
    case Kind::kUuid: {
      if (n != 16) return false;
      static const char* kHex = "0123456789abcdef";
      scratch.clear();
      for (size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) scratch.push_back('-');
        scratch.push_back(kHex[static_cast<unsigned char>(p[i]) >> 4]);
        scratch.push_back(kHex[static_cast<unsigned char>(p[i]) & 15]);
      }
      out = ValueRef::Text(scratch);
      return true;
    }
    case Kind::kDate: {
      if (n != 4) return false;
      int32_t days = static_cast<int32_t>(U32(p));
      if (days == std::numeric_limits<int32_t>::min()) {
        scratch = "-infinity";
      } else if (days == std::numeric_limits<int32_t>::max()) {
        scratch = "infinity";
      } else {
        bool bc = false;
        scratch.clear();
        AppendYmd(scratch, days, bc);
        if (bc) scratch += " BC";
      }
      out = ValueRef::Text(scratch);
      return true;
    }
    case Kind::kTime:
      if (n != 8) return false;
      if (static_cast<int64_t>(U64(p)) < 0 || static_cast<int64_t>(U64(p)) > kUsPerDay) {
        return false;
      }
      scratch.clear();
      AppendHms(scratch, static_cast<int64_t>(U64(p)));
      out = ValueRef::Text(scratch);
      return true;
    case Kind::kTimestamp:
    case Kind::kTimestamptz:
      if (n != 8) return false;
      scratch.clear();
      AppendTimestamp(scratch, static_cast<int64_t>(U64(p)), kind == Kind::kTimestamptz);
      out = ValueRef::Text(scratch);
      return true;
    case Kind::kTid:
      if (n != 6) return false;
      scratch = fmt::format("({},{})", U32(p), U16(p + 4));
      out = ValueRef::Text(scratch);
      return true;
  }
  return false;
}

struct PqFree {
  void operator()(char* p) const { PQfreemem(p); }
};

// Reads `COPY … TO STDOUT (FORMAT binary)` tuple by tuple, whatever the message boundaries.
// The server sends one row per CopyData message, so a row is read in place from libpq's
// buffer; only a row split across messages is copied into `buf_` to be joined.
class CopyReader {
 public:
  CopyReader(PGconn* c, size_t fields, std::string what)
      : c_(c), fields_(fields), what_(std::move(what)), ptr_(fields), len_(fields) {}
  ~CopyReader() {
    Abandon();
    Release();
  }
  CopyReader(const CopyReader&) = delete;
  CopyReader& operator=(const CopyReader&) = delete;

  // True with the next tuple's fields (valid until the next call), false at the end.
  Result<bool> Next() {
    while (true) {
      size_t avail = size_ - pos_;
      const char* p = data_ + pos_;
      if (!header_done_) {
        if (avail >= 19) {
          if (std::memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0) return Bad("no binary COPY header");
          uint32_t ext = U32(p + 15);
          if (avail >= 19 + size_t{ext}) {
            pos_ += 19 + ext;
            header_done_ = true;
            continue;
          }
        }
      } else if (trailer_seen_) {
        if (avail != 0) return Bad("data after the COPY trailer");
      } else if (avail >= 2) {
        int16_t nf = static_cast<int16_t>(U16(p));
        if (nf == -1) {
          pos_ += 2;
          trailer_seen_ = true;
          continue;
        }
        if (nf < 0 || static_cast<size_t>(nf) != fields_) {
          return Bad(fmt::format("a row of {} fields, expected {}", nf, fields_));
        }
        size_t off = 2;
        bool complete = true;
        for (size_t i = 0; i < fields_; ++i) {
          if (avail < off + 4) {
            complete = false;
            break;
          }
          int32_t len = static_cast<int32_t>(U32(p + off));
          off += 4;
          if (len < -1) return Bad("a negative field length");
          len_[i] = len;
          ptr_[i] = p + off;
          if (len > 0) {
            if (avail < off + static_cast<size_t>(len)) {
              complete = false;
              break;
            }
            off += static_cast<size_t>(len);
          }
        }
        if (complete) {
          pos_ += off;
          return true;
        }
      }
      // More bytes are needed.
      if (done_) {
        if (!trailer_seen_) return Bad("the COPY stream ended early");
        return false;
      }
      char* got_data = nullptr;
      int got = PQgetCopyData(c_, &got_data, 0);
      if (got > 0) {
        std::unique_ptr<char, PqFree> owned(got_data);  // freed even if an append throws
        if (pos_ == size_) {
          Release();
          held_ = owned.release();
          data_ = held_;
          size_ = static_cast<size_t>(got);
        } else {
          // A partial row remains: join it with the new bytes.
          if (data_ == buf_.data()) {
            buf_.erase(0, pos_);
          } else {
            buf_.assign(data_ + pos_, size_ - pos_);
          }
          buf_.append(owned.get(), static_cast<size_t>(got));
          owned.reset();
          if (held_ != nullptr) PQfreemem(held_);
          held_ = nullptr;
          data_ = buf_.data();
          size_ = buf_.size();
        }
        pos_ = 0;
      } else if (got == -1) {
        done_ = true;
        PgResult r(PQgetResult(c_));
        bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
        Status s = ok ? Status::Ok() : ErrorOf(c_, r.get(), what_);
        while (PGresult* x = PQgetResult(c_)) PQclear(x);
        if (!s.ok()) return s;
      } else {
        done_ = true;
        return ErrorOf(c_, nullptr, what_);
      }
    }
  }

  const char* field(size_t i) const { return ptr_[i]; }
  int32_t length(size_t i) const { return len_[i]; }

  // Stops a COPY that was not read to its end (cancels it; the transaction is then failed).
  void Abandon() {
    if (done_) return;
    if (PGcancel* cancel = PQgetCancel(c_)) {
      char err[256];
      PQcancel(cancel, err, sizeof err);
      PQfreeCancel(cancel);
    }
    char* data = nullptr;
    while (PQgetCopyData(c_, &data, 0) > 0) PQfreemem(data);
    while (PGresult* x = PQgetResult(c_)) PQclear(x);
    done_ = true;
  }

 private:
  Status Bad(const std::string& why) {
    Abandon();
    return Status::Internal(fmt::format("{}: {}", what_, why),
                            "report this: the server's binary COPY stream was not understood");
  }
  // Drops the bytes read so far (every field pointer into them is then invalid).
  void Release() {
    if (held_ != nullptr) PQfreemem(held_);
    held_ = nullptr;
    buf_.clear();
    data_ = nullptr;
    size_ = pos_ = 0;
  }

  PGconn* c_;
  size_t fields_;
  std::string what_;
  char* held_ = nullptr;  // libpq's buffer of the last message, when read in place
  std::string buf_;       // a row split across messages, joined
  const char* data_ = nullptr;
  size_t size_ = 0, pos_ = 0;
  bool header_done_ = false, trailer_seen_ = false, done_ = false;
  std::vector<const char*> ptr_;
  std::vector<int32_t> len_;
};

// ---------------------------------------------------------------------------------------------
// The catalog.

struct PgColumn {
  Kind kind = Kind::kRaw;
  std::string send_fn;  // schema-qualified send function of the base type
  bool text_order = false;
};

struct PgTable {
  Table table;
  std::string schema, rel, sql_name;
  std::vector<PgColumn> columns;
  std::vector<size_t> key_index;  // positions of the key columns in `columns`
  bool rls_applies = false;       // row-level security would filter this role's reads
};

struct PgSequence {
  std::string name, sql_name;
  int64_t increment = 1;
};

struct Catalog {
  Schema schema;
  std::vector<PgTable> tables;  // parallel to schema.tables
  std::vector<PgSequence> sequences;

  const PgTable* Find(std::string_view name) const {
    for (const auto& t : tables) {
      if (t.table.name == name) return &t;
    }
    return nullptr;
  }
};

std::string SchemaFilter(const char* nsp_column) {
  return fmt::format("{0} <> 'information_schema' AND {0} NOT LIKE 'pg\\_%'", nsp_column);
}

// ---------------------------------------------------------------------------------------------

class PostgresDatabase;

class PgCursor : public RowCursor {
 public:
  PgCursor(bool* busy, std::unique_ptr<CopyReader> reader, std::vector<PgColumn> key_cols,
           std::vector<bool> key_native, std::vector<PgColumn> cols,
           std::vector<std::string> key_names, bool digest_order, std::string what)
      : busy_(busy),
        reader_(std::move(reader)),
        key_cols_(std::move(key_cols)),
        key_native_(std::move(key_native)),
        cols_(std::move(cols)),
        key_names_(std::move(key_names)),
        digest_order_(digest_order),
        what_(std::move(what)),
        key_(key_cols_.size()),
        vals_(cols_.size()),
        key_scratch_(key_cols_.size()),
        val_scratch_(cols_.size()) {}
  ~PgCursor() override {
    reader_.reset();
    *busy_ = false;
  }

  Result<bool> Next() override {
    if (!digest_order_) return ReadRow();
    if (!sorted_) {
      while (true) {
        PG_ASSIGN_OR_RETURN(bool more, ReadRow());
        if (!more) break;
        Stored s;
        s.digest.assign(reinterpret_cast<const char*>(RowDigest(vals_).data()), 32);
        for (const auto& k : key_) s.key.emplace_back(k);
        for (const auto& v : vals_) s.vals.emplace_back(v);
        stored_.push_back(std::move(s));
      }
      std::stable_sort(stored_.begin(), stored_.end(),
                       [](const Stored& a, const Stored& b) { return a.digest < b.digest; });
      sorted_ = true;
      next_ = 0;
    }
    if (next_ >= stored_.size()) return false;
    const Stored& s = stored_[next_++];
    for (size_t i = 0; i < key_.size(); ++i) key_[i] = s.key[i].ref();
    for (size_t i = 0; i < vals_.size(); ++i) vals_[i] = s.vals[i].ref();
    digest_ = s.digest;
    return true;
  }
  size_t key_size() const override { return key_.size(); }
  ValueRef key(size_t i) const override { return key_[i]; }
  const std::vector<std::string>& key_names() const override { return key_names_; }
  ValueRef value(size_t i) const override { return vals_[i]; }
  std::string_view row_digest() const override { return digest_; }

 private:
  struct Stored {
    std::string digest;
    std::vector<Value> key, vals;
  };

  Result<bool> ReadRow() {
    PG_ASSIGN_OR_RETURN(bool more, reader_->Next());
    if (!more) return false;
    size_t f = 0;
    for (size_t i = 0; i < key_.size(); ++i, ++f) {
      if (!key_native_[i]) {
        key_[i] = reader_->length(f) < 0
                      ? ValueRef::Null()
                      : ValueRef::Blob(std::string_view(reader_->field(f),
                                                        static_cast<size_t>(reader_->length(f))));
      } else if (!DecodeField(key_cols_[i].kind, reader_->field(f), reader_->length(f),
                              key_scratch_[i], key_[i])) {
        return Undecodable(key_names_[i]);
      }
    }
    for (size_t i = 0; i < vals_.size(); ++i, ++f) {
      if (!DecodeField(cols_[i].kind, reader_->field(f), reader_->length(f), val_scratch_[i],
                       vals_[i])) {
        return Undecodable(fmt::format("value {}", i));
      }
    }
    if (!digest_order_) {
      // kRowDigest rows are digested when stored; others on demand are not needed.
      digest_.clear();
    }
    return true;
  }
  Status Undecodable(const std::string& which) {
    reader_->Abandon();
    return Status::Internal(
        fmt::format("{}: {}: a binary value that does not decode", what_, which),
        "report this with the column's type");
  }

  bool* busy_;
  std::unique_ptr<CopyReader> reader_;
  std::vector<PgColumn> key_cols_;
  std::vector<bool> key_native_;
  std::vector<PgColumn> cols_;
  std::vector<std::string> key_names_;
  bool digest_order_;
  std::string what_;
  std::vector<ValueRef> key_, vals_;
  std::vector<std::string> key_scratch_, val_scratch_;
  std::string digest_;
  std::vector<Stored> stored_;
  bool sorted_ = false;
  size_t next_ = 0;
};

// COPY … FROM STDIN in text format.
class PgRowWriter : public RowWriter {
 public:
  PgRowWriter(PGconn* c, bool* busy, size_t columns, std::string what)
      : c_(c), busy_(busy), values_(columns), nulls_(columns, true), what_(std::move(what)) {}
  ~PgRowWriter() override {
    if (!finished_) {
      PQputCopyEnd(c_, "abandoned by prodgate before Finish");
      while (PGresult* x = PQgetResult(c_)) PQclear(x);
    }
    *busy_ = false;
  }

  void Set(size_t i, const ValueRef& v) override {
    std::string& s = values_[i];
    s.clear();
    nulls_[i] = v.type == ValueType::kNull;
    switch (v.type) {
      case ValueType::kNull:
        break;
      case ValueType::kInteger:
        s = fmt::format("{}", v.integer);
        break;
      case ValueType::kReal:
        if (std::isnan(v.real)) {
          s = "NaN";
        } else if (std::isinf(v.real)) {
          s = v.real > 0 ? "Infinity" : "-Infinity";
        } else {
          s = fmt::format("{}", v.real);
        }
        break;
      case ValueType::kText:
        Escape(v.bytes, s);
        break;
      case ValueType::kBlob: {
        static const char* kHex = "0123456789abcdef";
        s = "\\\\x";
        for (unsigned char ch : v.bytes) {
          s.push_back(kHex[ch >> 4]);
          s.push_back(kHex[ch & 15]);
        }
        break;
      }
    }
  }

  Status AddRow() override {
    for (size_t i = 0; i < values_.size(); ++i) {
      if (i) buffer_.push_back('\t');
      if (nulls_[i]) {
        buffer_ += "\\N";
      } else {
        buffer_ += values_[i];
      }
    }
    buffer_.push_back('\n');
    if (buffer_.size() >= (256 << 10)) return Flush();
    return Status::Ok();
  }

  Status Finish() override {
    PG_RETURN_IF_ERROR(Flush());
    finished_ = true;
    if (PQputCopyEnd(c_, nullptr) != 1) return ErrorOf(c_, nullptr, what_);
    PgResult r(PQgetResult(c_));
    bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    Status s = ok ? Status::Ok() : ErrorOf(c_, r.get(), what_);
    while (PGresult* x = PQgetResult(c_)) PQclear(x);
    return s;
  }

 private:
  static void Escape(std::string_view in, std::string& out) {
    for (char ch : in) {
      switch (ch) {
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out.push_back(ch);
      }
    }
  }
  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    if (PQputCopyData(c_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      return ErrorOf(c_, nullptr, what_);
    }
    buffer_.clear();
    return Status::Ok();
  }

  PGconn* c_;
  bool* busy_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::string buffer_;
  std::string what_;
  bool finished_ = false;
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string conninfo, std::string shown, OpenMode mode)
      : conninfo_(std::move(conninfo)), shown_(std::move(shown)), mode_(mode) {}
  ~PostgresDatabase() override;

  Status Open();

  const Identity& identity() const override { return id_; }
  Result<Schema> Introspect() override;
  Result<LogicalHash> Hash(const HashOptions& options) override;
  Result<std::unique_ptr<RowCursor>> Scan(const RowScan& scan) override;
  Result<uint64_t> CountRows(std::string_view table) override;
  Status BeginRead() override;
  Status EndRead() override;
  Result<std::vector<Sequence>> Sequences() override;
  Status Snapshot(const std::string& path) override;
  Status Restore(const std::string& path) override;
  Status DiscardSnapshot(const std::string& path) override;
  Status Execute(std::string_view sql) override;
  Result<std::unique_ptr<RowWriter>> Insert(std::string_view table,
                                            const std::vector<std::string>& columns) override;
  Status Finish() override;

  Result<std::vector<PostgresLink>> Links();

 private:
  // A read scope: its own REPEATABLE READ READ ONLY transaction, or inside BeginRead's, or
  // (when a write transaction of the caller is open) a savepoint rolled back at the end.
  class ReadScope {
   public:
    explicit ReadScope(PostgresDatabase& db) : db_(db) {}
    ~ReadScope() {
      if (mode_ == kOwn) PQclear(PQexec(db_.conn_.get(), "ROLLBACK"));
      if (mode_ == kSavepoint) {
        PQclear(PQexec(db_.conn_.get(),
                       "ROLLBACK TO SAVEPOINT prodgate_read; RELEASE SAVEPOINT prodgate_read"));
      }
    }
    Status Begin() {
      if (db_.in_read_) return Status::Ok();
      PGTransactionStatusType t = PQtransactionStatus(db_.conn_.get());
      if (t == PQTRANS_IDLE) {
        PG_RETURN_IF_ERROR(db_.Exec(kBeginRead, "cannot begin a read transaction"));
        mode_ = kOwn;
      } else if (t == PQTRANS_INTRANS) {
        PG_RETURN_IF_ERROR(db_.Exec("SAVEPOINT prodgate_read", "cannot begin a read"));
        mode_ = kSavepoint;
      } else {
        return Status::BadInput(db_.id_.target + ": the connection is in a failed transaction",
                                "roll it back before reading");
      }
      return Status::Ok();
    }
    Status End() {
      if (mode_ != kOwn) return Status::Ok();
      mode_ = kNone;
      return db_.Exec("COMMIT", "cannot end the read transaction");
    }

   private:
    enum { kNone, kOwn, kSavepoint } mode_ = kNone;
    PostgresDatabase& db_;
  };

  Status Exec(const std::string& sql, const std::string& what) {
    return Run(conn_.get(), sql, fmt::format("{}: {}", id_.target, what)).status();
  }
  Result<PgResult> Query(const std::string& sql, const std::string& what,
                         const std::vector<std::string>& params = {}) {
    return Run(conn_.get(), sql, fmt::format("{}: {}", id_.target, what), params);
  }
  Status Writable(std::string_view doing) const {
    if (mode_ == OpenMode::kReadOnly) {
      return Status::Internal(
          fmt::format("{}: {} needs the target opened for writing", id_.target, doing));
    }
    return Status::Ok();
  }
  Status NotBusy() const {
    if (busy_) {
      return Status::Internal(id_.target + ": a scan or a writer is still open on the connection",
                              "finish or destroy it first");
    }
    if (!conn_) return Status::Internal(id_.target + ": not connected");
    return Status::Ok();
  }
  Status Reconnect(const std::string& dbname);
  Status ReadIdentity();
  Result<Conn> Maintenance();
  Status NoOtherSessions(PGconn* m, const std::string& dbname, const std::string& doing);

  Result<Catalog> LoadCatalog();
  Result<const Catalog*> CurrentCatalog(std::optional<Catalog>& holder);
  Result<std::vector<Sequence>> ReadSequences(const Catalog& cat);
  Status RefuseRls(const std::vector<const PgTable*>& tables);
  std::string TableWhat(const std::string& name) const {
    return fmt::format("{}: table \"{}\"", id_.target, name);
  }

  std::string conninfo_, shown_;
  OpenMode mode_;
  Identity id_;
  Conn conn_;
  bool in_read_ = false;
  bool busy_ = false;
  std::optional<Catalog> cache_;  // while in_read_
  std::string temp_db_;           // kCreate/kReplace until Finish()
  std::string final_db_;
};

Result<TableHash> HashOneTable(PGconn* c, const PgTable& t, const std::string& what) {
  std::string cols, order;
  for (size_t i = 0; i < t.table.columns.size(); ++i) {
    cols += (i ? ", " : "") + QuoteIdent(t.table.columns[i].name);
  }
  if (cols.empty()) cols = "NULL";
  bool keyed = t.table.key_kind != KeyKind::kNone;
  if (keyed) {
    for (size_t i = 0; i < t.key_index.size(); ++i) {
      const PgColumn& pc = t.columns[t.key_index[i]];
      std::string col = QuoteIdent(t.table.columns[t.key_index[i]].name);
      std::string e = pc.text_order             ? col + " COLLATE \"C\""
                      : NativeKeyOrder(pc.kind) ? col
                                                : fmt::format("{}({})", pc.send_fn, col);
      order += (i ? ", " : " ORDER BY ") + e;
    }
  }
  // A table without columns: each row is one NULL field read, hashed as a row of no values.
  size_t nfields = t.table.columns.empty() ? 1 : t.table.columns.size();
  std::string sql = fmt::format("COPY (SELECT {} FROM ONLY {}{}) TO STDOUT (FORMAT binary)", cols,
                                t.sql_name, order);
  PgResult r(PQexec(c, sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_OUT) {
    return ErrorOf(c, r.get(), what + ": cannot read it");
  }
  CopyReader reader(c, nfields, what);
  size_t n = t.table.columns.size();
  std::vector<ValueRef> vals(n);
  std::vector<std::string> scratch(n);
  std::vector<ValueRef> key(t.key_index.size());
  auto decode = [&]() -> Status {
    for (size_t i = 0; i < n; ++i) {
      if (!DecodeField(t.columns[i].kind, reader.field(i), reader.length(i), scratch[i], vals[i])) {
        reader.Abandon();
        return Status::Internal(
            fmt::format("{}: column \"{}\" ({}): a binary value that does not decode", what,
                        t.table.columns[i].name, t.table.columns[i].declared_type),
            "report this with the column's type");
      }
    }
    return Status::Ok();
  };
  if (keyed) {
    KeyedTableHasher hasher(t.table);
    while (true) {
      PG_ASSIGN_OR_RETURN(bool more, reader.Next());
      if (!more) break;
      PG_RETURN_IF_ERROR(decode());
      for (size_t i = 0; i < key.size(); ++i) {
        size_t k = t.key_index[i];
        key[i] = NativeKeyOrder(t.columns[k].kind) || t.columns[k].text_order
                     ? vals[k]
                     : ValueRef::Blob(std::string_view(reader.field(k),
                                                       static_cast<size_t>(reader.length(k))));
      }
      if (!hasher.AddRow(key, vals)) {
        reader.Abandon();
        return Status::BadInput(
            fmt::format("{}: rows did not arrive in strictly ascending key order ({})", what,
                        fmt::join(t.table.key, ", ")),
            "the key is not unique byte for byte; nothing was hashed");
      }
    }
    return hasher.Finish();
  }
  std::vector<Digest> digests;
  while (true) {
    PG_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    PG_RETURN_IF_ERROR(decode());
    digests.push_back(RowDigest(vals));
  }
  std::sort(digests.begin(), digests.end());
  MultisetTableHasher hasher(t.table);
  for (const auto& d : digests) {
    hasher.AddRowDigest(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  }
  return hasher.Finish();
}

PostgresDatabase::~PostgresDatabase() {
  if (!temp_db_.empty()) {
    conn_.reset();
    if (auto m = Maintenance(); m.ok()) {
      PQclear(PQexec(m->get(), ("DROP DATABASE IF EXISTS " + QuoteIdent(temp_db_)).c_str()));
    }
  }
}

Result<Conn> PostgresDatabase::Maintenance() {
  auto c = Connect(conninfo_, shown_, "postgres");
  if (c.ok()) return c;
  auto t = Connect(conninfo_, shown_, "template1");
  if (t.ok()) return t;
  return c.status();
}

Status PostgresDatabase::NoOtherSessions(PGconn* m, const std::string& dbname,
                                         const std::string& doing) {
  // A session whose client just disconnected (the previous step's, or the previous command's)
  // stays listed until its backend has exited, which the server does asynchronously: such a
  // session is waited for, up to kSessionWait, before it counts as another user.
  constexpr auto kSessionWait = std::chrono::seconds(2);
  const auto deadline = std::chrono::steady_clock::now() + kSessionWait;
  PgResult r;
  int n = 0;
  while (true) {
    PG_ASSIGN_OR_RETURN(
        r, Run(m,
               "SELECT pid, coalesce(usename, ''), coalesce(application_name, '') "
               "FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> "
               "pg_backend_pid() ORDER BY pid",
               fmt::format("{}: {}: cannot list the sessions", id_.target, doing), {dbname}));
    n = PQntuples(r.get());
    if (n == 0) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<std::string> who;
  for (int i = 0; i < n; ++i) {
    who.push_back(fmt::format("pid {} ({}, {})", Cell(r.get(), i, 0), Cell(r.get(), i, 1),
                              Cell(r.get(), i, 2)));
  }
  return Status::BadInput(
      fmt::format("{}: {}: {} other session(s) are connected to database \"{}\": {}", id_.target,
                  doing, n, dbname, fmt::join(who, "; ")),
      fmt::format("close them (or, on a clone: SELECT pg_terminate_backend(pid) FROM "
                  "pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()) and run "
                  "again",
                  dbname));
}

Status PostgresDatabase::Reconnect(const std::string& dbname) {
  conn_.reset();
  PG_ASSIGN_OR_RETURN(conn_, Connect(conninfo_, shown_, dbname));
  if (mode_ == OpenMode::kReadOnly) {
    PG_RETURN_IF_ERROR(
        Exec("SET default_transaction_read_only = on", "cannot make the session read-only"));
  }
  return Status::Ok();
}

Status PostgresDatabase::ReadIdentity() {
  id_.engine = "postgresql";
  id_.target = shown_;
  const char* host = PQhost(conn_.get());
  const char* port = PQport(conn_.get());
  id_.host = host ? host : "";
  id_.port = port ? port : "";
  id_.dbname = final_db_.empty() ? std::string(PQdb(conn_.get())) : final_db_;
  auto r = Query("SELECT system_identifier::text FROM pg_catalog.pg_control_system()",
                 "cannot read the server's system_identifier");
  if (!r.ok()) {
    return Status::BadInput(
        r.status().what(),
        "grant the role EXECUTE on pg_control_system() (or use a role that has it): the "
        "system_identifier names the server for the isolation check");
  }
  id_.system_identifier = Cell(r->get(), 0, 0);
  return Status::Ok();
}

Status PostgresDatabase::Open() {
  if (mode_ == OpenMode::kCreate || mode_ == OpenMode::kReplace) {
    PG_ASSIGN_OR_RETURN(PostgresAddress addr, ParsePostgresConninfo(conninfo_));
    final_db_ = addr.dbname;
    PG_ASSIGN_OR_RETURN(Conn m, Maintenance());
    PG_ASSIGN_OR_RETURN(PgResult e,
                        Run(m.get(), "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1",
                            shown_ + ": cannot list the databases", {final_db_}));
    bool exists = PQntuples(e.get()) > 0;
    if (exists && mode_ == OpenMode::kCreate) {
      return Status::BadInput(fmt::format("{}: database \"{}\" exists", shown_, final_db_),
                              "name a new database, or ask to replace it (--force)");
    }
    if (exists) {
      PG_ASSIGN_OR_RETURN(Conn old, Connect(conninfo_, shown_, final_db_));
      PG_ASSIGN_OR_RETURN(
          PgResult mk, Run(old.get(),
                           "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
                           "n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = "
                           "'prodgate_clone' AND c.relkind = 'r'",
                           shown_ + ": cannot look for the clone marker"));
      if (PQntuples(mk.get()) == 0) {
        return Status::BadInput(
            fmt::format("{}: database \"{}\" has no prodgate_clone marker, so it is not a clone "
                        "prodgate made; it is never replaced",
                        shown_, final_db_),
            "drop it yourself if it is really disposable, or name a new database");
      }
    }
    std::random_device rd;
    temp_db_ = fmt::format("prodgate_tmp_{:08x}{:08x}", rd(), rd());
    PG_RETURN_IF_ERROR(
        WithFix(Run(m.get(),
                    fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
                                QuoteIdent(temp_db_)),
                    fmt::format("{}: cannot create the new database", shown_))
                    .status(),
                "the role needs the CREATEDB privilege"));
    PG_RETURN_IF_ERROR(Reconnect(temp_db_));
  } else {
    PG_RETURN_IF_ERROR(Reconnect(""));
  }
  return ReadIdentity();
}

Result<Catalog> PostgresDatabase::LoadCatalog() {
  PG_RETURN_IF_ERROR(Exec(kPinCatalog, "cannot pin the catalog session settings"));
  Catalog cat;
  Schema& schema = cat.schema;
  // Role.
  PG_ASSIGN_OR_RETURN(PgResult role, Query("SELECT rolsuper, rolbypassrls FROM pg_catalog.pg_roles "
                                           "WHERE rolname = current_user",
                                           "cannot read the role"));
  bool bypass =
      PQntuples(role.get()) == 1 && (CellBool(role.get(), 0, 0) || CellBool(role.get(), 0, 1));
  // Types: base type and send function.
  struct TypeRow {
    char typtype;
    uint32_t base;
    std::string send_fn;
  };
  std::map<uint32_t, TypeRow> types;
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query("SELECT t.oid, t.typtype, t.typbasetype, coalesce(quote_ident(sn.nspname) || '.' || "
              "quote_ident(sp.proname), '') FROM pg_catalog.pg_type t "
              "LEFT JOIN pg_catalog.pg_proc sp ON sp.oid = t.typsend "
              "LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sp.pronamespace",
              "cannot read the types"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      types[static_cast<uint32_t>(std::stoul(Cell(r.get(), i, 0)))] = {
          Cell(r.get(), i, 1)[0], static_cast<uint32_t>(std::stoul(Cell(r.get(), i, 2))),
          Cell(r.get(), i, 3)};
    }
  }
  auto column_kind = [&](uint32_t oid) {
    PgColumn pc;
    for (int guard = 0; guard < 32; ++guard) {
      auto it = types.find(oid);
      if (it == types.end()) break;
      if (it->second.typtype != 'd') {
        pc.kind = KindOfBase(oid, it->second.typtype);
        pc.send_fn = it->second.send_fn;
        pc.text_order = oid == 25 || oid == 1043;
        return pc;
      }
      oid = it->second.base;
    }
    return pc;
  };

  // Relations.
  struct Rel {
    std::string oid, nsp, name, display;
    char kind;
    bool rls;
    std::string extra;  // partition key / bound, view definition
  };
  std::vector<Rel> rels;
  std::map<std::string, size_t> rel_by_oid;
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query(fmt::format(
                  "SELECT c.oid, n.nspname, c.relname, c.relkind, "
                  "c.relrowsecurity AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role("
                  "c.relowner, 'USAGE')), "
                  "concat_ws(E'\\n', CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || "
                  "pg_catalog.pg_get_partkeydef(c.oid) END, CASE WHEN c.relispartition THEN "
                  "'PARTITION OF ' || (SELECT quote_ident(pn.nspname) || '.' || "
                  "quote_ident(pc.relname) FROM pg_catalog.pg_inherits i JOIN "
                  "pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn "
                  "ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) || ' ' || "
                  "pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, CASE WHEN c.relkind IN "
                  "('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END, CASE WHEN "
                  "c.relrowsecurity THEN 'ROW LEVEL SECURITY' || CASE WHEN "
                  "c.relforcerowsecurity THEN ' FORCE' ELSE '' END END, "
                  // Persistence (an UNLOGGED table loses its rows in a crash), inheritance
                  // (a parent's scan reads its children) and the replica identity (which
                  // UPDATE/DELETE a publication accepts) change what rows mean or which
                  // writes succeed.
                  "CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' WHEN 't' THEN 'TEMPORARY' "
                  "END, CASE WHEN NOT c.relispartition THEN (SELECT 'INHERITS (' || "
                  "string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', ' "
                  "ORDER BY i.inhseqno) || ')' FROM pg_catalog.pg_inherits i JOIN "
                  "pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn "
                  "ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) END, CASE WHEN "
                  "c.relkind IN ('r', 'p', 'm') AND c.relreplident <> 'd' THEN 'REPLICA "
                  "IDENTITY ' || CASE c.relreplident WHEN 'n' THEN 'NOTHING' WHEN 'f' THEN 'FULL' "
                  "ELSE 'USING INDEX ' || coalesce((SELECT quote_ident(ic.relname) FROM "
                  "pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid "
                  "WHERE x.indrelid = c.oid AND x.indisreplident), '?') END END) "
                  "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
                  "c.relnamespace WHERE {} AND c.relkind NOT IN ('i', 'I', 't', 'c')",
                  SchemaFilter("n.nspname")),
              "cannot read the relations"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Rel rel{Cell(r.get(), i, 0),    Cell(r.get(), i, 1),     Cell(r.get(), i, 2), "",
              Cell(r.get(), i, 3)[0], CellBool(r.get(), i, 4), Cell(r.get(), i, 5)};
      rel.display = DisplayName(rel.nsp, rel.name);
      rel_by_oid[rel.oid] = rels.size();
      rels.push_back(std::move(rel));
    }
  }
  // Columns.
  std::map<std::string, std::vector<std::pair<Column, PgColumn>>> columns;
  std::map<std::string, std::map<std::string, std::string>> attname;  // oid → attnum → name
  std::map<std::string, std::string> column_text;                     // oid → definition
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query(fmt::format(
                  "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, "
                  "a.atttypmod), a.attnotnull, a.atttypid, a.attgenerated <> '', a.attidentity, "
                  "coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), "
                  "coalesce(co.collname, ''), a.attnum "
                  "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = "
                  "a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = "
                  "a.attnum LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "
                  "AND a.attcollation <> 0 "
                  "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', "
                  "'f', 'v') AND {} ORDER BY a.attrelid, a.attnum",
                  SchemaFilter("n.nspname")),
              "cannot read the columns"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string oid = Cell(r.get(), i, 0);
      Column c;
      c.name = Cell(r.get(), i, 1);
      c.declared_type = Cell(r.get(), i, 2);
      c.not_null = CellBool(r.get(), i, 3);
      c.generated = CellBool(r.get(), i, 5);
      PgColumn pc = column_kind(static_cast<uint32_t>(std::stoul(Cell(r.get(), i, 4))));
      std::string def = QuoteIdent(c.name) + " " + c.declared_type;
      if (!Cell(r.get(), i, 8).empty()) def += " COLLATE " + QuoteIdent(Cell(r.get(), i, 8));
      if (c.not_null) def += " NOT NULL";
      std::string expr = Cell(r.get(), i, 7), identity = Cell(r.get(), i, 6);
      if (c.generated) {
        def += " GENERATED ALWAYS AS (" + expr + ") STORED";
      } else if (!expr.empty()) {
        def += " DEFAULT " + expr;
      }
      if (identity == "a") def += " GENERATED ALWAYS AS IDENTITY";
      if (identity == "d") def += " GENERATED BY DEFAULT AS IDENTITY";
      std::string& text = column_text[oid];
      text += (text.empty() ? "" : ",\n  ") + def;
      attname[oid][Cell(r.get(), i, 9)] = c.name;
      columns[oid].emplace_back(std::move(c), std::move(pc));
    }
  }
  // Keys: the primary key, else the first usable unique index by name bytes.
  std::map<std::string, std::pair<KeyKind, std::vector<std::string>>> keys;
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query("SELECT i.indrelid, i.indisprimary, ic.relname, i.indkey::text, "
              "i.indisvalid AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL "
              "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
              "i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]) AND NOT "
              "a.attnotnull), i.indnkeyatts "
              "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
              "WHERE i.indisunique ORDER BY i.indrelid, i.indisprimary DESC, ic.relname COLLATE "
              "\"C\"",
              "cannot read the keys"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string oid = Cell(r.get(), i, 0);
      if (!rel_by_oid.count(oid) || keys.count(oid)) continue;
      bool primary = CellBool(r.get(), i, 1), usable = CellBool(r.get(), i, 4);
      if (!usable) continue;
      int nkey = std::stoi(Cell(r.get(), i, 5));
      std::vector<std::string> names;
      std::string attnums = Cell(r.get(), i, 3);
      size_t pos = 0;
      for (int k = 0; k < nkey; ++k) {
        size_t sp = attnums.find(' ', pos);
        std::string num =
            attnums.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
        pos = sp == std::string::npos ? attnums.size() : sp + 1;
        names.push_back(attname[oid][num]);
      }
      keys[oid] = {primary ? KeyKind::kPrimaryKey : KeyKind::kUniqueIndex, std::move(names)};
    }
  }
  // Tables, exclusions, sequences, schema objects of relations.
  std::vector<std::string> rls_blocked;
  for (const auto& rel : rels) {
    std::string cols = column_text[rel.oid];
    auto object = [&](const char* type, std::string sql) {
      schema.objects.push_back({type, rel.display, rel.display, std::move(sql)});
    };
    std::string extra = rel.extra.empty() ? "" : "\n" + rel.extra;
    switch (rel.kind) {
      case 'r': {
        PgTable t;
        t.schema = rel.nsp;
        t.rel = rel.name;
        t.sql_name = SqlName(rel.nsp, rel.name);
        t.table.name = rel.display;
        for (auto& [c, pc] : columns[rel.oid]) {
          t.table.columns.push_back(c);
          t.columns.push_back(pc);
        }
        if (auto it = keys.find(rel.oid); it != keys.end()) {
          t.table.key_kind = it->second.first;
          t.table.key = it->second.second;
          int pos = 1;
          for (const auto& k : t.table.key) {
            for (size_t ci = 0; ci < t.table.columns.size(); ++ci) {
              if (t.table.columns[ci].name == k) {
                t.key_index.push_back(ci);
                if (t.table.key_kind == KeyKind::kPrimaryKey) {
                  t.table.columns[ci].pk_position = pos;
                }
              }
            }
            ++pos;
          }
        } else {
          t.table.no_key_reason = "no PRIMARY KEY and no UNIQUE index on NOT NULL columns";
        }
        t.rls_applies = rel.rls && !bypass;
        object("table", "(\n  " + cols + "\n)" + extra);
        cat.tables.push_back(std::move(t));
        break;
      }
      case 'p':
        object("partitioned table", "(\n  " + cols + "\n)" + extra);
        schema.excluded.push_back({rel.display,
                                   "partitioned table: its rows are hashed in its "
                                   "partitions"});
        break;
      case 'm': {
        object("materialized view", "(\n  " + cols + "\n)" + extra);
        // Its rows, as a multiset: the sorted SHA-256 of each row's text (read with the
        // catalog's pinned settings), hashed. A REFRESH that changes them changes the root.
        PG_ASSIGN_OR_RETURN(
            PgResult populated,
            Query(fmt::format("SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = {}",
                              rel.oid),
                  "cannot read the materialized view " + rel.display));
        std::string contents = "not populated";
        if (CellBool(populated.get(), 0, 0)) {
          PG_ASSIGN_OR_RETURN(
              PgResult digest,
              Query(fmt::format("SELECT count(*), encode(pg_catalog.sha256(coalesce("
                                "string_agg(d, ''::bytea ORDER BY d), ''::bytea)), 'hex') FROM "
                                "(SELECT pg_catalog.sha256(convert_to(t::text, 'UTF8')) d FROM "
                                "{} t) x",
                                SqlName(rel.nsp, rel.name)),
                    "cannot read the rows of the materialized view " + rel.display));
          contents =
              fmt::format("{} rows, sha256 {}", Cell(digest.get(), 0, 0), Cell(digest.get(), 0, 1));
        }
        schema.objects.push_back(
            {"materialized view contents", rel.display, rel.display, std::move(contents)});
        break;
      }
      case 'f':
        object("foreign table", "(\n  " + cols + "\n)" + extra);
        schema.excluded.push_back(
            {rel.display, "foreign table: its rows live on another server, not hashed"});
        break;
      case 'v':
        object("view", "(\n  " + cols + "\n)" + extra);
        break;
      case 'S':
        cat.sequences.push_back({rel.display, SqlName(rel.nsp, rel.name), 1});
        break;
      default:
        return Status::BadInput(
            fmt::format("{}: relation \"{}\" has relkind '{}', which prodgate does not know",
                        id_.target, rel.display, rel.kind),
            "report it; nothing is hashed while a relation of unknown kind could hold data");
    }
  }
  // Other schema objects: (type, name, table, definition).
  auto add_objects = [&](const std::string& sql, const std::string& what) -> Status {
    PG_ASSIGN_OR_RETURN(PgResult r, Query(sql, "cannot read the " + what));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string type = Cell(r.get(), i, 0), nsp = Cell(r.get(), i, 1), name = Cell(r.get(), i, 2),
                  tnsp = Cell(r.get(), i, 3), trel = Cell(r.get(), i, 4);
      std::string table = trel.empty() ? "" : DisplayName(tnsp, trel);
      std::string full = nsp.empty()
                             ? (table.empty() ? NamePart(name) : table + "." + NamePart(name))
                             : DisplayName(nsp, name);
      schema.objects.push_back(
          {type, full, table.empty() ? full : table,
           PQgetisnull(r.get(), i, 5) ? std::optional<std::string>() : Cell(r.get(), i, 5)});
    }
    return Status::Ok();
  };
  std::string rel_filter = SchemaFilter("tn.nspname");
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'constraint', '', co.conname, tn.nspname, t.relname, "
                  "pg_catalog.pg_get_constraintdef(co.oid) FROM pg_catalog.pg_constraint co "
                  "JOIN pg_catalog.pg_class t ON t.oid = co.conrelid JOIN "
                  "pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace WHERE {}",
                  rel_filter),
      "constraints"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'index', tn.nspname, ic.relname, tn.nspname, t.relname, "
                  "pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i JOIN "
                  "pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_class t ON "
                  "t.oid = i.indrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = "
                  "t.relnamespace WHERE {}",
                  rel_filter),
      "indexes"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'trigger', '', tg.tgname, tn.nspname, t.relname, "
                  "pg_catalog.pg_get_triggerdef(tg.oid) FROM pg_catalog.pg_trigger tg JOIN "
                  "pg_catalog.pg_class t ON t.oid = tg.tgrelid JOIN pg_catalog.pg_namespace tn "
                  "ON tn.oid = t.relnamespace WHERE NOT tg.tgisinternal AND {}",
                  rel_filter),
      "triggers"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'policy', '', p.polname, tn.nspname, t.relname, concat_ws(' ', "
                  "CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, "
                  "'FOR', p.polcmd, 'TO', (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE "
                  "quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ' ORDER BY 1) FROM "
                  "unnest(p.polroles) r), 'USING (' || pg_catalog.pg_get_expr(p.polqual, "
                  "p.polrelid) || ')', 'WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, "
                  "p.polrelid) || ')') FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class t "
                  "ON t.oid = p.polrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = "
                  "t.relnamespace WHERE {}",
                  rel_filter),
      "policies"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'sequence', tn.nspname, t.relname, tn.nspname, t.relname, "
                  "concat_ws(' ', 'AS', pg_catalog.format_type(s.seqtypid, NULL), 'START', "
                  "s.seqstart, 'INCREMENT', s.seqincrement, 'MINVALUE', s.seqmin, 'MAXVALUE', "
                  "s.seqmax, 'CACHE', s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO "
                  "CYCLE' END) FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class t ON t.oid "
                  "= s.seqrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace WHERE "
                  "{}",
                  rel_filter),
      "sequences"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'function', tn.nspname, p.proname || '(' || "
                  "pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', '', '', "
                  "pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p JOIN "
                  "pg_catalog.pg_namespace tn ON tn.oid = p.pronamespace WHERE p.prokind IN "
                  "('f', 'p', 'w') AND {} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
                  "WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = "
                  "p.oid AND d.deptype = 'e')",
                  rel_filter),
      "functions"));
  // Domains: base type, collation, NOT NULL, default and every constraint (pg_constraint rows
  // with contypid, which the table constraints above, read by conrelid, do not include).
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'domain', tn.nspname, t.typname, '', '', concat_ws(' ', 'AS', "
                  "pg_catalog.format_type(t.typbasetype, t.typtypmod), (SELECT 'COLLATE ' || "
                  "quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM "
                  "pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = "
                  "co.collnamespace WHERE co.oid = t.typcollation AND t.typcollation <> 0), "
                  "CASE WHEN t.typnotnull THEN 'NOT NULL' END, 'DEFAULT ' || t.typdefault, "
                  "(SELECT string_agg('CONSTRAINT ' || quote_ident(c.conname) || ' ' || "
                  "pg_catalog.pg_get_constraintdef(c.oid), ' ' ORDER BY c.conname COLLATE \"C\") "
                  "FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid)) FROM "
                  "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = "
                  "t.typnamespace WHERE t.typtype = 'd' AND {}",
                  rel_filter),
      "domains"));
  // Composite types (CREATE TYPE … AS (…); a table's row type is its table).
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'type', tn.nspname, t.typname, '', '', 'AS (' || coalesce((SELECT "
                  "string_agg(quote_ident(a.attname) || ' ' || pg_catalog.format_type("
                  "a.atttypid, a.atttypmod) || coalesce(' COLLATE ' || (SELECT "
                  "quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = "
                  "a.attcollation AND a.attcollation <> 0), ''), ', ' ORDER BY a.attnum) FROM "
                  "pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND "
                  "NOT a.attisdropped), '') || ')' FROM pg_catalog.pg_type t JOIN "
                  "pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace JOIN pg_catalog.pg_class "
                  "r ON r.oid = t.typrelid WHERE t.typtype = 'c' AND r.relkind = 'c' AND {}",
                  rel_filter),
      "composite types"));
  // Range types (their multirange is named in the definition).
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'type', tn.nspname, t.typname, '', '', concat_ws(', ', 'AS RANGE "
                  "(SUBTYPE = ' || pg_catalog.format_type(r.rngsubtype, NULL), "
                  "'SUBTYPE_OPCLASS = ' || (SELECT quote_ident(on_.nspname) || '.' || "
                  "quote_ident(oc.opcname) FROM pg_catalog.pg_opclass oc JOIN "
                  "pg_catalog.pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = "
                  "r.rngsubopc), 'COLLATION = ' || (SELECT quote_ident(co.collname) FROM "
                  "pg_catalog.pg_collation co WHERE co.oid = r.rngcollation AND r.rngcollation "
                  "<> 0), 'CANONICAL = ' || r.rngcanonical::pg_catalog.regproc::text, "
                  "'SUBTYPE_DIFF = ' || r.rngsubdiff::pg_catalog.regproc::text, "
                  "'MULTIRANGE_TYPE_NAME = ' || pg_catalog.format_type(r.rngmultitypid, NULL)) || "
                  "')' FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type t ON t.oid = "
                  "r.rngtypid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace WHERE {}",
                  rel_filter),
      "range types"));
  // Base types and shell types made with CREATE TYPE (their implicit array types are named
  // by their element type and left out).
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format(
          "SELECT 'type', tn.nspname, t.typname, '', '', CASE WHEN NOT t.typisdefined "
          "THEN 'SHELL' ELSE concat_ws(', ', 'AS BASE (INPUT = ' || "
          "t.typinput::pg_catalog.regproc::text, 'OUTPUT = ' || "
          "t.typoutput::pg_catalog.regproc::text, 'RECEIVE = ' || "
          "t.typreceive::pg_catalog.regproc::text, 'SEND = ' || "
          "t.typsend::pg_catalog.regproc::text, 'TYPMOD_IN = ' || "
          "t.typmodin::pg_catalog.regproc::text, 'TYPMOD_OUT = ' || "
          "t.typmodout::pg_catalog.regproc::text, 'ANALYZE = ' || "
          "t.typanalyze::pg_catalog.regproc::text, 'SUBSCRIPT = ' || "
          "t.typsubscript::pg_catalog.regproc::text, 'INTERNALLENGTH = ' || t.typlen, "
          "'PASSEDBYVALUE = ' || t.typbyval, 'ALIGNMENT = ' || t.typalign::text, "
          "'STORAGE = ' || t.typstorage::text, 'CATEGORY = ' || t.typcategory::text, "
          "'PREFERRED = ' || "
          "t.typispreferred, 'DEFAULT = ' || t.typdefault, 'ELEMENT = ' || CASE WHEN "
          "t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END, 'DELIMITER = "
          "' || t.typdelim::text, 'COLLATABLE = ' || (t.typcollation <> 0)) || ')' END FROM "
          "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = "
          "t.typnamespace WHERE t.typtype IN ('b', 'p') AND NOT EXISTS (SELECT 1 FROM "
          "pg_catalog.pg_type e WHERE e.typarray = t.oid) AND {}",
          rel_filter),
      "base types"));
  PG_RETURN_IF_ERROR(add_objects(
      fmt::format("SELECT 'type', tn.nspname, t.typname, '', '', 'ENUM (' || (SELECT "
                  "string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM "
                  "pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')' FROM "
                  "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = "
                  "t.typnamespace WHERE t.typtype = 'e' AND {}",
                  rel_filter),
      "enum types"));
  // Every other object class that can change what the rows mean or which writes succeed
  // (PostgresCatalogCoverage names the catalog each comes from). Objects of an extension
  // are left out: the extension's version stands for them.
  static constexpr std::pair<const char*, const char*> kMoreObjects[] = {
      {"rules",
       "SELECT 'rule', '', rw.rulename, tn.nspname, t.relname, "
       "pg_catalog.pg_get_ruledef(rw.oid) FROM pg_catalog.pg_rewrite rw JOIN "
       "pg_catalog.pg_class t ON t.oid = rw.ev_class JOIN pg_catalog.pg_namespace tn "
       "ON tn.oid = t.relnamespace WHERE rw.rulename <> '_RETURN' AND {filter}"},
      {"aggregates",
       "SELECT 'aggregate', tn.nspname, p.proname || '(' || "
       "pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', '', '', "
       "concat_ws(', ', 'SFUNC = ' || a.aggtransfn::pg_catalog.regproc::text, 'STYPE = "
       "' || pg_catalog.format_type(a.aggtranstype, NULL), 'KIND = ' || "
       "a.aggkind::text, 'FINALFUNC = ' || a.aggfinalfn::pg_catalog.regproc::text, "
       "'FINALFUNC_EXTRA = ' || a.aggfinalextra, 'FINALFUNC_MODIFY = ' || "
       "a.aggfinalmodify::text, 'COMBINEFUNC = ' || "
       "a.aggcombinefn::pg_catalog.regproc::text, 'SERIALFUNC = ' || "
       "a.aggserialfn::pg_catalog.regproc::text, 'DESERIALFUNC = ' || "
       "a.aggdeserialfn::pg_catalog.regproc::text, 'MSFUNC = ' || "
       "a.aggmtransfn::pg_catalog.regproc::text, 'MINVFUNC = ' || "
       "a.aggminvtransfn::pg_catalog.regproc::text, 'MSTYPE = ' || CASE WHEN "
       "a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END, "
       "'MFINALFUNC = ' || a.aggmfinalfn::pg_catalog.regproc::text, 'SORTOP = ' || "
       "CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::pg_catalog.regoperator::text END, "
       "'NUMDIRECTARGS = ' || a.aggnumdirectargs, 'INITCOND = ' || "
       "quote_literal(a.agginitval), 'MINITCOND = ' || quote_literal(a.aggminitval), "
       "'PARALLEL = ' || p.proparallel::text, 'STRICT = ' || p.proisstrict) FROM "
       "pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = p.pronamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid AND x.deptype = "
       "'e')"},
      {"operators",
       "SELECT 'operator', tn.nspname, o.oprname || '(' || "
       "coalesce(pg_catalog.format_type(o.oprleft, NULL), 'NONE') || ', ' || "
       "coalesce(pg_catalog.format_type(o.oprright, NULL), 'NONE') || ')', '', '', "
       "concat_ws(', ', 'FUNCTION = ' || o.oprcode::pg_catalog.regproc::text, 'RESULT "
       "= ' || pg_catalog.format_type(o.oprresult, NULL), 'COMMUTATOR = ' || CASE WHEN "
       "o.oprcom <> 0 THEN o.oprcom::pg_catalog.regoperator::text END, 'NEGATOR = ' || "
       "CASE WHEN o.oprnegate <> 0 THEN o.oprnegate::pg_catalog.regoperator::text END, "
       "'RESTRICT = ' || o.oprrest::pg_catalog.regproc::text, 'JOIN = ' || "
       "o.oprjoin::pg_catalog.regproc::text, 'HASHES = ' || o.oprcanhash, 'MERGES = ' "
       "|| o.oprcanmerge) FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace "
       "tn ON tn.oid = o.oprnamespace WHERE {filter} AND NOT EXISTS (SELECT 1 FROM "
       "pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_operator'::pg_catalog.regclass AND x.objid = o.oid AND "
       "x.deptype = 'e')"},
      {"operator familys",
       "SELECT 'operator family', tn.nspname, f.opfname || ' USING ' || am.amname, '', "
       "'', concat_ws(', ', (SELECT string_agg('OPERATOR ' || ao.amopstrategy || ' ' "
       "|| ao.amopopr::pg_catalog.regoperator::text || ' FOR ' || ao.amoppurpose::text "
       "|| coalesce(' ORDER BY ' || CASE WHEN ao.amopsortfamily <> 0 THEN "
       "ao.amopsortfamily::text END, ''), ', ' ORDER BY ao.amopstrategy, "
       "ao.amopopr::pg_catalog.regoperator::text COLLATE \"C\") FROM "
       "pg_catalog.pg_amop ao WHERE ao.amopfamily = f.oid), (SELECT "
       "string_agg('FUNCTION ' || ap.amprocnum || ' (' || "
       "pg_catalog.format_type(ap.amproclefttype, NULL) || ', ' || "
       "pg_catalog.format_type(ap.amprocrighttype, NULL) || ') ' || "
       "ap.amproc::pg_catalog.regprocedure::text, ', ' ORDER BY ap.amprocnum, "
       "ap.amproc::pg_catalog.regprocedure::text COLLATE \"C\") FROM "
       "pg_catalog.pg_amproc ap WHERE ap.amprocfamily = f.oid)) FROM "
       "pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = f.opfnamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_opfamily'::pg_catalog.regclass AND x.objid = f.oid AND "
       "x.deptype = 'e')"},
      {"operator classs",
       "SELECT 'operator class', tn.nspname, c.opcname || ' USING ' || am.amname, '', "
       "'', concat_ws(', ', 'FOR TYPE ' || pg_catalog.format_type(c.opcintype, NULL), "
       "'FAMILY ' || quote_ident(fn.nspname) || '.' || quote_ident(f.opfname), CASE "
       "WHEN c.opcdefault THEN 'DEFAULT' END, 'STORAGE ' || CASE WHEN c.opckeytype <> "
       "0 THEN pg_catalog.format_type(c.opckeytype, NULL) END) FROM "
       "pg_catalog.pg_opclass c JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod JOIN "
       "pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace "
       "fn ON fn.oid = f.opfnamespace JOIN pg_catalog.pg_namespace tn ON tn.oid = "
       "c.opcnamespace WHERE {filter} AND NOT EXISTS (SELECT 1 FROM "
       "pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_opclass'::pg_catalog.regclass AND x.objid = c.oid AND x.deptype "
       "= 'e')"},
      {"casts",
       "SELECT 'cast', '', pg_catalog.format_type(c.castsource, NULL) || ' AS ' || "
       "pg_catalog.format_type(c.casttarget, NULL), '', '', concat_ws(' ', CASE "
       "c.castmethod WHEN 'f' THEN 'WITH FUNCTION ' || "
       "c.castfunc::pg_catalog.regprocedure::text WHEN 'i' THEN 'WITH INOUT' ELSE "
       "'WITHOUT FUNCTION' END, CASE c.castcontext WHEN 'e' THEN 'EXPLICIT' WHEN 'a' "
       "THEN 'AS ASSIGNMENT' ELSE 'AS IMPLICIT' END) FROM pg_catalog.pg_cast c WHERE "
       "c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE "
       "x.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND x.objid = c.oid AND "
       "x.deptype = 'e')"},
      {"collations",
       "SELECT 'collation', tn.nspname, c.collname, '', '', concat_ws(', ', 'PROVIDER "
       "= ' || c.collprovider::text, 'DETERMINISTIC = ' || c.collisdeterministic, "
       "'ENCODING = ' || c.collencoding, 'LC_COLLATE = ' || "
       "quote_literal(c.collcollate), 'LC_CTYPE = ' || quote_literal(c.collctype), "
       "'ICU_LOCALE = ' || quote_literal(c.colliculocale)) FROM "
       "pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace tn ON tn.oid = "
       "c.collnamespace WHERE {filter} AND NOT EXISTS (SELECT 1 FROM "
       "pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_collation'::pg_catalog.regclass AND x.objid = c.oid AND "
       "x.deptype = 'e')"},
      {"event triggers",
       "SELECT 'event trigger', '', e.evtname, '', '', concat_ws(' ', 'ON', "
       "e.evtevent, 'WHEN TAG IN (' || array_to_string(e.evttags, ', ') || ')', "
       "'EXECUTE FUNCTION', e.evtfoid::pg_catalog.regprocedure::text, 'ENABLE', "
       "e.evtenabled::text) FROM pg_catalog.pg_event_trigger e WHERE NOT EXISTS "
       "(SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND x.objid = e.oid AND "
       "x.deptype = 'e')"},
      {"publications",
       "SELECT 'publication', '', p.pubname, '', '', concat_ws(' ', CASE WHEN "
       "p.puballtables THEN 'FOR ALL TABLES' END, 'TABLES (' || (SELECT "
       "string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname) || "
       "coalesce(' WHERE (' || pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) || ')', "
       "'') || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER "
       "BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = pr.prrelid AND "
       "a.attnum = ANY (pr.prattrs)) || ')', ''), ', ' ORDER BY n.nspname COLLATE "
       "\"C\", c.relname COLLATE \"C\") FROM pg_catalog.pg_publication_rel pr JOIN "
       "pg_catalog.pg_class c ON c.oid = pr.prrelid JOIN pg_catalog.pg_namespace n ON "
       "n.oid = c.relnamespace WHERE pr.prpubid = p.oid) || ')', 'SCHEMAS (' || "
       "(SELECT string_agg(quote_ident(n.nspname), ', ' ORDER BY n.nspname COLLATE "
       "\"C\") FROM pg_catalog.pg_publication_namespace pn JOIN "
       "pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid) || "
       "')', 'WITH (publish = ''' || concat_ws(', ', CASE WHEN p.pubinsert THEN "
       "'insert' END, CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete "
       "THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END) || ''', "
       "publish_via_partition_root = ' || p.pubviaroot || ')') FROM "
       "pg_catalog.pg_publication p"},
      {"text search configurations",
       "SELECT 'text search configuration', tn.nspname, c.cfgname, '', '', 'PARSER = ' "
       "|| (SELECT quote_ident(n.nspname) || '.' || quote_ident(p.prsname) FROM "
       "pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = "
       "p.prsnamespace WHERE p.oid = c.cfgparser) || (SELECT ', MAPPING ' || "
       "string_agg(m.maptokentype || ':' || m.mapseqno || '=' || "
       "m.mapdict::pg_catalog.regdictionary::text, ' ' ORDER BY m.maptokentype, "
       "m.mapseqno) FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = c.oid) FROM "
       "pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace tn ON tn.oid = "
       "c.cfgnamespace WHERE {filter} AND NOT EXISTS (SELECT 1 FROM "
       "pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_ts_config'::pg_catalog.regclass AND x.objid = c.oid AND "
       "x.deptype = 'e')"},
      {"text search dictionarys",
       "SELECT 'text search dictionary', tn.nspname, d.dictname, '', '', concat_ws(', "
       "', 'TEMPLATE = ' || (SELECT quote_ident(n.nspname) || '.' || "
       "quote_ident(t.tmplname) FROM pg_catalog.pg_ts_template t JOIN "
       "pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace WHERE t.oid = "
       "d.dicttemplate), d.dictinitoption) FROM pg_catalog.pg_ts_dict d JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = d.dictnamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_ts_dict'::pg_catalog.regclass AND x.objid = d.oid AND x.deptype "
       "= 'e')"},
      {"text search parsers",
       "SELECT 'text search parser', tn.nspname, p.prsname, '', '', concat_ws(', ', "
       "'START = ' || p.prsstart::pg_catalog.regproc::text, 'GETTOKEN = ' || "
       "p.prstoken::pg_catalog.regproc::text, 'END = ' || "
       "p.prsend::pg_catalog.regproc::text, 'HEADLINE = ' || "
       "p.prsheadline::pg_catalog.regproc::text, 'LEXTYPES = ' || "
       "p.prslextype::pg_catalog.regproc::text) FROM pg_catalog.pg_ts_parser p JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = p.prsnamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_ts_parser'::pg_catalog.regclass AND x.objid = p.oid AND "
       "x.deptype = 'e')"},
      {"text search templates",
       "SELECT 'text search template', tn.nspname, t.tmplname, '', '', concat_ws(', ', "
       "'INIT = ' || t.tmplinit::pg_catalog.regproc::text, 'LEXIZE = ' || "
       "t.tmpllexize::pg_catalog.regproc::text) FROM pg_catalog.pg_ts_template t JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_ts_template'::pg_catalog.regclass AND x.objid = t.oid AND "
       "x.deptype = 'e')"},
      {"settings",
       "SELECT 'setting', '', CASE WHEN s.setrole = 0 THEN '(every role)' ELSE "
       "pg_catalog.pg_get_userbyid(s.setrole) END, '', '', "
       "array_to_string(s.setconfig, ', ') FROM pg_catalog.pg_db_role_setting s JOIN "
       "pg_catalog.pg_database d ON d.oid = s.setdatabase WHERE d.datname = "
       "pg_catalog.current_database()"},
      {"languages",
       "SELECT 'language', '', l.lanname, '', '', concat_ws(', ', 'TRUSTED = ' || "
       "l.lanpltrusted, 'HANDLER = ' || l.lanplcallfoid::pg_catalog.regproc::text, "
       "'INLINE = ' || l.laninline::pg_catalog.regproc::text, 'VALIDATOR = ' || "
       "l.lanvalidator::pg_catalog.regproc::text) FROM pg_catalog.pg_language l WHERE "
       "l.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE "
       "x.classid = 'pg_catalog.pg_language'::pg_catalog.regclass AND x.objid = l.oid "
       "AND x.deptype = 'e')"},
      {"access methods",
       "SELECT 'access method', '', a.amname, '', '', 'TYPE ' || a.amtype::text || ' "
       "HANDLER ' || a.amhandler::pg_catalog.regproc::text FROM pg_catalog.pg_am a "
       "WHERE a.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x "
       "WHERE x.classid = 'pg_catalog.pg_am'::pg_catalog.regclass AND x.objid = a.oid "
       "AND x.deptype = 'e')"},
      {"transforms",
       "SELECT 'transform', '', pg_catalog.format_type(t.trftype, NULL) || ' LANGUAGE "
       "' || l.lanname, '', '', concat_ws(', ', 'FROM SQL WITH FUNCTION ' || CASE WHEN "
       "t.trffromsql <> 0 THEN t.trffromsql::pg_catalog.regprocedure::text END, 'TO "
       "SQL WITH FUNCTION ' || CASE WHEN t.trftosql <> 0 THEN "
       "t.trftosql::pg_catalog.regprocedure::text END) FROM pg_catalog.pg_transform t "
       "JOIN pg_catalog.pg_language l ON l.oid = t.trflang WHERE NOT EXISTS (SELECT 1 "
       "FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_transform'::pg_catalog.regclass AND x.objid = t.oid AND "
       "x.deptype = 'e')"},
      {"conversions",
       "SELECT 'conversion', tn.nspname, c.conname, '', '', concat_ws(' ', CASE WHEN "
       "c.condefault THEN 'DEFAULT' END, 'FOR', "
       "pg_catalog.pg_encoding_to_char(c.conforencoding), 'TO', "
       "pg_catalog.pg_encoding_to_char(c.contoencoding), 'FROM', "
       "c.conproc::pg_catalog.regproc::text) FROM pg_catalog.pg_conversion c JOIN "
       "pg_catalog.pg_namespace tn ON tn.oid = c.connamespace WHERE {filter} AND NOT "
       "EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_conversion'::pg_catalog.regclass AND x.objid = c.oid AND "
       "x.deptype = 'e')"},
      {"foreign-data wrappers",
       "SELECT 'foreign-data wrapper', '', w.fdwname, '', '', concat_ws(' ', 'HANDLER "
       "' || CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::pg_catalog.regproc::text "
       "END, 'VALIDATOR ' || CASE WHEN w.fdwvalidator <> 0 THEN "
       "w.fdwvalidator::pg_catalog.regproc::text END, 'OPTIONS (' || "
       "array_to_string(w.fdwoptions, ', ') || ')') FROM "
       "pg_catalog.pg_foreign_data_wrapper w WHERE NOT EXISTS (SELECT 1 FROM "
       "pg_catalog.pg_depend x WHERE x.classid = "
       "'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass AND x.objid = w.oid "
       "AND x.deptype = 'e')"},
      {"servers",
       "SELECT 'server', '', s.srvname, '', '', concat_ws(' ', 'TYPE ' || "
       "quote_literal(s.srvtype), 'VERSION ' || quote_literal(s.srvversion), 'FOREIGN "
       "DATA WRAPPER ' || (SELECT quote_ident(w.fdwname) FROM "
       "pg_catalog.pg_foreign_data_wrapper w WHERE w.oid = s.srvfdw), 'OPTIONS (' || "
       "array_to_string(s.srvoptions, ', ') || ')') FROM pg_catalog.pg_foreign_server "
       "s"},
  };
  for (const auto& [what, sql] : kMoreObjects) {
    std::string query(sql);
    for (size_t at; (at = query.find("{filter}")) != std::string::npos;) {
      query.replace(at, 8, rel_filter);
    }
    PG_RETURN_IF_ERROR(add_objects(query, what));
  }
  PG_RETURN_IF_ERROR(
      add_objects("SELECT 'extension', '', extname, '', '', 'VERSION ' || extversion FROM "
                  "pg_catalog.pg_extension",
                  "extensions"));
  PG_RETURN_IF_ERROR(add_objects(fmt::format("SELECT 'schema', '', tn.nspname, '', '', NULL FROM "
                                             "pg_catalog.pg_namespace tn WHERE {}",
                                             rel_filter),
                                 "schemas"));
  // Sequence increments.
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query(fmt::format("SELECT tn.nspname, t.relname, s.seqincrement FROM "
                          "pg_catalog.pg_sequence s JOIN pg_catalog.pg_class t ON t.oid = "
                          "s.seqrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = "
                          "t.relnamespace WHERE {}",
                          rel_filter),
              "cannot read the sequences"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string name = DisplayName(Cell(r.get(), i, 0), Cell(r.get(), i, 1));
      for (auto& s : cat.sequences) {
        if (s.name == name) s.increment = ParseI64(Cell(r.get(), i, 2)).value_or(1);
      }
    }
  }
  // Large objects: each one's oid and the SHA-256 of its bytes, in oid order, hashed. A role
  // that may not read them fails the hash (it would otherwise leave them out).
  {
    PG_ASSIGN_OR_RETURN(
        PgResult r,
        Query(
            "SELECT count(*), encode(pg_catalog.sha256(coalesce(string_agg(convert_to(m.oid::text "
            "|| ' ', 'UTF8') || pg_catalog.sha256(pg_catalog.lo_get(m.oid)), ''::bytea ORDER BY "
            "m.oid), ''::bytea)), 'hex') FROM pg_catalog.pg_largeobject_metadata m",
            "cannot read the large objects (the role needs SELECT on them)"));
    std::string n = Cell(r.get(), 0, 0);
    if (n != "0") {
      schema.objects.push_back(
          {"large objects", "(large objects)", "(large objects)",
           fmt::format("{} large objects, sha256 {}", n, Cell(r.get(), 0, 1))});
    }
  }
  // Catalogs this build has not reviewed (a newer server's): named, never silently trusted.
  {
    PG_ASSIGN_OR_RETURN(PgResult r,
                        Query("SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = "
                              "'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'r'",
                              "cannot list the system catalogs"));
    std::set<std::string_view> known;
    for (const auto& [catalog, how] : PostgresCatalogCoverage()) known.insert(catalog);
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string name = Cell(r.get(), i, 0);
      if (!known.count(name)) {
        schema.excluded.push_back(
            {"(catalog " + name + ")",
             "a system catalog this build does not know: its objects are not in the digest"});
      }
    }
  }
  PG_RETURN_IF_ERROR(Exec(kUnpinCatalog, "cannot restore the session settings"));

  std::sort(cat.tables.begin(), cat.tables.end(), [](const PgTable& a, const PgTable& b) {
    return NameLess(a.table.name, b.table.name);
  });
  for (const auto& t : cat.tables) schema.tables.push_back(t.table);
  std::sort(cat.sequences.begin(), cat.sequences.end(),
            [](const PgSequence& a, const PgSequence& b) { return NameLess(a.name, b.name); });
  std::sort(schema.excluded.begin(), schema.excluded.end(),
            [](const Excluded& a, const Excluded& b) { return NameLess(a.name, b.name); });
  std::sort(schema.objects.begin(), schema.objects.end(),
            [](const SchemaObject& a, const SchemaObject& b) {
              if (a.name != b.name) return NameLess(a.name, b.name);
              return NameLess(a.type, b.type);
            });
  schema.has_sequences = !cat.sequences.empty();
  return cat;
}

Result<const Catalog*> PostgresDatabase::CurrentCatalog(std::optional<Catalog>& holder) {
  if (in_read_ && cache_) return &*cache_;
  ReadScope scope(*this);
  PG_RETURN_IF_ERROR(scope.Begin());
  PG_ASSIGN_OR_RETURN(Catalog cat, LoadCatalog());
  PG_RETURN_IF_ERROR(scope.End());
  if (in_read_) {
    cache_ = std::move(cat);
    return &*cache_;
  }
  holder = std::move(cat);
  return &*holder;
}

Status PostgresDatabase::RefuseRls(const std::vector<const PgTable*>& tables) {
  std::vector<std::string> hit;
  for (const PgTable* t : tables) {
    if (t->rls_applies) hit.push_back(t->table.name);
  }
  if (hit.empty()) return Status::Ok();
  return Status::BadInput(
      fmt::format("{}: the role is subject to row-level security on {}: it would read a subset "
                  "of the rows",
                  id_.target, fmt::join(hit, ", ")),
      "connect as a role that bypasses row-level security (superuser, BYPASSRLS, or the "
      "tables' owner without FORCE ROW LEVEL SECURITY)");
}

Result<Schema> PostgresDatabase::Introspect() {
  PG_RETURN_IF_ERROR(NotBusy());
  std::optional<Catalog> holder;
  PG_ASSIGN_OR_RETURN(const Catalog* cat, CurrentCatalog(holder));
  return cat->schema;
}

Result<std::vector<Sequence>> PostgresDatabase::ReadSequences(const Catalog& cat) {
  std::vector<Sequence> out;
  for (const auto& s : cat.sequences) {
    PG_ASSIGN_OR_RETURN(PgResult r,
                        Query(fmt::format("SELECT last_value, is_called FROM {}", s.sql_name),
                              fmt::format("cannot read sequence \"{}\"", s.name)));
    auto last = ParseI64(Cell(r.get(), 0, 0));
    if (!last) {
      return Status::Internal(fmt::format("{}: sequence \"{}\": last_value \"{}\" unreadable",
                                          id_.target, s.name, Cell(r.get(), 0, 0)));
    }
    int64_t v = *last;
    if (!CellBool(r.get(), 0, 1)) {
      int64_t prev;
      if (!__builtin_sub_overflow(v, s.increment, &prev)) v = prev;
    }
    out.push_back({s.name, v});
  }
  return out;
}

Result<std::vector<Sequence>> PostgresDatabase::Sequences() {
  PG_RETURN_IF_ERROR(NotBusy());
  std::optional<Catalog> holder;
  ReadScope scope(*this);
  PG_RETURN_IF_ERROR(scope.Begin());
  PG_ASSIGN_OR_RETURN(const Catalog* cat, CurrentCatalog(holder));
  PG_ASSIGN_OR_RETURN(auto out, ReadSequences(*cat));
  PG_RETURN_IF_ERROR(scope.End());
  return out;
}

Result<LogicalHash> PostgresDatabase::Hash(const HashOptions& options) {
  PG_RETURN_IF_ERROR(NotBusy());
  // Inside the caller's own (write) transaction other connections could not see its
  // uncommitted changes: hash on this connection alone.
  bool callers_transaction = !in_read_ && PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
  ReadScope scope(*this);
  PG_RETURN_IF_ERROR(scope.Begin());
  std::optional<Catalog> holder;
  PG_ASSIGN_OR_RETURN(const Catalog* cat, CurrentCatalog(holder));
  LogicalHash h;
  h.target = id_.target;
  h.excluded = cat->schema.excluded;
  h.schema = SchemaDigest(cat->schema.objects);
  std::vector<const PgTable*> selected;
  if (options.tables.empty()) {
    for (const auto& t : cat->tables) selected.push_back(&t);
  } else {
    h.complete = false;
    std::vector<std::string> missing;
    for (const auto& name : options.tables) {
      const PgTable* t = cat->Find(name);
      if (t == nullptr) {
        missing.push_back(name);
      } else if (std::find(selected.begin(), selected.end(), t) == selected.end()) {
        selected.push_back(t);
      }
    }
    if (!missing.empty()) {
      std::vector<std::string> have;
      for (const auto& t : cat->tables) have.push_back(t.table.name);
      return Status::BadInput(fmt::format("{}: no table {}", id_.target, fmt::join(missing, ", ")),
                              fmt::format("name one of the hashed tables: {}",
                                          have.empty() ? std::string("(none)")
                                                       : fmt::format("{}", fmt::join(have, ", "))));
    }
    std::sort(selected.begin(), selected.end(), [](const PgTable* a, const PgTable* b) {
      return NameLess(a->table.name, b->table.name);
    });
  }
  PG_RETURN_IF_ERROR(RefuseRls(selected));

  int n = options.connections > 0 ? options.connections : 4;
  n = std::clamp(n, 1, 64);
  n = static_cast<int>(std::min<size_t>(static_cast<size_t>(n), selected.size()));
  if (callers_transaction) n = 1;
  std::vector<std::optional<Result<TableHash>>> results(selected.size());
  if (n <= 1) {
    for (size_t i = 0; i < selected.size(); ++i) {
      results[i] = HashOneTable(conn_.get(), *selected[i], TableWhat(selected[i]->table.name));
      if (!results[i]->ok()) return results[i]->status();
    }
  } else {
    PG_ASSIGN_OR_RETURN(PgResult snap, Query("SELECT pg_catalog.pg_export_snapshot()",
                                             "cannot export the snapshot for parallel hashing"));
    std::string snapshot = Cell(snap.get(), 0, 0);
    std::vector<Conn> workers;
    for (int w = 1; w < n; ++w) {
      PG_ASSIGN_OR_RETURN(Conn c, Connect(conninfo_, shown_, std::string(PQdb(conn_.get()))));
      PG_RETURN_IF_ERROR(
          Run(c.get(),
              fmt::format("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET "
                          "TRANSACTION SNAPSHOT {}; SET LOCAL row_security = off",
                          QuoteLiteral(snapshot)),
              fmt::format("{}: cannot import the snapshot on connection {}", id_.target, w + 1))
              .status());
      workers.push_back(std::move(c));
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&](PGconn* c) {
      while (!failed.load()) {
        size_t i = next.fetch_add(1);
        if (i >= selected.size()) break;
        results[i] = HashOneTable(c, *selected[i], TableWhat(selected[i]->table.name));
        if (!results[i]->ok()) failed = true;
      }
    };
    std::vector<std::thread> threads;
    for (auto& c : workers) threads.emplace_back(work, c.get());
    work(conn_.get());
    for (auto& t : threads) t.join();
    for (auto& c : workers) PQclear(PQexec(c.get(), "ROLLBACK"));
    for (auto& r : results) {
      if (r && !r->ok()) return r->status();
    }
  }
  for (auto& r : results) {
    if (!r) return Status::Internal(id_.target + ": a table was not hashed", "report this");
    h.tables.push_back(std::move(**r));
  }
  PG_ASSIGN_OR_RETURN(h.sequences, ReadSequences(*cat));
  if (h.complete) h.root = RootDigest(h.schema, h.tables);
  PG_RETURN_IF_ERROR(scope.End());
  return h;
}

Result<std::unique_ptr<RowCursor>> PostgresDatabase::Scan(const RowScan& scan) {
  PG_RETURN_IF_ERROR(NotBusy());
  std::optional<Catalog> holder;
  PG_ASSIGN_OR_RETURN(const Catalog* cat, CurrentCatalog(holder));
  const PgTable* t = cat->Find(scan.table);
  std::string what = TableWhat(scan.table);
  if (t == nullptr) return Status::BadInput(what + ": no such table");
  PG_RETURN_IF_ERROR(RefuseRls({t}));
  std::vector<PgColumn> cols;
  std::string select;
  std::vector<PgColumn> key_cols;
  std::vector<bool> key_native;
  std::vector<std::string> key_names;
  auto add = [&](const std::string& e) { select += (select.empty() ? "" : ", ") + e; };
  if (t->table.key_kind != KeyKind::kNone) {
    for (size_t i = 0; i < t->key_index.size(); ++i) {
      const PgColumn& pc = t->columns[t->key_index[i]];
      key_cols.push_back(pc);
      key_native.push_back(NativeKeyOrder(pc.kind) || pc.text_order);
      key_names.push_back(t->table.key[i]);
      add(QuoteIdent(t->table.key[i]));
    }
  } else {
    PgColumn tid;
    tid.kind = Kind::kTid;
    key_cols.push_back(tid);
    key_native.push_back(true);
    key_names.push_back("ctid");
    add("ctid");
  }
  for (const auto& c : scan.columns) {
    bool found = false;
    for (size_t i = 0; i < t->table.columns.size(); ++i) {
      if (t->table.columns[i].name == c) {
        cols.push_back(t->columns[i]);
        found = true;
        break;
      }
    }
    if (!found) return Status::BadInput(fmt::format("{}: no column \"{}\"", what, c));
    add(QuoteIdent(c));
  }
  std::string order;
  if (scan.order == RowOrder::kKey) {
    if (t->table.key_kind == KeyKind::kNone) {
      return Status::Internal(what + ": has no usable key to order by (" + t->table.no_key_reason +
                              ")");
    }
    for (size_t i = 0; i < t->key_index.size(); ++i) {
      const PgColumn& pc = t->columns[t->key_index[i]];
      std::string col = QuoteIdent(t->table.key[i]);
      order += (i ? ", " : " ORDER BY ") + (pc.text_order ? col + " COLLATE \"C\""
                                            : NativeKeyOrder(pc.kind)
                                                ? col
                                                : fmt::format("{}({})", pc.send_fn, col));
    }
  }
  std::string sql = fmt::format("COPY (SELECT {} FROM ONLY {}{}) TO STDOUT (FORMAT binary)", select,
                                t->sql_name, order);
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_OUT) {
    return ErrorOf(conn_.get(), r.get(), what + ": cannot read it");
  }
  auto reader = std::make_unique<CopyReader>(conn_.get(), key_cols.size() + cols.size(), what);
  busy_ = true;
  return std::unique_ptr<RowCursor>(new PgCursor(
      &busy_, std::move(reader), std::move(key_cols), std::move(key_native), std::move(cols),
      std::move(key_names), scan.order == RowOrder::kRowDigest, what));
}

Result<uint64_t> PostgresDatabase::CountRows(std::string_view table) {
  PG_RETURN_IF_ERROR(NotBusy());
  std::optional<Catalog> holder;
  PG_ASSIGN_OR_RETURN(const Catalog* cat, CurrentCatalog(holder));
  const PgTable* t = cat->Find(table);
  std::string what = TableWhat(std::string(table));
  if (t == nullptr) return Status::BadInput(what + ": no such table");
  PG_RETURN_IF_ERROR(RefuseRls({t}));
  PG_ASSIGN_OR_RETURN(PgResult r, Query("SELECT count(*) FROM ONLY " + t->sql_name,
                                        fmt::format("table \"{}\": cannot count its rows", table)));
  return static_cast<uint64_t>(ParseI64(Cell(r.get(), 0, 0)).value_or(0));
}

Status PostgresDatabase::BeginRead() {
  PG_RETURN_IF_ERROR(NotBusy());
  if (in_read_) return Status::Internal(id_.target + ": a read snapshot is already open");
  if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    return Status::Internal(id_.target + ": a transaction is open; a read snapshot needs its own");
  }
  PG_RETURN_IF_ERROR(Exec(kBeginRead, "cannot begin a read transaction"));
  // The snapshot is taken by the first query: take it now.
  PG_RETURN_IF_ERROR(Exec("SELECT 1", "cannot begin a read transaction"));
  in_read_ = true;
  cache_.reset();
  return Status::Ok();
}

Status PostgresDatabase::EndRead() {
  if (!in_read_) return Status::Ok();
  in_read_ = false;
  cache_.reset();
  return Exec("COMMIT", "cannot end the read transaction");
}

Status PostgresDatabase::Execute(std::string_view sql) {
  PG_RETURN_IF_ERROR(NotBusy());
  PG_RETURN_IF_ERROR(Writable("running SQL"));
  cache_.reset();
  return Exec(std::string(sql), "the SQL failed");
}

Result<std::unique_ptr<RowWriter>> PostgresDatabase::Insert(
    std::string_view table, const std::vector<std::string>& columns) {
  PG_RETURN_IF_ERROR(NotBusy());
  PG_RETURN_IF_ERROR(Writable("inserting rows"));
  auto name = ParseDisplayName(table);
  std::string what = TableWhat(std::string(table));
  if (!name) return Status::BadInput(what + ": not a table name prodgate can read");
  std::string cols;
  for (size_t i = 0; i < columns.size(); ++i) cols += (i ? ", " : "") + QuoteIdent(columns[i]);
  std::string sql =
      fmt::format("COPY {} ({}) FROM STDIN", SqlName(name->first, name->second), cols);
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) {
    return ErrorOf(conn_.get(), r.get(), what + ": cannot write rows");
  }
  busy_ = true;
  cache_.reset();
  return std::unique_ptr<RowWriter>(
      new PgRowWriter(conn_.get(), &busy_, columns.size(), what + ": writing rows"));
}

Status PostgresDatabase::Finish() {
  if (temp_db_.empty()) return Status::Ok();
  PG_RETURN_IF_ERROR(NotBusy());
  if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    return Status::Internal(id_.target + ": a transaction is still open at Finish",
                            "commit or roll it back first");
  }
  conn_.reset();
  PG_ASSIGN_OR_RETURN(Conn m, Maintenance());
  std::string doing = fmt::format("putting the new database in place as \"{}\"", final_db_);
  if (mode_ == OpenMode::kReplace) {
    PG_RETURN_IF_ERROR(NoOtherSessions(m.get(), final_db_, doing));
    PG_RETURN_IF_ERROR(Run(m.get(), "DROP DATABASE IF EXISTS " + QuoteIdent(final_db_),
                           fmt::format("{}: {}", id_.target, doing))
                           .status());
  }
  PG_RETURN_IF_ERROR(Run(m.get(),
                         fmt::format("ALTER DATABASE {} RENAME TO {}", QuoteIdent(temp_db_),
                                     QuoteIdent(final_db_)),
                         fmt::format("{}: {}", id_.target, doing))
                         .status());
  temp_db_.clear();
  mode_ = OpenMode::kReadWrite;
  PG_RETURN_IF_ERROR(Reconnect(final_db_));
  return Status::Ok();
}

Status PostgresDatabase::Snapshot(const std::string& path) {
  PG_RETURN_IF_ERROR(NotBusy());
  std::string doing = fmt::format("snapshot to {}", path);
  if (in_read_ || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    return Status::Internal(fmt::format("{}: {}: a transaction is open", id_.target, doing),
                            "end it first");
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return Status::BadInput(fmt::format("snapshot {}: the file exists", path),
                            "choose a new path; a snapshot never overwrites a file");
  }
  std::random_device rd;
  std::string snap = fmt::format("prodgate_snap_{:08x}{:08x}", rd(), rd());
  std::string dbname = PQdb(conn_.get());
  conn_.reset();
  Status made = [&]() -> Status {
    PG_ASSIGN_OR_RETURN(Conn m, Maintenance());
    PG_RETURN_IF_ERROR(NoOtherSessions(m.get(), dbname, doing));
    PG_RETURN_IF_ERROR(WithFix(
        Run(m.get(),
            fmt::format("CREATE DATABASE {} TEMPLATE {}", QuoteIdent(snap), QuoteIdent(dbname)),
            fmt::format("{}: {}", id_.target, doing))
            .status(),
        "CREATE DATABASE … TEMPLATE needs the CREATEDB privilege and no "
        "other session on the database"));
    Json doc = {{"format", std::string(kSnapshotFormat)},
                {"database", snap},
                {"source", dbname},
                {"system_identifier", id_.system_identifier}};
    PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(doc, NumberPolicy::kIntegersOnly));
    text += "\n";
    fs::path p(path);
    std::string temp = (p.parent_path() / fmt::format(".{}.prodgate-tmp-{}-{:08x}",
                                                      p.filename().string(), ::getpid(), rd()))
                           .string();
    bool written = false;
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                ::fsync(fd) == 0;
      written &= ::close(fd) == 0;
      written = written && ::link(temp.c_str(), path.c_str()) == 0;
      ::unlink(temp.c_str());
    }
    if (!written) {
      int err = errno;
      PQclear(PQexec(m.get(), ("DROP DATABASE IF EXISTS " + QuoteIdent(snap)).c_str()));
      return Status::BadInput(
          fmt::format("snapshot {}: cannot write the file: {}", path, std::strerror(err)),
          "check the directory (the snapshot database was dropped again)");
    }
    return Status::Ok();
  }();
  Status back = Reconnect(dbname);
  if (!made.ok()) return made;
  return back;
}

Status PostgresDatabase::DiscardSnapshot(const std::string& path) {
  PG_RETURN_IF_ERROR(NotBusy());
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return Status::Ok();
  std::string text;
  {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::Internal(fmt::format("cannot read the snapshot file {}", path));
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 65536) text.append(buf, n);
    ::close(fd);
  }
  auto doc = ParseCanonicalDocument(text, path);
  if (!doc.ok()) return doc.status();
  std::string snap = doc->value("database", "");
  // Only a database this adapter named is ever dropped.
  if (doc->value("format", "") != kSnapshotFormat || !snap.starts_with("prodgate_snap_") ||
      doc->value("system_identifier", "") != id_.system_identifier) {
    return Status::BadInput(
        fmt::format("{}: not a snapshot of this server ({})", path, kSnapshotFormat),
        "remove it by hand if you are sure");
  }
  PG_ASSIGN_OR_RETURN(Conn m, Maintenance());
  PG_RETURN_IF_ERROR(
      Run(m.get(), "DROP DATABASE IF EXISTS " + QuoteIdent(snap), fmt::format("discard {}", path))
          .status());
  ::unlink(path.c_str());
  return Status::Ok();
}

Status PostgresDatabase::Restore(const std::string& path) {
  PG_RETURN_IF_ERROR(NotBusy());
  PG_RETURN_IF_ERROR(Writable("restore"));
  std::string doing = fmt::format("restore from {}", path);
  if (in_read_ || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
    return Status::Internal(fmt::format("{}: {}: a transaction is open", id_.target, doing),
                            "end it first");
  }
  std::string text;
  {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::BadInput(
          fmt::format("restore {} from {}: no such snapshot file", id_.target, path));
    }
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 65536) text.append(buf, n);
    ::close(fd);
  }
  auto doc = ParseCanonicalDocument(text, path);
  if (!doc.ok()) return doc.status();
  auto field = [&](const char* k) -> std::string {
    return doc->contains(k) && (*doc)[k].is_string() ? (*doc)[k].get<std::string>() : "";
  };
  std::string snap = field("database");
  if (field("format") != kSnapshotFormat || snap.empty()) {
    return Status::BadInput(
        fmt::format("{}: not a PostgreSQL snapshot file ({})", path, kSnapshotFormat),
        "restore from the file Snapshot wrote");
  }
  if (field("system_identifier") != id_.system_identifier) {
    return Status::BadInput(
        fmt::format("{}: the snapshot was taken on server {}, this is server {}", path,
                    field("system_identifier"), id_.system_identifier),
        "restore on the server where the snapshot database lives");
  }
  std::string dbname = PQdb(conn_.get());
  std::random_device rd;
  std::string fresh = fmt::format("prodgate_tmp_{:08x}{:08x}", rd(), rd());
  conn_.reset();
  Status done = [&]() -> Status {
    PG_ASSIGN_OR_RETURN(Conn m, Maintenance());
    std::string what = fmt::format("{}: {}", id_.target, doing);
    PG_ASSIGN_OR_RETURN(PgResult owner, Run(m.get(),
                                            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM "
                                            "pg_catalog.pg_database WHERE datname = $1",
                                            what, {dbname}));
    PG_ASSIGN_OR_RETURN(
        PgResult has,
        Run(m.get(), "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", what, {snap}));
    if (PQntuples(has.get()) == 0 || PQntuples(owner.get()) == 0) {
      return Status::BadInput(
          fmt::format("{}: the snapshot database \"{}\" does not exist", what, snap),
          "take a new snapshot; this one was dropped");
    }
    PG_RETURN_IF_ERROR(NoOtherSessions(m.get(), dbname, doing));
    PG_RETURN_IF_ERROR(Run(m.get(),
                           fmt::format("CREATE DATABASE {} TEMPLATE {} OWNER {}", QuoteIdent(fresh),
                                       QuoteIdent(snap), QuoteIdent(Cell(owner.get(), 0, 0))),
                           what)
                           .status());
    Status s = NoOtherSessions(m.get(), dbname, doing);
    if (s.ok()) s = Run(m.get(), "DROP DATABASE " + QuoteIdent(dbname), what).status();
    if (!s.ok()) {
      PQclear(PQexec(m.get(), ("DROP DATABASE IF EXISTS " + QuoteIdent(fresh)).c_str()));
      return s;
    }
    Status renamed =
        Run(m.get(),
            fmt::format("ALTER DATABASE {} RENAME TO {}", QuoteIdent(fresh), QuoteIdent(dbname)),
            what)
            .status();
    if (!renamed.ok()) {
      return Status::Internal(
          renamed.what(),
          fmt::format("the restored copy is database \"{}\": rename it to \"{}\" (ALTER "
                      "DATABASE … RENAME TO …)",
                      fresh, dbname));
    }
    return Status::Ok();
  }();
  Status back = Reconnect(dbname);
  if (!done.ok()) return done;
  PG_RETURN_IF_ERROR(back);
  return ReadIdentity();
}

Result<std::vector<PostgresLink>> PostgresDatabase::Links() {
  PG_RETURN_IF_ERROR(NotBusy());
  std::vector<PostgresLink> out;
  PG_ASSIGN_OR_RETURN(
      PgResult servers,
      Query("SELECT s.srvname, w.fdwname, coalesce((SELECT string_agg(o, ' ' ORDER BY o) FROM "
            "unnest(s.srvoptions) o WHERE o NOT ILIKE 'password=%'), '') FROM "
            "pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = "
            "s.srvfdw ORDER BY 1",
            "cannot list the foreign servers"));
  for (int i = 0; i < PQntuples(servers.get()); ++i) {
    out.push_back(
        {"foreign-server", Cell(servers.get(), i, 0),
         fmt::format("wrapper {}; {}", Cell(servers.get(), i, 1), Cell(servers.get(), i, 2))});
  }
  PG_ASSIGN_OR_RETURN(
      PgResult maps,
      Query("SELECT srvname, coalesce(usename, 'public') FROM pg_catalog.pg_user_mappings "
            "ORDER BY 1, 2",
            "cannot list the user mappings"));
  for (int i = 0; i < PQntuples(maps.get()); ++i) {
    out.push_back({"user-mapping",
                   fmt::format("{} on {}", Cell(maps.get(), i, 1), Cell(maps.get(), i, 0)),
                   "credentials for a foreign server"});
  }
  PG_ASSIGN_OR_RETURN(
      PgResult subs,
      Query("SELECT subname, subenabled FROM pg_catalog.pg_subscription WHERE subdbid = (SELECT "
            "oid FROM pg_catalog.pg_database WHERE datname = current_database()) ORDER BY 1",
            "cannot list the subscriptions"));
  for (int i = 0; i < PQntuples(subs.get()); ++i) {
    out.push_back({"subscription", Cell(subs.get(), i, 0),
                   CellBool(subs.get(), i, 1) ? "enabled: replicates from another server"
                                              : "disabled; its connection string stays stored"});
  }
  PG_ASSIGN_OR_RETURN(PgResult ext, Query("SELECT extversion FROM pg_catalog.pg_extension WHERE "
                                          "extname = 'dblink'",
                                          "cannot list the extensions"));
  if (PQntuples(ext.get()) > 0) {
    out.push_back(
        {"dblink", "dblink",
         "extension " + Cell(ext.get(), 0, 0) + ": SQL can open connections to other servers"});
  }
  return out;
}

}  // namespace

Result<PostgresAddress> ParsePostgresConninfo(const std::string& conninfo) {
  PG_ASSIGN_OR_RETURN(auto kv, ParseConninfo(conninfo));
  PostgresAddress a;
  PQconninfoOption* defaults = PQconndefaults();
  auto def = [&](const char* k) -> std::string {
    for (PQconninfoOption* o = defaults; o && o->keyword; ++o) {
      if (std::string_view(o->keyword) == k && o->val) return o->val;
    }
    return "";
  };
  auto get = [&](const char* k) -> std::string {
    auto it = kv.find(k);
    return it != kv.end() && !it->second.empty() ? it->second : def(k);
  };
  a.host = get("host");
  if (a.host.empty()) a.host = get("hostaddr");
  if (a.host.empty()) a.host = "/var/run/postgresql";
  a.port = get("port");
  if (a.port.empty()) a.port = "5432";
  a.dbname = get("dbname");
  if (a.dbname.empty()) a.dbname = get("user");
  if (defaults) PQconninfoFree(defaults);
  return a;
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& target,
                                               const std::string& conninfo, OpenMode mode) {
  auto db = std::make_unique<PostgresDatabase>(conninfo, ShownTarget(target), mode);
  PG_RETURN_IF_ERROR(db->Open());
  return std::unique_ptr<Database>(std::move(db));
}

const std::vector<std::pair<std::string_view, std::string_view>>& PostgresCatalogCoverage() {
  static const std::vector<std::pair<std::string_view, std::string_view>> coverage = {
      {"pg_aggregate", "digested: aggregates, every support function and state"},
      {"pg_am", "digested: access methods made with CREATE ACCESS METHOD"},
      {"pg_amop", "digested: the operators of each operator family"},
      {"pg_amproc", "digested: the support functions of each operator family"},
      {"pg_attrdef", "digested: column defaults and generation expressions"},
      {"pg_attribute", "digested: columns, composite type attributes"},
      {"pg_auth_members", "excluded: role memberships are the cluster's, not the database's"},
      {"pg_authid", "excluded: roles are the cluster's, not the database's"},
      {"pg_cast", "digested: casts made with CREATE CAST"},
      {"pg_class", "digested: tables, views, sequences, indexes, persistence, replica identity"},
      {"pg_collation", "digested: collations (provider, locale, determinism)"},
      {"pg_constraint", "digested: table constraints (conrelid) and domain constraints (contypid)"},
      {"pg_conversion", "digested: encoding conversions"},
      {"pg_database", "excluded: the database's own properties; UTF8 is checked on connect"},
      {"pg_db_role_setting", "digested: this database's settings, per role"},
      {"pg_default_acl", "excluded: privileges (who may write, not what the rows mean)"},
      {"pg_depend", "excluded: dependency bookkeeping"},
      {"pg_description", "excluded: comments"},
      {"pg_enum", "digested: enum labels in order"},
      {"pg_event_trigger", "digested: event triggers"},
      {"pg_extension", "digested: extensions and their versions (their members are not listed)"},
      {"pg_foreign_data_wrapper", "digested: foreign-data wrappers"},
      {"pg_foreign_server", "digested: foreign servers (and refused by the clone check)"},
      {"pg_foreign_table",
       "excluded: a foreign table's options (its columns are digested; its rows "
       "are another server's, not hashed)"},
      {"pg_index", "digested: indexes"},
      {"pg_inherits", "digested: inheritance and partitions"},
      {"pg_init_privs", "excluded: privileges"},
      {"pg_language", "digested: procedural languages made with CREATE LANGUAGE"},
      {"pg_largeobject", "digested: each large object's bytes"},
      {"pg_largeobject_metadata", "digested: the large objects (by oid)"},
      {"pg_namespace", "digested: schemas"},
      {"pg_opclass", "digested: operator classes"},
      {"pg_operator", "digested: operators"},
      {"pg_opfamily", "digested: operator families with their members"},
      {"pg_parameter_acl", "excluded: privileges on settings are the cluster's"},
      {"pg_partitioned_table", "digested: partition keys"},
      {"pg_policy", "digested: row-level security policies"},
      {"pg_proc", "digested: functions, procedures, window functions, aggregates"},
      {"pg_publication", "digested: publications and what they publish"},
      {"pg_publication_namespace", "digested: the schemas a publication publishes"},
      {"pg_publication_rel", "digested: the tables a publication publishes"},
      {"pg_range", "digested: range types"},
      {"pg_replication_origin", "excluded: replication progress is the cluster's"},
      {"pg_rewrite", "digested: rules (and view definitions)"},
      {"pg_seclabel",
       "excluded: security labels need a label provider, which this build reads "
       "none of"},
      {"pg_sequence", "digested: sequence definitions (values outside the root)"},
      {"pg_shdepend", "excluded: dependency bookkeeping"},
      {"pg_shdescription", "excluded: comments"},
      {"pg_shseclabel", "excluded: security labels on shared objects"},
      {"pg_statistic", "excluded: planner statistics"},
      {"pg_statistic_ext", "excluded: extended planner statistics change no row and no write"},
      {"pg_statistic_ext_data", "excluded: planner statistics"},
      {"pg_subscription", "excluded: refused by the clone check (a way out)"},
      {"pg_subscription_rel", "excluded: refused by the clone check (a way out)"},
      {"pg_tablespace", "excluded: where files live, not what they hold"},
      {"pg_transform", "digested: transforms"},
      {"pg_trigger", "digested: triggers"},
      {"pg_ts_config", "digested: text search configurations"},
      {"pg_ts_config_map", "digested: the dictionaries of each configuration"},
      {"pg_ts_dict", "digested: text search dictionaries"},
      {"pg_ts_parser", "digested: text search parsers"},
      {"pg_ts_template", "digested: text search templates"},
      {"pg_type", "digested: domains, enum, composite, range, base and shell types"},
      {"pg_user_mapping", "excluded: may hold passwords; refused by the clone check"},
  };
  return coverage;
}

Result<std::vector<PostgresLink>> ListPostgresLinks(Database& db) {
  auto* pg = dynamic_cast<PostgresDatabase*>(&db);
  if (pg == nullptr) {
    return Status::BadInput(db.identity().target + ": not a PostgreSQL database");
  }
  return pg->Links();
}

}  // namespace prodgate::db
