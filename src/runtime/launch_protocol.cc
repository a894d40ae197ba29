// Encoding and strict decoding of launcher records (see launch_protocol.h).
#include "runtime/launch_protocol.h"

#include <cstring>
#include <vector>

namespace ebb::runtime::proto {
namespace {

class Writer {
 public:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void i64(int64_t v) {
    const auto u = static_cast<uint64_t>(v);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  }
  void f64(double d) {
    int64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    i64(bits);
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void list(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  std::string frame() {
    std::string f;
    const auto n = static_cast<uint32_t>(out_.size());
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    return f + out_;
  }

 private:
  std::string out_;
};

// Every read checks the remaining length; after the first failure all reads fail.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  uint32_t u32() {
    if (!need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  int64_t i64() {
    if (!need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return static_cast<int64_t>(v);
  }
  double f64() {
    const int64_t bits = i64();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  std::string str(size_t max) {
    const uint32_t n = u32();
    if (!ok_ || n > max || !need(n)) {
      ok_ = false;
      return {};
    }
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> list(size_t max_items, size_t max_each) {
    const uint32_t n = u32();
    std::vector<std::string> v;
    // Each item needs at least its 4-byte length: a huge count cannot allocate much.
    if (!ok_ || n > max_items || n > (b_.size() - pos_) / 4) {
      ok_ = false;
      return v;
    }
    v.reserve(n);
    for (uint32_t i = 0; i < n && ok_; ++i) v.push_back(str(max_each));
    return v;
  }
  bool done() const { return ok_ && pos_ == b_.size(); }
  bool ok() const { return ok_; }

 private:
  bool need(size_t n) {
    if (!ok_ || b_.size() - pos_ < n) ok_ = false;
    return ok_;
  }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Error invalid(std::string msg) { return Error{Code::Invalid, std::move(msg)}; }

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

Status check_path(const char* what, const std::string& p) {
  if (p.empty() || p[0] != '/') return invalid(std::string(what) + " must be an absolute path");
  if (p.size() > kMaxPath) return invalid(std::string(what) + " is too long");
  if (has_nul(p)) return invalid(std::string(what) + " contains NUL");
  return {};
}

struct Encoder {
  Writer& w;
  void operator()(const Hello& m) {
    w.u32(static_cast<uint32_t>(Type::Hello));
    w.u32(m.version);
    w.i64(m.orphan_grace_ms);
  }
  void operator()(const LaunchSpec& s) {
    w.u32(static_cast<uint32_t>(Type::Launch));
    w.str(s.task_id);
    w.list(s.argv);
    w.list(s.env);
    w.str(s.work_dir);
    w.str(s.log_path);
    w.i64(s.log_max_bytes);
    w.i64(s.limits.memory_bytes);
    w.i64(s.limits.cpu_millis);
    w.i64(s.limits.pids_max);
    w.i64(s.limits.nofile);
    w.i64(s.limits.fsize_bytes);
    w.i64(s.uid);
    w.i64(s.gid);
    w.i64((s.allow_root ? 1 : 0) | (s.own_work_dir ? 2 : 0));
  }
  void operator()(const Stop& m) {
    w.u32(static_cast<uint32_t>(Type::Stop));
    w.str(m.task_id);
    w.i64(m.grace_ms);
  }
  void operator()(const Shutdown& m) {
    w.u32(static_cast<uint32_t>(Type::Shutdown));
    w.i64(m.stop_tasks ? 1 : 0);
  }
  void operator()(const HelloDone& m) {
    w.u32(static_cast<uint32_t>(Type::HelloDone));
    w.i64(m.launcher_pid);
  }
  void operator()(const LiveTask& t) {
    w.u32(static_cast<uint32_t>(Type::Live));
    w.str(t.task_id);
    w.i64(t.pid);
    w.i64(static_cast<int64_t>(t.start_ticks));
    w.str(t.cgroup);
    w.i64(t.stopping ? 1 : 0);
  }
  void operator()(const TaskStarted& s) {
    w.u32(static_cast<uint32_t>(Type::Started));
    w.str(s.task_id);
    w.i64(s.pid);
    w.i64(static_cast<int64_t>(s.start_ticks));
    w.str(s.cgroup);
    w.i64(s.started_ms);
  }
  void operator()(const TaskExited& e) {
    w.u32(static_cast<uint32_t>(Type::Exited));
    w.str(e.task_id);
    w.i64(e.pid);
    w.i64(e.exit_code);
    w.i64(e.signal);
    w.str(e.reason);
    // Messages are for people; long ones are cut rather than breaking the stream.
    w.str(std::string_view(e.message).substr(0, kMaxText));
    w.f64(e.cpu_seconds);
    w.i64(e.peak_rss_bytes);
    w.i64(e.ended_ms);
  }
};

// Pids and signals travel as i64; reject what does not fit an int.
bool small_int(int64_t v) { return v >= -(int64_t{1} << 31) && v < (int64_t{1} << 31); }

Result<Message> decode_launch(Reader& r) {
  LaunchSpec s;
  s.task_id = r.str(64);
  s.argv = r.list(kMaxArgvEnv / 2, kMaxArgvEnv);
  s.env = r.list(kMaxArgvEnv / 2, kMaxArgvEnv);
  s.work_dir = r.str(kMaxPath);
  s.log_path = r.str(kMaxPath);
  s.log_max_bytes = r.i64();
  s.limits.memory_bytes = r.i64();
  s.limits.cpu_millis = r.i64();
  s.limits.pids_max = r.i64();
  s.limits.nofile = r.i64();
  s.limits.fsize_bytes = r.i64();
  s.uid = r.i64();
  s.gid = r.i64();
  const int64_t flags = r.i64();
  s.allow_root = flags & 1;
  s.own_work_dir = flags & 2;
  if (!r.done()) return invalid("malformed launch record");
  EBB_CHECK(validate(s));
  return Message{std::move(s)};
}

}  // namespace

bool valid_task_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status validate(const LaunchSpec& s) {
  if (!valid_task_id(s.task_id)) return invalid("task id must match [A-Za-z0-9-]{1,64}");
  if (s.argv.empty() || s.argv[0].empty()) return invalid("argv must name a program");
  size_t total = 0;
  for (const auto& a : s.argv) {
    if (has_nul(a)) return invalid("argv contains NUL");
    total += a.size() + 1;
  }
  for (const auto& e : s.env) {
    if (has_nul(e)) return invalid("env contains NUL");
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) return invalid("env entries must be NAME=value");
    total += e.size() + 1;
  }
  if (total > kMaxArgvEnv) return invalid("argv and env exceed 128 KiB");
  EBB_CHECK(check_path("work_dir", s.work_dir));
  EBB_CHECK(check_path("log_path", s.log_path));
  if (s.log_max_bytes < kMinLogBytes || s.log_max_bytes > kMaxLogBytes)
    return invalid("log_max_bytes out of range");
  const ResourceLimits& l = s.limits;
  if (l.memory_bytes < 0 || l.cpu_millis < 0 || l.pids_max < 0 || l.nofile < 0 || l.fsize_bytes < 0)
    return invalid("limits must not be negative");
  // uid_t/gid_t are 32 bits and (uid_t)-1 means "unchanged" to the kernel.
  if (s.uid < -1 || s.uid >= 0xFFFFFFFFLL || s.gid < -1 || s.gid >= 0xFFFFFFFFLL)
    return invalid("uid/gid out of range");
  // cpu.max quota is in microseconds per 100 ms period: keep the product small.
  if (l.cpu_millis > 1'000'000) return invalid("cpu_millis too large");
  return {};
}

std::string encode(const Message& m) {
  Writer w;
  std::visit(Encoder{w}, m);
  return w.frame();
}

Result<Message> decode(std::string_view body) {
  if (body.size() > kMaxRecord) return invalid("record too large");
  Reader r(body);
  const auto type = static_cast<Type>(r.u32());
  if (!r.ok()) return invalid("record too short");
  switch (type) {
    case Type::Hello: {
      Hello h;
      h.version = r.u32();
      h.orphan_grace_ms = r.i64();
      if (!r.done() || h.orphan_grace_ms < 0) return invalid("malformed hello");
      return Message{h};
    }
    case Type::Launch:
      return decode_launch(r);
    case Type::Stop: {
      Stop s;
      s.task_id = r.str(64);
      s.grace_ms = r.i64();
      if (!r.done() || !valid_task_id(s.task_id) || s.grace_ms < 0) return invalid("malformed stop");
      return Message{std::move(s)};
    }
    case Type::Shutdown: {
      const int64_t v = r.i64();
      if (!r.done() || (v != 0 && v != 1)) return invalid("malformed shutdown");
      return Message{Shutdown{v == 1}};
    }
    case Type::HelloDone: {
      HelloDone d;
      d.launcher_pid = r.i64();
      if (!r.done()) return invalid("malformed hello-done");
      return Message{d};
    }
    case Type::Live: {
      LiveTask t;
      t.task_id = r.str(64);
      const int64_t pid = r.i64();
      t.start_ticks = static_cast<uint64_t>(r.i64());
      t.cgroup = r.str(kMaxPath);
      const int64_t stopping = r.i64();
      if (!r.done() || !valid_task_id(t.task_id) || !small_int(pid) || (stopping != 0 && stopping != 1))
        return invalid("malformed live-task record");
      t.pid = static_cast<int>(pid);
      t.stopping = stopping == 1;
      return Message{std::move(t)};
    }
    case Type::Started: {
      TaskStarted s;
      s.task_id = r.str(64);
      const int64_t pid = r.i64();
      s.start_ticks = static_cast<uint64_t>(r.i64());
      s.cgroup = r.str(kMaxPath);
      s.started_ms = r.i64();
      if (!r.done() || !valid_task_id(s.task_id) || !small_int(pid)) return invalid("malformed started record");
      s.pid = static_cast<int>(pid);
      return Message{std::move(s)};
    }
    case Type::Exited: {
      TaskExited e;
      e.task_id = r.str(64);
      const int64_t pid = r.i64();
      const int64_t code = r.i64();
      const int64_t sig = r.i64();
      e.reason = r.str(64);
      e.message = r.str(kMaxText);
      e.cpu_seconds = r.f64();
      e.peak_rss_bytes = r.i64();
      e.ended_ms = r.i64();
      if (!r.done() || !valid_task_id(e.task_id) || !small_int(pid) || !small_int(code) || !small_int(sig))
        return invalid("malformed exited record");
      e.pid = static_cast<int>(pid);
      e.exit_code = static_cast<int>(code);
      e.signal = static_cast<int>(sig);
      return Message{std::move(e)};
    }
  }
  return invalid("unknown record type");
}

Result<std::optional<std::string>> FrameBuffer::next() {
  if (buffered() < 4) return std::optional<std::string>{};
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(buf_[pos_ + i])) << (8 * i);
  if (n == 0 || n > kMaxRecord) return invalid("record length out of bounds");
  if (buffered() < 4 + size_t{n}) return std::optional<std::string>{};
  std::string body = buf_.substr(pos_ + 4, n);
  pos_ += 4 + n;
  // Compact once the consumed prefix dominates, so the buffer stays O(record).
  if (pos_ > buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<std::string>{std::move(body)};
}

}  // namespace ebb::runtime::proto
