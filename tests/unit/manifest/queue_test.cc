// kind: Queue validation and queue_spec() (ecosystem.md §3.6, reliability.md §5.4).
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::queue_doc;

// The Queue documents of ecosystem.md §3.6's complete example, unchanged.
constexpr const char* kSeedQueues = R"(# Queue with a dead-letter queue
apiVersion: ebb/v1
kind: Queue
metadata:
  name: thumbnails-dlq
  labels: {app: thumbnails}
spec:
  messageRetentionSeconds: 1209600      # 14 days, the SQS maximum: time to inspect failures
---
apiVersion: ebb/v1
kind: Queue
metadata:
  name: thumbnails
  labels: {app: thumbnails}
spec:
  visibilityTimeoutSeconds: 180         # longer than the slowest message takes
  messageRetentionSeconds: 345600       # 4 days (SQS default)
  receiveWaitTimeSeconds: 20            # long polling unless the client says otherwise
  delaySeconds: 0
  maxMessageSizeBytes: 262144
  deadLetter:                           # SQS RedrivePolicy
    queue: thumbnails-dlq
    maxReceiveCount: 5
)";

Result<std::vector<Validated>> load(std::string_view yaml) {
  auto docs = parse_file(yaml, "m.yaml");
  if (!docs.ok()) return docs.error();
  return validate_all(*docs);
}

TEST(Queue, SeedDocumentsValidate) {
  auto v = load(kSeedQueues);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->size(), 2u);
  QueueSpec q = queue_spec((*v)[1]);
  EXPECT_EQ(q.name, "thumbnails");
  EXPECT_FALSE(q.fifo);
  EXPECT_EQ(q.attributes.at("VisibilityTimeout"), "180");
  EXPECT_EQ(q.attributes.at("MessageRetentionPeriod"), "345600");
  EXPECT_EQ(q.attributes.at("ReceiveMessageWaitTimeSeconds"), "20");
  EXPECT_EQ(q.attributes.at("DelaySeconds"), "0");
  EXPECT_EQ(q.attributes.at("MaximumMessageSize"), "262144");
  EXPECT_EQ(q.attributes.size(), 5u);
  EXPECT_EQ(q.dead_letter_queue, "thumbnails-dlq");
  EXPECT_EQ(q.max_receive_count, 5);
  EXPECT_EQ(q.tags.at("app"), "thumbnails");
}

TEST(Queue, OnlyGivenFieldsBecomeAttributes) {
  auto v = load(queue_doc("plain"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(queue_spec((*v)[0]).attributes.empty());
}

TEST(Queue, FifoFromTheNameAlone) {
  auto v = load(queue_doc("orders.fifo", "  contentBasedDeduplication: true\n  deduplicationScope: messageGroup\n"
                                         "  fifoThroughputLimit: perMessageGroupId\n"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  QueueSpec q = queue_spec((*v)[0]);
  EXPECT_TRUE(q.fifo);
  EXPECT_EQ(q.attributes.at("FifoQueue"), "true");
  EXPECT_EQ(q.attributes.at("ContentBasedDeduplication"), "true");
  EXPECT_EQ(q.attributes.at("DeduplicationScope"), "messageGroup");
  EXPECT_EQ(q.attributes.at("FifoThroughputLimit"), "perMessageGroupId");
}

TEST(Queue, RedriveAllowPolicy) {
  auto v = load(queue_doc("dlq", "  redriveAllowPolicy:\n    redrivePermission: byQueue\n    sourceQueues: [a, b]\n"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  QueueSpec q = queue_spec((*v)[0]);
  EXPECT_EQ(q.redrive_permission, "byQueue");
  EXPECT_EQ(q.redrive_source_queues, (std::vector<std::string>{"a", "b"}));
}

TEST(Queue, StatusAndServerMetadataIgnored) {
  std::string y =
      "apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: q\n  creationTimestamp: \"2026-11-27T10:00:00Z\"\n"
      "spec:\n  fifo: false\n  contentBasedDeduplication: false\nstatus:\n  visible: 3\n  anything: [goes]\n";
  auto v = load(y);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE((*v)[0].doc.contains("status"));
  EXPECT_FALSE((*v)[0].doc["metadata"].contains("creationTimestamp"));
  EXPECT_TRUE(queue_spec((*v)[0]).attributes.empty());
}

TEST(Queue, NamespaceIgnoredWithWarning) {
  auto v = load("apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: q\n  namespace: prod\n");
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ((*v)[0].warnings.size(), 1u);
  EXPECT_NE((*v)[0].warnings[0].find("metadata.namespace"), std::string::npos);
  EXPECT_FALSE((*v)[0].doc["metadata"].contains("namespace"));
}

struct Case {
  const char* name;
  std::string yaml;
  const char* want;  // a fragment of the error
};

TEST(Queue, HostileInputGivesPreciseErrors) {
  const Case cases[] = {
      {.name = "unknown spec field",
       .yaml = queue_doc("q", "  visibiltyTimeoutSeconds: 30\n"),
       .want = "m.yaml document 1 (Queue/q): spec.visibiltyTimeoutSeconds: unknown field"},
      {.name = "unknown nested field",
       .yaml = queue_doc("q", "  deadLetter: {queue: d, maxReceiveCount: 3, maxRecieveCount: 4}\n"),
       .want = "spec.deadLetter.maxRecieveCount: unknown field"},
      {.name = "unknown top-level field", .yaml = queue_doc("q") + "spce: {}\n", .want = "spce: unknown field"},
      {.name = "unknown metadata field", .yaml = queue_doc("q") + "  lables: {}\n", .want = "unknown field"},
      {.name = "unknown kind",
       .yaml = "apiVersion: ebb/v1\nkind: Queeu\nmetadata: {name: q}\n",
       .want = "unsupported apiVersion/kind \"ebb/v1 Queeu\"; supported: ebb/v1 Queue"},
      {.name = "unknown apiVersion",
       .yaml = "apiVersion: ebb/v2\nkind: Queue\nmetadata: {name: q}\n",
       .want = "supported: ebb/v1 Queue"},
      {.name = "missing kind", .yaml = "apiVersion: ebb/v1\nmetadata: {name: q}\n", .want = "kind: required field is missing"},
      {.name = "missing name", .yaml = "apiVersion: ebb/v1\nkind: Queue\nmetadata: {}\n", .want = "metadata.name: required"},
      {.name = "upper case name", .yaml = queue_doc("Thumbs"), .want = "metadata.name: queue name \"Thumbs\" must be lower case"},
      {.name = "underscore", .yaml = queue_doc("a_b"), .want = "must not contain '_'"},
      {.name = "81 characters", .yaml = queue_doc(std::string(81, 'a')), .want = "longer than 80 characters"},
      {.name = "leading dash", .yaml = queue_doc("-a"), .want = "start and end with a letter or digit"},
      {.name = "dot outside .fifo", .yaml = queue_doc("a.b"), .want = "must not contain '.'"},
      {.name = "name is a number", .yaml = queue_doc("123"), .want = "metadata.name: must be a string, got the number 123; hint: quote the value: \"123\""},
      {.name = "name on", .yaml = queue_doc("on"), .want = "metadata.name: unquoted on is a boolean in YAML 1.1; hint: quote the value: \"on\""},
      {.name = "visibility too large", .yaml = queue_doc("q", "  visibilityTimeoutSeconds: 43201\n"),
       .want = "spec.visibilityTimeoutSeconds: must be between 0 and 43200, got 43201"},
      {.name = "negative delay", .yaml = queue_doc("q", "  delaySeconds: -1\n"), .want = "spec.delaySeconds: must be between 0 and 900, got -1"},
      {.name = "delay 901", .yaml = queue_doc("q", "  delaySeconds: 901\n"), .want = "spec.delaySeconds: must be between 0 and 900"},
      {.name = "retention 59", .yaml = queue_doc("q", "  messageRetentionSeconds: 59\n"), .want = "between 60 and 1209600"},
      {.name = "retention 1209601", .yaml = queue_doc("q", "  messageRetentionSeconds: 1209601\n"), .want = "between 60 and 1209600"},
      {.name = "size 1023", .yaml = queue_doc("q", "  maxMessageSizeBytes: 1023\n"), .want = "between 1024 and 1048576"},
      {.name = "size 1048577", .yaml = queue_doc("q", "  maxMessageSizeBytes: 1048577\n"), .want = "between 1024 and 1048576"},
      {.name = "wait 21", .yaml = queue_doc("q", "  receiveWaitTimeSeconds: 21\n"), .want = "between 0 and 20"},
      {.name = "overflowing integer", .yaml = queue_doc("q", "  delaySeconds: 99999999999999999999\n"), .want = "out of range"},
      {.name = "octal integer", .yaml = queue_doc("q", "  delaySeconds: 0755\n"), .want = "spec.delaySeconds: unquoted 0755"},
      {.name = "1e3", .yaml = queue_doc("q", "  delaySeconds: 1e3\n"), .want = "spec.delaySeconds: unquoted 1e3"},
      {.name = "float for integer", .yaml = queue_doc("q", "  delaySeconds: 1.5\n"), .want = "spec.delaySeconds: must be an integer between 0 and 900, got the number 1.5"},
      {.name = "quoted integer", .yaml = queue_doc("q", "  delaySeconds: \"10\"\n"), .want = "must be an integer between 0 and 900, got the string \"10\""},
      {.name = "null integer", .yaml = queue_doc("q", "  delaySeconds: ~\n"), .want = "got null"},
      {.name = "fifo yes", .yaml = queue_doc("q.fifo", "  fifo: yes\n"), .want = "spec.fifo: unquoted yes is a boolean in YAML 1.1"},
      {.name = "fifo string", .yaml = queue_doc("q.fifo", "  fifo: \"true\"\n"), .want = "spec.fifo: must be true or false"},
      {.name = "fifo without suffix", .yaml = queue_doc("q", "  fifo: true\n"), .want = "spec.fifo: a FIFO queue's name must end in \".fifo\""},
      {.name = "suffix with fifo false", .yaml = queue_doc("q.fifo", "  fifo: false\n"), .want = "spec.fifo: is false"},
      {.name = "content dedup on standard", .yaml = queue_doc("q", "  contentBasedDeduplication: true\n"), .want = "spec.contentBasedDeduplication: allowed only for FIFO queues"},
      {.name = "dedup scope on standard", .yaml = queue_doc("q", "  deduplicationScope: queue\n"), .want = "spec.deduplicationScope: allowed only for FIFO queues"},
      {.name = "bad dedup scope", .yaml = queue_doc("q.fifo", "  deduplicationScope: group\n"), .want = "spec.deduplicationScope: must be one of queue, messageGroup, got \"group\""},
      {.name = "throughput on standard", .yaml = queue_doc("q", "  fifoThroughputLimit: perQueue\n"), .want = "spec.fifoThroughputLimit: allowed only for FIFO queues"},
      {.name = "per group without group scope", .yaml = queue_doc("q.fifo", "  fifoThroughputLimit: perMessageGroupId\n"), .want = "needs spec.deduplicationScope: messageGroup"},
      {.name = "maxReceiveCount 0", .yaml = queue_doc("q", "  deadLetter: {queue: d, maxReceiveCount: 0}\n"), .want = "spec.deadLetter.maxReceiveCount: must be between 1 and 1000, got 0"},
      {.name = "maxReceiveCount 1001", .yaml = queue_doc("q", "  deadLetter: {queue: d, maxReceiveCount: 1001}\n"), .want = "spec.deadLetter.maxReceiveCount: must be between 1 and 1000, got 1001"},
      {.name = "dlq missing", .yaml = queue_doc("q", "  deadLetter: {maxReceiveCount: 3}\n"), .want = "spec.deadLetter.queue: required field is missing"},
      {.name = "dlq itself", .yaml = queue_doc("q", "  deadLetter: {queue: q, maxReceiveCount: 3}\n"), .want = "spec.deadLetter.queue: a queue cannot be its own dead-letter queue"},
      {.name = "dlq type differs", .yaml = queue_doc("q.fifo", "  deadLetter: {queue: d, maxReceiveCount: 3}\n"), .want = "spec.deadLetter.queue: the dead-letter queue of a FIFO queue must be FIFO"},
      {.name = "dlq bad name", .yaml = queue_doc("q", "  deadLetter: {queue: D_LQ, maxReceiveCount: 3}\n"), .want = "spec.deadLetter.queue: queue name \"D_LQ\""},
      {.name = "dlq name on", .yaml = queue_doc("q", "  deadLetter: {queue: on, maxReceiveCount: 3}\n"), .want = "spec.deadLetter.queue: unquoted on"},
      {.name = "redrive permission", .yaml = queue_doc("q", "  redriveAllowPolicy: {redrivePermission: some}\n"), .want = "spec.redriveAllowPolicy.redrivePermission: must be one of allowAll, denyAll, byQueue"},
      {.name = "byQueue without sources", .yaml = queue_doc("q", "  redriveAllowPolicy: {redrivePermission: byQueue}\n"), .want = "spec.redriveAllowPolicy.sourceQueues: required when redrivePermission is byQueue"},
      {.name = "sources with allowAll", .yaml = queue_doc("q", "  redriveAllowPolicy: {redrivePermission: allowAll, sourceQueues: [a]}\n"), .want = "spec.redriveAllowPolicy.sourceQueues: allowed only when"},
      {.name = "source bad name", .yaml = queue_doc("q", "  redriveAllowPolicy: {redrivePermission: byQueue, sourceQueues: [a, B]}\n"), .want = "spec.redriveAllowPolicy.sourceQueues[1]: queue name \"B\""},
      {.name = "label value on", .yaml = queue_doc("q") + "  labels: {enabled: on}\n", .want = "metadata.labels.enabled: unquoted on"},
      {.name = "label value number", .yaml = queue_doc("q") + "  labels: {version: 3}\n", .want = "metadata.labels.version: must be a string, got the number 3; hint: quote the value: \"3\""},
      {.name = "label key bad", .yaml = queue_doc("q") + "  labels: {\"-x\": a}\n", .want = "metadata.labels.-x: label key must start"},
      {.name = "spec not a map", .yaml = queue_doc("q") + "spec: [1]\n", .want = "spec: must be an object, got a list"},
      {.name = "duplicate object", .yaml = queue_doc("q") + "---\n" + queue_doc("q"), .want = "m.yaml document 2 (Queue/q): duplicate of m.yaml document 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(has_error(c.yaml, c.want));
  }
}

TEST(Queue, EveryErrorOfADocumentIsReported) {
  std::string e = errors_of(queue_doc("q", "  delaySeconds: 901\n  visibilityTimeoutSeconds: -1\n  bogus: 1\n"));
  EXPECT_NE(e.find("spec.delaySeconds"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.visibilityTimeoutSeconds"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.bogus: unknown field"), std::string::npos) << e;
}

TEST(Queue, MultiDocumentIsAllOrNothing) {
  std::string y = queue_doc("good") + "---\n" + queue_doc("bad", "  delaySeconds: 901\n") + "---\n" +
                  queue_doc("also-bad", "  nope: 1\n");
  auto v = load(y);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Code::Invalid);
  const std::string& e = v.error().message;
  EXPECT_NE(e.find("m.yaml document 2 (Queue/bad): spec.delaySeconds"), std::string::npos) << e;
  EXPECT_NE(e.find("m.yaml document 3 (Queue/also-bad): spec.nope: unknown field"), std::string::npos) << e;
  EXPECT_EQ(e.find("document 1"), std::string::npos) << e;
}

TEST(Queue, ValidateAllOnBareJsonNamesDocumentNumbers) {
  std::vector<nlohmann::json> docs = {
      nlohmann::json::parse(R"({"apiVersion":"ebb/v1","kind":"Queue","metadata":{"name":"a"}})"),
      nlohmann::json::parse(R"({"apiVersion":"ebb/v1","kind":"Queue","metadata":{"name":"b"},"spec":{"delaySeconds":"5"}})"),
  };
  auto v = validate_all(docs);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("document 2 (Queue/b): spec.delaySeconds: must be an integer"), std::string::npos)
      << v.error().message;
}

TEST(Queue, GetOutputCanBeAppliedBack) {
  // The Queue object of docs/api.md, as `ebb get queue -o json` prints it.
  auto doc = nlohmann::json::parse(R"({"apiVersion":"ebb/v1","kind":"Queue",
 "metadata":{"name":"thumbnails","creationTimestamp":"2026-11-27T10:00:00Z","labels":{"app":"thumbnails"}},
 "spec":{"fifo":false,"visibilityTimeoutSeconds":30,"messageRetentionSeconds":345600,
         "receiveWaitTimeSeconds":0,"delaySeconds":0,"maxMessageSizeBytes":1048576,
         "deadLetter":{"queue":"thumbnails-dlq","maxReceiveCount":5}},
 "status":{"url":"http://127.0.0.1:9324/000000000000/thumbnails","visible":3}})");
  auto v = validate(doc);
  ASSERT_TRUE(v.ok()) << v.error().message;
}

TEST(Queue, SupportedKinds) {
  auto k = supported_kinds();
  ASSERT_GE(k.size(), 1u);
  EXPECT_EQ(k[0].first, "ebb/v1");
  EXPECT_EQ(k[0].second, "Queue");
}

}  // namespace
}  // namespace ebb::manifest
