// ebb cost [--since 30d] [-o json|yaml|wide] [--no-headers] (ecosystem.md §3.2): what
// ran, what it would cost on Fargate, and what an always-on fleet would cost instead
// (GET /api/v1/cost; docs/cost.md explains the model).
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "cli/human_format.h"
#include "cli/table.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

using nlohmann::json;

bool valid_since(const std::string& s) {
  if (s.size() < 2 || s.size() > 12) return false;
  if (std::string("smhdw").find(s.back()) == std::string::npos) return false;
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// Money with 4 decimals (ecosystem.md §3.2).
std::string usd(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", v);
  return buf;
}

double num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string seconds_text(double s) {
  if (s <= 0) return "0s";
  if (s < 60) return decimal_text(s) + "s";
  return human_duration(std::chrono::seconds(static_cast<int64_t>(s)));
}

}  // namespace

int run_cost(ApiClient& api, const CostOptions& o) {
  if (!valid_since(o.since))
    return report(usage_error("--since \"" + o.since + "\" is not a duration", "use a number and s, m, h, d or w: --since 30d"));
  Outcome<json> r = api.get("/api/v1/cost?since=" + api.escape(o.since));
  if (!r.ok()) return report(r.error());
  const json& rep = *r;
  if (o.output == "json" || o.output == "yaml") {
    std::fputs(o.output == "json" ? (dump_json(rep, 2) + "\n").c_str() : to_yaml(rep).c_str(), stdout);
    return kExitOk;
  }
  const bool wide = o.output == "wide";
  std::vector<std::string> headers = {"KIND", "NAME", "TASKS", "RUNNING", "RUN-TIME", "VCPU-S", "GB-S", "FARGATE", "ALWAYS-ON"};
  if (wide) {
    for (const char* h : {"FAILED", "BILLED", "CPU-USED", "PEAK-MEM", "SIZE"}) headers.push_back(h);
  }
  Table t(headers);
  const json items = rep.value("items", json::array());
  for (const json& it : items) {
    std::vector<std::string> row = {it.value("kind", ""),
                                    it.value("name", ""),
                                    std::to_string(it.value("tasks", int64_t{0})),
                                    std::to_string(it.value("runningTasks", int64_t{0})),
                                    seconds_text(num(it, "runSeconds")),
                                    decimal_text(num(it, "vcpuSeconds")),
                                    decimal_text(num(it, "gbSeconds")),
                                    usd(num(it, "fargateUsd")),
                                    usd(it.contains("alwaysOn") ? num(it["alwaysOn"], "usd") : 0.0)};
    if (wide) {
      const json size = it.value("fargateSize", json::object());
      row.push_back(std::to_string(it.value("failedTasks", int64_t{0})));
      row.push_back(seconds_text(num(it, "billedSeconds")));
      row.push_back(decimal_text(num(it, "cpuUsedSeconds")) + "s");
      row.push_back(human_bytes_rounded(it.value("peakMemoryBytes", int64_t{0})));
      row.push_back(decimal_text(num(size, "vcpu")) + "vCPU/" + decimal_text(num(size, "gb")) + "GB");
    }
    t.add_row(std::move(row));
  }
  if (items.empty() && !o.no_headers) {
    std::fprintf(stderr, "No tasks ran in the last %s.\n", o.since.c_str());
  } else {
    std::fputs(t.render(o.no_headers).c_str(), stdout);
  }
  if (o.no_headers) return kExitOk;
  const json totals = rep.value("totals", json::object());
  const json always = totals.value("alwaysOn", json::object());
  const json prices = rep.value("prices", json::object());
  const double fargate = num(totals, "fargateUsd"), on = num(always, "usd");
  std::printf("\nFargate-equivalent %s vs always-on %s (%lld × %s at %s/h, the peak concurrency) over %s",
              usd(fargate).c_str(), usd(on).c_str(), static_cast<long long>(num(always, "instances")),
              prices.value("instanceType", "instance").c_str(), usd(num(prices, "instanceHourUsd")).c_str(),
              seconds_text(num(rep.value("window", json::object()), "seconds")).c_str());
  if (on > 0) std::printf(": %s %.0f%%", fargate <= on ? "saves" : "costs more by", std::abs(on - fargate) / on * 100);
  std::printf("\nPrices: %s, $%.6g per vCPU-hour, $%.6g per GB-hour, per-second billing with a %llds minimum\n",
              prices.value("table", "").c_str(), num(prices, "vcpuHourUsd"), num(prices, "gbHourUsd"),
              static_cast<long long>(num(prices, "minimumBilledSeconds")));
  bool any_advice = false;
  for (const json& it : items)
    for (const json& a : it.value("advice", json::array())) {
      if (!any_advice) std::printf("\nRight-sizing:\n");
      any_advice = true;
      std::printf("  %s/%s: %s\n", it.value("kind", "").c_str(), it.value("name", "").c_str(),
                  a.get<std::string>().c_str());
    }
  return kExitOk;
}

}  // namespace ebb::cli
