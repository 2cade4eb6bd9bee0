// `changeset publish` publishes the versions in package.json as they are. With changesets still pending,
// those are the old versions: stop, and say to run `changeset version` (and commit) first.
import { readdirSync } from 'node:fs';

const pending = readdirSync(new URL('../.changeset/', import.meta.url)).filter(
  (name) => name.endsWith('.md') && name !== 'README.md',
);
if (pending.length > 0) {
  console.error(
    `release: ${pending.length} changeset(s) pending (${pending.join(', ')}): run \`pnpm changeset version\`, commit, then release`,
  );
  process.exit(1);
}
