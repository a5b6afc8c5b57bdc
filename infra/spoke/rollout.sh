#!/usr/bin/env bash
# Roll the pedns spoke deployment (infra/spoke/main.bicep) out to many subscriptions, each only if
# the hub accepts its events.
#
#   infra/spoke/rollout.sh --management-group <mg-id> --parameters <spoke.parameters.json> --location <region> \
#       --hub-app <function app> --hub-resource-group <rg> [--hub-subscription <id>]
#   infra/spoke/rollout.sh --subscriptions subs.txt --parameters <spoke.parameters.json> --location <region> \
#       --accept-any
#
# Subscriptions come from every level under the management group (its descendants, nested groups
# included) or from a file with one subscription id per line ('#' comments allowed).
#
# The hub's scope (one of the two is required):
#   --hub-app <name> --hub-resource-group <rg> [--hub-subscription <id>]
#       read PEDNS_SOURCE_SUBSCRIPTIONS and PEDNS_SOURCE_MANAGEMENT_GROUPS from the hub function
#       app's settings. A subscription is deployed only if the hub accepts it: listed in
#       PEDNS_SOURCE_SUBSCRIPTIONS, or below one of PEDNS_SOURCE_MANAGEMENT_GROUPS at any depth
#       (both empty: the hub accepts any subscription). Any other is not deployed, is listed as
#       "refused: <sub> (...)", and makes the run exit 1: add it to the hub first.
#   --accept-any
#       state that the hub accepts any subscription (both settings empty); nothing is checked.
#
# Each accepted subscription gets `az deployment sub create` named `pedns-spoke-<location>`: a
# subscription deployment's location is fixed per name (InvalidDeploymentLocation otherwise), so a run
# with another --location makes a deployment of its own instead of failing everywhere. The run goes on past a failing
# subscription and lists failures and refusals at the end (exit 1 if any). If reading the hub's
# settings or any page of a management group's descendants fails, the run stops with one error line
# and exit 1 before it deploys anything. Re-running is safe: every resource in the template is
# idempotent.
#
# Before deploying it also checks that Microsoft.EventGrid is registered in the hub function's
# subscription (taken from functionAppId in the parameters file): Event Grid reaches an Azure Function
# destination with its own service principal, which gets its rights there only through that
# registration. The hub deployment registers it only with notifications on (its Event Grid topic);
# with notifications=false it deploys no Event Grid resource, and someone must register it by hand.
#
# A subscription has at most one Microsoft.Resources.Subscriptions system topic. The script looks it
# up in each subscription (`az eventgrid system-topic list`) and, if there is one, deploys with
# useExistingSystemTopic=true and that topic's name and resource group: the topic, its identities,
# tags and resource group are left alone and only pedns's event subscriptions are added. Such a
# topic needs a system-assigned identity (dead-lettering); without one the subscription fails with
# the fix in the message.
#
# Options:
#   --exclude <id,id,...>   subscriptions to skip (e.g. sandboxes)
#   --what-if               run `az deployment sub what-if` instead of create
#   --dry-run               print the az commands, run nothing (the hub's settings and the
#                           subscription lists are still read)
#   --retry-wait <seconds>  wait before the one retry of a subscription whose deployment failed
#                           with RoleDefinitionDoesNotExist or PrincipalNotFound (default 60)
#
# A spoke deployment creates its reader role and assigns it in one go. A role definition (or an
# identity) created moments before can be not yet visible where the assignment is checked, a
# transient failure ("the Resource Provider in ARM is yet to complete replication of the newly
# created Role Definition", Azure/terraform-azurerm-caf-enterprise-scale wiki, Troubleshooting), so
# such a subscription is deployed once more after --retry-wait seconds; the template is idempotent.
#
# Rights of the signed-in principal: in every subscription, Owner, or Contributor plus User Access
# Administrator (the custom reader role needs Microsoft.Authorization/roleDefinitions/write, which Role
# Based Access Control Administrator lacks; with endpointReaderRoleDefinitionId, the group's role, no
# role is defined there and Contributor plus RBAC Administrator will do); in the hub resource group,
# Microsoft.Resources/deployments/write (the nested dead-letter deployment runs there) and the right
# to assign Storage Blob Data Contributor on the storage account (RBAC Administrator, ideally
# conditioned to that role); write access to the hub's `events` function (Event Grid's check for a
# destination that is not a webhook, e.g. Website Contributor on the function app); on every
# management group it lists (--management-group and the hub's PEDNS_SOURCE_MANAGEMENT_GROUPS),
# Microsoft.Management/managementGroups/descendants/read (Reader on the group has it; the built-in
# Management Group Reader does NOT: its actions are managementGroups/read,
# managementGroups/subscriptions/read and Microsoft.Authorization/*/read); on the hub function app,
# Microsoft.Web/sites/config/list/action to read its settings (Website Contributor, or a custom role
# with only that action; Reader does not have it); Microsoft.Resources/subscriptions/providers/read in
# the hub subscription (Reader). docs/deploy.md has the details.
#
# Runs on bash 3.2 (macOS's /bin/bash) and later: no mapfile, no ${x,,}, no associative arrays
# (tests/infra/test_infra_rollout.py checks the script for bash 4 constructs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$here/main.bicep"
mg="" subs_file="" params="" location="" exclude="" mode="create" dry_run=0
hub_app="" hub_rg="" hub_sub="" accept_any=0 retry_wait=60

usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}
die() { echo "rollout.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --management-group) mg="$2"; shift 2 ;;
    --subscriptions) subs_file="$2"; shift 2 ;;
    --parameters) params="$2"; shift 2 ;;
    --location) location="$2"; shift 2 ;;
    --exclude) exclude="$2"; shift 2 ;;
    --hub-app) hub_app="$2"; shift 2 ;;
    --hub-resource-group) hub_rg="$2"; shift 2 ;;
    --hub-subscription) hub_sub="$2"; shift 2 ;;
    --accept-any) accept_any=1; shift ;;
    --what-if) mode="what-if"; shift ;;
    --dry-run) dry_run=1; shift ;;
    --retry-wait) retry_wait="$2"; shift 2 ;;
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
# A management group id as Azure (and pedns) takes it: the name, not a path or display name.
# The pattern sits in a variable, so no shell quoting rule touches its parentheses (bash manual,
# Conditional Constructs).
group_pattern='^[A-Za-z0-9_().-]{1,90}$'
valid_group() { [[ "$1" =~ $group_pattern ]]; }
if [ -n "$mg" ] && ! valid_group "$mg"; then
  echo "not a management group id (the name, not a path or display name): $mg" >&2
  usage
fi
case "$retry_wait" in
  ''|*[!0-9]*) echo "--retry-wait takes a number of seconds: $retry_wait" >&2; usage ;;
esac
if [ "$accept_any" -eq 1 ] && [ -n "$hub_app$hub_rg$hub_sub" ]; then
  echo "give --hub-app/--hub-resource-group or --accept-any, not both" >&2
  usage
fi
if [ "$accept_any" -eq 0 ] && { [ -z "$hub_app" ] || [ -z "$hub_rg" ]; }; then
  echo "need the hub's scope: --hub-app and --hub-resource-group (and --hub-subscription if it is elsewhere), or --accept-any" >&2
  usage
fi

# The deployment's name: its location is part of it (lower case, no spaces, as ARM writes regions).
deployment_name="pedns-spoke-$(printf '%s' "$location" | tr '[:upper:]' '[:lower:]' | tr -d ' ')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The first line of what the last az call wrote to stderr, for a one-line error.
az_reason() { grep -m1 -v '^[[:space:]]*$' "$work/az.err" 2>/dev/null | cut -c1-300 || true; }

lower() { tr '[:upper:]' '[:lower:]'; }

# A comma (or semicolon) separated setting as one item per line, as pedns splits it.
split_list() { tr ';,' '\n\n' | tr -d ' \t\r' | grep -v '^$' || true; }

# Every subscription id below a management group, at any depth, one per line (lower case) into
# "$work/mg.<group>". Management Groups - Get Descendants, one `az rest` call per page (the page's
# subscription names and its nextLink together). Returns 1 if a page fails.
descendants() {
  local group="$1" out="$work/mg.$1" url next ids id page_out page=1
  [ -f "$out" ] && return 0
  : > "$out.part"
  url="/providers/Microsoft.Management/managementGroups/${group}/descendants?api-version=2020-05-01"
  while [ -n "$url" ]; do
    # tsv of {link, subs}: "<nextLink or None>\t<ids separated by spaces>"; the link comes first
    # because it is never empty (a leading empty field would vanish in `read`).
    if ! page_out="$(az rest --method get --url "$url" \
        --query "{link: nextLink, subs: join(' ', value[?starts_with(id, '/subscriptions/')].name)}" \
        --output tsv 2>"$work/az.err")"; then
      echo "rollout.sh: cannot list the subscriptions under management group '$group' (page $page): $(az_reason)" >&2
      return 1
    fi
    IFS=$'\t' read -r next ids <<< "${page_out//$'\r'/}" || true
    for id in $ids; do echo "$id"; done | lower >> "$out.part"
    [ "$next" = "None" ] && next=""
    url="$next"
    page=$((page + 1))
  done
  mv "$out.part" "$out"
}

# -- Event Grid can reach the hub function --------------------------------------------------------
# The hub function's subscription, from functionAppId in the parameters file.
hub_function_sub="$(tr -d '\n\r' < "$params" 2>/dev/null \
  | grep -o '"functionAppId"[^}]*' | grep -oi '/subscriptions/[0-9a-f-]\{36\}/' | head -1 | cut -d/ -f3 || true)"
[ -n "$hub_function_sub" ] || die "cannot read functionAppId (/subscriptions/<id>/...) from $params"
if ! eventgrid_state="$(az provider show --namespace Microsoft.EventGrid --subscription "$hub_function_sub" \
    --query registrationState --output tsv 2>"$work/az.err")"; then
  die "cannot read the Microsoft.EventGrid registration of the hub function's subscription $hub_function_sub: $(az_reason)"
fi
eventgrid_state="${eventgrid_state//$'\r'/}"
if [ "$eventgrid_state" != "Registered" ]; then
  die "Microsoft.EventGrid is '${eventgrid_state:-NotRegistered}' in the hub function's subscription $hub_function_sub: Event Grid cannot deliver to the function until it is registered there (az provider register --namespace Microsoft.EventGrid --subscription $hub_function_sub --wait)"
fi

# -- the subscriptions to wire ------------------------------------------------------------------
if [ -n "$subs_file" ]; then
  [ -r "$subs_file" ] || die "cannot read $subs_file"
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$subs_file" | grep -v '^$' | lower > "$work/targets" || true
else
  descendants "$mg" || exit 1
  cp "$work/mg.$mg" "$work/targets"
fi
# A read loop, not mapfile (bash 4): the script runs on macOS's bash 3.2 as well.
subscriptions=()
while IFS= read -r line; do subscriptions+=("$line"); done < <(sort -u "$work/targets")
if [ "${#subscriptions[@]}" -eq 0 ]; then
  echo "no subscriptions found" >&2
  exit 1
fi

# -- what the hub accepts -----------------------------------------------------------------------
accept_all=0
: > "$work/accepted"
if [ "$accept_any" -eq 1 ]; then
  accept_all=1
  echo "hub scope: any subscription (--accept-any)"
else
  hub_args=(--name "$hub_app" --resource-group "$hub_rg")
  [ -n "$hub_sub" ] && hub_args+=(--subscription "$hub_sub")
  if ! settings="$(az functionapp config appsettings list "${hub_args[@]}" \
      --query "[?name=='PEDNS_SOURCE_SUBSCRIPTIONS' || name=='PEDNS_SOURCE_MANAGEMENT_GROUPS'].[name, value]" \
      --output tsv 2>"$work/az.err")"; then
    die "cannot read the app settings of hub function app '$hub_app' in resource group '$hub_rg': $(az_reason)"
  fi
  hub_subs="" hub_groups=""
  while IFS=$'\t' read -r name value; do
    [ "$value" = "None" ] && value=""
    case "$name" in
      PEDNS_SOURCE_SUBSCRIPTIONS) hub_subs="$value" ;;
      PEDNS_SOURCE_MANAGEMENT_GROUPS) hub_groups="$value" ;;
    esac
  done <<< "${settings//$'\r'/}"
  printf '%s' "$hub_subs" | split_list | lower >> "$work/accepted"
  groups=()
  while IFS= read -r line; do groups+=("$line"); done < <(printf '%s' "$hub_groups" | split_list)
  for group in "${groups[@]:-}"; do
    [ -z "$group" ] || valid_group "$group" || die "the hub's PEDNS_SOURCE_MANAGEMENT_GROUPS holds '$group', not a management group id"
  done
  if [ ! -s "$work/accepted" ] && [ "${#groups[@]}" -eq 0 ]; then
    accept_all=1
    echo "hub scope: any subscription ($hub_app has neither PEDNS_SOURCE_SUBSCRIPTIONS nor PEDNS_SOURCE_MANAGEMENT_GROUPS)"
  else
    echo "hub scope: $(wc -l < "$work/accepted" | tr -d ' ') subscription(s), management group(s): ${groups[*]:-none}"
    for group in "${groups[@]:-}"; do
      [ -n "$group" ] || continue
      descendants "$group" || exit 1
      cat "$work/mg.$group" >> "$work/accepted"
    done
  fi
fi

is_accepted() {
  [ "$accept_all" -eq 1 ] || grep -qixF -- "$1" "$work/accepted"
}

is_excluded() {
  local sub item
  sub="$(printf '%s' "$1" | lower)"
  IFS=',' read -r -a items <<< "$(printf '%s' "$exclude" | lower)"
  for item in "${items[@]:-}"; do
    [ -n "$item" ] && [ "$item" = "$sub" ] && return 0
  done
  return 1
}

# -- deploy -------------------------------------------------------------------------------------
# One deployment of "${cmd[@]}"; its error output is shown and kept in "$work/deploy.err".
deploy() {
  local rc=0
  "${cmd[@]}" --output none 2>"$work/deploy.err" || rc=$?
  cat "$work/deploy.err" >&2
  return "$rc"
}

# The failure is one ARM reports while a role definition or principal created moments ago replicates.
replicating() { grep -qE 'RoleDefinitionDoesNotExist|PrincipalNotFound' "$work/deploy.err"; }

failed=()
refused=()
done_count=0
for sub in "${subscriptions[@]}"; do
  if is_excluded "$sub"; then
    echo "skip $sub (excluded)"
    continue
  fi
  if ! is_accepted "$sub"; then
    refused+=("$sub")
    continue
  fi
  # The subscription's Microsoft.Resources.Subscriptions system topic, if it has one: reuse it.
  if ! topics="$(az eventgrid system-topic list --subscription "$sub" \
      --query "[].[name, resourceGroup, topicType, identity.type]" --output tsv 2>"$work/az.err")"; then
    echo "rollout.sh: cannot list the Event Grid system topics of $sub: $(az_reason)" >&2
    failed+=("$sub")
    continue
  fi
  existing="$(printf '%s\n' "${topics//$'\r'/}" \
    | awk -F '\t' 'tolower($3) == "microsoft.resources.subscriptions" { print; exit }')"
  extra=()
  if [ -n "$existing" ]; then
    IFS=$'\t' read -r topic_name topic_rg _ topic_identity <<< "$existing"
    if [[ "$(printf '%s' "$topic_identity" | lower)" != *systemassigned* ]]; then
      echo "rollout.sh: $sub: its system topic '$topic_name' (resource group $topic_rg) has no system-assigned identity, which dead-lettering needs: add one (portal: the topic's Identity blade; keeps its user-assigned ones) and run again" >&2
      failed+=("$sub")
      continue
    fi
    echo "reuse $sub: system topic '$topic_name' in resource group '$topic_rg'"
    extra=(--parameters useExistingSystemTopic=true "systemTopicName=$topic_name" "eventResourceGroupName=$topic_rg")
  fi
  cmd=(az deployment sub "$mode" --subscription "$sub" --location "$location"
       --name "$deployment_name" --template-file "$template" --parameters "@$params" ${extra[@]+"${extra[@]}"})
  if [ "$dry_run" -eq 1 ]; then
    printf '%q ' "${cmd[@]}"; echo
    continue
  fi
  echo "== $sub"
  if deploy; then
    done_count=$((done_count + 1))
  elif replicating; then
    echo "rollout.sh: $sub: a role or identity created moments ago is not visible everywhere yet; deploying again in ${retry_wait}s" >&2
    sleep "$retry_wait"
    if deploy; then
      done_count=$((done_count + 1))
    else
      failed+=("$sub")
    fi
  else
    failed+=("$sub")
  fi
done

if [ "$dry_run" -eq 0 ]; then
  echo "deployed: $done_count, failed: ${#failed[@]}, refused: ${#refused[@]}"
fi
if [ "${#refused[@]}" -gt 0 ]; then
  printf "refused: %s (not in the hub's scope: add it to PEDNS_SOURCE_SUBSCRIPTIONS or place it under one of PEDNS_SOURCE_MANAGEMENT_GROUPS)\n" \
    "${refused[@]}" >&2
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}" >&2
fi
if [ "${#failed[@]}" -gt 0 ] || [ "${#refused[@]}" -gt 0 ]; then
  exit 1
fi
