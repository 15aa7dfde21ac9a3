#include "services/common/security/bearer_token.h"

#include <grpcpp/server_context.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace annals::security {
namespace {

constexpr absl::string_view kScheme = "bearer ";

}  // namespace

std::string BearerValue(absl::string_view token) {
  return absl::StrCat("Bearer ", token);
}

absl::StatusOr<std::string> ReadTokenFile(absl::string_view source,
                                          const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(text.str()));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", path, " is empty; put the token in it"));
  }
  for (char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": the token in ", path,
          " must be one word of visible ASCII characters (no spaces)"));
    }
  }
  return token;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  // Every byte of `a` is compared against some byte of `b`, whatever the
  // contents; a length difference is folded into the result.
  volatile unsigned char differ = a.size() == b.size() ? 0 : 1;
  if (b.empty()) return a.empty();
  for (size_t i = 0; i < a.size(); ++i) {
    differ = differ | static_cast<unsigned char>(a[i] ^ b[i % b.size()]);
  }
  return differ == 0;
}

CallAuthorizer::CallAuthorizer(std::string token, bool auth_reads,
                               std::shared_ptr<const logging::Logger> logger)
    : token_(std::move(token)),
      auth_reads_(auth_reads),
      logger_(std::move(logger)) {}

absl::Status CallAuthorizer::Check(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    Access access) const {
  if (token_.empty()) return absl::OkStatus();
  if (access == Access::kRead && !auth_reads_) return absl::OkStatus();
  auto it = metadata.find(
      grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing bearer token: this method requires authorization: Bearer "
        "<token>");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (value.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        "malformed authorization metadata: expected Bearer <token>");
  }
  absl::string_view given =
      absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  if (!ConstantTimeEquals(given, token_)) {
    return absl::UnauthenticatedError("invalid bearer token");
  }
  return absl::OkStatus();
}

bool CallAuthorizer::Authenticated(
    const grpc::ServerContextBase& context) const {
  return enabled() && Check(context.client_metadata(), Access::kWrite).ok();
}

absl::Status CallAuthorizer::Authorize(const grpc::ServerContextBase& context,
                                       Access access,
                                       absl::string_view method) const {
  absl::Status status = Check(context.client_metadata(), access);
  if (!status.ok() && logger_ != nullptr) {
    logger_->Info("call rejected", {{"method", method},
                                    {"reason", status.message()},
                                    {"peer", context.peer()}});
  }
  return status;
}

}  // namespace annals::security
