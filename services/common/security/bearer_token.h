// Bearer tokens: "authorization: Bearer <token>" call metadata, checked
// against a token the server reads from a file at start-up.
//
// Every failure is UNAUTHENTICATED, following gRPC's status-code guide:
// PERMISSION_DENIED is for a caller that was identified but may not do
// something; a missing, malformed or unknown token identifies no one.
// Messages never contain a token, given or expected.
//
//   absl::StatusOr<std::string> token = ReadTokenFile("--auth_token_file", p);
//   CallAuthorizer authorizer(*token, /*auth_reads=*/false, logger);
//   absl::Status ok = authorizer.Authorize(context, Access::kWrite, "Create");
#ifndef ANNALS_SERVICES_COMMON_SECURITY_BEARER_TOKEN_H_
#define ANNALS_SERVICES_COMMON_SECURITY_BEARER_TOKEN_H_

#include <grpcpp/support/string_ref.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/logging/logger.h"

namespace grpc {
class ServerContextBase;
}

namespace annals::security {

// The metadata key clients send the token under (gRPC keys are lower case).
inline constexpr absl::string_view kAuthorizationKey = "authorization";

// "Bearer <token>".
std::string BearerValue(absl::string_view token);

// Reads the token in the file at `path`, without surrounding whitespace.
// `source` ("--auth_token_file") starts every error message.
// INVALID_ARGUMENT if the file cannot be read, is empty (or only
// whitespace), or the token has characters other than visible ASCII (which
// an HTTP/2 header cannot carry). The message never includes the token.
absl::StatusOr<std::string> ReadTokenFile(absl::string_view source,
                                          const std::string& path);

// Compares in time that depends only on the lengths, not on where the
// strings first differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

enum class Access {
  // Reads: open unless the server also requires the token for reads.
  kRead,
  // Writes: require the token whenever the server has one.
  kWrite,
};

// Decides whether a call may proceed.
//
// Thread safety: immutable after construction; safe for concurrent calls.
class CallAuthorizer {
 public:
  // An empty `token` lets every call through (no authentication).
  // `auth_reads` requires the token for reads too. Rejections are logged
  // at info level on `logger` (method, reason, peer); null logs nothing.
  CallAuthorizer(std::string token, bool auth_reads,
                 std::shared_ptr<const logging::Logger> logger = nullptr);

  bool enabled() const { return !token_.empty(); }
  bool auth_reads() const { return auth_reads_; }

  // OK if a call of `access` with this client metadata may proceed;
  // otherwise UNAUTHENTICATED:
  //   "missing bearer token: this method requires authorization: Bearer
  //   <token>", "malformed authorization metadata: expected Bearer
  //   <token>", or "invalid bearer token".
  absl::Status Check(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
      Access access) const;

  // Whether the server has a token and the call carries it (whatever the
  // call's access). Logs nothing.
  bool Authenticated(const grpc::ServerContextBase& context) const;

  // Check() on the call's metadata; logs a rejection with `method`.
  absl::Status Authorize(const grpc::ServerContextBase& context, Access access,
                         absl::string_view method) const;

 private:
  const std::string token_;
  const bool auth_reads_;
  const std::shared_ptr<const logging::Logger> logger_;
};

}  // namespace annals::security

#endif  // ANNALS_SERVICES_COMMON_SECURITY_BEARER_TOKEN_H_
