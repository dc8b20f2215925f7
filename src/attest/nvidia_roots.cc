// Copyright 2026 The Cerumbra Authors.
//
// The pinned NVIDIA roots. Public certificates, copied from NVIDIA's
// nvtrust verifier (verifier/certs/verifier_device_root.pem and
// verifier_RIM_root.pem, identical to DEVICE_ROOT_CERT and RIM_ROOT_CERT
// in NVIDIA's attestation-sdk). nvidia_verifier_test.cc checks that they
// are byte-equal to the files in shared/testvectors and their SHA-256
// fingerprints.

#include <cstdlib>
#include <string_view>
#include <vector>

#include "attest/nvidia_verifier.h"
#include "cerumbra/status.h"
#include "crypto/base64.h"

namespace cerumbra::attest {
namespace {

// "NVIDIA Device Identity CA", P-384, 2021-11-05 .. 9999-12-31, SHA-256
// fingerprint 10:2B:F6:59:D5:41:96:14:C9:D8:E6:AE:CE:BC:80:45:
// 4E:B2:6B:1D:F6:A7:69:AC:72:0B:9A:69:0B:16:7B:48.
constexpr std::string_view kDeviceRootBase64 =
    "MIICCzCCAZCgAwIBAgIQLTZwscoQBBHB/sDoKgZbVDAKBggqhkjOPQQDAzA1MSIw"
    "IAYDVQQDDBlOVklESUEgRGV2aWNlIElkZW50aXR5IENBMQ8wDQYDVQQKDAZOVklE"
    "SUEwIBcNMjExMTA1MDAwMDAwWhgPOTk5OTEyMzEyMzU5NTlaMDUxIjAgBgNVBAMM"
    "GU5WSURJQSBEZXZpY2UgSWRlbnRpdHkgQ0ExDzANBgNVBAoMBk5WSURJQTB2MBAG"
    "ByqGSM49AgEGBSuBBAAiA2IABA5MFKM7+KViZljbQSlgfky/RRnEQScW9NDZF8SX"
    "gAW96r6u/Ve8ZggtcYpPi2BS4VFu6KfEIrhN6FcHG7WP05W+oM+hxj7nyA1r1jkB"
    "2Ry70YfThX3Ba1zOryOP+MJ9vaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8B"
    "Af8EBAMCAQYwHQYDVR0OBBYEFFeF/4PyY8xlfWi3Olv0jUrL+0lfMB8GA1UdIwQY"
    "MBaAFFeF/4PyY8xlfWi3Olv0jUrL+0lfMAoGCCqGSM49BAMDA2kAMGYCMQCPeFM3"
    "TASsKQVaT+8S0sO9u97PVGCpE9d/I42IT7k3UUOLSR/qvJynVOD1vQKVXf0CMQC+"
    "EY55WYoDBvs2wPAH1Gw4LbcwUN8QCff8bFmV4ZxjCRr4WXTLFHBKjbfneGSBWwA=";

// "NVIDIA CoRIM signing Root CA", P-384, 2023-03-16 .. 2053-03-08, SHA-256
// fingerprint 12:97:7B:51:15:AC:B0:38:11:79:27:9F:FF:EB:5A:8C:4D:26:49:71:
// EB:B3:22:98:02:3A:46:5F:A4:1D:F5:D1.
constexpr std::string_view kRimRootBase64 =
    "MIICKTCCAbCgAwIBAgIQRdrjoA5QN73fh1N17LXicDAKBggqhkjOPQQDAzBFMQsw"
    "CQYDVQQGEwJVUzEPMA0GA1UECgwGTlZJRElBMSUwIwYDVQQDDBxOVklESUEgQ29S"
    "SU0gc2lnbmluZyBSb290IENBMCAXDTIzMDMxNjE1MzczNFoYDzIwNTMwMzA4MTUz"
    "NzM0WjBFMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGTlZJRElBMSUwIwYDVQQDDBxO"
    "VklESUEgQ29SSU0gc2lnbmluZyBSb290IENBMHYwEAYHKoZIzj0CAQYFK4EEACID"
    "YgAEuECyi9vNM+Iw2lfUzyBldHAwaC1HF7TCgp12QcEyUTm3Tagxwr48d55+K2VI"
    "lWYIDk7NlAIQdcV/Ff7euGLI+Qauj93HsSI4WX298PpW54RTgz9tC+Q684caR/BX"
    "WEeZo2MwYTAdBgNVHQ4EFgQUpaXrOPK4ZDAk08DBskn594zeZjAwHwYDVR0jBBgw"
    "FoAUpaXrOPK4ZDAk08DBskn594zeZjAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8B"
    "Af8EBAMCAQYwCgYIKoZIzj0EAwMDZwAwZAIwHGDyscDP6ihHqRvZlI3eqZ4YkvjE"
    "1duaN84tAHRVgxVMvNrp5Tnom3idHYGW/dskAjATvjIx6VzHm/4e2GiZAyZEIUBD"
    "OKPzp5ei/A0iUZpdvngenDwV8Qa/wGdiTmJ7Bp4=";

std::vector<uint8_t> MustDecode(std::string_view base64) {
  Result<std::vector<uint8_t>> der = crypto::internal::Base64Decode(base64);
  CERUMBRA_CHECK(der.ok());  // A constant of this file: a bug if it fails.
  return *std::move(der);
}

}  // namespace

std::vector<uint8_t> DefaultNvidiaDeviceRootDer() {
  return MustDecode(kDeviceRootBase64);
}

std::vector<uint8_t> DefaultNvidiaRimRootDer() {
  return MustDecode(kRimRootBase64);
}

}  // namespace cerumbra::attest
