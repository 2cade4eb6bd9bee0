import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's URL, or '' when it could not start. */
    postgresUrl: string;
    /** Why there is no cluster (one line), or ''. */
    postgresProblem: string;
  }
}

/** One throwaway PostgreSQL cluster for the run; each suite creates its own database in it. */
export default async function setup(project: TestProject) {
  try {
    const cluster = await startPostgresCluster();
    project.provide('postgresUrl', cluster.url);
    project.provide('postgresProblem', '');
    return () => cluster.stop();
  } catch (error) {
    project.provide('postgresUrl', '');
    project.provide('postgresProblem', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
