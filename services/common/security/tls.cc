#include "services/common/security/tls.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace annals::security {

absl::StatusOr<std::string> ReadPemFile(absl::string_view source,
                                        const std::string& path, PemKind kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  // Certificates are "-----BEGIN CERTIFICATE-----"; keys are "PRIVATE KEY",
  // "RSA PRIVATE KEY" or "EC PRIVATE KEY".
  const bool found = kind == PemKind::kCertificate
                         ? absl::StrContains(pem, "-----BEGIN CERTIFICATE-----")
                         : absl::StrContains(pem, "PRIVATE KEY-----");
  if (!found) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", path, " holds no PEM ",
        kind == PemKind::kCertificate ? "certificate" : "private key"));
  }
  return pem;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls) {
  if (!tls.enabled()) {
    if (!tls.key_pem.empty() || !tls.client_ca_pem.empty()) {
      return absl::InvalidArgumentError(
          "TLS: a key or client CA was given without a server certificate");
    }
    return grpc::InsecureServerCredentials();
  }
  if (tls.key_pem.empty()) {
    return absl::InvalidArgumentError(
        "TLS: a server certificate was given without its private key");
  }
  grpc::SslServerCredentialsOptions options(
      tls.client_ca_pem.empty()
          ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
          : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.client_ca_pem;
  options.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTls& tls) {
  if (tls.cert_pem.empty() != tls.key_pem.empty()) {
    return absl::InvalidArgumentError(
        "TLS: a client certificate and its key go together; one is missing");
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca_pem;
  options.pem_cert_chain = tls.cert_pem;
  options.pem_private_key = tls.key_pem;
  return grpc::SslCredentials(options);
}

}  // namespace annals::security
