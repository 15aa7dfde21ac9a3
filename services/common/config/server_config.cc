#include "services/common/config/server_config.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/security/bearer_token.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of this server. Turns TLS on; needs "
          "--tls_key. Empty: plaintext.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert. Read once at start-up.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificate(s) for mutual TLS: clients must present a "
          "certificate signed by one of them, or the handshake fails. Needs "
          "--tls_cert.");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding the bearer token (surrounding whitespace trimmed; "
          "must not be empty) that write calls must carry as metadata "
          "\"authorization: Bearer <token>\". Without TLS the token travels "
          "in clear text. Empty: no token checks.");
ABSL_FLAG(bool, auth_reads, false,
          "Require the bearer token for reads too (health checks and "
          "reflection stay open). Needs --auth_token_file.");
ABSL_FLAG(int, max_message_bytes, 16 << 20,
          "Largest request message accepted, in bytes; larger ones fail with "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_page_size, 1000,
          "Largest page_size a List call may ask for (1-10000); larger ones "
          "fail with INVALID_ARGUMENT.");
ABSL_FLAG(int64_t, max_response_bytes, 4000000,
          "Largest response a call builds, in bytes (below gRPC clients' "
          "default 4 MiB receive limit). Pages of List calls end early with "
          "a next_page_token; an answer that cannot be split (a snapshot, a "
          "batch, a single item) fails with RESOURCE_EXHAUSTED naming this "
          "flag before the rest is built. At least 65536.");
ABSL_FLAG(std::string, log_format, "text",
          "Log lines on stderr as \"text\" or \"json\" (one JSON object per "
          "line).");
ABSL_FLAG(std::string, log_level, "info",
          "Least severe events logged: debug (adds one line per call: method, "
          "code, latency), info, warn or error.");
ABSL_FLAG(absl::Duration, max_connection_idle, absl::Minutes(5),
          "Close a client connection that has had no call in flight for this "
          "long (it frees the connection's file descriptor; clients reconnect "
          "on their next call). 0: never.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM or SIGINT, how long calls in flight may take to finish.");

namespace annals::config {

std::string ServerConfig::TlsMode() const {
  if (!security.tls.enabled()) return "off";
  return security.tls.client_ca_pem.empty() ? "tls" : "mutual-tls";
}

std::string ServerConfig::AuthMode() const {
  if (security.auth_token.empty()) return "off";
  return security.auth_reads ? "all" : "writes";
}

std::shared_ptr<logging::Logger> ServerConfig::MakeLogger(
    absl::string_view service) const {
  logging::LoggerOptions options;
  options.level = log_level;
  options.format = log_format;
  options.service = std::string(service);
  return std::make_shared<logging::Logger>(std::move(options));
}

std::vector<logging::Field> ServerConfig::Describe() const {
  return {{"tls", TlsMode()},
          {"auth", AuthMode()},
          {"auth_token_file", auth_token_file},
          {"max_message_bytes", max_message_bytes},
          {"max_page_size", max_page_size},
          {"max_response_bytes", max_response_bytes},
          {"max_connection_idle", absl::FormatDuration(max_connection_idle)},
          {"log_level", logging::LevelName(log_level)}};
}

absl::Status ValidateRange(absl::string_view flag, int64_t value, int64_t min,
                           int64_t max) {
  if (value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": ", value, " is out of range: use ", min, "-", max));
  }
  return absl::OkStatus();
}

absl::Status ValidateAddress(absl::string_view flag,
                             absl::string_view address) {
  if (absl::StartsWith(address, "unix:") && address.size() > 5) {
    return absl::OkStatus();
  }
  const size_t colon = address.rfind(':');
  bool ok = colon != absl::string_view::npos && colon > 0;
  if (ok) {
    absl::string_view host = address.substr(0, colon);
    absl::string_view port = address.substr(colon + 1);
    int number = 0;
    ok = !port.empty() &&
         std::all_of(port.begin(), port.end(),
                     [](char c) { return absl::ascii_isdigit(c); }) &&
         absl::SimpleAtoi(port, &number) && number <= 65535;
    // A bare IPv6 address must be bracketed: [::1]:7401.
    if (ok && absl::StrContains(host, ':')) {
      ok = absl::StartsWith(host, "[") && absl::EndsWith(host, "]");
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": \"", address, "\" is not HOST:PORT (such as 127.0.0.1:7401)"));
  }
  return absl::OkStatus();
}

void WarnIfExposedWithoutTls(const logging::Logger& logger,
                             absl::string_view listen,
                             const ServerConfig& config) {
  if (config.security.tls.enabled()) return;
  if (absl::StartsWith(listen, "127.") ||
      absl::StartsWith(listen, "localhost:") ||
      absl::StartsWith(listen, "[::1]:") || absl::StartsWith(listen, "unix:")) {
    return;
  }
  logger.Warn(config.security.auth_token.empty()
                  ? "serving plaintext gRPC beyond this machine; use "
                    "--tls_cert and --tls_key"
                  : "serving plaintext gRPC beyond this machine: bearer "
                    "tokens travel in clear text; use --tls_cert and "
                    "--tls_key",
              {{"listen", listen}});
}

absl::StatusOr<ClientConnection> LoadClientConnection(
    const ClientFiles& files) {
  const std::string& prefix = files.flag_prefix;
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "tls_cert and ", prefix,
                     "tls_key go together: give both or neither"));
  }
  ClientConnection connection;
  if (!files.ca_file.empty() || !files.cert_file.empty()) {
    security::ClientTls tls;
    if (!files.ca_file.empty()) {
      absl::StatusOr<std::string> ca =
          security::ReadPemFile(absl::StrCat(prefix, "tls_ca"), files.ca_file,
                                security::PemKind::kCertificate);
      if (!ca.ok()) return ca.status();
      tls.ca_pem = *std::move(ca);
    }
    if (!files.cert_file.empty()) {
      absl::StatusOr<std::string> cert = security::ReadPemFile(
          absl::StrCat(prefix, "tls_cert"), files.cert_file,
          security::PemKind::kCertificate);
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key =
          security::ReadPemFile(absl::StrCat(prefix, "tls_key"), files.key_file,
                                security::PemKind::kPrivateKey);
      if (!key.ok()) return key.status();
      tls.cert_pem = *std::move(cert);
      tls.key_pem = *std::move(key);
    }
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        security::MakeChannelCredentials(tls);
    if (!credentials.ok()) return credentials.status();
    connection.credentials = *std::move(credentials);
  }
  if (!files.token_file.empty()) {
    absl::StatusOr<std::string> token = security::ReadTokenFile(
        absl::StrCat(prefix, "token_file"), files.token_file);
    if (!token.ok()) return token.status();
    connection.token = *std::move(token);
  }
  return connection;
}

absl::StatusOr<ServerConfig> LoadServerConfig() {
  ServerConfig config;
  const std::string cert_file = absl::GetFlag(FLAGS_tls_cert);
  const std::string key_file = absl::GetFlag(FLAGS_tls_key);
  const std::string client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key go together: give both or neither");
  }
  if (!client_ca_file.empty() && cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca (mutual TLS) needs --tls_cert and --tls_key");
  }
  if (!cert_file.empty()) {
    absl::StatusOr<std::string> cert = security::ReadPemFile(
        "--tls_cert", cert_file, security::PemKind::kCertificate);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = security::ReadPemFile(
        "--tls_key", key_file, security::PemKind::kPrivateKey);
    if (!key.ok()) return key.status();
    config.security.tls.cert_pem = *std::move(cert);
    config.security.tls.key_pem = *std::move(key);
  }
  if (!client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = security::ReadPemFile(
        "--tls_client_ca", client_ca_file, security::PemKind::kCertificate);
    if (!ca.ok()) return ca.status();
    config.security.tls.client_ca_pem = *std::move(ca);
  }

  config.auth_token_file = absl::GetFlag(FLAGS_auth_token_file);
  config.security.auth_reads = absl::GetFlag(FLAGS_auth_reads);
  if (config.security.auth_reads && config.auth_token_file.empty()) {
    return absl::InvalidArgumentError(
        "--auth_reads needs --auth_token_file (the token to require)");
  }
  if (!config.auth_token_file.empty()) {
    absl::StatusOr<std::string> token =
        security::ReadTokenFile("--auth_token_file", config.auth_token_file);
    if (!token.ok()) return token.status();
    config.security.auth_token = *std::move(token);
  }

  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (absl::Status s =
          ValidateRange("--max_message_bytes", config.max_message_bytes,
                        kMinMessageBytes, kMaxMessageBytes);
      !s.ok()) {
    return s;
  }
  config.max_page_size = absl::GetFlag(FLAGS_max_page_size);
  if (absl::Status s = ValidateRange("--max_page_size", config.max_page_size, 1,
                                     kMaxPageSizeLimit);
      !s.ok()) {
    return s;
  }
  config.max_response_bytes = absl::GetFlag(FLAGS_max_response_bytes);
  if (absl::Status s =
          ValidateRange("--max_response_bytes", config.max_response_bytes,
                        kMinResponseBytes, kMaxMessageBytes);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<logging::Format> format =
      logging::ParseFormat(absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format: ", format.status().message()));
  }
  config.log_format = *format;
  absl::StatusOr<logging::Level> level =
      logging::ParseLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_level: ", level.status().message()));
  }
  config.log_level = *level;

  config.max_connection_idle = absl::GetFlag(FLAGS_max_connection_idle);
  if (config.max_connection_idle < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_idle: must not be negative");
  }
  if (config.max_connection_idle > absl::Hours(24 * 24)) {
    return absl::InvalidArgumentError(
        "--max_connection_idle: at most 576h (use 0 for never)");
  }
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  if (config.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace: must not be negative");
  }
  return config;
}

}  // namespace annals::config
