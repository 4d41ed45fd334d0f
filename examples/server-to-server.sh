#!/usr/bin/env bash
# The server-to-server flow of examples/server-to-server.ts with curl and jq: create a dataset, share
# it with a user and a group, tag it, run a stream and wait for the run, change a property, read it
# back, clean up. Needs bash, curl and jq.
#
#   npm start                              # the gateway on the built-in sandbox, in another shell
#   bash examples/server-to-server.sh
#
# Environment (all optional): DOMO_GRAPH_URL (default http://localhost:4000/graphql),
# DOMO_GRAPH_TOKEN (a Domo developer token; not needed when the gateway holds its own),
# DOMO_GRAPH_SHARE_USER / DOMO_GRAPH_SHARE_GROUP (default a demo user and group of the sandbox),
# DOMO_GRAPH_STREAM_ID (run this stream instead of creating one), DOMO_GRAPH_ACCOUNT_ID (account of a
# created stream; default 3, as in the API doc's example).
set -euo pipefail

URL=${DOMO_GRAPH_URL:-http://localhost:4000/graphql}
USER_ID=${DOMO_GRAPH_SHARE_USER:-1893952720}
GROUP_ID=${DOMO_GRAPH_SHARE_GROUP:-1201}
ACCOUNT_ID=${DOMO_GRAPH_ACCOUNT_ID:-3}
NAME="Server-to-server $(date -u +%Y-%m-%dT%H:%M:%SZ)"

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "this script needs $tool" >&2; exit 1; }
done

# POST one operation with its variables (a JSON object); prints `data`, or the errors and exits 1.
gql() {
  local auth=()
  # The token goes in a header only, never on the command line of a logged command or in output.
  if [[ -n ${DOMO_GRAPH_TOKEN:-} ]]; then auth=(-H "X-DOMO-Developer-Token: ${DOMO_GRAPH_TOKEN}"); fi
  local answer
  answer=$(curl -sS "$URL" \
    -H 'content-type: application/json' -H 'accept: application/json' "${auth[@]}" \
    -d "$(jq -n --arg q "$1" --argjson v "${2:-{\}}" '{query: $q, variables: $v}')")
  if ! jq -e '(.errors // []) | length == 0' >/dev/null <<<"$answer"; then
    echo "GraphQL errors:" >&2
    jq -c '.errors[] | {message, code: .extensions.code, path}' >&2 <<<"$answer"
    exit 1
  fi
  jq -c .data <<<"$answer"
}

echo "domo-graph at $URL"

# 1. A dataset with columns (POST /api/data/v2/datasources).
CREATED=$(gql 'mutation($name: String!) {
  createDataset(name: $name, columns: [
    { name: "Friend", type: STRING }, { name: "Attending", type: STRING }, { name: "Guests", type: LONG }
  ]) { datasetId dataset { streamId columns { name } } }
}' "$(jq -n --arg name "$NAME" '{name: $name}')")
ID=$(jq -r .createDataset.datasetId <<<"$CREATED")
echo "1. created dataset $ID ($(jq -r '[.createDataset.dataset.columns[].name] | join(", ")' <<<"$CREATED"))"

VARS=$(jq -n --arg id "$ID" --arg user "$USER_ID" --arg group "$GROUP_ID" \
  '{id: $id, user: $user, group: $group}')

# 2. Share it with a user and a group (POST …/share).
gql 'mutation($id: ID!, $user: ID!, $group: ID!) {
  shareDataset(datasetId: $id, sendEmail: false, grants: [
    { principalId: $user, type: USER, accessLevel: CAN_EDIT },
    { principalId: $group, type: GROUP, accessLevel: CAN_VIEW }
  ]) { access { entries { type principalId accessLevel } } }
}' "$VARS" | jq -r '"2. shared: " + ([.shareDataset.access.entries[] | "\(.type) \(.principalId) \(.accessLevel)"] | join("; "))'

# 3. Tag it: set the list, then add one (each is one POST …/tags with the whole list).
gql 'mutation($id: ID!) { setDatasetTags(datasetId: $id, tags: ["server-to-server", "example"]) { datasetId } }' \
  "$VARS" >/dev/null
gql 'mutation($id: ID!) { addDatasetTags(datasetId: $id, tags: ["rsvp"]) { dataset { tags } } }' "$VARS" |
  jq -r '"3. tagged: " + (.addDatasetTags.dataset.tags | join(", "))'

# 4. Its stream: the dataset's own, or the one asked for, or a new one (POST /api/data/v1/streams;
#    the API's stream create makes its own dataset).
STREAM=${DOMO_GRAPH_STREAM_ID:-$(jq -r '.createDataset.dataset.streamId // empty' <<<"$CREATED")}
if [[ -z $STREAM ]]; then
  STREAM=$(gql 'mutation($name: String!, $account: Long!) {
    createStream(input: {
      transport: { type: "CONNECTOR", description: "com.domo.connector.snowflakeunloadv2", version: "1" }
      configuration: [{ name: "query", value: "SELECT * FROM table", type: "string", category: "METADATA" }]
      account: { id: $account }
      updateMethod: APPEND
      dataProvider: { key: "snowflake-unload-v2" }
      dataSource: { name: $name, description: "Feeds the server-to-server flow" }
      schedule: { type: MANUAL, timezone: "UTC" }
    }) { streamId datasetId }
  }' "$(jq -n --arg name "$NAME feed" --argjson account "$ACCOUNT_ID" '{name: $name, account: $account}')" |
    jq -r '.createStream | "\(.streamId) \(.datasetId)"')
  echo "4. created stream ${STREAM% *} (its dataset ${STREAM#* })"
  STREAM=${STREAM% *}
else
  echo "4. using stream $STREAM"
fi

# 5. Run it (POST …/executions {"action":"MANUAL"}) and wait until the run has finished.
RUN=$(gql 'mutation($stream: ID!) { executeStream(streamId: $stream) { executionId } }' \
  "$(jq -n --arg s "$STREAM" '{stream: $s}')" | jq -r '.executeStream.executionId // empty')
echo "5. started execution ${RUN:-(id not reported)} of stream $STREAM"
for _ in $(seq 1 240); do
  STATUS=$(gql 'query($stream: ID!) {
    stream(id: $stream) { currentExecution { executionId } lastExecution { executionId currentStateName } }
  }' "$(jq -n --arg s "$STREAM" '{stream: $s}')")
  if jq -e --arg run "$RUN" '.stream.currentExecution == null
      and ($run == "" or (.stream.lastExecution.executionId | tostring) == $run)' >/dev/null <<<"$STATUS"; then
    break
  fi
  sleep 0.25
done
STATE=$(jq -r .stream.lastExecution.currentStateName <<<"$STATUS")
echo "   execution $(jq -r .stream.lastExecution.executionId <<<"$STATUS") $STATE"
[[ $STATE == SUCCESS ]] || { echo "the run did not succeed" >&2; exit 1; }

# 6. Change a property (PUT …/properties), as in the API doc's example.
gql 'mutation($id: ID!) {
  updateDatasetProperties(datasetId: $id, dataProviderType: "domo-jupyterdata") { dataset { dataProviderType } }
}' "$VARS" | jq -r '"6. dataProviderType is now " + .updateDatasetProperties.dataset.dataProviderType'

# 7. Read it back, and run SQL on it.
gql 'query($id: ID!) {
  dataset(id: $id) { name access { entries { principalId } } }
  sql(datasetId: $id, sql: "SELECT COUNT(*) AS n FROM table") { objects }
}' "$VARS" |
  jq -r '"7. read: \(.dataset.name), \(.dataset.access.entries | length) with access, \(.sql.objects[0].n) rows"'

# 8. Clean up: revoke the user (DELETE …/permissions/USER/:id), remove the group (DELETE …/users
#    with [{id, type}]) and clear the tags.
gql 'mutation($id: ID!, $user: ID!) { revokeDatasetAccess(datasetId: $id, userId: $user) { datasetId } }' \
  "$VARS" >/dev/null
gql 'mutation($id: ID!, $group: ID!) {
  removeDatasetUsers(datasetId: $id, principals: [{ principalId: $group, type: GROUP }]) {
    access { entries { type principalId } }
  }
  setDatasetTags(datasetId: $id, tags: []) { dataset { tags } }
}' "$VARS" | jq -r '"8. cleaned up: access " + ([.removeDatasetUsers.access.entries[] | "\(.type) \(.principalId)"] | join("; "))
  + ", tags [" + (.setDatasetTags.dataset.tags | join(", ")) + "]"'
echo done
