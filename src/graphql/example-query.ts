// What GraphiQL opens with: one tab per thing a newcomer wants to see. Each is executed by
// test/examples.test.ts, so none of them rots.

export interface ExampleTab {
  title: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** The frontend's page in one request: projects → runs → forks → state history → metrics. */
export const NESTED_HISTORY = `# Runs of each project with their forks, state history and metrics, in one request.
# No data yet? Run the operations of the "CreateRun" tab first.
query ProjectRunHistory {
  viewer { organization { slug runCount } }
  projects(first: 5) {
    nodes {
      name
      runs(first: 10) {
        totalCount
        nodes {
          displayId
          name
          state
          url
          forkedFrom { displayId }
          forkStep
          forks(first: 5) { totalCount nodes { displayId forkStep } }
          stateHistory(first: 10) { nodes { fromState toState source at } }
          metrics { name last lastStep min max count }
        }
      }
    }
  }
}
`;

/** Creating data: a run, its metrics, a fork. Several operations: GraphiQL asks which to run. */
export const LOG_AND_FORK = `# Run these in order (the run button offers each operation).
mutation CreateRun {
  createRun(input: { projectName: "my-ml-project", name: "baseline", externalId: "job-1", config: { lr: 0.001 } }) {
    __typename
    ... on CreateRunSuccess { resumed run { runId displayId url state } }
    ... on Error { message }
  }
}

mutation LogLoss($runId: Int!) {
  logMetrics(input: { runId: $runId, series: [{ name: "loss", steps: [0, 1, 2, 3], values: [2.3, 1.7, 1.2, 0.9] }] }) {
    __typename
    ... on LogMetricsSuccess { accepted }
    ... on Error { message }
  }
}

mutation ForkAtStep2($runId: Int!) {
  forkRun(input: { parentRunId: $runId, step: 2, name: "lower-lr", config: { lr: 0.0005 } }) {
    __typename
    ... on ForkRunSuccess { run { runId displayId forkStep forkedFrom { displayId } } }
    ... on Error { message }
  }
}
`;

/** A fork's lineage and the metric history it inherits by reference. */
export const FORK_LINEAGE = `# A fork sees its ancestors' points up to each fork step, then its own.
query ForkLineage($displayId: String!) {
  run(displayId: $displayId) {
    displayId
    forkStep
    forkDepth
    lineage { displayId forkStep }
    metric(name: "loss") {
      summary { count min max last lastStep }
      history(first: 20) { nodes { step value runId } }
      buckets(count: 100) { fromStep toStep min max mean }
    }
  }
}
`;

/** Live updates over SSE (GraphiQL's default transport here). */
export const WATCH_STATES = `# Leave this running, then create or update a run of the project in another tab.
subscription WatchStates {
  runStateChanged(projectName: "my-ml-project") {
    runId
    fromState
    toState
    source
    at
    run { displayId name }
  }
}
`;

export const EXAMPLE_TABS: ExampleTab[] = [
  { title: "Nested run history", query: NESTED_HISTORY },
  { title: "Log and fork", query: LOG_AND_FORK, variables: { runId: 1 } },
  { title: "Fork lineage", query: FORK_LINEAGE, variables: { displayId: "MMP-2" } },
  { title: "Watch states", query: WATCH_STATES },
];

/** Kept for the first tab's sake: GraphiQL's default document. */
export const EXAMPLE_QUERY = NESTED_HISTORY;
