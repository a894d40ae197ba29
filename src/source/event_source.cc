#include "source/event_source.h"

#include "base/rfc3339.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "base/crypto.h"
#include "source/dir_watcher.h"
#include "source/event_body.h"
#include "source/source_spec.h"

namespace ebb::source {
namespace {

const std::string kSourceKind = "eventsource";
const std::string kSeenKind = "seen";
constexpr int kRetryMs = 5000;                  // rescan period while a source has a problem
constexpr int64_t kMaxEtagBytes = 16LL << 20;   // larger files get no eTag (not read)

struct Seen {
  int64_t size = 0;
  int64_t mtime_ms = 0;
  std::string message_id;
};

std::string seen_value(const Seen& s) {
  return nlohmann::json{{"size", s.size}, {"mtimeMs", s.mtime_ms}, {"messageId", s.message_id}}.dump();
}

struct Source {
  std::string name;
  nlohmann::json doc;  // as stored: the validated document + metadata.creationTimestamp
  SourceSpec spec;
  int wd = -1;         // watch descriptor, -1 = not watched (not started or directory missing)
  // status
  int64_t announced = 0;
  std::set<std::string> pending;  // accepted files not announced because of an error
  std::string last_file;
  int64_t last_announced_ms = 0;
  std::string error;
  bool troubled() const { return wd < 0 || !error.empty() || !pending.empty(); }
};

// The spec as shown and compared: body and ignoreHidden defaulted.
nlohmann::json shown_spec(const nlohmann::json& spec) {
  nlohmann::json s = spec.is_object() ? spec : nlohmann::json::object();
  if (!s.contains("body")) s["body"] = "s3";
  if (!s.contains("ignoreHidden")) s["ignoreHidden"] = true;
  return s;
}

// The document minus what the server adds, with defaults, for "unchanged" checks.
nlohmann::json comparable(const nlohmann::json& doc) {
  nlohmann::json d = doc;
  if (auto md = d.find("metadata"); md != d.end() && md->is_object()) md->erase("creationTimestamp");
  d["spec"] = shown_spec(d.contains("spec") ? d["spec"] : nlohmann::json());
  return d;
}

std::string rfc3339_seconds(WallTime t) { return ebb::rfc3339_s(t.time_since_epoch().count()); }

bool is_fifo(const std::string& queue) { return queue.size() > 5 && queue.ends_with(".fifo"); }

std::string upper_hex(std::string_view bytes) {
  std::string h = hex_encode(bytes);
  for (char& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return h;
}

// Regular files directly in `dir` (symlinks not followed), sorted by name.
Result<std::vector<std::string>> list_regular_files(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dfd < 0) return err(Code::NotFound, "directory " + dir + ": " + std::strerror(errno));
  DIR* d = fdopendir(dfd);
  if (!d) {
    int e = errno;
    ::close(dfd);
    return err(Code::InternalError, "directory " + dir + ": " + std::strerror(e));
  }
  std::vector<std::string> out;
  while (dirent* ent = readdir(d)) {
    std::string name = ent->d_name;
    if (name == "." || name == "..") continue;
    if (ent->d_type != DT_REG && ent->d_type != DT_UNKNOWN) continue;
    struct stat st {};
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
      out.push_back(std::move(name));
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// What announcing needs to know about one file.
struct FileFacts {
  int64_t size = 0;
  int64_t mtime_ms = 0;
  uint64_t mtime_ns = 0;
  std::optional<std::string> md5;
};

// An open regular file (symlinks not followed); closes on destruction.
class OpenFile {
 public:
  // NotFound when the file is gone or not a regular file (nothing to announce).
  static Result<OpenFile> open(const std::string& path) {
    // O_NONBLOCK: opening a FIFO someone dropped in the directory must not hang us.
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      int e = errno;
      if (e == ENOENT || e == ELOOP) return err(Code::NotFound, path + ": " + std::strerror(e));
      return err(Code::InternalError, path + ": " + std::strerror(e));
    }
    OpenFile f(fd);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return err(Code::NotFound, path + ": not a regular file");
    f.facts_.size = st.st_size;
    f.facts_.mtime_ns =
        static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(st.st_mtim.tv_nsec);
    f.facts_.mtime_ms = static_cast<int64_t>(f.facts_.mtime_ns / 1'000'000ULL);
    return f;
  }
  OpenFile(OpenFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)), facts_(std::move(o.facts_)) {}
  OpenFile& operator=(OpenFile&&) = delete;
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  const FileFacts& facts() const { return facts_; }

  // Adds the content's MD5 (S3's eTag of a single-part upload) for files up to
  // kMaxEtagBytes. A file that shrinks meanwhile gets the digest of what was read.
  void add_md5() {
    if (facts_.size > kMaxEtagBytes) return;
    std::string content(static_cast<size_t>(facts_.size), '\0');
    size_t got = 0;
    while (got < content.size()) {
      ssize_t n = ::read(fd_, content.data() + got, content.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    content.resize(got);
    facts_.md5 = md5_hex(content);
  }

 private:
  explicit OpenFile(int fd) : fd_(fd) {}
  int fd_;
  FileFacts facts_;
};

}  // namespace

struct EventSourceController::Impl {
  Impl(Clock& c, Engine& e, Committer& cm, SourceConfig cf) : clock(c), engine(e), committer(cm), cfg(std::move(cf)) {}

  Clock& clock;
  Engine& engine;
  Committer& committer;
  SourceConfig cfg;

  mutable std::mutex mu;
  std::map<std::string, Source> sources;       // guarded by mu
  std::map<std::string, Seen> seen;            // "<source>/<file>"; guarded by mu
  std::map<int, std::set<std::string>> by_wd;  // watch descriptor → sources; guarded by mu
  std::unique_ptr<DirWatcher> watcher;         // set while started; guarded by mu
  bool stopping = false;                       // guarded by mu
  bool retry_requested = false;                // guarded by mu
  std::thread thread;

  // ---- watches ----
  bool watch_locked(Source& s) {
    if (s.wd >= 0) return true;
    if (!watcher) return false;
    Result<int> wd = watcher->watch(s.spec.directory);
    if (!wd.ok()) {
      s.error = wd.error().message;
      return false;
    }
    s.wd = *wd;
    by_wd[s.wd].insert(s.name);
    return true;
  }

  void unwatch_locked(Source& s) {
    if (s.wd < 0) return;
    auto it = by_wd.find(s.wd);
    if (it != by_wd.end()) {
      it->second.erase(s.name);
      // Two sources on one directory share a watch descriptor.
      if (it->second.empty()) {
        if (watcher) watcher->unwatch(s.wd);
        by_wd.erase(it);
      }
    }
    s.wd = -1;
  }

  // ---- seen records ----
  Token forget_locked(Source& s, const std::string& file) {
    s.pending.erase(file);
    const std::string key = s.name + "/" + file;
    if (seen.erase(key) == 0) return 0;
    return committer.append(op::DeleteRecord{kSeenKind, key});
  }

  Token forget_all_locked(const std::string& source) {
    Token t = 0;
    const std::string prefix = source + "/";
    for (auto it = seen.lower_bound(prefix); it != seen.end() && it->first.starts_with(prefix);) {
      t = committer.append(op::DeleteRecord{kSeenKind, it->first});
      it = seen.erase(it);
    }
    return t;
  }

  // ---- announcing ----
  void set_pending(Source& s, const std::string& file, std::string why) {
    s.pending.insert(file);
    s.error = std::move(why);
  }

  void announce_locked(Source& s, const std::string& file) {
    if (!accepts_file_name(s.spec, file)) return;
    const std::string key = s.name + "/" + file;
    Result<OpenFile> opened = OpenFile::open(s.spec.directory + "/" + file);
    if (!opened.ok()) {
      if (opened.error().code == Code::NotFound) s.pending.erase(file);  // gone again: nothing to say
      else set_pending(s, file, opened.error().message);
      return;
    }
    // Same size and modification time as when announced: the same version. A
    // replaced or rewritten file is a new version, announced again (S3 sends one
    // event per PUT).
    if (auto it = seen.find(key);
        it != seen.end() && it->second.size == opened->facts().size && it->second.mtime_ms == opened->facts().mtime_ms) {
      return;
    }
    // Checked before reading the content: a missing queue keeps every file pending.
    if (!engine.queue_exists(s.spec.queue).ok()) {
      set_pending(s, file, "queue " + s.spec.queue + " does not exist; files wait until it is created");
      return;
    }
    opened->add_md5();
    const FileFacts& facts = opened->facts();
    FileEvent ev;
    ev.source = s.name;
    ev.region = cfg.region;
    ev.bucket = s.spec.bucket;
    ev.key = file;
    ev.size = facts.size;
    ev.etag = facts.md5;
    char seq[32];
    std::snprintf(seq, sizeof seq, "%018llX", static_cast<unsigned long long>(facts.mtime_ns));
    ev.sequencer = seq;
    ev.event_time = clock.wall_now();
    ev.request_id = upper_hex(random_bytes(8));
    ev.host_id = base64_encode(random_bytes(48));

    SendEntry entry;
    entry.body = s.spec.body == "simple" ? simple_event_body(ev) : s3_event_body(ev);
    if (is_fifo(s.spec.queue)) {
      // One group per source keeps its files in announcement order; the dedup id
      // names this appearance of the file, so a retried send is not a second message.
      entry.group_id = s.name;
      entry.dedup_id = sha256_hex(key + "\n" + std::to_string(facts.size) + "\n" + std::to_string(facts.mtime_ns));
    }
    Seen rec{facts.size, facts.mtime_ms, ""};
    Token token = 0;
    // The "seen" record commits in the same transaction as the message (header).
    auto sent = engine.send(s.spec.queue, {std::move(entry)}, token, {op::PutRecord{kSeenKind, key, seen_value(rec)}});
    if (!sent.ok()) {
      set_pending(s, file, "queue " + s.spec.queue + ": " + sent.error().message);
      return;
    }
    if (sent->empty() || !(*sent)[0].ok()) {
      set_pending(s, file, "queue " + s.spec.queue + ": " + (sent->empty() ? "not sent" : (*sent)[0].error().message));
      return;
    }
    // The message id is known only now; record it for `describe` and debugging.
    rec.message_id = (*sent)[0]->message_id;
    committer.append(op::PutRecord{kSeenKind, key, seen_value(rec)});
    seen[key] = rec;
    s.pending.erase(file);
    if (s.pending.empty() && s.wd >= 0) s.error.clear();
    s.announced++;
    s.last_file = file;
    s.last_announced_ms = clock.now_ms();
  }

  // Level-triggered pass over one directory: forget departed files, announce new ones.
  void scan_locked(Source& s) {
    s.error.clear();
    s.pending.clear();
    if (!watch_locked(s)) return;
    Result<std::vector<std::string>> files = list_regular_files(s.spec.directory);
    if (!files.ok()) {
      s.error = files.error().message;
      return;
    }
    const std::string prefix = s.name + "/";
    std::vector<std::string> departed;
    for (auto it = seen.lower_bound(prefix); it != seen.end() && it->first.starts_with(prefix); ++it) {
      std::string file = it->first.substr(prefix.size());
      if (!std::binary_search(files->begin(), files->end(), file)) departed.push_back(std::move(file));
    }
    for (const std::string& f : departed) forget_locked(s, f);
    for (const std::string& f : *files) announce_locked(s, f);
  }

  void handle_event_locked(const DirWatcher::Event& ev) {
    if (ev.mask & IN_Q_OVERFLOW) {
      // Events were lost: the scan recomputes everything from the directories.
      for (auto& [_, s] : sources) scan_locked(s);
      return;
    }
    auto it = by_wd.find(ev.wd);
    if (it == by_wd.end()) return;  // a watch we already dropped
    const std::set<std::string> names = it->second;
    if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
      // The directory went away (or moved, so the path no longer names it): watch
      // the path again once it exists; the retry timer keeps trying.
      if ((ev.mask & IN_MOVE_SELF) && watcher) watcher->unwatch(ev.wd);
      by_wd.erase(it);
      for (const std::string& n : names) {
        Source& s = sources.at(n);
        s.wd = -1;
        s.error = "directory " + s.spec.directory + " was removed or moved; waiting for it to exist again";
      }
      return;
    }
    if ((ev.mask & IN_ISDIR) || ev.name.empty()) return;
    for (const std::string& n : names) {
      Source& s = sources.at(n);
      if (ev.mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) announce_locked(s, ev.name);
      else if (ev.mask & (IN_DELETE | IN_MOVED_FROM)) forget_locked(s, ev.name);
    }
  }

  bool any_trouble_locked() const {
    for (const auto& [_, s] : sources) {
      if (s.troubled()) return true;
    }
    return false;
  }

  void retry_locked() {
    for (auto& [_, s] : sources) {
      if (s.troubled()) scan_locked(s);
    }
  }

  void run() {
    std::vector<DirWatcher::Event> events;
    while (true) {
      int timeout = -1;
      {
        std::lock_guard lk(mu);
        if (stopping) return;
        timeout = any_trouble_locked() ? kRetryMs : -1;
      }
      events.clear();
      bool woke = false;
      Status st = watcher->wait(timeout, events, woke);
      std::lock_guard lk(mu);
      if (stopping) return;
      if (!st.ok()) {
        // Not expected from poll/read on our own descriptors; say so and give up
        // watching rather than spin.
        for (auto& [_, s] : sources) s.error = "watching stopped: " + st.error().message;
        return;
      }
      for (const DirWatcher::Event& ev : events) handle_event_locked(ev);
      const bool timed_out = events.empty() && !woke;
      if (timed_out || retry_requested) {
        retry_requested = false;
        retry_locked();
      }
    }
  }

  nlohmann::json object_locked(const Source& s) const {
    auto text_or_null = [](const std::string& v) { return v.empty() ? nlohmann::json() : nlohmann::json(v); };
    nlohmann::json status = {
        {"announced", s.announced},
        {"pending", s.pending.size()},
        {"lastFile", text_or_null(s.last_file)},
        {"lastAnnouncedAt", s.last_announced_ms ? nlohmann::json(rfc3339_ms(WallTime{Millis{s.last_announced_ms}}))
                                                : nlohmann::json()},
        {"error", text_or_null(s.error)},
    };
    return {{"apiVersion", "ebb/v1"},
            {"kind", "EventSource"},
            {"metadata", s.doc.contains("metadata") ? s.doc["metadata"] : nlohmann::json{{"name", s.name}}},
            {"spec", shown_spec(s.doc.contains("spec") ? s.doc["spec"] : nlohmann::json())},
            {"status", status}};
  }
};

EventSourceController::EventSourceController(Clock& clock, Engine& engine, Committer& committer, SourceConfig cfg)
    : impl_(std::make_unique<Impl>(clock, engine, committer, std::move(cfg))) {}

EventSourceController::~EventSourceController() { stop(); }

void EventSourceController::load(const std::vector<RecordRow>& records) {
  std::lock_guard lk(impl_->mu);
  for (const RecordRow& r : records) {
    nlohmann::json v = nlohmann::json::parse(r.value, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded() || !v.is_object()) continue;  // not ours to repair; skip
    if (r.kind == kSourceKind) {
      Source s;
      s.name = r.key;
      s.doc = v;
      s.spec = source_spec_from(v.contains("spec") ? v["spec"] : nlohmann::json());
      impl_->sources[r.key] = std::move(s);
    } else if (r.kind == kSeenKind) {
      Seen s;
      s.size = v.value("size", int64_t{0});
      s.mtime_ms = v.value("mtimeMs", int64_t{0});
      s.message_id = v.value("messageId", std::string());
      impl_->seen[r.key] = std::move(s);
    }
  }
}

Status EventSourceController::start() {
  Impl& I = *impl_;
  {
    std::lock_guard lk(I.mu);
    if (I.watcher) return {};
    Result<std::unique_ptr<DirWatcher>> w = DirWatcher::open();
    if (!w.ok()) return w.error();
    I.watcher = std::move(w.value());
    I.stopping = false;
    // Files that arrived (or left) while ebbd was down.
    for (auto& [_, s] : I.sources) I.scan_locked(s);
  }
  I.thread = std::thread([&I] { I.run(); });
  return {};
}

void EventSourceController::stop() {
  Impl& I = *impl_;
  {
    std::lock_guard lk(I.mu);
    if (!I.watcher) return;
    I.stopping = true;
    I.watcher->wake();
  }
  if (I.thread.joinable()) I.thread.join();
  std::lock_guard lk(I.mu);
  for (auto& [_, s] : I.sources) s.wd = -1;
  I.by_wd.clear();
  I.watcher.reset();
}

void EventSourceController::poke() {
  std::lock_guard lk(impl_->mu);
  impl_->retry_requested = true;
  if (impl_->watcher) impl_->watcher->wake();
}

Result<std::pair<std::string, Token>> EventSourceController::apply(const nlohmann::json& doc,
                                                                   std::vector<std::string>& warnings) {
  Impl& I = *impl_;
  if (!doc.is_object() || doc.value("kind", std::string()) != "EventSource" || !doc.contains("spec") ||
      !doc["spec"].is_object() || !doc.contains("metadata") || !doc["metadata"].is_object() ||
      !doc["metadata"].contains("name") || !doc["metadata"]["name"].is_string()) {
    return err(Code::Invalid, "not a validated EventSource document");
  }
  const std::string name = doc["metadata"]["name"].get<std::string>();
  std::lock_guard lk(I.mu);
  auto it = I.sources.find(name);
  const bool exists = it != I.sources.end();
  if (exists && comparable(it->second.doc) == comparable(doc)) return std::pair<std::string, Token>{"unchanged", 0};

  nlohmann::json stored = doc;
  stored["metadata"]["creationTimestamp"] =
      exists && it->second.doc["metadata"].contains("creationTimestamp")
          ? it->second.doc["metadata"]["creationTimestamp"]
          : nlohmann::json(rfc3339_seconds(I.clock.wall_now()));
  Token token = I.committer.append(op::PutRecord{kSourceKind, name, stored.dump()});
  SourceSpec spec = source_spec_from(doc["spec"]);
  if (!exists) {
    it = I.sources.emplace(name, Source{}).first;
    it->second.name = name;
  }
  Source& s = it->second;
  if (exists && s.spec.directory != spec.directory) {
    // The old directory's files are not in the new one; forget them.
    I.unwatch_locked(s);
    token = std::max(token, I.forget_all_locked(name));
  }
  s.doc = std::move(stored);
  s.spec = std::move(spec);
  if (!I.engine.queue_exists(s.spec.queue).ok()) {
    warnings.push_back("spec.queue: queue " + s.spec.queue + " does not exist yet; files wait until it is created");
  }
  if (I.watcher) {
    I.scan_locked(s);
    I.watcher->wake();  // the thread recomputes its retry timer
  }
  return std::pair<std::string, Token>{exists ? "configured" : "created", token};
}

Result<Token> EventSourceController::remove(const std::string& name) {
  Impl& I = *impl_;
  std::lock_guard lk(I.mu);
  auto it = I.sources.find(name);
  if (it == I.sources.end()) return err(Code::NotFound, "eventsource " + name + " not found");
  I.unwatch_locked(it->second);
  Token t = I.committer.append(op::DeleteRecord{kSourceKind, name});
  t = std::max(t, I.forget_all_locked(name));
  I.sources.erase(it);
  return t;
}

nlohmann::json EventSourceController::list() const {
  std::lock_guard lk(impl_->mu);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [_, s] : impl_->sources) items.push_back(impl_->object_locked(s));
  return {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", items}};
}

Result<nlohmann::json> EventSourceController::get(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->sources.find(name);
  if (it == impl_->sources.end()) return err(Code::NotFound, "eventsource " + name + " not found");
  return impl_->object_locked(it->second);
}

}  // namespace ebb::source
