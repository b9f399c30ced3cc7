// GraphQL documents the tests share.

export const RUN_FIELDS = `runId number displayId externalId name tags runGroup config state url forkStep forkDepth
  forkedFrom { runId } startedAt finishedAt createdAt`;

export const CREATE_RUN = `mutation($input: CreateRunInput!) {
  createRun(input: $input) {
    __typename
    ... on CreateRunSuccess { resumed run { ${RUN_FIELDS} } }
    ... on ValidationError { message fields { path message } }
    ... on Error { message }
  }
}`;

export const FORK_RUN = `mutation($input: ForkRunInput!) {
  forkRun(input: $input) {
    __typename
    ... on ForkRunSuccess { run { ${RUN_FIELDS} lineage { runId } } }
    ... on ValidationError { message fields { path message } }
    ... on Error { message }
  }
}`;

export const LOG_METRICS = `mutation($input: LogMetricsInput!) {
  logMetrics(input: $input) {
    __typename
    ... on LogMetricsSuccess { accepted }
    ... on ValidationError { message fields { path message } }
    ... on Error { message }
  }
}`;

export const UPDATE_STATE = `mutation($input: UpdateRunStateInput!) {
  updateRunState(input: $input) {
    __typename
    ... on UpdateRunStateSuccess { applied run { state startedAt finishedAt error { code message }
      stateHistory(first: 50) { totalCount nodes { fromState toState source error { message } } } } }
    ... on InvalidTransitionError { fromState toState }
    ... on Error { message }
  }
}`;

export const HISTORY = `query($runId: Int!, $name: String!, $own: Boolean, $first: Int, $after: String, $from: SafeInt, $to: SafeInt) {
  run(runId: $runId) {
    metric(name: $name) {
      summary { count min max last lastStep }
      history(ownOnly: $own, first: $first, after: $after, fromStep: $from, toStep: $to) {
        totalCount pageInfo { hasNextPage endCursor } nodes { step value runId }
      }
    }
  }
}`;
