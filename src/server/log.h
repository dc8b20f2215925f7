// Copyright 2026 The Cerumbra Authors.
//
// Structured logs: one JSON object per line per event, on stderr (or a
// sink set by tests). Fields are public data only: never keys, prompts,
// completions or anything derived from them but their sizes. Callers pass
// fixed field names; values are strings, integers or doubles.

#ifndef CERUMBRA_SERVER_LOG_H_
#define CERUMBRA_SERVER_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace cerumbra::server {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// LogValue is a field's value.
using LogValue = std::variant<std::string_view, int64_t, double, bool>;

struct LogField {
  std::string_view name;
  LogValue value;
  LogField(std::string_view n, std::string_view v) : name(n), value(v) {}
  LogField(std::string_view n, const char* v)
      : name(n), value(std::string_view(v)) {}
  LogField(std::string_view n, const std::string& v)
      : name(n), value(std::string_view(v)) {}
  LogField(std::string_view n, int64_t v) : name(n), value(v) {}
  LogField(std::string_view n, int v) : name(n), value(int64_t{v}) {}
  LogField(std::string_view n, uint64_t v)
      : name(n), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view n, double v) : name(n), value(v) {}
  LogField(std::string_view n, bool v) : name(n), value(v) {}
};

// Log writes one line {"ts":...,"level":...,"event":event,fields...}.
// Thread-safe: lines from several threads never interleave.
void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

// SetLogSink replaces stderr as the destination (nullptr restores it) and
// SetMinLogLevel drops lines below `level` (default kInfo). For tests and
// main(); not thread-safe against concurrent Log calls.
void SetLogSink(std::function<void(std::string_view line)> sink);
void SetMinLogLevel(LogLevel level);

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_LOG_H_
