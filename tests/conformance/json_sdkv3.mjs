// JSON-protocol conformance with @aws-sdk/client-sqs (sqs-api.md §13.5 extended):
// message move tasks with and without DestinationArn, cancel, list; the SDK's own MD5
// checks on bodies with CR/LF/tab/non-BMP characters; 1,048,576-byte bodies accepted
// and 1,048,577 rejected; FIFO; error names, codes, statuses and x-amzn-query-error;
// queue URLs used as the request origin by a client built without `endpoint`.
// Usage: ENDPOINT=http://127.0.0.1:PORT node json_sdkv3.mjs [--endpoint URL]
// The SDK is loaded from tests/js/node_modules (EBB_JS_DIR overrides).
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const jsDir = process.env.EBB_JS_DIR ?? path.join(here, "..", "js");
const require = createRequire(path.join(jsDir, "package.json"));
const S = require("@aws-sdk/client-sqs");
const sdkVersion = require("@aws-sdk/client-sqs/package.json").version;

let endpoint = (process.env.ENDPOINT ?? "http://127.0.0.1:9324").replace(/\/$/, "");
const ai = process.argv.indexOf("--endpoint");
if (ai > 0 && process.argv[ai + 1]) endpoint = process.argv[ai + 1].replace(/\/$/, "");
const region = process.env.AWS_DEFAULT_REGION ?? "us-east-1";
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "AKIDEBBTEST", secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "x" };
const ACCOUNT = "000000000000";
const arn = (name) => `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const headerProblems = [];
function makeClient(opts = {}) {
  const cl = new S.SQSClient({ region, credentials, maxAttempts: 1, ...opts });
  cl.middlewareStack.add((next, context) => async (args) => {
    const note = (resp) => {
      if (!resp?.headers) return;
      const h = Object.fromEntries(Object.entries(resp.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const op = context.commandName;
      if (!UUID_RE.test(h["x-amzn-requestid"] ?? "")) headerProblems.push(`${op}: x-amzn-RequestId ${JSON.stringify(h["x-amzn-requestid"])}`);
      if (!h["date"]) headerProblems.push(`${op}: no Date header`);
      if (!(h["content-type"] ?? "").startsWith("application/x-amz-json-1.0")) headerProblems.push(`${op}: Content-Type ${h["content-type"]}`);
    };
    try {
      const r = await next(args);
      note(r.response);
      return r;
    } catch (e) {
      note(e.$response);
      throw e;
    }
  }, { step: "deserialize", name: "ebbHeaderCheck" });
  return cl;
}
const c = makeClient({ endpoint });
const p = "js" + Math.random().toString(36).slice(2, 8);
const failed = [];
let passed = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const md5 = (s) => createHash("md5").update(Buffer.from(s, "utf8")).digest("hex");
const show = (v) => JSON.stringify(v, (k, x) => (typeof x === "string" && x.length > 200 ? x.slice(0, 200) + `…(${x.length})` : x));

function fail(label, detail) { failed.push(label); console.log("FAIL", label, "—", detail); }
async function check(label, fn, detail) {
  try {
    if (await fn()) { passed++; return true; }
    fail(label, typeof detail === "function" ? detail() : (detail ?? "condition false"));
  } catch (e) { fail(label, `${e.name}: ${e.message}`); }
  return false;
}
async function eq(label, fn, want) {
  let got;
  try { got = await fn(); } catch (e) { fail(label, `${e.name}: ${e.message}`); return false; }
  if (show(got) === show(want)) { passed++; return true; }
  fail(label, `expected ${show(want)}, got ${show(got)}`);
  return false;
}
const send = (cmd, cl = c) => cl.send(cmd);
const caught = async (cmd, cl = c) => { try { await send(cmd, cl); return null; } catch (e) { return e; } };

// Query code -> [JSON __type fragment, HTTP status, modelled]; sqs-api.md §5.2. The SDK names a modelled
// error after its shape (QueueDoesNotExist) and an unmodelled one after the x-amzn-query-error code.
const ERR = {
  "AWS.SimpleQueueService.NonExistentQueue": ["QueueDoesNotExist", 400, true],
  QueueAlreadyExists: ["QueueNameExists", 400, true],
  InvalidParameterValue: ["InvalidParameterValueException", 400, false],
  MissingParameter: ["MissingRequiredParameterException", 400, false],
  InvalidAttributeName: ["InvalidAttributeName", 400, true],
  InvalidAttributeValue: ["InvalidAttributeValue", 400, true],
  InvalidMessageContents: ["InvalidMessageContents", 400, true],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404, true],
  "AWS.SimpleQueueService.EmptyBatchRequest": ["EmptyBatchRequest", 400, true],
  "AWS.SimpleQueueService.TooManyEntriesInBatchRequest": ["TooManyEntriesInBatchRequest", 400, true],
  "AWS.SimpleQueueService.BatchEntryIdsNotDistinct": ["BatchEntryIdsNotDistinct", 400, true],
  "AWS.SimpleQueueService.InvalidBatchEntryId": ["InvalidBatchEntryId", 400, true],
  "AWS.SimpleQueueService.BatchRequestTooLong": ["BatchRequestTooLong", 400, true],
  ResourceNotFoundException: ["ResourceNotFoundException", 404, true],
  InvalidAddress: ["InvalidAddress", 404, true],
};
async function expectErr(label, cmd, code, message, cl = c) {
  const e = await caught(cmd, cl);
  if (!e) { fail(label, `expected ${code}, the call succeeded`); return; }
  const [jtype, status, modelled] = ERR[code];
  const wantName = modelled ? jtype : code;
  const hdr = e.$response?.headers?.["x-amzn-query-error"];
  let body = e.$response?.body;
  let type;
  try { type = JSON.parse(typeof body === "string" ? body : "")?.__type; } catch { type = undefined; }
  const probs = [];
  if (e.name !== wantName) probs.push(`name ${e.name} != ${wantName}`);
  if (e.Code !== code) probs.push(`Code ${e.Code} != ${code}`);
  if (e.$metadata?.httpStatusCode !== status) probs.push(`status ${e.$metadata?.httpStatusCode} != ${status}`);
  if (hdr !== `${code};Sender`) probs.push(`x-amzn-query-error ${JSON.stringify(hdr)} != "${code};Sender"`);
  if (type !== undefined && type.split("#").pop() !== jtype) probs.push(`__type ${type} != …#${jtype}`);
  if (message !== undefined && e.message !== message) probs.push(`message ${JSON.stringify(e.message)} != ${JSON.stringify(message)}`);
  if (probs.length) fail(label, probs.join("; ")); else passed++;
}
const created = [];
async function createQueue(QueueName, Attributes, tags) {
  const { QueueUrl } = await send(new S.CreateQueueCommand({ QueueName, Attributes, tags }));
  created.push(QueueUrl);
  return QueueUrl;
}
const attrsOf = async (QueueUrl, ...names) =>
  (await send(new S.GetQueueAttributesCommand({ QueueUrl, AttributeNames: names.length ? names : ["All"] }))).Attributes ?? {};
const counts = async (QueueUrl) => {
  const a = await attrsOf(QueueUrl, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed");
  return [a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible, a.ApproximateNumberOfMessagesDelayed].map(Number);
};
const receive = async (QueueUrl, opts = {}, cl = c) => (await send(new S.ReceiveMessageCommand({ QueueUrl, ...opts }), cl)).Messages ?? [];
async function drain(QueueUrl, limit = 50) {
  const out = [];
  for (let i = 0; i < limit; i++) {
    const ms = await receive(QueueUrl, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
    if (!ms.length) break;
    out.push(...ms);
    await send(new S.DeleteMessageBatchCommand({ QueueUrl, Entries: ms.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })) }));
  }
  return out;
}
async function waitUntil(fn, ms = 10000, step = 200) {
  const deadline = Date.now() + ms;
  for (;;) {
    let v;
    try { v = await fn(); } catch { v = undefined; }
    if (v || Date.now() >= deadline) return v;
    await sleep(step);
  }
}
function attrMd5(attrs) {
  const parts = [];
  const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  for (const name of Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    const a = attrs[name];
    for (const s of [name, a.DataType]) { const b = Buffer.from(s, "utf8"); parts.push(u32(b.length), b); }
    const bin = a.BinaryValue !== undefined;
    const v = bin ? Buffer.from(a.BinaryValue) : Buffer.from(a.StringValue, "utf8");
    parts.push(Buffer.from([bin ? 2 : 1]), u32(v.length), v);
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

console.log(`@aws-sdk/client-sqs ${sdkVersion} (JSON protocol) against ${endpoint}`);
const sections = [];
const section = (name, fn) => sections.push([name, fn]);

// ---------------------------------------------------------------- queues, errors, URLs
let dlq, dlqArn, q;
section("queues_errors_urls", async () => {
  dlq = await createQueue(p + "-dlq");
  await eq("queue URL built from Host", () => dlq, `${endpoint}/${ACCOUNT}/${p}-dlq`);
  dlqArn = (await attrsOf(dlq, "QueueArn")).QueueArn;
  await eq("queue ARN", () => dlqArn, arn(p + "-dlq"));
  q = await createQueue(p, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }), VisibilityTimeout: "1" }, { team: "billing" });
  await eq("RedrivePolicy returned with a number", async () => (await attrsOf(q, "RedrivePolicy")).RedrivePolicy,
    `{"deadLetterTargetArn":"${dlqArn}","maxReceiveCount":1}`);
  await expectErr("missing queue", new S.GetQueueUrlCommand({ QueueName: p + "-nope" }), "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
  await check("missing queue is a QueueDoesNotExist instance", async () => (await caught(new S.GetQueueUrlCommand({ QueueName: p + "-nope" }))) instanceof S.QueueDoesNotExist);
  await expectErr("create conflict", new S.CreateQueueCommand({ QueueName: p, Attributes: { VisibilityTimeout: "5" } }), "QueueAlreadyExists");
  await expectErr("invalid parameter", new S.ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 11 }), "InvalidParameterValue",
    "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
  await expectErr("unknown queue attribute", new S.GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ["ApproximateAgeOfOldestMessage"] }), "InvalidAttributeName");
  await expectErr("bad attribute value", new S.SetQueueAttributesCommand({ QueueUrl: q, Attributes: { MessageRetentionPeriod: "59" } }), "InvalidAttributeValue");
  await expectErr("malformed receipt handle", new S.DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: "garbage" }), "ReceiptHandleIsInvalid",
    'The input receipt handle "garbage" is not a valid receipt handle.');
  await expectErr("empty batch", new S.SendMessageBatchCommand({ QueueUrl: q, Entries: [] }), "AWS.SimpleQueueService.EmptyBatchRequest");
  await expectErr("batch > 10", new S.SendMessageBatchCommand({ QueueUrl: q, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `i${i}`, MessageBody: "x" })) }),
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11.");
  await expectErr("batch ids not distinct", new S.SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: "a", MessageBody: "x" }, { Id: "a", MessageBody: "y" }] }),
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
  await expectErr("batch entry id invalid", new S.SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: "a.b", MessageBody: "x" }] }), "AWS.SimpleQueueService.InvalidBatchEntryId");
  await expectErr("batch too long", new S.SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: "a", MessageBody: "a".repeat(600000) }, { Id: "b", MessageBody: "b".repeat(600000) }] }),
    "AWS.SimpleQueueService.BatchRequestTooLong");
  await expectErr("QueueUrl '/'", new S.GetQueueAttributesCommand({ QueueUrl: endpoint + "/", AttributeNames: ["QueueArn"] }), "InvalidAddress");
  await expectErr("FIFO name without FifoQueue", new S.CreateQueueCommand({ QueueName: p + "-x.fifo" }), "InvalidParameterValue");
  await eq("empty ListQueues -> no QueueUrls member", async () => (await send(new S.ListQueuesCommand({ QueueNamePrefix: p + "zzz" }))).QueueUrls, undefined);
  await eq("ListQueues prefix", async () => ((await send(new S.ListQueuesCommand({ QueueNamePrefix: p }))).QueueUrls ?? []).sort(), [q, dlq].sort());
  await eq("ListQueueTags", async () => (await send(new S.ListQueueTagsCommand({ QueueUrl: q }))).Tags, { team: "billing" });
  await eq("ListDeadLetterSourceQueues", async () => (await send(new S.ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [q]);
  await eq("ListDeadLetterSourceQueues with none: queueUrls present and empty", async () => (await send(new S.ListDeadLetterSourceQueuesCommand({ QueueUrl: q }))).queueUrls, []);
  await eq("no AttributeNames -> no Attributes", async () => (await send(new S.GetQueueAttributesCommand({ QueueUrl: q }))).Attributes, undefined);
  // queue URLs: a client without `endpoint` sends to the QueueUrl's origin (§6.3)
  const bare = makeClient({});
  await check("client without endpoint: SendMessage goes to the QueueUrl origin", async () =>
    (await send(new S.SendMessageCommand({ QueueUrl: dlq, MessageBody: "via queue url" }), bare)).MessageId);
  await eq("client without endpoint: ReceiveMessage via the QueueUrl origin", async () =>
    (await receive(dlq, { WaitTimeSeconds: 1 }, bare)).map((m) => m.Body), ["via queue url"]);
  await send(new S.PurgeQueueCommand({ QueueUrl: dlq }));
  for (const [label, url] of [["foreign host", `http://example.invalid:1234/${ACCOUNT}/${p}`], ["ElasticMQ path", `${endpoint}/queue/${p}`],
    ["LocalStack path", `${endpoint}/queue/${region}/${ACCOUNT}/${p}`]]) {
    await eq(`QueueUrl form resolves by name: ${label}`, async () => (await attrsOf(url, "QueueArn")).QueueArn, arn(p));
  }
  await expectErr("QueueUrl of another account", new S.GetQueueAttributesCommand({ QueueUrl: `${endpoint}/111122223333/${p}`, AttributeNames: ["QueueArn"] }),
    "AWS.SimpleQueueService.NonExistentQueue");
});

// ---------------------------------------------------------------- bodies, MD5s, sizes
section("bodies_md5_sizes", async () => {
  const bq = await createQueue(p + "-bodies");
  const bodies = ["héllo\r\n👋", "line1\r\nline2", "\r", "cr\ronly", "tab\there", "\n\nlf\n", "  spaces  ", "𝄞𝄞 \u{10FFFD}", "<&>]]>\"'", "\uFFFD\uE000\uD7FF", "a+b=c&d=%20"];
  const ids = {};
  for (const b of bodies) {
    const r = await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: b })).catch((e) => e);
    if (r instanceof Error) { fail(`send ${show(b)} (SDK checks MD5OfMessageBody)`, `${r.name}: ${r.message}`); continue; }
    ids[r.MessageId] = b;
    await eq(`MD5OfMessageBody ${show(b)}`, () => r.MD5OfMessageBody, md5(b));
  }
  const got = await drain(bq).catch((e) => { fail("receive bodies (SDK checks MD5OfBody)", `${e.name}: ${e.message}`); return []; });
  await eq("all bodies received", () => got.map((m) => m.MessageId).sort(), Object.keys(ids).sort());
  for (const m of got) {
    await eq(`body byte-exact ${show(ids[m.MessageId])}`, () => m.Body, ids[m.MessageId]);
    await eq(`MD5OfBody ${show(ids[m.MessageId])}`, () => m.MD5OfBody, md5(ids[m.MessageId]));
  }
  const big = "a".repeat(1048576);
  await check("1,048,576-byte body accepted (SDK checks MD5)", async () => (await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: big }))).MD5OfMessageBody === md5(big));
  await expectErr("1,048,577-byte body rejected", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: big + "a" }), "InvalidParameterValue",
    "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.");
  const big2 = "é".repeat(524288) + "👋".repeat(0);
  await check("1,048,576 bytes of 2-byte characters accepted", async () => (await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: big2 }))).MessageId);
  await expectErr("1,048,580 bytes (non-BMP at the end) rejected", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: big2 + "👋" }), "InvalidParameterValue");
  const back = await drain(bq).catch((e) => { fail("receive 1 MiB bodies (SDK checks MD5OfBody)", `${e.name}: ${e.message}`); return []; });
  await eq("1 MiB bodies round trip", () => back.map((m) => m.Body.length).sort((x, y) => x - y), [524288, 1048576]);
  await check("1 MiB bodies byte-exact", () => back.every((m) => m.Body === big || m.Body === big2));
  await expectErr("lone surrogate rejected", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "a\uD800b" }), "InvalidMessageContents");
  await expectErr("U+0000 rejected", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "a\u0000b" }), "InvalidMessageContents");
  await expectErr("U+FFFF rejected", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "\uFFFF" }), "InvalidMessageContents");
  await expectErr("empty body", new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "" }), "MissingParameter", "The request must contain the parameter MessageBody.");
  // attribute digests: spec vectors on send, recomputed on receive
  const vectors = [
    [{ General: { DataType: "String", StringValue: "Kenobi" }, Hello: { DataType: "String", StringValue: "There" } }, "fca026605781cb4126a1e9044df24232"],
    [{ timestamp: { DataType: "Number.java.lang.Long", StringValue: "1493147359900" } }, "2e2e4876d8e0bd6b8c2c8f556831c349"],
    [{ b: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1]) } }, "973749046908c117819a7d5e12dac587"],
    [{ tenant: { DataType: "String", StringValue: "acme" } }, "c52f727da6769fcbc66f3f8555ce234a"],
  ];
  for (const [a, want] of vectors) {
    if (attrMd5(a) !== want) fail("test self-check attrMd5", `${show(a)} -> ${attrMd5(a)}`);
    await eq(`MD5OfMessageAttributes vector ${Object.keys(a)}`, async () => (await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "x", MessageAttributes: a }))).MD5OfMessageAttributes, want);
  }
  const plain = await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "plain" }));
  await check("no MD5OfMessageAttributes without attributes", () => plain.MD5OfMessageAttributes === undefined, () => show(plain));
  const tr = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  await eq("MD5OfMessageSystemAttributes vector", async () => (await send(new S.SendMessageCommand({ QueueUrl: bq, MessageBody: "traced",
    MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: tr } } }))).MD5OfMessageSystemAttributes, "5f48eef650c1d0207456969c85af2fdd");
  const rec = await drain(bq);
  await eq("attribute messages received", () => rec.length, vectors.length + 2);
  for (const m of rec) {
    if (m.MessageAttributes) await eq(`receive MD5OfMessageAttributes ${Object.keys(m.MessageAttributes)}`, () => m.MD5OfMessageAttributes, attrMd5(m.MessageAttributes));
    else await check(`no attribute digest/map without attributes (${m.Body})`, () => m.MD5OfMessageAttributes === undefined, () => show(m));
    if (m.Body === "traced") await eq("AWSTraceHeader via MessageSystemAttributeNames", () => m.Attributes?.AWSTraceHeader, tr);
  }
  await check("MessageSystemAttributeNames alone selects system attributes", () => rec.every((m) => m.Attributes?.SentTimestamp && m.Attributes?.ApproximateReceiveCount === "1"),
    () => show(rec.map((m) => m.Attributes)));
  const bin = rec.find((m) => m.MessageAttributes?.b);
  await eq("binary attribute round trip", () => bin && Array.from(bin.MessageAttributes.b.BinaryValue), [0, 1]);
  await eq("empty receive -> no Messages member", async () => (await send(new S.ReceiveMessageCommand({ QueueUrl: bq }))).Messages, undefined);
  const b1 = await send(new S.SendMessageBatchCommand({ QueueUrl: bq, Entries: [{ Id: "a", MessageBody: "one\r\n" }, { Id: "b", MessageBody: "two 👋" }] }));
  await check("batch all successful (SDK checks each MD5)", () => b1.Successful?.length === 2, () => show(b1));
  await check("(SHOULD) all-success batch omits Failed", () => b1.Failed === undefined, () => show(b1));
  const b2 = await send(new S.SendMessageBatchCommand({ QueueUrl: bq, Entries: [{ Id: "a", MessageBody: "ok" }, { Id: "b", MessageBody: "late", DelaySeconds: 901 }] }));
  await eq("batch partial failure: Failed entry (SenderFault boolean, Query-style code)", () => b2.Failed,
    [{ Id: "b", SenderFault: true, Code: "InvalidParameterValue", Message: "Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if provided." }]);
  const ms = await receive(bq, { MaxNumberOfMessages: 10 });
  const cv = await send(new S.ChangeMessageVisibilityBatchCommand({ QueueUrl: bq, Entries: ms.map((m, i) => ({ Id: `c${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })) }));
  await eq("ChangeMessageVisibilityBatch", () => [cv.Successful?.length, cv.Failed], [3, undefined]);
  const ms2 = await receive(bq, { MaxNumberOfMessages: 10 });
  const dm = await send(new S.DeleteMessageBatchCommand({ QueueUrl: bq, Entries: [...ms2.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: "bad", ReceiptHandle: "garbage" }] }));
  await eq("DeleteMessageBatch", () => [dm.Successful?.length, dm.Failed?.map((f) => [f.Id, f.Code, f.SenderFault])], [3, [["bad", "ReceiptHandleIsInvalid", true]]]);
  await eq("queue empty", () => counts(bq), [0, 0, 0]);
});

// ---------------------------------------------------------------- DLQ and move tasks
section("dlq_move_tasks", async () => {
  await check("send (SDK checks MD5)", async () => (await send(new S.SendMessageCommand({ QueueUrl: q, MessageBody: "héllo\r\n👋",
    MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }))).MessageId);
  await check("batch (SDK checks MD5s)", async () => (await send(new S.SendMessageBatchCommand({ QueueUrl: q,
    Entries: [{ Id: "a", MessageBody: "one" }, { Id: "b", MessageBody: "two" }] }))).Successful.length === 2);
  const r1 = await receive(q, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"], WaitTimeSeconds: 1 });
  await check("receive 3 (SDK checks MD5OfBody)", () => r1.length === 3, () => show(r1));
  await sleep(1500);
  await eq("second attempt dead-letters", () => receive(q, { WaitTimeSeconds: 1 }), []);
  await eq("DLQ has 3", async () => (await attrsOf(dlq, "ApproximateNumberOfMessages")).ApproximateNumberOfMessages, "3");
  const inDlq = await receive(dlq, { MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
  await check("DLQ messages: DeadLetterQueueSourceArn, receive count 2, attributes kept", () => inDlq.length === 3 &&
    inDlq.every((m) => m.Attributes.DeadLetterQueueSourceArn === arn(p) && m.Attributes.ApproximateReceiveCount === "2") &&
    inDlq.some((m) => m.MessageAttributes?.k?.StringValue === "v"), () => show(inDlq.map((m) => m.Attributes)));
  let TaskHandle;
  const t0 = Date.now();
  await check("start move task (no DestinationArn)", async () => (TaskHandle = (await send(new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn }))).TaskHandle));
  await check("TaskHandle decodes to {taskId, sourceArn}", () => {
    const d = JSON.parse(Buffer.from(TaskHandle, "base64").toString("utf8"));
    return UUID_RE.test(d.taskId) && d.sourceArn === dlqArn;
  }, () => TaskHandle);
  const listTask = async (MaxResults) => ((await send(new S.ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults }))).Results ?? [])[0];
  await waitUntil(async () => (await listTask(10))?.Status === "COMPLETED", 10000);
  const t = await listTask(10);
  await check("task completed", () => t?.Status === "COMPLETED" && t.ApproximateNumberOfMessagesMoved === 3 && t.ApproximateNumberOfMessagesToMove === 3 && t.TaskHandle === undefined
    && t.DestinationArn === undefined && t.SourceArn === dlqArn && typeof t.StartedTimestamp === "number" && Math.abs(t.StartedTimestamp - t0) < 30000, () => show(t));
  await check("back in source, receive count reset", async () => {
    const m = await receive(q, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["ApproximateReceiveCount", "DeadLetterQueueSourceArn"], WaitTimeSeconds: 1 });
    return m.length === 3 && m.every((x) => x.Attributes.ApproximateReceiveCount === "1" && x.Attributes.DeadLetterQueueSourceArn === undefined);
  });
  await expectErr("cancel finished task", new S.CancelMessageMoveTaskCommand({ TaskHandle }), "ResourceNotFoundException", "Task does not exist.");
  // again, this time to an explicit destination with a rate, cancelled while running
  await sleep(1200);
  await eq("dead-lettered again", () => receive(q, { MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }), []);
  await waitUntil(async () => (await counts(dlq))[0] === 3, 5000);
  const dest = await createQueue(p + "-dest");
  let th2;
  await check("start move task with DestinationArn and rate 1", async () => (th2 = (await send(new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn,
    DestinationArn: arn(p + "-dest"), MaxNumberOfMessagesPerSecond: 1 }))).TaskHandle));
  const running = await listTask();
  await check("running task listed with handle, destination, rate (numbers)", () => running?.Status === "RUNNING" && running.TaskHandle === th2 &&
    running.DestinationArn === arn(p + "-dest") && running.MaxNumberOfMessagesPerSecond === 1 && running.ApproximateNumberOfMessagesToMove === 3, () => show(running));
  await expectErr("only one active task per source", new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn }), "InvalidParameterValue",
    "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
  await eq("default MaxResults is 1", async () => (await send(new S.ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results.length, 1);
  const cancel = await send(new S.CancelMessageMoveTaskCommand({ TaskHandle: th2 })).catch((e) => e);
  await check("cancel running task", () => typeof cancel.ApproximateNumberOfMessagesMoved === "number", () => show(cancel));
  await waitUntil(async () => (await listTask())?.Status === "CANCELLED", 8000);
  const ct = await listTask();
  await check("cancelled", () => ct?.Status === "CANCELLED" && ct.ApproximateNumberOfMessagesMoved < 3 && ct.TaskHandle === undefined, () => show(ct));
  const movedSoFar = ct?.ApproximateNumberOfMessagesMoved ?? 0;
  await eq("cancelled task: moved ones in destination, rest in DLQ", async () => [(await counts(dest))[0], (await counts(dlq))[0]], [movedSoFar, 3 - movedSoFar]);
  await check("restart to destination", async () => (await send(new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: arn(p + "-dest") }))).TaskHandle);
  await waitUntil(async () => (await listTask())?.Status === "COMPLETED", 10000);
  await eq("all 3 in destination, none in DLQ or source", async () => [(await counts(dest))[0], (await counts(dlq))[0], (await counts(q))[0]], [3, 0, 0]);
  const all = (await send(new S.ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }))).Results ?? [];
  await eq("list newest first", () => all.map((x) => x.Status), ["COMPLETED", "CANCELLED", "COMPLETED"]);
  // errors
  await expectErr("source missing", new S.StartMessageMoveTaskCommand({ SourceArn: arn(p + "-nope") }), "ResourceNotFoundException",
    "The resource that you specified for the SourceArn parameter doesn't exist.");
  await expectErr("source is not a DLQ", new S.StartMessageMoveTaskCommand({ SourceArn: arn(p + "-dest") }), "InvalidParameterValue",
    "Source queue must be configured as a Dead Letter Queue.");
  await expectErr("destination missing", new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: arn(p + "-nope") }), "ResourceNotFoundException",
    "The resource that you specified for the DestinationArn parameter doesn't exist.");
  await expectErr("rate 501", new S.StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 501 }), "InvalidParameterValue");
  await expectErr("malformed SourceArn", new S.StartMessageMoveTaskCommand({ SourceArn: "nope" }), "InvalidParameterValue");
  await expectErr("list: unknown source", new S.ListMessageMoveTasksCommand({ SourceArn: arn(p + "-nope") }), "ResourceNotFoundException");
  await expectErr("cancel: undecodable handle", new S.CancelMessageMoveTaskCommand({ TaskHandle: "!!nope!!" }), "InvalidParameterValue", "Value for parameter TaskHandle is invalid.");
  const fake = Buffer.from(JSON.stringify({ taskId: "7b2db4da-3c1e-49f2-9b06-123456789abc", sourceArn: dlqArn })).toString("base64");
  await expectErr("cancel: unknown task", new S.CancelMessageMoveTaskCommand({ TaskHandle: fake }), "ResourceNotFoundException", "Task does not exist.");
});

// ---------------------------------------------------------------- FIFO
section("fifo", async () => {
  const f = await createQueue(p + ".fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
  const s1 = await send(new S.SendMessageCommand({ QueueUrl: f, MessageBody: "a\r\nb", MessageGroupId: "g" }));
  const d1 = await send(new S.SendMessageCommand({ QueueUrl: f, MessageBody: "a\r\nb", MessageGroupId: "g" }));
  await eq("content dedup: same MessageId and SequenceNumber", () => [d1.MessageId, d1.SequenceNumber], [s1.MessageId, s1.SequenceNumber]);
  await check("SequenceNumber is a decimal string", () => /^[1-9][0-9]*$/.test(s1.SequenceNumber ?? ""), () => show(s1));
  const s2 = await send(new S.SendMessageCommand({ QueueUrl: f, MessageBody: "b", MessageGroupId: "g", MessageDeduplicationId: "explicit-1" }));
  const d2 = await send(new S.SendMessageCommand({ QueueUrl: f, MessageBody: "other body", MessageGroupId: "g", MessageDeduplicationId: "explicit-1" }));
  await eq("explicit dedup id", () => d2.MessageId, s2.MessageId);
  await check("sequence numbers increase", () => BigInt(s2.SequenceNumber) > BigInt(s1.SequenceNumber));
  await send(new S.SendMessageCommand({ QueueUrl: f, MessageBody: "h1", MessageGroupId: "h" }));
  await expectErr("group id required", new S.SendMessageCommand({ QueueUrl: f, MessageBody: "x" }), "MissingParameter", "The request must contain the parameter MessageGroupId.");
  await expectErr("per-message delay on FIFO", new S.SendMessageCommand({ QueueUrl: f, MessageBody: "x", MessageGroupId: "g", DelaySeconds: 3 }), "InvalidParameterValue");
  const r1 = await receive(f, { MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] });
  await eq("head of group g first", () => r1.map((m) => [m.Body, m.Attributes.SequenceNumber, m.Attributes.MessageGroupId]), [["a\r\nb", s1.SequenceNumber, "g"]]);
  const r2 = await receive(f, { MaxNumberOfMessages: 10 });
  await eq("group g blocked, group h served", () => r2.map((m) => m.Body), ["h1"]);
  await eq("both blocked", () => receive(f, { MaxNumberOfMessages: 10 }), []);
  await send(new S.DeleteMessageCommand({ QueueUrl: f, ReceiptHandle: r1[0].ReceiptHandle }));
  await eq("g unblocked in order", async () => (await receive(f, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["b"]);
  const fb = await send(new S.SendMessageBatchCommand({ QueueUrl: f, Entries: [{ Id: "1", MessageBody: "x1", MessageGroupId: "k" }, { Id: "2", MessageBody: "x2", MessageGroupId: "k" },
    { Id: "3", MessageBody: "x3" }] }));
  await check("FIFO batch: sequence numbers in request order, missing group fails entry", () => fb.Successful?.length === 2 &&
    BigInt(fb.Successful[1].SequenceNumber) > BigInt(fb.Successful[0].SequenceNumber) && fb.Failed?.[0]?.Id === "3" && fb.Failed[0].Code === "InvalidParameterValue", () => show(fb));
  await eq("FIFO batch order on receive", async () => (await receive(f, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["x1", "x2"]);
  // FIFO redrive with a move task (FIFO DLQ -> its FIFO source)
  const fd = await createQueue(p + "-d.fifo", { FifoQueue: "true" });
  const fs = await createQueue(p + "-s.fifo", { FifoQueue: "true", VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(p + "-d.fifo"), maxReceiveCount: 1 }) });
  const o = await send(new S.SendMessageCommand({ QueueUrl: fs, MessageBody: "fifo-dl", MessageGroupId: "G", MessageDeduplicationId: "dd" }));
  await receive(fs);
  await sleep(1500);
  await eq("FIFO: dead-lettered at second attempt", () => receive(fs, { WaitTimeSeconds: 1 }), []);
  const fdm = await receive(fd, { MessageSystemAttributeNames: ["All"], WaitTimeSeconds: 2, VisibilityTimeout: 0 });
  await check("FIFO DLQ keeps id, group, dedup id", () => fdm[0]?.MessageId === o.MessageId && fdm[0].Attributes.MessageGroupId === "G" &&
    fdm[0].Attributes.MessageDeduplicationId === "dd" && fdm[0].Attributes.DeadLetterQueueSourceArn === arn(p + "-s.fifo"), () => show(fdm));
  await check("FIFO move task starts", async () => (await send(new S.StartMessageMoveTaskCommand({ SourceArn: arn(p + "-d.fifo") }))).TaskHandle);
  await waitUntil(async () => (await counts(fs))[0] === 1, 10000);
  const back = await receive(fs, { MessageSystemAttributeNames: ["All"], WaitTimeSeconds: 1 });
  await check("FIFO message back in its source with group id, count reset", () => back[0]?.MessageId === o.MessageId && back[0].Attributes.MessageGroupId === "G"
    && back[0].Attributes.ApproximateReceiveCount === "1", () => show(back));
});

// ---------------------------------------------------------------- long poll wake-up through the SDK
section("long_poll", async () => {
  const lq = await createQueue(p + "-lp");
  const c2 = makeClient({ endpoint });
  const t0 = Date.now();
  const pending = receive(lq, { WaitTimeSeconds: 15 }, c2);
  await sleep(1000);
  await send(new S.SendMessageCommand({ QueueUrl: lq, MessageBody: "wake" }));
  const got = await pending;
  const el = (Date.now() - t0) / 1000;
  await check("long poll wakes on send", () => got.length === 1 && got[0].Body === "wake" && el >= 0.5 && el < 8, () => `${show(got)} after ${el}s`);
  const t1 = Date.now();
  await eq("long poll waits the full time", () => receive(lq, { WaitTimeSeconds: 2 }), []);
  await check("… about 2 s", () => (Date.now() - t1) / 1000 >= 1.8, () => `${(Date.now() - t1) / 1000}s`);
});

for (const [name, fn] of sections) {
  const t = Date.now();
  try { await fn(); } catch (e) { fail(`section ${name}`, `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 4).join("\n")}`); }
  console.log(`-- ${name}: ${((Date.now() - t) / 1000).toFixed(1)}s`);
}
for (const u of created) await send(new S.DeleteQueueCommand({ QueueUrl: u })).catch(() => {});
if (headerProblems.length) fail("response headers", `${headerProblems.length} problems: ${[...new Set(headerProblems)].slice(0, 15).join(" | ")}`);
console.log(`json (@aws-sdk/client-sqs): ${passed} passed, ${failed.length} failed`);
if (failed.length) console.log("failed checks:\n  " + failed.join("\n  "));
process.exit(failed.length ? 1 : 0);
