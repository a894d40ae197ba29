// The cost model of issue 5 §5 as pure functions: what a task would cost on AWS
// Fargate (per-second billing, one-minute minimum, task sizes rounded up to a valid
// Fargate configuration) and what an always-on fleet sized for the peak would cost.
// No clock, no I/O. docs/cost.md explains the model and its assumptions.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ebb::obs {

struct PriceTable {
  std::string name = "fargate-linux-x86";  // preset the table started from
  double vcpu_hour = 0.04048;              // USD per vCPU-hour (Fargate Linux/x86, us-east-1, as the seed quotes)
  double gb_hour = 0.004445;               // USD per GB-hour
  int64_t minimum_seconds = 60;            // Fargate bills at least one minute per task
  double instance_hour = 0.0208;           // always-on alternative: one instance per concurrent task
  std::string instance_type = "t3.small";  // (t3.small on-demand, us-east-1: $15.18 per 730-hour month)
};

// Presets: fargate-linux-x86 (default), fargate-linux-arm, fargate-spot-linux-x86,
// fargate-spot-linux-arm. Spot prices move; the presets assume the 70 % discount the
// seed article quotes ("Fargate Spot can save up to 70%").
Result<PriceTable> price_preset(const std::string& name);
std::vector<std::string> price_preset_names();

// A Fargate task size: vCPU and GB (2^30 bytes).
struct TaskSize {
  double vcpu = 0;
  double gb = 0;
};

// The template's reservation as asked (0 = not given).
TaskSize reserved_size(int64_t cpu_millis, int64_t memory_bytes);
// The smallest valid Fargate configuration holding the reservation (an absent cpu or
// memory takes the smallest value Fargate allows): 0.25 vCPU with 0.5/1/2 GB; 0.5 vCPU
// with 1–4 GB; 1 vCPU 2–8 GB; 2 vCPU 4–16 GB; 4 vCPU 8–30 GB (1 GB steps); 8 vCPU
// 16–60 GB (4 GB steps); 16 vCPU 32–120 GB (8 GB steps). Larger asks are priced as asked.
TaskSize fargate_size(int64_t cpu_millis, int64_t memory_bytes);

// USD per task-hour of a size: vcpu × vcpu_hour + gb × gb_hour.
double hourly_price(const PriceTable& p, TaskSize s);
// Seconds Fargate bills for a run: whole seconds rounded up, at least minimum_seconds.
// A task that never ran (run_seconds <= 0) bills nothing.
double billed_seconds(const PriceTable& p, double run_seconds);
// USD for one run of a size.
double task_cost(const PriceTable& p, TaskSize s, double run_seconds);
// USD for `instances` always-on instances over `seconds`.
double always_on_cost(const PriceTable& p, int64_t instances, double seconds);

}  // namespace ebb::obs

namespace ebb::obs {

// `--since` / `?since=`: a positive whole number with a unit s, m, h, d or w
// ("30d", "12h"); at most 400 days. Returns milliseconds.
Result<int64_t> parse_since(std::string_view text);

}  // namespace ebb::obs
