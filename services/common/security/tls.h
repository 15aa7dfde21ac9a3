// TLS credentials for the services and for their own gRPC clients, built
// from PEM text. The files are read once, at start-up (ReadPemFile), so a
// bad path or a file that holds no PEM block is a clear configuration error
// rather than a failed handshake later.
//
//   absl::StatusOr<std::string> cert = ReadPemFile("--tls_cert", path,
//                                                  PemKind::kCertificate);
//   ServerTls tls{.cert_pem = *cert, .key_pem = *key};
//   absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
//       MakeServerCredentials(tls);
#ifndef ANNALS_SERVICES_COMMON_SECURITY_TLS_H_
#define ANNALS_SERVICES_COMMON_SECURITY_TLS_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace annals::security {

// A server's TLS settings as PEM text. An empty cert_pem means plaintext.
struct ServerTls {
  // The server's certificate chain and private key. Both or neither.
  std::string cert_pem;
  std::string key_pem;
  // Not empty: mutual TLS. Clients must present a certificate signed by one
  // of these CAs; others fail the handshake. Requires cert_pem.
  std::string client_ca_pem;

  bool enabled() const { return !cert_pem.empty(); }
};

// A client's TLS settings as PEM text.
struct ClientTls {
  // CAs that may sign the server's certificate. Empty: the system's roots.
  std::string ca_pem;
  // The client's certificate chain and key, for servers that require mutual
  // TLS. Both or neither.
  std::string cert_pem;
  std::string key_pem;
};

enum class PemKind { kCertificate, kPrivateKey };

// Reads the PEM file at `path`. `source` names where the path came from
// ("--tls_cert") and starts every error message. INVALID_ARGUMENT if the
// file cannot be read or holds no PEM block of `kind`.
absl::StatusOr<std::string> ReadPemFile(absl::string_view source,
                                        const std::string& path, PemKind kind);

// Insecure credentials when `tls` is not enabled. INVALID_ARGUMENT when the
// settings are inconsistent (a key without a certificate, a client CA
// without a certificate).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls);

// SSL channel credentials. INVALID_ARGUMENT when only one of cert_pem and
// key_pem is set.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTls& tls);

}  // namespace annals::security

#endif  // ANNALS_SERVICES_COMMON_SECURITY_TLS_H_
