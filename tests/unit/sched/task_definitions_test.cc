// TaskDefinitions: ECS-style revisions, references, persistence (ecosystem.md §3.6).
#include "sched/task_definitions.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb::sched {
namespace {

using nlohmann::json;

json doc(const std::string& family, const std::string& kind) {
  return {{"apiVersion", "ebb/v1"},
          {"kind", "TaskDefinition"},
          {"metadata", {{"name", family}}},
          {"spec", {{"command", {"/bin/echo", kind}}, {"resources", {{"cpu", "250m"}, {"memory", "512Mi"}}}}}};
}

struct TaskDefinitionsTest : ::testing::Test {
  FakeClock clock;
  MemStore store;
  Committer committer{store};
  TaskDefinitions tds{clock, committer};
  void SetUp() override { committer.start(); }
  void TearDown() override { committer.stop(); }
};

TEST_F(TaskDefinitionsTest, EachChangedApplyIsTheNextRevisionAndTheSameApplyIsUnchanged) {
  auto a = tds.apply(doc("report", "daily"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "created (revision 1)");
  EXPECT_EQ(tds.apply(doc("report", "daily"))->first, "unchanged (revision 1)");
  EXPECT_EQ(tds.apply(doc("report", "weekly"))->first, "configured (revision 2)");
  EXPECT_EQ(tds.apply(doc("other", "x"))->first, "created (revision 1)");
  EXPECT_EQ(tds.latest_revision("report"), 2);
  EXPECT_EQ(tds.latest_revision("missing"), 0);
  EXPECT_EQ(tds.list()["items"].size(), 2u);
}

TEST_F(TaskDefinitionsTest, FamilyMeansLatestAndFamilyColonNMeansThatRevision) {
  ASSERT_TRUE(tds.apply(doc("report", "daily")).ok());
  ASSERT_TRUE(tds.apply(doc("report", "weekly")).ok());
  auto latest = tds.resolve("report");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->second, "report:2");
  EXPECT_EQ(latest->first["command"][1], "weekly");
  auto first = tds.resolve("report:1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->second, "report:1");
  EXPECT_EQ(first->first["command"][1], "daily");
  json obj = *tds.get("report:1");
  EXPECT_EQ(obj["status"]["revision"], 1);
  EXPECT_EQ(obj["status"]["latestRevision"], 2);
  EXPECT_EQ(obj["status"]["revisions"], json({1, 2}));
}

TEST_F(TaskDefinitionsTest, BadAndMissingReferencesNameTheReference) {
  ASSERT_TRUE(tds.apply(doc("report", "daily")).ok());
  auto missing_rev = tds.resolve("report:7");
  ASSERT_FALSE(missing_rev.ok());
  EXPECT_EQ(missing_rev.error().code, Code::NotFound);
  EXPECT_NE(missing_rev.error().message.find("report:7"), std::string::npos);
  EXPECT_NE(missing_rev.error().message.find("latest revision is 1"), std::string::npos);
  EXPECT_EQ(tds.resolve("nothing").error().code, Code::NotFound);
  for (const char* bad : {"report:0", "report:x", "report:", "report:01"}) {
    auto r = tds.resolve(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::Invalid) << bad;
  }
}

TEST_F(TaskDefinitionsTest, RevisionsSurviveARestartAndDeleteRemovesThem) {
  ASSERT_TRUE(tds.apply(doc("report", "daily")).ok());
  ASSERT_TRUE(tds.apply(doc("report", "weekly")).ok());
  committer.stop();  // everything appended is committed
  {
    Committer c2(store);
    c2.start();
    TaskDefinitions again(clock, c2);
    again.load(store.load_records());
    EXPECT_EQ(again.latest_revision("report"), 2);
    EXPECT_EQ(again.resolve("report:1")->first["command"][1], "daily");
    EXPECT_EQ(again.apply(doc("report", "weekly"))->first, "unchanged (revision 2)");
    ASSERT_TRUE(again.remove("report").ok());
    c2.stop();
  }
  Committer c3(store);
  TaskDefinitions third(clock, c3);
  third.load(store.load_records());
  EXPECT_EQ(third.latest_revision("report"), 0);
}

}  // namespace
}  // namespace ebb::sched
