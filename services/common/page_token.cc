#include "services/common/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/fingerprint.h"
#include "services/common/status/errors.h"

namespace annals {
namespace {

constexpr size_t kChecksumLength = 16;  // hex digits of a 64-bit fingerprint

std::string Checksum(absl::string_view secret, absl::string_view filters,
                     absl::string_view position) {
  std::string checked;
  AppendField(&checked, secret);
  AppendField(&checked, filters);
  AppendField(&checked, position);
  return absl::StrFormat("%016x", Fingerprint64(checked));
}

}  // namespace

std::string EncodePageToken(absl::string_view secret, absl::string_view filters,
                            absl::string_view position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(Checksum(secret, filters, position), position));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view secret,
                                            absl::string_view filters,
                                            absl::string_view token) {
  std::string raw;
  if (token.size() > 4096 || !absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() < kChecksumLength ||
      Checksum(secret, filters,
               absl::string_view(raw).substr(kChecksumLength)) !=
          absl::string_view(raw).substr(0, kChecksumLength)) {
    return InvalidArgumentError(
        "page_token",
        "is not a token returned by a previous call with the same filters");
  }
  return raw.substr(kChecksumLength);
}

}  // namespace annals
