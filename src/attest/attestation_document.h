// Copyright 2026 The Cerumbra Authors.
//
// The attestation document a node publishes at kAttestationDocumentPath
// (docs/attestation.md §7): what it attests with (SIMULATED stated
// plainly, or NVIDIA's state and why), its measurements, its certificate
// chain, the root fingerprint to pin and a policy an operator can hand to
// clients. Public data only. It describes the node; it proves nothing by
// itself: clients still verify each session's quote.

#ifndef CERUMBRA_ATTEST_ATTESTATION_DOCUMENT_H_
#define CERUMBRA_ATTEST_ATTESTATION_DOCUMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attest/attester.h"
#include "attest/policy.h"
#include "cerumbra/status.h"
#include "crypto/x509.h"
#include "protocol/quote.h"

namespace cerumbra::attest {

// kAttestationDocumentPath is the well-known HTTP path (RFC 8615).
inline constexpr char kAttestationDocumentPath[] =
    "/.well-known/cerumbra-attestation.json";
inline constexpr char kAttestationDocumentFormat[] =
    "cerumbra-attestation-document-v1";

// SuggestedPolicy returns a policy pinning `chain`'s last certificate (the
// root) and every measurement exactly; accept_simulated is true only for
// a simulated node. Thread safety: pure function.
Policy SuggestedPolicy(const AttesterStatus& status,
                       const std::vector<protocol::Measurement>& measurements,
                       const std::vector<crypto::Certificate>& chain);

// MakeAttestationDocument returns the document's JSON text (one object,
// members as documented). REQUIRES: `chain` non-empty. Thread safety: pure
// function.
std::string MakeAttestationDocument(
    const AttesterStatus& status,
    const std::vector<protocol::Measurement>& measurements,
    const std::vector<crypto::Certificate>& chain);

// MakeAttestationDocument for a running Attester.
std::string MakeAttestationDocument(const Attester& attester);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_ATTESTATION_DOCUMENT_H_
