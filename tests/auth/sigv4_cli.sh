#!/usr/bin/env bash
# SigV4 with the AWS CLI ($AWS: Debian's /usr/bin/aws speaks Query, a pip one JSON)
# against ebbd --auth sigv4 (harness --auth sigv4). CLI start-up is slow, so: the
# generated credentials file works as AWS_SHARED_CREDENTIALS_FILE, and a wrong secret
# fails with SignatureDoesNotMatch. The other negative cases run with boto3/curl.
set -uo pipefail
: "${AWS:=aws}"
export AWS_PAGER=""
fails=0
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_SHARED_CREDENTIALS_FILE="$EBB_CREDENTIALS_FILE"
out=$(timeout 60 "$AWS" --endpoint-url "$ENDPOINT" sqs create-queue --queue-name auth-cli --output text 2>&1)
if [[ "$out" == *"/auth-cli" ]]; then echo "ok   credentials file works with $("$AWS" --version 2>&1 | cut -d' ' -f1)"
else echo "FAIL credentials file: $out"; fails=$((fails + 1)); fi
key=$(sed -n 's/^aws_access_key_id = //p' "$EBB_CREDENTIALS_FILE")
out=$(AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY=wrongwrongwrong \
      timeout 60 "$AWS" --endpoint-url "$ENDPOINT" sqs list-queues 2>&1)
rc=$?
if [ $rc -ne 0 ] && [[ "$out" == *"(SignatureDoesNotMatch)"* ]]; then echo "ok   wrong secret: SignatureDoesNotMatch"
else echo "FAIL wrong secret: rc=$rc $out"; fails=$((fails + 1)); fi
exit $fails
