// Copyright 2026 The Cerumbra Authors.
//
// Loading the node's TLS certificate and key from disk (`cerumbra serve
// --tls-cert CERT.pem --tls-key KEY.pem`). The file checks live here; the
// OpenSSL work in crypto/tls.h.

#ifndef CERUMBRA_SERVER_TLS_FILES_H_
#define CERUMBRA_SERVER_TLS_FILES_H_

#include <string>

#include "cerumbra/status.h"
#include "crypto/tls.h"

namespace cerumbra::server {

// LoadTlsFiles reads the PEM certificate chain at `certificate_path` and the
// PEM private key at `private_key_path` and returns a server context
// (crypto::TlsContext::CreateServer). Like the simulated CA's key, the key
// file must be a regular file that neither group nor others can access
// (FailedPrecondition: "chmod 600 it"). Missing or unreadable files are
// NotFound / InvalidArgument; a bad certificate or key, or a key that does
// not match the certificate, InvalidArgument. Every message names the file.
// The key's bytes are wiped once parsed. Thread safety: safe to call
// concurrently.
Result<crypto::TlsContext> LoadTlsFiles(const std::string& certificate_path,
                                        const std::string& private_key_path);

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_TLS_FILES_H_
