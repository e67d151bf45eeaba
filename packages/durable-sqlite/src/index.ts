export { openDurableFile } from './durable-file.ts';
export { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
