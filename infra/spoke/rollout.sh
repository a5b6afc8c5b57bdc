#!/usr/bin/env bash
# Roll the pedns spoke deployment (infra/spoke/main.bicep) out to many subscriptions.
#
#   infra/spoke/rollout.sh --management-group <mg-id> --parameters <spoke.parameters.json> --location <region>
#   infra/spoke/rollout.sh --subscriptions subs.txt  --parameters <spoke.parameters.json> --location <region>
#
# Subscriptions come from every level under the management group (its descendants, nested groups
# included) or from a file with one subscription id per line ('#' comments allowed). Each gets
# `az deployment sub create`; the run goes on past a failing subscription and lists the failures
# at the end (exit 1 if any). Re-running is safe: every resource in the template is idempotent.
#
# Options:
#   --exclude <id,id,...>   subscriptions to skip (e.g. sandboxes)
#   --what-if               run `az deployment sub what-if` instead of create
#   --dry-run               print the az commands, run nothing (the subscription list is still read)
#
# The signed-in principal needs, in every subscription: Owner, or Contributor plus Role Based
# Access Control Administrator (for the custom role and its assignment); on the hub storage account:
# the right to assign Storage Blob Data Contributor (RBAC Administrator, ideally conditioned to that
# role). docs/deploy.md has the details.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$here/main.bicep"
mg="" subs_file="" params="" location="" exclude="" mode="create" dry_run=0

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --management-group) mg="$2"; shift 2 ;;
    --subscriptions) subs_file="$2"; shift 2 ;;
    --parameters) params="$2"; shift 2 ;;
    --location) location="$2"; shift 2 ;;
    --exclude) exclude="$2"; shift 2 ;;
    --what-if) mode="what-if"; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done

if [ -z "$params" ] || [ -z "$location" ] || { [ -z "$mg" ] && [ -z "$subs_file" ]; }; then
  echo "need --parameters, --location and one of --management-group / --subscriptions" >&2
  usage
fi
if [ -n "$mg" ] && [ -n "$subs_file" ]; then
  echo "give --management-group or --subscriptions, not both" >&2
  usage
fi

list_subscriptions() {
  if [ -n "$subs_file" ]; then
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$subs_file" | grep -v '^$' || true
    return
  fi
  # Management Groups - Get Descendants: every subscription below the group, at any depth, paged.
  local url="/providers/Microsoft.Management/managementGroups/${mg}/descendants?api-version=2020-05-01"
  while [ -n "$url" ]; do
    az rest --method get --url "$url" \
      --query "value[?starts_with(id, '/subscriptions/')].name" --output tsv
    url="$(az rest --method get --url "$url" --query "nextLink" --output tsv)"
    [ "$url" = "None" ] && url=""
  done
}

is_excluded() {
  local sub="$1" item
  IFS=',' read -r -a items <<< "$exclude"
  for item in "${items[@]:-}"; do
    [ -n "$item" ] && [ "${item,,}" = "${sub,,}" ] && return 0
  done
  return 1
}

mapfile -t subscriptions < <(list_subscriptions | tr -d '\r' | sort -fu)
if [ "${#subscriptions[@]}" -eq 0 ]; then
  echo "no subscriptions found" >&2
  exit 1
fi

failed=()
done_count=0
for sub in "${subscriptions[@]}"; do
  if is_excluded "$sub"; then
    echo "skip $sub (excluded)"
    continue
  fi
  cmd=(az deployment sub "$mode" --subscription "$sub" --location "$location"
       --name pedns-spoke --template-file "$template" --parameters "@$params")
  if [ "$dry_run" -eq 1 ]; then
    printf '%q ' "${cmd[@]}"; echo
    continue
  fi
  echo "== $sub"
  if "${cmd[@]}" --output none; then
    done_count=$((done_count + 1))
  else
    failed+=("$sub")
  fi
done

if [ "$dry_run" -eq 0 ]; then
  echo "deployed: $done_count, failed: ${#failed[@]}"
  if [ "${#failed[@]}" -gt 0 ]; then
    printf 'failed: %s\n' "${failed[@]}" >&2
    exit 1
  fi
fi
