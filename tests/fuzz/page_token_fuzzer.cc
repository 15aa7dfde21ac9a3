// Fuzzes the page-token codec (services/common/page_token.h), which decodes
// tokens straight from clients. The input, split at its first two NUL
// bytes, is a server secret, a request's filters and a token. Decoding any
// token must not crash and must fail with INVALID_ARGUMENT unless the token
// is genuine; a token made for a position decodes back to it, and only with
// the same secret and filters.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/common/page_token.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> parts =
      absl::StrSplit(bytes, absl::MaxSplits('\0', 2));
  parts.resize(3);
  const absl::string_view secret = parts[0];
  const absl::string_view filters = parts[1];
  const absl::string_view token = parts[2];

  // A token from a client.
  absl::StatusOr<std::string> position =
      annals::DecodePageToken(secret, filters, token);
  if (!position.ok()) {
    FUZZ_CHECK(position.status().code() == absl::StatusCode::kInvalidArgument);
  } else {
    // Only a genuine token decodes: it is one this secret and these filters
    // make for that position, up to base64 spelling.
    FUZZ_CHECK(token.size() <= 4096);
    absl::StatusOr<std::string> again = annals::DecodePageToken(
        secret, filters, annals::EncodePageToken(secret, filters, *position));
    FUZZ_CHECK(again.ok() && *again == *position);
  }

  // The token as a position: it round-trips, and other filters or another
  // secret reject it.
  const std::string made = annals::EncodePageToken(secret, filters, token);
  absl::StatusOr<std::string> decoded =
      annals::DecodePageToken(secret, filters, made);
  if (made.size() > 4096) {
    FUZZ_CHECK(!decoded.ok());
    return 0;
  }
  FUZZ_CHECK(decoded.ok() && *decoded == token);
  FUZZ_CHECK(
      !annals::DecodePageToken(secret, absl::StrCat(filters, "x"), made).ok());
  FUZZ_CHECK(
      !annals::DecodePageToken(absl::StrCat(secret, "x"), filters, made).ok());
  return 0;
}
