# Sourced by the shell jobs: report a job status to the Event Hubs REST endpoint, exactly as one
# would report to Azure Event Hubs ("Send batch events"), with a Service Bus SAS token.
#   report <status type> <job name> [<json body>]
# Needs: GRIDLOG_ENDPOINT, EH_KEY_NAME, EH_KEY (set by run.sh), curl, openssl.

urlencode() {
  local s=$1 out= c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

sas_token() { # <resource uri>: SharedAccessSignature valid for one hour
  local sr se sig
  sr=$(urlencode "$1")
  se=$(($(date +%s) + 3600))
  sig=$(printf '%s\n%s' "$sr" "$se" | openssl dgst -sha256 -hmac "$EH_KEY" -binary | base64)
  printf 'SharedAccessSignature sr=%s&sig=%s&se=%s&skn=%s' "$sr" "$(urlencode "$sig")" "$se" "$EH_KEY_NAME"
}

report() {
  local type=$1 job=$2 body=${3:-"{}"}
  local hub="$GRIDLOG_ENDPOINT/batch-status"
  curl -sS --fail-with-body -X POST "$hub/messages?timeout=60&api-version=2014-01" \
    -H "Authorization: $(sas_token "$hub")" \
    -H 'Content-Type: application/vnd.microsoft.servicebus.json' \
    --data-binary "[{\"Body\":$(printf '%s' "$body" | sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'),\"UserProperties\":{\"type\":\"$type\",\"subject\":\"$job\",\"host\":\"$(hostname)\"},\"BrokerProperties\":{\"ContentType\":\"application/json\"}}]" \
    -o /dev/null -w "  [$job] $type -> HTTP %{http_code} (Event Hubs REST)\n"
}
