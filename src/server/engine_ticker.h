// Engine timekeeping on an Asio timer (ARCHITECTURE.md: the server arms a timer for
// the instant the engine asks for). Capped at 1 s so a missed wake-up costs at most a
// second; Engine::on_wakeup brings the timer forward.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "queue/engine.h"

namespace ebb::server {

class EngineTicker {
 public:
  EngineTicker(boost::asio::io_context& ioc, Engine& engine);
  void start();
  void stop();  // no tick runs after the posted stop executes

 private:
  void run_now();
  void arm(MonoTime next);

  Engine& engine_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;  // strand-confined
};

}  // namespace ebb::server
