// Copyright 2026 The Cerumbra Authors.
//
// `cerumbra verify BUNDLE [--policy FILE] [--time ISO8601|unix]`: checks an
// evidence bundle offline (docs/attestation.md §6) and prints every check
// with PASS or FAIL and why. Exit status 0 only if all pass.

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "attest/attester.h"
#include "attest/policy.h"
#include "attest/policy_verifier.h"
#include "cli_files.h"
#include "commands.h"

namespace cerumbra::cli {
namespace {

struct VerifyArgs {
  std::string bundle;
  std::string policy;
  std::string time;
};

// ParseTime accepts unix seconds ("1795700000") or ISO 8601 UTC
// ("2026-11-26T12:00:00Z"); returns milliseconds since the epoch.
std::optional<int64_t> ParseTime(const std::string& text) {
  if (!text.empty() &&
      text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() <= 12) {
    return std::stoll(text) * 1000;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h,
                  &mi, &s, &z) != 7 ||
      z != 'Z' || text.size() != 20) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{
      std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto t = std::chrono::sys_days(ymd) + std::chrono::hours(h) +
                 std::chrono::minutes(mi) + std::chrono::seconds(s);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

std::string FormatTime(int64_t ms) {
  const std::chrono::sys_seconds t{std::chrono::seconds(ms / 1000)};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  char buf[40];
  std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

int RunVerify(const VerifyArgs& args) {
  std::string bundle;
  if (!ReadFileText(args.bundle, bundle)) {
    std::fprintf(stderr, "cerumbra verify: cannot read %s\n",
                 args.bundle.c_str());
    return 2;
  }
  attest::Policy policy;
  if (!args.policy.empty()) {
    std::string text;
    if (!ReadFileText(args.policy, text)) {
      std::fprintf(stderr, "cerumbra verify: cannot read %s\n",
                   args.policy.c_str());
      return 2;
    }
    Result<attest::Policy> parsed = attest::ParsePolicyJson(text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "cerumbra verify: %s: %s\n", args.policy.c_str(),
                   parsed.status().message().c_str());
      return 2;
    }
    policy = *std::move(parsed);
  }
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (!args.time.empty()) {
    std::optional<int64_t> t = ParseTime(args.time);
    if (!t.has_value()) {
      std::fprintf(stderr,
                   "cerumbra verify: --time wants unix seconds or "
                   "YYYY-MM-DDTHH:MM:SSZ, got \"%s\"\n",
                   args.time.c_str());
      return 2;
    }
    now_ms = *t;
  }

  const attest::Report report =
      attest::VerifyEvidenceBundle(bundle, policy, now_ms);
  std::printf("bundle: %s\n", args.bundle.c_str());
  std::printf("policy: %s\n",
              args.policy.empty()
                  ? "none given: the strict default (no pinned quote root, "
                    "SIMULATED refused)"
                  : args.policy.c_str());
  std::printf("time:   %s\n", FormatTime(now_ms).c_str());
  for (const attest::Check& c : report.checks) {
    if (c.name == "quote.parse" &&
        c.detail.find("SIMULATED") != std::string::npos) {
      std::printf("*** SIMULATED evidence: %s ***\n", attest::kSimulatedBanner);
    }
  }
  size_t failed = 0;
  for (const attest::Check& c : report.checks) {
    if (!c.passed) ++failed;
    std::printf("%s  %-32s %s\n", c.passed ? "PASS" : "FAIL", c.name.c_str(),
                c.detail.c_str());
  }
  if (report.ok()) {
    std::printf("RESULT: PASS (%zu checks)\n", report.checks.size());
    return 0;
  }
  std::printf("RESULT: FAIL (%zu of %zu checks failed)\n", failed,
              report.checks.size());
  return 1;
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Check an evidence bundle offline and print every check (exit 0 only "
      "if all pass)");
  cmd->add_option("bundle", args->bundle, "Evidence bundle (JSON)")->required();
  cmd->add_option("--policy", args->policy,
                  "Policy JSON (docs/attestation.md); default: strict, "
                  "nothing pinned");
  cmd->add_option("--time", args->time,
                  "Verification time: unix seconds or YYYY-MM-DDTHH:MM:SSZ "
                  "(default: now)");
  cmd->callback([args, &exit_code] { exit_code = RunVerify(*args); });
}

}  // namespace cerumbra::cli
