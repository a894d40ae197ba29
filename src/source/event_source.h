// EventSourceController: `kind: EventSource` — a watched directory whose new files
// become messages on a queue (the S3 event notification → SQS pattern, on one
// machine). Uses inotify (IN_CLOSE_WRITE, IN_MOVED_TO: a file is "complete" when its
// writer closed it or it was renamed into the directory) plus a scan at start and on
// apply, so files that arrived while ebbd was down are announced too.
//
// Exactly once across restarts: the record "file announced" (record kind "seen",
// key "<source>/<file name>") is committed in the same store transaction as its
// message (Engine::send with `also`), so a crash leaves both or neither. When a file
// leaves the directory its record is deleted, so a new file of the same name is
// announced again.
//
// A file is announced once per version: the "seen" record keeps its size and
// modification time, and a file found (by an event or a scan) with another size or
// mtime is a new version and is announced again, as S3 sends one event per PUT. So
// a writer that closes a file several times may cause several messages, and a scan
// (start, apply, retries) cannot tell a file still being written from a complete
// one: writers that need one message per file write "name.tmp" or ".name" and
// rename it into place (ignored names, see ignoreHidden).
// Only regular files directly in the directory count; symlinks are not followed.
//
// Thread-safe: one mutex, held while scanning (Engine::send is called under it; the
// engine never calls back).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "clock/clock.h"
#include "queue/engine.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::source {

struct SourceConfig {
  std::string region = "us-east-1";
};

class EventSourceController {
 public:
  EventSourceController(Clock& clock, Engine& engine, Committer& committer, SourceConfig cfg);
  ~EventSourceController();

  // Restores sources and announced files (record kinds "eventsource" and "seen").
  void load(const std::vector<RecordRow>& records);
  // Starts the inotify thread and scans every source's directory once; the scan has
  // finished (and its messages are in the engine) when start() returns. While a source
  // has a problem (queue or directory missing, files pending) it is rescanned every
  // 5 s. Errors: InternalError when inotify is unavailable.
  Status start();
  // Stops and joins the thread. Idempotent; the destructor calls it.
  void stop();
  // Retry pending files now (e.g. after a queue was created). Cheap; any thread.
  void poke();

  // Validated `kind: EventSource` document. action: "created"|"configured"|"unchanged".
  // Stores the document (record "eventsource"; the token covers it), re-watches, and
  // once started scans the directory before returning. A changed directory forgets
  // the old directory's "seen" records. A missing queue is a warning, not an error:
  // files wait until it exists. Invalid when the document is not an EventSource.
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc, std::vector<std::string>& warnings);
  // Deletes the source and its "seen" records. NotFound when absent.
  Result<Token> remove(const std::string& name);

  // Objects {apiVersion ebb/v1, kind EventSource, metadata{name, creationTimestamp,
  // labels…}, spec (body and ignoreHidden defaulted), status{announced (since start),
  // pending (count), lastFile, lastAnnouncedAt, error (string or null)}}.
  nlohmann::json list() const;                                 // kind List of EventSource, by name
  Result<nlohmann::json> get(const std::string& name) const;   // NotFound when absent

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ebb::source
