#include "cli/watch.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cli/table.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

class Printer {
 public:
  explicit Printer(const WatchRequest& w) : w_(w), table_(w.output.empty() || w.output == "wide") {
    headers_ = w.kind->headers;
    if (w.output == "wide") headers_.insert(headers_.end(), w.kind->wide_headers.begin(), w.kind->wide_headers.end());
    widths_ = Table(headers_).widths(w.no_headers);
  }

  // The first listing: a table with its header, or one event per object.
  void initial(const std::vector<nlohmann::json>& objects) {
    if (!table_) {
      for (const auto& o : objects) change("ADDED", o);
      return;
    }
    if (objects.empty()) return;
    Table t(headers_);
    const TimePoint now = std::chrono::system_clock::now();
    for (const auto& o : objects) t.add_row(w_.kind->row(o, w_.output == "wide", now));
    widths_ = t.widths(w_.no_headers);
    std::fputs(t.render(w_.no_headers).c_str(), stdout);
    header_done_ = true;
  }

  void change(const char* type, const nlohmann::json& object) {
    if (table_) {
      if (!header_done_ && !w_.no_headers) std::fputs(Table::render_line(headers_, widths_).c_str(), stdout);
      header_done_ = true;
      std::fputs(Table::render_line(w_.kind->row(object, w_.output == "wide", std::chrono::system_clock::now()), widths_).c_str(),
                 stdout);
      return;
    }
    if (w_.output == "name") {
      std::printf("%s/%s\n", w_.kind->singular.c_str(), object_name(object).c_str());
      return;
    }
    nlohmann::json event = {{"type", type}, {"object", object}};
    if (w_.output == "yaml") std::fputs(("---\n" + to_yaml(event)).c_str(), stdout);
    else std::fputs((dump_json(event) + "\n").c_str(), stdout);
  }

  // What must differ for a row to be printed again: the printed columns (wide ones for
  // json, yaml and name) without the clock columns.
  std::string key(const nlohmann::json& object) const {
    const bool wide = !table_ || w_.output == "wide";
    std::vector<std::string> headers = w_.kind->headers;
    if (wide) headers.insert(headers.end(), w_.kind->wide_headers.begin(), w_.kind->wide_headers.end());
    std::vector<std::string> row = w_.kind->row(object, wide, std::chrono::system_clock::now());
    std::string k;
    for (size_t i = 0; i < row.size() && i < headers.size(); ++i) {
      const auto& clock = w_.kind->clock_columns;
      if (std::find(clock.begin(), clock.end(), headers[i]) != clock.end()) continue;
      k += row[i];
      k += '\x1f';
    }
    return k;
  }

 private:
  const WatchRequest& w_;
  bool table_;
  std::vector<std::string> headers_;
  std::vector<std::size_t> widths_;
  bool header_done_ = false;
};

struct Seen {
  std::string key;
  nlohmann::json object;
};

}  // namespace

int run_watch(ApiClient& api, const WatchRequest& w, const std::vector<nlohmann::json>& initial, PollLoop& loop) {
  Printer printer(w);
  std::map<std::string, Seen> seen;
  for (const auto& o : initial) seen[object_name(o)] = Seen{printer.key(o), o};
  if (!w.watch_only) printer.initial(initial);
  std::fflush(stdout);

  while (loop.pause(std::chrono::seconds(1))) {
    Outcome<Fetched> f = fetch_objects(api, *w.kind, w.names, w.list_query);
    if (!f.ok()) {
      std::fflush(stdout);
      return loop.done() ? kExitOk : report(f.error());  // Ctrl-C may cut a request short
    }
    if (!f->refused.empty()) {  // a refusal other than NotFound; a missing name reads as deleted
      std::fflush(stdout);
      return report(f->refused.front());
    }
    std::set<std::string> present;
    for (const auto& o : f->objects) {
      const std::string name = object_name(o);
      present.insert(name);
      std::string k = printer.key(o);
      auto it = seen.find(name);
      if (it == seen.end()) {
        printer.change("ADDED", o);
        seen[name] = Seen{std::move(k), o};
      } else if (it->second.key != k) {
        printer.change("MODIFIED", o);
        it->second = Seen{std::move(k), o};
      }
    }
    for (auto it = seen.begin(); it != seen.end();) {
      if (present.count(it->first)) {
        ++it;
        continue;
      }
      // Gone from the list. Finished tasks leave the default task list but can still
      // be read one by one: show their last state.
      nlohmann::json last = it->second.object;
      bool exists = false;
      if (w.names.empty()) {
        Outcome<nlohmann::json> one = api.get(object_path(api, *w.kind, it->first));
        if (one.ok()) {
          last = *one;
          exists = true;
        }
      }
      const bool table = w.output.empty() || w.output == "wide";
      if (!table) printer.change("DELETED", last);
      else if (exists && printer.key(last) != it->second.key) printer.change("MODIFIED", last);
      it = seen.erase(it);
    }
    std::fflush(stdout);
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace ebb::cli
