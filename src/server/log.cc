// Copyright 2026 The Cerumbra Authors.

#include "server/log.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cerumbra::server {
namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}
std::function<void(std::string_view)>& Sink() {
  static std::function<void(std::string_view)> sink;
  return sink;
}
LogLevel g_min_level = LogLevel::kInfo;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                now.time_since_epoch())
                .count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields) {
  if (level < g_min_level) return;
  boost::json::object line;
  line["ts"] = Timestamp();
  line["level"] = LevelName(level);
  line["event"] = event;
  for (const LogField& f : fields) {
    std::visit([&](const auto& v) { line[f.name] = v; }, f.value);
  }
  std::string text = boost::json::serialize(line);
  std::lock_guard<std::mutex> lock(LogMutex());
  if (Sink()) {
    Sink()(text);
  } else {
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

void SetLogSink(std::function<void(std::string_view line)> sink) {
  std::lock_guard<std::mutex> lock(LogMutex());
  Sink() = std::move(sink);
}

void SetMinLogLevel(LogLevel level) { g_min_level = level; }

}  // namespace cerumbra::server
