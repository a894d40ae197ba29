// Timekeeping for the parts that "return when they next need to run" (the queue
// engine, the service controller): an Asio timer armed for the instant tick() asks
// for, capped so a missed wake-up costs at most `cap`; the part's on_wakeup hook
// brings the timer forward (ARCHITECTURE.md: controllers never sleep).
#pragma once
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "clock/clock.h"

namespace ebb::server {

class Ticker {
 public:
  using Tick = std::function<MonoTime()>;
  using SetWakeup = std::function<void(std::function<void()>)>;
  Ticker(boost::asio::io_context& ioc, Tick tick, SetWakeup set_wakeup, Millis cap);
  void start();
  void stop();  // no tick runs after the posted stop executes

 private:
  void run_now();
  void arm(MonoTime next);

  Tick tick_;
  SetWakeup set_wakeup_;
  Millis cap_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;  // strand-confined
};

}  // namespace ebb::server
