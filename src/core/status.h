// Status and Result<T>: errors as values. No exception crosses a module edge.
//
// A Status says what went wrong (naming the thing: file, field, entry) and how to fix it.
// Its code maps onto the process exit codes every gate-like command shares
// (DESIGN.md §3.2): 0 pass/ALLOW, 1 fail/HOLD, 2 bad input or usage, 3 internal error.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace prodgate {

enum class StatusCode {
  kOk = 0,
  kBadInput,  // the user's input is wrong or unreadable: exit 2
  kInternal,  // our fault or the machine's (I/O failure while writing, OOM): exit 3
  // A write whose outcome could not be confirmed (a COMMIT the disk or the server did not
  // acknowledge): it may or may not have happened. Exit 3; the message says what to check.
  kUnknownOutcome,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  // `what` names the thing that is wrong; `fix` says what would make it right.
  static Status BadInput(std::string what, std::string fix = {}) {
    return Status(StatusCode::kBadInput, std::move(what), std::move(fix));
  }
  static Status Internal(std::string what, std::string fix = {}) {
    return Status(StatusCode::kInternal, std::move(what), std::move(fix));
  }
  static Status UnknownOutcome(std::string what, std::string fix = {}) {
    return Status(StatusCode::kUnknownOutcome, std::move(what), std::move(fix));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& what() const { return what_; }
  const std::string& fix() const { return fix_; }

  // "what" alone, or "what\n  fix: fix".
  std::string ToString() const;
  // 0 for ok, 2 for bad input, 3 for internal errors.
  int exit_code() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  Status(StatusCode code, std::string what, std::string fix)
      : code_(code), what_(std::move(what)), fix_(std::move(fix)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string what_;
  std::string fix_;
};

// Holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace prodgate

#define PG_CONCAT_INNER(a, b) a##b
#define PG_CONCAT(a, b) PG_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define PG_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::prodgate::Status pg_status_ = (expr);  \
    if (!pg_status_.ok()) return pg_status_; \
  } while (0)

// `PG_ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value or returns its Status.
#define PG_ASSIGN_OR_RETURN(lhs, expr) \
  PG_ASSIGN_OR_RETURN_IMPL(PG_CONCAT(pg_result_, __LINE__), lhs, expr)
#define PG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
