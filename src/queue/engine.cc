#include "queue/engine.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "base/crypto.h"
#include "queue/attributes.h"
#include "queue/queue_state.h"
#include "queue/receipt_handle.h"

namespace ebb {
namespace {

constexpr int64_t kDedupWindowMs = 300'000;
constexpr int64_t kMaxLeaseMs = 43'200'000;

// Work that must run after the engine's lock is released (callbacks into the API
// layer, timer re-arming).
struct Deferred {
  std::vector<std::function<void()>> fns;
  void add(std::function<void()> f) { fns.push_back(std::move(f)); }
  void run() {
    for (auto& f : fns) f();
  }
};

std::string format_seq(int64_t seq) {
  std::string s = std::to_string(seq);
  return "1" + std::string(s.size() < 19 ? 19 - s.size() : 0, '0') + s;
}

bool valid_queue_name(const std::string& name, bool fifo) {
  std::string_view base = name;
  if (fifo) {
    if (name.size() < 6 || name.compare(name.size() - 5, 5, ".fifo") != 0) return false;
    base.remove_suffix(5);
  }
  if (name.empty() || name.size() > 80 || base.empty()) return false;
  for (char c : base)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

int64_t message_size(const std::string& body, const MsgAttrs& attrs) {
  int64_t n = int64_t(body.size());
  for (auto& a : attrs) n += int64_t(a.name.size() + a.data_type.size() + a.value.size());
  return n;
}

}  // namespace

struct MoveTask {
  MoveTaskRow row;
  std::pair<int64_t, int64_t> cursor{INT64_MIN, INT64_MIN};  // (sent_ms, id) last looked at
  int64_t looked = 0;         // messages looked at (moved or skipped)
  double budget = 0;          // rate limiting tokens
  MonoTime last_run{};
  bool started = false;
};

struct Engine::Impl {
  Clock& clock;
  Committer& committer;
  const EngineConfig& cfg;
  mutable std::mutex mu;

  std::map<std::string, std::unique_ptr<QueueState>> queues;  // by name (sorted)
  std::unordered_map<int64_t, QueueState*> by_id;
  std::unique_ptr<ReceiptHandleCodec> codec;
  int64_t next_msg_id = 1;
  int64_t next_queue_id = 1;
  std::vector<std::unique_ptr<MoveTask>> tasks;
  std::function<void()> wakeup;
  MonoTime announced{MonoTime::max()};
  size_t parked = 0;
  int64_t last_dedup_gc_ms = 0;
  Token last_token = 0;
  std::map<std::string, int64_t> deleted_at;  // QueueDeletedRecently rule

  // Tracked consumers (tasks ebb started): slot 0 is "none"; slots are never reused.
  struct Consumer {
    ConsumerLeases info;
    std::multiset<int64_t> deadlines;  // visibility deadlines of its leases
    bool active = true;
  };
  std::vector<Consumer> consumers{1};
  std::unordered_map<std::string, uint32_t> consumer_ids;
  uint32_t granting = 0;               // consumer of the receive being served
  bool counts_dirty = false;           // V/F/D of some queue changed since the last notice
  std::function<void()> counts_changed;
  std::function<void(const std::string&)> stale_receipt;
  std::vector<StoreOp>* gather = nullptr;  // send(…, also): ops gathered for one append_all

  Impl(Clock& c, Committer& cm, const EngineConfig& cf) : clock(c), committer(cm), cfg(cf) {}

  Token append(StoreOp op) {
    if (gather) {
      gather->push_back(std::move(op));
      return last_token;
    }
    return last_token = committer.append(std::move(op));
  }

  uint32_t consumer_slot(const std::string& key) const {
    if (key.empty()) return 0;
    auto it = consumer_ids.find(key);
    return it == consumer_ids.end() ? 0 : it->second;
  }

  void lease_added(Msg& x) {
    if (!x.consumer) return;
    auto& c = consumers[x.consumer];
    c.info.leases++;
    c.deadlines.insert(x.m.visible_at_ms);
  }
  void lease_removed(Msg& x) {
    if (!x.consumer) return;
    auto& c = consumers[x.consumer];
    c.info.leases--;
    auto it = c.deadlines.find(x.m.visible_at_ms);
    if (it != c.deadlines.end()) c.deadlines.erase(it);
    if (c.info.leases == 0) c.info.idle_since_ms = clock.now_ms();
  }
  // Leases of a queue's messages vanish without unlink (purge, delete queue).
  void drop_leases(QueueState& q) {
    for (auto& [d, id] : q.inflight) lease_removed(q.msgs.at(id));
  }

  void notify_counts(Deferred& d) {
    if (counts_dirty && counts_changed) d.add(counts_changed);
    counts_dirty = false;
  }

  std::string arn(const std::string& name) const {
    return "arn:aws:sqs:" + cfg.region + ":" + cfg.account + ":" + name;
  }

  QueueState* find(const std::string& name) {
    auto it = queues.find(name);
    return it == queues.end() ? nullptr : it->second.get();
  }

  static Error no_queue() { return err(Code::NonExistentQueue, "The specified queue does not exist."); }

  // ---------- indexes ----------
  void refresh_ready(QueueState& q, const std::string& gname) {
    auto git = q.groups.find(gname);
    if (git == q.groups.end()) return;
    Group& g = git->second;
    if (g.ready_seq >= 0) {
      q.ready.erase({g.ready_seq, gname});
      g.ready_seq = -1;
    }
    if (g.inflight == 0 && !g.pending.empty()) {
      auto& head = q.msgs.at(g.pending.begin()->second);
      if (head.state == MsgState::Visible) {
        g.ready_seq = head.m.seq;
        q.ready.insert({g.ready_seq, gname});
      }
    }
    if (g.inflight == 0 && g.pending.empty()) q.groups.erase(git);
  }

  void link_state(QueueState& q, Msg& x) {
    const int64_t id = x.m.id;
    switch (x.state) {
      case MsgState::Delayed:
        q.delayed.insert({x.m.visible_at_ms, id});
        if (q.fifo) q.groups[x.m.group_id].pending.insert({x.m.seq, id});
        break;
      case MsgState::Visible:
        q.n_visible++;
        if (q.fifo)
          q.groups[x.m.group_id].pending.insert({x.m.seq, id});
        else
          q.visible.insert(id);
        break;
      case MsgState::InFlight:
        q.inflight.insert({x.m.visible_at_ms, id});
        if (q.fifo) q.groups[x.m.group_id].inflight++;
        lease_added(x);
        break;
    }
    counts_dirty = true;
    if (q.fifo) refresh_ready(q, x.m.group_id);
  }

  void unlink_state(QueueState& q, Msg& x) {
    const int64_t id = x.m.id;
    switch (x.state) {
      case MsgState::Delayed:
        q.delayed.erase({x.m.visible_at_ms, id});
        if (q.fifo) q.groups[x.m.group_id].pending.erase({x.m.seq, id});
        break;
      case MsgState::Visible:
        q.n_visible--;
        if (q.fifo)
          q.groups[x.m.group_id].pending.erase({x.m.seq, id});
        else
          q.visible.erase(id);
        break;
      case MsgState::InFlight:
        q.inflight.erase({x.m.visible_at_ms, id});
        if (q.fifo) q.groups[x.m.group_id].inflight--;
        lease_removed(x);
        break;
    }
    counts_dirty = true;
    if (q.fifo) refresh_ready(q, x.m.group_id);
  }

  Msg& add_message(QueueState& q, Message m, MsgState st) {
    int64_t id = m.id;
    auto [it, _] = q.msgs.emplace(id, Msg{std::move(m), st});
    q.by_sent.insert({it->second.m.sent_ms, id});
    link_state(q, it->second);
    return it->second;
  }

  Message remove_message(QueueState& q, Msg& x) {
    unlink_state(q, x);
    q.by_sent.erase({x.m.sent_ms, x.m.id});
    Message m = std::move(x.m);
    q.msgs.erase(m.id);
    return m;
  }

  void note_deadline(int64_t deadline_ms, int64_t now_ms) {
    MonoTime at = clock.mono_now() + Millis(std::max<int64_t>(0, deadline_ms - now_ms));
    if (at < announced) {
      announced = at;
      if (wakeup) pending_wakeup = true;
    }
  }
  bool pending_wakeup = false;

  void flush_wakeup(Deferred& d) {
    if (pending_wakeup && wakeup) d.add(wakeup);
    pending_wakeup = false;
    notify_counts(d);
  }

  // Debug builds check the FIFO indexes against the messages (O(n): tests only).
  void check_fifo(const QueueState& q, const char* where) const {
#ifndef NDEBUG
    if (!q.fifo || q.msgs.size() > 20000) return;
    std::map<std::string, int> inflight;
    std::map<std::string, size_t> pending;
    for (auto& [id, x] : q.msgs) {
      if (x.state == MsgState::InFlight) inflight[x.m.group_id]++;
      else pending[x.m.group_id]++;
    }
    size_t ready_count = 0;
    for (auto& [name, g] : q.groups) {
      if (g.inflight != inflight[name] || g.pending.size() != pending[name]) {
        std::fprintf(stderr, "FIFO index broken at %s: group %s inflight %d/%d pending %zu/%zu\n", where,
                     name.c_str(), g.inflight, inflight[name], g.pending.size(), pending[name]);
        std::abort();
      }
      if (g.ready_seq >= 0) ready_count++;
    }
    if (ready_count != q.ready.size()) {
      std::fprintf(stderr, "FIFO ready set broken at %s: %zu groups ready, %zu entries\n", where, ready_count,
                   q.ready.size());
      std::abort();
    }
#else
    (void)q;
    (void)where;
#endif
  }

  // ---------- time ----------
  void tick_queue(QueueState& q, int64_t now, Deferred& d) {
    while (!q.delayed.empty() && q.delayed.begin()->first <= now) {
      Msg& x = q.msgs.at(q.delayed.begin()->second);
      unlink_state(q, x);
      x.state = MsgState::Visible;
      link_state(q, x);
    }
    while (!q.inflight.empty() && q.inflight.begin()->first <= now) {
      Msg& x = q.msgs.at(q.inflight.begin()->second);
      unlink_state(q, x);
      x.state = MsgState::Visible;
      link_state(q, x);
    }
    const int64_t keep = int64_t(q.settings.retention_seconds) * 1000;
    while (!q.by_sent.empty() && q.by_sent.begin()->first + keep <= now) {
      Msg& x = q.msgs.at(q.by_sent.begin()->second);
      int64_t id = x.m.id;
      remove_message(q, x);
      append(op::DeleteMessage{id});
    }
    while (!q.dedup_expiry.empty() && q.dedup_expiry.front().first <= now) {
      auto it = q.dedup.find(q.dedup_expiry.front().second);
      if (it != q.dedup.end() && it->second.expires_ms <= now) q.dedup.erase(it);
      q.dedup_expiry.pop_front();
    }
    serve_waiters(q, now, d);
    check_fifo(q, "tick");
  }

  bool receivable(const QueueState& q) const {
    if (q.inflight.size() >= cfg.max_inflight_per_queue) return false;
    return q.fifo ? !q.ready.empty() : !q.visible.empty();
  }

  // ---------- receive ----------
  std::vector<int64_t> collect(QueueState& q, int max) {
    std::vector<int64_t> ids;
    if (!q.fifo) {
      for (auto it = q.visible.begin(); it != q.visible.end() && int(ids.size()) < max; ++it) ids.push_back(*it);
      return ids;
    }
    for (auto& [seq, gname] : q.ready) {
      auto& g = q.groups.at(gname);
      assert(g.inflight == 0 && g.ready_seq == seq && "a ready FIFO group has nothing in flight");
      for (auto& [s, id] : g.pending) {
        if (int(ids.size()) >= max) return ids;
        if (q.msgs.at(id).state != MsgState::Visible) break;
        ids.push_back(id);
      }
      if (int(ids.size()) >= max) break;
    }
    return ids;
  }

  Delivered deliver_copy(const QueueState& q, const Msg& x, bool with_handle) const {
    Delivered d;
    d.message_id = x.m.message_id;
    if (with_handle)
      d.receipt_handle = codec->encode({q.id, x.m.id, x.m.grant, uuid_tag(x.m.message_id)});
    d.body = x.m.body;
    d.attrs = x.m.attrs;
    d.sender_id = x.m.sender_id;
    d.sent_ms = x.m.sent_ms;
    d.receive_count = x.m.receive_count;
    d.first_receive_ms = x.m.first_receive_ms;
    d.group_id = x.m.group_id;
    d.dedup_id = x.m.dedup_id;
    if (x.m.seq) d.sequence_number = format_seq(x.m.seq);
    d.trace_header = x.m.trace_header;
    d.dlq_source_arn = x.m.dlq_source_arn;
    return d;
  }

  // Moves a message into `dlq` (dead-lettering): same transaction as the receive.
  void dead_letter(QueueState& q, Msg& x, QueueState& dlq, int64_t now, Deferred& d) {
    q.dead_lettered++;
    Message m = remove_message(q, x);
    m.queue_id = dlq.id;
    m.dlq_source_arn = arn(q.name);
    m.leased = false;
    m.visible_at_ms = now;
    if (dlq.fifo) {
      m.seq = dlq.next_seq++;
      append(op::PutMeta{"seq:" + std::to_string(dlq.id), std::to_string(dlq.next_seq)});
    }
    append(op::PutMessage{m});
    add_message(dlq, std::move(m), MsgState::Visible);
    serve_waiters(dlq, now, d);
  }

  void grant(QueueState& q, Msg& x, int vis, int64_t now) {
    unlink_state(q, x);
    x.m.receive_count++;
    if (x.m.first_receive_ms == 0) x.m.first_receive_ms = now;
    x.m.grant++;
    x.m.delivered_ms = now;
    x.m.leased = true;
    x.m.visible_at_ms = now + int64_t(vis) * 1000;
    x.state = MsgState::InFlight;
    x.consumer = granting;
    if (granting) consumers[granting].info.received++;
    link_state(q, x);
    append(op::UpdateMessage{x.m.id, x.m.visible_at_ms, true, x.m.receive_count, x.m.first_receive_ms,
                             x.m.delivered_ms, x.m.grant});
    note_deadline(x.m.visible_at_ms, now);
  }

  // Grants up to max messages; dead-letters those over maxReceiveCount.
  std::vector<Delivered> try_receive(QueueState& q, int max, int vis, int64_t now, Deferred& d) {
    std::vector<Delivered> out;
    QueueState* dlq = nullptr;
    int mrc = 0;
    if (q.settings.redrive) {
      dlq = find(q.settings.redrive->dlq_name);
      mrc = q.settings.redrive->max_receive_count;
      if (dlq == &q) dlq = nullptr;
    }
    for (int guard = 0; int(out.size()) < max && guard < 64; ++guard) {
      if (q.inflight.size() >= cfg.max_inflight_per_queue) break;
      auto ids = collect(q, max - int(out.size()));
      if (ids.empty()) break;
      for (int64_t id : ids) {
        Msg& x = q.msgs.at(id);
        if (dlq && x.m.receive_count + 1 > mrc) {
          dead_letter(q, x, *dlq, now, d);
          continue;
        }
        grant(q, x, vis, now);
        out.push_back(deliver_copy(q, x, true));
      }
    }
    if (!out.empty()) q.received += out.size();
    return out;
  }

  void answer(std::vector<Delivered> msgs, Token t, ReceiveDone done, Deferred& d) {
    if (msgs.empty() || t == 0) {
      d.add([done = std::move(done), msgs = std::move(msgs)]() mutable { done(std::move(msgs)); });
      return;
    }
    d.add([this, t, done = std::move(done), msgs = std::move(msgs)]() mutable {
      committer.when_durable(t, [done = std::move(done), msgs = std::move(msgs)](bool ok) mutable {
        if (ok)
          done(std::move(msgs));
        else
          done(err(Code::ServiceUnavailable, "The store failed to commit; the request may not have taken effect."));
      });
    });
  }

  void serve_waiters(QueueState& q, int64_t now, Deferred& d) {
    while (!q.waiters.empty() && receivable(q)) {
      auto w = q.waiters.front();
      if (w->finished) {
        q.waiters.pop_front();
        continue;
      }
      int vis = w->opts.visibility.value_or(q.settings.visibility_timeout);
      granting = consumer_slot(w->opts.consumer);
      auto got = try_receive(q, w->opts.max_messages, vis, now, d);
      granting = 0;
      if (got.empty()) break;
      q.waiters.pop_front();
      w->finished = true;
      parked--;
      answer(std::move(got), last_token, std::move(w->done), d);
    }
  }

  // ---------- attributes ----------
  Status check_redrive(const std::string& source, bool source_fifo, const std::string& policy) {
    if (policy.empty()) return {};
    auto p = parse_redrive_policy(policy, cfg.account);
    if (!p.ok()) return p.error();
    auto bad = [&](const std::string& reason) {
      return err(Code::InvalidParameterValue,
                 "Value " + policy + " for parameter RedrivePolicy is invalid. Reason: " + reason);
    };
    if (p->dlq_name == source) return bad("A queue cannot be its own dead-letter queue.");
    QueueState* t = find(p->dlq_name);
    if (!t) return bad("Dead letter target does not exist.");
    if (t->fifo != source_fifo) return bad("Dead-letter queue must be same type of queue as the source.");
    auto ap = t->stored.find("RedriveAllowPolicy");
    if (ap != t->stored.end()) {
      auto j = nlohmann::json::parse(ap->second, nullptr, false);
      std::string perm = j.is_object() ? j.value("redrivePermission", "allowAll") : "allowAll";
      bool allowed = perm == "allowAll";
      if (perm == "byQueue" && j.contains("sourceQueueArns"))
        for (auto& a : j["sourceQueueArns"])
          if (a.is_string()) {
            auto n = arn_queue_name(a.get<std::string>(), cfg.account);
            if (n && *n == source) allowed = true;
          }
      if (!allowed) return bad("Queue " + arn(t->name) + " does not allow this queue to use it as a dead-letter queue.");
    }
    return {};
  }

  std::string attr_value(const QueueState& q, const std::string& name) const {
    if (name == "QueueArn") return arn(q.name);
    if (name == "ApproximateNumberOfMessages") return std::to_string(q.n_visible);
    if (name == "ApproximateNumberOfMessagesNotVisible") return std::to_string(q.inflight.size());
    if (name == "ApproximateNumberOfMessagesDelayed") return std::to_string(q.delayed.size());
    if (name == "CreatedTimestamp") return std::to_string(q.created_s);
    if (name == "LastModifiedTimestamp") return std::to_string(q.modified_s);
    if (name == "KmsDataKeyReusePeriodSeconds") {
      auto it = q.stored.find(name);
      if (it != q.stored.end()) return it->second;
      return q.stored.count("KmsMasterKeyId") ? "300" : "";
    }
    auto it = q.stored.find(name);
    return it == q.stored.end() ? "" : it->second;
  }

  void persist_queue(const QueueState& q) {
    QueueRow r;
    r.id = q.id;
    r.name = q.name;
    r.attrs_json = nlohmann::json(q.stored).dump();
    r.tags_json = nlohmann::json(q.tags).dump();
    r.created_s = q.created_s;
    r.modified_s = q.modified_s;
    r.next_seq = q.next_seq;
    append(op::PutQueue{std::move(r)});
  }

  // ---------- receipt handles (sqs-api.md §9.3) ----------
  enum class HandleState { Invalid, Gone, Expired, Superseded, Current };
  struct ResolvedHandle {
    HandleState state;
    Msg* msg = nullptr;
    std::optional<Error> error;  // set for Invalid and Expired: both actions answer them alike
  };
  // What a handle names in `q`: the row of §9.3's table that applies. Expired means a
  // FIFO handle whose lease is over or superseded (FIFO answers that with an error).
  ResolvedHandle resolve_handle(QueueState& q, const std::string& h) {
    auto f = codec->decode(h);
    if (!f || f->queue_id != q.id) return {HandleState::Invalid, nullptr, invalid_handle(h)};
    auto it = q.msgs.find(f->message_id);
    if (it == q.msgs.end() || uuid_tag(it->second.m.message_id) != f->uuid_tag) return {HandleState::Gone, nullptr, std::nullopt};
    Msg& x = it->second;
    bool current = f->grant == x.m.grant;
    if (q.fifo && !(current && x.state == MsgState::InFlight)) return {HandleState::Expired, &x, expired_handle(h)};
    return {current ? HandleState::Current : HandleState::Superseded, &x, std::nullopt};
  }
  static Error invalid_handle(const std::string& h) {
    return err(Code::ReceiptHandleIsInvalid, "The input receipt handle \"" + h + "\" is not a valid receipt handle.");
  }
  static Error expired_handle(const std::string& h) {
    return err(Code::InvalidParameterValue,
               "Value " + h + " for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.");
  }
  static Error arn_format(const char* param) {
    return err(Code::InvalidParameterValue, std::string("You must use this format to specify the ") + param +
                                                ": arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
  }

  // ---------- move tasks ----------
  static std::string task_handle(const MoveTaskRow& r) {
    nlohmann::ordered_json j;
    j["taskId"] = r.task_id;
    j["sourceArn"] = r.source_arn;
    return base64_encode(j.dump());
  }

  void persist_task(const MoveTask& t) { append(op::PutMoveTask{t.row}); }

  void finish_task(MoveTask& t, const std::string& status, const std::string& reason = {}) {
    t.row.status = status;
    t.row.failure_reason = reason;
    persist_task(t);
  }

  // Runs move tasks; returns true while some task still has work.
  bool run_tasks(int64_t now, Deferred& d) {
    bool busy = false;
    MonoTime mono = clock.mono_now();
    for (auto& tp : tasks) {
      MoveTask& t = *tp;
      if (t.row.status != "RUNNING" && t.row.status != "CANCELLING") continue;
      if (t.row.status == "CANCELLING") {
        finish_task(t, "CANCELLED");
        continue;
      }
      auto src_name = arn_queue_name(t.row.source_arn, cfg.account);
      QueueState* src = src_name ? find(*src_name) : nullptr;
      if (!src) {
        finish_task(t, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
        continue;
      }
      int64_t allowance;
      if (t.row.rate > 0) {
        double dt = !t.started ? 0.0 : std::chrono::duration<double>(mono - t.last_run).count();
        t.budget = std::min<double>(t.budget + dt * t.row.rate, t.row.rate);
        allowance = int64_t(t.budget);
      } else {
        allowance = 1000;
      }
      t.last_run = mono;
      t.started = true;
      int64_t moved_now = 0;
      std::string failure;
      while (moved_now < allowance && t.looked < t.row.to_move) {
        auto it = src->by_sent.upper_bound(t.cursor);
        if (it == src->by_sent.end()) {
          t.looked = t.row.to_move;
          break;
        }
        t.cursor = *it;
        t.looked++;
        Msg& x = src->msgs.at(it->second);
        if (x.state == MsgState::InFlight) continue;
        std::string dest_arn = t.row.dest_arn.empty() ? x.m.dlq_source_arn : t.row.dest_arn;
        auto dn = arn_queue_name(dest_arn, cfg.account);
        QueueState* dest = dn ? find(*dn) : nullptr;
        if (!dest || dest == src) {
          failure = "AWS.SimpleQueueService.NonExistentQueue";
          break;
        }
        Message m = remove_message(*src, x);
        m.queue_id = dest->id;
        m.receive_count = 0;
        m.first_receive_ms = 0;
        m.dlq_source_arn.clear();
        m.sent_ms = now;
        m.leased = false;
        m.visible_at_ms = now;
        m.grant = 0;
        if (dest->fifo) {
          m.seq = dest->next_seq++;
          append(op::PutMeta{"seq:" + std::to_string(dest->id), std::to_string(dest->next_seq)});
        } else if (!dest->fifo) {
          m.seq = 0;
        }
        append(op::PutMessage{m});
        add_message(*dest, std::move(m), MsgState::Visible);
        serve_waiters(*dest, now, d);
        moved_now++;
        t.row.moved++;
        src->redriven[dest->name]++;
      }
      if (t.row.rate > 0) t.budget -= double(moved_now);
      if (!failure.empty()) {
        finish_task(t, "FAILED", failure);
      } else if (t.looked >= t.row.to_move) {
        finish_task(t, "COMPLETED");
      } else {
        if (moved_now) persist_task(t);
        busy = true;
      }
    }
    return busy;
  }

  void trim_tasks(const std::string& source_arn) {
    std::vector<MoveTask*> of;
    for (auto& t : tasks)
      if (t->row.source_arn == source_arn) of.push_back(t.get());
    if (of.size() <= 10) return;
    std::sort(of.begin(), of.end(), [](auto* a, auto* b) { return a->row.started_ms > b->row.started_ms; });
    for (size_t i = 10; i < of.size(); ++i) {
      if (of[i]->row.status == "RUNNING" || of[i]->row.status == "CANCELLING") continue;
      std::string id = of[i]->row.task_id;
      append(op::DeleteMoveTask{id});
      tasks.erase(std::remove_if(tasks.begin(), tasks.end(), [&](auto& t) { return t->row.task_id == id; }),
                  tasks.end());
    }
  }
};

// =====================================================================================

Engine::Engine(Clock& clock, Store& store, Committer& committer, EngineConfig cfg)
    : impl_(std::make_unique<Impl>(clock, committer, cfg_)),
      clock_(clock),
      store_(store),
      committer_(committer),
      cfg_(std::move(cfg)) {}

Engine::~Engine() = default;

std::string Engine::queue_arn(const std::string& name) const { return impl_->arn(name); }

void Engine::on_wakeup(std::function<void()> f) {
  std::lock_guard lk(impl_->mu);
  impl_->wakeup = std::move(f);
}

void Engine::load() {
  auto& I = *impl_;
  LoadedState st = store_.load();
  std::lock_guard lk(I.mu);
  const int64_t now = clock_.now_ms();
  std::string key;
  std::map<int64_t, int64_t> seqs;
  for (auto& [k, v] : st.meta) {
    if (k == "receipt_key") key = v;
    if (k.rfind("seq:", 0) == 0) seqs[std::stoll(k.substr(4))] = std::stoll(v);
  }
  if (key.empty()) {
    key = hex_encode(random_bytes(32));
    I.append(op::PutMeta{"receipt_key", key});
  }
  I.codec = std::make_unique<ReceiptHandleCodec>(key);
  int64_t max_qid = 0, max_mid = 0;
  for (auto& r : st.queues) {
    auto q = std::make_unique<QueueState>();
    q->id = r.id;
    q->name = r.name;
    auto a = nlohmann::json::parse(r.attrs_json, nullptr, false);
    if (a.is_object())
      for (auto& [k, v] : a.items()) q->stored[k] = v.get<std::string>();
    auto t = nlohmann::json::parse(r.tags_json, nullptr, false);
    if (t.is_object())
      for (auto& [k, v] : t.items()) q->tags[k] = v.get<std::string>();
    q->fifo = q->stored.count("FifoQueue") && q->stored["FifoQueue"] == "true";
    q->settings = parse_settings(q->stored, q->fifo);
    q->created_s = r.created_s;
    q->modified_s = r.modified_s;
    q->next_seq = std::max(r.next_seq, seqs.count(r.id) ? seqs[r.id] : 1);
    max_qid = std::max(max_qid, r.id);
    I.by_id[q->id] = q.get();
    I.queues[q->name] = std::move(q);
  }
  for (auto& m : st.messages) {
    max_mid = std::max(max_mid, m.id);
    auto it = I.by_id.find(m.queue_id);
    if (it == I.by_id.end()) continue;
    QueueState& q = *it->second;
    if (q.fifo) q.next_seq = std::max(q.next_seq, m.seq + 1);
    MsgState s = m.visible_at_ms > now ? (m.leased ? MsgState::InFlight : MsgState::Delayed) : MsgState::Visible;
    I.add_message(q, std::move(m), s);
  }
  for (auto& d : st.dedup) {
    if (d.expires_ms <= now) continue;
    auto it = I.by_id.find(d.queue_id);
    if (it == I.by_id.end()) continue;
    QueueState& q = *it->second;
    q.dedup[d.key] = DedupEntry{d.message_id, d.seq, d.expires_ms};
    q.next_seq = std::max(q.next_seq, d.seq + 1);
  }
  for (auto& [_, q] : I.queues) {
    std::vector<std::pair<int64_t, std::string>> ex;
    for (auto& [k, e] : q->dedup) ex.push_back({e.expires_ms, k});
    std::sort(ex.begin(), ex.end());
    q->dedup_expiry.assign(ex.begin(), ex.end());
  }
  for (auto& r : st.move_tasks) {
    auto t = std::make_unique<MoveTask>();
    t->row = r;
    if (r.status == "RUNNING") {
      // Resume: messages already moved are gone from the source; look at what is left.
      t->looked = 0;
      auto n = arn_queue_name(r.source_arn, cfg_.account);
      QueueState* src = n ? I.find(*n) : nullptr;
      t->row.to_move = r.moved + (src ? int64_t(src->msgs.size()) : 0);
      t->looked = r.moved;
    }
    I.tasks.push_back(std::move(t));
  }
  I.next_queue_id = std::max(max_qid + 1, now / 1000);
  I.next_msg_id = std::max(max_mid + 1, now * 1024);
}

// ---------------- queues ----------------

Result<Token> Engine::create_queue(const std::string& name, const std::map<std::string, std::string>& attrs_in,
                                   const std::map<std::string, std::string>& tags) {
  auto& I = *impl_;
  std::map<std::string, std::string> attrs = attrs_in;
  bool fifo = false;
  if (auto it = attrs.find("FifoQueue"); it != attrs.end()) {
    std::string l = it->second;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (l == "true") {
      fifo = true;
    } else if (l == "false") {
      attrs.erase(it);  // a standard queue; FIFO-only attributes are then rejected below
    } else {
      return err(Code::InvalidAttributeValue, "Invalid value for the parameter FifoQueue. Reason: Must be true or false.");
    }
  }
  bool name_says_fifo = name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
  if (!valid_queue_name(name, fifo) || name_says_fifo != fifo) {
    if (fifo || name_says_fifo)
      return err(Code::InvalidParameterValue,
                 "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end "
                 "with .fifo suffix and be 1 to 80 in length");
    return err(Code::InvalidParameterValue,
               "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  Deferred d;
  std::lock_guard lk(I.mu);
  auto norm = normalise_attributes(attrs, fifo, true, cfg_.account);
  if (!norm.ok()) return norm.error();
  if (QueueState* q = I.find(name)) {
    auto differs = [&](const std::string& attr) {
      return err(Code::QueueAlreadyExists,
                 "A queue already exists with the same name and a different value for attribute " + attr);
    };
    if (q->fifo != fifo) return differs("FifoQueue");
    for (auto& [k, v] : *norm) {
      std::string cur = I.attr_value(*q, k);
      if (k == "Policy" && !v.empty() && !cur.empty()) {
        if (nlohmann::json::parse(v, nullptr, false) != nlohmann::json::parse(cur, nullptr, false)) return differs(k);
      } else if (cur != v) {
        return differs(k);
      }
    }
    return Token{0};
  }
  if (cfg_.deleted_recently_rule) {
    auto it = I.deleted_at.find(name);
    if (it != I.deleted_at.end() && clock_.now_ms() - it->second < 60'000)
      return err(Code::QueueDeletedRecently,
                 "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
  }
  if (auto it = norm->find("RedrivePolicy"); it != norm->end()) EBB_CHECK(I.check_redrive(name, fifo, it->second));
  auto q = std::make_unique<QueueState>();
  q->id = I.next_queue_id++;
  q->name = name;
  q->fifo = fifo;
  q->stored = default_attributes(fifo);
  for (auto& [k, v] : *norm) {
    if (v.empty() && k != "KmsMasterKeyId")
      q->stored.erase(k);
    else
      q->stored[k] = v;
  }
  q->settings = parse_settings(q->stored, fifo);
  q->tags = tags;
  q->created_s = q->modified_s = clock_.now_ms() / 1000;
  I.persist_queue(*q);
  I.by_id[q->id] = q.get();
  I.queues[name] = std::move(q);
  return I.last_token;
}

Status Engine::queue_exists(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  if (!impl_->find(name)) return Impl::no_queue();
  return {};
}

Result<Token> Engine::delete_queue(const std::string& name) {
  auto& I = *impl_;
  Deferred d;
  Token t;
  {
    std::lock_guard lk(I.mu);
    QueueState* q = I.find(name);
    if (!q) return Impl::no_queue();
    for (auto& w : q->waiters) {
      if (w->finished) continue;
      w->finished = true;
      I.parked--;
      d.add([done = std::move(w->done)] { done(std::vector<Delivered>{}); });
    }
    I.drop_leases(*q);
    I.counts_dirty = true;
    I.notify_counts(d);
    t = I.append(op::DeleteQueue{q->id});
    I.deleted_at[name] = clock_.now_ms();
    I.by_id.erase(q->id);
    I.queues.erase(name);
  }
  d.run();
  return t;
}

Result<Token> Engine::purge_queue(const std::string& name) {
  auto& I = *impl_;
  Deferred d;
  Token t;
  {
    std::lock_guard lk(I.mu);
    QueueState* q = I.find(name);
    if (!q) return Impl::no_queue();
    int64_t now = clock_.now_ms();
    if (cfg_.purge_rate_limit && q->last_purge_ms && now - q->last_purge_ms < 60'000)
      return err(Code::PurgeQueueInProgress,
                 "Only one PurgeQueue operation on " + name + " is allowed every 60 seconds.");
    q->last_purge_ms = now;
    I.drop_leases(*q);
    I.counts_dirty = true;
    I.notify_counts(d);
    q->msgs.clear();
    q->visible.clear();
    q->delayed.clear();
    q->inflight.clear();
    q->by_sent.clear();
    q->groups.clear();
    q->ready.clear();
    q->n_visible = 0;
    q->attempts.clear();
    t = I.append(op::PurgeQueue{q->id});
  }
  d.run();
  return t;
}

Result<std::vector<std::pair<std::string, std::string>>> Engine::get_attributes(
    const std::string& name, const std::vector<std::string>& names) const {
  auto& I = *impl_;
  Deferred d;
  std::vector<std::pair<std::string, std::string>> out;
  {
    std::lock_guard lk(I.mu);
    QueueState* q = I.find(name);
    if (!q) return Impl::no_queue();
    bool all = false;
    for (auto& n : names) {
      if (!is_known_attribute(n)) return err(Code::InvalidAttributeName, "Unknown Attribute " + n + ".");
      if (n == "All") all = true;
    }
    I.tick_queue(*q, clock_.now_ms(), d);  // counts reflect due delays and lease expiries
    I.flush_wakeup(d);
    for (auto& a : attribute_order()) {
      if (!all && std::find(names.begin(), names.end(), a) == names.end()) continue;
      if (a == "KmsMasterKeyId" && !q->stored.count(a)) continue;
      std::string v = I.attr_value(*q, a);
      if (v.empty() && a != "KmsMasterKeyId") continue;
      out.emplace_back(a, v);
    }
  }
  d.run();
  return out;
}

Result<Token> Engine::set_attributes(const std::string& name, const std::map<std::string, std::string>& attrs) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  if (attrs.empty()) return Token{0};
  auto norm = normalise_attributes(attrs, q->fifo, false, cfg_.account);
  if (!norm.ok()) return norm.error();
  if (auto it = norm->find("RedrivePolicy"); it != norm->end()) EBB_CHECK(I.check_redrive(name, q->fifo, it->second));
  for (auto& [k, v] : *norm) {
    if (v.empty() && k != "KmsMasterKeyId")
      q->stored.erase(k);
    else
      q->stored[k] = v;
  }
  q->settings = parse_settings(q->stored, q->fifo);
  q->modified_s = clock_.now_ms() / 1000;
  I.persist_queue(*q);
  return I.last_token;
}

std::vector<std::string> Engine::list_queues(const std::string& prefix) const {
  std::lock_guard lk(impl_->mu);
  std::vector<std::string> out;
  for (auto it = impl_->queues.lower_bound(prefix); it != impl_->queues.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->first);
  }
  return out;
}

Result<std::vector<std::string>> Engine::dead_letter_sources(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  if (!impl_->find(name)) return Impl::no_queue();
  std::vector<std::string> out;
  for (auto& [n, q] : impl_->queues)
    if (q->settings.redrive && q->settings.redrive->dlq_name == name) out.push_back(n);
  return out;
}

Result<Token> Engine::tag_queue(const std::string& name, const std::map<std::string, std::string>& tags) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  auto merged = q->tags;
  for (auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > 50) return err(Code::InvalidParameterValue, "Too many tags added for queue " + name + ".");
  q->tags = std::move(merged);
  I.persist_queue(*q);
  return I.last_token;
}

Result<Token> Engine::untag_queue(const std::string& name, const std::vector<std::string>& keys) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  for (auto& k : keys) q->tags.erase(k);
  I.persist_queue(*q);
  return I.last_token;
}

Result<std::map<std::string, std::string>> Engine::list_tags(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  QueueState* q = impl_->find(name);
  if (!q) return Impl::no_queue();
  return q->tags;
}

Result<Token> Engine::add_permission(const std::string& name, const std::string& label,
                                     const std::vector<std::string>& accounts,
                                     const std::vector<std::string>& actions) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  nlohmann::ordered_json pol;
  if (auto it = q->stored.find("Policy"); it != q->stored.end() && !it->second.empty())
    pol = nlohmann::ordered_json::parse(it->second, nullptr, false);
  if (!pol.is_object()) {
    pol = nlohmann::ordered_json::object();
    pol["Version"] = "2008-10-17";
    pol["Id"] = I.arn(name) + "/SQSDefaultPolicy";
    pol["Statement"] = nlohmann::ordered_json::array();
  }
  if (!pol["Statement"].is_array()) pol["Statement"] = nlohmann::ordered_json::array();
  for (auto& s : pol["Statement"])
    if (s.is_object() && s.value("Sid", "") == label)
      return err(Code::InvalidParameterValue, "Value " + label + " for parameter Label is invalid. Reason: Already exists.");
  nlohmann::ordered_json st;
  st["Sid"] = label;
  st["Effect"] = "Allow";
  nlohmann::ordered_json principals = nlohmann::ordered_json::array();
  for (auto& a : accounts) principals.push_back("arn:aws:iam::" + a + ":root");
  st["Principal"] = {{"AWS", principals.size() == 1 ? principals[0] : principals}};
  nlohmann::ordered_json acts = nlohmann::ordered_json::array();
  for (auto& a : actions) acts.push_back("SQS:" + a);
  st["Action"] = acts.size() == 1 ? acts[0] : acts;
  st["Resource"] = I.arn(name);
  pol["Statement"].push_back(st);
  q->stored["Policy"] = pol.dump();
  q->modified_s = clock_.now_ms() / 1000;
  I.persist_queue(*q);
  return I.last_token;
}

Result<Token> Engine::remove_permission(const std::string& name, const std::string& label) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  auto notfound = err(Code::InvalidParameterValue,
                      "Value " + label + " for parameter Label is invalid. Reason: can't find label.");
  auto it = q->stored.find("Policy");
  if (it == q->stored.end()) return notfound;
  auto pol = nlohmann::ordered_json::parse(it->second, nullptr, false);
  if (!pol.is_object() || !pol.contains("Statement") || !pol["Statement"].is_array()) return notfound;
  auto& sts = pol["Statement"];
  bool found = false;
  for (size_t i = 0; i < sts.size(); ++i)
    if (sts[i].is_object() && sts[i].value("Sid", "") == label) {
      sts.erase(i);
      found = true;
      break;
    }
  if (!found) return notfound;
  if (sts.empty())
    q->stored.erase("Policy");
  else
    q->stored["Policy"] = pol.dump();
  q->modified_s = clock_.now_ms() / 1000;
  I.persist_queue(*q);
  return I.last_token;
}

// ---------------- messages ----------------

Result<std::vector<Result<SendResult>>> Engine::send(const std::string& name, std::vector<SendEntry> entries,
                                                     Token& token) {
  return send(name, std::move(entries), token, {});
}

Result<std::vector<Result<SendResult>>> Engine::send(const std::string& name, std::vector<SendEntry> entries,
                                                     Token& token, std::vector<StoreOp> also) {
  auto& I = *impl_;
  std::vector<StoreOp> together;
  Deferred d;
  std::vector<Result<SendResult>> results;
  results.reserve(entries.size());
  {
    std::lock_guard lk(I.mu);
    QueueState* qp = I.find(name);
    if (!qp) return Impl::no_queue();
    QueueState& q = *qp;
    const int64_t now = clock_.now_ms();
    I.tick_queue(q, now, d);
    token = 0;
    bool seq_used = false;
    if (!also.empty()) I.gather = &together;
    for (auto& e : entries) {
      int64_t size = message_size(e.body, e.attrs);
      if (size > q.settings.max_message_size) {
        results.push_back(err(Code::InvalidParameterValue,
                              "One or more parameters are invalid. Reason: Message must be shorter than " +
                                  std::to_string(q.settings.max_message_size) + " bytes."));
        continue;
      }
      Message m;
      if (q.fifo) {
        if (e.group_id.empty()) {
          results.push_back(err(e.in_batch ? Code::InvalidParameterValue : Code::MissingParameter,
                                "The request must contain the parameter MessageGroupId."));
          continue;
        }
        if (e.delay_seconds && *e.delay_seconds != 0) {
          results.push_back(err(Code::InvalidParameterValue,
                                "Value " + std::to_string(*e.delay_seconds) +
                                    " for parameter DelaySeconds is invalid. Reason: The request include parameter "
                                    "that is not valid for this queue type."));
          continue;
        }
        std::string dedup = e.dedup_id;
        if (dedup.empty()) {
          if (!q.settings.content_based_dedup) {
            results.push_back(err(Code::InvalidParameterValue,
                                  "The queue should either have ContentBasedDeduplication enabled or "
                                  "MessageDeduplicationId provided explicitly"));
            continue;
          }
          dedup = sha256_hex(e.body);
        }
        std::string key = q.settings.dedup_scope_group ? e.group_id + '\n' + dedup : dedup;
        auto it = q.dedup.find(key);
        if (it != q.dedup.end() && it->second.expires_ms > now) {
          q.deduplicated++;
          results.push_back(SendResult{it->second.message_id, format_seq(it->second.seq)});
          continue;
        }
        m.seq = q.next_seq++;
        seq_used = true;
        m.dedup_id = dedup;
        m.message_id = uuid_v4();
        DedupEntry de{m.message_id, m.seq, now + kDedupWindowMs};
        q.dedup[key] = de;
        q.dedup_expiry.push_back({de.expires_ms, key});
        I.append(op::PutDedup{DedupRow{q.id, key, de.message_id, de.seq, de.expires_ms}});
      } else {
        if (!e.dedup_id.empty()) {
          results.push_back(err(Code::InvalidParameterValue,
                                "Value " + e.dedup_id +
                                    " for parameter MessageDeduplicationId is invalid. Reason: The request includes a "
                                    "parameter that is not valid for this queue type."));
          continue;
        }
        m.message_id = uuid_v4();
      }
      int delay = q.fifo ? q.settings.delay_seconds : e.delay_seconds.value_or(q.settings.delay_seconds);
      m.id = I.next_msg_id++;
      m.queue_id = q.id;
      m.body = std::move(e.body);
      m.attrs = std::move(e.attrs);
      m.sent_ms = now;
      m.visible_at_ms = now + int64_t(delay) * 1000;
      m.group_id = std::move(e.group_id);
      m.trace_header = std::move(e.trace_header);
      m.sender_id = std::move(e.sender_id);
      SendResult r{m.message_id, m.seq ? format_seq(m.seq) : std::string()};
      I.append(op::PutMessage{m});
      if (delay > 0) I.note_deadline(m.visible_at_ms, now);
      I.add_message(q, std::move(m), delay > 0 ? MsgState::Delayed : MsgState::Visible);
      q.sent++;
      q.count_sent_size(size);
      results.push_back(std::move(r));
    }
    if (seq_used) I.append(op::PutMeta{"seq:" + std::to_string(q.id), std::to_string(q.next_seq)});
    if (I.gather) {
      I.gather = nullptr;
      bool sent_any = false;
      for (auto& r : results) sent_any = sent_any || r.ok();
      if (sent_any)
        for (auto& o : also) together.push_back(std::move(o));
      if (Token t = committer_.append_all(std::move(together))) I.last_token = t;
    }
    token = I.last_token;
    I.serve_waiters(q, now, d);
    I.flush_wakeup(d);
  }
  d.run();
  return results;
}

void Engine::receive(const std::string& name, const ReceiveOptions& opts, ReceiveDone done) {
  auto& I = *impl_;
  Deferred d;
  {
    std::lock_guard lk(I.mu);
    QueueState* qp = I.find(name);
    if (!qp) {
      d.add([done = std::move(done)] { done(Impl::no_queue()); });
    } else {
      QueueState& q = *qp;
      const int64_t now = clock_.now_ms();
      I.tick_queue(q, now, d);
      int vis = opts.visibility.value_or(q.settings.visibility_timeout);
      int wait = opts.wait_seconds.value_or(q.settings.receive_wait_seconds);
      uint32_t slot = I.consumer_slot(opts.consumer);
      if (slot) {
        auto& c = I.consumers[slot].info;
        if (c.first_receive_ms == 0) c.first_receive_ms = now;
      }
      if (slot && I.consumers[slot].info.draining) {
        // A draining task takes no new work and does not wait (autoscaling.md §5.3).
        q.empty_receives++;
        d.add([done = std::move(done)] { done(std::vector<Delivered>{}); });
      } else if (!opts.attempt_id.empty() && !q.fifo) {
        d.add([done = std::move(done), id = opts.attempt_id] {
          done(err(Code::InvalidParameterValue,
                   "Value " + id +
                       " for parameter ReceiveRequestAttemptId is invalid. Reason: The request include parameter that "
                       "is not valid for this queue type."));
        });
      } else {
        bool replayed = false;
        if (!opts.attempt_id.empty()) {
          // FIFO receive retry: same messages and handles while none of them changed.
          for (auto it = q.attempts.begin(); it != q.attempts.end();)
            it = it->second.expires_ms <= now ? q.attempts.erase(it) : std::next(it);
          auto it = q.attempts.find(opts.attempt_id);
          if (it != q.attempts.end()) {
            bool intact = true;
            for (size_t i = 0; i < it->second.grants.size(); ++i) {
              auto mi = q.msgs.find(it->second.grants[i].first);
              if (mi == q.msgs.end() || mi->second.m.grant != it->second.grants[i].second ||
                  mi->second.state != MsgState::InFlight || mi->second.m.visible_at_ms != it->second.deadlines[i]) {
                intact = false;
                break;
              }
            }
            if (intact) {
              std::vector<Delivered> out;
              for (size_t i = 0; i < it->second.grants.size(); ++i) {
                Msg& x = q.msgs.at(it->second.grants[i].first);
                I.unlink_state(q, x);
                x.m.visible_at_ms = now + int64_t(vis) * 1000;
                I.link_state(q, x);
                it->second.deadlines[i] = x.m.visible_at_ms;
                I.append(op::UpdateMessage{x.m.id, x.m.visible_at_ms, true, x.m.receive_count,
                                           x.m.first_receive_ms, x.m.delivered_ms, x.m.grant});
                out.push_back(I.deliver_copy(q, x, true));
              }
              replayed = true;
              I.answer(std::move(out), I.last_token, std::move(done), d);
            } else {
              q.attempts.erase(it);
            }
          }
        }
        if (!replayed) {
          if (q.inflight.size() >= cfg_.max_inflight_per_queue && wait == 0) {
            d.add([done = std::move(done)] {
              done(err(Code::OverLimit, "Too many messages in flight for this queue."));
            });
          } else {
            I.granting = slot;
            auto got = I.try_receive(q, opts.max_messages, vis, now, d);
            I.granting = 0;
            if (!got.empty() && !opts.attempt_id.empty()) {
              AttemptEntry ae;
              ae.expires_ms = now + kDedupWindowMs;
              for (auto& g : got) {
                auto f = I.codec->decode(g.receipt_handle);
                ae.grants.push_back({f->message_id, f->grant});
                ae.deadlines.push_back(q.msgs.at(f->message_id).m.visible_at_ms);
              }
              q.attempts[opts.attempt_id] = std::move(ae);
            }
            if (!got.empty() || wait == 0 || I.parked >= cfg_.max_long_polls) {
              if (got.empty()) q.empty_receives++;
              I.answer(std::move(got), I.last_token, std::move(done), d);
            } else {
              auto w = std::make_shared<Waiter>();
              w->opts = opts;
              w->opts.visibility = vis;
              w->done = std::move(done);
              w->deadline = clock_.mono_now() + std::chrono::seconds(wait);
              q.waiters.push_back(w);
              I.parked++;
              if (w->deadline < I.announced) {
                I.announced = w->deadline;
                I.pending_wakeup = true;
              }
            }
          }
        }
      }
    }
    I.flush_wakeup(d);
  }
  d.run();
}

Result<std::vector<Status>> Engine::delete_messages(const std::string& name, const std::vector<std::string>& handles,
                                                    Token& token) {
  auto& I = *impl_;
  Deferred d;
  std::vector<Status> out;
  out.reserve(handles.size());
  {
    std::lock_guard lk(I.mu);
    QueueState* qp = I.find(name);
    if (!qp) return Impl::no_queue();
    QueueState& q = *qp;
    const int64_t now = clock_.now_ms();
    I.tick_queue(q, now, d);
    token = 0;
    for (auto& h : handles) {
      auto r = I.resolve_handle(q, h);
      if (r.error) {
        out.push_back(std::move(*r.error));
        continue;
      }
      // Gone (already deleted, dead-lettered, expired or purged) and superseded handles:
      // 200 with no effect (reliability.md P-Q2); a superseded one is counted and logged
      // (ebb_stale_receipt_total, §2.2).
      if (r.state != Impl::HandleState::Current) {
        if (r.state == Impl::HandleState::Superseded) {
          q.stale_receipts++;
          if (I.stale_receipt) d.add([f = I.stale_receipt, n = q.name] { f(n); });
        }
        out.push_back(Status{});
        continue;
      }
      Msg& x = *r.msg;
      int64_t id = x.m.id;
      I.remove_message(q, x);
      I.append(op::DeleteMessage{id});
      q.deleted++;
      out.push_back(Status{});
    }
    token = I.last_token;
    if (q.fifo) I.serve_waiters(q, now, d);
    I.flush_wakeup(d);
  }
  d.run();
  return out;
}

Result<std::vector<Status>> Engine::change_visibility(const std::string& name,
                                                      const std::vector<std::pair<std::string, int>>& entries,
                                                      Token& token) {
  auto& I = *impl_;
  Deferred d;
  std::vector<Status> out;
  {
    std::lock_guard lk(I.mu);
    QueueState* qp = I.find(name);
    if (!qp) return Impl::no_queue();
    QueueState& q = *qp;
    const int64_t now = clock_.now_ms();
    I.tick_queue(q, now, d);
    token = 0;
    for (auto& [h, t] : entries) {
      auto r = I.resolve_handle(q, h);
      if (r.error) {
        out.push_back(std::move(*r.error));
        continue;
      }
      if (r.state != Impl::HandleState::Current) {
        out.push_back(err(Code::InvalidParameterValue,
                          "Value " + h +
                              " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
                              "available for visibility timeout change."));
        continue;
      }
      Msg& x = *r.msg;
      int64_t deadline = now + int64_t(t) * 1000;
      if (deadline - x.m.delivered_ms > kMaxLeaseMs) {
        out.push_back(err(Code::InvalidParameterValue,
                          "Value " + std::to_string(t) +
                              " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the "
                              "message is beyond the limit [43200 seconds]"));
        continue;
      }
      I.unlink_state(q, x);
      x.m.visible_at_ms = deadline;
      x.m.leased = t > 0;
      x.state = t > 0 ? MsgState::InFlight : MsgState::Visible;
      I.link_state(q, x);
      I.append(op::UpdateMessage{x.m.id, x.m.visible_at_ms, x.m.leased, x.m.receive_count, x.m.first_receive_ms,
                                 x.m.delivered_ms, x.m.grant});
      if (t > 0) I.note_deadline(deadline, now);
      out.push_back(Status{});
    }
    token = I.last_token;
    I.serve_waiters(q, now, d);
    I.flush_wakeup(d);
  }
  d.run();
  return out;
}

Result<std::vector<Delivered>> Engine::peek(const std::string& name, int max) const {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  QueueState* q = I.find(name);
  if (!q) return Impl::no_queue();
  std::vector<Delivered> out;
  for (auto& [sent, id] : q->by_sent) {
    if (int(out.size()) >= max) break;
    out.push_back(I.deliver_copy(*q, q->msgs.at(id), false));
  }
  return out;
}

// ---------------- move tasks ----------------

Result<std::string> Engine::start_move_task(const std::string& source_arn, const std::string& dest_arn,
                                            std::optional<int> rate, Token& token) {
  auto& I = *impl_;
  Deferred d;
  std::string handle;
  {
    std::lock_guard lk(I.mu);
    token = 0;
    bool foreign = false;
    auto sn = arn_queue_name(source_arn, cfg_.account, &foreign);
    if (!sn)
      return Impl::arn_format("SourceArn");
    QueueState* src = foreign ? nullptr : I.find(*sn);
    if (!src)
      return err(Code::ResourceNotFound, "The resource that you specified for the SourceArn parameter doesn't exist.");
    bool is_dlq = false;
    for (auto& [n, q] : I.queues)
      if (q->settings.redrive && q->settings.redrive->dlq_name == src->name) is_dlq = true;
    if (!is_dlq) return err(Code::InvalidParameterValue, "Source queue must be configured as a Dead Letter Queue.");
    if (!dest_arn.empty()) {
      auto dn = arn_queue_name(dest_arn, cfg_.account, &foreign);
      if (!dn)
        return Impl::arn_format("DestinationArn");
      QueueState* dst = foreign ? nullptr : I.find(*dn);
      if (!dst)
        return err(Code::ResourceNotFound,
                   "The resource that you specified for the DestinationArn parameter doesn't exist.");
      if (src->fifo && !dst->fifo)
        return err(Code::InvalidParameterValue, "The destination queue must be a FIFO queue when the source is.");
    }
    for (auto& t : I.tasks)
      if (t->row.source_arn == I.arn(src->name) && (t->row.status == "RUNNING" || t->row.status == "CANCELLING"))
        return err(Code::InvalidParameterValue,
                   "There is already a task running. Only one active task is allowed for a source queue arn at a "
                   "given time.");
    auto t = std::make_unique<MoveTask>();
    t->row.task_id = uuid_v4();
    t->row.source_arn = I.arn(src->name);
    t->row.dest_arn = dest_arn;
    t->row.rate = rate.value_or(0);
    t->row.status = "RUNNING";
    t->row.to_move = int64_t(src->msgs.size());
    t->row.started_ms = clock_.now_ms();
    handle = Impl::task_handle(t->row);
    I.persist_task(*t);
    I.tasks.push_back(std::move(t));
    I.trim_tasks(I.arn(src->name));
    token = I.last_token;
    I.announced = clock_.mono_now();
    I.pending_wakeup = true;
    I.flush_wakeup(d);
  }
  d.run();
  return handle;
}

Result<std::vector<MoveTaskInfo>> Engine::list_move_tasks(const std::string& source_arn, int max) const {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  bool foreign = false;
  auto sn = arn_queue_name(source_arn, cfg_.account, &foreign);
  if (!sn)
    return Impl::arn_format("SourceArn");
  QueueState* src = foreign ? nullptr : I.find(*sn);
  if (!src)
    return err(Code::ResourceNotFound, "The resource that you specified for the SourceArn parameter doesn't exist.");
  std::vector<const MoveTask*> of;
  for (auto& t : I.tasks)
    if (t->row.source_arn == I.arn(src->name)) of.push_back(t.get());
  std::stable_sort(of.begin(), of.end(), [](auto* a, auto* b) { return a->row.started_ms > b->row.started_ms; });
  std::vector<MoveTaskInfo> out;
  for (auto* t : of) {
    if (int(out.size()) >= max) break;
    MoveTaskInfo i;
    i.status = t->row.status;
    i.source_arn = t->row.source_arn;
    i.dest_arn = t->row.dest_arn;
    i.rate = t->row.rate;
    i.moved = t->row.moved;
    i.to_move = t->row.to_move;
    i.started_ms = t->row.started_ms;
    i.failure_reason = t->row.failure_reason;
    if (t->row.status == "RUNNING") i.task_handle = Impl::task_handle(t->row);
    out.push_back(std::move(i));
  }
  return out;
}

Result<int64_t> Engine::cancel_move_task(const std::string& task_handle, Token& token) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  token = 0;
  auto bad = err(Code::InvalidParameterValue, "Value for parameter TaskHandle is invalid.");
  auto raw = base64_decode(task_handle);
  if (!raw) return bad;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || !j.contains("taskId") || !j.contains("sourceArn") || !j["taskId"].is_string() ||
      !j["sourceArn"].is_string())
    return bad;
  std::string source = j["sourceArn"].get<std::string>();
  bool foreign = false;
  auto sn = arn_queue_name(source, cfg_.account, &foreign);
  if (!sn || foreign || !I.find(*sn))
    return err(Code::ResourceNotFound, "The resource that you specified for the SourceArn parameter doesn't exist.");
  for (auto& t : I.tasks) {
    if (t->row.task_id != j["taskId"].get<std::string>()) continue;
    if (t->row.status != "RUNNING") break;
    t->row.status = "CANCELLING";
    I.persist_task(*t);
    token = I.last_token;
    return t->row.moved;
  }
  return err(Code::ResourceNotFound, "Task does not exist.");
}

// ---------------- observation ----------------

namespace {
QueueStats make_stats(const QueueState& q);
}

std::vector<QueueStats> Engine::stats() const {
  std::lock_guard lk(impl_->mu);
  std::vector<QueueStats> out;
  for (auto& [n, q] : impl_->queues) out.push_back(make_stats(*q));
  return out;
}

Result<QueueStats> Engine::stats(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  QueueState* q = impl_->find(name);
  if (!q) return Impl::no_queue();
  return make_stats(*q);
}

namespace {
QueueStats make_stats(const QueueState& q) {
  QueueStats s;
  s.name = q.name;
  s.fifo = q.fifo;
  s.visible = q.n_visible;
  s.inflight = int64_t(q.inflight.size());
  s.delayed = int64_t(q.delayed.size());
  s.oldest_sent_ms = q.by_sent.empty() ? 0 : q.by_sent.begin()->first;
  s.created_s = q.created_s;
  s.attributes = q.stored;
  s.tags = q.tags;
  if (q.settings.redrive) {
    s.dlq = q.settings.redrive->dlq_name;
    s.max_receive_count = q.settings.redrive->max_receive_count;
  }
  s.sent = q.sent;
  s.received = q.received;
  s.deleted = q.deleted;
  s.empty_receives = q.empty_receives;
  s.deduplicated = q.deduplicated;
  s.dead_lettered = q.dead_lettered;
  s.receive_waiters = int64_t(q.waiters.size());
  s.stale_receipts = q.stale_receipts;
  s.redriven = q.redriven;
  s.sent_sizes = q.sent_sizes;
  s.sent_size_sum = q.sent_size_sum;
  return s;
}
}  // namespace

// ---------------- time ----------------

MonoTime Engine::tick() {
  auto& I = *impl_;
  Deferred d;
  MonoTime next;
  {
    std::lock_guard lk(I.mu);
    const int64_t now = clock_.now_ms();
    const MonoTime mono = clock_.mono_now();
    next = mono + std::chrono::seconds(1);
    if (I.run_tasks(now, d)) next = std::min(next, mono + Millis(20));
    if (now - I.last_dedup_gc_ms > 60'000) {
      I.last_dedup_gc_ms = now;
      I.append(op::ExpireDedup{now});
    }
    auto at = [&](int64_t ms) { return mono + Millis(std::max<int64_t>(0, ms - now)); };
    for (auto& [n, qp] : I.queues) {
      QueueState& q = *qp;
      I.tick_queue(q, now, d);
      for (auto it = q.waiters.begin(); it != q.waiters.end();) {
        auto& w = *it;
        if (w->finished) {
          it = q.waiters.erase(it);
          continue;
        }
        if (w->deadline <= mono) {
          w->finished = true;
          I.parked--;
          q.empty_receives++;
          d.add([done = std::move(w->done)] { done(std::vector<Delivered>{}); });
          it = q.waiters.erase(it);
          continue;
        }
        next = std::min(next, w->deadline);
        ++it;
      }
      if (!q.delayed.empty()) next = std::min(next, at(q.delayed.begin()->first));
      if (!q.inflight.empty()) next = std::min(next, at(q.inflight.begin()->first));
      if (!q.by_sent.empty())
        next = std::min(next, at(q.by_sent.begin()->first + int64_t(q.settings.retention_seconds) * 1000));
    }
    I.announced = next;
    I.pending_wakeup = false;
    I.notify_counts(d);
  }
  d.run();
  return next;
}

// ---------------- consumers ----------------

void Engine::track_consumer(const std::string& consumer, bool on) {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  auto it = I.consumer_ids.find(consumer);
  if (on) {
    if (it != I.consumer_ids.end() || consumer.empty()) return;
    Impl::Consumer c;
    c.info.idle_since_ms = clock_.now_ms();
    I.consumers.push_back(std::move(c));
    I.consumer_ids.emplace(consumer, uint32_t(I.consumers.size() - 1));
  } else if (it != I.consumer_ids.end()) {
    // Messages still leased under the slot keep pointing at it; it just stops being visible.
    I.consumers[it->second].active = false;
    I.consumer_ids.erase(it);
  }
}

void Engine::set_consumer_draining(const std::string& consumer, bool draining) {
  if (consumer.empty()) return;
  track_consumer(consumer, true);
  auto& I = *impl_;
  Deferred d;
  {
    std::lock_guard lk(I.mu);
    I.consumers[I.consumer_ids.at(consumer)].info.draining = draining;
    if (draining) {
      // Parked long polls of a draining consumer end now, empty.
      for (auto& [n, q] : I.queues)
        for (auto& w : q->waiters) {
          if (w->finished || w->opts.consumer != consumer) continue;
          w->finished = true;
          I.parked--;
          d.add([done = std::move(w->done)] { done(std::vector<Delivered>{}); });
        }
    }
  }
  d.run();
}

std::optional<ConsumerLeases> Engine::consumer_leases(const std::string& consumer) const {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  uint32_t slot = I.consumer_slot(consumer);
  if (!slot) return std::nullopt;
  const auto& c = I.consumers[slot];
  ConsumerLeases out = c.info;
  out.soonest_deadline_ms = c.deadlines.empty() ? 0 : *c.deadlines.begin();
  out.latest_deadline_ms = c.deadlines.empty() ? 0 : *c.deadlines.rbegin();
  return out;
}

Result<QueueCounts> Engine::counts(const std::string& name) const {
  auto& I = *impl_;
  std::lock_guard lk(I.mu);
  auto it = I.queues.find(name);
  if (it == I.queues.end()) return Impl::no_queue();
  const QueueState& q = *it->second;
  QueueCounts c;
  c.visible = q.n_visible;
  c.inflight = int64_t(q.inflight.size());
  c.delayed = int64_t(q.delayed.size());
  c.fifo = q.fifo;
  if (q.fifo)
    for (auto& [gname, g] : q.groups)
      if (g.inflight > 0 || (!g.pending.empty() && q.msgs.at(g.pending.begin()->second).state == MsgState::Visible))
        c.active_groups++;
  return c;
}

void Engine::on_counts_changed(std::function<void()> f) {
  std::lock_guard lk(impl_->mu);
  impl_->counts_changed = std::move(f);
}

void Engine::on_stale_receipt(std::function<void(const std::string&)> f) {
  std::lock_guard lk(impl_->mu);
  impl_->stale_receipt = std::move(f);
}

void Engine::release_all_waiters() {
  auto& I = *impl_;
  Deferred d;
  {
    std::lock_guard lk(I.mu);
    for (auto& [n, q] : I.queues) {
      for (auto& w : q->waiters) {
        if (w->finished) continue;
        w->finished = true;
        I.parked--;
        d.add([done = std::move(w->done)] { done(std::vector<Delivered>{}); });
      }
      q->waiters.clear();
    }
  }
  d.run();
}

}  // namespace ebb
