import Sqids from "sqids";

// run-model.md: sqids of runId, alphabet a-z A-Z 0-9 in that order, minimum length 5.
const sqids = new Sqids({
  alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  minLength: 5,
});

export function runSqid(runId: number): string {
  return sqids.encode([runId]);
}

export function runUrl(publicUrl: string, orgSlug: string, projectName: string, runId: number): string {
  return `${publicUrl}/o/${encodeURIComponent(orgSlug)}/projects/${encodeURIComponent(projectName)}/${runSqid(runId)}`;
}
