// The configuration both services share: TLS, bearer tokens, limits,
// logging and shutdown, defined once as flags (with ANNALS_* environment
// variables, see flags.h) and checked at start-up.
//
// Flags: --tls_cert, --tls_key, --tls_client_ca, --auth_token_file,
// --auth_reads, --max_message_bytes, --max_page_size, --max_response_bytes,
// --log_format,
// --log_level, --max_connection_idle, --shutdown_grace. Each service's main.cc
// adds its own
// (--listen, --data_dir, --catalog, ...).
//
//   config::ParseFlagsOrExit(argc, argv, {.usage = ...});
//   absl::StatusOr<config::ServerConfig> config = config::LoadServerConfig();
//   if (!config.ok()) config::ExitWithConfigError("annals-catalog", ...);
#ifndef ANNALS_SERVICES_COMMON_CONFIG_SERVER_CONFIG_H_
#define ANNALS_SERVICES_COMMON_CONFIG_SERVER_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/logging/logger.h"
#include "services/common/security/server_security.h"

namespace annals::config {

// Bounds on the limits a server accepts at start-up.
inline constexpr int kMinMessageBytes = 1024;
inline constexpr int kMaxMessageBytes = 1 << 30;
inline constexpr int kMaxPageSizeLimit = 10000;
inline constexpr int64_t kMinResponseBytes = 65536;

struct ServerConfig {
  // TLS PEM contents read from --tls_cert, --tls_key and --tls_client_ca;
  // the token read from --auth_token_file (a secret: never log it), and
  // --auth_reads.
  security::ServerSecurity security;
  std::string auth_token_file;
  int max_message_bytes = 16 << 20;
  int max_page_size = 1000;
  // The byte budget of every response (--max_response_bytes).
  int64_t max_response_bytes = 4000000;
  logging::Level log_level = logging::Level::kInfo;
  logging::Format log_format = logging::Format::kText;
  // Idle connections are closed after this long; zero: never.
  absl::Duration max_connection_idle = absl::Minutes(5);
  absl::Duration shutdown_grace = absl::Seconds(10);

  // "off", "tls" or "mutual-tls".
  std::string TlsMode() const;
  // "off", "writes" or "all" (which calls need the token).
  std::string AuthMode() const;

  // A logger with the configured level and format, on stderr, that tags
  // events with `service`.
  std::shared_ptr<logging::Logger> MakeLogger(absl::string_view service) const;

  // The settings as log fields (file names, never their contents), for a
  // start-up event.
  std::vector<logging::Field> Describe() const;
};

// Files naming how a service reaches another service as a client, and
// what they hold once read.
struct ClientFiles {
  // Flags are named <prefix>tls_ca, <prefix>tls_cert, <prefix>tls_key and
  // <prefix>token_file, for error messages.
  std::string flag_prefix = "--catalog_";
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string token_file;
};
struct ClientConnection {
  // Null: plaintext (no TLS file given).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Empty: no token file given. A secret: never log it.
  std::string token;
};

// TLS is on when any of ca_file, cert_file is given (no ca_file: the
// system's roots). INVALID_ARGUMENT naming the flag when a file cannot be
// read or holds no PEM block or token, or cert_file and key_file are not
// given together.
absl::StatusOr<ClientConnection> LoadClientConnection(const ClientFiles& files);

// Logs a warning when a server listening on `listen` would be reachable
// beyond this machine (not 127.x, localhost or [::1]) without TLS: calls,
// and bearer tokens if any, would travel in clear text.
void WarnIfExposedWithoutTls(const logging::Logger& logger,
                             absl::string_view listen,
                             const ServerConfig& config);

// Reads the shared flags, checks them, and reads the files they name.
// INVALID_ARGUMENT with a one-line message naming the flag when a value is
// out of range, a file cannot be read or holds no PEM block or token, or
// flags that go together are not given together (--tls_key without
// --tls_cert, --auth_reads without --auth_token_file).
absl::StatusOr<ServerConfig> LoadServerConfig();

// INVALID_ARGUMENT ("<flag>: \"x\" is not HOST:PORT") unless `address` is
// HOST:PORT with a port from 0 to 65535, [IPv6]:PORT, or a "unix:" path.
absl::Status ValidateAddress(absl::string_view flag, absl::string_view address);

// INVALID_ARGUMENT ("<flag>: <value> is out of range: use <min>-<max>")
// unless min <= value <= max.
absl::Status ValidateRange(absl::string_view flag, int64_t value, int64_t min,
                           int64_t max);

}  // namespace annals::config

#endif  // ANNALS_SERVICES_COMMON_CONFIG_SERVER_CONFIG_H_
