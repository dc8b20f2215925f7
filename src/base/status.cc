// Copyright 2026 The Cerumbra Authors.

#include "cerumbra/status.h"

#include <cstdio>

namespace cerumbra {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string_view message) : code_(code) {
  if (code_ != StatusCode::kOk) message_ = std::string(message);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status InvalidArgumentError(std::string_view message) {
  return Status(StatusCode::kInvalidArgument, message);
}
Status FailedPreconditionError(std::string_view message) {
  return Status(StatusCode::kFailedPrecondition, message);
}
Status ResourceExhaustedError(std::string_view message) {
  return Status(StatusCode::kResourceExhausted, message);
}
Status UnauthenticatedError(std::string_view message) {
  return Status(StatusCode::kUnauthenticated, message);
}
Status UnavailableError(std::string_view message) {
  return Status(StatusCode::kUnavailable, message);
}
Status InternalError(std::string_view message) {
  return Status(StatusCode::kInternal, message);
}
Status NotFoundError(std::string_view message) {
  return Status(StatusCode::kNotFound, message);
}
Status CancelledError(std::string_view message) {
  return Status(StatusCode::kCancelled, message);
}
Status DeadlineExceededError(std::string_view message) {
  return Status(StatusCode::kDeadlineExceeded, message);
}
Status UnimplementedError(std::string_view message) {
  return Status(StatusCode::kUnimplemented, message);
}

namespace internal {
void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

}  // namespace cerumbra
