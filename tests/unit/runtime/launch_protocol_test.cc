// Round trips and bounds of the launcher wire protocol (launch_protocol.h).
#include "runtime/launch_protocol.h"

#include <gtest/gtest.h>

namespace ebb::runtime::proto {
namespace {

LaunchSpec sample_spec() {
  LaunchSpec s;
  s.task_id = "worker-7f3a9c2e";
  s.argv = {"python3", "-c", "print('hi')"};
  s.env = {"PATH=/usr/bin:/bin", "HOME=/data/tasks/w/work", "EMPTY="};
  s.work_dir = "/data/tasks/w/work";
  s.log_path = "/data/tasks/w/output.log";
  s.log_max_bytes = 1 << 20;
  s.limits = {.memory_bytes = 64 << 20, .cpu_millis = 500, .pids_max = 32, .nofile = 256, .fsize_bytes = 1 << 20};
  s.uid = 65534;
  s.gid = 4343;
  s.own_work_dir = true;
  return s;
}

// Strips the u32 length prefix after checking it.
std::string body_of(const std::string& frame) {
  EXPECT_GE(frame.size(), 4u);
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(frame[i])) << (8 * i);
  EXPECT_EQ(n + 4u, frame.size());
  return frame.substr(4);
}

Message round_trip(const Message& m) {
  auto d = decode(body_of(encode(m)));
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : Message{Hello{}};
}

TEST(LaunchProtocol, LaunchSpecRoundTrips) {
  const LaunchSpec s = sample_spec();
  const LaunchSpec got = std::get<LaunchSpec>(round_trip(s));
  EXPECT_EQ(got.task_id, s.task_id);
  EXPECT_EQ(got.argv, s.argv);
  EXPECT_EQ(got.env, s.env);
  EXPECT_EQ(got.work_dir, s.work_dir);
  EXPECT_EQ(got.log_path, s.log_path);
  EXPECT_EQ(got.log_max_bytes, s.log_max_bytes);
  EXPECT_EQ(got.limits.memory_bytes, s.limits.memory_bytes);
  EXPECT_EQ(got.limits.cpu_millis, s.limits.cpu_millis);
  EXPECT_EQ(got.limits.pids_max, s.limits.pids_max);
  EXPECT_EQ(got.limits.nofile, s.limits.nofile);
  EXPECT_EQ(got.limits.fsize_bytes, s.limits.fsize_bytes);
  EXPECT_EQ(got.uid, 65534);
  EXPECT_EQ(got.gid, 4343);
  EXPECT_TRUE(got.own_work_dir);
  EXPECT_FALSE(got.allow_root);
  LaunchSpec r = s;
  r.uid = r.gid = 0;
  r.allow_root = true;
  r.own_work_dir = false;
  const LaunchSpec got_r = std::get<LaunchSpec>(round_trip(r));
  EXPECT_EQ(got_r.uid, 0);
  EXPECT_TRUE(got_r.allow_root);
  EXPECT_FALSE(got_r.own_work_dir);
}

TEST(LaunchProtocol, EventsRoundTrip) {
  const auto hello = std::get<Hello>(round_trip(Hello{kVersion, 1234}));
  EXPECT_EQ(hello.version, kVersion);
  EXPECT_EQ(hello.orphan_grace_ms, 1234);

  const auto stop = std::get<Stop>(round_trip(Stop{"t-1", 500}));
  EXPECT_EQ(stop.task_id, "t-1");
  EXPECT_EQ(stop.grace_ms, 500);

  EXPECT_TRUE(std::get<Shutdown>(round_trip(Shutdown{true})).stop_tasks);
  EXPECT_FALSE(std::get<Shutdown>(round_trip(Shutdown{false})).stop_tasks);
  EXPECT_EQ(std::get<HelloDone>(round_trip(HelloDone{4242})).launcher_pid, 4242);

  const auto live = std::get<LiveTask>(round_trip(LiveTask{"t-2", 77, 123456789012ull, "/sys/fs/cgroup/ebb/t-2", true}));
  EXPECT_EQ(live.task_id, "t-2");
  EXPECT_EQ(live.pid, 77);
  EXPECT_EQ(live.start_ticks, 123456789012ull);
  EXPECT_EQ(live.cgroup, "/sys/fs/cgroup/ebb/t-2");
  EXPECT_TRUE(live.stopping);

  const auto started = std::get<TaskStarted>(round_trip(TaskStarted{"t-3", 99, 5, "", 1700000000123}));
  EXPECT_EQ(started.pid, 99);
  EXPECT_EQ(started.start_ticks, 5u);
  EXPECT_EQ(started.started_ms, 1700000000123);

  TaskExited e{"t-4", 99, -1, 9, "OOMKilled", "killed", 1.25, 64 << 20, 1700000000999};
  const auto exited = std::get<TaskExited>(round_trip(e));
  EXPECT_EQ(exited.task_id, "t-4");
  EXPECT_EQ(exited.exit_code, -1);
  EXPECT_EQ(exited.signal, 9);
  EXPECT_EQ(exited.reason, "OOMKilled");
  EXPECT_EQ(exited.message, "killed");
  EXPECT_DOUBLE_EQ(exited.cpu_seconds, 1.25);
  EXPECT_EQ(exited.peak_rss_bytes, 64 << 20);
  EXPECT_EQ(exited.ended_ms, 1700000000999);
}

TEST(LaunchProtocol, LongMessagesAreCutNotRejected) {
  TaskExited e{"t-5", 1, 1, 0, "Error", std::string(10 * kMaxText, 'x'), 0, 0, 0};
  const auto got = std::get<TaskExited>(round_trip(e));
  EXPECT_EQ(got.message.size(), kMaxText);
}

TEST(LaunchProtocol, RejectsTruncatedAndTrailingBytes) {
  const std::string body = body_of(encode(sample_spec()));
  for (size_t cut = 0; cut < body.size(); ++cut) {
    EXPECT_FALSE(decode(body.substr(0, cut)).ok()) << "cut at " << cut;
  }
  EXPECT_FALSE(decode(body + "x").ok());
  EXPECT_FALSE(decode(std::string("\x63\0\0\0", 4)).ok());  // unknown type
}

TEST(LaunchProtocol, RejectsHugeCountsWithoutAllocating) {
  // Launch record whose argv count claims 2^31 entries.
  std::string body = body_of(encode(sample_spec()));
  const size_t argv_count_at = 4 + 4 + sample_spec().task_id.size();
  body[argv_count_at + 3] = '\x7f';
  EXPECT_FALSE(decode(body).ok());
}

TEST(LaunchProtocol, ValidateEnforcesBounds) {
  struct Case {
    const char* name;
    void (*mutate)(LaunchSpec&);
  };
  const Case cases[] = {
      {.name = "bad task id", .mutate = [](LaunchSpec& s) { s.task_id = "a/b"; }},
      {.name = "long task id", .mutate = [](LaunchSpec& s) { s.task_id = std::string(65, 'a'); }},
      {.name = "empty argv", .mutate = [](LaunchSpec& s) { s.argv.clear(); }},
      {.name = "NUL in argv", .mutate = [](LaunchSpec& s) { s.argv[1] = std::string("a\0b", 3); }},
      {.name = "NUL in env", .mutate = [](LaunchSpec& s) { s.env[0] = std::string("A=\0", 3); }},
      {.name = "env without =", .mutate = [](LaunchSpec& s) { s.env.push_back("NOEQUALS"); }},
      {.name = "env with empty name", .mutate = [](LaunchSpec& s) { s.env.push_back("=x"); }},
      {.name = "argv+env over 128 KiB", .mutate = [](LaunchSpec& s) { s.argv.push_back(std::string(kMaxArgvEnv, 'a')); }},
      {.name = "relative work dir", .mutate = [](LaunchSpec& s) { s.work_dir = "work"; }},
      {.name = "relative log path", .mutate = [](LaunchSpec& s) { s.log_path = "out.log"; }},
      {.name = "NUL in log path", .mutate = [](LaunchSpec& s) { s.log_path = std::string("/a\0b", 4); }},
      {.name = "tiny log cap", .mutate = [](LaunchSpec& s) { s.log_max_bytes = 10; }},
      {.name = "negative limit", .mutate = [](LaunchSpec& s) { s.limits.memory_bytes = -1; }},
      {.name = "uid below -1", .mutate = [](LaunchSpec& s) { s.uid = -2; }},
      {.name = "uid (uid_t)-1", .mutate = [](LaunchSpec& s) { s.uid = 0xFFFFFFFFLL; }},
      {.name = "gid over 32 bits", .mutate = [](LaunchSpec& s) { s.gid = 1LL << 40; }},
  };
  ASSERT_TRUE(validate(sample_spec()).ok());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    LaunchSpec s = sample_spec();
    c.mutate(s);
    EXPECT_FALSE(validate(s).ok());
    // The launcher applies the same checks when decoding.
    EXPECT_FALSE(decode(body_of(encode(s))).ok());
  }
}

TEST(LaunchProtocol, FrameBufferSplitsAByteStream) {
  std::string stream = encode(Hello{kVersion, 1}) + encode(sample_spec()) + encode(Stop{"x", 2});
  FrameBuffer fb;
  std::vector<std::string> bodies;
  for (char c : stream) {  // one byte at a time: every split point
    fb.append(&c, 1);
    for (;;) {
      auto b = fb.next();
      ASSERT_TRUE(b.ok());
      if (!*b) break;
      bodies.push_back(**b);
    }
  }
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Hello>(*decode(bodies[0])));
  EXPECT_TRUE(std::holds_alternative<LaunchSpec>(*decode(bodies[1])));
  EXPECT_TRUE(std::holds_alternative<Stop>(*decode(bodies[2])));
  EXPECT_EQ(fb.buffered(), 0u);
}

TEST(LaunchProtocol, FrameBufferRejectsOutOfBoundLengths) {
  for (uint32_t n : {0u, static_cast<uint32_t>(kMaxRecord + 1), 0xffffffffu}) {
    FrameBuffer fb;
    char len[4];
    for (int i = 0; i < 4; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    fb.append(len, 4);
    EXPECT_FALSE(fb.next().ok()) << n;
  }
  FrameBuffer ok;
  const uint32_t n = kMaxRecord;
  char len[4];
  for (int i = 0; i < 4; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  ok.append(len, 4);
  auto b = ok.next();
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());  // waiting for the body
}

}  // namespace
}  // namespace ebb::runtime::proto
