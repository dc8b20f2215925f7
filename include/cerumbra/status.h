// Copyright 2026 The Cerumbra Authors.
//
// Status and Result<T>: errors as values. Cerumbra code never throws across
// an API boundary; every fallible function returns one of these.
//
// Status is a code plus a message. The message is for humans and debug logs;
// callers branch on the code only. Messages must never contain secrets,
// prompts or completions.
//
// Thread safety: Status and Result are values; distinct objects may be used
// from different threads, one object needs external synchronization.

#ifndef CERUMBRA_STATUS_H_
#define CERUMBRA_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cerumbra {

// StatusCode is a subset of absl::StatusCode, with the same meanings.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument = 3,
  kFailedPrecondition = 9,
  kResourceExhausted = 8,
  kUnauthenticated = 16,
  kUnavailable = 14,
  kInternal = 13,
  kNotFound = 5,
  kCancelled = 1,
  kDeadlineExceeded = 4,
  kUnimplemented = 12,
};

// StatusCodeName returns the stable, upper-snake-case name of `code`
// ("INVALID_ARGUMENT"), for logs and tests.
std::string_view StatusCodeName(StatusCode code);

// Status is either OK or an error code with a message.
class [[nodiscard]] Status {
 public:
  // Status() is OK.
  Status() = default;
  // Status(code, message) is an error when `code` is not kOk. A kOk status
  // never carries a message.
  Status(StatusCode code, std::string_view message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // ToString returns "OK" or "CODE: message".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// OkStatus returns an OK status.
inline Status OkStatus() { return Status(); }

// Helpers that build error statuses, named after their codes.
Status InvalidArgumentError(std::string_view message);
Status FailedPreconditionError(std::string_view message);
Status ResourceExhaustedError(std::string_view message);
Status UnauthenticatedError(std::string_view message);
Status UnavailableError(std::string_view message);
Status InternalError(std::string_view message);
Status NotFoundError(std::string_view message);
Status CancelledError(std::string_view message);
Status DeadlineExceededError(std::string_view message);
Status UnimplementedError(std::string_view message);

// Result<T> holds either a T or a non-OK Status (StatusOr-shaped).
//
// Accessing value() of an error Result is a bug and aborts the process.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Result(status) holds an error. REQUIRES: !status.ok().
  Result(Status status) : rep_(std::move(status)) {  // NOLINT: implicit
    if (std::get<Status>(rep_).ok()) {
      rep_ = Status(StatusCode::kInternal, "Result constructed from OK status");
    }
  }
  // Result(value) holds a value.
  Result(T value) : rep_(std::move(value)) {}  // NOLINT: implicit

  Result(Result&&) = default;
  Result& operator=(Result&&) = default;
  Result(const Result&) = default;
  Result& operator=(const Result&) = default;

  bool ok() const { return std::holds_alternative<T>(rep_); }

  // status returns OK when a value is held, else the error.
  Status status() const { return ok() ? OkStatus() : std::get<Status>(rep_); }

  // value returns the held value. Aborts when the Result holds an error.
  const T& value() const& {
    CheckOk();
    return std::get<T>(rep_);
  }
  T& value() & {
    CheckOk();
    return std::get<T>(rep_);
  }
  T&& value() && {
    CheckOk();
    return std::get<T>(std::move(rep_));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckOk() const {
    if (!ok()) std::abort();
  }

  std::variant<Status, T> rep_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
// CheckFailed prints "file:line: CHECK failed: expr" to stderr and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace internal

}  // namespace cerumbra

#define CERUMBRA_STATUS_CONCAT_INNER_(a, b) a##b
#define CERUMBRA_STATUS_CONCAT_(a, b) CERUMBRA_STATUS_CONCAT_INNER_(a, b)

// CERUMBRA_RETURN_IF_ERROR(expr) returns the Status of `expr` (a Status or a
// Result) from the enclosing function when it is not OK.
#define CERUMBRA_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::cerumbra::Status cerumbra_status_ =                \
        ::cerumbra::internal::AsStatus(expr);            \
    if (!cerumbra_status_.ok()) return cerumbra_status_; \
  } while (0)

// CERUMBRA_ASSIGN_OR_RETURN(lhs, rexpr) evaluates `rexpr` (a Result<T>); on
// error returns its Status, else moves the value into `lhs`, which may be a
// declaration (`auto key`).
#define CERUMBRA_ASSIGN_OR_RETURN(lhs, rexpr) \
  CERUMBRA_ASSIGN_OR_RETURN_IMPL_(            \
      CERUMBRA_STATUS_CONCAT_(cerumbra_result_, __LINE__), lhs, rexpr)
#define CERUMBRA_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                    \
  if (!result.ok()) return result.status();                 \
  lhs = std::move(result).value()

// CERUMBRA_CHECK(cond) aborts the process when `cond` is false. It is for
// broken invariants (bugs), never for bad input.
#define CERUMBRA_CHECK(cond)                                                   \
  do {                                                                         \
    if (!(cond)) ::cerumbra::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

#endif  // CERUMBRA_STATUS_H_
