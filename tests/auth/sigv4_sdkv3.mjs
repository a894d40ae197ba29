// SigV4 with @aws-sdk/client-sqs (JSON protocol) against ebbd --auth sigv4 (issue 6):
// the generated admin key works; wrong secret, unknown key, skewed clock (20 min
// either way, through the SDK's own systemClockOffset) and a tampered X-Amz-Target
// or body fail with the codes of reliability.md §3.3 as the SDK surfaces them.
// Usage (harness --auth sigv4): node sigv4_sdkv3.mjs. SDK from tests/js/node_modules.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const jsDir = process.env.EBB_JS_DIR ?? path.join(here, "..", "js");
const require = createRequire(path.join(jsDir, "package.json"));
const S = require("@aws-sdk/client-sqs");

const endpoint = process.env.ENDPOINT.replace(/\/$/, "");
const good = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
const failures = [];
const check = (cond, what) => {
  console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
  if (!cond) failures.push(what);
};
const client = (opts = {}) =>
  new S.SQSClient({ region: "us-east-1", endpoint, credentials: good, maxAttempts: 1, ...opts });

async function errorOf(p) {
  try {
    await p;
    return ["<no error>", 200];
  } catch (e) {
    return [e.name, e.$metadata?.httpStatusCode];
  }
}
async function expect(p, name, status, what) {
  const [n, s] = await errorOf(p);
  check(n === name && s === status, `${what}: ${name} ${status} (got ${n} ${s})`);
}

function tampered(edit) {
  const c = client();
  c.middlewareStack.add((next) => async (args) => { edit(args.request); return next(args); },
                        { step: "finalizeRequest", name: "tamper", priority: "low" });
  return c;
}

const { QueueUrl } = await client().send(new S.CreateQueueCommand({ QueueName: "auth-sdkv3" }));
await client().send(new S.SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
const got = await client().send(new S.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
check(got.Messages?.[0]?.Body === "hello", "right key: send and receive");

await expect(client({ credentials: { ...good, secretAccessKey: good.secretAccessKey + "x" } })
  .send(new S.ListQueuesCommand({})), "SignatureDoesNotMatch", 403, "wrong secret");
await expect(client({ credentials: { accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "x" } })
  .send(new S.ListQueuesCommand({})), "InvalidClientTokenId", 403, "unknown key");
await expect(client({ systemClockOffset: -20 * 60 * 1000 }).send(new S.ListQueuesCommand({})),
  "SignatureDoesNotMatch", 403, "clock 20 min behind");
await expect(client({ systemClockOffset: 20 * 60 * 1000 }).send(new S.ListQueuesCommand({})),
  "SignatureDoesNotMatch", 403, "clock 20 min ahead");
await expect(tampered((r) => { r.headers["x-amz-target"] = "AmazonSQS.PurgeQueue"; })
  .send(new S.GetQueueUrlCommand({ QueueName: "auth-sdkv3" })), "SignatureDoesNotMatch", 403, "tampered X-Amz-Target");
await expect(tampered((r) => { r.body = r.body.replace("hello", "forged"); })
  .send(new S.SendMessageCommand({ QueueUrl, MessageBody: "hello" })), "SignatureDoesNotMatch", 403, "tampered body");
const attrs = await client().send(new S.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
check(attrs.Attributes.ApproximateNumberOfMessagesNotVisible === "1" &&
      attrs.Attributes.ApproximateNumberOfMessages === "0", "rejected requests changed nothing");

console.log(JSON.stringify({ failures }));
process.exit(failures.length ? 1 : 0);
