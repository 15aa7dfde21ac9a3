#!/bin/sh
# Makes throwaway certificates for the security tests in folder $1:
#   ca.pem                    a test CA
#   server.pem, server.key    signed by it, for localhost and 127.0.0.1
#   client.pem, client.key    a client certificate signed by it
#   other-ca.pem              an unrelated CA
#   other-client.pem/.key     a client certificate signed by the other CA
# EC P-256 keys (fast to make), valid for two days. Needs openssl.
set -eu
dir="$1"
mkdir -p "$dir"
cd "$dir"

ca() {  # ca NAME SUBJECT
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$1.key" -out "$1.pem" -days 2 -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() {  # leaf NAME CA SUBJECT EXTENSIONS
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
    -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=Annals Test CA"
ca other-ca "/CN=Unrelated Test CA"
leaf server ca "/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf client ca "/CN=annals-test-client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
leaf other-client other-ca "/CN=unrelated-client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
