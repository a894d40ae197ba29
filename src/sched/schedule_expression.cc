// Production SlotsFactory: sched::Expression (and Zone) as a SlotSeries.
#include "sched/expression.h"
#include "sched/schedule_seams.h"

namespace ebb::sched {

namespace {

class ExpressionSeries final : public SlotSeries {
 public:
  explicit ExpressionSeries(Expression e) : e_(std::move(e)) {}
  std::optional<int64_t> next_after(int64_t after_ms) const override { return e_.next_after(after_ms); }

 private:
  Expression e_;
};

}  // namespace

SlotsFactory expression_slots() {
  return [](const std::string& text, Dialect d, const std::string& zone, int64_t anchor_ms,
            bool allow_past) -> Result<std::shared_ptr<const SlotSeries>> {
    Result<Zone> z = Zone::find(zone);
    if (!z) return z.error();
    Result<Expression> e = Expression::parse(text, d, *z, anchor_ms, allow_past);
    if (!e) return e.error();
    return std::shared_ptr<const SlotSeries>(std::make_shared<ExpressionSeries>(std::move(*e)));
  };
}

}  // namespace ebb::sched
