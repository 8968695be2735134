#include <gtest/gtest.h>

#include "paperkit/common/errors.hpp"

namespace {

TEST(UnitErrors, EachErrorMapsToItsExitCode) {
  using paperkit::ExitCode;
  EXPECT_EQ(paperkit::InvalidParameter("x").exit_code(), ExitCode::usage);
  EXPECT_EQ(paperkit::InputError("x").exit_code(), ExitCode::input);
  EXPECT_EQ(paperkit::BackendUnavailable("x").exit_code(), ExitCode::backend);
  EXPECT_EQ(paperkit::InternalError("x").exit_code(), ExitCode::internal);
  EXPECT_EQ(static_cast<int>(ExitCode::input), 3);
}

TEST(UnitErrors, AllDeriveFromOneBase) {
  try {
    throw paperkit::InputError("bad file");
  } catch (const paperkit::Error& e) {
    EXPECT_STREQ(e.what(), "bad file");
  }
}

}  // namespace
