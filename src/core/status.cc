#include "core/status.h"

namespace prodgate {

std::string Status::ToString() const {
  if (ok()) return "ok";
  if (fix_.empty()) return what_;
  return what_ + "\n  fix: " + fix_;
}

int Status::exit_code() const {
  switch (code_) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kBadInput:
      return 2;
    case StatusCode::kInternal:
    case StatusCode::kUnknownOutcome:
      return 3;
  }
  return 3;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + what_, fix_);
}

}  // namespace prodgate
