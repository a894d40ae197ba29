#!/usr/bin/env bash
# Every SQS action the AWS CLI has, against $ENDPOINT (sqs-api.md §13.3), with the
# documented results checked. $AWS picks the CLI: Debian's /usr/bin/aws (v2.9.19,
# Query protocol) or a pip AWS CLI v1 (JSON protocol). Writes scratch files in the
# current directory (the harness runs it in a temporary one).
set -euo pipefail
: "${ENDPOINT:=http://127.0.0.1:9324}"
: "${AWS:=aws}"
export AWS_PAGER=""
sqs() { timeout 60 "$AWS" --endpoint-url "$ENDPOINT" --output json sqs "$@"; }
echo "CLI: $("$AWS" --version 2>&1)"

fails=0; passes=0
expect() {  # expect LABEL GOT WANT
  if [ "$2" == "$3" ]; then passes=$((passes + 1)); else
    fails=$((fails + 1)); printf 'FAIL %s: expected [%s], got [%s]\n' "$1" "$3" "$2"; fi
}
expect_fail() {  # expect_fail LABEL CODE -- CLI ARGS...  (the call must fail with CODE in stderr)
  local label=$1 code=$2; shift 3
  local rc=0
  sqs "$@" > out.txt 2> err.txt || rc=$?
  if [ "$rc" -eq 0 ]; then fails=$((fails + 1)); echo "FAIL $label: succeeded, expected $code"; return; fi
  if [ "$rc" -ne 254 ] && [ "$rc" -ne 255 ]; then
    fails=$((fails + 1)); echo "FAIL $label: exit status $rc, expected 254 (CLI v2) or 255 (v1)"; cat err.txt; return; fi
  if grep -q "($code)" err.txt; then passes=$((passes + 1)); else
    fails=$((fails + 1)); echo "FAIL $label: expected ($code) in: $(cat err.txt)"; fi
}

p=cli$$$RANDOM
ACCOUNT=000000000000
DLQ=$(sqs create-queue --queue-name "$p-dlq" --query QueueUrl --output text)
expect "queue URL from the request Host" "$DLQ" "$ENDPOINT/$ACCOUNT/$p-dlq"
DLQ_ARN=$(sqs get-queue-attributes --queue-url "$DLQ" --attribute-names QueueArn --query Attributes.QueueArn --output text)
expect "queue ARN" "$DLQ_ARN" "arn:aws:sqs:us-east-1:$ACCOUNT:$p-dlq"
Q=$(sqs create-queue --queue-name "$p" --attributes VisibilityTimeout=30 --tags team=billing --query QueueUrl --output text)
expect "create again (same attributes)" "$(sqs create-queue --queue-name "$p" --attributes VisibilityTimeout=30 --query QueueUrl --output text)" "$Q"
expect_fail "create with a different attribute" QueueAlreadyExists -- create-queue --queue-name "$p" --attributes VisibilityTimeout=31
expect "get-queue-url" "$(sqs get-queue-url --queue-name "$p" --query QueueUrl --output text)" "$Q"
expect "list-queues --queue-name-prefix" "$(sqs list-queues --queue-name-prefix "$p" --query 'QueueUrls' --output text | tr '\t' '\n' | sort | tr '\n' ' ')" \
  "$(printf '%s\n%s\n' "$Q" "$DLQ" | sort | tr '\n' ' ')"
printf '{"RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"%s\\",\\"maxReceiveCount\\":\\"3\\"}"}' "$DLQ_ARN" > "$p-attrs.json"
sqs set-queue-attributes --queue-url "$Q" --attributes "file://$p-attrs.json"
sqs get-queue-attributes --queue-url "$Q" --attribute-names All > attrs.json
expect "RedrivePolicy stored with a number" "$(sqs get-queue-attributes --queue-url "$Q" --attribute-names RedrivePolicy --query Attributes.RedrivePolicy --output text)" \
  "{\"deadLetterTargetArn\":\"$DLQ_ARN\",\"maxReceiveCount\":3}"
expect "VisibilityTimeout attribute" "$(sqs get-queue-attributes --queue-url "$Q" --attribute-names VisibilityTimeout --query Attributes.VisibilityTimeout --output text)" "30"
sqs tag-queue --queue-url "$Q" --tags env=dev
sqs untag-queue --queue-url "$Q" --tag-keys team
expect "list-queue-tags" "$(sqs list-queue-tags --queue-url "$Q" --query 'Tags' --output json | tr -d ' \n')" '{"env":"dev"}'
expect "list-dead-letter-source-queues" "$(sqs list-dead-letter-source-queues --queue-url "$DLQ" --query 'queueUrls' --output text)" "$Q"
sqs send-message --queue-url "$Q" --message-body 'hello world' \
    --message-attributes '{"tenant":{"DataType":"String","StringValue":"acme"}}' > sent.json
expect "MD5OfMessageBody" "$(sqs send-message --queue-url "$Q" --message-body 'hello world' --query MD5OfMessageBody --output text)" 5eb63bbbe01eeed093cb22bb8f5acdc3
expect "MD5OfMessageAttributes" "$(sqs send-message --queue-url "$Q" --message-body 'hello world' \
    --message-attributes '{"tenant":{"DataType":"String","StringValue":"acme"}}' --query MD5OfMessageAttributes --output text)" c52f727da6769fcbc66f3f8555ce234a
sqs send-message-batch --queue-url "$Q" \
    --entries '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two","DelaySeconds":901}]' > batch.json || true
expect "batch: a succeeds" "$(sqs send-message-batch --queue-url "$Q" --entries '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two","DelaySeconds":901}]' \
    --query 'join(`,`, [Successful[0].Id, Failed[0].Id, Failed[0].Code])' --output text 2>/dev/null || true)" "a,b,InvalidParameterValue"
RH=$(sqs receive-message --queue-url "$Q" --max-number-of-messages 10 --wait-time-seconds 5 \
    --attribute-names All --message-attribute-names All --query 'Messages[0].ReceiptHandle' --output text)
[ -n "$RH" ] && [ "$RH" != None ] || { echo "FAIL receive-message returned no message"; fails=$((fails + 1)); }
sqs change-message-visibility --queue-url "$Q" --receipt-handle "$RH" --visibility-timeout 120
expect "change-message-visibility-batch" "$(sqs change-message-visibility-batch --queue-url "$Q" \
    --entries "[{\"Id\":\"1\",\"ReceiptHandle\":\"$RH\",\"VisibilityTimeout\":60}]" --query 'Successful[0].Id' --output text)" 1
sqs delete-message --queue-url "$Q" --receipt-handle "$RH"
sqs delete-message --queue-url "$Q" --receipt-handle "$RH"          # again: still succeeds
expect "delete-message-batch garbage" "$(sqs delete-message-batch --queue-url "$Q" --entries '[{"Id":"1","ReceiptHandle":"garbage"}]' \
    --query 'Failed[0].Code' --output text 2>/dev/null || true)" ReceiptHandleIsInvalid
expect_fail "delete-message garbage" ReceiptHandleIsInvalid -- delete-message --queue-url "$Q" --receipt-handle garbage
if sqs add-permission --queue-url "$Q" --label p1 --aws-account-ids 111122223333 --actions SendMessage 2> err.txt; then
  sqs remove-permission --queue-url "$Q" --label p1
  passes=$((passes + 1))
elif grep -q 'AWS.SimpleQueueService.UnsupportedOperation' err.txt; then
  passes=$((passes + 1))
else
  fails=$((fails + 1)); echo "FAIL add-permission: neither success nor UnsupportedOperation: $(cat err.txt)"
fi
sqs purge-queue --queue-url "$Q"
expect "purged" "$(sqs get-queue-attributes --queue-url "$Q" --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible \
    --query 'join(`,`, [Attributes.ApproximateNumberOfMessages, Attributes.ApproximateNumberOfMessagesNotVisible])' --output text)" "0,0"
F=$(sqs create-queue --queue-name "$p.fifo" --attributes FifoQueue=true,ContentBasedDeduplication=true --query QueueUrl --output text)
M1=$(sqs send-message --queue-url "$F" --message-body a --message-group-id g --query MessageId --output text)
M2=$(sqs send-message --queue-url "$F" --message-body a --message-group-id g --query MessageId --output text)
expect "FIFO content dedup: same MessageId" "$M2" "$M1"
expect "FIFO receive: group id and sequence number" "$(sqs receive-message --queue-url "$F" --attribute-names All \
    --query 'join(`,`, [Messages[0].MessageId, Messages[0].Attributes.MessageGroupId, to_string(length(Messages[0].Attributes.SequenceNumber) > `0`)])' --output text)" "$M1,g,true"
expect_fail "get-queue-url of a missing queue" AWS.SimpleQueueService.NonExistentQueue -- get-queue-url --queue-name "$p-nope"
expect_fail "receive-message --max-number-of-messages 11" InvalidParameterValue -- receive-message --queue-url "$Q" --max-number-of-messages 11
for u in "$Q" "$DLQ" "$F"; do sqs delete-queue --queue-url "$u"; done
expect "deleted" "$(sqs list-queues --queue-name-prefix "$p" --query 'QueueUrls' --output text)" None
rm -f "$p-attrs.json" err.txt out.txt attrs.json sent.json batch.json
echo "CLI walk-through: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
