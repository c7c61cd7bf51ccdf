#include "ledger/event.h"

#include <gtest/gtest.h>

namespace prodgate::ledger {
namespace {

Json ValidEvent() {
  Event e;
  e.seq = 1;
  e.at = "2026-06-12T00:00:00Z";
  e.actor = "local:x";
  e.kind = "k";
  e.hash = *ComputeEventHash(e);
  return e.ToJson();
}

// Found by fuzz/event_fuzz.cc: a "format" that is not a string threw a nlohmann::json
// type_error out of FromJson (a damaged ledger row ended the process) instead of being
// reported as a damaged event.
TEST(LedgerEvent, FromJsonRefusesAFormatThatIsNotAString) {
  for (Json format : {Json(1), Json(nullptr), Json::array(), Json::object(), Json(true)}) {
    Json j = ValidEvent();
    j["format"] = format;
    Result<Event> e = Result<Event>(Status::Internal("threw"));
    EXPECT_NO_THROW(e = Event::FromJson(j)) << format.dump();
    EXPECT_EQ(e.status().code(), StatusCode::kBadInput) << format.dump();
  }
  Json no_format = ValidEvent();
  no_format.erase("format");
  EXPECT_FALSE(Event::FromJson(no_format).ok());
  EXPECT_TRUE(Event::FromJson(ValidEvent()).ok());
}

}  // namespace
}  // namespace prodgate::ledger
