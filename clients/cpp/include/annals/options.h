// Options shared by the Annals C++ clients.
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace annals {

// TLS for a client's channel, as PEM text (see LoadTlsFiles()).
struct TlsOptions {
  // CAs that may sign the server's certificate. Empty: the system's roots.
  std::string ca_pem;
  // The client's certificate chain and private key, for servers that
  // require mutual TLS. Both or neither.
  std::string cert_pem;
  std::string key_pem;
  // Checks the server's certificate against this name instead of the
  // address's host. Default: empty (the host).
  std::string server_name;
};

struct ClientOptions {
  // Deadline of each attempt of a call. Default: 10 seconds.
  absl::Duration timeout = absl::Seconds(10);
  // Attempts of a retryable call (reads, and writes with a request id, which
  // the client always sets) when the server is UNAVAILABLE. Default: 4.
  int max_attempts = 4;
  // Backoff before the second attempt; doubles each time, with jitter, up to
  // max_backoff. Default: 100 ms and 2 s.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  // Connect with TLS. Default: none (plaintext).
  std::optional<TlsOptions> tls;
  // Sent as "authorization: Bearer <token>" with every call when not empty
  // (servers started with --auth_token_file). Without `tls` it travels in
  // clear text. Default: empty.
  std::string bearer_token;
};

// Reads PEM files into TlsOptions; an empty path leaves its field empty.
// INVALID_ARGUMENT naming the file if one cannot be read or holds no PEM
// block, or if only one of cert_file and key_file is given.
absl::StatusOr<TlsOptions> LoadTlsFiles(const std::string& ca_file,
                                        const std::string& cert_file,
                                        const std::string& key_file);

// Reads a bearer token from `path`, without surrounding whitespace, as the
// services do. INVALID_ARGUMENT if the file cannot be read or is empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_
