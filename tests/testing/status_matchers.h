// Status assertions for tests, in the spirit of RocksDB's ASSERT_OK.
//
//   ASSERT_OK(store.Put(...));
//   ASSERT_OK_AND_ASSIGN(Entity e, catalog.GetEntity("nmi"));
//   EXPECT_THAT(result.status(), StatusIs(absl::StatusCode::kNotFound));
#ifndef ANNALS_TESTS_TESTING_STATUS_MATCHERS_H_
#define ANNALS_TESTS_TESTING_STATUS_MATCHERS_H_

#include <grpcpp/support/status.h>

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace annals::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
inline absl::Status GetStatus(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

// Matches a Status, StatusOr<T> or grpc::Status whose code is `code` and
// whose message matches `message_matcher` (any message by default).
MATCHER_P2(StatusIsImpl, code, message_matcher,
           "has code " + absl::StatusCodeToString(code)) {
  absl::Status status = ::annals::testing::GetStatus(arg);
  if (status.code() != code) {
    *result_listener << "whose status is " << status;
    return false;
  }
  return ::testing::ExplainMatchResult(
      message_matcher, std::string(status.message()), result_listener);
}

inline auto StatusIs(absl::StatusCode code) {
  return StatusIsImpl(code, ::testing::_);
}
template <typename M>
auto StatusIs(absl::StatusCode code, M message_matcher) {
  return StatusIsImpl(code,
                      ::testing::MatcherCast<std::string>(message_matcher));
}

// Matches an ok Status, StatusOr<T> or grpc::Status.
MATCHER(IsOk, "is OK") {
  absl::Status status = ::annals::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "whose status is " << status;
  return status.ok();
}

// Matches an ok StatusOr<T> whose value matches `value_matcher`.
MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace annals::testing

#define ANNALS_STATUS_CONCAT_INNER_(a, b) a##b
#define ANNALS_STATUS_CONCAT_(a, b) ANNALS_STATUS_CONCAT_INNER_(a, b)

#define EXPECT_OK(expr) EXPECT_THAT(expr, ::annals::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT(expr, ::annals::testing::IsOk())

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ANNALS_ASSERT_OK_AND_ASSIGN_IMPL_(     \
      ANNALS_STATUS_CONCAT_(annals_statusor_, __LINE__), lhs, rexpr)
#define ANNALS_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                      \
  ASSERT_TRUE(statusor.ok()) << statusor.status();              \
  lhs = std::move(statusor).value()

#endif  // ANNALS_TESTS_TESTING_STATUS_MATCHERS_H_
