#include "obs/cost_model.h"

#include <algorithm>
#include <cmath>

namespace ebb::obs {

Result<PriceTable> price_preset(const std::string& name) {
  PriceTable p;
  p.name = name;
  if (name == "fargate-linux-x86") return p;
  if (name == "fargate-linux-arm") {
    p.vcpu_hour = 0.03238;
    p.gb_hour = 0.00356;
    p.instance_hour = 0.0168;  // t4g.small on-demand, us-east-1
    p.instance_type = "t4g.small";
    return p;
  }
  if (name == "fargate-spot-linux-x86" || name == "fargate-spot-linux-arm") {
    auto base = price_preset(name == "fargate-spot-linux-x86" ? "fargate-linux-x86" : "fargate-linux-arm");
    p = *base;
    p.name = name;
    p.vcpu_hour *= 0.3;
    p.gb_hour *= 0.3;
    return p;
  }
  std::string names;
  for (auto& n : price_preset_names()) names += (names.empty() ? "" : ", ") + n;
  return err(Code::Invalid, "unknown price table \"" + name + "\" (known: " + names + ")");
}

std::vector<std::string> price_preset_names() {
  return {"fargate-linux-x86", "fargate-linux-arm", "fargate-spot-linux-x86", "fargate-spot-linux-arm"};
}

TaskSize reserved_size(int64_t cpu_millis, int64_t memory_bytes) {
  return {static_cast<double>(cpu_millis) / 1000.0, static_cast<double>(memory_bytes) / double(1LL << 30)};
}

TaskSize fargate_size(int64_t cpu_millis, int64_t memory_bytes) {
  const TaskSize want = reserved_size(std::max<int64_t>(cpu_millis, 0), std::max<int64_t>(memory_bytes, 0));
  struct Row {
    double vcpu, min_gb, max_gb, step_gb;
  };
  static constexpr Row kRows[] = {
      {0.25, 0.5, 2, 0}, {0.5, 1, 4, 1}, {1, 2, 8, 1}, {2, 4, 16, 1}, {4, 8, 30, 1}, {8, 16, 60, 4}, {16, 32, 120, 8},
  };
  constexpr double eps = 1e-12;  // well below one byte (9.3e-10 GB)
  for (const Row& r : kRows) {
    if (want.vcpu > r.vcpu + eps || want.gb > r.max_gb + eps) continue;
    double gb = std::max(want.gb, r.min_gb);
    if (r.step_gb == 0) {  // 0.25 vCPU: 0.5, 1 or 2 GB
      gb = gb <= 0.5 + eps ? 0.5 : gb <= 1 + eps ? 1 : 2;
    } else {
      gb = r.min_gb + std::ceil((gb - r.min_gb) / r.step_gb - eps) * r.step_gb;
    }
    return {r.vcpu, gb};
  }
  return want;  // beyond Fargate's largest task: priced as asked
}

double hourly_price(const PriceTable& p, TaskSize s) { return s.vcpu * p.vcpu_hour + s.gb * p.gb_hour; }

double billed_seconds(const PriceTable& p, double run_seconds) {
  if (!(run_seconds > 0)) return 0;
  return std::max(std::ceil(run_seconds - 1e-9), static_cast<double>(p.minimum_seconds));
}

double task_cost(const PriceTable& p, TaskSize s, double run_seconds) {
  return billed_seconds(p, run_seconds) / 3600.0 * hourly_price(p, s);
}

double always_on_cost(const PriceTable& p, int64_t instances, double seconds) {
  return static_cast<double>(std::max<int64_t>(instances, 0)) * p.instance_hour * std::max(seconds, 0.0) / 3600.0;
}

}  // namespace ebb::obs

namespace ebb::obs {

Result<int64_t> parse_since(std::string_view text) {
  auto bad = [&] {
    return err(Code::Invalid, "since: \"" + std::string(text.substr(0, 40)) +
                                  "\" is not a duration like 30d, 12h, 90m, 3600s or 2w");
  };
  if (text.size() < 2 || text.size() > 12) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1'000; break;
    case 'm': unit = 60'000; break;
    case 'h': unit = 3'600'000; break;
    case 'd': unit = 86'400'000; break;
    case 'w': unit = 7 * 86'400'000LL; break;
    default: return bad();
  }
  int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + (c - '0');
    if (n > 1'000'000'000) return bad();
  }
  if (n == 0) return err(Code::Invalid, "since: must be more than zero");
  const int64_t ms = n * unit;
  if (ms > 400 * 86'400'000LL) return err(Code::Invalid, "since: at most 400d");
  return ms;
}

}  // namespace ebb::obs
