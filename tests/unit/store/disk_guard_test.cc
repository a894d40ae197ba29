// DiskGuard (reliability.md P-D5) with a scripted free-space probe and a FakeClock:
// the watermark, the re-check interval, releasing the reserve file when the volume is
// low, the hysteresis before sends resume, and recreating the reserve.
#include "store/disk_guard.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/fake_clock.h"
#include "temp_dir.h"

namespace ebb {
namespace {

constexpr int64_t MiB = 1 << 20;

struct Volume {
  int64_t free = 10'000 * MiB, total = 100'000 * MiB;
  int reads = 0;
  bool fail = false;
};

class DiskGuardTest : public ::testing::Test {
 protected:
  DiskGuard make(int64_t min_free, int64_t reserve) {
    return DiskGuard(clock_, DiskGuardConfig{dir_.path(), min_free, reserve, Millis(250)},
                     [this](const std::string&, DiskSpace& out) {
                       vol_.reads++;
                       if (vol_.fail) return false;
                       out.free_bytes = vol_.free;
                       out.total_bytes = vol_.total;
                       return true;
                     });
  }
  int64_t reserve_size() {
    struct stat st;
    return ::stat(dir_.file("ebb.reserve").c_str(), &st) == 0 ? st.st_size : -1;
  }
  FakeClock clock_;
  test::TempDir dir_;
  Volume vol_;
};

TEST_F(DiskGuardTest, DefaultWatermarkIsFivePercentCappedAtOneGiB) {
  vol_.total = 1000 * MiB;
  auto small = make(-1, 0);
  small.start();
  EXPECT_EQ(small.watermark_bytes(), 50 * MiB);
  vol_.total = 1'000'000 * MiB;
  auto big = make(-1, 0);
  big.start();
  EXPECT_EQ(big.watermark_bytes(), 1024 * MiB);
}

TEST_F(DiskGuardTest, StartCreatesTheReserveWhenThereIsRoom) {
  auto g = make(100 * MiB, 2 * MiB);
  g.start();
  EXPECT_TRUE(g.reserve_present());
  EXPECT_EQ(reserve_size(), 2 * MiB);
  EXPECT_FALSE(g.sends_refused());
}

TEST_F(DiskGuardTest, LowVolumeRefusesSendsAndReleasesTheReserve) {
  auto g = make(100 * MiB, 2 * MiB);
  g.start();
  vol_.free = 99 * MiB;
  EXPECT_FALSE(g.sends_refused());  // cached verdict until the re-check interval passes
  clock_.advance(Millis(250));
  EXPECT_TRUE(g.sends_refused());
  EXPECT_FALSE(g.reserve_present());
  EXPECT_EQ(reserve_size(), -1);
}

TEST_F(DiskGuardTest, ReadsTheVolumeAtMostOncePerInterval) {
  auto g = make(100 * MiB, 0);
  g.start();
  int after_start = vol_.reads;
  for (int i = 0; i < 1000; i++) g.sends_refused();
  EXPECT_EQ(vol_.reads, after_start);
  clock_.advance(Millis(250));
  g.sends_refused();
  EXPECT_EQ(vol_.reads, after_start + 1);
}

TEST_F(DiskGuardTest, SendsResumeOnlyOnceTheReserveFitsAgain) {
  auto g = make(100 * MiB, 2 * MiB);
  g.start();
  vol_.free = 50 * MiB;
  g.refresh();
  ASSERT_TRUE(g.sends_refused());
  // Above the watermark, but not with room for the reserve: still refused.
  vol_.free = 101 * MiB;
  g.refresh();
  EXPECT_TRUE(g.sends_refused());
  EXPECT_FALSE(g.reserve_present());
  vol_.free = 102 * MiB;
  g.refresh();
  EXPECT_TRUE(g.reserve_present());
  EXPECT_EQ(reserve_size(), 2 * MiB);
  // The probe still says 102 MiB (a scripted volume does not shrink): above the mark.
  EXPECT_FALSE(g.sends_refused());
}

TEST_F(DiskGuardTest, WithoutAReserveTheWatermarkAloneDecides) {
  auto g = make(100 * MiB, 0);
  g.start();
  vol_.free = 99 * MiB;
  g.refresh();
  EXPECT_TRUE(g.sends_refused());
  vol_.free = 100 * MiB;
  g.refresh();
  EXPECT_FALSE(g.sends_refused());
  EXPECT_EQ(reserve_size(), -1);
}

TEST_F(DiskGuardTest, AnUnreadableVolumeKeepsTheLastVerdict) {
  auto g = make(100 * MiB, 0);
  g.start();
  vol_.free = 1 * MiB;
  g.refresh();
  ASSERT_TRUE(g.sends_refused());
  vol_.fail = true;
  vol_.free = 10'000 * MiB;
  g.refresh();
  EXPECT_TRUE(g.sends_refused());
}

TEST_F(DiskGuardTest, TheReserveIsCappedAtASixteenthOfASmallVolume) {
  vol_.total = 64 * MiB;
  vol_.free = 60 * MiB;
  auto g = make(1 * MiB, 64 * MiB);  // the default reserve would not even fit
  g.start();
  EXPECT_EQ(g.reserve_bytes(), 4 * MiB);
  EXPECT_TRUE(g.reserve_present());
  EXPECT_EQ(reserve_size(), 4 * MiB);
  EXPECT_FALSE(g.sends_refused());
}

TEST_F(DiskGuardTest, TheStoresFreePagesCountAsFree) {
  auto g = make(100 * MiB, 2 * MiB);
  g.start();
  vol_.free = 50 * MiB;  // ebb.db holds the rest and never shrinks
  g.refresh();
  ASSERT_TRUE(g.sends_refused());
  // Consumers drained the queue: 60 MiB of ebb.db is on SQLite's freelist.
  g.set_reusable_bytes(60 * MiB);
  g.refresh();
  EXPECT_FALSE(g.sends_refused());
  EXPECT_EQ(g.last_free_bytes(), 110 * MiB);
  // The reserve file needs room on the volume itself, not inside ebb.db.
  EXPECT_FALSE(g.reserve_present());
}

TEST_F(DiskGuardTest, ACommitThatHitENOSPCReleasesTheReserveAtOnce) {
  auto g = make(100 * MiB, 2 * MiB);
  g.start();
  ASSERT_TRUE(g.reserve_present());
  g.note_full();  // no statvfs read needed
  EXPECT_FALSE(g.reserve_present());
  EXPECT_EQ(reserve_size(), -1);
  EXPECT_TRUE(g.sends_refused());
  // The volume still reports plenty (the scripted probe): hysteresis until the reserve
  // is back, then sends resume.
  clock_.advance(Millis(250));
  EXPECT_FALSE(g.sends_refused());
  EXPECT_TRUE(g.reserve_present());
}

TEST_F(DiskGuardTest, RealStatvfsReadsThisVolume) {
  DiskSpace d;
  ASSERT_TRUE(statvfs_probe(dir_.path(), d));
  EXPECT_GT(d.total_bytes, 0);
  EXPECT_LE(d.free_bytes, d.total_bytes);
  EXPECT_FALSE(statvfs_probe(dir_.file("missing/dir"), d));
}

}  // namespace
}  // namespace ebb
