// The gateway's queries that more than one bench script sends.

/** The frontend's page: a project's 50 newest runs with lineage, state history and metric summaries. */
export const NESTED_GATEWAY = `query Page($project: String!) {
  project(name: $project) {
    runs(first: 50) {
      totalCount
      nodes {
        runId number name state createdAt
        forkedFrom { runId }
        forks { totalCount }
        stateHistory(last: 5) { nodes { fromState toState at } }
        metrics { name count min max last }
      }
    }
  }
}`;

/** The name bench/seed.ts gives its i-th project (from 1). */
export const projectName = (i: number) => `project-${String(i).padStart(2, "0")}`;
