// Copyright 2026 The Cerumbra Authors.

#include "attest/nvidia_verifier.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "attest/nvidia_cert.h"
#include "attest/rim.h"
#include "attest/spdm.h"
#include "crypto/ecdsa.h"
#include "crypto/x509.h"

namespace cerumbra::attest {
namespace {

// NVIDIA device chains are exactly 5 certificates (nvtrust
// MAX_CERT_CHAIN_LENGTH; design doc §1.5).
constexpr size_t kDeviceChainLength = 5;
// NVDEC0_STATUS value meaning "disabled": measurement index 35 is then not
// compared (NVIDIA attestation-sdk src/gpu/verify.cpp).
constexpr uint8_t kNvdecDisabled = 0x55;
constexpr uint16_t kFeaturePpcie = 2;
constexpr uint8_t kProtectedPcieEnabled = 0xAA;

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view ArchitectureName(GpuArchitecture a) {
  return a == GpuArchitecture::kHopper ? "hopper" : "blackwell";
}

// FamilyPrefix is how the RIM's Meta@product and the BROM certificate's
// CN start for each architecture ("GH100", "GB100"/"GB20X").
std::string_view FamilyPrefix(GpuArchitecture a) {
  return a == GpuArchitecture::kHopper ? "GH100" : "GB";
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string OpaqueSummary(const NvidiaOpaqueInfo& o) {
  std::string s = "driver " + o.driver_version + ", VBIOS " + o.vbios_version +
                  ", project " + o.project + ", SKU " + o.project_sku +
                  ", chip SKU " + o.chip_sku;
  if (!o.chip_info.empty()) s += ", chip " + o.chip_info;
  if (o.board_id) s += ", board " + std::to_string(*o.board_id);
  return s;
}

// Role is one of the two RIMs of a GPU.
struct Role {
  const char* name;  // "driver" / "vbios"
  std::string version;
  std::string id;
};

// GpuVerifier verifies one GPU and appends its checks with the prefix
// "gpuN.".
class GpuVerifier {
 public:
  GpuVerifier(const GpuEvidence& gpu, const NvidiaVerifyOptions& options,
              const crypto::Certificate& device_root,
              const std::optional<crypto::Certificate>& rim_root,
              Report& report, NvidiaGpuResult& result)
      : gpu_(gpu),
        options_(options),
        device_root_(device_root),
        rim_root_(rim_root),
        report_(report),
        result_(result),
        prefix_("gpu" + std::to_string(gpu.index) + ".") {}

  void Run() {
    result_.index = gpu_.index;
    result_.architecture = gpu_.architecture;
    if (!ParseReport()) return;
    CheckNonce();
    if (!CheckChain()) return;
    if (!CheckArchitecture()) return;
    if (!CheckSignature()) return;
    if (!CheckFwid()) return;
    if (!CheckOpaque()) return;
    CheckMode();
    AppraiseMeasurements();
  }

 private:
  void Pass(const std::string& name, std::string detail) {
    report_.Pass(prefix_ + name, std::move(detail));
  }
  void Fail(const std::string& name, std::string detail) {
    report_.Fail(prefix_ + name, std::move(detail));
  }

  bool ParseReport() {
    Result<spdm::MeasurementReport> parsed =
        spdm::ParseMeasurementReport(gpu_.report);
    if (!parsed.ok()) {
      Fail("report.parse", parsed.status().message());
      return false;
    }
    Result<NvidiaOpaqueInfo> opaque =
        ParseNvidiaOpaqueData(parsed->opaque_data);
    if (!opaque.ok()) {
      Fail("report.parse", opaque.status().message());
      return false;
    }
    report_data_ = *std::move(parsed);
    result_.opaque = *std::move(opaque);
    std::string detail =
        "SPDM 1.1, " + std::to_string(report_data_.blocks.size()) +
        " measurement blocks, " + std::to_string(report_data_.signed_size) +
        " signed bytes";
    if (report_data_.padding_size > 0) {
      detail += ", " + std::to_string(report_data_.padding_size) +
                " zero padding byte(s) after the signature ignored";
    }
    Pass("report.parse", detail);
    return true;
  }

  void CheckNonce() {
    if (report_data_.request.nonce != options_.nonce) {
      Fail("nonce", "report nonce " + Hex(report_data_.request.nonce) +
                        " is not the expected " + Hex(options_.nonce));
      return;
    }
    Pass("nonce", "request nonce equals the expected nonce");
  }

  bool CheckChain() {
    if (gpu_.certificate_chain.size() != kDeviceChainLength) {
      Fail("chain", "expected 5 certificates, got " +
                        std::to_string(gpu_.certificate_chain.size()));
      return false;
    }
    if (gpu_.certificate_chain.back() != device_root_.ToDer()) {
      Fail("chain",
           "the chain's root is not the pinned NVIDIA Device "
           "Identity CA");
      return false;
    }
    for (const std::vector<uint8_t>& der : gpu_.certificate_chain) {
      Result<crypto::Certificate> cert = crypto::Certificate::FromDer(der);
      if (!cert.ok()) {
        Fail("chain", "malformed certificate");
        return false;
      }
      chain_.push_back(*std::move(cert));
    }
    for (const crypto::Certificate& c : chain_) {
      result_.chain_subjects.push_back(c.Subject());
    }
    Result<crypto::VerifiedChain> verified = crypto::VerifyCertificateChain(
        chain_, std::span(&device_root_, 1),
        std::chrono::sys_seconds(
            std::chrono::seconds(options_.now_unix_seconds)));
    if (!verified.ok()) {
      Fail("chain",
           "does not verify to the pinned NVIDIA Device Identity "
           "CA at the verification time");
      return false;
    }
    result_.hwmodel = SubjectCommonName(chain_[1]);
    Result<std::string> ueid = CertificateSerialDecimal(chain_[0]);
    if (ueid.ok()) result_.ueid = *ueid;
    Pass("chain",
         "5 certificates to the pinned device root; "
         "leaf " +
             SubjectCommonName(chain_[0]));
    return true;
  }

  bool CheckArchitecture() {
    if (!StartsWith(result_.hwmodel, FamilyPrefix(gpu_.architecture))) {
      Fail("architecture",
           "evidence says " + std::string(ArchitectureName(gpu_.architecture)) +
               " but the device certificate is " + result_.hwmodel);
      return false;
    }
    Pass("architecture", std::string(ArchitectureName(gpu_.architecture)) +
                             " (" + result_.hwmodel + ")");
    return true;
  }

  bool CheckSignature() {
    Result<crypto::PublicKey> key = chain_[0].GetPublicKey();
    if (!key.ok() || key->curve() != crypto::EcCurve::kP384) {
      Fail("report.signature", "leaf key is not ECDSA P-384");
      return false;
    }
    const std::span<const uint8_t> signed_bytes =
        std::span<const uint8_t>(gpu_.report).first(report_data_.signed_size);
    const Status status =
        crypto::EcdsaVerify(*key, signed_bytes, report_data_.signature,
                            crypto::EcdsaSignatureFormat::kP1363);
    if (!status.ok()) {
      Fail("report.signature", "ECDSA P-384 signature over bytes [0," +
                                   std::to_string(report_data_.signed_size) +
                                   ") does not verify with the leaf key");
      return false;
    }
    Pass("report.signature", "ECDSA P-384/SHA-384 over bytes [0," +
                                 std::to_string(report_data_.signed_size) +
                                 ") with the leaf key");
    return true;
  }

  bool CheckFwid() {
    const std::optional<std::array<uint8_t, 48>>& reported =
        result_.opaque.fwid;
    if (!reported.has_value()) {
      if (options_.require_fwid) {
        Fail("fwid",
             "the report has no FWID (old driver) and policy "
             "requires one");
        return false;
      }
      Pass("fwid",
           "skipped: the report has no FWID field (old driver), as "
           "NVIDIA's verifiers do");
      return true;
    }
    Result<std::array<uint8_t, 48>> leaf =
        LeafFwid(chain_[0], gpu_.architecture);
    if (!leaf.ok()) {
      Fail("fwid", "the leaf certificate has no usable FWID extension: " +
                       leaf.status().message());
      return false;
    }
    if (*leaf != *reported) {
      Fail("fwid", "report FWID " + Hex(*reported) +
                       " differs from the leaf certificate's " + Hex(*leaf));
      return false;
    }
    Pass("fwid", "report FWID equals the leaf certificate's (" +
                     std::string(gpu_.architecture == GpuArchitecture::kHopper
                                     ? kNvidiaFwidOidHopper
                                     : kNvidiaFwidOidBlackwell) +
                     ")");
    return true;
  }

  bool CheckOpaque() {
    const NvidiaOpaqueInfo& o = result_.opaque;
    if (o.driver_version.empty() || o.vbios_version.empty()) {
      Fail("opaque", "DRIVER_VERSION or VBIOS_VERSION missing");
      return false;
    }
    result_.driver_rim_id = NvidiaDriverRimId(gpu_.architecture, o);
    result_.vbios_rim_id = NvidiaVbiosRimId(o);
    Pass("opaque", OpaqueSummary(o));
    return true;
  }

  void CheckMode() {
    const NvidiaOpaqueInfo& o = result_.opaque;
    const bool ppcie = o.feature_flag == kFeaturePpcie ||
                       o.protected_pcie_status == kProtectedPcieEnabled;
    std::string mode = "single GPU passthrough";
    if (o.feature_flag == 1) mode = "multi-GPU passthrough";
    if (ppcie) mode = "Protected PCIe";
    if (ppcie && !options_.allow_protected_pcie) {
      Fail("mode", mode +
                       ": needs NVSwitch evidence this verifier does not "
                       "check (allow_protected_pcie is off)");
      return;
    }
    Pass("mode", mode);
  }

  // SelectRim finds the one RIM for `role` among options_.rims by content
  // (unverified parse; VerifyRim below decides whether to trust it).
  // Returns the document, or nullptr (with a check added when that is an
  // error).
  const std::vector<uint8_t>* SelectRim(const Role& role, bool& ambiguous) {
    const std::vector<uint8_t>* found = nullptr;
    ambiguous = false;
    for (const std::vector<uint8_t>& doc : options_.rims) {
      Result<Rim> rim = ParseRim(doc);
      if (!rim.ok()) continue;
      if (Lower(rim->colloquial_version) != Lower(role.version)) continue;
      if (!StartsWith(rim->product, FamilyPrefix(gpu_.architecture))) continue;
      if (found != nullptr) ambiguous = true;
      found = &doc;
    }
    return found;
  }

  // VerifyRole selects and verifies one RIM; nullopt if it is not there or
  // failed (a failed check was added then, or the "not appraised" case).
  std::optional<Rim> VerifyRole(const Role& role, bool& missing) {
    const std::string base = std::string("rim.") + role.name + ".";
    bool ambiguous = false;
    const std::vector<uint8_t>* doc = SelectRim(role, ambiguous);
    missing = doc == nullptr;
    if (ambiguous) {
      Fail(base + "select", "more than one RIM matches version " +
                                role.version + " (" + role.id + ")");
      return std::nullopt;
    }
    if (doc == nullptr) {
      if (options_.require_rim_appraisal) {
        Fail(base + "select", "no RIM for " + role.id + " (version " +
                                  role.version + ") among the supplied RIMs");
      }
      return std::nullopt;
    }
    Pass(base + "select", "RIM for " + role.id);
    if (!rim_root_.has_value()) {
      Fail(base + "chain", "no pinned RIM root");
      return std::nullopt;
    }
    RimVerification verified =
        VerifyRim(*doc, *rim_root_,
                  std::chrono::sys_seconds(
                      std::chrono::seconds(options_.now_unix_seconds)));
    report_.Append(verified.report, prefix_ + base);
    if (!verified.report.ok() || !verified.rim.has_value()) {
      return std::nullopt;
    }
    if (Lower(verified.rim->colloquial_version) != Lower(role.version)) {
      Fail(base + "version", "RIM version " + verified.rim->colloquial_version +
                                 " is not the report's " + role.version);
      return std::nullopt;
    }
    Pass(base + "version", "RIM colloquialVersion " +
                               verified.rim->colloquial_version +
                               " equals the report's");
    return verified.rim;
  }

  void AppraiseMeasurements() {
    const NvidiaOpaqueInfo& o = result_.opaque;
    const Role driver{"driver", o.driver_version, result_.driver_rim_id};
    const Role vbios{"vbios", o.vbios_version, result_.vbios_rim_id};
    bool driver_missing = false, vbios_missing = false;
    const size_t failures_before = Failures();
    std::optional<Rim> driver_rim = VerifyRole(driver, driver_missing);
    std::optional<Rim> vbios_rim = VerifyRole(vbios, vbios_missing);
    if (Failures() != failures_before) return;
    std::vector<GoldenRim> rims;
    if (driver_rim.has_value()) rims.push_back({&*driver_rim, "driver"});
    if (vbios_rim.has_value()) rims.push_back({&*vbios_rim, "vbios"});
    const bool complete = rims.size() == 2;
    if (!complete) {
      // Only reachable when the appraisal is not required; the RIM that is
      // there is still compared below.
      Pass("rim", std::string("not appraised: ") +
                      (driver_missing ? "no driver RIM " + driver.id + "; "
                                      : std::string()) +
                      (vbios_missing ? "no VBIOS RIM " + vbios.id + "; "
                                     : std::string()) +
                      "require_rim_appraisal is off");
      if (rims.empty()) return;
    }
    MeasurementAppraisal appraisal = CompareNvidiaMeasurements(
        report_data_.blocks, rims, o.nvdec0_status == kNvdecDisabled);
    report_.Append(appraisal.report, prefix_);
    result_.measurements = std::move(appraisal.results);
    result_.measurements_appraised = complete;
  }

  size_t Failures() const {
    return static_cast<size_t>(
        std::count_if(report_.checks.begin(), report_.checks.end(),
                      [](const Check& c) { return !c.passed; }));
  }

  const GpuEvidence& gpu_;
  const NvidiaVerifyOptions& options_;
  const crypto::Certificate& device_root_;
  const std::optional<crypto::Certificate>& rim_root_;
  Report& report_;
  NvidiaGpuResult& result_;
  const std::string prefix_;
  spdm::MeasurementReport report_data_;
  std::vector<crypto::Certificate> chain_;
};

}  // namespace

NvidiaAppraisal AppraiseNvidiaEvidence(const NvidiaEvidence& evidence,
                                       const NvidiaVerifyOptions& options) {
  NvidiaAppraisal out;
  Report& report = out.report;
  Result<crypto::Certificate> device_root =
      crypto::Certificate::FromDer(options.device_root_der);
  std::optional<crypto::Certificate> rim_root;
  if (!options.rim_root_der.empty()) {
    Result<crypto::Certificate> parsed =
        crypto::Certificate::FromDer(options.rim_root_der);
    if (parsed.ok()) rim_root = *std::move(parsed);
  }
  const bool rim_root_needed =
      options.require_rim_appraisal || !options.rims.empty();
  if (!device_root.ok() || (rim_root_needed && !rim_root.has_value())) {
    report.Fail("evidence.roots", "a pinned root does not parse");
    return out;
  }
  report.Pass("evidence.roots", "pinned roots parse");
  if (evidence.nonce != options.nonce) {
    report.Fail("evidence.nonce", "evidence nonce " + Hex(evidence.nonce) +
                                      " is not the expected " +
                                      Hex(options.nonce));
  } else {
    report.Pass("evidence.nonce", "evidence nonce equals the expected nonce");
  }
  bool indices_ok = !evidence.gpus.empty() && evidence.gpus.size() <= 8;
  for (size_t i = 0; indices_ok && i < evidence.gpus.size(); ++i) {
    indices_ok = evidence.gpus[i].index == static_cast<int>(i);
  }
  if (!indices_ok) {
    report.Fail("evidence.gpus", "1..8 GPUs with indices 0..n-1 required");
    return out;
  }
  report.Pass("evidence.gpus",
              std::to_string(evidence.gpus.size()) + " GPU(s)");
  out.gpus.resize(evidence.gpus.size());
  for (size_t i = 0; i < evidence.gpus.size(); ++i) {
    GpuVerifier(evidence.gpus[i], options, *device_root, rim_root, report,
                out.gpus[i])
        .Run();
  }
  // One GPU's evidence must not stand in for another's.
  std::set<std::string> ueids;
  for (const NvidiaGpuResult& g : out.gpus) {
    if (!g.ueid.empty() && !ueids.insert(g.ueid).second) {
      report.Fail(
          "evidence.gpus.distinct",
          "two GPUs present the same device certificate (ueid " + g.ueid + ")");
      return out;
    }
  }
  if (evidence.gpus.size() > 1) {
    report.Pass("evidence.gpus.distinct", "every GPU has its own device");
  }
  return out;
}

Report VerifyNvidiaEvidence(const NvidiaEvidence& evidence,
                            const NvidiaVerifyOptions& options) {
  return AppraiseNvidiaEvidence(evidence, options).report;
}

NvidiaVerifyOptions DefaultNvidiaVerifyOptions(
    const std::array<uint8_t, 32>& nonce, int64_t now_unix_seconds) {
  NvidiaVerifyOptions options;
  options.nonce = nonce;
  options.now_unix_seconds = now_unix_seconds;
  options.device_root_der = DefaultNvidiaDeviceRootDer();
  options.rim_root_der = DefaultNvidiaRimRootDer();
  return options;
}

std::string NvidiaDriverRimId(GpuArchitecture architecture,
                              const NvidiaOpaqueInfo& opaque) {
  if (architecture == GpuArchitecture::kHopper) {
    return "NV_GPU_DRIVER_GH100_" + opaque.driver_version;
  }
  const std::string chip =
      opaque.chip_info.empty() ? std::string("GB100") : opaque.chip_info;
  return "NV_GPU_CC_DRIVER_" + chip + "_" + opaque.driver_version;
}

std::string NvidiaVbiosRimId(const NvidiaOpaqueInfo& opaque) {
  std::string version;
  for (char c : opaque.vbios_version) {
    if (c == '.') continue;
    version += (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return "NV_GPU_VBIOS_" + opaque.project + "_" + opaque.project_sku + "_" +
         opaque.chip_sku + "_" + version;
}

}  // namespace cerumbra::attest
