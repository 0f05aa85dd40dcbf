#!/usr/bin/env bash
# Makes the test PKI of the TLS selftest (committed; run again only to
# replace it): an RSA-2048 chain and an ECDSA P-256 chain (root ->
# intermediate -> leaf for api.twilio.test, DigiCert-shaped extensions),
# and a forged chain: a leaf for attacker.test under the ECDSA intermediate
# whose key signs a certificate for api.twilio.test. Test keys only; valid
# for 20 years so CI does not expire. The firmware embeds the two roots
# (*-root.der); `confpart serve` gets *-chain.pem and *-leaf.key.
set -euo pipefail
cd "$(dirname "$0")"
DAYS=7300
ext() { # name: one extension section for openssl x509 -extfile
  case "$1" in
    ca) printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' ;;
    leaf) printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$2" ;;
  esac
}
key() { # name kind
  case "$2" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
  esac
}
root() { # name kind cn
  key "$1" "$2"
  openssl req -x509 -new -key "$1.key" -subj "/O=confpart test/CN=$3" -days $DAYS -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem"
}
issue() { # name kind cn issuer extension [san]
  key "$1" "$2"
  openssl req -new -key "$1.key" -subj "/O=confpart test/CN=$3" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days $DAYS -sha256 -extfile <(ext "$5" "${6:-}") -out "$1.pem" 2>/dev/null
  rm "$1.csr"
}
root rsa-root rsa "Test Global Root G2"
issue rsa-ca rsa "Test Global G2 TLS RSA SHA256 CA1" rsa-root ca
issue rsa-leaf rsa api.twilio.test rsa-ca leaf api.twilio.test
root ecdsa-root ec "Test Root CA 3"
issue ecdsa-ca ec "Test ECDSA 256 M02" ecdsa-root ca
issue ecdsa-leaf ec api.twilio.test ecdsa-ca leaf api.twilio.test
issue attacker-leaf ec attacker.test ecdsa-ca leaf attacker.test
issue forged-leaf ec api.twilio.test attacker-leaf leaf api.twilio.test
cat rsa-leaf.pem rsa-ca.pem > rsa-chain.pem
cat ecdsa-leaf.pem ecdsa-ca.pem > ecdsa-chain.pem
cat forged-leaf.pem attacker-leaf.pem ecdsa-ca.pem > forged-chain.pem
for r in rsa-root ecdsa-root; do openssl x509 -in $r.pem -outform der -out $r.der; done
# Only what the selftest uses is kept.
rm -f rsa-root.key rsa-ca.key ecdsa-root.key ecdsa-ca.key attacker-leaf.key \
  rsa-root.pem ecdsa-root.pem rsa-ca.pem ecdsa-ca.pem rsa-leaf.pem ecdsa-leaf.pem attacker-leaf.pem forged-leaf.pem
